"""The audit log: who did what and when — uploads, acceptances, rejections, rollbacks, logins, account changes,
command-line loads, approvals, round closings and reopenings, reminders. Rows in the state store's audit_event table, only ever inserted."""
from __future__ import annotations

import getpass
import json
import os

import pandas as pd
from sqlalchemy import select
from sqlalchemy.engine import Connection

from core import store

COLUMNS = ["id", "at", "event", "user_name", "unit_code", "round_code", "details"]
# every event the code may record; each has its Vietnamese name in core.labels.AUDIT_EVENTS (a test checks)
EVENTS = ("upload", "accepted", "unchanged", "rejected", "rollback", "load_cli", "rollback_cli", "value_deleted",
          "rebuild_cli", "migrated",
          "login", "login_failed", "logout", "session_expired", "logged_out_by_change",
          "user_added", "user_changed", "user_removed", "user_disabled", "user_enabled", "accounts_imported",
          "unit_approved", "unit_unapproved", "round_closed", "round_reopened", "reminder_sent")
# detail keys that fill the unit and round columns, so the log can be filtered by them
UNIT_KEYS, ROUND_KEYS = ("unit_code", "unit"), ("round_code", "round")
MAX_DETAIL_CHARS = 20_000


def cli_actor() -> str:
    """Who runs a command: the operating-system account."""
    try:
        return getpass.getuser()
    except Exception:  # no name for this uid (a bare container)
        return f"uid:{os.getuid()}"


def _name(user) -> str | None:
    return getattr(user, "name", user)


def append(conn: Connection, event: str, user, **details) -> None:
    """Insert one event inside the caller's transaction (so a change and its audit row commit together)."""
    if event not in EVENTS:
        raise ValueError(f"unknown audit event {event!r}: add it to core.audit.EVENTS and core.labels.AUDIT_EVENTS")
    unit = next((details.pop(k) for k in UNIT_KEYS if k in details), None)
    rnd = next((details.pop(k) for k in ROUND_KEYS if k in details), None)
    text = json.dumps(details, ensure_ascii=False, default=str, sort_keys=True)
    if len(text) > MAX_DETAIL_CHARS:  # a hostile file name or note must not bloat the log
        text = json.dumps({"truncated": text[:MAX_DETAIL_CHARS]}, ensure_ascii=False)
    conn.execute(store.audit_event.insert().values(
        at=store.now(), event=event, user_name=_name(user), unit_code=None if unit is None else str(unit),
        round_code=None if rnd is None else str(rnd), details_json=text))


def record(event: str, user, *, warehouse=None, url: str | None = None, **details) -> None:
    """Append one event (committed before returning). user: a name or a core.auth.User; details: any JSON-able
    values; `unit`/`unit_code` and `round`/`round_code` fill their own columns."""
    with store.transaction(url, warehouse) as conn:
        append(conn, event, user, **details)


def record_cli(event: str, *, warehouse=None, url: str | None = None, **details) -> None:
    """Append one event done from the command line, with the operating-system account as the actor."""
    record(event, cli_actor(), warehouse=warehouse, url=url, via="cli", **details)


def read(warehouse=None, url: str | None = None, limit: int | None = 1000, event: str | None = None,
         user: str | None = None) -> pd.DataFrame:
    """The log, newest first: one row per event with COLUMNS (details parsed back into a dict)."""
    t = store.audit_event
    q = select(t.c.id, t.c.at, t.c.event, t.c.user_name, t.c.unit_code, t.c.round_code, t.c.details_json)
    if event:
        q = q.where(t.c.event == event)
    if user:
        q = q.where(t.c.user_name == user)
    q = q.order_by(t.c.id.desc())
    if limit:
        q = q.limit(limit)
    with store.reading(url, warehouse) as conn:
        rows = conn.execute(q).all()
    df = pd.DataFrame(rows, columns=[*COLUMNS[:-1], "details_json"])
    df["details"] = [json.loads(d) for d in df.pop("details_json")]
    return df[COLUMNS]
