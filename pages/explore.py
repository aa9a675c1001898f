"""Tra cứu số liệu: pick indicators, split rows by region, province, reporting unit or sector, years as columns;
totals and ratios recomputed from their parts by the queries; drill down region → province → unit; chart or table."""
import pandas as pd
import streamlit as st

from core import charts
from core.labels import fmt_indicator, indicator, province_labels, region_labels, sector_labels, shown_unit
from core.series import GROUP_COLUMNS, as_shown, by_group
from ui import urlstate
from ui.common import (
    ROWS, chart, chart_title, definitions, empty, filters, header, q, selected_groups, stat_table, zip_button,
)

f = filters()
header("Tra cứu số liệu", "I.1-I.2", "Chọn chỉ tiêu và cách chia dòng; cột là các năm của giai đoạn. Dòng tổng và mọi "
       "tỷ lệ được tính lại từ tử số và mẫu số của các đơn vị, không cộng hay lấy trung bình các tỷ lệ.",
       note="Bấm vào một dòng của bảng để xem chi tiết: vùng → tỉnh → đơn vị báo cáo → hồ sơ đơn vị.")

ind = q("dim_indicator").sort_values(["section", "sort_order"])
options = list(ind["indicator_code"])
label = dict(zip(ind["indicator_code"], ind["section"] + " · " + ind["label_vi"]))
if "ct" not in st.session_state:
    st.session_state["ct"] = list(urlstate._FIELDS["ct"][2])
codes = st.multiselect("Chỉ tiêu", options, format_func=label.get, key="ct", placeholder="Chọn một hoặc nhiều chỉ tiêu",
                       help="Tỷ lệ (%) được tính lại cho từng dòng và dòng tổng từ tử số và mẫu số.")
depth = "unit" if f.provinces else "province" if f.region else "region"
if st.session_state.get("dong") not in ROWS:
    st.session_state["dong"] = depth
c1, c2 = st.columns([3, 2])
rows = c1.segmented_control("Mỗi dòng là", list(ROWS), format_func=ROWS.get, key="dong", required=True)
if st.session_state.get("dang") not in ("bang", "bieu-do"):
    st.session_state["dang"] = "bang"
mode = c2.segmented_control("Xem dạng", ["bang", "bieu-do"], format_func={"bang": "Bảng", "bieu-do": "Biểu đồ"}.get,
                            key="dang", required=True)


def crumbs() -> None:
    """Where the drill-down stands (Cả nước › vùng › tỉnh), with a button back up one level."""
    path = ["Cả nước"]
    if f.region:
        path.append(region_labels().get(f.region, f.region))
    if f.provinces:
        path.append(", ".join(province_labels().get(p, p) for p in f.provinces))
    left, right = st.columns([5, 1], vertical_alignment="center")
    left.markdown("**Đang xem:** " + " › ".join(path))
    if len(path) > 1 and right.button("↑ Lên một cấp", key="up"):
        if f.provinces:
            st.session_state["tinh"] = []
            st.session_state["dong"] = "province" if f.region else "region"
        else:
            st.session_state["vung"] = ""
            st.session_state["dong"] = "region"
        st.rerun()


crumbs()
if not codes:
    empty("hãy chọn ít nhất một chỉ tiêu")
    st.stop()

years = list(range(f.year_from, f.year_to + 1))
sector = "*" if rows == "sector" else f.sector
unit_types = [t for t in f.unit_types if t == "LDLD"] if rows == "province" else list(f.unit_types)
data = q("indicator_by", **f.params(indicators=codes, by=rows, sector=sector))
# the total of the rows shown: the same units (provinces: the provincial federations; sectors: the sector rows),
# added up by the query, so a ratio's total is Σ numerators / Σ denominators over the units that reported both
totals = q("indicator_by", **f.params(indicators=codes, by="all", sector=sector, unit_types=unit_types or ["LDLD"]))
if data.empty:
    empty()
    st.stop()
code_col, name_col = GROUP_COLUMNS[rows]
chosen = selected_groups(rows) if rows in ("region", "province") else ({f.sector} if rows == "sector" else set())


drill_rows: list[tuple[str, str]] = []
MAX_ROWS = 300  # rows of one table on the page (a leader reads the top; the CSV carries all)


def drill() -> None:
    """Open the next level of the chosen row (region → its provinces → their units → the unit's profile)."""
    key = st.session_state.get("drill_to")
    if not key:
        return
    st.session_state["drill_to"] = None
    if rows == "region":
        st.session_state["vung"], st.session_state["tinh"], st.session_state["dong"] = key, [], "province"
    elif rows == "province":
        st.session_state["tinh"], st.session_state["dong"] = [key], "unit"
    elif rows == "unit":
        st.session_state["dv"] = key
        st.session_state["_open_unit"] = True


def block(code: str) -> None:
    part = data[data["indicator_code"] == code]
    tot = totals[totals["indicator_code"] == code]
    if part.empty:
        empty(f"{indicator(code)}")
        return
    groups = by_group(part, rows)
    wide = groups.pivot_table(index=[code_col, name_col], columns="year", values="value", aggfunc="first")
    wide = wide.reindex(columns=years).reset_index()
    wide.columns = [c if isinstance(c, str) else int(c) for c in wide.columns]
    last = years[-1]
    # sectors and regions in their fixed order (core/charts.py, rule 4); places from the highest in the last year
    order = {"sector": lambda s: s.map({k: i for i, k in enumerate(sector_labels())}),
             "region": lambda s: s.map(dict(zip(q("dim_region")["region_code"], q("dim_region")["sort_order"])))}
    wide = (wide.sort_values(code_col, key=order[rows]) if rows in order
            else wide.sort_values(last, ascending=False, na_position="last"))
    total = {y: v for y, v in zip(tot["year"], tot["value"])}
    frame = wide.assign(indicator_code=code, is_total="")
    frame = pd.concat([frame, pd.DataFrame([{code_col: None, name_col: "Tổng các dòng", "indicator_code": code,
                                             "is_total": "có", **{y: total.get(y) for y in years}}])],
                      ignore_index=True)
    frame = frame[[code_col, name_col, "indicator_code", "is_total", *years]]
    title = f"{indicator(code)} ({shown_unit(code)})"
    if mode == "bieu-do":
        latest = by_group(part[part["year"] == last], rows)
        fig = charts.ranked_bars(as_shown(latest).assign(selected=latest[code_col].isin(chosen)), name_col,
                                 f"{title}, năm {last}", shown_unit(code), selected=chosen, key=code_col)
        chart(fig, frame, f"tra-cuu_{code}_{rows}", key=f"ex_{code}")
        return
    chart_title(title, [code])
    visible = frame
    if len(frame) - 1 > MAX_ROWS:  # thousands of units: the highest ones on the page, every one in the download
        visible = pd.concat([frame.iloc[:MAX_ROWS], frame.iloc[[-1]]], ignore_index=True)
        st.caption(f"Bảng hiển thị {MAX_ROWS:,} trong {len(frame) - 1:,} dòng (cao nhất năm {last}) và dòng tổng của "
                   "tất cả; tệp CSV tải về có đủ mọi dòng. Chọn tỉnh ở thanh bên để xem từng đơn vị của tỉnh."
                   .replace(",", "."))
    display = visible[[name_col]].copy()
    for y in years:
        display[y] = [fmt_indicator(v, code) for v in visible[y]]
    stat_table(frame, f"tra-cuu_{code}_{rows}", display, key=f"dl_ex_{code}", total_last=True,
               selected=list(visible[code_col].isin(chosen)))
    if rows in ("region", "province", "unit") and code == codes[0]:
        drill_rows.extend(zip(visible[code_col], visible[name_col]))


for c in codes:
    block(c)
if st.session_state.pop("_open_unit", False):
    st.switch_page("pages/unit.py")
keys = [(k, n) for k, n in drill_rows if k is not None]
if keys:
    nxt = {"region": "các tỉnh của vùng", "province": "các đơn vị báo cáo của tỉnh", "unit": "hồ sơ đơn vị"}[rows]
    names = dict(keys)
    d1, d2 = st.columns([3, 1], vertical_alignment="bottom")
    d1.selectbox(f"Xem chi tiết: {nxt}", [k for k, _ in keys], format_func=names.get, key="drill_to", index=None,
                 placeholder=f"Chọn một {ROWS[rows].split(',')[0].lower()}…")
    d2.button("Mở ▸", on_click=drill, key="drill_go", disabled=not st.session_state.get("drill_to"))
st.caption("Số liệu của một ô: xem các đơn vị và phiên bản báo cáo tạo nên nó ở trang Nguồn của số liệu.")
st.page_link("pages/sources.py", label="Nguồn của số liệu →", icon=":material/find_in_page:",
             query_params=urlstate.link_params(cs=codes[0]))
zip_button(f"tra-cuu_{rows}", definitions(codes))
