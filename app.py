"""Entry point: page router and the shared filter sidebar (bound to the URL), nothing else."""
import logging
import os
import uuid

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

from core.config import DATA
from core.filters import UNIT_TYPES
from core.labels import VIEWS, province_option, region_labels, sector_labels, unit_type_short, vn_sort_key
from core.refdata import TOTAL
from core.config import settings
from ui import style, urlstate
from ui.auth import current_user, login_box
from ui.common import EXPLORE_DEFAULT, MAP_INDICATORS, ROWS, YEARS, no_warehouse, q

# pages/ is routed by st.navigation below, not Streamlit's old folder-based pages (see ui/serve.py).
PagesManager.uses_pages_directory = False
st.set_page_config(page_title="Thống kê công đoàn cơ sở", page_icon=str(DATA / "favicon.png"), layout="wide")

PAGES = {
    "Tổng hợp": [
        st.Page("pages/overview.py", title="Tổng quan", icon=":material/home:", default=True),  # served at /
        st.Page("pages/explore.py", title="Tra cứu số liệu", icon=":material/table_view:", url_path="tra-cuu"),
        st.Page("pages/unit.py", title="Hồ sơ đơn vị", icon=":material/apartment:", url_path="don-vi"),
    ],
    "I. Thực trạng CĐCS": [
        st.Page("pages/cadres.py", title="Cán bộ công đoàn", icon=":material/groups:", url_path="can-bo"),
        st.Page("pages/members.py", title="Đoàn viên", icon=":material/trending_up:", url_path="doan-vien"),
        st.Page("pages/cards.py", title="Thẻ đoàn viên", icon=":material/badge:", url_path="the-doan-vien"),
        st.Page("pages/organisation.py", title="Tổ chức CĐCS", icon=":material/account_tree:", url_path="to-chuc"),
        st.Page("pages/ratings.py", title="Xếp loại", icon=":material/military_tech:", url_path="xep-loai"),
        st.Page("pages/finance.py", title="Tài chính", icon=":material/payments:", url_path="tai-chinh"),
    ],
    "II. Ý kiến": [
        st.Page("pages/opinions.py", title="Ý kiến, kiến nghị", icon=":material/forum:", url_path="y-kien"),
    ],
    "Dữ liệu": [
        st.Page("pages/report.py", title="Báo cáo tổng hợp", icon=":material/print:", url_path="bao-cao"),
        st.Page("pages/sources.py", title="Nguồn của số liệu", icon=":material/find_in_page:", url_path="nguon-so-lieu"),
        st.Page("pages/progress.py", title="Tiến độ & chất lượng dữ liệu", icon=":material/fact_check:", url_path="tien-do"),
        st.Page("pages/methods.py", title="Phương pháp & nguồn", icon=":material/menu_book:", url_path="phuong-phap"),
    ],
}


def register_url_fields() -> None:
    """Which widget keys live in the URL, with their codes (pages register their own as well)."""
    regions = list(q("dim_region")["region_code"])
    provinces = set(q("dim_province")["province_key"])
    sectors = [TOTAL] + list(q("dim_sector")["sector_code"])
    urlstate.register("nam", urlstate.year_range(*YEARS), urlstate.years, YEARS)
    urlstate.register("goc", urlstate.one_of(VIEWS), str, "34")
    urlstate.register("vung", urlstate.one_of(regions), str, "")
    urlstate.register("tinh", urlstate.many_of(provinces), urlstate.join, [])
    urlstate.register("kv", urlstate.one_of(sectors), str, TOTAL)
    urlstate.register("loai", urlstate.many_of(UNIT_TYPES), urlstate.join, list(UNIT_TYPES))
    # page-level controls
    urlstate.register("bd", urlstate.one_of(MAP_INDICATORS), str, MAP_INDICATORS[0])
    urlstate.register("tk", urlstate.text, str, "")
    urlstate.register("lv", urlstate.one_of(set(q("dim_focus_area")["focus_area"])), str, "")
    urlstate.register("muc", urlstate.one_of(set(q("dim_text_question")["section"])), str, "")
    urlstate.register("ky", urlstate.one_of(set(q("dim_round")["round_code"])), str, None)
    urlstate.register("bc", urlstate.one_of({"giai-doan", *q("dim_round")["round_code"]}), str, None)  # report period
    codes = set(q("dim_indicator")["indicator_code"])
    urlstate.register("ct", urlstate.many_of(codes), urlstate.join, list(EXPLORE_DEFAULT))
    urlstate.register("dong", urlstate.one_of(set(ROWS)), str, None)
    urlstate.register("dang", urlstate.one_of({"bang", "bieu-do"}), str, "bang")
    urlstate.register("dv", urlstate.one_of(set(q("dim_unit")["unit_code"])), str, None)
    urlstate.register("cs", urlstate.one_of(codes), str, None)
    urlstate.register("ns", urlstate.one_of({str(y) for y in range(YEARS[0], YEARS[1] + 1)}), str, None)


def sidebar() -> None:
    """Filters shared by every page (their values are kept in the URL by ui.urlstate)."""
    with st.sidebar:
        st.markdown("### Bộ lọc")
        st.slider("Giai đoạn", YEARS[0], YEARS[1], YEARS, key="nam",
                  help="Khoảng năm của các biểu đồ; chỉ số tổng quan lấy năm cuối.")
        view = st.radio("Cách tính theo tỉnh", list(VIEWS), format_func=VIEWS.get, key="goc",
                        help="Từ 01/7/2025 còn 34 tỉnh, thành phố. '34 tỉnh' cộng số liệu cũ theo tỉnh mới; "
                             "'Như đã báo cáo' giữ 63 tỉnh cho các năm đến 2024.")
        regions = list(q("dim_region").sort_values("sort_order")["region_code"])
        region = st.selectbox("Vùng", [""] + regions, format_func=lambda r: region_labels().get(r, "Tất cả các vùng"),
                              key="vung")
        prov = q("dim_province")
        if view == "34":
            prov = prov[prov["province_scheme"] == "34"]
        if region:
            prov = prov[prov["region_code"] == region]
        # 34 provinces first (today), then the 63 of the reports up to 2024, each in Vietnamese order
        keys = sorted(prov["province_key"], key=lambda k: (k[:2] != "34", vn_sort_key(province_option(k, view))))
        if st.session_state.get("tinh"):
            st.session_state["tinh"] = [k for k in st.session_state["tinh"] if k in keys]
        st.multiselect("Tỉnh, thành phố", keys, format_func=lambda k: province_option(k, view), key="tinh",
                       placeholder="Tất cả (hoặc bấm vào bản đồ)",
                       help="Danh sách theo vùng đã chọn. Bấm vào một tỉnh trên bản đồ ở trang Tổng quan cũng chọn tỉnh đó.")
        sectors = [TOTAL] + list(q("dim_sector").sort_values("sort_order")["sector_code"])
        st.selectbox("Khu vực (loại hình CĐCS)", sectors, format_func=sector_labels().get, key="kv",
                     help="Chỉ một số chỉ tiêu được báo cáo theo khu vực; chỉ tiêu khác sẽ ghi 'Không có số liệu'.")
        st.multiselect("Loại đơn vị báo cáo", list(UNIT_TYPES), default=None if "loai" in st.session_state else list(UNIT_TYPES),
                       format_func=unit_type_short().get, key="loai")
        st.caption("Bộ lọc được ghi vào địa chỉ trang: sao chép đường dẫn để chia sẻ đúng góc nhìn này.")


style.inject()
if no_warehouse():
    st.stop()
register_url_fields()
urlstate.load()
user = current_user()
if settings()["auth"]["viewers_must_login"] and user is None:
    st.title("Đăng nhập")
    st.info("Bảng điều khiển chỉ dành cho người đã đăng nhập: đăng nhập ở thanh bên.")
    login_box()
    st.stop()
pages = dict(PAGES)
# The desk is routed for everyone, so its link (a bookmark, a reload after the session expired) asks to log in and
# lands there after login; it is listed only for officers and administrators, and checks the role itself.
desk = st.Page("pages/submit.py", title="Nộp báo cáo", icon=":material/upload_file:", url_path="nop-bao-cao",
               visibility="visible" if user is not None and user.sees_desk else "hidden")
pages["Dữ liệu"] = [desk, *pages["Dữ liệu"]]
if os.environ.get("CDCS_BENCH_SHELL") == "1":  # bench/run.py times the shell (sidebar, navigation, filters) alone
    pages["Dữ liệu"].append(st.Page("bench/shell_page.py", title="Khung", url_path="khung", visibility="hidden"))
page = st.navigation(pages, expanded=True)  # every page listed (no English "View more")
login_box(form=page.url_path != desk.url_path)  # top of the sidebar; the desk shows its own login form
sidebar()
try:
    page.run()
except Exception:  # Streamlit's own stop/rerun are BaseExceptions and pass through
    if os.environ.get("CDCS_DEBUG_ERRORS") == "1":  # tests and developers see the exception itself
        raise
    error_id = uuid.uuid4().hex[:8]
    logging.getLogger("cdcs.app").exception("page failed [%s]", error_id)
    st.error(f"Đã có lỗi khi hiển thị trang này (mã lỗi **{error_id}**). Hãy tải lại trang; nếu vẫn lỗi, báo quản trị "
             "viên kèm mã lỗi.", icon=":material/error:")
urlstate.save()
