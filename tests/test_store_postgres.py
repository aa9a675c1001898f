"""The state store on PostgreSQL: the same accounts, counters, sessions, audit and rejections as on SQLite.

Runs only when $CDCS_TEST_POSTGRES_URL names a database it may empty (e.g.
postgresql+psycopg://cdcs@127.0.0.1:55432/cdcs) and the psycopg driver is installed; skipped otherwise."""
import os
from datetime import timedelta

import pytest

from core import audit, auth, rejections, sessions, store
from core.auth import User
from tests.auth_helpers import CHANGES, EXPECTED, hammer_and_change

URL = os.environ.get("CDCS_TEST_POSTGRES_URL")
pytestmark = pytest.mark.skipif(not URL, reason="set CDCS_TEST_POSTGRES_URL to a PostgreSQL database to empty")


@pytest.fixture
def pg() -> dict:
    """{'url': …} of an emptied store."""
    pytest.importorskip("psycopg")
    store.metadata.drop_all(store.engine(url=URL))
    store._ENGINES.pop(URL).dispose()
    sessions._KEYS.pop(URL, None)
    return {"url": URL}


def test_schema_and_dialect(pg):
    assert store.engine(**pg).dialect.name == "postgresql" and store.version(**pg) == store.SCHEMA_VERSION


def test_accounts_logins_and_waits(pg):
    auth.add_user("an", "Mật khẩu Đà Nẵng 1", "officer", "LDLD63_38", by="quantri", **pg)
    t = store.now()
    outcomes = [auth.login("an", pw, "10.0.0.1", now=t + timedelta(seconds=s), **pg).reason
                for s, pw in [(0, "sai"), (0.5, "sai"), (3.0, "sai"), (7.1, "Mật khẩu Đà Nẵng 1")]]
    assert outcomes == ["wrong", "throttled", "wrong", "ok"]
    assert auth.failures("name", "an", **pg) == 0 and auth.failures("addr", "10.0.0.1", **pg) == 3
    auth.disable_user("an", **pg)
    assert auth.get_user("an", **pg) is None
    auth.enable_user("an", **pg)
    assert auth.set_role("an", "viewer", **pg) == auth.get_user("an", **pg) == User("an", "viewer")
    auth.remove_user("an", **pg)
    assert auth.list_users(**pg) == []
    assert audit.read(**pg)["event"].tolist()[::-1] == ["user_added", "login_failed", "login_failed", "login_failed",
                                                        "login", "user_disabled", "user_enabled", "user_changed",
                                                        "user_removed"]


def test_sessions(pg):
    auth.add_user("an", "matkhau-dung-1", "viewer", **pg)
    token = sessions.start("an", **pg)
    assert sessions.check(token, **pg) == sessions.Check("ok", "an")
    old = sessions.start("an", now=store.now() - timedelta(hours=3), **pg)
    assert sessions.check(old, **pg) == sessions.Check("ended", "an", "expired", True)
    auth.disable_user("an", **pg)
    assert sessions.check(token, **pg) == sessions.Check("ended", "an", "disabled")


def test_rejections(pg):
    rejections.record_rejection("a.xlsx", None, "LDLD63_38", "N2021", [{"rule": "negative", "severity": "error"}] * 70,
                                **pg)
    row = rejections.recent_rejections(**pg).iloc[0]
    assert (row.n_errors, len(row.summary["findings"]), row.summary["truncated"]) == (70, 50, True)


def test_concurrent_failures_are_all_counted_and_changes_all_kept(pg):
    got = hammer_and_change(pg)
    print(f"\nPostgreSQL, 3×40 failed logins + {len(CHANGES)} account changes: {got['reasons']}; seconds per "
          f"process {got['seconds']}")
    assert not got["errors"], got["errors"][0]
    assert (got["name"], got["addr"], got["login_failed_rows"], got["change_rows"]) == (120, 120, 120, len(CHANGES))
    assert sum(got["reasons"].values()) == 120 and got["reasons"].get("wrong", 0) <= 3
    assert got["accounts"] == EXPECTED
