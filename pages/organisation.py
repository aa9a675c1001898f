"""Tổ chức CĐCS (I.2.1-I.2.2): CĐCS, CĐCS thành viên, công đoàn bộ phận, tổ công đoàn; activities."""
import streamlit as st

from core.refdata import TOTAL
from ui.common import (
    NOT_BY_SECTOR, answers, compare_chart, definitions, filters, header, indicators_chart, q, sector_chart, year_table,
    zip_button,
)

CODES = ["cdcs_total", "cdcs_member_units", "dept_unions", "union_groups", "members_per_cdcs", "cba_signed",
         "cba_share", "worker_conferences", "workplace_dialogues", "collective_stoppages"]

header("Tổ chức CĐCS", "I.2.1, I.2.2", "Cơ cấu tổ chức của cấp CĐCS và nội dung hoạt động.")
f = filters()
year = f.year_to
data = q("indicator_by", **f.params(indicators=CODES, by="all"))

c1, c2 = st.columns(2)
with c1:
    sector_chart(data, "cdcs_total", "Số CĐCS", "đơn vị", "cdcs")
with c2:
    indicators_chart(data, ["cdcs_member_units", "dept_unions", "union_groups"],
                     "CĐCS thành viên, công đoàn bộ phận, tổ công đoàn", "đơn vị", "co-cau-to-chuc", kind="multiples",
                     missing="cơ cấu tổ chức" + NOT_BY_SECTOR * (f.sector != TOTAL))

c3, c4 = st.columns(2)
with c3:
    compare_chart("members_per_cdcs", year, "region", f"Đoàn viên bình quân một CĐCS theo vùng, năm {year}",
                  "quy-mo-cdcs")
with c4:
    indicators_chart(data, ["cba_share"], "Tỷ lệ CĐCS có thỏa ước lao động tập thể", "%", "thoa-uoc", kind="trend",
                     parts=True, missing="thỏa ước" + NOT_BY_SECTOR * (f.sector != TOTAL))

c5, c6 = st.columns(2)
with c5:
    indicators_chart(data, ["worker_conferences", "workplace_dialogues", "collective_stoppages"],
                     "Hội nghị người lao động, đối thoại, ngừng việc tập thể", "cuộc / đơn vị", "hoat-dong", kind="multiples",
                     missing="hoạt động" + NOT_BY_SECTOR * (f.sector != TOTAL))
with c6:
    answers(["I.2.2.T", "II.4.2", "II.4.3"], "Nội dung hoạt động và mô hình tổ chức: ý kiến của đơn vị")

year_table(data, CODES, "to-chuc-theo-nam")
zip_button("to-chuc", definitions(CODES))
