"""Publishing in the PostgreSQL mode: one publisher at a time builds the next DuckDB snapshot from the records
(etl/records.py) with the same models, grain checks and search index, writes it to the snapshot store as an
immutable file, and lists it in snapshot_log — the act that makes it current for every replica.

Group commit: a build takes every event committed since the last snapshot; whatever is committed while it
runs is taken by the next one, in the same publisher's loop. A publisher killed mid-build leaves a temporary
file and no listing: the snapshot list never names a partial snapshot.
"""
from __future__ import annotations

import os
import time
from datetime import datetime
from pathlib import Path

from sqlalchemy import text

from core import snapshots, snapstore
from core.config import settings, warehouse_dir
from core.db import attach_postgres
from core.refdata import Reference, reference
from etl import records
from etl.warehouse import build_file


def inline() -> bool:
    """Whether a load publishes what it committed itself ($CDCS_PUBLISH unset or 'inline'), or leaves it to a
    running publisher (`python -m etl publish --follow`, with $CDCS_PUBLISH=daemon on the loaders)."""
    return os.environ.get("CDCS_PUBLISH", "inline") != "daemon"


def store_for(warehouse: Path) -> str:
    """Where snapshots go: $CDCS_SNAPSHOT_STORE, else the warehouse folder's snapshots/."""
    return snapstore.location() or str(Path(warehouse) / "snapshots")


def pending() -> int:
    """Events committed after the current snapshot's high-water mark."""
    with records.engine().connect() as conn:
        latest = records.latest_snapshot(conn)
        hw = latest["high_water_seq"] if latest else 0
        return conn.execute(text("select count(*) from raw_submission_event where seq > :hw"), {"hw": hw}).scalar()


def _in(ids: list[str]) -> str:
    """A PostgreSQL array literal of ids for postgres_query (ids are our own submission ids: no quotes in them)."""
    return "array[" + ",".join("'" + i.replace("'", "''") + "'" for i in ids) + "]::varchar[]"


def _pull(con, url: str, hw: int) -> tuple[list[str], int]:
    """Copy the events after `hw` and the rows of the submissions they accept from PostgreSQL into the snapshot
    being built; returns (the units touched, the new high-water mark)."""
    attach_postgres(con, url)
    events = con.execute("select * from postgres_query('pg', 'select * from raw_submission_event where seq > "
                         f"{int(hw)} order by seq')").df()
    if events.empty:
        return [], hw
    new_subs = sorted(set(events.loc[events["event"] == "accepted", "submission_id"]))
    touched_subs = sorted(set(events["submission_id"]))
    con.register("_events", events)
    con.execute("insert into raw_submission_event select seq, submission_id, event, event_at, by_user, reason "
                "from _events")
    con.unregister("_events")
    if new_subs:
        ids = _in(new_subs)
        for table in ("raw_submission", "raw_value", "raw_rating", "raw_text", "raw_change", "raw_finding"):
            cols = [c[0] for c in con.execute(f"describe {table}").fetchall()]
            con.execute(f"insert into {table} ({', '.join(cols)}) select {', '.join(cols)} from postgres_query('pg', "
                        f"'select {', '.join(cols)} from {table} where submission_id = any({ids.replace(chr(39), chr(39) * 2)})')")
    units = [r[0] for r in con.execute(
        f"select distinct unit_code from postgres_query('pg', 'select unit_code from raw_submission where "
        f"submission_id = any({_in(touched_subs).replace(chr(39), chr(39) * 2)})')").fetchall()]
    con.execute("detach pg")
    return units, int(events["seq"].max())


def build_next(warehouse: Path, ref: Reference) -> snapshots.Snapshot | None:
    """Build and list the next snapshot if events are pending; None when there is nothing to publish.
    The caller holds the publisher lock."""
    url = records.url()
    warehouse = Path(warehouse)
    work = warehouse / "cache"
    work.mkdir(parents=True, exist_ok=True, mode=0o700)
    for stale in [*work.glob(".tmp-*"), *work.glob(".spare-*.part-*")]:  # left by a killed publisher: never resumed
        stale.unlink(missing_ok=True)
    with records.engine().connect() as conn:
        latest = records.latest_snapshot(conn)
        hw = latest["high_water_seq"] if latest else 0
        if not conn.execute(text("select exists (select 1 from raw_submission_event where seq > :hw)"), {"hw": hw}).scalar():
            return None
    seq = (latest["seq"] if latest else 0) + 1
    snap_id = snapshots.new_id(seq)
    tmp = work / f".tmp-{snap_id}.duckdb"
    if latest is not None:
        snapshots.copy_for_build(snapstore.fetch(latest["location"], work), latest["snapshot_id"], work, tmp)
    got: dict = {"hw": hw}

    def change(con):
        units, got["hw"] = _pull(con, url, hw)
        return units if latest is not None else None  # the first snapshot is built whole

    simulated = build_file(tmp, ref, change, snap_id, extra=lambda: {"high_water_seq": got["hw"]})
    location = snapstore.put(tmp, snap_id, store_for(warehouse))
    size = tmp.stat().st_size
    tmp.unlink(missing_ok=True)
    with records.transaction() as conn:
        conn.execute(records.snapshot_log.insert().values(
            seq=seq, snapshot_id=snap_id, location=location, high_water_seq=got["hw"], created_at=datetime.now(),
            simulated=simulated, models_hash=_hash(ref), size_bytes=size))
    snapshots._listed.clear()
    return snapshots.current(warehouse)


def _hash(ref: Reference) -> str:
    from etl.warehouse import models_hash
    return models_hash(ref)


def publish_pending(warehouse: Path | None = None, ref: Reference | None = None, *, block: bool = True,
                    timeout_s: float = 600) -> snapshots.Snapshot | None:
    """Publish everything pending, unless another publisher holds the lock and `block` is False.

    With block, the call waits for a running publisher and then publishes what that one left (a load's rows are
    never left unpublished); returns the current snapshot afterwards."""
    warehouse = warehouse_dir(warehouse)
    ref = ref or reference()
    eng = records.engine()
    with eng.connect() as lock:
        deadline = time.monotonic() + timeout_s
        while True:
            got = lock.execute(text("select pg_try_advisory_lock(:k)"), {"k": records.PUBLISHER_LOCK}).scalar()
            lock.commit()
            if got or not block:
                break
            if time.monotonic() > deadline:
                raise TimeoutError("another publisher has held the lock too long")
            time.sleep(0.2)
        if not got:
            return None
        try:
            built = None
            while (snap := build_next(warehouse, ref)) is not None:
                built = snap
            if built is not None and settings()["warehouse"].get("standby_copy", True):
                # for the next build, before the lock is let go: the next publisher takes this copy
                snapshots.stage_spare(built.path, built.id, Path(warehouse) / "cache")
        finally:
            lock.execute(text("select pg_advisory_unlock(:k)"), {"k": records.PUBLISHER_LOCK})
            lock.commit()
    snapshots._listed.clear()
    return snapshots.current(warehouse)


def follow(warehouse: Path | None = None, interval_s: float = 1.0, stop=None) -> None:
    """Keep publishing: check for pending events every `interval_s` seconds (the publisher daemon)."""
    while stop is None or not stop():
        publish_pending(warehouse, block=False)
        time.sleep(interval_s)
