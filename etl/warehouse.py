"""Building snapshots: copy the current one, apply a change, rebuild the models, publish atomically.

The loader never writes into a file a reader may have open: every change goes into a new file that
becomes visible only when the CURRENT pointer is switched to it.
"""
from __future__ import annotations

import hashlib
import json
import shutil
from datetime import datetime
from pathlib import Path
from typing import Callable

import pandas as pd

from core import snapshots
from core.config import MODELS, settings
from core.db import write_connection
from core.refdata import TABLES, Reference, read_table

REJECTIONS = "rejections.jsonl"


def model_files() -> list[Path]:
    """The model SQL files in build order."""
    return sorted(MODELS.glob("*.sql"))


def models_hash(ref: Reference) -> str:
    """Fingerprint of what a snapshot is built from besides the data: model SQL and reference tables."""
    h = hashlib.sha256()
    for path in [*model_files(), *sorted(ref.folder.glob("*.csv"))]:
        h.update(path.name.encode())
        h.update(path.read_bytes())
    return h.hexdigest()[:16]


def load_reference(con, ref: Reference) -> None:
    """(Re)create ref_<name> tables from data/reference/*.csv: admins change the data, not the code."""
    for name in TABLES:
        df = read_table(name, ref.folder)
        con.register("_ref_df", df)
        con.execute(f'create or replace table "ref_{name}" as select * from _ref_df')
        con.unregister("_ref_df")


def load_rejections(con, warehouse: Path) -> None:
    """Mirror the append-only rejection log into table log_rejection of the snapshot."""
    path = Path(warehouse) / REJECTIONS
    rows = []
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                item = json.loads(line)
            except json.JSONDecodeError:  # a line cut by a kill: ignore it
                continue
            for f in item["findings"]:
                rows.append({**{k: item.get(k) for k in ("file_name", "sha256", "unit_code", "round_code")},
                             "found_at": item.get("at"), **f})
    cols = ["file_name", "sha256", "unit_code", "round_code", "found_at", "severity", "rule", "sheet", "cell", "value",
            "expected", "message", "fix"]
    df = pd.DataFrame(rows, columns=cols).astype(str) if rows else pd.DataFrame({c: pd.Series(dtype=str) for c in cols})
    con.register("_rej", df)
    con.execute("create or replace table log_rejection as select * from _rej")
    con.unregister("_rej")


def build_models(con) -> None:
    for path in model_files():
        con.execute(path.read_text(encoding="utf-8"))
    con.execute("pragma create_fts_index('mart_text', 'text_id', 'text_folded', stemmer='none', "
                "stopwords='none', strip_accents=1, lower=1, overwrite=1)")


def build_snapshot(warehouse: Path, ref: Reference, change: Callable[[object], None],
                   simulated: bool | None = None) -> snapshots.Snapshot:
    """Copy the current snapshot, apply `change(con)`, rebuild the models, publish. Caller holds the lock."""
    warehouse = Path(warehouse)
    snapshots.sweep_temporary(warehouse)
    cur = snapshots.current(warehouse)
    seq = (cur.seq if cur else 0) + 1
    snap_id = snapshots.new_id(seq)
    tmp = warehouse / "snapshots" / f".tmp-{snap_id}.duckdb"
    if cur is not None:
        shutil.copyfile(cur.path, tmp)
    con = write_connection(tmp)
    try:
        con.execute((MODELS / "00_raw.sql").read_text(encoding="utf-8"))
        change(con)
        load_reference(con, ref)
        load_rejections(con, warehouse)
        build_models(con)
        if simulated is None:
            simulated = bool(con.execute("select coalesce(bool_or(simulated), false) from stg_submission_current").fetchone()[0])
        con.execute("create or replace table snapshot_info as select ? as snapshot_id, ? as created_at, "
                    "? as simulated, ? as models_hash", [snap_id, datetime.now(), simulated, models_hash(ref)])
        con.execute("checkpoint")
    finally:
        con.close()
    return snapshots.publish(warehouse, tmp, snap_id, seq, simulated, settings()["warehouse"]["keep_snapshots"])


def is_stale(warehouse: Path, ref: Reference) -> bool:
    """True when the current snapshot was built from other models or reference tables than the code has now."""
    from core.db import connect
    snap = snapshots.current(warehouse)
    if snap is None:
        return False
    con = connect(snap.path)
    try:
        cols = [r[0] for r in con.execute("describe snapshot_info").fetchall()]
        built = con.execute("select models_hash from snapshot_info").fetchone()[0] if "models_hash" in cols else None
    finally:
        con.close()
    return built != models_hash(ref)


def rebuild(warehouse: Path, ref: Reference) -> snapshots.Snapshot:
    """A new snapshot with the same data, rebuilt with the current models and reference tables."""
    with snapshots.writer_lock(warehouse):
        return build_snapshot(warehouse, ref, lambda con: None)
