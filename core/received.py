"""The exact files received for every accepted version, in the state store keyed by their sha256 (the hash the
version records), so an officer can download what was submitted. No Streamlit here."""
from __future__ import annotations

import hashlib

from sqlalchemy import select

from core import store


def keep(data: bytes, *, url: str | None = None, warehouse=None) -> str:
    """Store a file's bytes once (a second copy of the same bytes costs nothing); its sha256."""
    return keep_many([data], url=url, warehouse=warehouse)[0]


def keep_many(files: list[bytes], *, url: str | None = None, warehouse=None) -> list[str]:
    """keep() for many files in one transaction; their sha256s."""
    shas = []
    with store.transaction(url, warehouse) as conn:
        for data in files:
            shas.append(hashlib.sha256(data).hexdigest())
            store.upsert(conn, store.received_file, {"sha256": shas[-1], "size_bytes": len(data), "data": data,
                                                      "received_at": store.now()}, ["sha256"], None)
    return shas


def get(sha256: str, *, url: str | None = None, warehouse=None) -> bytes | None:
    """The bytes received with this sha256, checked against it; None when they were never kept."""
    t = store.received_file
    with store.reading(url, warehouse) as conn:
        data = conn.execute(select(t.c.data).where(t.c.sha256 == sha256)).scalar()
    if data is None or hashlib.sha256(data).hexdigest() != sha256:
        return None
    return bytes(data)


def kept(sha256s: list[str], *, url: str | None = None, warehouse=None) -> set[str]:
    """Which of these hashes have their file kept."""
    t = store.received_file
    if not sha256s:
        return set()
    with store.reading(url, warehouse) as conn:
        return set(conn.execute(select(t.c.sha256).where(t.c.sha256.in_(list(sha256s)))).scalars())
