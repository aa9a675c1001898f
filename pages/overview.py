"""Tổng quan: headline figures for the selection with like-for-like changes, a province map and the membership trend."""
import pandas as pd
import streamlit as st

from core import charts
from core.compare import NOT_COMPARABLE, change_text
from core.labels import NO_DATA, fmt_indicator, indicator, shown_unit
from core.refdata import TOTAL
from core.series import FIGURES, as_shown, pick, value_at
from core.series import ranks as rank_from_top
from ui.common import (
    MAP_INDICATORS, changes, chart, comparison, definitions, empty, filters, header, province_scheme, q, rank_line,
    selected_groups, stat_table, zip_button,
)

KPIS = ["member_end", "cdcs_total", "cadre_fulltime", "cadre_parttime", "card_share"]
SHORT = {"member_end": "Đoàn viên", "cdcs_total": "Số CĐCS", "cadre_fulltime": "Cán bộ chuyên trách",
         "cadre_parttime": "Cán bộ không chuyên trách", "card_share": "Tỷ lệ đã có thẻ",
         "top_share_rated": "CĐCS xếp loại cao nhất"}

f = filters()
year = f.year_to
header("Tổng quan", "I.1-I.2", "Các chỉ số chính của lựa chọn hiện tại, bản đồ theo tỉnh và xu hướng đoàn viên.",
       ignored={"years": f"các chỉ số lấy năm cuối {year} so với năm {year - 1}"} if f.year_from != year else None,
       note="Bản đồ giữ đủ các tỉnh để so sánh; tỉnh, vùng đang chọn được viền đậm.")
codes = KPIS + (["top_share_rated"] if f.sector == TOTAL else [])
data = pd.concat([q("indicator_by", **f.params(indicators=KPIS, by="all", y0=year - 1, y1=year)),
                  q("indicator_by", **f.params(indicators=["top_share_rated"], by="all", y0=year - 1, y1=year,
                                               sector=TOTAL))])
moves = changes(KPIS, year - 1, year)
if f.sector == TOTAL:
    moves = pd.concat([moves, changes(["top_share_rated"], year - 1, year)], ignore_index=True)
moves = moves.set_index("indicator_code")
ranks = {}
if len(f.provinces) == 1:  # one province: its rank among all provinces, for each figure
    ctx = comparison(codes, year, "province")
    for c in codes:
        line = ctx[ctx["indicator_code"] == c].dropna(subset=["value"]).sort_values("value", ascending=False)
        pos = list(rank_from_top(line["value"])[line["selected"]])
        if pos:
            ranks[c] = f"{pos[0]}/{len(line)}"

st.markdown(f"**Năm {year}** — thay đổi so với năm {year - 1}, tính trên cùng đơn vị và cùng khu vực ở cả hai năm")
cols = st.columns(3) + st.columns(3)
for col, code in zip(cols, codes + [None] * (6 - len(codes))):
    if code is None:
        col.metric(SHORT["top_share_rated"], NO_DATA, help="Xếp loại không báo cáo theo khu vực.")
        continue
    now = value_at(data, code, year)
    m = moves.loc[code] if code in moves.index else None
    comparable = m is not None and m["like_for_like"] == "có"
    delta = change_text(m["start"], m["end"], code) if comparable else None
    if comparable and delta is None:
        comparable = False
    basis = (m["note"] if m is not None else f"{NOT_COMPARABLE}: thiếu số liệu")
    detail = (f" Cùng phạm vi: {fmt_indicator(m['start'], code)} ({year - 1}) → {fmt_indicator(m['end'], code)} ({year})."
              if comparable else "")
    col.metric(SHORT[code], fmt_indicator(now, code) if now is not None else NO_DATA,
               delta if comparable else NOT_COMPARABLE,
               delta_color="normal" if comparable else "off", delta_arrow="auto" if comparable else "off",
               delta_description=("cùng phạm vi" if m["excluded_sectors"] else f"so với {year - 1}") if comparable
               else None,
               help=f"{indicator(code)} ({shown_unit(code)}), năm {year}."
               + (f" Hạng {ranks[code]} trong các tỉnh (từ cao xuống thấp)." if code in ranks else "")
               + f" Thay đổi so với {year - 1}: {basis}.{detail}")
    if code in ranks:
        col.caption(f"Hạng {ranks[code]} tỉnh, thành phố")

kpi = data[(data["year"] == year) & data["indicator_code"].isin(codes)][[c for c in FIGURES if c in data.columns]]
kpi = kpi.merge(moves.reset_index()[["indicator_code", "year_from", "start", "end", "like_for_like", "excluded_sectors",
                                     "growth_pct", "change_points", "note"]], on="indicator_code", how="left")
kpi["indicator_code"] = pd.Categorical(kpi["indicator_code"], codes, ordered=True)
kpi = kpi.sort_values("indicator_code").assign(indicator_code=lambda d: d["indicator_code"].astype(str))
if ranks:
    kpi["rank_label"] = kpi["indicator_code"].map(ranks)
st.page_link("pages/progress.py", label="Tiến độ nộp báo cáo của các đơn vị →", icon=":material/fact_check:")

left, right = st.columns([5, 4])
with left:
    code = st.selectbox("Chỉ tiêu trên bản đồ", MAP_INDICATORS, format_func=indicator, key="bd")
    scheme = province_scheme(year)
    mdf = comparison([code], year, "province")

    def on_click():
        sel = st.session_state.get("map_click")
        points = (sel or {}).get("selection", {}).get("points", []) if sel else []
        keys = [p.get("customdata") for p in points if isinstance(p.get("customdata"), str)]
        if keys:
            st.session_state["tinh"] = keys[:1]

    if mdf.empty:
        empty("bản đồ")
    else:
        mdf = mdf.sort_values("value", ascending=False)
        is_count = q("dim_indicator").set_index("indicator_code").loc[code, "aggregation"] in ("sum", "latest")
        fig = charts.province_map(as_shown(mdf.drop(columns=["selected"])), scheme,
                                  f"{indicator(code)}, năm {year} ({'34' if scheme == '34' else '63'} tỉnh)",
                                  shown_unit(code), tuple(sorted(selected_groups("province"))), bubbles=is_count)
        st.plotly_chart(fig, width="stretch", key="map_click", on_select=on_click, selection_mode="points",
                        config={**charts.CONFIG, "toImageButtonOptions": {**charts.CONFIG["toImageButtonOptions"],
                                                                          "filename": f"ban-do_{code}"}})
        line = rank_line(mdf, "province", "province_name")
        st.caption((line + ". " if line else "") +
                   "Bấm vào chấm giữa một tỉnh để lọc theo tỉnh đó; xoá ở thanh bên để bỏ chọn. "
                   "Ranh giới: Vietnam-Shape-Map (MIT), Open Development Vietnam.")
        n_places = 34 if scheme == "34" else 63
        count = (f"{len(mdf)} tỉnh, thành phố có số liệu; {n_places - len(mdf)} tỉnh chưa có" if len(mdf) < n_places
                 else f"{len(mdf)} tỉnh, thành phố")
        with st.expander(f"Bảng số liệu của bản đồ ({count})"):
            stat_table(mdf.drop(columns=["selected"]), f"ban-do_{code}", key="dl_map", selected=list(mdf["selected"]),
                       display=mdf[["province_name", "value"]].assign(
                           value=mdf["value"].map(lambda v: fmt_indicator(v, code))),
                       extra_labels={"value": f"{indicator(code)} ({shown_unit(code)})"})
with right:
    trend = q("indicator_by", **f.params(indicators=["member_end"], by="all"))
    s = pick(trend, "member_end")
    if s.empty:
        empty("đoàn viên")
    else:
        chart(charts.trend(s, "Đoàn viên cuối kỳ", "người"), s[["indicator_code", "year", "value", "n_units"]],
              "xu-huong-doan-vien")
    st.markdown("**Các chỉ số chính**")
    shown = kpi.assign(indicator_label=kpi["indicator_code"].map(indicator),
                       value=[fmt_indicator(v, c) for c, v in zip(kpi["indicator_code"], kpi["value"])],
                       change=[change_text(a, b, c) if l == "có" else NOT_COMPARABLE
                               for a, b, c, l in zip(kpi["start"], kpi["end"], kpi["indicator_code"], kpi["like_for_like"])])
    stat_table(kpi, "chi-so-chinh", display=shown[["indicator_label", "value", "change", "note"]],
               extra_labels={"value": f"Năm {year}", "change": f"Thay đổi so với {year - 1}", "note": "Cách so sánh"})
zip_button("tong-quan", definitions(codes + [code]))
