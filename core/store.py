"""The transactional state store: accounts, login failures, login sessions, the audit log, rejected files, the files
received, approvals and round closings. The one owner of its engines (SQLAlchemy Core, no ORM).

Where it lives: $CDCS_DATABASE_URL when set (e.g. postgresql+psycopg://…), else the SQLite file
<warehouse>/state.sqlite. SQLite runs in WAL mode with a 30 s busy timeout and foreign keys on; every write
transaction starts with BEGIN IMMEDIATE so two writers queue instead of failing, and the file (with its -wal
and -shm) is readable by its owner only. Tables are created on first use; `schema_version` records which
version of them a store holds.
"""
from __future__ import annotations

import os
import threading
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterator

from sqlalchemy import (Boolean, Column, DateTime, Engine, Integer, LargeBinary, MetaData, String, Table, Text,
                        TypeDecorator, create_engine, event, select)
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import DBAPIError

from core.config import warehouse_dir

FILE = "state.sqlite"
SCHEMA_VERSION = 3  # 2: login_session and secret; 3: received_file, round_approval, round_closing
BUSY_TIMEOUT_S = 30


class UtcDateTime(TypeDecorator):
    """A point in time, stored in UTC on every backend and returned as an aware datetime."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None:
            value = (value if value.tzinfo else value.replace(tzinfo=timezone.utc)).astimezone(timezone.utc)
            if dialect.name == "sqlite":  # SQLite keeps no zone: store the UTC wall time
                value = value.replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value


metadata = MetaData()

# grain: one row per login name
account = Table(
    "account", metadata,
    Column("name", String(100), primary_key=True),
    Column("password_hash", String(255), nullable=False),
    Column("role", String(20), nullable=False),
    Column("unit_code", String(40)),
    Column("disabled", Boolean, nullable=False, default=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

# grain: one row per (kind, key): kind 'name' (a login name, existing or not) or 'addr' (a client address).
# failures: attempts counted and not forgiven; last_at: the latest counted attempt; previous_at: the one before,
# copied in the same statement so an attempt learns atomically how long it should have waited.
login_failure = Table(
    "login_failure", metadata,
    Column("kind", String(8), primary_key=True),
    Column("key", String(255), primary_key=True),
    Column("failures", Integer, nullable=False),
    Column("last_at", UtcDateTime, nullable=False),
    Column("previous_at", UtcDateTime),
)

# grain: one row per event; rows are only ever inserted
audit_event = Table(
    "audit_event", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", UtcDateTime, nullable=False, index=True),
    Column("event", String(40), nullable=False, index=True),
    Column("user_name", String(255)),
    Column("unit_code", String(40)),
    Column("round_code", String(40)),
    Column("details_json", Text, nullable=False, default="{}"),
)

# grain: one row per rejected file; summary_json is bounded (see core.rejections.summarise_findings)
rejection = Table(
    "rejection", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", UtcDateTime, nullable=False, index=True),
    Column("file_name", String(255), nullable=False),
    Column("sha256", String(64)),
    Column("unit_code", String(40)),
    Column("round_code", String(40)),
    Column("n_errors", Integer, nullable=False),
    Column("n_warnings", Integer, nullable=False),
    Column("summary_json", Text, nullable=False),
)

# grain: one row per login (one browser's cookie, shared by its tabs); the token itself is never stored
login_session = Table(
    "login_session", metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("user_name", String(100), nullable=False, index=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("last_seen_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("revoked", Boolean, nullable=False, default=False),
    Column("revoked_at", UtcDateTime),
    Column("revoked_reason", String(20)),  # logout, removed, disabled, password, expired
    Column("client_addr", String(255)),
)

# grain: one row per server secret (the key that signs session tokens), made on first use
secret = Table(
    "secret", metadata,
    Column("name", String(40), primary_key=True),
    Column("value", String(255), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
)

# grain: one row per distinct file accepted (its exact bytes), keyed by the sha256 the versions record. Kept here,
# not as files on disk: the store is the one system of record every app server shares (PostgreSQL), its writes
# are transactional with the audit, and the key is a hash we computed — an uploaded name is never a path.
received_file = Table(
    "received_file", metadata,
    Column("sha256", String(64), primary_key=True),
    Column("size_bytes", Integer, nullable=False),
    Column("data", LargeBinary, nullable=False),
    Column("received_at", UtcDateTime, nullable=False),
)

# grain: one row per (round, unit) an administrator approved ("đã duyệt"), with the version approved; un-approving
# sets approved false. The history of both is in audit_event.
round_approval = Table(
    "round_approval", metadata,
    Column("round_code", String(40), primary_key=True),
    Column("unit_code", String(40), primary_key=True),
    Column("submission_id", String(120), nullable=False),
    Column("approved", Boolean, nullable=False),
    Column("at", UtcDateTime, nullable=False),
    Column("by_user", String(255)),
    Column("note", Text),
)

# grain: one row per round ever closed ("chốt số liệu"); closed false after a reopening (with its reason)
round_closing = Table(
    "round_closing", metadata,
    Column("round_code", String(40), primary_key=True),
    Column("closed", Boolean, nullable=False),
    Column("at", UtcDateTime, nullable=False),
    Column("by_user", String(255)),
    Column("reason", Text),
)

# grain: one row per schema version applied to this store
schema_version = Table(
    "schema_version", metadata,
    Column("version", Integer, primary_key=True),
    Column("applied_at", UtcDateTime, nullable=False),
)


def now() -> datetime:
    """The current time, aware, in UTC."""
    return datetime.now(timezone.utc)


def database_url(warehouse: str | os.PathLike | None = None) -> str:
    """$CDCS_DATABASE_URL when set, else sqlite:///<warehouse>/state.sqlite."""
    env = os.environ.get("CDCS_DATABASE_URL")
    if env:
        return env
    return f"sqlite:///{warehouse_dir(warehouse) / FILE}"


def describe(url: str) -> str:
    """The URL as it may be printed: without its password."""
    return make_url(url).render_as_string(hide_password=True)


_ENGINES: dict[str, Engine] = {}
_LOCK = threading.Lock()


def engine(url: str | None = None, warehouse: str | os.PathLike | None = None) -> Engine:
    """The process's one engine for a store (created, with its tables, on first use)."""
    url = url or database_url(warehouse)
    with _LOCK:
        eng = _ENGINES.get(url)
        if eng is None:
            eng = _ENGINES[url] = _create(url)
    return eng


def _create(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            _private_file(Path(parsed.database))
        eng = create_engine(parsed, connect_args={"timeout": BUSY_TIMEOUT_S})
        event.listen(eng, "connect", _sqlite_connect)
        event.listen(eng, "begin", _sqlite_begin)
    else:
        eng = create_engine(parsed, pool_pre_ping=True)
    _create_tables(eng)
    return eng


def _private_file(path: Path) -> None:
    """Create the SQLite file readable by its owner only; SQLite gives its -wal and -shm the same mode."""
    path.parent.mkdir(parents=True, exist_ok=True)
    os.close(os.open(path, os.O_CREAT | os.O_RDWR, 0o600))
    for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}-journal")):
        try:
            if p.stat().st_mode & 0o077:
                p.chmod(0o600)
        except FileNotFoundError:
            pass


def _sqlite_connect(dbapi_connection, _record) -> None:
    # The driver's own transaction handling is switched off: _sqlite_begin says BEGIN itself.
    dbapi_connection.isolation_level = None
    cur = dbapi_connection.cursor()
    cur.execute(f"pragma busy_timeout = {BUSY_TIMEOUT_S * 1000}")
    cur.execute("pragma journal_mode = wal")
    cur.execute("pragma synchronous = full")  # a committed audit row survives a power cut
    cur.execute("pragma foreign_keys = on")
    cur.close()


def _sqlite_begin(conn: Connection) -> None:
    # IMMEDIATE takes the write lock at the start, so the busy timeout applies; a deferred transaction that
    # reads and then writes can fail at once with "database is locked" when another writer got in between.
    conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get("write", True) else "BEGIN")


def _create_tables(eng: Engine) -> None:
    for attempt in range(3):
        try:
            with eng.begin() as conn:
                metadata.create_all(conn, checkfirst=True)
                if conn.execute(select(schema_version.c.version)
                                .where(schema_version.c.version == SCHEMA_VERSION)).first() is None:
                    conn.execute(schema_version.insert().values(version=SCHEMA_VERSION, applied_at=now()))
            return
        except DBAPIError:  # another process created them at the same moment (PostgreSQL): look again
            if attempt == 2:
                raise


@contextmanager
def transaction(url: str | None = None, warehouse: str | os.PathLike | None = None) -> Iterator[Connection]:
    """A connection inside one write transaction, committed when the block ends, rolled back on an exception."""
    with engine(url, warehouse).connect() as conn:
        with conn.begin():
            yield conn


@contextmanager
def reading(url: str | None = None, warehouse: str | os.PathLike | None = None) -> Iterator[Connection]:
    """A connection for reads only (never blocks or waits for writers)."""
    with engine(url, warehouse).connect() as conn:
        conn.execution_options(write=False)
        with conn.begin():
            yield conn


def upsert(conn: Connection, table: Table, values: dict, keys: list[str],
           update: Callable[[object], dict] | None, returning: list | None = None):
    """INSERT … ON CONFLICT (keys) DO UPDATE SET update(excluded) (DO NOTHING when update is None), in one
    statement; the result (of RETURNING when asked)."""
    return conn.execute(upsert_statement(conn.dialect.name, table, values, keys, update, returning))


def upsert_statement(dialect: str, table: Table, values: dict, keys: list[str],
                     update: Callable[[object], dict] | None, returning: list | None = None):
    """The upsert of `upsert` for a dialect name: SQLite and PostgreSQL."""
    if dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    elif dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        raise NotImplementedError(f"the state store supports SQLite and PostgreSQL, not {dialect}")
    stmt = insert(table).values(**values)
    if update is None:
        stmt = stmt.on_conflict_do_nothing(index_elements=keys)
    else:
        stmt = stmt.on_conflict_do_update(index_elements=keys, set_=update(stmt.excluded))
    return stmt.returning(*returning) if returning else stmt


def version(url: str | None = None, warehouse: str | os.PathLike | None = None) -> int:
    """The highest schema version this store holds."""
    with reading(url, warehouse) as conn:
        return conn.execute(select(schema_version.c.version).order_by(schema_version.c.version.desc())).scalar()
