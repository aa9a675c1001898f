"""Submission desk: accounts, permissions (also against crafted requests), annotated workbook, accept, history,
rollback, append-only audit log; page access in AppTest and the whole flow in Chromium with a real upload."""
import shutil

import openpyxl
import pytest
from streamlit.testing.v1 import AppTest

from core import audit
from core.auth import User, add_user, verify, wait_seconds
from core.db import Warehouse
from etl.annotate import annotate
from etl.desk import accept, changes, check_upload, roll_back
from etl.template import write_template
from tests.conftest import CORPUS, ROOT, fingerprint

OFFICER_38 = User("canbo38", "officer", "LDLD63_38")
OFFICER_01 = User("canbo01", "officer", "LDLD63_01")
ADMIN = User("quantri", "admin")


def test_accounts_hash_passwords_and_slow_down_guessing(tmp_path):
    path = tmp_path / "users.json"
    add_user("an", "matkhau-dai-1", "officer", "LDLD34_79", path)
    assert "matkhau-dai-1" not in path.read_text(encoding="utf-8")
    assert "$argon2" in path.read_text(encoding="utf-8")
    assert verify("an", "sai-mat-khau", path) is None
    assert wait_seconds("an", path) > 0
    assert verify("an", "matkhau-dai-1", path) is None  # even the right password waits after a failure
    with pytest.raises(ValueError):
        add_user("b", "ngan", "viewer", path=path)
    with pytest.raises(ValueError):
        add_user("c", "matkhau-dai-1", "officer", path=path)  # an officer needs a unit


def test_roles():
    assert OFFICER_38.can_submit("LDLD63_38") and not OFFICER_38.can_submit("LDLD63_01")
    assert ADMIN.can_submit("LDLD63_01") and ADMIN.can_rollback and not OFFICER_38.can_rollback
    assert not User("xem", "viewer").sees_desk


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
    log = warehouse / audit.AUDIT
    first = (CORPUS / "ok_baseline.xlsx").read_bytes()
    assert accept(first, "bao-cao.xlsx", OFFICER_38, warehouse).status == "accepted"
    v1 = Warehouse(warehouse).sql("select value from stg_value where unit_code='LDLD63_38' and indicator_code="
                                  "'member_female' and sector='TOTAL'").value[0]
    second = write_template(tmp_path / "v2.xlsx", "LDLD63_38", "N2021",
                            values={("member_female", "TOTAL", 2021): v1 + 100}).read_bytes()
    preview = check_upload(second, "bao-cao-sua.xlsx", OFFICER_38, warehouse)
    assert preview.changes.counts == {"new": 0, "changed": 1, "removed": 0, "unchanged": 0}
    before_log = log.read_text(encoding="utf-8")
    done = accept(second, "bao-cao-sua.xlsx", OFFICER_38, warehouse, note="sửa số đoàn viên nữ")
    assert done.status == "accepted" and done.version == 2
    assert log.read_text(encoding="utf-8").startswith(before_log)  # append-only
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
    events = audit.read(warehouse)["event"].tolist()
    assert events.count("accepted") == 2 and "rollback" in events and "upload" in events


# ---- the app ---------------------------------------------------------------------------------------------------
@pytest.fixture
def desk_env(demo_warehouse, tmp_path, monkeypatch):
    from ui import common
    wh = tmp_path / "wh"
    shutil.copytree(demo_warehouse[0], wh)
    users = tmp_path / "users.json"
    add_user("canbo79", "matkhau-canbo-1", "officer", "LDLD34_79", users)
    monkeypatch.setenv("CDCS_WAREHOUSE", str(wh))
    monkeypatch.setenv("CDCS_USERS", str(users))
    common.warehouse.clear()
    yield wh, users
    common.warehouse.clear()


def _app(user=None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    if user:
        at.session_state["user"] = user
        at.session_state["user_since"] = __import__("time").time()
    at.run()
    return at


def test_viewer_cannot_reach_the_desk(desk_env):
    at = _app()
    assert not at.exception
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("pages/submit.py")  # not even routed for a viewer


def test_desk_page_refuses_a_viewer_even_when_opened_directly(desk_env):
    at = AppTest.from_file(str(ROOT / "pages" / "submit.py"), default_timeout=60)
    at.session_state["user"] = User("xem", "viewer")
    at.session_state["user_since"] = __import__("time").time()
    at.run()
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
