"""Nộp báo cáo: template for the officer's unit, upload, findings, annotated workbook, accept; history, rollback."""
import json

import pandas as pd
import streamlit as st

from core import audit
from core.config import settings, warehouse_dir
from core.labels import AUDIT_EVENTS, EVENTS, details_text, fmt_time
from etl.desk import accept, annotated, changes, check_upload, markable, roll_back, template_for
from etl.rules import change_frame
from ui.auth import current_user
from ui.common import empty, header, q, table, warehouse
from ui.desk import change_display, change_preview

user = current_user()
if user is None or not user.sees_desk:  # checked here too: the page is also left out of the navigation
    st.title("Không có quyền")
    st.error("Trang này dành cho cán bộ nhập liệu của đơn vị và quản trị viên. Hãy đăng nhập ở thanh bên.")
    st.stop()

header("Nộp báo cáo", "toàn bộ đề cương", "Tải mẫu của đơn vị, nộp tệp, xem lỗi theo từng ô, sửa và nộp lại.")
units = q("dim_unit").sort_values("unit_name")
rounds = q("dim_round").sort_values("year_to", ascending=False)
wh_dir = warehouse_dir()
if user.role == "admin":
    unit = st.selectbox("Đơn vị", units["unit_code"], key="desk_unit",
                        format_func=dict(zip(units["unit_code"], units["unit_name"])).get)
else:
    unit = user.unit_code
    st.markdown(f"**Đơn vị:** {units.set_index('unit_code').loc[unit, 'unit_name']}")
active = [r for r in rounds["round_code"] if unit in set(q("round_status").query("round_code == @r")["unit_code"])]
rnd = st.selectbox("Kỳ báo cáo", active, key="desk_round",
                   format_func=dict(zip(rounds["round_code"], rounds["label_vi"])).get)

st.subheader("1. Tải mẫu")


st.download_button("⬇ Tải mẫu Excel của đơn vị", data=lambda: template_for(warehouse(), unit, rnd), on_click="ignore", type="primary",
                   file_name=f"mau_{rnd}_{unit}.xlsx",
                   mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
st.caption("Mẫu đã điền sẵn mọi số liệu, xếp loại và câu trả lời đang dùng của đơn vị (nếu có) — chỉ cần sửa "
           "và nộp lại; nộp lại nguyên mẫu không thay đổi gì.")

st.subheader("2. Nộp tệp")
max_mb = settings()["loader"]["max_file_mb"]
files = st.file_uploader(f"Chọn tệp .xlsx, .xls hoặc .csv (tối đa {max_mb} MB mỗi tệp)", type=["xlsx", "xls", "csv"],
                         accept_multiple_files=True, key="desk_files", max_upload_size=max_mb)
for i, up in enumerate(files or []):
    data = up.getvalue()
    key = f"checked_{i}_{hash(data)}"
    if key not in st.session_state:
        st.session_state[key] = check_upload(data, up.name, user, wh_dir)
    result = st.session_state[key]
    with st.container(border=True):
        errors = [f for f in result.findings if f.severity == "error"]
        warns = [f for f in result.findings if f.severity != "error"]
        if errors and not markable(result):
            st.error(f"**{result.file_name}**: {len(errors)} lỗi ở cả tệp — chưa nộp được. Xem cách sửa trong bảng dưới.")
        elif errors:
            st.error(f"**{result.file_name}**: {len(errors)} lỗi — chưa nộp được. Sửa các ô được tô đỏ rồi nộp lại.")
        elif warns:
            st.warning(f"**{result.file_name}**: không có lỗi, {len(warns)} cảnh báo. Có thể nộp kèm ghi chú.")
        else:
            st.success(f"**{result.file_name}**: không có lỗi ({result.rows} ô số liệu).")
        if result.findings:
            df = pd.DataFrame([{"severity_label": "Lỗi" if f.severity == "error" else "Cảnh báo", "sheet": f.sheet,
                                "cell": f.cell, "found_value": f.value, "rule": f.rule, "message": f.message,
                                "fix": f.fix} for f in result.findings])
            table(df, f"ket-qua-kiem-tra-{i}", key=f"dl_findings_{i}")
            if markable(result):
                st.download_button("⬇ Tải lại tệp đã đánh dấu ô lỗi", data=lambda d=data, f=result.findings: annotated(d, f) or d,
                                   file_name=f"danh-dau_{result.file_name}", on_click="ignore", key=f"annot_{i}",
                                   mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        if not errors and result.changes is not None:
            change_preview(change_frame(result.changes), result.changes.counts, key=f"chg_{i}")
        if not errors and result.status == "unchanged":
            st.info("Mọi giá trị trong tệp giống số liệu đang dùng — nộp tệp này không thay đổi gì.")
        if not errors and result.status == "accepted":
            note = st.text_input("Ghi chú (bắt buộc khi có cảnh báo)", key=f"note_{i}") if warns else ""
            if st.button("✔ Nộp và công bố", key=f"accept_{i}", type="primary", disabled=bool(warns) and not note):
                done = accept(data, up.name, user, wh_dir, note=note)
                if done.status == "accepted":
                    st.success(f"Đã nhận: phiên bản {done.version} ({done.submission_id}). Bảng điều khiển hiển thị "
                               "số liệu mới ngay ở lần bấm tiếp theo.")
                elif done.status == "unchanged":
                    st.info("Mọi giá trị trong tệp giống số liệu đang dùng — không tạo phiên bản mới.")
                else:
                    st.error("Tệp không được nhận: " + "; ".join(f.message for f in done.findings if f.severity == "error"))

st.subheader("3. Lịch sử phiên bản")
subs = q("submissions")
mine = subs[(subs["unit_code"] == unit) & (subs["round_code"] == rnd)].sort_values("version")
if mine.empty:
    empty("phiên bản nào của đơn vị trong kỳ này")
else:
    cols = ["version", "is_current", "received_at", "loaded_by", "file_name", "sha256", "note", "event", "reason"]
    shown = mine[cols].assign(is_current=mine["is_current"].map({True: "Đang dùng", False: ""}),
                              event=mine["event"].map(lambda e: EVENTS.get(e, e)),
                              received_at=pd.to_datetime(mine["received_at"]).dt.strftime("%d/%m/%Y %H:%M"))
    table(mine[cols], f"lich-su-{unit}-{rnd}", display=shown, key="dl_hist")
    versions = mine["version"].tolist()
    v = st.selectbox("Xem thay đổi của phiên bản", versions, index=len(versions) - 1, key="desk_diff")
    diff = changes(warehouse(), unit, rnd, int(v))
    st.markdown(f"**Phiên bản {v}** đã thay đổi {len(diff)} giá trị so với số liệu đang dùng lúc nhận.")
    if len(diff):
        shown = change_display(diff.assign(change_pct=(diff["change"] / diff["old_value"] * 100).where(diff["old_value"] > 0)))
        table(shown, f"thay-doi-v{v}", key="dl_diff")
    if user.can_rollback and len(versions) > 1:
        with st.form("rollback"):
            st.markdown("**Quay lại một phiên bản trước** (chỉ quản trị viên; lịch sử vẫn giữ đủ)")
            to = st.selectbox("Phiên bản", versions)
            reason = st.text_input("Lý do")
            if st.form_submit_button("Quay lại"):
                try:
                    snap = roll_back(user, wh_dir, unit, rnd, int(to), reason)
                    st.success(f"Đã quay lại phiên bản {to}. Bản dữ liệu mới: {snap.id}.")
                except (ValueError, PermissionError, LookupError) as exc:
                    st.error(str(exc))

if user.role == "admin":
    st.subheader("Nhật ký thao tác")
    log = audit.read(wh_dir, limit=200)
    cols = ["at", "event", "user_name", "unit_code", "round_code", "details"]
    data = log[cols].assign(at=log["at"].map(fmt_time),
                            details=log["details"].map(lambda d: json.dumps(d, ensure_ascii=False)))
    table(data, "nhat-ky", key="dl_audit", height=260, display=data.fillna("").assign(
        event=log["event"].map(lambda e: AUDIT_EVENTS.get(e, e)), details=log["details"].map(details_text)))
