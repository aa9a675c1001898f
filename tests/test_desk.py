"""Submission desk: permissions (also against crafted requests), annotated workbook, accept, history,
rollback, append-only audit log; page access, the administrator's audit log and who-loaded privacy in AppTest.
Accounts and logins: test_auth.py; the whole flow in Chromium: test_desk_browser.py."""

import openpyxl
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from core import audit
from core.auth import User
from core.db import Warehouse
from etl.annotate import annotate
from etl.desk import accept, changes, check_upload, roll_back
from etl.template import write_template
from tests.conftest import CORPUS, app_test, fingerprint

OFFICER_38 = User("canbo38", "officer", "LDLD63_38")
OFFICER_01 = User("canbo01", "officer", "LDLD63_01")
ADMIN = User("quantri", "admin")


def test_officer_cannot_submit_for_another_unit_even_by_crafting_the_file(warehouse):
    before = fingerprint(warehouse)
    data = (CORPUS / "ok_baseline.xlsx").read_bytes()  # a valid workbook of LDLD63_38
    result = check_upload(data, "../../etc/passwd.xlsx", OFFICER_01, warehouse)
    assert result.status == "rejected"
    f = next(f for f in result.findings if f.rule == "unit_not_allowed")
    assert f.whole_file and f.value == "LDLD63_38"  # a whole-file error, never the hidden _meta!B2
    assert "(LDLD63_38)" in f.message and "(LDLD63_01)" in f.message  # both units named
    assert result.file_name == "passwd.xlsx"  # the name is shown, never used as a path
    assert accept(data, "x.xlsx", OFFICER_01, warehouse).status == "rejected"
    assert fingerprint(warehouse) == before


def test_upload_rejects_other_types(warehouse):
    assert check_upload(b"MZ\x90\x00", "virus.exe", OFFICER_38, warehouse).findings[0].rule == "unsupported_type"


def test_annotated_workbook_marks_the_faulty_cells(warehouse):
    data = (CORPUS / "cards_gt_members.xlsx").read_bytes()
    result = check_upload(data, "cards_gt_members.xlsx", OFFICER_38, warehouse)
    wb = openpyxl.load_workbook(__import__("io").BytesIO(annotate(data, result.findings)))
    assert wb.sheetnames[0] == "Kết quả kiểm tra"
    cell = wb["I.1.3 Thẻ đoàn viên"]["F15"]
    assert cell.fill.fgColor.rgb.endswith("FFC7CE")
    assert "đoàn viên đã có thẻ lớn hơn" in cell.comment.text and "Cách sửa" in cell.comment.text
    assert wb["I.1.3 Thẻ đoàn viên"]["F14"].comment is None


def test_accept_history_changes_rollback_and_audit(warehouse, tmp_path):
    first = (CORPUS / "ok_baseline.xlsx").read_bytes()
    assert accept(first, "bao-cao.xlsx", OFFICER_38, warehouse).status == "accepted"
    v1 = Warehouse(warehouse).sql("select value from stg_value where unit_code='LDLD63_38' and indicator_code="
                                  "'member_female' and sector='TOTAL'").value[0]
    second = write_template(tmp_path / "v2.xlsx", "LDLD63_38", "N2021",
                            values={("member_female", "TOTAL", 2021): v1 + 100}).read_bytes()
    preview = check_upload(second, "bao-cao-sua.xlsx", OFFICER_38, warehouse)
    assert preview.changes.counts == {"new": 0, "changed": 1, "removed": 0, "unchanged": 0}
    before_log = audit.read(warehouse)
    done = accept(second, "bao-cao-sua.xlsx", OFFICER_38, warehouse, note="sửa số đoàn viên nữ")
    assert done.status == "accepted" and done.version == 2
    after_log = audit.read(warehouse)
    assert len(after_log) > len(before_log)  # append-only: the earlier rows are still there, unchanged
    assert after_log.tail(len(before_log)).reset_index(drop=True).equals(before_log)
    wh = Warehouse(warehouse)
    diff = changes(wh, "LDLD63_38", "N2021", 2)
    assert diff[["kind", "code", "status", "old_value", "new_value", "change"]].values.tolist() == [
        ["value", "member_female", "changed", v1, v1 + 100, 100]]
    with pytest.raises(PermissionError):
        roll_back(OFFICER_38, warehouse, "LDLD63_38", "N2021", 1, "muốn quay lại")
    with pytest.raises(ValueError):
        roll_back(ADMIN, warehouse, "LDLD63_38", "N2021", 1, " ")
    roll_back(ADMIN, warehouse, "LDLD63_38", "N2021", 1, "phiên bản 2 nhập nhầm")
    assert Warehouse(warehouse).sql("select value from mart_national where indicator_code='member_female' and "
                                    "sector='TOTAL' and year=2021").value[0] == v1 + 2600  # + Hà Nội's 2.600
    log = audit.read(warehouse)
    events = log["event"].tolist()
    assert events.count("accepted") == 2 and "rollback" in events and "upload" in events
    assert set(log[log["event"] != "rollback"]["user_name"]) == {"canbo38"}
    assert log[log["event"] == "rollback"][["user_name", "unit_code", "round_code"]].values.tolist() == [
        ["quantri", "LDLD63_38", "N2021"]]


# ---- the app ---------------------------------------------------------------------------------------------------
def _app(user=None) -> AppTest:
    return app_test(user)


def test_the_desk_link_asks_to_log_in_and_is_listed_only_for_officers(desk_env):
    """Anonymous: the desk's own link shows a login form (no figures, no upload); it is not in the menu."""
    at = _app()
    assert not at.exception
    at.switch_page("pages/submit.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == "Nộp báo cáo"
    assert [t.label for t in at.text_input] == ["Tên đăng nhập", "Mật khẩu"]  # the form in the page, above the fold
    assert not at.get("file_uploader") and not at.get("download_button")


def test_desk_page_refuses_a_viewer_even_when_opened_directly(desk_env):
    at = app_test(User("xem", "viewer"), page="pages/submit.py")
    assert at.title[0].value == "Không có quyền"


def test_officer_sees_the_desk_for_their_unit(desk_env):
    at = _app(User("canbo79", "officer", "LDLD34_79"))
    at.switch_page("pages/submit.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == "Nộp báo cáo"
    assert any("Liên đoàn Lao động thành phố Hồ Chí Minh" in m.value for m in at.markdown)


def test_upload_findings_fix_accept_visible_in_apptest(desk_env, tmp_path):
    """The officer's journey on the pre-filled template: three mistakes, the findings, the fix, accept, visible."""
    wh, _ = desk_env
    officer = User("canbo79", "officer", "LDLD34_79")
    current = Warehouse(wh).query("unit_values", unit="LDLD34_79", round="N2025")
    good = {(r.indicator_code, r.sector, int(r.year)): r.value for r in current.itertuples()}
    total = good[("member_end", "TOTAL", 2025)] + 1000
    good[("member_end", "TOTAL", 2025)] = total
    good[("member_end", "FDI", 2025)] += 1000  # a consistent correction: the sector row and the total
    bad = {**good, ("member_female", "TOTAL", 2025): total + 1, ("member_lost", "TOTAL", 2025): -5,
           ("training_courses", "TOTAL", 2025): "khoảng 2 triệu"}
    bad_bytes = write_template(tmp_path / "bad.xlsx", "LDLD34_79", "N2025", values=bad).read_bytes()
    good_bytes = write_template(tmp_path / "good.xlsx", "LDLD34_79", "N2025", values=good).read_bytes()
    mime = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

    at = _app(officer)
    at.switch_page("pages/submit.py")
    at.run()
    at.file_uploader[0].set_value(("bao-cao.xlsx", bad_bytes, mime))
    at.run()
    assert any("3 lỗi" in e.value for e in at.error), [e.value for e in at.error]
    shown = "".join(h.proto.body for h in at.get("html"))
    for name in ("Đoàn viên nữ không vượt tổng số", "Số âm", "Không phải là số"):  # Vietnamese rule names
        assert name in shown
    assert "member_female_le_total" not in shown and "not_a_number" not in shown  # never the codes
    assert "Đoàn viên nữ — năm 2025" in shown  # the indicator the cell holds
    assert not [b for b in at.button if b.label.startswith("✔")]  # nothing to accept while errors remain

    at.file_uploader[0].set_value(("bao-cao-da-sua.xlsx", good_bytes, mime))
    at.run()
    next(b for b in at.button if b.label.startswith("✔")).click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("Đã nhận: phiên bản" in s.value for s in at.success), [e.value for e in at.error]
    compared = next(e for e in at.expander if e.label == "So sánh hai phiên bản bất kỳ")  # two versions now
    assert any("khác nhau giữa phiên bản 1 và 2" in m.value for m in compared.markdown)

    at = _app(officer)
    at.session_state["tinh"] = ["34:79"]
    at.run()
    assert next(m.value for m in at.metric if m.label == "Đoàn viên") == f"{int(total):,}".replace(",", ".")


def test_viewers_must_log_in_when_the_setting_says_so(desk_env, monkeypatch):
    import core.config
    real = core.config.settings()
    monkeypatch.setattr(core.config, "settings", lambda: {**real, "auth": {**real["auth"], "viewers_must_login": True}})
    at = _app()
    assert at.title[0].value == "Đăng nhập"
    assert not at.metric  # no figures before logging in
    at = _app(User("xem", "viewer"))
    assert at.title[0].value == "Tổng quan"


def test_every_audit_event_has_a_vietnamese_name(tmp_path):
    from core.labels import AUDIT_EVENTS
    assert set(audit.EVENTS) == set(AUDIT_EVENTS)
    with pytest.raises(ValueError, match="unknown audit event"):
        audit.record("something_new", "x", warehouse=tmp_path)
    audit.record_cli("load_cli", warehouse=tmp_path, files=["a.xlsx"], unit="LDLD63_38", round="N2021")
    row = audit.read(tmp_path).iloc[0]
    assert (row.event, row.user_name, row.unit_code, row.round_code, row.details) == (
        "load_cli", audit.cli_actor(), "LDLD63_38", "N2021", {"files": ["a.xlsx"], "via": "cli"})


def test_admin_reads_the_audit_log_in_vietnamese(desk_env):
    from core import auth
    from core.labels import AUDIT_EVENTS, COLUMNS
    wh, _ = desk_env
    auth.login("quantri", "sai-mat-khau", "10.1.2.3")
    auth.disable_user("xem", by="quantri")
    at = _app(ADMIN)
    at.switch_page("pages/submit.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    log = next(d.value for d in at.dataframe if "Sự kiện" in d.value.columns)
    assert list(log.columns) == [COLUMNS[c] for c in ("at", "event", "user_name", "unit_code", "round_code", "details")]
    assert {AUDIT_EVENTS[e] for e in ("user_added", "login_failed", "user_disabled")} <= set(log["Sự kiện"])
    assert "địa chỉ máy: 10.1.2.3; lý do: sai tên hoặc mật khẩu" in set(log["Chi tiết"])


@pytest.mark.parametrize("user, sees_loader", [(None, False), (User("xem", "viewer"), False),
                                               (User("canbo79", "officer", "LDLD34_79"), False),
                                               (ADMIN, True)])
def test_progress_page_names_who_loaded_only_to_administrators(desk_env, user, sees_loader):
    at = _app(user)
    at.switch_page("pages/progress.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    shown = [c for d in at.dataframe for c in d.value.columns]
    exported = [c for t in at.session_state["_tables"].values() for c in t.columns]  # the CSV and ZIP files
    assert ("Người nạp" in shown, "Người nạp" in exported) == (sees_loader, sees_loader)
    assert "Thời điểm nhận" in shown


def test_the_prefilled_template_sent_back_changes_nothing(demo_warehouse):
    """Numbers, ratings and answers are all in the downloaded template: re-submitting it is 'unchanged' for every
    unit and round of the demo (re-submitting once wiped a unit's ratings and answers)."""
    from core.refdata import reference
    from etl.desk import prefill, template_for
    wh, ref, checked = Warehouse(demo_warehouse[0]), reference(), 0
    for unit in ("LDLD34_79", "CDN_GD", "LDLD63_15"):
        for rnd in [r for r in ref.rounds.index if unit in ref.expected_units(r)]:
            values, ratings, texts = prefill(wh, unit, rnd)
            assert values and ratings and texts, (unit, rnd)  # the demo gives every unit all three
            result = check_upload(template_for(wh, unit, rnd), "mau.xlsx", ADMIN, demo_warehouse[0])
            assert result.status == "unchanged", (unit, rnd, [f.message for f in result.errors])
            kinds = {c.kind for c in result.changes.items}
            assert kinds == {"value", "rating", "text"} and not result.changes.changes_anything
            checked += 1
    assert checked >= 10


def test_every_rule_has_a_vietnamese_name(ref):
    """Every rule the loader reports (MESSAGES, rules.csv) has a short Vietnamese name the desk shows instead of its
    code; every rule code written in etl/ and core/ has a message."""
    import re

    from core.config import ROOT
    from etl.findings import MESSAGES, RULE_NAMES, rule_name
    assert set(MESSAGES) <= set(RULE_NAMES)
    for rule in [*MESSAGES, *ref["rules"]["rule_id"]]:
        name = rule_name(rule)
        assert name != rule and not re.fullmatch(r"[a-z_]+", name), rule
    used = set()
    for path in [*(ROOT / "etl").glob("*.py"), *(ROOT / "core").glob("*.py")]:
        text = path.read_text(encoding="utf-8")
        used |= set(re.findall(r'(?:\.add|_reject|XlsxError|Bad)\(\s*"([a-z_]+)"', text))
        used |= set(re.findall(r'rule="([a-z_]+)"', text))
    assert used and used <= set(MESSAGES), used - set(MESSAGES)


def test_findings_name_the_indicator_the_cell_and_the_numbers(warehouse):
    from etl.desk import finding_rows
    result = check_upload((CORPUS / "cards_gt_members.xlsx").read_bytes(), "the.xlsx", OFFICER_38, warehouse)
    row = finding_rows(result.findings).iloc[0]
    assert (row["item"], row["where"], row["rule_name"]) == (
        "Đoàn viên đã có thẻ — năm 2021", "Trang 'I.1.3 Thẻ đoàn viên', ô F15", "Thẻ không vượt số đoàn viên")
    assert "195.121" in row["found_value"] and "195.111" in row["expected"] and "ô F15 trang 'I.1.2" in row["expected"]
    missing = check_upload((CORPUS / "missing_sheet.xlsx").read_bytes(), "m.xlsx", OFFICER_38, warehouse)
    assert finding_rows(missing.findings)["where"].tolist() == ["Cả tệp"]  # a whole-file error, worded as such


def test_the_cell_most_likely_changed_is_the_one_pointed_at(warehouse, tmp_path):
    """Cards > members after a correction of the members only: the members cell is marked, with both numbers."""
    base = {("member_end", "TOTAL", 2021): 1000, ("card_holders", "TOTAL", 2021): 900}
    assert accept(write_template(tmp_path / "a.xlsx", "LDLD63_38", "N2021", values=base).read_bytes(), "a.xlsx",
                  OFFICER_38, warehouse).status == "accepted"
    lower = write_template(tmp_path / "b.xlsx", "LDLD63_38", "N2021",
                           values={**base, ("member_end", "TOTAL", 2021): 800}).read_bytes()
    f = check_upload(lower, "b.xlsx", OFFICER_38, warehouse).errors[0]
    assert (f.rule, f.sheet, f.item) == ("card_le_members", "I.1.2 Đoàn viên", "Đoàn viên cuối kỳ — năm 2021")
    assert "900" in f.value and "800" in f.expected


def test_the_returned_workbook_never_warns_about_itself(warehouse):
    """The annotated copy sent back unchanged gives the same findings: its own 'Kết quả kiểm tra' sheet adds none."""
    data = (CORPUS / "cards_gt_members.xlsx").read_bytes()
    first = check_upload(data, "a.xlsx", OFFICER_38, warehouse)
    again = check_upload(annotate(data, first.findings), "danh-dau_a.xlsx", OFFICER_38, warehouse)
    assert [(f.rule, f.sheet, f.cell) for f in again.findings] == [(f.rule, f.sheet, f.cell) for f in first.findings]


def test_exact_file_received_is_kept_for_every_version(warehouse, tmp_path):
    from core import received
    data = (CORPUS / "ok_baseline.xlsx").read_bytes()
    done = accept(data, "../../bao cao.xlsx", OFFICER_38, warehouse)
    assert received.get(done.sha256, warehouse=warehouse) == data
    assert received.kept([done.sha256, "0" * 64], warehouse=warehouse) == {done.sha256}
    assert not (warehouse / "received").exists()  # bytes in the state store, keyed by hash; no path from a name


def test_a_late_correction_makes_the_round_late(warehouse, tmp_path):
    """Submitted on time, corrected after the deadline: 'late', and said so (is_late_correction)."""
    from datetime import datetime
    from etl.load import load_files
    v1 = write_template(tmp_path / "v1.xlsx", "LDLD63_38", "N2021", values={("member_end", "TOTAL", 2021): 10})
    v2 = write_template(tmp_path / "v2.xlsx", "LDLD63_38", "N2021", values={("member_end", "TOTAL", 2021): 11})
    load_files([v1], warehouse, received_at={"v1.xlsx": datetime(2022, 1, 20)}, progress=False)
    status = lambda: Warehouse(warehouse).sql(  # noqa: E731
        "select status, is_late_correction from mart_round_status where unit_code='LDLD63_38' and round_code='N2021'"
    ).iloc[0].tolist()
    assert status() == ["on_time", False]
    load_files([v2], warehouse, received_at={"v2.xlsx": datetime(2022, 2, 5)}, progress=False)
    assert status() == ["late", True]


def test_compare_any_two_versions(warehouse, tmp_path):
    from etl.desk import compare_versions
    from etl.load import load_files
    files = [write_template(tmp_path / f"v{i}.xlsx", "LDLD63_38", "N2021", values=v) for i, v in enumerate([
        {("member_end", "TOTAL", 2021): 10, ("member_new", "TOTAL", 2021): 2},
        {("member_end", "TOTAL", 2021): 12},
        {("member_end", "TOTAL", 2021): 10, ("member_new", "TOTAL", 2021): "xóa", ("member_lost", "TOTAL", 2021): 1}],
        start=1)]
    for f in files:
        assert load_files([f], warehouse, progress=False).files[0].status == "accepted"
    wh = Warehouse(warehouse)
    rows = lambda v: wh.query("version_rows", submission=f"LDLD63_38/N2021/v{v}")  # noqa: E731
    cmp = compare_versions(rows(1), rows(3))  # not adjacent
    got = {c: (a, b, k) for c, a, b, k in cmp[["code", "given_a", "given_b", "comparison"]].itertuples(index=False)}
    assert set(got) == {"member_new", "member_lost"}  # member_end is 10 in both: left out
    assert (got["member_new"][0], got["member_new"][1], got["member_new"][2]) == (2, "xóa", "differs")
    assert pd.isna(got["member_lost"][0]) and got["member_lost"][1:] == (1, "only_b")
    texts = write_template(tmp_path / "t.xlsx", "LDLD63_38", "N2021", values={("member_end", "TOTAL", 2021): 10},
                           texts={"II.4.4": "Số hóa quản lý đoàn viên"})
    assert load_files([texts], warehouse, progress=False).files[0].status == "accepted"
    mixed = compare_versions(rows(2), rows(4))  # numbers only against numbers and an answer
    assert set(zip(mixed["kind"], mixed["comparison"])) == {("value", "differs"), ("text", "only_b")}


def test_reminders_reach_a_local_smtp_server(desk_env):
    """The Vietnamese reminder of a missing unit, sent through a debugging SMTP server started here on 127.0.0.1
    (aiosmtpd; bounded and stopped by the test)."""
    import time
    from datetime import date

    from aiosmtpd.controller import Controller

    from etl import remind
    from tests.browser import free_port

    class Keep:
        def __init__(self):
            self.got = []

        async def handle_DATA(self, server, session, envelope):
            self.got.append(envelope)
            return "250 OK"

    wh, _ = desk_env
    status = Warehouse(wh).query("round_status")
    todo = status[(status["round_code"] == "N2025") & (status["status"] != "on_time")]
    drafts = remind.draft("N2025", todo, date(2026, 2, 10), "https://thongke.example/nop-bao-cao")
    assert drafts and all("@" in d.to for d in drafts)
    missing = next(d for d in drafts if d.unit_code in set(todo[todo["status"] == "missing"]["unit_code"]))
    assert "chưa nhận được Báo cáo năm 2025" in missing.body and "đã quá hạn 10 ngày" in missing.body
    handler = Keep()
    server = Controller(handler, hostname="127.0.0.1", port=free_port(), ready_timeout=10)
    server.start()
    try:
        cfg = remind.SmtpConfig("127.0.0.1", server.port, "none", "thongke@congdoan.example", timeout=10)
        sent = remind.send(drafts, cfg)
        deadline = time.monotonic() + 10
        while len(handler.got) < len(drafts) and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        server.stop()
    assert sent == {d.unit_code: "" for d in drafts}
    assert sorted(e.rcpt_tos[0] for e in handler.got) == sorted(d.to for d in drafts)
    import email
    msg = email.message_from_bytes(handler.got[0].original_content, policy=email.policy.default)
    assert msg["Subject"] in {d.subject for d in drafts} and "Kính gửi" in msg.get_content()
    refused = remind.send(drafts[:1], remind.SmtpConfig("127.0.0.1", free_port(), "none", "a@b.c", timeout=2))
    assert "không gửi được" in refused[drafts[0].unit_code]  # no server: said in words, never raised


def test_an_expired_login_keeps_the_checked_files_until_the_officer_logs_in_again(desk_env, tmp_path):
    """The session ends while a checked file waits: the desk says 'phiên đăng nhập đã hết hạn' in Vietnamese, keeps
    the file, asks for the login on the page itself, and after it shows the file again, ready to accept."""
    from core import sessions
    wh, _ = desk_env
    officer = User("canbo79", "officer", "LDLD34_79")
    from etl.desk import prefill
    values, _, _ = prefill(Warehouse(wh), "LDLD34_79", "N2025")
    values = {k: v + 10 if k[0] == "member_end" and k[1] in ("TOTAL", "FDI") else v for k, v in values.items()}
    data = write_template(tmp_path / "f.xlsx", "LDLD34_79", "N2025", values=values).read_bytes()
    at = _app(officer)
    at.switch_page("pages/submit.py")
    at.run()
    at.file_uploader[0].set_value(("bao-cao.xlsx", data, "application/octet-stream"))
    at.run()
    assert [b for b in at.button if b.label.startswith("✔")]
    sessions.revoke(at.session_state["session_token"], "expired", warehouse=wh)  # idle too long
    at.switch_page("pages/submit.py")  # the next click on the desk (AppTest needs the page named again)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("Phiên đăng nhập đã hết hạn" in w.value for w in at.warning)
    assert any("1 tệp đã kiểm tra vẫn được giữ" in i.value for i in at.info)
    at.text_input(key="desk_login_name").set_value("canbo79")
    at.text_input(key="desk_login_password").set_value("matkhau-canbo-1")
    next(b for b in at.button if b.label == "Đăng nhập").click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == "Nộp báo cáo"  # landed on the desk
    assert any("trước khi phiên đăng nhập hết hạn" in i.value for i in at.info)  # the kept file, ready to accept
    next(b for b in at.button if b.label.startswith("✔")).click()
    at.run()
    assert any("Đã nhận: phiên bản" in s.value for s in at.success), [e.value for e in at.error]


def test_a_snapshot_built_by_older_models_is_said_and_the_desk_still_opens(desk_env):
    """After an upgrade without `etl rebuild`: every page says so, and the desk opens without a column it lacks."""
    import duckdb

    from core.snapshots import current
    from core.auth import User
    wh, _ = desk_env
    con = duckdb.connect(str(current(wh).path))
    con.execute("update snapshot_info set models_hash = 'an-older-build'")
    con.execute("create or replace table mart_round_status as select * exclude (is_late_correction) from mart_round_status")
    con.close()
    import streamlit as st
    st.cache_data.clear()  # the same snapshot id as the copies earlier tests read, changed in place here
    at = _app(User("canbo79", "officer", "LDLD34_79"))
    assert any("phiên bản trước của chương trình" in w.value for w in at.warning)
    at.switch_page("pages/submit.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert not [e.value for e in at.error], [e.value for e in at.error]
