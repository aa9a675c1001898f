"""Đoàn viên (I.1.2): members over time, inflow and outflow, new and dissolved CĐCS, unionisation, growth ranking."""
import streamlit as st

from core import charts
from core.labels import fmt_number, fmt_value
from core.refdata import TOTAL
from core.series import by_group, growth_ranking, with_group_names
from ui.common import (
    sector_chart, NOT_BY_SECTOR, chart, definitions, empty, filters, header, indicators_chart, q, table, year_table, zip_button,
)

CODES = ["member_begin", "member_new", "member_lost", "member_end", "member_female", "workers_at_cdcs",
         "unionisation_rate", "member_female_share", "cdcs_new", "cdcs_dissolved"]

header("Đoàn viên", "I.1.2", "Phát triển đoàn viên: số đoàn viên, kết nạp mới, giảm, CĐCS thành lập mới và giải thể.")
f = filters()
data = q("indicator_by", **f.params(indicators=CODES, by="all"))

c1, c2 = st.columns(2)
with c1:
    sector_chart(data, "member_end", "Đoàn viên cuối kỳ", "người", "doan-vien")
with c2:
    by_region = q("indicator_by", **f.params(indicators=["member_end"], by="region"))
    by_region = by_group(by_region, "region")
    if by_region.empty:
        empty("đoàn viên theo vùng")
    else:
        chart(charts.trend(by_region.rename(columns={"region_name": "series"}), "Đoàn viên cuối kỳ theo vùng", "người",
                           series="series"), by_region, "doan-vien-theo-vung")

c3, c4 = st.columns(2)
with c3:
    indicators_chart(data, ["member_new", "member_lost"], "Đoàn viên kết nạp mới và giảm trong năm", "người",
                     "ket-nap-giam", missing="biến động đoàn viên" + NOT_BY_SECTOR * (f.sector != TOTAL))
with c4:
    indicators_chart(data, ["cdcs_new", "cdcs_dissolved"], "CĐCS thành lập mới và giải thể", "đơn vị",
                     "cdcs-moi-giai-the", missing="CĐCS thành lập, giải thể" + NOT_BY_SECTOR * (f.sector != TOTAL))

c5, c6 = st.columns(2)
with c5:
    indicators_chart(data, ["unionisation_rate"], "Tỷ lệ đoàn viên trên CNVCLĐ tại đơn vị có CĐCS", "%",
                     "ty-le-doan-vien", kind="trend", parts=True)
with c6:
    st.markdown(f"**Xếp hạng tăng trưởng đoàn viên theo tỉnh, {f.year_from}–{f.year_to}**")
    prov = q("indicator_by", **f.params(indicators=["member_end"], by="province"))
    rank = growth_ranking(prov, "member_end", f.year_from, f.year_to)
    if rank.empty or f.year_from == f.year_to:
        empty("cần khoảng ít nhất hai năm cùng hệ tỉnh (chọn '34 tỉnh' để so sánh qua năm 2025)")
    else:
        rank = with_group_names(rank, "province").rename(columns={"group_code": "province_key",
                                                                  "group_name": "province_name"})
        rank.insert(0, "rank", range(1, len(rank) + 1))
        rank = rank.assign(indicator_code="member_end", year_from=f.year_from, year=f.year_to)
        rank["start"], rank["end"] = rank["start"].round(0), rank["end"].round(0)
        rank["growth_pct"] = rank["growth_pct"].round(1)
        cols = ["rank", "province_key", "province_name", "indicator_code", "year_from", "year", "start", "end", "growth_pct"]
        labels = {"start": f"Đoàn viên {f.year_from}", "end": f"Đoàn viên {f.year_to}"}
        display = rank[cols].assign(start=rank["start"].map(fmt_number), end=rank["end"].map(fmt_number),
                                    growth_pct=rank["growth_pct"].map(lambda v: fmt_value(v, "%")))
        table(rank[cols], "xep-hang-tang-truong", display=display.drop(columns=["province_key", "indicator_code", "year_from", "year"]),
              extra_labels=labels, height=320)

year_table(data, CODES, "doan-vien-theo-nam")
zip_button("doan-vien", definitions(CODES))
