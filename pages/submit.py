"""Nộp báo cáo: the unit's status and deadline, its pre-filled template, upload, findings per cell, annotated
workbook, change preview, accept; versions with the exact files received, compare any two, rollback; for
administrators: approval, round closing, missing and late units with reminders, the audit log."""
import hashlib
import json
from datetime import date

import pandas as pd
import streamlit as st

from core import approval, audit, received
from core.config import settings, warehouse_dir
from core.labels import AUDIT_EVENTS, EVENTS, LATE_CORRECTION, STATUS, details_text, fmt_time, vn_sort_key
from etl import desk
from etl.findings import WARNING, rule_name
from etl.rules import change_frame
from ui.auth import current_user, login_form, notice_this_run
from ui.common import download, header, q, table, warehouse
from ui.desk import FINDING_LABELS, UPLOADER_CSS, change_display, change_preview, findings_view, version_compare_display

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
KEPT = "desk_kept"  # sha256 -> the file checked in this browser tab: kept across an expired login until re-login
user = current_user()
if user is None:  # the desk's own link, a reload or an expired session: log in here, then land here
    st.title("Nộp báo cáo")
    notice = notice_this_run()
    if notice:
        st.warning(notice, icon=":material/lock:")
    kept = st.session_state.get(KEPT) or {}
    if kept:
        st.session_state["desk_restore"] = True
        st.info(f"{len(kept)} tệp đã kiểm tra vẫn được giữ lại — đăng nhập lại để xem kết quả và nộp tiếp.",
                icon=":material/inventory_2:")
    st.markdown("Trang dành cho **cán bộ nhập liệu của đơn vị** và **quản trị viên**. Đăng nhập để tải mẫu và nộp báo cáo.")
    with st.container(border=True):
        login_form("desk_login")
    st.stop()
if not user.sees_desk:  # checked here too: the page is also left out of the navigation
    st.title("Không có quyền")
    st.error("Trang này dành cho cán bộ nhập liệu của đơn vị và quản trị viên.")
    st.stop()

header("Nộp báo cáo", "toàn bộ đề cương", "Tải mẫu của đơn vị, nộp tệp, xem lỗi theo từng ô, sửa và nộp lại.")
wh_dir = warehouse_dir()
is_admin = user.role == "admin"
today = date.today()


# ---- unit and round -------------------------------------------------------------------------------------------
def unit_label(row) -> str:
    """Unique: the name with its code, and the period of a unit that no longer reports."""
    if pd.isna(row.valid_to) or pd.Timestamp(row.valid_to).date() >= today:
        return f"{row.unit_name} ({row.unit_code})"
    return f"{row.unit_name} ({row.unit_code}, đến {pd.Timestamp(row.valid_to):%m/%Y})"


units = q("dim_unit")
labels = {r.unit_code: unit_label(r) for r in units.itertuples()}
if is_admin:
    c1, c2 = st.columns([2, 1], vertical_alignment="bottom")
    with c2:
        dissolved = st.toggle("Hiện đơn vị đã sáp nhập, giải thể", key="desk_all_units",
                              help="Các LĐLĐ 63 tỉnh cũ thôi báo cáo từ 01/7/2025 (sáp nhập thành 34 tỉnh).")
    active = units["valid_to"].isna() | (pd.to_datetime(units["valid_to"]).dt.date >= today)
    options = sorted(units[active | dissolved]["unit_code"], key=lambda u: vn_sort_key(labels[u]))
    with c1:
        unit = st.selectbox(f"Đơn vị ({len(options)})", options, key="desk_unit", format_func=labels.get)
else:
    unit = user.unit_code
    st.markdown(f"**Đơn vị:** {labels.get(unit, unit)}")
status_all = q("round_status")
rounds = q("dim_round").sort_values("year_to", ascending=False)
mine_rounds = [r for r in rounds["round_code"] if ((status_all["round_code"] == r) & (status_all["unit_code"] == unit)).any()]
if not mine_rounds:
    st.info("Đơn vị này không phải nộp kỳ báo cáo nào.")
    st.stop()
rnd = st.selectbox("Kỳ báo cáo", mine_rounds, key="desk_round",
                   format_func=dict(zip(rounds["round_code"], rounds["label_vi"])).get)
row = status_all[(status_all["round_code"] == rnd) & (status_all["unit_code"] == unit)].iloc[0]
closing = approval.closing(rnd, warehouse=wh_dir)
figures = approval.figures_status(warehouse(), rnd, [unit])


def status_panel() -> None:
    """Deadline, on time / late / missing, approval: what an officer under a deadline needs first."""
    deadline = pd.Timestamp(row["deadline"]).date()
    days = (deadline - today).days
    left = (f"còn {days} ngày" if days > 0 else "hạn chót là hôm nay" if days == 0 else f"đã quá hạn {-days} ngày")
    if row["status"] == "missing":
        state = f"**{STATUS['missing']}**"
    elif row.get("is_late_correction", False):  # (a snapshot built before the column existed has none)
        state = (f"**{LATE_CORRECTION}** — nộp lần đầu {pd.Timestamp(row['first_received_at']):%d/%m/%Y} (đúng hạn), "
                 f"bản sửa gần nhất nhận {pd.Timestamp(row['last_received_at']):%d/%m/%Y}, sau hạn")
    else:
        state = (f"**{STATUS[row['status']]}** — nhận lần đầu {pd.Timestamp(row['first_received_at']):%d/%m/%Y}, "
                 f"{int(row['versions'])} phiên bản")
    with st.container(border=True):
        st.markdown(f"**Hạn nộp:** {deadline:%d/%m/%Y} ({left})  \n**Tình trạng:** {state}  \n"
                    f"**Số liệu:** {'đã duyệt' if figures.approved else 'chưa duyệt'}"
                    + (" · kỳ đã chốt" if closing else ""))
    if closing:
        st.warning(approval.closed_message(closing), icon=":material/lock:")


status_panel()

# ---- 1. template ----------------------------------------------------------------------------------------------
st.subheader("1. Tải mẫu")
st.download_button("⬇ Tải mẫu Excel của đơn vị", data=lambda: desk.template_for(warehouse(), unit, rnd),
                   on_click="ignore", type="primary", file_name=f"mau_{rnd}_{unit}.xlsx", mime=XLSX)
st.caption("Mẫu đã điền sẵn mọi số liệu, xếp loại và câu trả lời đang dùng của đơn vị (nếu có) — chỉ cần sửa và nộp "
           "lại; nộp lại nguyên mẫu không thay đổi gì.")

# ---- 2. upload ------------------------------------------------------------------------------------------------
st.subheader("2. Nộp tệp")
max_mb = settings()["loader"]["max_file_mb"]
st.html(UPLOADER_CSS.replace("{max_mb}", str(max_mb)))
files = st.file_uploader(f"Chọn tệp .xlsx, .xls hoặc .csv (tối đa {max_mb} MB mỗi tệp; tệp lớn hơn bị từ chối ngay, "
                         "không gửi lên)", type=["xlsx", "xls", "csv"], accept_multiple_files=True, key="desk_files",
                         max_upload_size=max_mb)
kept = st.session_state.setdefault(KEPT, {})
for sha in [s for s, k in kept.items() if k["owner"] != user.name]:
    kept.pop(sha)  # checked with another account's rights: never shown to this one
current = []
for up in files or []:
    data = up.getvalue()
    sha = hashlib.sha256(data).hexdigest()
    if sha not in kept:
        with st.spinner(f"Đang kiểm tra tệp {up.name} trên máy chủ…"):
            kept[sha] = {"name": up.name, "data": data, "owner": user.name, "done": None,
                         "result": desk.check_upload(data, up.name, user, wh_dir)}
    current.append(sha)
# After an expired login the kept files stay (whatever the upload box still shows or has lost) until a new file is
# uploaded or the officer drops them.
restoring = bool(st.session_state.get("desk_restore")) and bool(kept) and set(current) <= set(kept)
if restoring:
    st.info("Các tệp đã kiểm tra trước khi phiên đăng nhập hết hạn được giữ lại bên dưới; có thể nộp tiếp.",
            icon=":material/inventory_2:")
    if st.button("Bỏ các tệp này", key="desk_forget"):
        kept.clear()
        st.session_state["desk_restore"] = False
        st.rerun()
else:
    st.session_state["desk_restore"] = False
    for sha in [s for s in kept if s not in current]:
        kept.pop(sha)


def headline(result) -> None:
    errors, warns = result.errors, [f for f in result.findings if f.severity == WARNING]
    cell_err = sum(not f.whole_file for f in errors)
    file_err = len(errors) - cell_err
    name = result.file_name
    if errors:
        parts = ([f"{cell_err} lỗi ở ô"] if cell_err else []) + ([f"{file_err} lỗi của cả tệp"] if file_err else [])
        how = ("Sửa các ô được nêu dưới đây (tệp đánh dấu tô đỏ đúng các ô này) rồi nộp lại." if not file_err else
               "Lỗi của cả tệp không nằm ở một ô nào: xem cách sửa bên dưới.")
        st.error(f"**{name}**: {' và '.join(parts)} — chưa nộp được. {how}")
    elif warns:
        st.warning(f"**{name}**: không có lỗi, {len(warns)} cảnh báo. Đọc cảnh báo rồi nộp.")
    else:
        st.success(f"**{name}**: không có lỗi ({result.rows} ô số liệu).")


def file_block(i: int, k: dict) -> None:
    result = k["result"]
    with st.container(border=True):
        headline(result)
        if result.findings:
            rows = desk.finding_rows(result.findings)
            findings_view(rows, key=f"findings_{i}")
            c1, c2 = st.columns(2)
            with c1:
                download(pd.DataFrame(rows.drop(columns=["whole_file"])), f"ket-qua-kiem-tra-{i}",
                         key=f"dl_findings_{i}", extra_labels=FINDING_LABELS)
            if desk.markable(result):
                c2.download_button("⬇ Tải lại tệp đã đánh dấu ô lỗi", on_click="ignore", key=f"annot_{i}",
                                   data=lambda d=k["data"], f=result.findings: desk.annotated(d, f) or d,
                                   file_name=f"danh-dau_{result.file_name}", mime=XLSX)
        if k["done"] is not None:
            st.success(k["done"]) if k["done"].startswith("Đã nhận") else st.info(k["done"])
            return
        errors = result.errors
        if not errors and result.changes is not None:
            change_preview(change_frame(result.changes), result.changes.counts, key=f"chg_{i}")
        if not errors and result.status == "unchanged":
            st.info("Mọi giá trị trong tệp giống số liệu đang dùng — nộp tệp này không thay đổi gì.")
        if not errors and result.status == "accepted":
            # a rule of rules.csv that warns asks for a reason ("nếu đúng hãy ghi chú lý do"); other warnings do not
            asks = [f for f in result.findings if f.severity == WARNING and f.rule in desk.rule_ids()]
            note = st.text_input("Ghi chú" + (" (bắt buộc: giải thích các cảnh báo về số liệu)" if asks else ""),
                                 key=f"note_{i}")
            if st.button("✔ Nộp và công bố", key=f"accept_{i}", type="primary", disabled=bool(asks) and not note.strip()):
                with st.spinner("Đang nạp và công bố…"):
                    done = desk.accept(k["data"], k["name"], user, wh_dir, note=note)
                if done.status == "accepted":
                    k["done"] = f"Đã nhận: phiên bản {done.version} ({done.submission_id}). {desk.visible_when()}"
                elif done.status == "unchanged":
                    k["done"] = "Mọi giá trị trong tệp giống số liệu đang dùng — không tạo phiên bản mới."
                else:
                    k["result"] = done
                st.rerun()


for i, sha in enumerate(list(kept) if restoring else current):
    file_block(i, kept[sha])

# ---- 3. versions ----------------------------------------------------------------------------------------------
st.subheader("3. Các phiên bản đã nộp")
subs = q("submissions")
mine = subs[(subs["unit_code"] == unit) & (subs["round_code"] == rnd)].sort_values("version", ascending=False)
if mine.empty:
    st.info("Đơn vị chưa nộp phiên bản nào trong kỳ này.")
else:
    deadline = pd.Timestamp(row["deadline"]).date()
    cols = ["version", "is_current", "received_at", "timeliness", "event", "reason", "note", "file_name"] \
        + (["loaded_by"] if is_admin else []) + ["n_warnings", "sha256"]
    data = mine.assign(timeliness=pd.to_datetime(mine["received_at"]).dt.date.map(
        lambda d: "Sau hạn" if d > deadline else "Đúng hạn"))[cols]
    shown = data.assign(is_current=data["is_current"].map({True: "Đang dùng", False: ""}),
                        event=data["event"].map(lambda e: EVENTS.get(e, e)),
                        received_at=pd.to_datetime(data["received_at"]).dt.strftime("%d/%m/%Y %H:%M"),
                        sha256=data["sha256"].str[:12], reason=data["reason"].fillna(""), note=data["note"].fillna(""))
    table(data, f"phien-ban-{unit}-{rnd}", display=shown, key="dl_hist", extra_labels={"timeliness": "Hạn nộp"})
    versions = mine["version"].astype(int).tolist()
    vlabel = {int(r.version): f"Phiên bản {int(r.version)} — {pd.Timestamp(r.received_at):%d/%m/%Y %H:%M}"
              + (" (đang dùng)" if r.is_current else "") for r in mine.itertuples()}
    have = received.kept(mine["sha256"].tolist(), warehouse=wh_dir)
    c1, c2 = st.columns([2, 1], vertical_alignment="bottom")
    v = c1.selectbox("Phiên bản", versions, key="desk_version", format_func=vlabel.get)
    chosen = mine[mine["version"] == v].iloc[0]
    if chosen["sha256"] in have:
        c2.download_button("⬇ Tải đúng tệp đã nộp", on_click="ignore", key="dl_received", mime="application/octet-stream",
                           data=lambda s=chosen["sha256"]: received.get(s, warehouse=wh_dir) or b"",
                           file_name=desk.display_name(chosen["file_name"]))
    else:
        c2.caption("Không lưu tệp gốc của phiên bản này (nạp trước khi hệ thống lưu tệp gốc).")
    diff = desk.changes(warehouse(), unit, rnd, int(v))
    st.markdown(f"**Phiên bản {v}** đã thay đổi {len(diff)} giá trị so với số liệu đang dùng lúc nhận"
                + (f"; lý do quay lại: {chosen['reason']}" if isinstance(chosen["reason"], str) and chosen["reason"] else "")
                + ".")
    if len(diff):
        shown = change_display(diff.assign(change_pct=(diff["change"] / diff["old_value"] * 100).where(diff["old_value"] > 0)))
        table(shown, f"thay-doi-v{v}", key="dl_diff")
    if len(versions) > 1:
        with st.expander("So sánh hai phiên bản bất kỳ"):
            c1, c2 = st.columns(2)
            a = c1.selectbox("Phiên bản A", versions, index=len(versions) - 1, key="desk_cmp_a", format_func=vlabel.get)
            b = c2.selectbox("Phiên bản B", versions, index=0, key="desk_cmp_b", format_func=vlabel.get)
            cmp = desk.compare_versions(q("version_rows", submission=f"{unit}/{rnd}/v{a}"),
                                        q("version_rows", submission=f"{unit}/{rnd}/v{b}"))
            st.markdown(f"{len(cmp)} ô khác nhau giữa phiên bản {a} và {b} (giá trị mỗi tệp đã nêu; 'xóa' là dấu xóa).")
            if len(cmp):
                table(cmp, f"so-sanh-v{a}-v{b}", display=version_compare_display(cmp, a, b), key="dl_cmp",
                      extra_labels={"given_a": f"Phiên bản {a}", "given_b": f"Phiên bản {b}", "comparison": "So sánh",
                                    "kind": "Loại", "code": "Mã chỉ tiêu / mức / câu hỏi",
                                    "sheet_a": "Trang (A)", "cell_a": "Ô (A)", "sheet_b": "Trang (B)", "cell_b": "Ô (B)"})
    if user.can_rollback and len(versions) > 1:
        with st.form("rollback"):
            st.markdown("**Quay lại một phiên bản trước** (chỉ quản trị viên; lịch sử vẫn giữ đủ)")
            to = st.selectbox("Phiên bản", versions, format_func=vlabel.get)
            reason = st.text_input("Lý do (bắt buộc)")
            if st.form_submit_button("Quay lại"):
                try:
                    snap = desk.roll_back(user, wh_dir, unit, rnd, int(to), reason)
                    st.success(f"Đã quay lại phiên bản {to}. Bản dữ liệu mới: {snap.id}.")
                except (ValueError, PermissionError, LookupError) as exc:
                    st.error(str(exc))

if not is_admin:
    st.stop()

# ---- 4. approval and closing (administrators) -----------------------------------------------------------------
st.subheader("4. Duyệt và chốt số liệu")
cur = q("current_versions", round=rnd)
cur = cur[cur["unit_code"] == unit]
approved = approval.approvals(rnd, warehouse=wh_dir).get(unit)
round_status = approval.figures_status(warehouse(), rnd)
round_name = dict(zip(rounds["round_code"], rounds["label_vi"]))[rnd]
st.markdown(f"**Cả kỳ {round_name}:** {round_status.label}.")
c1, c2 = st.columns(2)
with c1, st.container(border=True):
    st.markdown(f"**{labels.get(unit, unit)}**")
    if cur.empty:
        st.caption("Đơn vị chưa có phiên bản nào trong kỳ này: chưa có gì để duyệt.")
    else:
        sid = cur["submission_id"].iloc[0]
        if approved == sid:
            st.success(f"Đã duyệt phiên bản đang dùng ({sid}).")
            with st.form("unapprove"):
                why = st.text_input("Lý do bỏ duyệt")
                if st.form_submit_button("Bỏ duyệt"):
                    try:
                        desk.unapprove(user, wh_dir, unit, rnd, why)
                        st.rerun()
                    except (ValueError, PermissionError) as exc:
                        st.error(str(exc))
        else:
            if approved:
                st.warning(f"Đã duyệt {approved}, nhưng số liệu đã thay đổi sau đó: cần duyệt lại phiên bản {sid}.")
            if st.button(f"✔ Duyệt số liệu (phiên bản {int(cur['version'].iloc[0])})", key="approve", type="primary",
                         disabled=closing is not None):
                try:
                    desk.approve(user, wh_dir, unit, rnd, sid)
                    st.rerun()
                except (ValueError, PermissionError) as exc:
                    st.error(str(exc))
with c2, st.container(border=True):
    st.markdown(f"**Kỳ {round_name}**")
    if closing is None:
        with st.form("close_round"):
            why = st.text_input("Ghi chú khi chốt (không bắt buộc)")
            sure = st.checkbox("Tôi hiểu: sau khi chốt, mọi thay đổi số liệu của kỳ này bị từ chối cho đến khi mở lại.")
            if st.form_submit_button("Chốt số liệu kỳ này"):
                if not sure:
                    st.error("Đánh dấu ô xác nhận trước khi chốt.")
                else:
                    try:
                        desk.close_round(user, wh_dir, rnd, why)
                        st.rerun()
                    except (ValueError, PermissionError) as exc:
                        st.error(str(exc))
    else:
        st.info(f"Đã chốt ngày {closing.date_label} bởi {closing.by}" + (f": {closing.reason}" if closing.reason else "."))
        with st.form("reopen_round"):
            why = st.text_input("Lý do mở lại (bắt buộc)")
            if st.form_submit_button("Mở lại kỳ"):
                try:
                    desk.reopen_round(user, wh_dir, rnd, why)
                    st.rerun()
                except (ValueError, PermissionError) as exc:
                    st.error(str(exc))

# ---- 5. missing and late units, reminders (administrators) ----------------------------------------------------
st.subheader("5. Đơn vị chưa nộp, nộp muộn")
todo = status_all[(status_all["round_code"] == rnd) & (status_all["status"] != "on_time")].sort_values(
    ["status", "unit_name"], ascending=[True, True])
if todo.empty:
    st.success("Mọi đơn vị phải nộp kỳ này đều đã nộp đúng hạn.")
else:
    data = todo[["unit_code", "unit_name", "status", "deadline", "last_received_at", "contact"]]
    shown = data.assign(status=[LATE_CORRECTION if lc else STATUS[s] for s, lc in zip(todo["status"], todo.get("is_late_correction", [False] * len(todo)))],
                        deadline=pd.to_datetime(data["deadline"]).dt.strftime("%d/%m/%Y"),
                        last_received_at=pd.to_datetime(data["last_received_at"]).dt.strftime("%d/%m/%Y").fillna("—"))
    table(data, f"chua-nop-{rnd}", display=shown, key="dl_todo",
          extra_labels={"status": "Tình trạng", "last_received_at": "Nhận gần nhất"})
    from etl import remind
    pick = st.multiselect("Nhắc các đơn vị", todo["unit_code"].tolist(), format_func=labels.get, key="remind_units",
                          placeholder=f"Tất cả {len(todo)} đơn vị trong bảng (hoặc chọn một số)")
    drafts = remind.draft(rnd, todo[todo["unit_code"].isin(pick)] if pick else todo, today)
    cfg = remind.smtp_config()
    with st.expander(f"Nội dung thư nhắc ({len(drafts)} thư)"):
        for d in drafts:
            st.markdown(f"**Gửi:** {d.to} — **Tiêu đề:** {d.subject}")
            st.text(d.body)
    if cfg is None:
        st.caption("Chưa cấu hình máy chủ thư (settings.toml [mail] smtp_host): sao chép nội dung trên để gửi.")
    elif st.button(f"✉ Gửi {len(drafts)} thư nhắc qua {cfg.host}", key="remind_send", disabled=not drafts):
        with st.spinner("Đang gửi thư…"):
            sent = remind.send(drafts, cfg)
        ok = [u for u, err in sent.items() if not err]
        audit.record("reminder_sent", user, warehouse=wh_dir, round=rnd, sent=ok,
                     failed={u: e for u, e in sent.items() if e})
        if ok:
            st.success(f"Đã gửi {len(ok)} thư nhắc.")
        for u, err in sent.items():
            if err:
                st.error(f"{labels.get(u, u)}: {err}")

# ---- 6. audit log (administrators) ----------------------------------------------------------------------------
st.subheader("6. Nhật ký thao tác")


def _details(d: dict) -> str:
    if isinstance(d.get("rules"), list):
        d = {**d, "rules": [rule_name(r) for r in d["rules"]]}
    return details_text(d)


log = audit.read(wh_dir, limit=200)
cols = ["at", "event", "user_name", "unit_code", "round_code", "details"]
data = log[cols].assign(at=log["at"].map(fmt_time), details=log["details"].map(lambda d: json.dumps(d, ensure_ascii=False)))
table(data, "nhat-ky", key="dl_audit", height=320, display=data.fillna("").assign(
    event=log["event"].map(lambda e: AUDIT_EVENTS.get(e, e)), details=log["details"].map(_details)))
