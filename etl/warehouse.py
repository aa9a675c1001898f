"""Building snapshots: copy the current one, apply a change, rebuild the models, publish atomically.

The loader never writes into a file a reader may have open: every change goes into a new file that
becomes visible only when the CURRENT pointer is switched to it.
"""
from __future__ import annotations

import hashlib
import re
import shutil
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Callable

from core import snapshots
from core.config import MODELS, settings
from core.db import write_connection
from core.refdata import TABLES, Reference, read_table

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


def build_models(con) -> None:
    for path in model_files():
        con.execute(path.read_text(encoding="utf-8"))
    con.execute("pragma create_fts_index('mart_text', 'text_id', 'text_folded', stemmer='none', "
                "stopwords='none', strip_accents=1, lower=1, overwrite=1)")


@dataclass(frozen=True)
class Grain:
    """A declared key of a relation: its columns, and which of them may be null (marked '?')."""

    relation: str
    columns: tuple[str, ...]
    nullable: frozenset[str]
    source: str


class GrainError(Exception):
    """A built relation breaks its declared key: the snapshot is not published."""

    def __init__(self, grain: Grain, problem: str, sample: list[tuple]):
        self.grain, self.problem, self.sample = grain, problem, sample
        shown = "; ".join(", ".join(str(v) for v in row) for row in sample)
        super().__init__(f"Không công bố bản dữ liệu mới: bảng {grain.relation} ({grain.source}) vi phạm khóa "
                         f"({', '.join(grain.columns)}) — {problem}. Ví dụ: {shown}. Bản đang công bố vẫn giữ nguyên.")


_KEY_LINE = re.compile(r"^-- key(?: ([a-z_0-9]+))?:\s*(.+?)\s*$", re.M)


def grains(paths: list[Path] | None = None) -> list[Grain]:
    """The keys declared beside the SQL (`-- key: a, b?` for the file's relation, `-- key rel: …` in schema files)."""
    out = []
    for path in paths or model_files():
        default = re.sub(r"^\d+_", "", path.stem)
        for relation, cols in _KEY_LINE.findall(path.read_text(encoding="utf-8")):
            if cols.startswith("none"):
                continue
            names = tuple(c.strip().rstrip("?") for c in cols.split(","))
            nullable = frozenset(c.strip().rstrip("?") for c in cols.split(",") if c.strip().endswith("?"))
            out.append(Grain(relation or default, names, nullable, path.name))
    return out


def check_grains(con, declared: list[Grain] | None = None) -> None:
    """Raise GrainError at the first relation whose declared key is duplicated or null."""
    for g in declared or grains():
        cols = ", ".join(f'"{c}"' for c in g.columns)
        dup = con.execute(f'select {cols}, count(*) as n from "{g.relation}" group by all having count(*) > 1 '
                          "order by n desc limit 5").fetchall()
        if dup:
            raise GrainError(g, "khóa bị trùng", dup)
        required = [c for c in g.columns if c not in g.nullable]
        if required:
            cond = " or ".join(f'"{c}" is null' for c in required)
            nulls = con.execute(f'select {cols} from "{g.relation}" where {cond} limit 5').fetchall()
            if nulls:
                raise GrainError(g, "khóa có giá trị rỗng", nulls)


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
        build_models(con)
        check_grains(con)
        _pause_for_tests()
        if simulated is None:
            simulated = bool(con.execute("select coalesce(bool_or(simulated), false) from stg_submission where is_active").fetchone()[0])
        con.execute("create or replace table snapshot_info as select ? as snapshot_id, ? as created_at, "
                    "? as simulated, ? as models_hash", [snap_id, datetime.now(), simulated, models_hash(ref)])
        con.execute("checkpoint")
    except BaseException:
        con.close()
        tmp.unlink(missing_ok=True)
        raise
    con.close()
    return snapshots.publish(warehouse, tmp, snap_id, seq, simulated, settings()["warehouse"]["keep_snapshots"])


def _pause_for_tests() -> None:
    """Failure tests set CDCS_TEST_BUILD_PAUSE_S to hold a build open and kill it there (never set in use)."""
    import os
    import time
    pause = float(os.environ.get("CDCS_TEST_BUILD_PAUSE_S") or 0)
    if pause > 0:
        time.sleep(pause)


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


def compare_figures(old: Path, new: Path) -> dict[str, int]:
    """How the figures in force differ between two snapshots: keys changed, added and removed (fact_indicator)."""
    from core.db import connect
    con = connect(new, read_only=True)
    try:
        con.execute(f"attach '{old}' as old (read_only)")
        n = con.execute("""
            select
                count(*) filter (where o.value is not null and n.value is not null and o.value <> n.value),
                count(*) filter (where o.unit_code is null),
                count(*) filter (where n.unit_code is null)
            from fact_indicator as n
            full outer join old.fact_indicator as o
                on o.unit_code = n.unit_code and o.year = n.year and o.indicator_code = n.indicator_code
               and o.sector is not distinct from n.sector
        """).fetchone()
    finally:
        con.close()
    return {"figures_changed": n[0], "figures_added": n[1], "figures_removed": n[2]}
