"""Tổng quan: headline figures for the selection, a province map and the membership trend."""
import pandas as pd
import streamlit as st

from core import charts
from core.labels import NO_DATA, fmt_delta, fmt_indicator, fmt_pct, fmt_value, indicator, indicator_unit
from core.refdata import TOTAL
from core.series import FIGURES, by_group, pick, value_at
from ui.common import MAP_INDICATORS, chart, definitions, empty, filters, header, q, table, zip_button

KPIS = ["member_end", "cdcs_total", "cadre_fulltime", "cadre_parttime", "card_share"]
SHORT = {"member_end": "Đoàn viên", "cdcs_total": "Số CĐCS", "cadre_fulltime": "Cán bộ chuyên trách",
         "cadre_parttime": "Cán bộ không chuyên trách", "card_share": "Tỷ lệ đã có thẻ"}

header("Tổng quan", "I.1-I.2", "Các chỉ số chính của lựa chọn hiện tại, bản đồ theo tỉnh và xu hướng đoàn viên.")
f = filters()
year = f.year_to
data = q("indicator_by", **f.params(indicators=KPIS, by="all", y0=year - 1, y1=year))

st.markdown(f"**Năm {year}** — mức thay đổi so với năm {year - 1}")
cols = st.columns(3) + st.columns(3)
for col, code in zip(cols, KPIS):
    now, before = value_at(data, code, year), value_at(data, code, year - 1)
    unit = indicator_unit(code)
    col.metric(SHORT[code], fmt_value(now, unit) if now is not None else NO_DATA, fmt_delta(now, before, unit),
               help=f"{indicator(code)}. Đơn vị tính: {unit}. So với năm {year - 1}."
               + (" Số năm 2025 không so sánh được với 2024 (sáp nhập tỉnh, kết thúc CĐCS cơ quan nhà nước)."
                  if year == 2025 else ""))
top = q("indicator_by", **f.params(indicators=["top_share_rated"], by="all", y0=year - 1, y1=year, sector=TOTAL))
if f.sector == TOTAL:
    t_now, t_before = value_at(top, "top_share_rated", year), value_at(top, "top_share_rated", year - 1)
    cols[-1].metric("CĐCS xếp loại cao nhất", fmt_pct(t_now), fmt_delta(t_now, t_before, "%"),
                    help="Tỷ lệ trên số CĐCS được xếp loại (không tính CĐCS chưa xếp loại). Nhóm cao nhất theo bảng "
                         "quy đổi ở trang Phương pháp: vững mạnh (đến 2018); hoàn thành xuất sắc và hoàn thành tốt "
                         "nhiệm vụ (từ 2019).")
else:
    cols[-1].metric("CĐCS xếp loại cao nhất", NO_DATA, help="Xếp loại không báo cáo theo khu vực.")
if year == 2025:
    st.caption("⚠️ Năm 2025: 34 tỉnh, thành phố từ 01/7/2025 và kết thúc CĐCS ở cơ quan nhà nước — mức thay đổi so "
               "với 2024 phản ánh thay đổi tổ chức, không chỉ biến động thực tế.")
kpi_table = pd.concat([data[data["year"] == year], top[top["year"] == year] if f.sector == TOTAL else top.iloc[:0]])
kpi_table = kpi_table[[c for c in FIGURES if c in kpi_table.columns]]
st.page_link("pages/progress.py", label="Tiến độ nộp báo cáo của các đơn vị →", icon=":material/fact_check:")

left, right = st.columns([5, 4])
with left:
    code = st.selectbox("Chỉ tiêu trên bản đồ", MAP_INDICATORS, format_func=indicator, key="bd",
                        )
    scheme = "34" if f.view == "34" or year >= 2025 else "63"
    by_prov = q("indicator_by", **f.params(indicators=[code], by="province", y0=year, y1=year, provinces=[]))
    by_prov = by_group(by_prov[by_prov["group_code"].str.startswith(scheme + ":")], "province")
    mdf = by_prov.sort_values("value", ascending=False)

    def on_click():
        sel = st.session_state.get("map_click")
        points = (sel or {}).get("selection", {}).get("points", []) if sel else []
        keys = [p.get("customdata") for p in points if isinstance(p.get("customdata"), str)]
        if keys:
            st.session_state["tinh"] = keys[:1]

    if mdf.empty:
        empty("bản đồ")
    else:
        fig = charts.province_map(mdf, scheme, f"{indicator(code)}, năm {year} ({'34' if scheme == '34' else '63'} tỉnh)",
                                  indicator_unit(code), f.provinces)
        st.plotly_chart(fig, width="stretch", key="map_click", on_select=on_click, selection_mode="points",
                        config={"displaylogo": False, "scrollZoom": False})
        st.caption("Bấm vào chấm giữa một tỉnh để lọc theo tỉnh đó. Bấm lại vào chấm (hoặc xoá ở thanh bên) để bỏ chọn. "
                   "Ranh giới: Vietnam-Shape-Map (MIT), Open Development Vietnam.")
        table(mdf, f"ban-do_{code}", display=mdf[["province_name", "value"]].assign(
            value=mdf["value"].map(lambda v: fmt_indicator(v, code))), key="dl_map", height=250)
with right:
    trend = q("indicator_by", **f.params(indicators=["member_end"], by="all"))
    s = pick(trend, "member_end")
    if s.empty:
        empty("đoàn viên")
    else:
        chart(charts.trend(s, "Đoàn viên cuối kỳ", "người"), s[["indicator_code", "year", "value", "n_units"]],
              "xu-huong-doan-vien")
    st.markdown("**Các chỉ số chính**")
    table(kpi_table, "chi-so-chinh", display=kpi_table.assign(
        indicator_label=kpi_table["indicator_code"].map(indicator),
        value=[fmt_indicator(v, c) for c, v in zip(kpi_table["indicator_code"], kpi_table["value"])]
    )[["indicator_label", "year", "value"]])
zip_button("tong-quan", definitions(KPIS + [code]))
