"""Local accounts and roles (viewer, unit officer for their own unit, administrator) kept in the state store,
and the throttle on failed logins. No Streamlit here.

Passwords are normalised to Unicode NFC (a Vietnamese password typed on another keyboard gives the same
characters) and hashed with argon2. Every login attempt is counted for its name and for its client address
in one statement before the password is looked at, so concurrent attempts are never lost and cannot slip
through together: an attempt that arrives before the wait has elapsed is refused unchecked, and counted.
A right password resets its name's counter and takes back its own count from the address.
"""
from __future__ import annotations

import json
import logging
import os
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import and_, case, delete, func, select, update

from core import audit, sessions, store
from core.config import DATA, settings

ROLES = ("viewer", "officer", "admin")
ROLE_LABELS = {"viewer": "Người xem", "officer": "Cán bộ nhập liệu của đơn vị", "admin": "Quản trị viên"}
MIN_PASSWORD = 8
MAX_NAME = 100
MAX_WAIT_S = 60
_HASHER = PasswordHasher()  # argon2's defaults; tests swap in a cheap one (tests/auth_cheap.py)
_DUMMY: dict[int, str] = {}  # per hasher: a hash to check unknown names against, so they cost the same time
log = logging.getLogger("cdcs.auth")


@dataclass(frozen=True)
class User:
    name: str
    role: str
    unit_code: str | None = None

    def can_submit(self, unit_code: str | None) -> bool:
        """Administrators submit for any unit; an officer only for their own."""
        return self.role == "admin" or (self.role == "officer" and unit_code is not None and unit_code == self.unit_code)

    @property
    def can_rollback(self) -> bool:
        return self.role == "admin"

    @property
    def sees_desk(self) -> bool:
        return self.role in ("officer", "admin")


@dataclass(frozen=True)
class Account:
    """One stored account, as listed (never with its hash)."""

    name: str
    role: str
    unit_code: str | None
    disabled: bool
    created_at: datetime
    updated_at: datetime

    @property
    def user(self) -> User:
        return User(self.name, self.role, self.unit_code)


@dataclass(frozen=True)
class LoginResult:
    """What a login attempt gave: the user when it succeeded; else why not ('wrong', 'throttled', 'disabled')
    and how many seconds from now the next attempt has to wait before it is looked at."""

    user: User | None
    reason: str
    retry_after: float = 0.0


# ---- names, passwords, waits ------------------------------------------------------------------------------
def normal_name(name: str) -> str:
    """A login name as stored: NFC, without surrounding spaces."""
    return unicodedata.normalize("NFC", name or "").strip()


def normal_password(password: str) -> str:
    """A password as hashed and checked: NFC (the same letters typed in NFD or NFC give one password)."""
    return unicodedata.normalize("NFC", password or "")


def wait_for(failures: int) -> float:
    """Seconds to wait after this many counted failures: 0, then 1, 2, 4 … up to MAX_WAIT_S."""
    return 0.0 if failures <= 0 else float(min(MAX_WAIT_S, 2 ** min(failures - 1, 16)))


def _address_rules() -> tuple[int, timedelta]:
    """(failures an address may have before it waits too, idle time after which its counter starts again)."""
    a = settings()["auth"]
    return int(a["address_free_failures"]), timedelta(minutes=float(a["address_forget_minutes"]))


def _wait_for(kind: str, failures: int) -> float:
    free = _address_rules()[0] if kind == "addr" else 0
    return wait_for(failures - free)


def _hash(password: str) -> str:
    return _HASHER.hash(normal_password(password))


def _check(stored: str | None, password: str) -> bool:
    """Whether the password matches; an unknown name (stored None) costs the same check against a dummy hash."""
    if stored is None and id(_HASHER) not in _DUMMY:
        _DUMMY[id(_HASHER)] = _HASHER.hash("-- no such account --")
    try:
        return _HASHER.verify(stored or _DUMMY[id(_HASHER)], normal_password(password)) and stored is not None
    except (VerificationError, InvalidHashError):
        return False


# ---- accounts ---------------------------------------------------------------------------------------------
def _validate(name: str, role: str, unit_code: str | None) -> None:
    if not name or len(name) > MAX_NAME or any(c.isspace() or not c.isprintable() for c in name):
        raise ValueError(f"Tên đăng nhập phải có từ 1 đến {MAX_NAME} ký tự, không có khoảng trắng.")
    if role not in ROLES:
        raise ValueError(f"Vai trò phải là một trong: {', '.join(ROLES)}.")
    if role == "officer" and not unit_code:
        raise ValueError("Cán bộ nhập liệu cần mã đơn vị (--unit).")


_IMPORTED: set[str] = set()  # stores whose old accounts file this process has looked for


def _ensure_imported(url, warehouse) -> None:
    key = url or store.database_url(warehouse)
    if key not in _IMPORTED:
        import_legacy(url=url, warehouse=warehouse)
        _IMPORTED.add(key)


def _account_row(conn, name: str):
    return conn.execute(select(store.account).where(store.account.c.name == name)).first()


def _account(row) -> Account | None:
    return None if row is None else Account(row.name, row.role, row.unit_code, bool(row.disabled), row.created_at,
                                            row.updated_at)


def add_user(name: str, password: str | None, role: str, unit_code: str | None = None, *, by: str | None = None,
             url: str | None = None, warehouse=None) -> User:
    """Create an account, or replace the role, unit and password of an existing one (password None keeps the
    old password of an existing account). Audited with `by` (default: the operating-system account)."""
    name = normal_name(name)
    _validate(name, role, unit_code)
    if password is not None and len(normal_password(password)) < MIN_PASSWORD:
        raise ValueError(f"Mật khẩu phải có ít nhất {MIN_PASSWORD} ký tự.")
    hashed = _hash(password) if password is not None else None  # argon2 before the transaction: nobody waits on it
    _ensure_imported(url, warehouse)
    t = store.now()
    with store.transaction(url, warehouse) as conn:
        old = _account_row(conn, name)
        if old is None:
            if hashed is None:
                raise ValueError("Tài khoản mới cần mật khẩu.")
            conn.execute(store.account.insert().values(name=name, password_hash=hashed, role=role, unit_code=unit_code,
                                                       disabled=False, created_at=t, updated_at=t))
        else:
            conn.execute(update(store.account).where(store.account.c.name == name).values(
                role=role, unit_code=unit_code, updated_at=t,
                **({"password_hash": hashed} if hashed is not None else {})))
        if old is not None and hashed is not None:  # a new password ends the sessions opened with the old one
            sessions.revoke_user(conn, name, "password")
        audit.append(conn, "user_added" if old is None else "user_changed", by or audit.cli_actor(), account=name,
                     role=role, unit=unit_code, password_changed=hashed is not None,
                     **({} if old is None else {"old_role": old.role, "old_unit": old.unit_code}))
    return User(name, role, unit_code)


def set_role(name: str, role: str, unit_code: str | None = None, *, by: str | None = None, url: str | None = None,
             warehouse=None) -> User:
    """Change an account's role and unit, keeping its password (promote, demote, move to another unit)."""
    if get_account(name, url=url, warehouse=warehouse) is None:
        raise LookupError(_unknown(name))
    return add_user(name, None, role, unit_code, by=by, url=url, warehouse=warehouse)


def _unknown(name: str) -> str:
    return f"Không có tài khoản '{normal_name(name)}'."


def _change(name: str, event: str, values: dict | None, by: str | None, url, warehouse) -> None:
    """Update (or delete, values None) one account and audit it in the same transaction; LookupError if unknown."""
    name = normal_name(name)
    _ensure_imported(url, warehouse)
    with store.transaction(url, warehouse) as conn:
        where = store.account.c.name == name
        done = (conn.execute(delete(store.account).where(where)) if values is None
                else conn.execute(update(store.account).where(where).values(updated_at=store.now(), **values)))
        if done.rowcount == 0:
            raise LookupError(_unknown(name))
        if event in ("user_removed", "user_disabled"):
            sessions.revoke_user(conn, name, event.removeprefix("user_"))
        audit.append(conn, event, by or audit.cli_actor(), account=name)


def remove_user(name: str, *, by: str | None = None, url: str | None = None, warehouse=None) -> None:
    """Delete an account and end its sessions (at their next page run); LookupError if there is none."""
    _change(name, "user_removed", None, by, url, warehouse)


def disable_user(name: str, *, by: str | None = None, url: str | None = None, warehouse=None) -> None:
    """Stop an account from logging in and end its sessions at their next page run; LookupError if unknown."""
    _change(name, "user_disabled", {"disabled": True}, by, url, warehouse)


def enable_user(name: str, *, by: str | None = None, url: str | None = None, warehouse=None) -> None:
    """Let a disabled account log in again; LookupError if unknown."""
    _change(name, "user_enabled", {"disabled": False}, by, url, warehouse)


def get_account(name: str, *, url: str | None = None, warehouse=None) -> Account | None:
    """The stored account of this name (disabled or not), or None."""
    _ensure_imported(url, warehouse)
    with store.reading(url, warehouse) as conn:
        row = _account_row(conn, normal_name(name))
    return _account(row)


def get_user(name: str, *, url: str | None = None, warehouse=None) -> User | None:
    """The user as stored now, or None when the account was removed or is disabled."""
    acct = get_account(name, url=url, warehouse=warehouse)
    return None if acct is None or acct.disabled else acct.user


def list_users(*, url: str | None = None, warehouse=None) -> list[Account]:
    """Every account, by name."""
    _ensure_imported(url, warehouse)
    with store.reading(url, warehouse) as conn:
        rows = conn.execute(select(store.account).order_by(store.account.c.name)).all()
    return [_account(r) for r in rows]


# ---- logging in -------------------------------------------------------------------------------------------
def attempt_statement(dialect: str, kind: str, key: str, t: datetime):
    """The one statement that counts an attempt: INSERT … ON CONFLICT DO UPDATE SET failures = failures + 1
    (1 again for an address idle past address_forget_minutes), previous_at = last_at, last_at = t, RETURNING
    failures and previous_at."""
    lf = store.login_failure
    forget = _address_rules()[1] if kind == "addr" else None

    def bump(excluded):
        again = case((lf.c.last_at < t - forget, 1), else_=lf.c.failures + 1) if forget else lf.c.failures + 1
        return {"failures": again, "previous_at": lf.c.last_at, "last_at": excluded.last_at}

    return store.upsert_statement(dialect, lf, {"kind": kind, "key": key, "failures": 1, "last_at": t,
                                                "previous_at": None},
                                  ["kind", "key"], bump, returning=[lf.c.failures, lf.c.previous_at])


def _count_attempt(conn, kind: str, key: str, t: datetime) -> tuple[float, float]:
    """Count one attempt for a name or an address: (seconds it still had to wait, 0 = none; seconds the next
    attempt will have to wait)."""
    row = conn.execute(attempt_statement(conn.dialect.name, kind, key, t)).one()
    after = _wait_for(kind, row.failures)
    if row.previous_at is None or row.failures <= 1:
        return 0.0, after
    left = (row.previous_at + timedelta(seconds=_wait_for(kind, row.failures - 1)) - t).total_seconds()
    return max(0.0, left), after


def login(name: str, password: str, client_addr: str | None = None, *, url: str | None = None, warehouse=None,
          now: datetime | None = None) -> LoginResult:
    """Try to log in; every outcome is counted and audited (login / login_failed with its reason)."""
    name, t = normal_name(name)[:255], now or store.now()
    addr = (client_addr or "")[:255] or None
    keys = [("name", name)] + ([("addr", addr)] if addr else [])
    _ensure_imported(url, warehouse)
    with store.transaction(url, warehouse) as conn:
        counted = [_count_attempt(conn, kind, key, t) for kind, key in keys]
        wait, after = max(c[0] for c in counted), max(c[1] for c in counted)
        if wait > 0:
            audit.append(conn, "login_failed", name, reason="throttled", addr=addr)
    if wait > 0:
        return LoginResult(None, "throttled", after)
    with store.reading(url, warehouse) as conn:
        row = _account_row(conn, name)
    acct = _account(row)
    ok = _check(None if row is None else row.password_hash, password)
    lf = store.login_failure
    with store.transaction(url, warehouse) as conn:
        if ok and not acct.disabled:
            conn.execute(delete(lf).where(and_(lf.c.kind == "name", lf.c.key == name)))
            if addr:  # this attempt was not a failure: take its count back from the address
                conn.execute(update(lf).where(and_(lf.c.kind == "addr", lf.c.key == addr, lf.c.failures > 0)).values(
                    failures=lf.c.failures - 1,
                    last_at=case((lf.c.last_at == t, func.coalesce(lf.c.previous_at, lf.c.last_at)), else_=lf.c.last_at)))
            _rehash_if_needed(conn, name, password)
            audit.append(conn, "login", name, addr=addr)
            return LoginResult(acct.user, "ok")
        reason = "disabled" if ok else "wrong"
        audit.append(conn, "login_failed", name, reason=reason, addr=addr)
    return LoginResult(None, reason, after)


def verify(name: str, password: str, client_addr: str | None = None, *, url: str | None = None,
           warehouse=None) -> User | None:
    """The user when the name and password are right and the account is enabled; None otherwise (counted)."""
    return login(name, password, client_addr, url=url, warehouse=warehouse).user


def _rehash_if_needed(conn, name: str, password: str) -> None:
    """Re-hash with today's argon2 parameters after a successful login when the stored hash is older."""
    stored = conn.execute(select(store.account.c.password_hash).where(store.account.c.name == name)).scalar()
    if stored and _HASHER.check_needs_rehash(stored):
        conn.execute(update(store.account).where(store.account.c.name == name).values(password_hash=_hash(password)))


def failures(kind: str, key: str, *, url: str | None = None, warehouse=None) -> int:
    """Attempts counted for a name ('name') or a client address ('addr') and not yet forgiven."""
    lf = store.login_failure
    with store.reading(url, warehouse) as conn:
        return conn.execute(select(lf.c.failures).where(and_(lf.c.kind == kind, lf.c.key == key))).scalar() or 0


def wait_seconds(name: str, client_addr: str | None = None, *, url: str | None = None, warehouse=None,
                 now: datetime | None = None) -> float:
    """How long this name (and address) must wait before the next attempt is looked at (0 when it may try now)."""
    t, lf = now or store.now(), store.login_failure
    keys = [("name", normal_name(name))] + ([("addr", client_addr)] if client_addr else [])
    out = 0.0
    with store.reading(url, warehouse) as conn:
        for kind, key in keys:
            row = conn.execute(select(lf).where(and_(lf.c.kind == kind, lf.c.key == key))).first()
            if row is None or (kind == "addr" and row.last_at < t - _address_rules()[1]):
                continue
            left = (row.last_at + timedelta(seconds=_wait_for(kind, row.failures)) - t).total_seconds()
            out = max(out, left)
    return out


# ---- the accounts file of earlier versions ----------------------------------------------------------------
def legacy_path() -> Path:
    """Where earlier versions kept accounts: $CDCS_USERS, else data/secrets/users.json."""
    return Path(os.environ.get("CDCS_USERS") or DATA / "secrets" / "users.json")


def import_legacy(path: Path | None = None, *, url: str | None = None, warehouse=None) -> int:
    """Copy the accounts of the old JSON file (hashes kept) into an empty store, once; how many were copied."""
    path = Path(path or legacy_path())
    if not path.is_file():
        return 0
    users = json.loads(path.read_text(encoding="utf-8")).get("users", {})
    t, n = store.now(), 0
    with store.transaction(url, warehouse) as conn:
        if conn.execute(select(func.count()).select_from(store.account)).scalar() or conn.execute(
                select(store.audit_event.c.id).where(store.audit_event.c.event == "accounts_imported")).first():
            return 0
        for name, rec in users.items():
            if rec.get("role") in ROLES and rec.get("hash"):
                store.upsert(conn, store.account, {"name": normal_name(name), "password_hash": rec["hash"],
                                                   "role": rec["role"], "unit_code": rec.get("unit_code"),
                                                   "disabled": False, "created_at": t, "updated_at": t},
                             ["name"], None)
                n += 1
        audit.append(conn, "accounts_imported", audit.cli_actor(), file=str(path), accounts=n)
    log.warning("Đã chuyển %d tài khoản từ %s sang kho trạng thái (%s); tệp cũ không còn được dùng, có thể xóa.",
                n, path, store.database_url(warehouse) if url is None else url)
    return n
