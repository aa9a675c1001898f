"""Login sessions that outlive a browser tab: a signed, expiring token kept by the browser as a cookie and checked
against the state store on every page run. No Streamlit here.

Token: v1.<random id>.<expiry, unix seconds>.<HMAC-SHA256 of both under the store's own key>. A forged or
cut token is refused before any lookup; the store keeps only sha256(id). A session ends when it has been idle
for [auth] idle_minutes, at its expiry ([auth] session_hours after login), or when it is revoked: logout,
account removed or disabled, password changed.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, select, update

from core import store
from core.config import settings

COOKIE = "cdcs_session"
TOUCH_EVERY = timedelta(seconds=30)  # last_seen_at is written at most this often per session
_KEYS: dict[str, bytes] = {}


@dataclass(frozen=True)
class Check:
    """A token's state: status 'ok' (user_name set), 'ended' (reason: expired, logout, removed, disabled,
    password) or 'invalid' (not ours, forged, or unknown); first: this check is the one that found it expired."""

    status: str
    user_name: str | None = None
    reason: str = ""
    first: bool = False


def idle_limit() -> timedelta:
    return timedelta(minutes=float(settings()["auth"]["idle_minutes"]))


def lifetime() -> timedelta:
    """How long a login may last at most, idle or not (also the cookie's max-age)."""
    return timedelta(hours=float(settings()["auth"]["session_hours"]))


def _key(url, warehouse) -> bytes:
    """The store's signing key, made once (the first process to make it wins, the others read it)."""
    cache = url or store.database_url(warehouse)
    if cache not in _KEYS:
        with store.transaction(url, warehouse) as conn:
            store.upsert(conn, store.secret, {"name": "session_key", "value": secrets.token_urlsafe(32),
                                              "created_at": store.now()}, ["name"], None)
            value = conn.execute(select(store.secret.c.value).where(store.secret.c.name == "session_key")).scalar()
        _KEYS[cache] = value.encode()
    return _KEYS[cache]


def _sign(key: bytes, body: str) -> str:
    return base64.urlsafe_b64encode(hmac.new(key, body.encode(), hashlib.sha256).digest()).decode().rstrip("=")


def _hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


def start(user_name: str, *, client_addr: str | None = None, url: str | None = None, warehouse=None,
          now: datetime | None = None) -> str:
    """Open a session for a user who just logged in; the token for the browser's cookie."""
    t = now or store.now()
    session_id, expires = secrets.token_urlsafe(32), t + lifetime()
    body = f"v1.{session_id}.{int(expires.timestamp())}"
    token = f"{body}.{_sign(_key(url, warehouse), body)}"
    s = store.login_session
    with store.transaction(url, warehouse) as conn:
        conn.execute(s.insert().values(token_hash=_hash(session_id), user_name=user_name, created_at=t,
                                       last_seen_at=t, expires_at=expires, revoked=False,
                                       client_addr=(client_addr or "")[:255] or None))
        conn.execute(s.delete().where(s.c.expires_at < t - timedelta(days=30)))  # keep the table small
    return token


def _session_id(token: str, key: bytes, t: datetime) -> tuple[str | None, bool]:
    """(the id of a well-formed token signed with our key, or None; whether its signed expiry has passed)."""
    parts = (token or "").split(".")
    if len(parts) != 4 or parts[0] != "v1" or not parts[2].isdigit() or len(token) > 200:
        return None, False
    if not hmac.compare_digest(_sign(key, ".".join(parts[:3])), parts[3]):
        return None, False
    return parts[1], int(parts[2]) <= t.timestamp()


def check(token: str | None, *, url: str | None = None, warehouse=None, now: datetime | None = None) -> Check:
    """Whether a browser's token is a live session, and whose; an idle or expired one is ended here, once."""
    t, s = now or store.now(), store.login_session
    session_id, past_expiry = _session_id(token, _key(url, warehouse), t) if token else (None, False)
    if session_id is None:
        return Check("invalid")
    with store.reading(url, warehouse) as conn:
        row = conn.execute(select(s).where(s.c.token_hash == _hash(session_id))).first()
    if row is None:
        return Check("invalid")
    if row.revoked:
        return Check("ended", row.user_name, row.revoked_reason or "")
    if past_expiry or t >= row.expires_at or t - row.last_seen_at > idle_limit():
        with store.transaction(url, warehouse) as conn:
            first = conn.execute(update(s).where(and_(s.c.token_hash == row.token_hash, s.c.revoked.is_(False)))
                                 .values(revoked=True, revoked_at=t, revoked_reason="expired")).rowcount == 1
        return Check("ended", row.user_name, "expired", first)
    if t - row.last_seen_at > TOUCH_EVERY:
        with store.transaction(url, warehouse) as conn:
            conn.execute(update(s).where(s.c.token_hash == row.token_hash).values(last_seen_at=t))
    return Check("ok", row.user_name)


def revoke(token: str, reason: str = "logout", *, url: str | None = None, warehouse=None) -> bool:
    """End one session (logout); whether it was live."""
    session_id, _ = _session_id(token, _key(url, warehouse), store.now())
    if session_id is None:
        return False
    s = store.login_session
    with store.transaction(url, warehouse) as conn:
        return conn.execute(update(s).where(and_(s.c.token_hash == _hash(session_id), s.c.revoked.is_(False)))
                            .values(revoked=True, revoked_at=store.now(), revoked_reason=reason)).rowcount == 1


def revoke_user(conn, user_name: str, reason: str) -> int:
    """End every live session of a user inside the caller's transaction (account removed, disabled, new
    password); how many."""
    s = store.login_session
    return conn.execute(update(s).where(and_(s.c.user_name == user_name, s.c.revoked.is_(False)))
                        .values(revoked=True, revoked_at=store.now(), revoked_reason=reason)).rowcount
