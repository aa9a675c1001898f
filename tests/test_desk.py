"""Submission desk: permissions (also against crafted requests), annotated workbook, accept, history,
rollback, append-only audit log; page access, the administrator's audit log and who-loaded privacy in AppTest.
Accounts and logins: test_auth.py; the whole flow in Chromium: test_desk_browser.py."""

import openpyxl
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
    assert (f.sheet, f.cell, f.value) == ("_meta", "B2", "LDLD63_38")
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


def test_viewer_cannot_reach_the_desk(desk_env):
    at = _app()
    assert not at.exception
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("pages/submit.py")  # not even routed for a viewer


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
    findings = at.dataframe[0].value
    assert set(findings["Quy tắc"]) >= {"member_female_le_total", "negative", "not_a_number"}
    assert not [b for b in at.button if b.label.startswith("✔")]  # nothing to accept while errors remain

    at.file_uploader[0].set_value(("bao-cao-da-sua.xlsx", good_bytes, mime))
    at.run()
    next(b for b in at.button if b.label.startswith("✔")).click()
    at.run()
    assert any("Đã nhận: phiên bản" in s.value for s in at.success), [e.value for e in at.error]

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
