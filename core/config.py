"""Paths and settings, read once. Settings live in data/reference/settings.toml, never in code."""
from __future__ import annotations

import os
import tomllib
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
# the codebook and reference tables; $CDCS_REFERENCE points a process at another copy (the benchmark's scaled
# warehouses carry their own, with 10× or 100× the units)
REFERENCE = Path(os.environ["CDCS_REFERENCE"]).resolve() if os.environ.get("CDCS_REFERENCE") else DATA / "reference"
GEO = DATA / "geo"
QUERIES = ROOT / "queries"
MODELS = QUERIES / "models"
DEFAULT_WAREHOUSE = DATA / "warehouse"


def warehouse_dir(explicit: str | os.PathLike | None = None) -> Path:
    """The warehouse folder: the explicit argument, else $CDCS_WAREHOUSE, else data/warehouse."""
    if explicit:
        return Path(explicit).resolve()
    env = os.environ.get("CDCS_WAREHOUSE")
    return Path(env).resolve() if env else DEFAULT_WAREHOUSE


@lru_cache(maxsize=1)
def settings() -> dict:
    """The parsed settings.toml as a nested dict."""
    with open(REFERENCE / "settings.toml", "rb") as f:
        return tomllib.load(f)
