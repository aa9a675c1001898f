"""Local accounts and roles: viewer, unit officer (own unit only), administrator. No Streamlit here.

Accounts live in a JSON file outside git ($CDCS_USERS, default data/secrets/users.json) with argon2 hashes.
Repeated failed logins for a name are slowed down (the wait doubles up to a cap), also across restarts.
"""
from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from core.config import DATA

ROLES = ("viewer", "officer", "admin")
ROLE_LABELS = {"viewer": "Người xem", "officer": "Cán bộ nhập liệu của đơn vị", "admin": "Quản trị viên"}
_HASHER = PasswordHasher()
MAX_WAIT_S = 60


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


def users_path() -> Path:
    return Path(os.environ.get("CDCS_USERS") or DATA / "secrets" / "users.json")


def _read(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {"users": {}, "failures": {}}


def _write(path: Path, data: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)


def add_user(name: str, password: str, role: str, unit_code: str | None = None, path: Path | None = None) -> User:
    """Create or replace an account; officers must name their unit."""
    if role not in ROLES:
        raise ValueError(f"role must be one of {ROLES}")
    if role == "officer" and not unit_code:
        raise ValueError("an officer needs a unit")
    if len(password) < 8:
        raise ValueError("password must have at least 8 characters")
    path = path or users_path()
    data = _read(path)
    data["users"][name] = {"hash": _HASHER.hash(password), "role": role, "unit_code": unit_code}
    _write(path, data)
    return User(name, role, unit_code)


def wait_seconds(name: str, path: Path | None = None, now: float | None = None) -> float:
    """How long this name must wait before the next try (0 when it may try now)."""
    failures = _read(path or users_path()).get("failures", {}).get(name)
    if not failures:
        return 0.0
    wait = min(MAX_WAIT_S, 2 ** (failures["count"] - 1))
    return max(0.0, failures["at"] + wait - (now or time.time()))


def verify(name: str, password: str, path: Path | None = None) -> User | None:
    """The account when the password is right; None otherwise (and the failure is counted)."""
    path = path or users_path()
    data = _read(path)
    if wait_seconds(name, path) > 0:
        return None
    record = data["users"].get(name)
    ok = False
    if record:
        try:
            ok = _HASHER.verify(record["hash"], password)
        except (VerificationError, InvalidHashError):
            ok = False
    else:
        _HASHER.hash(password)  # same cost for unknown names: no timing hint that a name exists
    failures = data.setdefault("failures", {})
    if ok:
        failures.pop(name, None)
        _write(path, data)
        return User(name, record["role"], record.get("unit_code"))
    entry = failures.setdefault(name, {"count": 0, "at": 0})
    entry["count"] += 1
    entry["at"] = time.time()
    _write(path, data)
    return None
