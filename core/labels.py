"""Every Vietnamese string the user sees about data: column labels, names of codes, number formats."""
from __future__ import annotations

import math
import re
from functools import lru_cache

import pandas as pd

from core.refdata import TOTAL, reference

NO_DATA = "Không có số liệu"
SIMULATED = "Dữ liệu mô phỏng"

COLUMNS = {
    "year": "Năm", "value": "Giá trị", "numerator": "Tử số", "denominator": "Mẫu số", "n_units": "Số đơn vị báo cáo",
    "unit_code": "Mã đơn vị", "unit_name": "Đơn vị báo cáo", "unit_type": "Mã loại đơn vị", "unit_type_label": "Loại đơn vị",
    "province_key": "Mã tỉnh (hệ mã)", "province_name": "Tỉnh, thành phố", "province_code": "Mã tỉnh",
    "province_scheme": "Hệ mã tỉnh", "region_code": "Mã vùng", "region_name": "Vùng", "sector": "Mã khu vực",
    "sector_label": "Khu vực", "indicator_code": "Mã chỉ tiêu", "indicator_label": "Chỉ tiêu", "unit_vi": "Đơn vị tính",
    "scheme": "Mã hướng dẫn xếp loại", "scheme_label": "Hướng dẫn xếp loại", "level_code": "Mã mức", "level_label": "Mức xếp loại",
    "bucket_label": "Nhóm xu hướng", "cdcs_count": "Số CĐCS", "share": "Tỷ lệ (%)",
    "round_code": "Kỳ báo cáo", "question_code": "Mã câu hỏi", "question_label": "Câu hỏi", "section": "Mục",
    "focus_area_label": "Lĩnh vực đổi mới (II.4)", "text": "Nội dung trả lời", "submission_id": "Phiên bản báo cáo",
    "status_label": "Tình trạng", "deadline": "Hạn nộp", "first_received_at": "Ngày nhận lần đầu", "versions": "Số phiên bản",
    "contact": "Liên hệ", "file_name": "Tệp", "rule": "Quy tắc", "severity_label": "Mức độ", "sheet": "Trang", "cell": "Ô",
    "expected": "Yêu cầu", "message": "Nội dung", "fix": "Cách sửa", "found_at": "Thời điểm", "found_value": "Giá trị gặp",
    "rule_pct": "Tỷ lệ theo quy định (%)", "cap_pct": "Giới hạn (%)", "bound_label": "Loại giới hạn", "growth_pct": "Thay đổi (%)",
    "label_vi": "Tên", "description_vi": "Định nghĩa", "aggregation_label": "Cách tổng hợp", "by_sector_label": "Chia theo khu vực",
    "old_name": "Tỉnh cũ (63)", "new_name": "Tỉnh mới (34)", "old_code": "Mã cũ", "new_code": "Mã mới",
    "received_at": "Thời điểm nhận", "version": "Phiên bản", "loaded_by": "Người nạp", "n_warnings": "Số cảnh báo",
    "members": "Đoàn viên", "fulltime": "Cán bộ chuyên trách", "per_cadre": "Đoàn viên / cán bộ chuyên trách",
    "expected_n": "Phải nộp", "received_n": "Đã nộp", "on_time_n": "Đúng hạn", "late_n": "Nộp muộn", "missing_n": "Chưa nộp",
    "rank": "Hạng", "score": "Mức liên quan", "top": "CĐCS nhóm cao nhất", "rated": "CĐCS được xếp loại",
    "top_all": "CĐCS nhóm cao nhất (đơn vị có báo cáo tổng số CĐCS)",
    "cdcs_total": "Tổng số CĐCS", "share_all": "Tỷ lệ trên tổng số CĐCS (%)", "without": "Đoàn viên chưa có thẻ",
    "start": "Đầu kỳ", "end": "Cuối kỳ", "series": "Chuỗi", "old_value": "Giá trị cũ", "new_value": "Giá trị mới",
    "change": "Thay đổi", "event": "Sự kiện", "user": "Người dùng", "is_current": "Đang dùng", "sha256": "Mã băm SHA-256",
    "reason": "Lý do", "note": "Ghi chú", "kind_label": "Loại", "item_label": "Chỉ tiêu / mục", "change_pct": "Thay đổi (%)",
    "change_status": "Thay đổi gì", "where": "Ô trong tệp", "event_label": "Sự kiện", "n_new": "Mới", "n_changed": "Thay đổi",
    "n_removed": "Xóa", "n_unchanged": "Không đổi",
    "id": "Số thứ tự", "at": "Thời điểm", "user_name": "Người thực hiện", "details": "Chi tiết",
    "n_errors": "Số lỗi", "summary": "Tóm tắt", "year_from": "Từ năm", "status": "Mã tình trạng",
    "focus_area": "Mã lĩnh vực", "like_for_like": "So sánh cùng phạm vi", "excluded_sectors": "Khu vực không tính khi so sánh",
    "change_points": "Thay đổi (điểm %)", "rank_label": "Hạng", "selected": "Đang chọn", "is_total": "Dòng tổng",
    "peer_rank": "Hạng trong các đơn vị cùng loại", "counted": "Được tính", "n_values": "Số ô số liệu",
}

# audit events (core.audit) as the administrator reads them
AUDIT_EVENTS = {
    "upload": "Tải lên", "accepted": "Nhận phiên bản", "unchanged": "Trùng phiên bản đã có", "rejected": "Từ chối",
    "rollback": "Quay lại phiên bản", "load_cli": "Nạp bằng dòng lệnh", "rollback_cli": "Quay lại bằng dòng lệnh",
    "value_deleted": "Xóa số liệu (quản trị viên)", "rebuild_cli": "Dựng lại bản dữ liệu",
    "migrated": "Chuyển kho dữ liệu (một máy ⇄ PostgreSQL)",
    "login": "Đăng nhập", "login_failed": "Đăng nhập sai", "logout": "Đăng xuất",
    "session_expired": "Hết phiên đăng nhập", "logged_out_by_change": "Buộc đăng xuất (tài khoản đã đổi)",
    "user_added": "Thêm tài khoản", "user_changed": "Đổi tài khoản", "user_removed": "Xóa tài khoản",
    "user_disabled": "Khóa tài khoản", "user_enabled": "Mở khóa tài khoản",
    "accounts_imported": "Chuyển tài khoản từ tệp cũ",
    "unit_approved": "Duyệt số liệu đơn vị", "unit_unapproved": "Bỏ duyệt số liệu đơn vị",
    "round_closed": "Chốt số liệu kỳ báo cáo", "round_reopened": "Mở lại kỳ đã chốt", "reminder_sent": "Gửi thư nhắc nộp",
}
# keys and coded values inside an audit event's details
AUDIT_DETAILS = {
    "account": "tài khoản", "role": "vai trò", "old_role": "vai trò cũ", "old_unit": "đơn vị cũ", "unit": "đơn vị",
    "password_changed": "đổi mật khẩu", "addr": "địa chỉ máy", "reason": "lý do", "file": "tệp", "files": "tệp",
    "sha256": "SHA-256", "status": "kết quả", "errors": "số lỗi", "rules": "quy tắc", "submission": "phiên bản",
    "note": "ghi chú", "to_version": "về phiên bản", "snapshot": "bản dữ liệu", "via": "qua", "accounts": "số tài khoản",
    "source": "nguồn",
    "accepted": "nhận", "rejected": "từ chối", "unchanged": "không đổi", "dry_run": "chạy thử", "key": "số liệu",
    "figures_changed": "số liệu thay đổi", "figures_added": "số liệu thêm", "figures_removed": "số liệu mất",
    "units": "đơn vị", "recipients": "người nhận", "sent": "đã gửi", "failed": "gửi lỗi",
}
AUDIT_VALUES = {
    "wrong": "sai tên hoặc mật khẩu", "throttled": "thử lại quá sớm", "disabled": "tài khoản bị khóa",
    "cli": "dòng lệnh", "accepted": "nhận", "rejected": "từ chối", "unchanged": "không đổi", True: "có", False: "không",
    "viewer": "người xem", "officer": "cán bộ nhập liệu", "admin": "quản trị viên",
}

STATUS = {"on_time": "Đúng hạn", "late": "Nộp muộn", "missing": "Chưa nộp"}
LATE_CORRECTION = "Nộp muộn (sửa sau hạn)"
CHANGE_STATUS = {"new": "Mới", "changed": "Thay đổi", "removed": "Xóa", "unchanged": "Không đổi",
                 "absent": "Xóa (không có số liệu)"}
CHANGE_KIND = {"value": "Số liệu", "rating": "Xếp loại", "text": "Trả lời"}
EVENTS = {"accepted": "Nhận phiên bản", "rollback": "Quay lại phiên bản này", "deactivated": "Hết hiệu lực (quay lại)",
          "reactivated": "Có hiệu lực lại (quay lại)"}
SEVERITY = {"error": "Lỗi", "warning": "Cảnh báo"}
VIEWS = {"34": "34 tỉnh, thành phố hiện nay", "reported": "Như đã báo cáo (63 tỉnh đến 6/2025)"}
AGGREGATION = {"sum": "Cộng dồn trong năm", "latest": "Số tại 31/12 (cộng các đơn vị)",
               "ratio": "Tỷ lệ: tổng tử số / tổng mẫu số × 100", "ratio_plain": "Tổng tử số / tổng mẫu số",
               "complement": "Tỷ lệ phần bù: (mẫu số − tử số) / mẫu số × 100"}


def fmt_number(value, decimals: int = 0) -> str:
    """1.234.567 or 1.234,5; "Không có số liệu" for missing."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or pd.isna(value):
        return NO_DATA
    text = f"{float(value):,.{decimals}f}"
    return text.replace(",", "\u2009").replace(".", ",").replace("\u2009", ".")


def fmt_pct(value, decimals: int = 1) -> str:
    """12,5%; "Không có số liệu" for missing."""
    if value is None or pd.isna(value):
        return NO_DATA
    return fmt_number(value, decimals) + "%"


def fmt_value(value, unit_vi: str) -> str:
    """A value in the way its unit calls for: percentages with one decimal, money with one, counts whole."""
    if unit_vi == "%":
        return fmt_pct(value)
    if unit_vi in MONEY_UNITS:
        return fmt_number(value, 1)
    if unit_vi in ("người", "lượt/người") and value is not None and not pd.isna(value) \
            and not float(value).is_integer():
        return fmt_number(value, 1)
    return fmt_number(value, 0)


MONEY = "triệu đồng"          # the codebook's money unit
MONEY_SHOWN = "tỷ đồng"       # how pages and downloads show money (the codebook value / 1000)
MONEY_UNITS = (MONEY, MONEY_SHOWN)


@lru_cache(maxsize=4096)  # the codebook is read once per process; pages ask per row
def indicator_decimals(code: str) -> int:
    """Decimals an indicator is shown and downloaded with: ratios and money one, counts none."""
    row = reference().indicators.loc[code]
    if row["aggregation"] in ("ratio", "complement", "ratio_plain") or row["unit_vi"] in MONEY_UNITS:
        return 1
    return 0


@lru_cache(maxsize=4096)  # the codebook is read once per process; pages ask per row
def parts_decimals(code: str) -> int:
    """Decimals of a ratio's numerator and denominator (those of the numerator's own indicator)."""
    row = reference().indicators.loc[code]
    return indicator_decimals(row["numerator"]) if row["numerator"] else indicator_decimals(code)


@lru_cache(maxsize=4096)  # the codebook is read once per process; pages ask per row
def shown_unit(code: str) -> str:
    """The unit an indicator is shown in: money in tỷ đồng, everything else in its codebook unit."""
    unit = indicator_unit(code)
    return MONEY_SHOWN if unit == MONEY else unit


@lru_cache(maxsize=4096)  # the codebook is read once per process; pages ask per row
def shown_factor(code: str) -> float:
    """What the codebook value is multiplied by to be shown (money: triệu → tỷ đồng)."""
    return 0.001 if indicator_unit(code) == MONEY else 1.0


def fmt_indicator(value, code: str) -> str:
    """A codebook value of one indicator as shown: its unit, its decimals, Vietnamese separators."""
    if value is None or pd.isna(value):
        return NO_DATA
    v = float(value) * shown_factor(code)
    text = fmt_number(v, indicator_decimals(code))
    return text + "%" if indicator_unit(code) == "%" else text


def fmt_delta(now, before, unit_vi: str) -> str | None:
    """Change against the previous year: points for percentages, % for counts."""
    if now is None or before is None or pd.isna(now) or pd.isna(before):
        return None
    if unit_vi == "%":
        return f"{'+' if now >= before else '-'}{fmt_number(abs(now - before), 1)} điểm %"
    if before == 0:
        return None
    change = (now - before) / before * 100
    return f"{'+' if change >= 0 else '-'}{fmt_number(abs(change), 1)}%"


def indicator_labels() -> dict[str, str]:
    return _lookup("indicators", "indicator_code", "label_vi")


def indicator(code: str) -> str:
    return indicator_labels()[code]


@lru_cache(maxsize=4096)  # the codebook is read once per process; pages ask per row
def indicator_unit(code: str) -> str:
    return reference().indicators.loc[code, "unit_vi"]


@lru_cache(maxsize=16)
def _lookup(table: str, key: str, value: str) -> dict[str, str]:
    """code -> label from one reference table."""
    t = reference()[table]
    return dict(zip(t[key], t[value]))


def sector_labels() -> dict[str, str]:
    return {TOTAL: "Tất cả khu vực", **_lookup("sectors", "sector_code", "label_vi")}


def region_labels() -> dict[str, str]:
    return _lookup("regions", "region_code", "region_name")


@lru_cache(maxsize=1)
def unit_labels() -> dict[str, str]:
    """unit_code -> name; two units of one name (the federation of a province before and after 7/2025) are told
    apart by their period: 'Liên đoàn Lao động thành phố Hồ Chí Minh (đến 6/2025)' / '(từ 7/2025)'."""
    t = reference()["units"]
    twice = set(t["unit_name"][t["unit_name"].duplicated()])

    def label(name, start, end):
        if name not in twice:
            return name
        return f"{name} (đến {end[5:7].lstrip('0')}/{end[:4]})" if end else f"{name} (từ {start[5:7].lstrip('0')}/{start[:4]})"
    return {c: label(n, a, b) for c, n, a, b in zip(t["unit_code"], t["unit_name"], t["valid_from"], t["valid_to"])}


def unit_type_labels() -> dict[str, str]:
    return _lookup("unit_types", "unit_type", "label_vi")


def unit_type_short() -> dict[str, str]:
    return _lookup("unit_types", "unit_type", "short_label_vi")


def focus_labels() -> dict[str, str]:
    return _lookup("focus_areas", "focus_area", "label_vi")


@lru_cache(maxsize=1)
def province_labels() -> dict[str, str]:
    """'63:15' -> 'Yên Bái', '34:15' -> 'Lào Cai': always keyed with the scheme."""
    out = {}
    for scheme in ("63", "34"):
        t = reference()[f"provinces_{scheme}"]
        out.update({f"{scheme}:{c}": n for c, n in zip(t["province_code"], t["short_name"])})
    return out


def province_option(key: str, view: str) -> str:
    """A province as listed in the filter: in the 'as reported' view the period of its scheme is named."""
    name = province_labels().get(key, key)
    if view == "reported":
        return f"{name} (63 tỉnh, đến 6/2025)" if key.startswith("63:") else f"{name} (34 tỉnh, từ 7/2025)"
    return name


_VN_ORDER = {c: i for i, c in enumerate(
    "aàảãáạăằẳẵắặâầẩẫấậbcdđeèẻẽéẹêềểễếệfghiìỉĩíịjklmnoòỏõóọôồổỗốộơờởỡớợpqrstuùủũúụưừửữứựvwxyỳỷỹýỵz")}


def vn_sort_key(text: str) -> tuple:
    """Vietnamese alphabetical order: a ă â b c d đ e ê … with tones after the base letter; numbers inside a name
    by their value ('đơn vị 2' before 'đơn vị 10')."""
    return tuple((0, int(part)) if part.isdigit() else (1, tuple(_VN_ORDER.get(c, 1000 + ord(c)) for c in part))
                 for part in _DIGITS.split(str(text).lower()) if part)


_DIGITS = re.compile(r"(\d+)")


@lru_cache(maxsize=1)
def unit_order() -> dict[str, int]:
    """unit_code -> its place in lists of units: units still active first (not those that ended in 2025),
    federations (LĐLĐ) first among them, then by name in Vietnamese order."""
    t = reference()["units"]
    names = unit_labels()
    active = t["valid_to"].isna() | (t["valid_to"].astype(str).str.strip() == "")
    ordered = sorted(zip(t["unit_code"], t["unit_type"], active),
                     key=lambda r: (not r[2], r[1] != "LDLD", vn_sort_key(names[r[0]])))
    return {code: i for i, (code, _, _) in enumerate(ordered)}


def change_item(kind: str, code: str) -> str:
    """The Vietnamese name of what a change concerns: an indicator, a rating level or a question."""
    if kind == "value":
        return indicator_labels().get(code, code)
    if kind == "rating":
        return _lookup("rating_levels", "level_code", "label_vi").get(code, code)
    return _lookup("text_questions", "question_code", "label_vi").get(code, code)


def fmt_time(at) -> str:
    """A stored (UTC) moment in the server's local time: 31/12/2025 23:59:59; '' when missing."""
    if at is None or pd.isna(at):
        return ""
    return pd.Timestamp(at).to_pydatetime().astimezone().strftime("%d/%m/%Y %H:%M:%S")


def details_text(details: dict) -> str:
    """An audit event's details as one Vietnamese line: 'tài khoản: an; vai trò: officer'."""
    def value(v):
        if isinstance(v, (list, tuple)):
            return ", ".join(map(str, v))
        return AUDIT_VALUES.get(v, v) if isinstance(v, (str, bool)) else v
    return "; ".join(f"{AUDIT_DETAILS.get(k, k)}: {value(v)}" for k, v in (details or {}).items() if v not in (None, ""))


def column_label(col, extra: dict | None = None) -> str:
    """The Vietnamese header of a column; a year column (an int) is headed by the year."""
    labels = {**COLUMNS, **(extra or {})}
    if col in labels:
        return labels[col]
    if isinstance(col, int) or (hasattr(col, "is_integer") and not isinstance(col, str)):
        return str(int(col))
    raise KeyError(f"no Vietnamese label for columns {[col]}")


def labelled(df: pd.DataFrame, extra: dict[str, str] | None = None) -> pd.DataFrame:
    """The same frame with Vietnamese column headers; raises KeyError when a column has no label. A column headed
    by a label already (a frame labelled once, e.g. for display) keeps it.

    The header → code mapping is kept in `attrs["codes"]`, so a downloaded table can be traced back."""
    labels = {**COLUMNS, **(extra or {})}
    codes_of = {**{v: k for k, v in labels.items()}, **df.attrs.get("codes", {})}
    missing = [c for c in df.columns if c not in labels and c not in codes_of and not isinstance(c, int)]
    if missing:
        raise KeyError(f"no Vietnamese label for columns {missing}")
    mapping = {c: c if (c not in labels and c in codes_of) else column_label(c, extra) for c in df.columns}
    if len(set(mapping.values())) < len(mapping):
        raise KeyError(f"two columns share a Vietnamese header: {mapping}")
    out = df.rename(columns=mapping)
    out.attrs = {**df.attrs, "codes": {v: codes_of.get(v, k) if k == v else k for k, v in mapping.items()}}
    return out
