"""The submission desk's logic (no Streamlit): check an upload for a user, accept it, compare versions.

Reuses the loader: check_file for the findings, load_files to publish, rollback for history.
"""
from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd

from core import audit
from core.auth import User
from core.config import settings
from core.db import Warehouse
from etl.findings import ERROR, Finding
from etl.load import FileResult, check_file, load_files, rollback

ALLOWED = (".xlsx", ".xls", ".csv")


def safe_suffix(name: str) -> str | None:
    """The file type from an uploaded name, only if allowed (the name itself is never used as a path)."""
    suffix = Path(name.replace("\\", "/")).suffix.lower()
    return suffix if suffix in ALLOWED else None


def check_upload(data: bytes, original_name: str, user: User, warehouse: Path) -> FileResult:
    """Findings for an uploaded file, with the permission check: the unit must be one the user may submit for."""
    display = Path(original_name.replace("\\", "/")).name[:120] or "tep"
    suffix = safe_suffix(display)
    max_mb = settings()["loader"]["max_file_mb"]
    if suffix is None or len(data) > max_mb * 1024 * 1024:
        rule = "unsupported_type" if suffix is None else "file_too_large"
        f = Finding(file=display, rule=rule, severity=ERROR, value=Path(display).suffix or display if suffix is None
                    else f"{len(data) / 1e6:.1f} MB", expected=f"{max_mb} MB")
        result = FileResult(display, "", "", "rejected", findings=[f])
    else:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / f"upload{suffix}"
            path.write_bytes(data)
            result = check_file(path, data=data)
        result.file_name = display
        for f in result.findings:
            f.file = display
        if result.status == "accepted" and not user.can_submit(result.unit_code):
            result.findings.append(Finding(
                file=display, rule="unit_not_allowed", severity=ERROR, sheet="_meta" if suffix != ".csv" else "",
                cell="B2" if suffix != ".csv" else "A2", value=result.unit_code or "",
                message=f"Tài khoản {user.name} không được nộp báo cáo cho đơn vị {result.unit_code}.",
                fix="Dùng mẫu tải về cho đơn vị của mình, hoặc nhờ quản trị viên."))
            result.status = "rejected"
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
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"upload{suffix}"
        path.write_bytes(data)
        result = load_files([path], warehouse, loaded_by=user.name, note=note, progress=False,
                            names={str(path): checked.file_name}).files[0]
    audit.record("accepted" if result.status == "accepted" else result.status, user, warehouse=warehouse,
                 file=result.file_name, sha256=result.sha256, unit=checked.unit_code, round=checked.round_code,
                 submission=result.submission_id, note=note)
    return result


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


def changes(wh: Warehouse, unit: str, round_code: str, version: int) -> pd.DataFrame:
    """Values that differ between a version and the one before it (added, removed or changed, with the change)."""
    return wh.query("version_changes", new=f"{unit}/{round_code}/v{version}", old=f"{unit}/{round_code}/v{version - 1}")
