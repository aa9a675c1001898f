"""The data officer's whole path in Chromium, as a new user would take it: log in, download the unit's template,
upload it with three mistakes, read the findings and the returned workbook, fix, accept, see the dashboard;
the login kept across a reload, a second tab and a bookmark until logout revokes it on the server; the pre-filled
template sent back changes nothing; findings named in Vietnamese at 1440 px and on a phone; the administrator's
approval, closing, a refused change and a reopening with its reason, all in the audit log."""
import io
import os
import shutil

import openpyxl
import pytest

from core import audit
from core.auth import add_user
from tests.test_browser import SHOTS, _ready

pytestmark = pytest.mark.browser
if not os.path.exists("/usr/bin/chromium"):
    pytest.skip("Debian chromium is not installed (make test installs it)", allow_module_level=True)


@pytest.fixture(scope="module")
def desk_server(demo_warehouse, tmp_path_factory):
    base = tmp_path_factory.mktemp("desk")
    wh = base / "wh"
    shutil.copytree(demo_warehouse[0], wh)
    add_user("canbo79", "matkhau-canbo-1", "officer", "LDLD34_79", by="test", warehouse=wh)
    add_user("quantri", "matkhau-quantri-1", "admin", by="test", warehouse=wh)
    from tests.browser import serve
    with serve(wh) as (url, proc):
        desk_server_pid[0] = proc.pid
        yield url, wh, base


desk_server_pid = [0]


def _row(ws, code, sector="TOTAL"):
    return next(r[0].row for r in ws.iter_rows(min_row=5) if r[0].value == code and r[1].value == sector)


def test_officer_fixes_three_mistakes_and_sees_the_figures(desk_server):
    from tests.browser import browser
    url, wh, base = desk_server
    SHOTS.mkdir(exist_ok=True)
    before = audit.read(wh, limit=1)
    first_id = int(before["id"].iloc[0]) if len(before) else 0  # the server is shared by this module's tests
    with browser() as b:
        ctx = b.new_context(viewport={"width": 1440, "height": 2200}, accept_downloads=True, locale="vi-VN")
        page = ctx.new_page()
        page.set_default_timeout(60_000)
        page.goto(url + "/")
        _ready(page)
        assert page.get_by_test_id("stSidebarNavItems").get_by_role("link", name="Nộp báo cáo").count() == 0
        page.get_by_text("Đăng nhập").first.click()
        page.get_by_label("Tên đăng nhập").fill("canbo79")
        page.get_by_label("Mật khẩu").fill("matkhau-canbo-1")
        page.get_by_role("button", name="Đăng nhập").click()
        desk = page.get_by_test_id("stSidebarNavItems").get_by_role("link", name="Nộp báo cáo")
        desk.wait_for()
        desk.click()
        _ready(page)
        with page.expect_download() as d:
            page.get_by_text("Tải mẫu Excel của đơn vị").click()
        template = base / "mau.xlsx"
        d.value.save_as(template)

        wb = openpyxl.load_workbook(template)
        members, cards = wb["I.1.2 Đoàn viên"], wb["I.1.3 Thẻ đoàn viên"]
        end, fdi = _row(members, "member_end"), _row(members, "member_end", "FDI")
        old_end = members.cell(end, 6).value
        assert old_end, "the template comes pre-filled with the unit's current figures"
        members.cell(end, 6).value = old_end + 1000
        members.cell(fdi, 6).value = members.cell(fdi, 6).value + 1000
        good = {(members.title, _row(members, "member_female")): members.cell(_row(members, "member_female"), 6).value,
                (members.title, _row(members, "member_new")): members.cell(_row(members, "member_new"), 6).value,
                (cards.title, _row(cards, "card_holders")): cards.cell(_row(cards, "card_holders"), 6).value}
        members.cell(_row(members, "member_female"), 6).value = old_end + 5000  # women > members
        members.cell(_row(members, "member_new"), 6).value = -5                # negative
        cards.cell(_row(cards, "card_holders"), 6).value = "khoảng 2 triệu"     # text in a number cell
        bad = base / "bao-cao-loi.xlsx"
        wb.save(bad)

        page.locator("input[type=file]").set_input_files(str(bad))
        page.get_by_text("3 lỗi").wait_for()
        page.screenshot(path=str(SHOTS / "nop-bao-cao-loi.png"))
        with page.expect_download() as d:
            page.get_by_text("Tải lại tệp đã đánh dấu ô lỗi").click()
        marked = openpyxl.load_workbook(io.BytesIO(open(d.value.path(), "rb").read()))
        flagged = {(ws.title, c.coordinate) for ws in marked.worksheets for row in ws.iter_rows() for c in row
                   if c.comment is not None}
        assert flagged == {(sheet, f"F{r}") for sheet, r in good}

        fixed_wb = openpyxl.load_workbook(bad)  # fix exactly the marked cells
        for (sheet, r), value in good.items():
            fixed_wb[sheet].cell(r, 6).value = value
        fixed = base / "bao-cao-da-sua.xlsx"
        fixed_wb.save(fixed)
        page.locator("input[type=file]").set_input_files(str(fixed))
        page.get_by_role("button", name="Nộp và công bố").click()
        page.get_by_text("Đã nhận: phiên bản").wait_for()
        page.screenshot(path=str(SHOTS / "nop-bao-cao-da-nhan.png"))

        page.goto(f"{url}/?tinh=34:79")
        _ready(page)
        expected = f"{old_end + 1000:,}".replace(",", ".")
        page.get_by_text(expected, exact=True).first.wait_for(timeout=30_000)
        ctx.close()
    log = audit.read(wh)
    log = log[log["id"] > first_id]  # what this test did (the server is shared by this module's tests)
    assert {"login", "upload", "rejected", "accepted"} <= set(log["event"])
    assert set(log[log["event"] != "user_added"]["user_name"]) == {"canbo79"}


def _logged_in(page) -> bool:
    """Whether the page, once its run is over, routes the desk (only a logged-in officer has it)."""
    _ready(page)
    return page.get_by_test_id("stSidebarNavItems").get_by_role("link", name="Nộp báo cáo").count() == 1


def test_login_survives_reload_second_tab_and_bookmark_until_logout(desk_server):
    from core import sessions
    from tests.browser import browser
    url, wh, _ = desk_server
    with browser() as b:
        ctx = b.new_context(viewport={"width": 1440, "height": 1600}, locale="vi-VN")
        page = ctx.new_page()
        page.set_default_timeout(60_000)
        page.goto(url + "/")
        _ready(page)
        page.get_by_text("Đăng nhập").first.click()
        page.get_by_label("Tên đăng nhập").fill("canbo79")
        page.get_by_label("Mật khẩu").fill("matkhau-canbo-1")
        page.get_by_role("button", name="Đăng nhập").click()
        page.get_by_test_id("stSidebarNavItems").get_by_role("link", name="Nộp báo cáo").wait_for()
        page.wait_for_function(f"() => document.cookie.includes('{sessions.COOKIE}=v1.')")
        cookie = next(c for c in ctx.cookies() if c["name"] == sessions.COOKIE)
        assert (cookie["path"], cookie["sameSite"], cookie["secure"]) == ("/", "Strict", False)  # Secure on https
        assert cookie["expires"] > __import__("time").time() + 11 * 3600
        assert sessions.check(cookie["value"], warehouse=wh).user_name == "canbo79"

        page.reload()
        assert _logged_in(page), "a reload keeps the login"
        second = ctx.new_page()
        second.goto(url + "/tien-do")  # a second tab, opened from a bookmark
        assert _logged_in(second), "a second tab shares the login"

        page.get_by_text("canbo79 — Cán bộ nhập liệu của đơn vị").click()
        page.get_by_role("button", name="Đăng xuất").click()
        page.get_by_text("Đăng nhập").first.wait_for()
        page.wait_for_function(f"() => !document.cookie.includes('{sessions.COOKIE}=')")
        assert sessions.check(cookie["value"], warehouse=wh).reason == "logout"  # revoked on the server
        second.reload()
        assert not _logged_in(second), "the other tab is logged out too"
        ctx.add_cookies([{**cookie}])  # an old copy of the cookie is worth nothing now
        third = ctx.new_page()
        third.goto(url + "/")
        assert not _logged_in(third)
        ctx.close()


def test_the_worst_uploads_leave_the_server_answering(desk_server, tmp_path):
    """An officer uploads the zip bomb, the shared-strings bomb, the XFD1048576 workbook and two broken CSVs: each gets
    its Vietnamese verdict, the server's memory barely moves (nothing is parsed in it), and it keeps answering."""
    import urllib.request

    import psutil

    from tests.browser import browser
    from tests.hostile.generate import build
    url, wh, _ = desk_server
    files = [build(name, tmp_path) for name in
             ("zip_bomb_sheet", "shared_strings_bomb", "cell_xfd1048576", "csv_field_over_128kb", "csv_5000_unknown_units")]
    server = psutil.Process(desk_server_pid[0])
    rss_before = server.memory_info().rss
    with browser() as b:
        page = b.new_page(viewport={"width": 1440, "height": 2400}, locale="vi-VN")
        page.set_default_timeout(120_000)
        page.goto(url + "/")
        _ready(page)
        page.get_by_text("Đăng nhập").first.click()
        page.get_by_label("Tên đăng nhập").fill("canbo79")
        page.get_by_label("Mật khẩu").fill("matkhau-canbo-1")
        page.get_by_role("button", name="Đăng nhập").click()
        page.get_by_test_id("stSidebarNavItems").get_by_role("link", name="Nộp báo cáo").click()
        _ready(page)
        page.locator("input[type=file]").set_input_files([str(f) for f in files])
        for f in files:  # each gets its verdict (the workbooks are another unit's: refused for this officer too)
            page.get_by_text(f"{f.name}: ").filter(has_text="lỗi").first.wait_for()
        page.screenshot(path=str(SHOTS / "nop-bao-cao-tep-doc-hai.png"), full_page=True)
        assert page.get_by_text("Traceback").count() == 0
    grew = (server.memory_info().rss - rss_before) / 2**20
    assert grew < 150, f"the server grew by {grew:.0f} MB"
    assert urllib.request.urlopen(url + "/_stcore/health", timeout=10).read() == b"ok"


def _login_at_the_desk(page, url, name, password):
    """Open the desk by its own link, log in with the form it shows, and land on the desk."""
    page.goto(url + "/nop-bao-cao")
    _ready(page)
    page.get_by_test_id("stMain").get_by_label("Tên đăng nhập").fill(name)
    page.get_by_test_id("stMain").get_by_label("Mật khẩu").fill(password)
    page.get_by_test_id("stMain").get_by_role("button", name="Đăng nhập").click()
    page.get_by_text("1. Tải mẫu").wait_for()
    _ready(page)


def _scroll_to(page, text):
    page.get_by_text(text).first.scroll_into_view_if_needed()
    page.wait_for_timeout(300)


def test_prefilled_template_changes_nothing_and_findings_are_named_on_any_screen(desk_server):
    """Downloaded and sent straight back, the template is 'unchanged'; a faulty copy shows each finding with the
    indicator's name, the sheet and cell and the rule's Vietnamese name (never its code), readable at 1440 px and
    on a 390 px phone."""
    from tests.browser import browser
    url, wh, base = desk_server
    SHOTS.mkdir(exist_ok=True)
    with browser() as b:
        for width, height in ((1440, 900), (390, 844)):
            ctx = b.new_context(viewport={"width": width, "height": height}, accept_downloads=True, locale="vi-VN")
            page = ctx.new_page()
            page.set_default_timeout(60_000)
            _login_at_the_desk(page, url, "canbo79", "matkhau-canbo-1")
            page.screenshot(path=str(SHOTS / f"nop-bao-cao-{width}.png"))
            if width == 1440:  # a file over max_file_mb is refused by the browser before it is sent, in Vietnamese
                big = base / "qua-lon.xlsx"
                big.write_bytes(b"PK\x03\x04" + bytes(21_000_000))
                uploads = len(audit.read(wh, event="upload"))
                page.locator("input[type=file]").set_input_files(str(big))
                chip = page.locator("[data-testid='stFileChip'][aria-invalid='true']")
                chip.wait_for()
                said = chip.evaluate("c => getComputedStyle(c.children[1].lastElementChild, '::after').content")
                assert "không gửi lên: lớn hơn 20 MB" in said
                page.wait_for_timeout(1000)
                assert len(audit.read(wh, event="upload")) == uploads  # never reached the server
                chip.get_by_role("button").click()  # remove it
            with page.expect_download() as d:
                page.get_by_text("Tải mẫu Excel của đơn vị").click()
            template = base / f"mau-{width}.xlsx"
            d.value.save_as(template)
            page.locator("input[type=file]").set_input_files(str(template))
            page.get_by_text("nộp tệp này không thay đổi gì").wait_for()
            assert page.get_by_role("button", name="Nộp và công bố").count() == 0

            wb = openpyxl.load_workbook(template)
            members = wb["I.1.2 Đoàn viên"]
            female, end = _row(members, "member_female"), _row(members, "member_end")
            members.cell(female, 6).value = members.cell(end, 6).value + 7
            bad = base / f"nu-lon-hon-{width}.xlsx"
            wb.save(bad)
            page.locator("input[type=file]").set_input_files(str(bad))
            page.get_by_text("chưa nộp được").first.wait_for()
            _ready(page)
            card = page.locator(".cdcs-finding").first
            assert "Đoàn viên nữ — năm 2025" in card.inner_text()
            assert "Đoàn viên nữ không vượt tổng số" in card.inner_text()
            assert f"ô F{female}" in card.inner_text() and "Cách sửa" in card.inner_text()
            text = page.get_by_test_id("stMain").inner_text()
            assert "member_female_le_total" not in text and "Drag and drop" not in text
            box = card.bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= width  # nothing cut off at the right
            card.scroll_into_view_if_needed()
            page.screenshot(path=str(SHOTS / f"nop-bao-cao-loi-{width}.png"))
            ctx.close()


def test_approval_closing_refused_change_and_reopening_are_audited(desk_server):
    """The administrator approves a unit's round, closes the round, an upload for it is refused by the loader with a
    finding naming the round, the round is reopened with a reason; every step is in the audit log, which renders."""
    from tests.browser import browser
    url, wh, base = desk_server
    with browser() as b:
        ctx = b.new_context(viewport={"width": 1440, "height": 900}, accept_downloads=True, locale="vi-VN")
        page = ctx.new_page()
        page.set_default_timeout(60_000)
        _login_at_the_desk(page, url, "quantri", "matkhau-quantri-1")
        page.get_by_test_id("stMain").get_by_test_id("stSelectbox").first.click()
        page.keyboard.type("LDLD34_79")
        page.get_by_role("option", name="Liên đoàn Lao động thành phố Hồ Chí Minh (LDLD34_79)").click()
        page.get_by_test_id("stMain").get_by_text("Liên đoàn Lao động thành phố Hồ Chí Minh (LDLD34_79)", exact=True) \
            .filter(visible=True).first.wait_for()  # the approval block names the unit chosen
        _ready(page)
        page.get_by_role("button", name="Duyệt số liệu").click()
        page.get_by_text("Đã duyệt phiên bản đang dùng").wait_for()
        _ready(page)
        page.get_by_text("Tôi hiểu: sau khi chốt").click()
        page.get_by_role("button", name="Chốt số liệu kỳ này").click()
        page.get_by_text("Đã chốt ngày").first.wait_for()
        _ready(page)

        with page.expect_download() as d:
            page.get_by_text("Tải mẫu Excel của đơn vị").click()
        template = base / "mau-chot.xlsx"
        d.value.save_as(template)
        wb = openpyxl.load_workbook(template)
        members = wb["I.1.2 Đoàn viên"]
        members.cell(_row(members, "member_new"), 6).value = members.cell(_row(members, "member_new"), 6).value + 1
        changed = base / "sua-sau-chot.xlsx"
        wb.save(changed)
        page.locator("input[type=file]").set_input_files(str(changed))
        page.get_by_text("Kỳ báo cáo đã chốt").first.wait_for()  # the rule's Vietnamese name on the card
        assert "Báo cáo năm 2025 (N2025) đã chốt số liệu" in page.locator(".cdcs-finding").first.inner_text()
        _scroll_to(page, "4. Duyệt và chốt số liệu")
        page.screenshot(path=str(SHOTS / "nop-bao-cao-da-chot.png"))

        page.get_by_label("Lý do mở lại (bắt buộc)").fill("LĐLĐ TP.HCM bổ sung số kết nạp mới")
        page.get_by_role("button", name="Mở lại kỳ").click()
        page.get_by_role("button", name="Chốt số liệu kỳ này").wait_for()
        _ready(page)
        _scroll_to(page, "6. Nhật ký thao tác")
        log_view = page.get_by_test_id("stDataFrame").last
        assert log_view.is_visible()
        page.screenshot(path=str(SHOTS / "nop-bao-cao-nhat-ky.png"))
        assert page.locator("[data-testid='stException']").count() == 0
        ctx.close()
    log = audit.read(wh)
    mine = log[log["user_name"] == "quantri"]
    events = mine["event"].tolist()[::-1]  # oldest first
    steps = [e for e in events if e in ("unit_approved", "round_closed", "rejected", "round_reopened")]
    assert steps == ["unit_approved", "round_closed", "rejected", "round_reopened"]
    refused = mine[mine["event"] == "rejected"].iloc[0]
    assert refused.details["rules"] == ["round_closed"] and refused.round_code == "N2025"
    assert mine[mine["event"] == "round_reopened"].iloc[0].details["reason"] == "LĐLĐ TP.HCM bổ sung số kết nạp mới"


def test_an_expired_session_keeps_the_checked_file_for_the_next_login(desk_server):
    """The session ends (idle) while a checked file waits: at the next click the desk says so in Vietnamese, keeps the
    file, and after logging in again on the page the file is there with its accept button."""
    from core import sessions
    from tests.browser import browser
    url, wh, base = desk_server
    with browser() as b:
        ctx = b.new_context(viewport={"width": 1440, "height": 900}, accept_downloads=True, locale="vi-VN")
        page = ctx.new_page()
        page.set_default_timeout(60_000)
        _login_at_the_desk(page, url, "canbo79", "matkhau-canbo-1")
        with page.expect_download() as d:
            page.get_by_text("Tải mẫu Excel của đơn vị").click()
        template = base / "mau-het-phien.xlsx"
        d.value.save_as(template)
        wb = openpyxl.load_workbook(template)
        members = wb["I.1.2 Đoàn viên"]
        for sector in ("TOTAL", "FDI"):  # a consistent correction: the sector row and the total
            r = _row(members, "member_new", sector)
            members.cell(r, 6).value = members.cell(r, 6).value + 3
        changed = base / "het-phien.xlsx"
        wb.save(changed)
        page.locator("input[type=file]").set_input_files(str(changed))
        page.get_by_role("button", name="Nộp và công bố").wait_for()
        cookie = next(c for c in ctx.cookies() if c["name"] == sessions.COOKIE)
        sessions.revoke(cookie["value"], "expired", warehouse=wh)  # idle past idle_minutes
        page.get_by_label("Ghi chú").fill("bổ sung 3 đoàn viên kết nạp")
        page.get_by_label("Ghi chú").press("Enter")  # the next page run, as any click would cause
        page.get_by_test_id("stMain").get_by_text("Phiên đăng nhập đã hết hạn").wait_for()
        page.get_by_text("1 tệp đã kiểm tra vẫn được giữ").wait_for()
        page.get_by_test_id("stMain").get_by_label("Tên đăng nhập").fill("canbo79")
        page.get_by_test_id("stMain").get_by_label("Mật khẩu").fill("matkhau-canbo-1")
        page.get_by_test_id("stMain").get_by_role("button", name="Đăng nhập").click()
        page.get_by_text("trước khi phiên đăng nhập hết hạn").wait_for()  # landed on the desk, the file kept
        assert page.get_by_text("het-phien.xlsx: không có lỗi").count() == 1
        page.get_by_role("button", name="Nộp và công bố").click()
        page.get_by_text("Đã nhận: phiên bản").wait_for()
        ctx.close()
