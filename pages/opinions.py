"""Ý kiến, kiến nghị (I.3, II): accent-insensitive full-text search of the text answers, by focus area."""
import pandas as pd
import streamlit as st

from core import charts
from core.exports import csv_bytes, file_name
from core.labels import fmt_number, focus_labels, labelled
from core.text import fold
from ui.common import (
    TABLE_ROWS, chart, empty, filters, header, q, round_names, rounds_in_period, snapshot, table, warehouse, zip_button,
)

header("Ý kiến, kiến nghị", "I.1-I.3 (phần định tính), II.1-II.5",
       "Câu trả lời bằng chữ của các đơn vị. Tìm kiếm được cả khi gõ không dấu.",
       ignored={"sector": "câu trả lời là của cả đơn vị, không theo khu vực"},
       note="Giai đoạn chọn các kỳ báo cáo có năm nằm trong giai đoạn.")
f = filters()
questions = q("dim_text_question").sort_values("sort_order")
c1, c2, c3 = st.columns([3, 2, 2])
text = c1.text_input("Tìm trong câu trả lời", key="tk",
                     placeholder="ví dụ: thẻ đoàn viên, the doan vien, phần mềm…")
focus = c2.selectbox("Lĩnh vực cần đổi mới (II.4)", [""] + list(focus_labels()),
                     format_func=lambda k: focus_labels().get(k, "Tất cả lĩnh vực"), key="lv")
sections = sorted(set(questions["section"]))
section = c3.selectbox("Mục đề cương", [""] + sections, format_func=lambda s: s or "Tất cả các mục", key="muc",
                       )
in_period = rounds_in_period()
query = " ".join(fold(text).split())
# the first rows only, with the totals: at 11,700 units the answers in force number in the hundreds of thousands
df = q("text_answers", **f.params(q=query, focus=focus, sections=[section] if section else [], unit="",
                                  rounds=in_period, questions=[], limit=TABLE_ROWS))
n = int(df["n_matching"].iloc[0]) if len(df) else 0
names = round_names()
st.caption(f"Tìm thấy **{fmt_number(n, 0)}** câu trả lời trong các kỳ báo cáo: "
           f"{'; '.join(names.get(r, r) for r in in_period)}."
           + (" Kết quả xếp theo mức liên quan." if query else ""))

every = pd.DataFrame(list(df["focus_counts"].iloc[0]) if len(df) else [], columns=["focus_area", "focus_area_label", "n"])
counts = every.dropna(subset=["focus_area"])
outside = int(every.loc[every["focus_area"].isna(), "n"].sum())
if counts.empty:
    empty("theo lĩnh vực")
else:
    counts = counts.rename(columns={"n": "value"}).sort_values("value", ascending=False)
    chart(charts.ranked_bars(counts, "focus_area_label", "Số câu trả lời theo lĩnh vực cần đổi mới (II.4)",
                             "câu trả lời", selected={focus} if focus else set(), key="focus_area"),
          counts, "so-y-kien-theo-linh-vuc", key="dl_focus")
    st.caption("Lĩnh vực của mỗi câu hỏi theo danh mục câu hỏi của đề cương (II.4 và các câu liên quan)."
               + (f" Biểu đồ có {fmt_number(int(counts['value'].sum()))} câu trả lời; {fmt_number(outside)} câu còn lại "
                  "trả lời các câu hỏi không thuộc lĩnh vực nào." if outside else ""))
st.subheader("Câu trả lời")
if df.empty:
    empty("câu trả lời khớp")
else:
    for _, row in df.head(20).iterrows():
        with st.container(border=True):
            st.caption(f"{row['unit_name']} — mục {row['section']} — {names.get(row['round_code'], row['round_code'])}")
            st.text(f"{row['question_label']}\n→ {row['text']}")
    if n > 20:
        st.caption(f"Hiển thị 20 / {fmt_number(n, 0)} câu trả lời; bảng dưới đây và tệp CSV có thêm.")
st.subheader("Bảng các câu trả lời khớp")
labels = {"round_label": "Kỳ báo cáo", "round_code": "Mã kỳ báo cáo"}


def answer_rows(found):
    """Answers as the table shows and downloads them: what a reader reads first, the codes last."""
    return found.assign(round_label=found["round_code"].map(names),
                        focus_area_label=found["focus_area_label"].fillna("Khác (không thuộc lĩnh vực II.4)"))[
        ["round_label", "unit_name", "question_label", "text", "section", "focus_area_label", "round_code",
         "question_code", "submission_id"]]


if n > len(df):
    st.caption(f"Bảng và tệp CSV của bảng có {fmt_number(len(df))} câu trả lời đầu trong {fmt_number(n)}; "
               "thu hẹp tìm kiếm (từ khóa, lĩnh vực, mục, giai đoạn) hoặc tải tất cả ở nút dưới bảng.")
table(answer_rows(df), "y-kien", height=300, extra_labels=labels)
if n > len(df):
    every = dict(f.params(q=query, focus=focus, sections=[section] if section else [], unit="", rounds=in_period,
                          questions=[], limit=None))
    # made only when clicked (and not kept in the shared results): every matching answer, from the current snapshot
    st.download_button(f"⬇ Tải tất cả {fmt_number(n)} câu trả lời khớp (CSV)",
                       data=lambda: csv_bytes(labelled(answer_rows(warehouse().query("text_answers", **every)), labels)),
                       file_name=file_name("y-kien-tat-ca", f.slug(), snapshot().id), mime="text/csv",
                       on_click="ignore", key="dl_all_answers")
zip_button("y-kien")
