"""Tiến độ & chất lượng dữ liệu: expected vs received vs late vs missing per round; warnings and rejected files."""
import pandas as pd
import streamlit as st

from core import charts
from core.config import warehouse_dir
from core.labels import SEVERITY, STATUS, fmt_number, fmt_time, unit_labels
from core.rejections import recent_rejections
from ui.auth import current_user
from ui.common import TABLE_ROWS, chart, empty, filters, header, q, rounds_in_period, stat_table, table, zip_button

header("Tiến độ & chất lượng dữ liệu", "toàn bộ", "Đơn vị nào đã nộp, nộp muộn, chưa nộp; lỗi và cảnh báo khi nạp.",
       ignored={"sector": "một báo cáo là của cả đơn vị, không theo khu vực"},
       note="Giai đoạn chọn các kỳ báo cáo có năm nằm trong giai đoạn; vùng, tỉnh và loại đơn vị chọn các đơn vị phải "
            "nộp. Tệp bị từ chối, cảnh báo và lịch sử phiên bản là của mọi đơn vị.")
f = filters()
# the units of the sidebar selection (region, province, unit type); a round's figures do not depend on the period
status = q("round_status")
status = status[status["unit_code"].isin(q("selected_units", **f.params())["unit_code"])
                & status["round_code"].isin(rounds_in_period())]
if status.empty:
    empty("kỳ báo cáo")
    st.stop()
summary = (status.groupby(["round_code", "round_label", "deadline"])
           .agg(expected_n=("unit_code", "count"), received_n=("status", lambda s: (s != "missing").sum()),
                on_time_n=("status", lambda s: (s == "on_time").sum()), late_n=("status", lambda s: (s == "late").sum()),
                missing_n=("status", lambda s: (s == "missing").sum()))
           .reset_index().sort_values("deadline"))  # oldest round first, as time runs on every axis
rounds = q("dim_round").set_index("round_code")
short = {r: (f"Năm {rounds.loc[r, 'year_to']}" if rounds.loc[r, "year_from"] == rounds.loc[r, "year_to"]
             else f"{rounds.loc[r, 'year_from']}–{rounds.loc[r, 'year_to']}") for r in summary["round_code"]}
long = summary.melt(id_vars=["round_code"], value_vars=["on_time_n", "late_n", "missing_n"], var_name="kind",
                    value_name="value")
long["status"] = long["kind"].map({"on_time_n": "on_time", "late_n": "late", "missing_n": "missing"})
long["series"] = long["status"].map(STATUS)
fig = charts.bars(long.assign(label=long["round_code"].map(short)), "label", "Tình trạng nộp báo cáo theo kỳ",
                  "đơn vị", series="series", stacked=True, colors=charts.STATUS_COLOURS, height=340)
fig.update_xaxes(categoryorder="array", categoryarray=[short[r] for r in summary["round_code"]])
chart(fig, long[["round_code", "status", "series", "value"]].rename(columns={"series": "status_label"}),
      "tinh-trang-theo-ky")
disp = summary[["round_code", "round_label", "deadline", "expected_n", "received_n", "on_time_n", "late_n", "missing_n"]]
counts = ["expected_n", "received_n", "on_time_n", "late_n", "missing_n"]
stat_table(disp, "tong-hop-theo-ky", display=disp.drop(columns=["round_code"]).assign(
    deadline=pd.to_datetime(disp["deadline"]).dt.strftime("%d/%m/%Y"), **{c: disp[c].map(fmt_number) for c in counts}),
    extra_labels={"round_label": "Tên kỳ báo cáo"})

st.subheader("Chi tiết một kỳ")
rnd = st.selectbox("Kỳ báo cáo", summary["round_code"].tolist()[::-1],
                   format_func=dict(zip(summary["round_code"], summary["round_label"])).get, key="ky")
one = status[status["round_code"] == rnd].copy()
unit_names = dict(zip(status["unit_code"], status["unit_name"]))
one["status_label"] = one["status"].map(STATUS)
miss = one[one["status"] != "on_time"][["round_code", "unit_code", "unit_name", "status_label", "deadline",
                                        "first_received_at", "versions", "contact"]]
show = miss.drop(columns=["round_code", "unit_code"]).assign(deadline=pd.to_datetime(miss["deadline"]).dt.strftime("%d/%m/%Y"),
                   first_received_at=pd.to_datetime(miss["first_received_at"]).dt.strftime("%d/%m/%Y").fillna("—"),
                   versions=miss["versions"].map(lambda v: fmt_number(v) if pd.notna(v) else "—"))
st.markdown(f"**Đơn vị nộp muộn hoặc chưa nộp** ({fmt_number(len(miss))} / {fmt_number(len(one))} đơn vị phải nộp)")
if len(miss) > 30:  # thousands of units: a scrolling table, not a page as long as the list
    table(miss, f"chua-nop-{rnd}", display=show, key="dl_missing", height=420)
else:
    stat_table(miss, f"chua-nop-{rnd}", display=show, key="dl_missing")

st.subheader("Tệp bị từ chối")
rejected = recent_rejections(limit=200, warehouse=warehouse_dir())
if rejected.empty:
    st.success("Chưa có tệp nào bị từ chối.")
else:
    st.markdown(f"**{len(rejected)} tệp gần nhất bị từ chối** — không nạp gì từ các tệp này. Mỗi tệp liệt kê các lỗi "
                "đầu tiên; đơn vị nộp xem đủ lỗi và tệp đánh dấu ô lỗi ở trang Nộp báo cáo.")
    rows = [{"found_at": fmt_time(r.at), "file_name": r.file_name, "unit_name": unit_names.get(r.unit_code, r.unit_code or ""),
             "n_errors": r.n_errors, "sheet": f.get("sheet", ""), "cell": f.get("cell", ""),
             "found_value": f.get("value", ""), "message": f.get("message", ""), "fix": f.get("fix", "")}
            for r in rejected.itertuples() for f in r.summary["findings"][:5] if f.get("severity") == "error"]
    table(pd.DataFrame(rows), "tep-bi-tu-choi", key="dl_rej", height=260)

st.subheader("Cảnh báo trong các báo cáo đã nhận")
findings = q("findings")
if findings.empty:
    st.success("Không có cảnh báo nào trong các phiên bản đang dùng.")
else:
    findings["severity_label"] = findings["severity"].map(SEVERITY)
    cols = ["file_name", "severity_label", "sheet", "cell", "value", "message", "fix", "found_at"]
    warn = findings[cols].rename(columns={"value": "found_value"})
    st.markdown(f"**{fmt_number(len(warn))} cảnh báo** — báo cáo vẫn được nhận, kèm ghi chú của đơn vị.")
    table(warn, "canh-bao", key="dl_warn", height=240)

st.subheader("Lịch sử phiên bản")
subs = q("submissions")
user = current_user()
# who loaded a version is shown to administrators only; everyone else sees the unit and the time
cols = ["submission_id", "received_at", "file_name", "version", "n_warnings"] + \
    (["loaded_by"] if user is not None and user.role == "admin" else [])
names = dict(zip(rounds.index, rounds["label_vi"]))
first = subs.head(TABLE_ROWS)  # the newest first; the CSV has every version
table(subs[cols], "lich-su-phien-ban", key="dl_subs", height=260,
      display=first[cols].assign(received_at=pd.to_datetime(first["received_at"]).dt.strftime("%d/%m/%Y %H:%M"),
                                 unit_name=first["unit_code"].map(unit_labels()).fillna(first["unit_code"]),
                                 round_label=first["round_code"].map(names).fillna(first["round_code"]))[
          ["unit_name", "round_label", "version", "received_at", "file_name", "n_warnings", *cols[5:], "submission_id"]],
      extra_labels={"round_label": "Kỳ báo cáo"})
zip_button("tien-do")
