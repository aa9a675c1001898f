"""Cán bộ công đoàn (I.1.1, I.1.4): full-time and part-time cadres, women, qualifications, training."""
import streamlit as st

from ui.common import (
    NOT_BY_SECTOR, answers, compare_chart, definitions, filters, header, indicators_chart, q, year_table, zip_button,
)

CODES = ["cadre_total", "cadre_fulltime", "cadre_parttime", "cadre_female", "cadre_university", "cadre_female_share",
         "cadre_university_share", "chair_concurrent", "training_courses", "training_attendance", "training_coverage",
         "training_budget"]

header("Cán bộ công đoàn", "I.1.1, I.1.4", "Số lượng, chất lượng cán bộ CĐCS và công tác tập huấn, bồi dưỡng.")
f = filters()
data = q("indicator_by", **f.params(indicators=CODES, by="all"))

c1, c2 = st.columns(2)
with c1:
    indicators_chart(data, ["cadre_fulltime", "cadre_parttime"], "Cán bộ chuyên trách và không chuyên trách", "người",
                     "can-bo-chuyen-trach", kind="multiples")
with c2:
    indicators_chart(data, ["cadre_female_share", "cadre_university_share"],
                     "Tỷ lệ cán bộ nữ và có trình độ đại học trở lên", "%", "ty-le-can-bo", kind="trend", parts=True,
                     missing="tỷ lệ cán bộ nữ, trình độ đại học" + NOT_BY_SECTOR * (f.sector != "TOTAL"))

st.subheader("Số đoàn viên trên một cán bộ chuyên trách, theo tỉnh")
year = f.year_to
compare_chart("members_per_fulltime", year, "province", f"Đoàn viên / cán bộ chuyên trách, năm {year}",
              "doan-vien-tren-can-bo", key="dl_ratio_prov")

st.subheader("Tập huấn, bồi dưỡng (I.1.4)")
c3, c4 = st.columns(2)
with c3:
    indicators_chart(data, ["training_attendance"], "Lượt cán bộ CĐCS được tập huấn", "lượt người", "tap-huan",
                     missing="tập huấn" + NOT_BY_SECTOR * (f.sector != "TOTAL"))
with c4:
    answers(["I.1.1.T", "I.1.4.T"], "Ý kiến về chế độ, chính sách và tập huấn")

year_table(data, CODES, "can-bo-theo-nam")
zip_button("can-bo", definitions(CODES))
