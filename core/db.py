"""The one module that imports duckdb: opens snapshots and runs the SQL files under queries/."""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import duckdb
import pandas as pd

from core.config import QUERIES, settings, warehouse_dir
from core.snapshots import Snapshot, current


def extension_path(name: str) -> str | None:
    """The file of a DuckDB extension shipped as a pip package (duckdb_extension_<name>), or None.

    Extensions are loaded from these files: INSTALL would need the internet."""
    import importlib
    try:
        module = importlib.import_module(f"duckdb_extension_{name}")
    except ImportError:
        return None
    path = Path(module.__file__).parent / "extensions" / f"v{duckdb.__version__}" / f"{name}.duckdb_extension"
    return str(path) if path.exists() else None


def load_extension(con, name: str) -> None:
    """Load a pip-packaged extension into a connection; RuntimeError when it is not installed."""
    path = extension_path(name)
    if path is None:
        raise RuntimeError(f"the DuckDB extension {name} is not installed (pip install duckdb-extension-{name})")
    con.execute(f"load '{path}'")


def attach_postgres(con, url: str, alias: str = "pg") -> None:
    """Attach a PostgreSQL database (a SQLAlchemy URL) read-only through the postgres scanner."""
    from sqlalchemy.engine import make_url
    u = make_url(url)
    parts = {"dbname": u.database, "user": u.username, "password": u.password, "host": u.host, "port": u.port}
    dsn = " ".join(f"{k}={v}" for k, v in parts.items() if v)
    load_extension(con, "postgres_scanner")
    con.execute(f"attach '{dsn}' as {alias} (type postgres, read_only)")


def connect(path: Path | str, read_only: bool = True) -> duckdb.DuckDBPyConnection:
    """A connection to a snapshot file with the full-text-search extension loaded from the installed wheel."""
    con = duckdb.connect(str(path), read_only=read_only, config={"autoinstall_known_extensions": False,
                                                                 "autoload_known_extensions": False})
    con.execute("set enable_progress_bar = false")
    return con


@lru_cache(maxsize=64)
def sql_text(name: str) -> str:
    """The text of queries/<name>.sql (name may contain a subfolder, e.g. 'models/stg_value')."""
    return (QUERIES / f"{name}.sql").read_text(encoding="utf-8")


class Warehouse:
    """Read-only access to the current snapshot of a warehouse folder; one connection per snapshot."""

    def __init__(self, folder: Path | str | None = None):
        self.folder = warehouse_dir(folder)
        self._snapshot: Snapshot | None = None
        self._con: duckdb.DuckDBPyConnection | None = None
        self._previous: duckdb.DuckDBPyConnection | None = None

    def snapshot(self) -> Snapshot | None:
        """The current snapshot, re-reading the pointer so a new load is picked up."""
        snap = current(self.folder)
        if snap is not None and (self._snapshot is None or snap.id != self._snapshot.id):
            # Sessions share this object from several threads: a query may still run on the previous
            # connection, so it is closed one switch later rather than now.
            if self._previous is not None:
                self._previous.close()
            con = connect(snap.path, read_only=True)
            # DuckDB keeps what it read in memory up to 80% of the machine by default: a page server bounds it
            con.execute(f"set memory_limit = '{int(settings().get('server', {}).get('duckdb_memory_mb', 256))}MB'")
            self._previous, self._con = self._con, con
            self._snapshot = snap
        return self._snapshot

    def query(self, name: str, **params) -> pd.DataFrame:
        """Run queries/<name>.sql with named parameters ($name) against the current snapshot."""
        return self.sql(sql_text(name), **params)

    def sql(self, text: str, **params) -> pd.DataFrame:
        """Run SQL text; only the parameters it names are passed (shared filter dicts carry more)."""
        if self.snapshot() is None:
            raise FileNotFoundError(f"no snapshot in {self.folder}")
        used = {k: params[k] for k in _param_names(text)}
        cur = self._con.cursor()
        try:
            return cur.execute(text, used or None).df()
        finally:
            cur.close()


@lru_cache(maxsize=256)
def _param_names(text: str) -> frozenset[str]:
    """Named parameters ($name) used by an SQL text, ignoring comments."""
    code = re.sub(r"--[^\n]*", "", text)
    return frozenset(re.findall(r"\$([A-Za-z_][A-Za-z0-9_]*)", code))


def write_connection(path: Path | str) -> duckdb.DuckDBPyConnection:
    """A read-write connection for building a snapshot (used only by the ETL on an unpublished file)."""
    return connect(path, read_only=False)