"""Thẻ đoàn viên (I.1.3): cards issued, share holding a card and the gap, by region/province/sector; tracking."""
import streamlit as st

from core import charts
from core.labels import fmt_number, fmt_pct
from core.refdata import TOTAL
from core.series import as_shown, by_group
from ui.common import (
    NOT_BY_SECTOR, answers, chart, compare_chart, definitions, empty, filters, header, indicators_chart, q, stat_table,
    year_table,
    zip_button,
)

CODES = ["cards_issued", "card_holders", "member_end", "card_share", "card_missing_share", "cdcs_tracked_book",
         "cdcs_tracked_software", "software_share"]

header("Thẻ đoàn viên", "I.1.3", "Phát thẻ và quản lý thẻ đoàn viên: số thẻ phát ra, tỷ lệ đã có thẻ và chưa có thẻ.")
f = filters()
year = f.year_to
data = q("indicator_by", **f.params(indicators=CODES, by="all"))

c1, c2 = st.columns(2)
with c1:
    indicators_chart(data, ["cards_issued"], "Thẻ đoàn viên phát ra trong năm", "thẻ", "the-phat-ra")
with c2:
    indicators_chart(data, ["card_share", "card_missing_share"], "Tỷ lệ đoàn viên đã có thẻ và chưa có thẻ", "%",
                     "ty-le-the", kind="trend", parts=True)

st.subheader(f"Khoảng trống thẻ đoàn viên theo tỉnh, năm {year}")
st.caption("Tỷ lệ chưa có thẻ = (đoàn viên cuối kỳ − đoàn viên đã có thẻ) / đoàn viên cuối kỳ, tính lại từ tử số và "
           "mẫu số của từng tỉnh. Chọn tỉnh và năm ở thanh bên để xem riêng.")
labels = {"denominator": "Đoàn viên cuối kỳ", "numerator": "Đoàn viên chưa có thẻ", "value": "Tỷ lệ chưa có thẻ (%)"}
gap = compare_chart("card_missing_share", year, "province", f"Tỷ lệ đoàn viên chưa có thẻ, năm {year}",
                    "khoang-trong-the-bieu-do", key="dl_gap_chart", extra_labels=labels)
if gap is not None:
    out = gap[["province_key", "province_name", "indicator_code", "year", "denominator", "numerator", "value"]]
    display = out[["province_name", "denominator", "numerator", "value"]].assign(
        denominator=out["denominator"].map(fmt_number), numerator=out["numerator"].map(fmt_number),
        value=out["value"].map(fmt_pct))
    stat_table(out, "khoang-trong-the-theo-tinh", display=display, extra_labels=labels, key="dl_gap_table",
               selected=list(gap["selected"]))

c5, c6 = st.columns(2)
with c5:
    compare_chart("card_share", year, "region", f"Tỷ lệ đã có thẻ theo vùng, năm {year}", "the-theo-vung")
with c6:
    sec = q("indicator_by", **f.params(indicators=["card_share"], by="sector", sector="*", y0=year, y1=year))
    if sec.empty:
        empty("theo khu vực")
    else:
        sec = by_group(sec, "sector")
        chosen = {f.sector} if f.sector != TOTAL else set()
        chart(charts.ranked_bars(as_shown(sec).assign(label=sec["sector_label"]), "label",
                                 f"Tỷ lệ đã có thẻ theo khu vực, năm {year}", "%", selected=chosen, key="sector"),
              sec, "the-theo-khu-vuc")

c7, c8 = st.columns(2)
with c7:
    indicators_chart(data, ["cdcs_tracked_book", "cdcs_tracked_software"],
                     "CĐCS theo dõi đoàn viên bằng sổ và bằng phần mềm", "đơn vị", "so-va-phan-mem", stacked=True,
                     missing="theo dõi đoàn viên" + NOT_BY_SECTOR * (f.sector != TOTAL))
with c8:
    answers(["I.1.3.T", "II.4.4"], "Nguyên nhân chưa phát thẻ và đề xuất về thẻ đoàn viên")

year_table(data, CODES, "the-doan-vien-theo-nam")
zip_button("the-doan-vien", definitions(CODES))
