"""Published warehouse snapshots and the atomic pointer to the current one.

Layout of a warehouse folder:
    CURRENT                 JSON {"id", "file", "created_at", ...}; replaced by rename, never edited
    snapshots/<id>.duckdb   immutable once published; readers open them read-only
    snapshots/.tmp-*        a build in progress (or killed): never pointed at, swept by the next load
    snapshots/.spare-<id>.duckdb
                            a standby byte copy of published snapshot <id>: the next build starts from it
                            instead of copying the current file while an officer waits (stage_spare)
    reports/                machine-readable load reports
    rejections.jsonl        append-only log of rejected files (they load nothing else)
    .lock                   held by the one writer (flock)
"""
from __future__ import annotations

import fcntl
import json
import os
import shutil
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

POINTER = "CURRENT"


@dataclass(frozen=True)
class Snapshot:
    id: str
    path: Path
    created_at: str
    seq: int
    simulated: bool

    @property
    def created_label(self) -> str:
        """Creation time as dd/mm/yyyy HH:MM."""
        return datetime.fromisoformat(self.created_at).strftime("%d/%m/%Y %H:%M")


def current(warehouse: Path) -> Snapshot | None:
    """The published snapshot: the one the pointer names (embedded), or the newest of the snapshot list in
    PostgreSQL ($CDCS_DATABASE_URL); None before the first load."""
    if _records_url():
        return _current_listed(Path(warehouse))
    return current_pointer(warehouse)


_pointers: dict[str, tuple[tuple, Snapshot]] = {}  # pointer path -> (its stat identity, the snapshot it names)


def current_pointer(warehouse: Path) -> Snapshot | None:
    """The snapshot a warehouse folder's CURRENT pointer names (the embedded mode), whatever the environment.

    A page run asks this some thirty times: the pointer is read again only when its file is another one (it is
    replaced by rename, so a new pointer is a new inode) or was touched; a stat call decides, so a new load is
    still seen on the next ask."""
    pointer = os.path.join(warehouse, POINTER)
    try:
        st = os.stat(pointer)
    except FileNotFoundError:
        return None
    ident = (st.st_ino, st.st_dev, st.st_mtime_ns, st.st_ctime_ns, st.st_size)
    seen = _pointers.get(pointer)
    if seen is not None and seen[0] == ident:
        return seen[1]
    try:
        meta = json.loads(Path(pointer).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    snap = Snapshot(id=meta["id"], path=Path(warehouse) / meta["file"], created_at=meta["created_at"],
                    seq=int(meta["seq"]), simulated=bool(meta.get("simulated")))
    if len(_pointers) > 64:
        _pointers.clear()
    _pointers[pointer] = (ident, snap)
    return snap


def _records_url() -> str | None:
    url = os.environ.get("CDCS_DATABASE_URL") or ""
    return url if url.startswith("postgresql") else None


_listed: dict[str, tuple[float, Snapshot | None]] = {}
LIST_TTL_S = 1.0  # how long a replica trusts the snapshot it last saw before asking the database again


def _current_listed(warehouse: Path) -> Snapshot | None:
    """The newest snapshot of snapshot_log, fetched into the local cache when it lives in an object store."""
    import time

    from sqlalchemy import text

    from core import snapstore, store
    url = _records_url()
    cached = _listed.get(url)
    if cached and time.monotonic() - cached[0] < LIST_TTL_S:
        return cached[1]
    try:
        with store.engine(url).connect() as conn:
            row = conn.execute(text("select snapshot_id, location, created_at, seq, simulated from snapshot_log "
                                    "order by seq desc limit 1")).first()
    except Exception:  # no snapshot_log yet: nothing published
        row = None
    snap = None
    if row is not None:
        cache = warehouse / "cache"
        path = snapstore.fetch(row.location, cache)
        if row.location.startswith("s3://"):
            snapstore.prune_cache(cache, {path.name, *(p.name for _, p in _recent.values())})
            _recent[row.snapshot_id] = (time.monotonic(), path)
            while len(_recent) > 3:
                _recent.pop(next(iter(_recent)))
        snap = Snapshot(id=row.snapshot_id, path=path, created_at=row.created_at.isoformat(timespec="seconds"),
                        seq=int(row.seq), simulated=bool(row.simulated))
    _listed[url] = (time.monotonic(), snap)
    return snap


_recent: dict[str, tuple[float, Path]] = {}


def new_id(seq: int) -> str:
    return f"{datetime.now():%Y%m%d-%H%M%S}-{seq:04d}"


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def publish(warehouse: Path, built: Path, snap_id: str, seq: int, simulated: bool, keep: int) -> Snapshot:
    """Make a finished build the current snapshot: fsync, rename into place, switch the pointer atomically."""
    warehouse = Path(warehouse)
    final = warehouse / "snapshots" / f"{snap_id}.duckdb"
    with open(built, "rb") as f:
        os.fsync(f.fileno())
    os.chmod(built, 0o600)  # the warehouse is for the account that runs it
    os.replace(built, final)
    _fsync_dir(final.parent)
    meta = {"id": snap_id, "file": f"snapshots/{final.name}", "seq": seq, "simulated": simulated,
            "created_at": datetime.now().isoformat(timespec="seconds")}
    tmp = warehouse / f".{POINTER}.tmp"
    with open(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w", encoding="utf-8") as f:
        json.dump(meta, f)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, warehouse / POINTER)
    _fsync_dir(warehouse)
    prune(warehouse, keep)
    return current(warehouse)


def prune(warehouse: Path, keep: int) -> None:
    """Delete all but the newest `keep` old snapshots (open readers keep their file until they close it)."""
    cur = current(warehouse)
    snaps = sorted(p for p in (warehouse / "snapshots").glob("*.duckdb") if not p.name.startswith("."))
    old = [p for p in snaps if cur is None or p != cur.path]
    for path in old[: max(0, len(old) - keep)]:
        path.unlink(missing_ok=True)


def sweep_temporary(warehouse: Path) -> None:
    """Remove builds left by a killed load, and standby copies that are partial or of a snapshot no longer
    current (called with the writer lock held, which a standby copy is made under too)."""
    folder = Path(warehouse) / "snapshots"
    for path in folder.glob(".tmp-*"):
        path.unlink(missing_ok=True)
    cur = current_pointer(warehouse)
    for path in folder.glob(f"{SPARE}*"):
        if cur is None or path != spare_path(folder, cur.id):
            path.unlink(missing_ok=True)


SPARE = ".spare-"


def spare_path(folder: Path, snap_id: str) -> Path:
    """Where the standby copy of snapshot `snap_id` lives in a folder of builds."""
    return Path(folder) / f"{SPARE}{snap_id}.duckdb"


def stage_spare(source: Path, snap_id: str, folder: Path) -> Path | None:
    """Copy the published snapshot `snap_id` (file `source`, immutable) to a standby file in `folder`, so the
    next build claims a ready copy instead of copying on the clock of an upload. Written under a private name
    and renamed, so a standby file is always whole; standby copies of other snapshots are removed. Best effort:
    None when the copy could not be made (disk full…), and the next build copies as before."""
    folder = Path(folder)
    target = spare_path(folder, snap_id)
    if target.exists():
        return target
    part = folder / f"{SPARE}{snap_id}.part-{os.getpid()}-{threading.get_ident()}"
    try:
        shutil.copyfile(source, part)
        os.chmod(part, 0o600)
        with open(part, "rb") as f:  # written out now, not by the disk while the next build reads
            os.fsync(f.fileno())
        os.replace(part, target)
    except OSError:
        part.unlink(missing_ok=True)
        return None
    for other in folder.glob(f"{SPARE}*.duckdb"):
        if other != target:
            other.unlink(missing_ok=True)
    return target


def claim_spare(source: Path, snap_id: str, folder: Path, into: Path) -> bool:
    """Take the standby copy of snapshot `snap_id` as the file `into` of a new build (one rename); False when
    there is none or it is not the size of its source, and the caller copies the source itself."""
    spare = spare_path(folder, snap_id)
    try:
        if spare.stat().st_size != Path(source).stat().st_size:
            spare.unlink(missing_ok=True)
            return False
        os.replace(spare, into)
    except FileNotFoundError:
        return False
    return True


def copy_for_build(source: Path, snap_id: str, folder: Path, into: Path) -> None:
    """Start a build from snapshot `snap_id`: its standby copy when one is ready, else a copy made now."""
    if not claim_spare(source, snap_id, folder, into):
        shutil.copyfile(source, into)


@contextmanager
def writer_lock(warehouse: Path):
    """Hold the single-writer lock of a warehouse; a second loader waits for the first."""
    warehouse = Path(warehouse)
    (warehouse / "snapshots").mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(warehouse, 0o700)
    with open(warehouse / ".lock", "w") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)
