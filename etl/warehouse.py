"""Building snapshots: copy the current one, apply a change, rebuild the models, publish atomically.

The loader never writes into a file a reader may have open: every change goes into a new file that
becomes visible only when the CURRENT pointer is switched to it.
"""
from __future__ import annotations

import hashlib
import re
import threading
from contextlib import contextmanager
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


@dataclass(frozen=True)
class Model:
    """One model file: the relation it builds and its scope: 'full' rebuilt every time; 'unit' and 'group'
    defined by a table macro <relation>_rows(list) and rebuilt only for what a publish touches; 'reference'
    built from the reference tables only, rebuilt when they or the models change; 'view' a view over other
    models (nothing to build; its key is checked on full builds only)."""

    path: Path
    relation: str
    scope: str


_SCOPE_LINE = re.compile(r"^-- scope: (unit|group|reference|view|full)\b", re.M)


def models() -> list[Model]:
    """The model files after the raw schema, in build order."""
    out = []
    for path in model_files():
        if path.name == RAW_SCHEMA:
            continue
        m = _SCOPE_LINE.search(path.read_text(encoding="utf-8"))
        out.append(Model(path, re.sub(r"^\d+_", "", path.stem), m.group(1) if m else "full"))
    return out


RAW_SCHEMA = "00_raw.sql"


def unit_groups(con, units: list[str]) -> list[str]:
    """The cube groups (province as reported + unit type) of some units."""
    rows = con.execute("select distinct coalesce(province_key, '-') || '|' || unit_type from dim_unit "
                       "where list_contains($u, unit_code)", {"u": units}).fetchall()
    return [r[0] for r in rows]


def _make_room(con, relation: str, kind: str) -> None:
    """Drop a relation built by earlier models as a table where it is now a view, or the other way round."""
    other = "view" if kind == "table" else "table"
    found = con.execute(f"select 1 from duckdb_{other}s() where {other}_name = ? and not internal", [relation]).fetchone()
    if found:
        con.execute(f'drop {other} "{relation}"')


def build_models(con, units: list[str] | None = None) -> None:
    """Build every model; with `units`, the unit- and group-scoped ones only for those units and their groups
    (the rest of each table is kept from the previous snapshot): a publish re-derives what it touches."""
    groups: list[str] | None = None
    for m in models():
        if m.scope == "reference" and units is not None:
            continue  # same reference tables and models as the snapshot copied: already built
        text = m.path.read_text(encoding="utf-8")
        if units is None:
            _make_room(con, m.relation, "view" if "create or replace view" in text else "table")
        con.execute(text)  # a full model builds here; a scoped one defines its macro
        if m.scope in ("full", "reference", "view"):
            continue
        rel = m.relation
        if units is None:  # stored in key order, so that a publish finds one unit's or group's rows by zone maps
            order = "unit_code" if m.scope == "unit" else "unit_group"
            con.execute(f'create or replace table "{rel}" as select * from {rel}_rows([]) order by {order}')
            continue
        if m.scope == "unit":
            key, values = "unit_code", units
        else:
            groups = groups if groups is not None else unit_groups(con, units)
            key, values = "unit_group", groups
        con.execute(f'delete from "{rel}" where list_contains($v, {key})', {"v": values})
        con.execute(f'insert into "{rel}" select * from {rel}_rows($v)', {"v": values})


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


def check_grains(con, declared: list[Grain] | None = None, units: list[str] | None = None) -> None:
    """Raise GrainError at the first relation whose declared key is duplicated or null. With `units` (an
    incremental publish), relations with a unit_code or unit_group column are checked for those units only."""
    groups = unit_groups(con, units) if units is not None else None
    unchanged = {m.relation for m in models() if m.scope in ("reference", "view")} if units is not None else set()
    columns: dict[str, set[str]] = {}
    if units is not None:  # which relations can be narrowed to the units touched: one catalogue query
        for rel, col in con.execute("select table_name, column_name from information_schema.columns "
                                    "where column_name in ('unit_code', 'unit_group')").fetchall():
            columns.setdefault(rel, set()).add(col)
    for g in declared or grains():
        if g.relation in unchanged or (units is not None and g.relation.startswith("ref_")):
            continue
        cols = ", ".join(f'"{c}"' for c in g.columns)
        where, params = "", {}
        if units is not None:
            have = columns.get(g.relation, set())
            if "unit_code" in have:
                where, params = "where list_contains($v, unit_code)", {"v": units}
            elif "unit_group" in have:
                where, params = "where list_contains($v, unit_group)", {"v": groups}
        dup = con.execute(f'select {cols}, count(*) as n from "{g.relation}" {where} group by all '
                          "having count(*) > 1 order by n desc limit 5", params or None).fetchall()
        if dup:
            raise GrainError(g, "khóa bị trùng", dup)
        required = [c for c in g.columns if c not in g.nullable]
        if required:
            cond = " or ".join(f'"{c}" is null' for c in required)
            cond = f"({cond})" + (f" and {where[6:]}" if where else "")
            nulls = con.execute(f'select {cols} from "{g.relation}" where {cond} limit 5', params or None).fetchall()
            if nulls:
                raise GrainError(g, "khóa có giá trị rỗng", nulls)


def _built_with(con) -> str | None:
    """The models hash a snapshot was built with (None before snapshot_info existed)."""
    try:
        return con.execute("select models_hash from snapshot_info").fetchone()[0]
    except Exception:  # an old snapshot without the table or the column
        return None


@contextmanager
def _building(path: Path):
    """A write connection to a snapshot file being built: closed at the end; on any failure the file is removed
    (a build is left whole or not at all)."""
    con = write_connection(path)
    try:
        yield con
    except BaseException:
        con.close()
        Path(path).unlink(missing_ok=True)
        raise
    con.close()


def build_file(path: Path, ref: Reference, change: Callable[[object], object], snap_id: str, *,
               units: set[str] | list[str] | None = None, simulated: bool | None = None,
               extra: Callable[[], dict] | None = None) -> bool:
    """Build a snapshot file in place: apply `change(con)` to the raw tables, then derive the models — only for
    the units touched when the file was built with the same models and reference tables, else all. The units
    touched are `units`, or what `change` returns when `units` is None (None from both: everything). Grain
    contracts are checked; the file is left whole or removed. `extra()` adds columns to snapshot_info.
    Returns whether the snapshot holds simulated data."""
    with _building(path) as con:
        fingerprint = models_hash(ref)
        same_models = _built_with(con) == fingerprint
        con.execute((MODELS / RAW_SCHEMA).read_text(encoding="utf-8"))
        returned = change(con)
        touched = units if units is not None else returned
        scoped = sorted(touched) if touched is not None and same_models else None
        if scoped is None:
            load_reference(con, ref)  # else the file holds them already, the same (same fingerprint)
        build_models(con, scoped)
        check_grains(con, units=scoped)
        _pause_for_tests()
        if simulated is None:
            simulated = bool(con.execute("select coalesce(bool_or(simulated), false) from stg_submission where is_active").fetchone()[0])
        info = {"snapshot_id": snap_id, "created_at": datetime.now(), "simulated": simulated,
                "models_hash": fingerprint, "incremental": scoped is not None, **(extra() if extra else {})}
        con.execute("create or replace table snapshot_info as select " + ", ".join(f"? as {k}" for k in info),
                    list(info.values()))
        con.execute("checkpoint")
    return simulated


def build_snapshot(warehouse: Path, ref: Reference, change: Callable[[object], None],
                   simulated: bool | None = None, units: set[str] | list[str] | None = None) -> snapshots.Snapshot:
    """Copy the current snapshot, apply `change(con)`, rebuild the models, publish. Caller holds the lock.

    units: the units the change touches — only their rows of the unit-scoped models (and their groups of the
    cube) are re-derived, when the current snapshot was built with the same models and reference tables;
    otherwise, and when None, everything is rebuilt.
    """
    warehouse = Path(warehouse)
    snapshots.sweep_temporary(warehouse)
    cur = snapshots.current(warehouse)
    seq = (cur.seq if cur else 0) + 1
    snap_id = snapshots.new_id(seq)
    tmp = warehouse / "snapshots" / f".tmp-{snap_id}.duckdb"
    if cur is not None and units is None:
        carry_records(cur.path, tmp)  # everything is re-derived: a new file, compact, with the records only
    elif cur is not None:
        snapshots.copy_for_build(cur.path, cur.id, tmp.parent, tmp)
    simulated = build_file(tmp, ref, change, snap_id, units=units if cur is not None else None, simulated=simulated)
    return snapshots.publish(warehouse, tmp, snap_id, seq, simulated, settings()["warehouse"]["keep_snapshots"])


def carry_records(source: Path, into: Path) -> None:
    """Start a full build in a new file holding only the records (the raw tables, column by column by name) of
    snapshot `source`: every model is then built afresh, and the file does not keep the space of the tables it
    replaced (a copy rebuilt in place grows by the size of its models each time)."""
    with _building(into) as con:
        con.execute((MODELS / RAW_SCHEMA).read_text(encoding="utf-8"))
        con.execute(f"attach '{source}' as previous (read_only)")
        names = [r[0] for r in con.execute(
            "select table_name from duckdb_tables() where database_name = 'previous' and table_name like 'raw\\_%' escape '\\'"
        ).fetchall()]
        for name in names:
            con.execute(f'insert into "{name}" by name select * from previous."{name}"')
        con.execute("detach previous")
        con.execute("checkpoint")


def stage_standby(warehouse: Path, background: bool = False, locked: bool = False) -> threading.Thread | None:
    """Prepare the standby copy of the current snapshot for the next build ([warehouse] standby_copy), under the
    writer lock (`locked`: the caller holds it), now or in a background thread (the desk, so that the officer
    does not wait for it)."""
    warehouse = Path(warehouse)
    if not settings()["warehouse"].get("standby_copy", True):
        return None

    def copy():
        cur = snapshots.current_pointer(warehouse)
        if cur is not None:
            snapshots.stage_spare(cur.path, cur.id, warehouse / "snapshots")

    def stage():
        with snapshots.writer_lock(warehouse):
            copy()

    if locked:
        copy()
        return None

    if not background:
        stage()
        return None
    worker = threading.Thread(target=stage, daemon=True, name="cdcs-standby")
    worker.start()
    return worker


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
        return build_snapshot(warehouse, ref, lambda con: None)  # units=None: everything is re-derived


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
