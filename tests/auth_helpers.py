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


def fail_logins(where: dict, name: str, addr: str, n: int, barrier, out) -> None:
    """Process body: n wrong logins for one name from one address in the store `where` ({'warehouse': …} or
    {'url': …}); puts (reasons, error or None, seconds)."""
    try:
        use_cheap_hasher()
        from core import auth, store
        store.engine(**where)  # open the store before the start line
        barrier.wait(timeout=120)
        t, reasons = time.perf_counter(), {}
        for _ in range(n):
            r = auth.login(name, "mat-khau-sai-!", addr, **where)
            reasons[r.reason] = reasons.get(r.reason, 0) + 1
        out.put((reasons, None, time.perf_counter() - t))
    except BaseException:
        out.put(({}, traceback.format_exc(), 0.0))


def change_accounts(where: dict, changes: list[tuple], barrier, out) -> None:
    """Process body: apply account changes in order (add, set_role, disable, enable); puts (n, error, seconds)."""
    try:
        use_cheap_hasher()
        from core import auth, store
        store.engine(**where)
        barrier.wait(timeout=120)
        t = time.perf_counter()
        for op, name, *rest in changes:
            if op == "add":
                auth.add_user(name, "mat-khau-dung-1", *rest, by="tester", **where)
            elif op == "set_role":
                auth.set_role(name, *rest, by="tester", **where)
            else:
                getattr(auth, f"{op}_user")(name, by="tester", **where)
        out.put((len(changes), None, time.perf_counter() - t))
    except BaseException:
        out.put((0, traceback.format_exc(), 0.0))


def hammer_and_change(where: dict) -> dict:
    """3 processes × 40 failed logins for one name and one address while a fourth makes CHANGES; what came out:
    outcomes, seconds per process, errors, failures counted per name and per address, accounts, audit counts."""
    import multiprocessing

    from core import audit, auth
    auth.add_user("nannhan", "matkhau-dung-1", "officer", "LDLD63_38", **where)
    import sys
    import types
    ctx = multiprocessing.get_context("spawn")
    barrier, out = ctx.Barrier(4), ctx.Queue()
    procs = [ctx.Process(target=fail_logins, args=(where, "nannhan", "10.9.9.9", 40, barrier, out)) for _ in range(3)]
    procs.append(ctx.Process(target=change_accounts, args=(where, CHANGES, barrier, out)))
    # spawn re-runs the parent's __main__ in each child; after an AppTest in the same pytest process that is
    # app.py. Start the children with a blank __main__ so they run only their target.
    main = sys.modules["__main__"]
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        for p in procs:
            p.start()
    finally:
        sys.modules["__main__"] = main
    results = [out.get(timeout=300) for _ in procs]
    for p in procs:
        p.join(timeout=60)
    reasons: dict[str, int] = {}
    for r in results:
        if isinstance(r[0], dict):
            for k, v in r[0].items():
                reasons[k] = reasons.get(k, 0) + v
    log = audit.read(limit=None, **where)
    return {"reasons": reasons, "seconds": [round(r[2], 2) for r in results],
            "errors": [r[1] for r in results if r[1]], "exitcodes": [p.exitcode for p in procs],
            "name": auth.failures("name", "nannhan", **where), "addr": auth.failures("addr", "10.9.9.9", **where),
            "accounts": {a.name: (a.role, a.disabled) for a in auth.list_users(**where) if a.name in EXPECTED},
            "login_failed_rows": int((log["event"] == "login_failed").sum()),
            "change_rows": int((log["user_name"] == "tester").sum())}


ACCOUNTS = [f"cb{i}" for i in range(5)]
CHANGES = ([("add", n, "officer", "LDLD63_38") for n in ACCOUNTS] + [("set_role", n, "viewer") for n in ACCOUNTS]
           + [("disable", n) for n in ACCOUNTS] + [("enable", n) for n in ACCOUNTS[:2]]
           + [("set_role", n, "admin") for n in ACCOUNTS[3:]])
EXPECTED = {"cb0": ("viewer", False), "cb1": ("viewer", False), "cb2": ("viewer", True), "cb3": ("admin", True),
            "cb4": ("admin", True)}
