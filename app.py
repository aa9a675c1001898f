"""Entry point: page router and the shared filter sidebar (bound to the URL), nothing else."""
import streamlit as st

from core.filters import UNIT_TYPES
from core.labels import VIEWS, province_option, region_labels, sector_labels, unit_type_short, vn_sort_key
from core.refdata import TOTAL
from ui.common import YEARS, no_warehouse, q

st.set_page_config(page_title="Thống kê công đoàn cơ sở", page_icon=":material/bar_chart:", layout="wide")

PAGES = {
    "Tổng hợp": [
        st.Page("pages/overview.py", title="Tổng quan", icon=":material/home:", url_path="tong-quan", default=True),
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
        st.Page("pages/progress.py", title="Tiến độ & chất lượng dữ liệu", icon=":material/fact_check:", url_path="tien-do"),
        st.Page("pages/methods.py", title="Phương pháp & nguồn", icon=":material/menu_book:", url_path="phuong-phap"),
    ],
}


def sidebar() -> None:
    """Filters shared by every page; each widget is bound to a URL query parameter (key = parameter)."""
    with st.sidebar:
        st.markdown("### Bộ lọc")
        st.slider("Giai đoạn", YEARS[0], YEARS[1], YEARS, key="nam", bind="query-params",
                  help="Khoảng năm của các biểu đồ; chỉ số tổng quan lấy năm cuối.")
        view = st.radio("Cách tính theo tỉnh", list(VIEWS), format_func=VIEWS.get, key="goc", bind="query-params",
                        help="Từ 01/7/2025 còn 34 tỉnh, thành phố. '34 tỉnh' cộng số liệu cũ theo tỉnh mới; "
                             "'Như đã báo cáo' giữ 63 tỉnh cho các năm đến 2024.")
        regions = [r for r in q("dim_region").sort_values("sort_order")["region_code"]]
        region = st.selectbox("Vùng", [""] + regions, format_func=lambda r: region_labels().get(r, "Tất cả các vùng"),
                              key="vung", bind="query-params")
        prov = q("dim_province")
        if view == "34":
            prov = prov[prov["province_scheme"] == "34"]
        if region:
            prov = prov[prov["region_code"] == region]
        keys = sorted(prov["province_key"], key=lambda k: (k[:2] == "34", vn_sort_key(province_option(k, view))))
        if view == "34":
            keys = sorted(keys, key=lambda k: vn_sort_key(province_option(k, view)))
        st.multiselect("Tỉnh, thành phố", keys, format_func=lambda k: province_option(k, view), key="tinh",
                       bind="query-params", placeholder="Tất cả (hoặc bấm vào bản đồ)",
                       help="Danh sách theo vùng đã chọn. Bấm vào một tỉnh trên bản đồ ở trang Tổng quan cũng chọn tỉnh đó.")
        sectors = [TOTAL] + list(q("dim_sector").sort_values("sort_order")["sector_code"])
        st.selectbox("Khu vực (loại hình CĐCS)", sectors, format_func=sector_labels().get, key="kv", bind="query-params",
                     help="Chỉ một số chỉ tiêu được báo cáo theo khu vực; chỉ tiêu khác sẽ ghi 'Không có số liệu'.")
        st.multiselect("Loại đơn vị báo cáo", list(UNIT_TYPES), default=list(UNIT_TYPES),
                       format_func=unit_type_short().get, key="loai", bind="query-params")
        st.caption("Bộ lọc được ghi vào địa chỉ trang: sao chép đường dẫn để chia sẻ đúng góc nhìn này.")


if no_warehouse():
    st.stop()
sidebar()
st.navigation(PAGES).run()
