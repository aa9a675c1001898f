"""Test helpers for accounts: a cheap argon2 hasher, and the bodies of the processes of the concurrency test
(in a module of their own so spawned processes import little)."""
from __future__ import annotations

import time
import traceback

from argon2 import PasswordHasher

# argon2 at its lowest cost: a test logs in hundreds of times. Production keeps argon2's defaults.
CHEAP = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


def use_cheap_hasher() -> None:
    from core import auth
    auth._HASHER = CHEAP


def fail_logins(warehouse: str, name: str, addr: str, n: int, barrier, out) -> None:
    """Process body: n wrong logins for one name from one address; puts (reasons, error or None, seconds)."""
    try:
        use_cheap_hasher()
        from core import auth, store
        store.engine(warehouse=warehouse)  # open the store before the start line
        barrier.wait(timeout=120)
        t, reasons = time.perf_counter(), {}
        for _ in range(n):
            r = auth.login(name, "mat-khau-sai-!", addr, warehouse=warehouse)
            reasons[r.reason] = reasons.get(r.reason, 0) + 1
        out.put((reasons, None, time.perf_counter() - t))
    except BaseException:
        out.put(({}, traceback.format_exc(), 0.0))


def change_accounts(warehouse: str, changes: list[tuple], barrier, out) -> None:
    """Process body: apply account changes in order (add, set_role, disable, enable); puts (n, error, seconds)."""
    try:
        use_cheap_hasher()
        from core import auth, store
        store.engine(warehouse=warehouse)
        barrier.wait(timeout=120)
        t = time.perf_counter()
        for op, name, *rest in changes:
            if op == "add":
                auth.add_user(name, "mat-khau-dung-1", *rest, by="tester", warehouse=warehouse)
            elif op == "set_role":
                auth.set_role(name, *rest, by="tester", warehouse=warehouse)
            else:
                getattr(auth, f"{op}_user")(name, by="tester", warehouse=warehouse)
        out.put((len(changes), None, time.perf_counter() - t))
    except BaseException:
        out.put((0, traceback.format_exc(), 0.0))
