"""Where published snapshots are kept when several hosts share them ($CDCS_SNAPSHOT_STORE): a shared folder, or an
S3-compatible object store (s3://bucket/prefix, with the usual AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID and
AWS_SECRET_ACCESS_KEY variables). A snapshot is written once under its id and never changed; a replica reads a
shared-folder snapshot where it is and copies an S3 one into its local cache first.
"""
from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from urllib.parse import urlparse


def location() -> str | None:
    """$CDCS_SNAPSHOT_STORE, or None (the warehouse folder's own snapshots/)."""
    return os.environ.get("CDCS_SNAPSHOT_STORE") or None


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _s3():
    import boto3
    return boto3.client("s3", endpoint_url=os.environ.get("AWS_ENDPOINT_URL") or None,
                        region_name=os.environ.get("AWS_DEFAULT_REGION") or "us-east-1")


def put(local: Path, snap_id: str, store: str) -> str:
    """Store a finished snapshot file under its id; returns where it now is (path or s3:// URL)."""
    if store.startswith("s3://"):
        u = urlparse(store)
        key = f"{u.path.strip('/')}/{snap_id}.duckdb".lstrip("/")
        _s3().upload_file(str(local), u.netloc, key)
        return f"s3://{u.netloc}/{key}"
    folder = Path(store)
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    final = folder / f"{snap_id}.duckdb"
    tmp = folder / f".tmp-put-{snap_id}.duckdb"
    shutil.copyfile(local, tmp)
    _fsync(tmp)
    os.chmod(tmp, 0o600)
    os.replace(tmp, final)
    _fsync(folder)
    return str(final)


def fetch(where: str, cache: Path) -> Path:
    """A local path to read a stored snapshot from: itself in a shared folder, a cached copy of an S3 object."""
    if not where.startswith("s3://"):
        return Path(where)
    u = urlparse(where)
    cache = Path(cache)
    cache.mkdir(parents=True, exist_ok=True, mode=0o700)
    local = cache / Path(u.path).name
    if not local.exists():
        fd, tmp = tempfile.mkstemp(dir=cache, prefix=".fetch-")
        os.close(fd)
        try:
            _s3().download_file(u.netloc, u.path.lstrip("/"), tmp)
            os.chmod(tmp, 0o600)
            os.replace(tmp, local)
        finally:
            Path(tmp).unlink(missing_ok=True)
    return local


def prune_cache(cache: Path, keep: set[str]) -> None:
    """Remove cached copies not in `keep` (file names). A session still reading one keeps its open file:
    removing a name never disturbs an open file on POSIX."""
    cache = Path(cache)
    if not cache.exists():
        return
    for path in cache.glob("*.duckdb"):
        if path.name not in keep and not path.name.startswith("."):  # builds and standby copies are the builder's
            path.unlink(missing_ok=True)
