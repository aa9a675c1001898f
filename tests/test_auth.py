"""Accounts and logins (core.auth, ui.auth, `python -m etl user`): roles, NFC passwords, the wait schedule, the
counters per name and per address under concurrent processes, sessions (signed tokens, idle time, lifetime,
revocation), account changes taking effect at the next page run, the commands and their audit rows."""
import json
import os
import subprocess
import sys
import time
import unicodedata
from datetime import timedelta

import pytest
from sqlalchemy.dialects import postgresql

from core import audit, auth, sessions, store
from core.auth import User
from tests.auth_helpers import CHANGES, CHEAP, EXPECTED, hammer_and_change
from tests.conftest import ROOT, app_test, rerun

OFFICER = User("canbo38", "officer", "LDLD63_38")
ADMIN = User("quantri", "admin")
VIEWER = User("xem", "viewer")


@pytest.mark.parametrize("user, unit, can_submit, can_rollback, sees_desk", [
    (OFFICER, "LDLD63_38", True, False, True),
    (OFFICER, "LDLD63_01", False, False, True),
    (OFFICER, None, False, False, True),
    (ADMIN, "LDLD63_01", True, True, True),
    (VIEWER, "LDLD63_38", False, False, False),
    (User("xem38", "viewer", "LDLD63_38"), "LDLD63_38", False, False, False),
])
def test_roles(user, unit, can_submit, can_rollback, sees_desk):
    assert (user.can_submit(unit), user.can_rollback, user.sees_desk) == (can_submit, can_rollback, sees_desk)


@pytest.mark.parametrize("failures, wait", [(0, 0), (1, 1), (2, 2), (3, 4), (4, 8), (6, 32), (7, 60), (8, 60),
                                            (500, 60)])
def test_wait_doubles_up_to_a_minute(failures, wait):
    assert auth.wait_for(failures) == wait


# (seconds after the first attempt, right password?, expected outcome): each attempt, refused or not, is counted
# and the wait is measured from the latest attempt before it
SCHEDULE = [
    (0.0, False, "wrong"),       # failures 1: the next may come after 1 s
    (0.5, True, "throttled"),    # too early: refused unchecked, even with the right password; failures 2 → 2 s
    (2.0, False, "throttled"),   # 1.5 s after the last attempt, 2 s needed; failures 3 → 4 s
    (6.1, False, "wrong"),       # 4.1 s later: checked; failures 4 → 8 s
    (14.0, True, "throttled"),   # 7.9 s: still refused; failures 5 → 16 s
    (30.1, True, "ok"),          # 16.1 s: checked, right: the name's counter starts again
    (30.2, False, "wrong"),      # nothing to wait for after a success
]


def test_throttle_schedule(tmp_path):
    auth.add_user("an", "matkhau-dung-1", "viewer", warehouse=tmp_path)
    t0 = store.now()
    got = [auth.login("an", "matkhau-dung-1" if right else "sai-mat-khau", warehouse=tmp_path,
                      now=t0 + timedelta(seconds=s)).reason for s, right, _ in SCHEDULE]
    assert got == [outcome for *_, outcome in SCHEDULE]
    assert auth.failures("name", "an", warehouse=tmp_path) == 1


def test_two_attempts_at_the_same_instant_are_not_both_checked(tmp_path):
    auth.add_user("an", "matkhau-dung-1", "viewer", warehouse=tmp_path)
    t = store.now()
    auth.login("an", "sai-1", warehouse=tmp_path, now=t)
    first = auth.login("an", "sai-2", warehouse=tmp_path, now=t + timedelta(seconds=1))
    second = auth.login("an", "matkhau-dung-1", warehouse=tmp_path, now=t + timedelta(seconds=1))
    assert (first.reason, second.reason) == ("wrong", "throttled")
    assert second.retry_after == 4  # failures 3: 4 s from the attempt just before


def test_wait_seconds_tells_how_long(tmp_path):
    t = store.now()
    for i in range(3):
        auth.login("ai-do", "sai-mat-khau", "10.0.0.1", warehouse=tmp_path, now=t + timedelta(seconds=10 * i))
    assert auth.wait_seconds("ai-do", warehouse=tmp_path, now=t + timedelta(seconds=21)) == pytest.approx(3)
    assert auth.wait_seconds("ai-do", warehouse=tmp_path, now=t + timedelta(seconds=25)) == 0


def test_an_address_waits_after_its_free_failures_and_forgets(tmp_path):
    t, free = store.now(), auth._address_rules()[0]
    for i in range(free + 2):  # a different name each time: only the address counter can slow this down
        r = auth.login(f"ten-{i}", "sai-mat-khau", "10.0.0.7", warehouse=tmp_path, now=t + timedelta(seconds=i / 2))
        assert r.reason == ("wrong" if i <= free else "throttled"), i
    later = t + timedelta(minutes=auth._address_rules()[1].total_seconds() / 60 + 1, seconds=free + 2)
    assert auth.login("ten-x", "sai-mat-khau", "10.0.0.7", warehouse=tmp_path, now=later).reason == "wrong"
    assert auth.failures("addr", "10.0.0.7", warehouse=tmp_path) == 1


def test_a_success_is_not_a_failure_of_its_address(tmp_path):
    auth.add_user("an", "matkhau-dung-1", "viewer", warehouse=tmp_path)
    auth.login("bo", "sai-mat-khau", "10.0.0.8", warehouse=tmp_path)
    for _ in range(5):
        assert auth.verify("an", "matkhau-dung-1", "10.0.0.8", warehouse=tmp_path) == User("an", "viewer")
    assert auth.failures("addr", "10.0.0.8", warehouse=tmp_path) == 1


NFC = unicodedata.normalize("NFC", "Mật khẩu Đà Nẵng 2025")
NFD = unicodedata.normalize("NFD", NFC)


@pytest.mark.parametrize("stored, typed", [(NFC, NFD), (NFD, NFC), (NFC, NFC), (NFD, NFD)])
def test_passwords_are_compared_in_nfc(tmp_path, stored, typed):
    assert NFC != NFD
    auth.add_user("an", stored, "viewer", warehouse=tmp_path)
    assert auth.verify("an", typed, warehouse=tmp_path) == User("an", "viewer")


@pytest.mark.parametrize("name, password, role, unit, message", [
    ("an", "ngan", "viewer", None, "ít nhất 8"),
    ("an", "matkhau-dai-1", "officer", None, "cần mã đơn vị"),
    ("an", "matkhau-dai-1", "root", None, "Vai trò"),
    ("", "matkhau-dai-1", "viewer", None, "Tên đăng nhập"),
    ("co khoang", "matkhau-dai-1", "viewer", None, "Tên đăng nhập"),
    ("x" * 101, "matkhau-dai-1", "viewer", None, "Tên đăng nhập"),
    ("moi", None, "viewer", None, "cần mật khẩu"),
])
def test_account_checks(tmp_path, name, password, role, unit, message):
    with pytest.raises(ValueError, match=message):
        auth.add_user(name, password, role, unit, warehouse=tmp_path)
    assert auth.list_users(warehouse=tmp_path) == []


def test_passwords_are_stored_as_argon2_hashes_only(tmp_path):
    auth.add_user("an", "matkhau-bi-mat-1", "viewer", warehouse=tmp_path)
    store.engine(warehouse=tmp_path).dispose()  # everything checkpointed into the file
    data = (tmp_path / "state.sqlite").read_bytes()
    assert b"matkhau-bi-mat-1" not in data and b"$argon2id$" in data


def test_unknown_names_cost_one_argon2_check(tmp_path, monkeypatch):
    calls = []

    class Counting(type(CHEAP)):
        def verify(self, h, p):
            calls.append(h)
            return super().verify(h, p)

    monkeypatch.setattr(auth, "_HASHER", Counting(time_cost=1, memory_cost=8, parallelism=1))
    auth.add_user("an", "matkhau-dung-1", "viewer", warehouse=tmp_path)
    assert auth.login("khong-co", "matkhau-dung-1", warehouse=tmp_path).reason == "wrong"
    assert auth.login("an", "sai-mat-khau", warehouse=tmp_path).reason == "wrong"
    assert len(calls) == 2 and all(h.startswith("$argon2id$") for h in calls)


def test_remove_disable_enable_and_role_changes(tmp_path):
    auth.add_user("an", "matkhau-dung-1", "officer", "LDLD63_38", warehouse=tmp_path)
    auth.disable_user("an", by="quantri", warehouse=tmp_path)
    assert auth.get_user("an", warehouse=tmp_path) is None
    assert auth.login("an", "matkhau-dung-1", warehouse=tmp_path).reason == "disabled"
    auth.enable_user("an", warehouse=tmp_path)
    time.sleep(1.05)  # the refused try above is counted: wait it out
    assert auth.verify("an", "matkhau-dung-1", warehouse=tmp_path) == User("an", "officer", "LDLD63_38")
    assert auth.set_role("an", "viewer", warehouse=tmp_path) == User("an", "viewer")
    assert auth.verify("an", "matkhau-dung-1", warehouse=tmp_path) == User("an", "viewer")  # password kept
    auth.remove_user("an", warehouse=tmp_path)
    assert auth.get_account("an", warehouse=tmp_path) is None
    for change in (auth.remove_user, auth.disable_user, auth.enable_user):
        with pytest.raises(LookupError, match="Không có tài khoản 'an'"):
            change("an", warehouse=tmp_path)
    events = audit.read(tmp_path)
    changes = events[events["event"].str.startswith("user_")]
    assert changes["event"].tolist()[::-1] == ["user_added", "user_disabled", "user_enabled", "user_changed",
                                              "user_removed"]
    assert changes["user_name"].tolist()[-2] == "quantri"


def test_the_old_accounts_file_is_imported_once(tmp_path, monkeypatch):
    old = tmp_path / "users.json"
    old.write_text(json.dumps({"users": {"cu": {"hash": CHEAP.hash("matkhau-cu-1"), "role": "officer",
                                               "unit_code": "LDLD63_38"}}, "failures": {}}), encoding="utf-8")
    monkeypatch.setenv("CDCS_USERS", str(old))
    monkeypatch.setattr(auth, "_IMPORTED", set())
    wh = tmp_path / "wh"
    assert auth.verify("cu", "matkhau-cu-1", warehouse=wh) == User("cu", "officer", "LDLD63_38")
    auth.remove_user("cu", warehouse=wh)
    monkeypatch.setattr(auth, "_IMPORTED", set())  # as after a restart
    assert auth.list_users(warehouse=wh) == [] and auth.import_legacy(warehouse=wh) == 0
    imported = audit.read(wh, event="accounts_imported")
    assert len(imported) == 1 and imported["details"][0]["accounts"] == 1


@pytest.mark.parametrize("kind", ["name", "addr"])
def test_the_counting_statement_is_one_postgresql_upsert(kind):
    sql = str(auth.attempt_statement("postgresql", kind, "x", store.now()).compile(dialect=postgresql.dialect()))
    assert "ON CONFLICT (kind, key) DO UPDATE SET failures = " in sql
    assert "previous_at = login_failure.last_at" in sql and "RETURNING login_failure.failures" in sql


# ---- many processes at once ------------------------------------------------------------------------------
def test_concurrent_failures_are_all_counted_and_changes_all_kept(tmp_path):
    got = hammer_and_change({"warehouse": str(tmp_path)})
    print(f"\n3×40 failed logins + {len(CHANGES)} account changes: outcomes {got['reasons']}; seconds per process "
          f"{got['seconds']}")
    assert not got["errors"], got["errors"][0]
    assert got["exitcodes"] == [0, 0, 0, 0]
    assert sum(got["reasons"].values()) == 120 and got["reasons"].get("ok", 0) == 0
    assert got["reasons"].get("wrong", 0) <= 3  # the rest arrived inside the wait and were refused unchecked
    assert (got["name"], got["addr"], got["login_failed_rows"]) == (120, 120, 120)
    assert got["accounts"] == EXPECTED
    assert got["change_rows"] == len(CHANGES)


# ---- the command line ------------------------------------------------------------------------------------
def _etl(*args, stdin: str = "", env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "etl", *args], input=stdin, capture_output=True, text=True,
                          cwd=ROOT, env={**os.environ, **(env or {})}, timeout=120)


def test_user_commands(tmp_path):
    wh = ["--warehouse", str(tmp_path)]
    add = _etl("user", "add", "canbo79", "--role", "officer", "--unit", "LDLD34_79", "--password-stdin", *wh,
               stdin="matkhau-canbo-1\n")
    assert add.returncode == 0, add.stderr
    assert "Đã tạo tài khoản canbo79" in add.stdout and "matkhau" not in add.stdout
    assert _etl("user", "add", "quantri", "--role", "admin", "--password-stdin", *wh,
                stdin="matkhau-quantri-1\n").returncode == 0
    assert auth.verify("canbo79", "matkhau-canbo-1", warehouse=tmp_path) == User("canbo79", "officer", "LDLD34_79")

    listed = _etl("user", "list", *wh)
    assert listed.returncode == 0
    assert listed.stdout.splitlines() == ["name\trole\tunit\tdisabled", "canbo79\tofficer\tLDLD34_79\t0",
                                          "quantri\tadmin\t\t0"]
    demote = _etl("user", "add", "canbo79", "--role", "viewer", "--password-stdin", *wh, stdin="\n")
    assert demote.returncode == 0 and "Đã cập nhật" in demote.stdout
    assert auth.verify("canbo79", "matkhau-canbo-1", warehouse=tmp_path) == User("canbo79", "viewer")
    assert _etl("user", "disable", "canbo79", *wh).returncode == 0
    assert _etl("user", "list", *wh).stdout.splitlines()[1] == "canbo79\tviewer\t\t1"
    assert _etl("user", "enable", "canbo79", *wh).returncode == 0
    assert _etl("user", "remove", "canbo79", *wh).returncode == 0
    assert _etl("user", "list", *wh).stdout.splitlines()[1:] == ["quantri\tadmin\t\t0"]

    log = audit.read(tmp_path)
    cli = log[log["event"].str.startswith("user_")]
    assert cli["event"].tolist()[::-1] == ["user_added", "user_added", "user_changed", "user_disabled",
                                          "user_enabled", "user_removed"]
    assert set(cli["user_name"]) == {audit.cli_actor()}
    assert cli["details"].map(lambda d: d["account"]).tolist()[::-1] == ["canbo79", "quantri", "canbo79",
                                                                         "canbo79", "canbo79", "canbo79"]


@pytest.mark.parametrize("args, stdin, message", [
    (["user", "remove", "khong-co"], "", "Không có tài khoản 'khong-co'"),
    (["user", "disable", "khong-co"], "", "Không có tài khoản 'khong-co'"),
    (["user", "add", "an", "--role", "officer", "--password-stdin"], "matkhau-dai-1\n", "cần mã đơn vị"),
    (["user", "add", "an", "--role", "officer", "--unit", "XYZ", "--password-stdin"], "matkhau-dai-1\n",
     "Không có đơn vị 'XYZ'"),
    (["user", "add", "an", "--role", "viewer", "--password-stdin"], "ngan\n", "ít nhất 8"),
    (["user", "add", "an", "--role", "root", "--password-stdin"], "matkhau-dai-1\n", "invalid choice"),
    (["user", "rename", "an"], "", "invalid choice"),
])
def test_user_command_usage_errors(tmp_path, args, stdin, message):
    done = _etl(*args, "--warehouse", str(tmp_path), stdin=stdin)
    assert done.returncode == 2 and message in done.stderr, done.stderr
    assert auth.list_users(warehouse=tmp_path) == []


# ---- the app ---------------------------------------------------------------------------------------------
def _desk_routed(at) -> bool:
    """Whether the desk is open to this session: its link is routed for everyone (asking anonymous visitors to log
    in, refusing viewers), its upload steps shown to officers and administrators only."""
    at.switch_page("pages/submit.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return any(h.value == "1. Tải mẫu" for h in at.subheader)


def _notices(at) -> list[str]:
    return [w.value for w in at.sidebar.warning]


def _logged_in(at) -> str | None:
    token = at.session_state["session_token"] if "session_token" in at.session_state else None
    return sessions.check(token).user_name if token else None


GONE = "Tài khoản của bạn đã bị xóa hoặc bị khóa nên đã được đăng xuất. Liên hệ quản trị viên nếu cần."


@pytest.mark.parametrize("change, routed_after, logged_in_after, notice", [
    (lambda: auth.set_role("canbo79", "viewer", by="quantri"), False, True, None),
    (lambda: auth.disable_user("canbo79", by="quantri"), False, False, GONE),
    (lambda: auth.remove_user("canbo79", by="quantri"), False, False, GONE),
    (lambda: auth.set_role("canbo79", "officer", "LDLD34_08", by="quantri"), True, True, None),
    (lambda: auth.add_user("canbo79", "matkhau-moi-123", "officer", "LDLD34_79", by="quantri"), False, False,
     "Mật khẩu của tài khoản đã được đổi, vui lòng đăng nhập lại."),
])
def test_account_changes_apply_at_the_next_page_run(desk_env, change, routed_after, logged_in_after, notice):
    assert _desk_routed(app_test(User("canbo79", "officer", "LDLD34_79")))
    at = app_test(User("canbo79", "officer", "LDLD34_79"))
    change()
    rerun(at)  # the next click of the same session
    assert not at.exception, [e.value for e in at.exception]
    assert (_logged_in(at) == "canbo79") == logged_in_after
    assert _notices(at) == ([notice] if notice else [])
    if notice == GONE:
        assert audit.read(desk_env[0], event="logged_out_by_change")["user_name"].tolist() == ["canbo79"]
    assert _desk_routed(at) == routed_after


# used every 30 minutes for some hours, then idle for some minutes (settings: idle 120 min, lifetime 12 h)
@pytest.mark.parametrize("hours_used, idle_minutes, expired", [(0, 30, False), (0, 121, True), (1, 119, False),
                                                               (1, 121, True), (10, 90, False), (11.5, 40, True)])
def test_sessions_end_after_idle_time_or_their_lifetime(tmp_path, hours_used, idle_minutes, expired):
    t = store.now()
    start = t - timedelta(hours=hours_used, minutes=idle_minutes)
    token = sessions.start("an", warehouse=tmp_path, now=start)
    for k in range(int(hours_used * 2) + 1):
        assert sessions.check(token, warehouse=tmp_path, now=start + timedelta(minutes=30 * k)).status == "ok"
    first = sessions.check(token, warehouse=tmp_path, now=t)
    again = sessions.check(token, warehouse=tmp_path, now=t)
    assert (first.status, first.first) == (("ended", True) if expired else ("ok", False))
    assert (again.status, again.reason) == (("ended", "expired") if expired else ("ok", ""))


@pytest.mark.parametrize("mangle", [lambda t: t + "x", lambda t: t.replace(".", "..", 1), lambda t: "v1.a.9.b",
                                    lambda t: t.rsplit(".", 2)[0] + ".9999999999." + t.rsplit(".", 1)[1], str.upper,
                                    lambda t: ""])
def test_forged_tokens_are_refused(tmp_path, mangle):
    token = sessions.start("an", warehouse=tmp_path)
    assert sessions.check(mangle(token), warehouse=tmp_path).status == "invalid"
    assert sessions.check(token, warehouse=tmp_path).status == "ok"


def test_tokens_are_stored_hashed_and_revoked_on_logout(tmp_path):
    token = sessions.start("an", warehouse=tmp_path)
    with store.reading(warehouse=tmp_path) as conn:
        stored = conn.execute(store.login_session.select()).one()
    assert token.split(".")[1] not in json.dumps([str(v) for v in stored]) and len(stored.token_hash) == 64
    assert sessions.revoke(token, warehouse=tmp_path) and not sessions.revoke(token, warehouse=tmp_path)
    assert sessions.check(token, warehouse=tmp_path) == sessions.Check("ended", "an", "logout")


def test_an_expired_session_says_so(desk_env):
    token = sessions.start("canbo79", now=store.now() - sessions.idle_limit() - timedelta(minutes=1))
    at = app_test(session_token=token)
    assert _logged_in(at) is None and "session_token" not in at.session_state
    assert _notices(at) == ["Phiên đăng nhập đã hết hạn, vui lòng đăng nhập lại."]
    assert audit.read(desk_env[0], event="session_expired")["user_name"].tolist() == ["canbo79"]


def test_a_cookie_from_the_browser_is_a_login(desk_env, monkeypatch):
    from ui import auth as ui_auth
    token = sessions.start("canbo79")
    monkeypatch.setattr(ui_auth, "browser_token", lambda: token)  # what a reload or a new tab sends
    at = app_test()
    assert _logged_in(at) == "canbo79" and _desk_routed(at)
    sessions.revoke(token)
    at = app_test()  # another tab after logging out elsewhere: the same cookie, refused
    assert "session_token" not in at.session_state and not _desk_routed(at) and _notices(at) == []


@pytest.mark.parametrize("name, password, message", [
    ("canbo79", "sai-mat-khau", "Sai tên đăng nhập hoặc mật khẩu."),
    ("khong-co", "matkhau-canbo-1", "Sai tên đăng nhập hoặc mật khẩu."),
    ("canbo79", "", "Nhập tên đăng nhập và mật khẩu."),
])
def test_login_form_refuses(desk_env, name, password, message):
    at = app_test()
    at.text_input[0].input(name)
    at.text_input[1].input(password)
    at.button[0].click()
    rerun(at)
    assert [e.value for e in at.error] == [message]
    assert _logged_in(at) is None


def test_login_form_logs_in_and_out_with_audit_rows(desk_env):
    at = app_test()
    at.text_input[0].input("canbo79")
    at.text_input[1].input("matkhau-canbo-1")
    at.button[0].click()
    rerun(at)
    token = at.session_state["session_token"]
    assert _logged_in(at) == "canbo79" and _desk_routed(at)
    rerun(at)
    next(b for b in at.button if b.label == "Đăng xuất").click()
    rerun(at)
    assert _logged_in(at) is None and sessions.check(token).reason == "logout"
    assert audit.read(desk_env[0])["event"].tolist()[:2] == ["logout", "login"]
