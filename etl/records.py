"""The system of record in PostgreSQL, when $CDCS_DATABASE_URL names one: every version, event, value, rating,
answer, change and finding the loader accepts, and the list of published snapshots.

Unset (the embedded default), these rows live in the warehouse's own DuckDB snapshots and nothing here runs.
Set, a load is checked outside any lock, then committed in one short PostgreSQL transaction that holds an
advisory lock per unit (a unit's figures span its rounds, so its versions are numbered and its rules checked
one file at a time), and a publisher (etl/publish.py) builds the next DuckDB snapshot from these tables with the
same models. The tables mirror queries/models/00_raw.sql column for column.
"""
from __future__ import annotations

import io
import os
from contextlib import contextmanager

import pandas as pd
from sqlalchemy import (BigInteger, Boolean, Column, DateTime, Float, Integer, MetaData, Sequence, String, Table,
                        Text, text)

from core import store

metadata = MetaData()
event_seq = Sequence("raw_event_seq", metadata=metadata)

raw_submission = Table(
    "raw_submission", metadata,
    Column("submission_id", String(200), primary_key=True),
    Column("unit_code", String(40), nullable=False, index=True),
    Column("round_code", String(40), nullable=False),
    Column("version", Integer, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("file_name", Text, nullable=False),
    Column("received_at", DateTime, nullable=False),
    Column("loaded_by", Text),
    Column("n_values", Integer), Column("n_ratings", Integer), Column("n_texts", Integer),
    Column("n_warnings", Integer), Column("simulated", Boolean), Column("note", Text),
    Column("n_new", Integer), Column("n_changed", Integer), Column("n_removed", Integer), Column("n_unchanged", Integer),
)
raw_submission_event = Table(
    "raw_submission_event", metadata,
    Column("seq", BigInteger, event_seq, primary_key=True),
    Column("submission_id", String(200), nullable=False, index=True),
    Column("event", String(20), nullable=False),
    Column("event_at", DateTime, nullable=False),
    Column("by_user", Text),
    Column("reason", Text),
)
raw_value = Table(
    "raw_value", metadata,
    Column("submission_id", String(200), nullable=False, index=True),
    Column("unit_code", String(40), nullable=False, index=True),
    Column("year", Integer, nullable=False), Column("sector", String(20), nullable=False),
    Column("indicator_code", String(60), nullable=False), Column("value", Float(53)),
    Column("sheet", Text), Column("cell", String(20)), Column("is_deleted", Boolean, default=False),
)
raw_rating = Table(
    "raw_rating", metadata,
    Column("submission_id", String(200), nullable=False, index=True),
    Column("unit_code", String(40), nullable=False, index=True),
    Column("year", Integer, nullable=False), Column("scheme", String(20), nullable=False),
    Column("level_code", String(40), nullable=False), Column("cdcs_count", Float(53)),
    Column("sheet", Text), Column("cell", String(20)), Column("is_deleted", Boolean, default=False),
)
raw_text = Table(
    "raw_text", metadata,
    Column("submission_id", String(200), nullable=False, index=True),
    Column("unit_code", String(40), nullable=False, index=True),
    Column("round_code", String(40), nullable=False), Column("question_code", String(40), nullable=False),
    Column("text", Text), Column("sheet", Text), Column("cell", String(20)), Column("is_deleted", Boolean, default=False),
)
raw_change = Table(
    "raw_change", metadata,
    Column("submission_id", String(200), nullable=False, index=True),
    Column("kind", String(10), nullable=False), Column("unit_code", String(40), nullable=False),
    Column("year", Integer), Column("sector", String(20)), Column("code", String(60), nullable=False),
    Column("round_code", String(40)), Column("old_value", Float(53)), Column("new_value", Float(53)),
    Column("old_text", Text), Column("new_text", Text), Column("status", String(20), nullable=False),
    Column("is_large", Boolean), Column("sheet", Text), Column("cell", String(20)),
)
raw_finding = Table(
    "raw_finding", metadata,
    Column("submission_id", String(200), index=True), Column("file_name", Text), Column("sha256", String(64)),
    Column("unit_code", String(40)), Column("round_code", String(40)), Column("status", String(20)),
    Column("severity", String(10)), Column("rule", String(60)), Column("sheet", Text), Column("cell", String(20)),
    Column("value", Text), Column("expected", Text), Column("message", Text), Column("fix", Text),
    Column("found_at", DateTime),
)
# grain: one row per published snapshot; the newest row is the current snapshot for every replica
snapshot_log = Table(
    "snapshot_log", metadata,
    Column("seq", Integer, primary_key=True),
    Column("snapshot_id", String(60), nullable=False, unique=True),
    Column("location", Text, nullable=False),  # a path in a shared folder, or s3://bucket/key
    Column("high_water_seq", BigInteger, nullable=False),  # every event up to this seq is in the snapshot
    Column("created_at", DateTime, nullable=False),
    Column("simulated", Boolean, nullable=False),
    Column("models_hash", String(40), nullable=False),
    Column("size_bytes", BigInteger),
)

RAW_TABLES = [raw_submission, raw_submission_event, raw_value, raw_rating, raw_text, raw_change, raw_finding]
PUBLISHER_LOCK = 6_006_001  # pg_advisory_lock key held by the one publisher building a snapshot


def url() -> str | None:
    """The PostgreSQL URL of the system of record, or None in the embedded mode."""
    value = os.environ.get("CDCS_DATABASE_URL") or ""
    return value if value.startswith("postgresql") else None


def enabled() -> bool:
    return url() is not None


@contextmanager
def using(database_url: str | None):
    """This process runs against `database_url` (None: the embedded warehouse) inside the block, as if
    $CDCS_DATABASE_URL were set so; the previous setting and a fresh snapshot listing come back after it."""
    from core import snapshots
    previous = os.environ.get("CDCS_DATABASE_URL")
    if database_url:
        os.environ["CDCS_DATABASE_URL"] = database_url
    else:
        os.environ.pop("CDCS_DATABASE_URL", None)
    snapshots._listed.clear()
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop("CDCS_DATABASE_URL", None)
        else:
            os.environ["CDCS_DATABASE_URL"] = previous
        snapshots._listed.clear()


_created: set[str] = set()


def engine(database_url: str | None = None):
    """The store's engine (of $CDCS_DATABASE_URL, or the URL given), with the record tables created on first use."""
    eng = store.engine(database_url or url())
    if eng.url.render_as_string(hide_password=False) not in _created:
        for attempt in range(3):
            try:
                with eng.begin() as conn:
                    metadata.create_all(conn, checkfirst=True)
                break
            except Exception:  # another process created them at the same moment
                if attempt == 2:
                    raise
        _created.add(eng.url.render_as_string(hide_password=False))
    return eng


@contextmanager
def transaction():
    with engine().connect() as conn:
        with conn.begin():
            yield conn


def lock_units(conn, units: list[str]) -> None:
    """Transaction-scoped advisory locks on units, always taken in the same order (no deadlock)."""
    for unit in sorted(set(units)):
        conn.execute(text("select pg_advisory_xact_lock(hashtext(:u))"), {"u": unit})


def unit_rows(conn, units: list[str]) -> dict[str, pd.DataFrame]:
    """The raw rows of some units (their submissions, events, values, ratings, answers), as frames."""
    params = {"u": sorted(set(units))}
    out = {}
    for table in (raw_submission, raw_value, raw_rating, raw_text):
        out[table.name] = pd.read_sql(text(f"select * from {table.name} where unit_code = any(:u)"), conn, params=params)
    out["raw_submission_event"] = pd.read_sql(
        text("select e.* from raw_submission_event e join raw_submission s using (submission_id) "
             "where s.unit_code = any(:u)"), conn, params=params)
    return out


def copy_rows(conn, table: Table, df: pd.DataFrame) -> None:
    """Insert a frame with PostgreSQL's COPY (fast for thousands of rows), inside the caller's transaction."""
    if df.empty:
        return
    cols = list(df.columns)
    df = df.copy()
    for col in cols:  # integers with gaps would be written as 2021.0
        if isinstance(table.c[col].type, (Integer, BigInteger)):
            df[col] = pd.to_numeric(df[col]).astype("Int64")
    raw = conn.connection.driver_connection
    buf = io.StringIO()
    df.to_csv(buf, index=False, header=False, na_rep="\\N")
    with raw.cursor() as cur:
        with cur.copy(f"copy {table.name} ({', '.join(cols)}) from stdin with (format csv, null '\\N')") as cp:
            cp.write(buf.getvalue())


def next_seqs(conn, n: int) -> list[int]:
    """n new event numbers from the sequence (global acceptance order)."""
    if n == 0:
        return []
    return [r[0] for r in conn.execute(text("select nextval('raw_event_seq') from generate_series(1, :n)"), {"n": n})]


def latest_snapshot(conn=None):
    """The newest row of snapshot_log (the current snapshot), or None."""
    stmt = snapshot_log.select().order_by(snapshot_log.c.seq.desc()).limit(1)
    if conn is not None:
        return conn.execute(stmt).mappings().first()
    with engine().connect() as c:
        return c.execute(stmt).mappings().first()
