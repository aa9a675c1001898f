"""Moving a warehouse between the embedded mode and PostgreSQL, both ways, with everything it holds: every
version, event, value, rating, answer, change and finding, the accounts, login counters, sessions, audit log and
rejections. The figures come out the same: the snapshot is rebuilt from the moved records with the same models.

    python -m etl migrate --to postgresql+psycopg://…      # the warehouse folder's data into PostgreSQL
    python -m etl migrate --from postgresql+psycopg://…    # PostgreSQL's data into the warehouse folder
"""
from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select, text

from core import snapshots, store
from core.db import connect
from core.refdata import Reference, reference
from etl import records

STATE_TABLES = ["account", "login_failure", "audit_event", "rejection", "login_session", "secret", "received_file",
                "round_approval", "round_closing", "schema_version"]


def _copy_state(source_url: str, target_url: str) -> dict[str, int]:
    """Copy the state store's tables row for row (ids kept); the target's tables must be empty."""
    counts = {}
    src, dst = store.engine(source_url), store.engine(target_url)
    with src.connect() as s, dst.begin() as d:
        for name in STATE_TABLES:
            table = store.metadata.tables[name]
            rows = [dict(r) for r in s.execute(select(table)).mappings()]
            d.execute(table.delete())
            if rows:
                d.execute(table.insert(), rows)
            counts[name] = len(rows)
        if dst.dialect.name == "postgresql":  # serial columns continue after the copied ids
            for name in ("audit_event", "rejection"):
                d.execute(text(f"select setval(pg_get_serial_sequence('{name}', 'id'), "
                               f"coalesce((select max(id) from {name}), 0) + 1, false)"))
    return counts


def _sqlite_url(warehouse: Path) -> str:
    """The embedded state store of a warehouse folder, whatever $CDCS_DATABASE_URL says."""
    return f"sqlite:///{Path(warehouse).resolve() / store.FILE}"


def to_postgres(warehouse: Path, url: str, ref: Reference | None = None) -> dict:
    """The embedded warehouse's records and state into an empty PostgreSQL database; then its first snapshot."""
    from etl import publish
    warehouse = Path(warehouse)
    snap = snapshots.current_pointer(warehouse)
    if snap is None:
        raise LookupError("Kho dữ liệu chưa có bản nào để chuyển.")
    eng = records.engine(url)
    with eng.connect() as c:
        if c.execute(select(func.count()).select_from(records.raw_submission)).scalar():
            raise RuntimeError("Cơ sở dữ liệu PostgreSQL đã có số liệu; chỉ chuyển vào cơ sở dữ liệu trống.")
    con = connect(":memory:", read_only=False)
    counts = {}
    try:
        from core.db import load_extension
        load_extension(con, "postgres_scanner")
        con.execute(f"attach '{snap.path}' as snap (read_only)")
        u = eng.url
        dsn = " ".join(f"{k}={v}" for k, v in {"dbname": u.database, "user": u.username, "password": u.password,
                                                "host": u.host, "port": u.port}.items() if v)
        con.execute(f"attach '{dsn}' as pg (type postgres)")
        for table in records.RAW_TABLES:
            cols = [c.name for c in table.columns]
            con.execute(f"insert into pg.{table.name} ({', '.join(cols)}) select {', '.join(cols)} from snap.{table.name}")
            counts[table.name] = con.execute(f"select count(*) from snap.{table.name}").fetchone()[0]
        con.execute("detach pg")
    finally:
        con.close()
    with eng.begin() as c:
        c.execute(text("select setval('raw_event_seq', coalesce((select max(seq) from raw_submission_event), 0) + 1, false)"))
    counts["state"] = _copy_state(_sqlite_url(warehouse), url)
    with records.using(url):
        publish.publish_pending(warehouse, ref or reference())
        counts["snapshot"] = snapshots.current(warehouse).id
    return counts


def from_postgres(url: str, warehouse: Path, ref: Reference | None = None) -> dict:
    """PostgreSQL's records and state into an empty warehouse folder, with a snapshot built from them."""
    from etl.publish import _pull
    from etl.warehouse import build_file
    warehouse = Path(warehouse)
    if snapshots.current_pointer(warehouse) is not None:
        raise RuntimeError(f"Thư mục {warehouse} đã có dữ liệu; chỉ chuyển vào thư mục trống.")
    ref = ref or reference()
    records.engine(url)
    with snapshots.writer_lock(warehouse):
        snap_id = snapshots.new_id(1)
        tmp = warehouse / "snapshots" / f".tmp-{snap_id}.duckdb"

        def pull_all(con):
            _pull(con, url, 0)  # every event and row; the snapshot is built whole (returns no units)

        simulated = build_file(tmp, ref, pull_all, snap_id)
        snapshots.publish(warehouse, tmp, snap_id, 1, simulated, 5)
    counts = {"state": _copy_state(url, _sqlite_url(warehouse)), "snapshot": snapshots.current_pointer(warehouse).id}
    return counts


def same_figures(a: Path, b: Path) -> dict[str, int]:
    """Rows that differ between two snapshots, per model relation (all zeros: the same figures)."""
    from etl.warehouse import models
    con = connect(a)
    con.execute(f"attach '{b}' as other (read_only)")
    out = {}
    try:
        for m in models():
            if m.relation.endswith(("_units", "agg_indicator")):
                continue
            out[m.relation] = con.execute(
                f"select (select count(*) from (select * from {m.relation} except all select * from other.{m.relation}))"
                f" + (select count(*) from (select * from other.{m.relation} except all select * from {m.relation}))"
            ).fetchone()[0]
    finally:
        con.close()
    return out
