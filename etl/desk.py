"""The submission desk's logic (no Streamlit): check an upload for a user, accept it, compare versions.

Reuses the loader: the checks run in a sandboxed worker process (etl.worker), the change set is computed
against the published snapshot, load_files publishes (checking again under the writer lock).
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pandas as pd

from core import approval, audit, received, snapshots
from core.auth import User
from core.db import Warehouse
from etl.findings import ERROR, Finding
from etl.load import FileResult, load_files, rollback

ALLOWED = (".xlsx", ".xls", ".csv")


def safe_suffix(name: str) -> str | None:
    """The file type from an uploaded name, only if allowed (the name itself is never used as a path)."""
    suffix = Path(name.replace("\\", "/")).suffix.lower()
    return suffix if suffix in ALLOWED else None


def _checked(data: bytes, display: str, suffix: str, warehouse: Path) -> FileResult:
    """The upload checked in a sandboxed worker (never parsed in this server process)."""
    from core.refdata import reference
    from etl.load import check_files, too_large
    from etl.worker import shared
    refused = too_large(display, "", len(data))
    if refused:
        return refused
    with tempfile.TemporaryDirectory(prefix="cdcs-upload-") as tmp:
        path = Path(tmp) / f"upload{suffix}"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        return check_files([path], reference(), names={str(path): display}, sandbox=shared())[0]


def annotated(data: bytes, findings: list) -> bytes | None:
    """The uploaded workbook returned with its faulty cells marked — made in a sandboxed worker, never here."""
    from etl.worker import shared
    with tempfile.TemporaryDirectory(prefix="cdcs-upload-") as tmp:
        path = Path(tmp) / "upload.xlsx"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        return shared().annotate(path, findings)


# a file whose structure could not be read has no cells to mark
UNMARKABLE = {"not_excel", "password_protected", "damaged_zip", "zip_method", "too_many_members", "member_too_large",
              "zip_bomb", "missing_member", "xml_encoding", "xml_dtd", "xml_broken", "bad_shared_string", "bad_cell_ref",
              "macro_workbook", "limit_memory", "limit_cpu", "limit_time", "worker_failed", "file_too_large",
              "unsupported_type", "empty_file", "missing_meta"}


def markable(result: FileResult) -> bool:
    """True when the returned workbook can be offered: an .xlsx read through, with findings on cells."""
    return (result.file_name.lower().endswith(".xlsx") and not any(f.rule in UNMARKABLE for f in result.findings)
            and any(not f.whole_file for f in result.findings))


def display_name(original_name: str) -> str:
    """The uploaded name as shown (last path part, control characters dropped, at most 120 characters)."""
    name = Path(original_name.replace("\\", "/")).name
    name = "".join(ch for ch in name if ch.isprintable())[:120]
    return name or "tep"


def _unit_name(code: str | None) -> str:
    from core.refdata import reference
    units = reference().units
    return f"{units.loc[code, 'unit_name']} ({code})" if code in units.index else str(code)


def _not_allowed(file_name: str, unit_code: str, user: User) -> Finding:
    """A whole-file error: the file is another unit's report (named, with its code)."""
    own = f" chỉ được nộp cho {_unit_name(user.unit_code)}" if user.unit_code else " không được nộp báo cáo"
    return Finding(file=file_name, rule="unit_not_allowed", severity=ERROR, value=unit_code,
                   message=f"Tệp này là báo cáo của {_unit_name(unit_code)}; tài khoản {user.name}{own}.",
                   fix="Tải mẫu của đơn vị mình ở bước 1, chép số liệu vào rồi nộp; nếu cần nộp thay đơn vị khác, "
                       "nhờ quản trị viên.")


def rule_ids() -> set[str]:
    """The rules of rules.csv (a warning of theirs asks the sender for a reason)."""
    from core.refdata import reference
    return set(reference().rule_names)


def finding_rows(findings: list[Finding]) -> pd.DataFrame:
    """The findings as the desk lists them, one row each, errors first: what the cell holds, where, the value
    found, what was expected, the rule's Vietnamese name, the message and how to fix it."""
    from etl.findings import rule_name
    rows = [{"severity": f.severity, "item": f.item, "where": "Cả tệp" if f.whole_file else
             (f"Trang '{f.sheet}', ô {f.cell}" if f.sheet else f"Ô {f.cell}"), "sheet": "" if f.whole_file else f.sheet,
             "cell": "" if f.whole_file else f.cell, "found_value": f.value, "expected": f.expected,
             "rule_name": rule_name(f.rule), "message": f.message, "fix": f.fix, "whole_file": f.whole_file}
            for f in findings]
    df = pd.DataFrame(rows, columns=["severity", "item", "where", "sheet", "cell", "found_value", "expected", "rule_name",
                                     "message", "fix", "whole_file"])
    return df.sort_values("severity", key=lambda s: s.ne(ERROR), kind="stable").reset_index(drop=True)


def check_upload(data: bytes, original_name: str, user: User, warehouse: Path) -> FileResult:
    """Findings and change set for an uploaded file, with the permission check (the user's own unit only)."""
    display = display_name(original_name)
    suffix = safe_suffix(display)
    if suffix is None:
        f = Finding(file=display, rule="unsupported_type", severity=ERROR, value=Path(display).suffix or display)
        result = FileResult(display, "", "", "rejected", findings=[f])
    else:
        result = _checked(data, display, suffix, warehouse)
        if result.unit_code is not None and not user.can_submit(result.unit_code):
            result.clean = None  # never compared with another unit's figures
            result.findings.append(_not_allowed(display, result.unit_code, user))
            result.status = "rejected"
        else:
            from core import snapshots
            from core.approval import closed_rounds
            from etl.load import preview
            # rules on the unit's figures, change set; a closed round is refused here already
            result = preview(result, snapshots.current(warehouse), closed=closed_rounds(warehouse=warehouse))
    audit.record("upload", user, warehouse=warehouse, file=result.file_name, sha256=result.sha256,
                 unit=result.unit_code, round=result.round_code, status=result.status,
                 errors=sum(f.severity == ERROR for f in result.findings))
    if result.status == "rejected":
        audit.record("rejected", user, warehouse=warehouse, file=result.file_name, sha256=result.sha256,
                     unit=result.unit_code, round=result.round_code,
                     rules=sorted({f.rule for f in result.findings if f.severity == ERROR}))
    return result


def accept(data: bytes, original_name: str, user: User, warehouse: Path, note: str = "") -> FileResult:
    """Load an upload that passed the checks (checked again, permissions included) and publish it."""
    checked = check_upload(data, original_name, user, warehouse)
    if checked.status != "accepted":
        return checked
    suffix = safe_suffix(checked.file_name)
    with tempfile.TemporaryDirectory(prefix="cdcs-upload-") as tmp:
        path = Path(tmp) / f"upload{suffix}"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        from etl import records
        from etl.worker import shared
        deferred = records.enabled()  # several hosts: saved now, published by the publisher within seconds
        result = load_files([path], warehouse, loaded_by=user.name, note=note, progress=False,
                            names={str(path): checked.file_name}, sandbox=shared(), publish=not deferred,
                            standby="background").files[0]
    if result.status == "accepted":
        received.keep(data, warehouse=warehouse)  # the exact bytes of the version, for its download
        from etl.publish import inline, publish_pending
        if deferred and inline():
            import threading
            threading.Thread(target=publish_pending, args=(warehouse,), daemon=True, name="cdcs-publish").start()
    audit.record("accepted" if result.status == "accepted" else result.status, user, warehouse=warehouse,
                 file=result.file_name, sha256=result.sha256, unit=checked.unit_code, round=checked.round_code,
                 submission=result.submission_id, note=note)
    return result


def visible_when() -> str:
    """When an accepted version shows on the dashboard, in words for the officer."""
    from etl import records
    if records.enabled():
        return ("Số liệu đã được lưu; bảng điều khiển hiển thị số liệu mới trong vài giây, khi bản dữ liệu tiếp theo "
                "được công bố (tải lại trang để xem).")
    return "Bảng điều khiển hiển thị số liệu mới ngay ở lần bấm tiếp theo."


def _admin(user: User) -> None:
    if user.role != "admin":
        raise PermissionError("Chỉ quản trị viên được duyệt, chốt hoặc mở lại số liệu.")


def approve(user: User, warehouse: Path, unit: str, round_code: str, submission_id: str, note: str = "") -> None:
    """Administrators: mark the unit's round approved for its version in force (audited)."""
    _admin(user)
    approval.approve(round_code, unit, submission_id, user, note, warehouse=warehouse)


def unapprove(user: User, warehouse: Path, unit: str, round_code: str, reason: str) -> None:
    """Administrators: withdraw an approval, with a reason (audited)."""
    _admin(user)
    if not reason.strip():
        raise ValueError("Cần ghi lý do bỏ duyệt.")
    approval.unapprove(round_code, unit, user, reason, warehouse=warehouse)


def close_round(user: User, warehouse: Path, round_code: str, reason: str = "") -> None:
    """Administrators: close a round. Under the writer lock, so a load running now finishes first and no load
    decided before the closing publishes after it."""
    _admin(user)
    with snapshots.writer_lock(warehouse):
        approval.close(round_code, user, reason, warehouse=warehouse)


def reopen_round(user: User, warehouse: Path, round_code: str, reason: str) -> None:
    """Administrators: reopen a closed round; the reason is required (audited)."""
    _admin(user)
    approval.reopen(round_code, user, reason, warehouse=warehouse)


def compare_versions(a: pd.DataFrame, b: pd.DataFrame) -> pd.DataFrame:
    """Two versions' rows (queries/version_rows) side by side, one row per key either mentions: what each gave
    (a value, a text, 'xóa', or nothing) and whether they differ; keys both give alike are left out."""
    keys = ["kind", "year", "sector", "code", "round_code"]

    def given(df):
        out = df.copy()
        # one dtype per key whatever the kinds a version holds (a file of numbers only has no round codes)
        out["year"] = pd.to_numeric(out["year"]).astype("Int64")
        for col in ("kind", "sector", "code", "round_code"):
            out[col] = out[col].astype(object).where(out[col].notna(), "")
        out["given"] = [("xóa" if d else (t if k == "text" else v)) for k, v, t, d in
                        zip(out["kind"], out["value"], out["text"], out["is_deleted"])]
        return out[keys + ["given", "sheet", "cell"]]

    m = given(a).assign(_a=True).merge(given(b).assign(_b=True), on=keys, how="outer", suffixes=("_a", "_b"))
    in_a, in_b = m["_a"].eq(True), m["_b"].eq(True)
    m["comparison"] = ["only_b" if not x else ("only_a" if not y else ("same" if ga == gb else "differs"))
                       for x, y, ga, gb in zip(in_a, in_b, m["given_a"], m["given_b"])]
    m = m.drop(columns=["_a", "_b"])
    return m[m["comparison"] != "same"].sort_values(["kind", "year", "code", "sector"]).reset_index(drop=True)


def roll_back(user: User, warehouse: Path, unit: str, round_code: str, version: int, reason: str):
    """Administrators only, with a reason; recorded in the audit log."""
    if not user.can_rollback:
        raise PermissionError("Chỉ quản trị viên được quay lại phiên bản trước.")
    if not reason.strip():
        raise ValueError("Cần ghi lý do.")
    snap = rollback(warehouse, unit, round_code, version, by=user.name, reason=reason)
    audit.record("rollback", user, warehouse=warehouse, unit=unit, round=round_code, to_version=version,
                 reason=reason, snapshot=snap.id)
    return snap


def prefill(wh: Warehouse, unit: str, round_code: str) -> tuple[dict, dict, dict]:
    """Everything the unit has in force for the round, as write_template takes it: (values by (indicator,
    sector, year), ratings by (year, level), answers by question)."""
    vals = wh.query("unit_values", unit=unit, round=round_code)
    rats = wh.query("unit_ratings", unit=unit, round=round_code)
    texts = wh.query("unit_texts", unit=unit, round=round_code)
    return ({(r.indicator_code, r.sector, int(r.year)): r.value for r in vals.itertuples()},
            {(int(r.year), r.level_code): r.cdcs_count for r in rats.itertuples()},
            dict(zip(texts["question_code"], texts["text"])))


def template_for(wh: Warehouse, unit: str, round_code: str) -> bytes:
    """The unit's workbook for a round, pre-filled with every number, rating and answer in force: sent back
    unedited, it changes nothing."""
    from etl.template import write_template
    values, ratings, texts = prefill(wh, unit, round_code)
    with tempfile.TemporaryDirectory(prefix="cdcs-template-") as tmp:
        return write_template(Path(tmp) / "mau.xlsx", unit, round_code, values=values, ratings=ratings,
                              texts=texts).read_bytes()


def changes(wh: Warehouse, unit: str, round_code: str, version: int) -> pd.DataFrame:
    """What a version changed when it was accepted: numbers, ratings and answers, old → new."""
    return wh.query("version_changes", submission=f"{unit}/{round_code}/v{version}")
