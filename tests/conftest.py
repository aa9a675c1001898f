"""Shared fixtures: warehouses built through the real ETL from the committed corpus and the demo generator."""
from __future__ import annotations

import hashlib
import os
import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("CDCS_DEBUG_ERRORS", "1")  # AppTest sees a page's exception itself (tests/test_errors.py checks the visitor's view)

from core.refdata import reference  # noqa: E402
from etl.load import load_files  # noqa: E402

CORPUS = ROOT / "tests" / "fixtures" / "corpus"
# Units for the small demo warehouse: two old provinces merged into new 08, old Lào Cai (10) and
# old Yên Bái (15) merged into new Lào Cai, whose code is 15 again; one central and one corporation union.
DEMO_UNITS = ["LDLD63_02", "LDLD63_08", "LDLD63_10", "LDLD63_15", "LDLD63_79", "LDLD34_08", "LDLD34_15",
              "LDLD34_79", "CDN_GD", "TCT_HK"]


@pytest.fixture(autouse=True)
def _private_state(monkeypatch):
    """No test reaches a configured state database or an old accounts file; argon2 at its lowest cost."""
    from tests.auth_helpers import CHEAP
    import core.auth
    monkeypatch.delenv("CDCS_DATABASE_URL", raising=False)
    monkeypatch.setenv("CDCS_USERS", str(ROOT / "tests" / "no-such-users.json"))
    monkeypatch.setattr(core.auth, "_HASHER", CHEAP)


@pytest.fixture(scope="session")
def ref():
    return reference()


@pytest.fixture(scope="session")
def base_warehouse(tmp_path_factory) -> Path:
    """A warehouse holding one accepted workbook of another unit (Hà Nội), so 'unchanged' is meaningful."""
    from etl.template import write_template
    wh = tmp_path_factory.mktemp("base_wh")
    other = write_template(wh.parent / "hanoi.xlsx", "LDLD63_01", "N2021",
                           values={("member_end", "TOTAL", 2021): 5000, ("member_female", "TOTAL", 2021): 2600})
    result = load_files([other], wh, loaded_by="test", progress=False)
    assert result.files[0].status == "accepted"
    return wh


@pytest.fixture
def warehouse(base_warehouse, tmp_path) -> Path:
    """A private copy of the base warehouse, safe to change."""
    dst = tmp_path / "wh"
    shutil.copytree(base_warehouse, dst)
    return dst


@pytest.fixture(scope="session")
def demo_warehouse(tmp_path_factory) -> tuple[Path, Path]:
    """(warehouse, folder of the input files) of a small simulated warehouse, built through `etl demo`."""
    from etl.demo import run_demo
    base = tmp_path_factory.mktemp("demo")
    result = run_demo(base / "wh", base / "files", only=DEMO_UNITS)
    assert result.snapshot is not None
    return base / "wh", base / "files"


# A wider warehouse for the tests that compare places: several provinces per region and per new province (Bình
# Dương and Bà Rịa - Vũng Tàu merged into new Hồ Chí Minh 34:79, Bình Phước into new Đồng Nai) and more than ten
# provinces, so a selection can be seen within its comparison.
WIDE_UNITS = DEMO_UNITS + ["LDLD63_74", "LDLD63_75", "LDLD63_70", "LDLD34_75", "CDN_YT", "LDLD63_01", "LDLD63_04",
                           "LDLD63_11", "LDLD63_22", "LDLD63_26", "LDLD63_38", "LDLD63_46", "LDLD63_48", "LDLD63_56",
                           "LDLD63_66", "LDLD63_92"]


@pytest.fixture(scope="session")
def wide_warehouse(tmp_path_factory) -> Path:
    """A simulated warehouse of WIDE_UNITS, built through `etl demo`."""
    from etl.demo import run_demo
    base = tmp_path_factory.mktemp("wide")
    assert run_demo(base / "wh", base / "files", only=WIDE_UNITS).snapshot is not None
    return base / "wh"


def fingerprint(wh: Path) -> dict[str, str]:
    """Every file of a warehouse's published state with its hash (the pointer and the snapshots)."""
    out = {}
    for p in sorted(wh.rglob("*")):
        if p.is_file() and (p.name == "CURRENT" or p.suffix == ".duckdb"):
            out[str(p.relative_to(wh))] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


@pytest.fixture
def desk_env(demo_warehouse, tmp_path, monkeypatch):
    """(warehouse, None): a private copy of the demo warehouse served to AppTest, with accounts in its state
    store: officer canbo79 (LDLD34_79), administrator quantri, viewer xem."""
    from core.auth import add_user
    from ui import common
    wh = tmp_path / "wh"
    shutil.copytree(demo_warehouse[0], wh)
    add_user("canbo79", "matkhau-canbo-1", "officer", "LDLD34_79", by="test", warehouse=wh)
    add_user("quantri", "matkhau-quantri-1", "admin", by="test", warehouse=wh)
    add_user("xem", "matkhau-xem-1", "viewer", by="test", warehouse=wh)
    monkeypatch.setenv("CDCS_WAREHOUSE", str(wh))
    common.warehouse.clear()
    yield wh, None
    common.warehouse.clear()


def app_test(user=None, page: str | None = None, **session):
    """AppTest of app.py (or of one page file run alone) after one run, logged in as `user` through a real
    session of the state store when given."""
    from streamlit.testing.v1 import AppTest

    from core import sessions
    at = AppTest.from_file(str(ROOT / (page or "app.py")), default_timeout=60)
    if user is not None:
        at.session_state["session_token"] = sessions.start(user.name)
    for k, v in session.items():
        at.session_state[k] = v
    at.run()
    return at


def rerun(at):
    """Run app.py again in the same session, as the next click does. (AppTest's own rerun would run the last
    page's file alone, the way Streamlit treats an old-style pages/ folder, skipping app.py and its sidebar.)"""
    at._page_hash = at._finished_page_script_hash = ""
    return at.run()
