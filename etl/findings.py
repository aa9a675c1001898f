"""What the loader reports about a file: one Finding per problem, in Vietnamese, pointing at a cell."""
from __future__ import annotations

import csv
import json
import os
from dataclasses import asdict, dataclass, fields
from pathlib import Path

from core.text import formula_safe, terminal_safe

ERROR, WARNING = "error", "warning"
_REOPEN = "Mở tệp bằng Excel, chọn Lưu dưới dạng .xlsx rồi nộp lại (hoặc tải mẫu mới và chép số liệu vào)."

# rule -> (message, how to fix). {value}/{expected} are filled in per finding.
MESSAGES: dict[str, tuple[str, str]] = {
    # the whole file
    "empty_file": ("Tệp rỗng (0 byte).", "Lưu lại tệp từ Excel rồi nộp lại."),
    "empty_content": ("Tệp không có dòng dữ liệu nào.", "Kiểm tra lại tệp: dòng đầu là tiêu đề, sau đó là các dòng số liệu."),
    "not_excel": ("Tệp không phải là bảng tính Excel hợp lệ (nội dung không khớp đuôi tệp).", _REOPEN),
    "password_protected": ("Tệp được đặt mật khẩu hoặc mã hóa, không đọc được.", "Gỡ mật khẩu (Tệp → Thông tin → Bảo vệ sổ làm việc) rồi nộp lại."),
    "unsupported_type": ("Loại tệp '{value}' không được nhận.", "Chỉ nộp tệp .xlsx, .xls hoặc .csv (tệp .xlsm có macro: lưu lại thành .xlsx)."),
    "file_too_large": ("Tệp quá lớn ({value}).", "Tệp phải nhỏ hơn {expected}; mẫu báo cáo bình thường chỉ vài trăm KB."),
    "damaged_zip": ("Tệp Excel bị hỏng, không giải nén được ({value}).", _REOPEN),
    "macro_workbook": ("Tệp Excel có macro (VBA), không được nhận.", "Lưu lại thành 'Sổ làm việc Excel (.xlsx)' không có macro rồi nộp lại."),
    "text_over_limit": ("Câu trả lời dài {value} ký tự, vượt giới hạn một ô Excel ({expected}); tệp bất thường.", "Rút gọn câu trả lời, hoặc tải mẫu mới và chép nội dung vào."),
    "zip_method": ("Tệp Excel dùng cách nén không hỗ trợ (mã {value}).", _REOPEN),
    "too_many_members": ("Tệp Excel có quá nhiều thành phần ({value}).", _REOPEN),
    "member_too_large": ("Một thành phần của tệp Excel quá lớn khi giải nén ({value}).", "Tệp bất thường; tải mẫu mới và chép số liệu vào."),
    "zip_bomb": ("Tệp Excel nén bất thường (tỉ lệ nén {value}), bị từ chối để bảo vệ hệ thống.", "Tải mẫu mới và chép số liệu vào."),
    "missing_member": ("Tệp Excel thiếu thành phần '{value}'.", _REOPEN),
    "xml_encoding": ("Nội dung trang tính không ở mã UTF-8.", _REOPEN),
    "xml_dtd": ("Tệp chứa khai báo DOCTYPE/ENTITY, không được phép trong tệp Excel.", "Tải mẫu mới và chép số liệu vào."),
    "xml_broken": ("Nội dung trang tính bị hỏng ({value}).", _REOPEN),
    "bad_shared_string": ("Ô tham chiếu tới chuỗi không tồn tại (chỉ số {value}); tệp bị hỏng.", _REOPEN),
    "bad_cell_ref": ("Địa chỉ ô không hợp lệ '{value}'; tệp bị hỏng.", _REOPEN),
    "unreadable_xls": ("Không đọc được tệp .xls ({value}).", _REOPEN),
    "limit_memory": ("Kiểm tra tệp cần quá nhiều bộ nhớ (giới hạn {expected}); tệp bị từ chối.", "Tệp bất thường; tải mẫu mới và chép số liệu vào."),
    "limit_cpu": ("Kiểm tra tệp mất quá nhiều thời gian xử lý (giới hạn {expected}); tệp bị từ chối.", "Tệp bất thường; tải mẫu mới và chép số liệu vào."),
    "limit_time": ("Kiểm tra tệp quá lâu (giới hạn {expected}); tệp bị từ chối.", "Tệp bất thường; tải mẫu mới và chép số liệu vào."),
    "worker_failed": ("Không kiểm tra được tệp (lỗi hệ thống mã {value}); tệp chưa được nạp.", "Thử nộp lại; nếu vẫn lỗi, báo quản trị viên kèm mã lỗi."),
    "more_findings": ("Còn {value} lỗi/cảnh báo khác cùng loại '{expected}' không liệt kê.", "Sửa các ô đã nêu rồi kiểm tra lại tệp."),
    # workbook structure
    "missing_meta": ("Không tìm thấy mã ẩn của mẫu (trang _meta).", "Hãy dùng đúng mẫu tải về từ hệ thống; không sao chép số liệu sang tệp khác."),
    "unknown_unit": ("Mã đơn vị '{value}' không có trong danh mục.", "Kiểm tra mã đơn vị; dùng mẫu tải về cho đúng đơn vị."),
    "unknown_round": ("Kỳ báo cáo '{value}' không có trong danh mục.", "Dùng mẫu của kỳ báo cáo đang mở."),
    "unit_inactive": ("Đơn vị {value} không hoạt động vào năm {expected}.", "Từ 01/7/2025 báo cáo theo LĐLĐ tỉnh, thành phố mới (34 tỉnh); trước đó theo 63 tỉnh."),
    "missing_sheet": ("Thiếu trang '{expected}'.", "Không xóa trang của mẫu; tải lại mẫu và chép số liệu vào."),
    "unknown_sheet": ("Trang '{value}' không thuộc mẫu báo cáo.", "Dùng mẫu đúng kỳ báo cáo; không chép trang từ tệp khác."),
    "duplicate_sheet": ("Trang mã '{value}' xuất hiện hai lần (đã có ở trang '{expected}').", "Xóa trang thừa, chỉ giữ một trang cho mỗi mục."),
    "duplicate_sheet_name": ("Hai trang cùng tên '{value}'; tệp bị hỏng.", _REOPEN),
    "sheet_renamed": ("Trang '{value}' đã bị đổi tên (tên đúng: '{expected}'). Vẫn đọc được nhờ mã ẩn.", "Không cần sửa; lần sau nên giữ tên trang của mẫu."),
    "extra_sheet": ("Trang '{value}' không thuộc mẫu, đã bỏ qua.", "Không cần sửa nếu trang này chỉ để ghi chú."),
    "outside_template": ("{value} ô có nội dung nằm ngoài vùng của mẫu (ô đầu tiên {cell}), đã bỏ qua.", "Không nhập ngoài bảng của mẫu; xóa các ô đó nếu không cần."),
    "bad_year_header": ("Dòng mã năm có giá trị '{value}' không phải là năm.", "Không sửa dòng ẩn chứa năm; tải lại mẫu."),
    "bad_year": ("Năm '{value}' không hợp lệ (các năm có kỳ báo cáo: {expected}).", "Ghi năm bằng 4 chữ số, ví dụ 2021."),
    "year_outside_round": ("Năm {value} không thuộc kỳ báo cáo (các năm {expected}).", "Dùng mẫu đúng kỳ báo cáo, không thêm cột năm."),
    "missing_year": ("Thiếu cột năm {expected}.", "Không xóa cột năm của mẫu."),
    "unknown_indicator": ("Mã chỉ tiêu '{value}' không có trong bộ chỉ tiêu.", "Không sửa cột mã ẩn; tải lại mẫu."),
    "unknown_sector": ("Mã khu vực '{value}' không hợp lệ (hợp lệ: {expected}).", "Không sửa cột mã ẩn; trong CSV để trống cột sector cho dòng tổng."),
    "sector_not_allowed": ("Chỉ tiêu này không chia theo khu vực (gặp khu vực '{value}').", "Chỉ nhập dòng tổng cho chỉ tiêu này."),
    "row_without_code": ("Dòng có số liệu nhưng không có mã chỉ tiêu (giá trị '{value}'), đã bỏ qua.", "Không chèn dòng mới vào mẫu; dòng cộng tổng không cần nhập."),
    "formula_no_value": ("Ô chứa công thức nhưng chưa có giá trị tính sẵn.", "Mở tệp bằng Excel, để Excel tính xong rồi lưu lại; hoặc gõ số thay cho công thức."),
    "formula_cached": ("Ô chứa công thức; đã dùng giá trị Excel tính sẵn ({value}).", "Không cần sửa; nên gõ số trực tiếp."),
    # values
    "not_a_number": ("Giá trị '{value}' không phải là số.", "Nhập số, ví dụ 1.234.567 hoặc 12,5; để trống nếu không có số liệu; gõ 'xóa' để xóa số đã nộp."),
    "excel_error": ("Ô có lỗi công thức Excel {value}.", "Sửa công thức cho ra số (hoặc gõ số trực tiếp); để trống nếu không có số liệu."),
    "ambiguous_number": ("Số '{value}' đọc được hai cách ({expected}).", "Viết rõ: nếu là số thập phân hãy thêm chữ số (0,1250; 12,50) hoặc dùng dấu phẩy thập phân kèm dấu chấm hàng nghìn ở ô khác; nếu là số nguyên hãy bỏ dấu ngăn cách (12500). Tốt nhất gõ số vào ô dạng số của Excel."),
    "bad_grouping": ("Số '{value}' viết sai nhóm chữ số (dấu ngăn cách hàng nghìn phải đứng trước đúng 3 chữ số).", "Viết liền (1234567) hoặc ngăn mỗi 3 chữ số: 1.234.567."),
    "percent_not_allowed": ("Chỉ tiêu này không phải tỷ lệ phần trăm, gặp '{value}'.", "Nhập số tuyệt đối (người, đơn vị, triệu đồng), không có dấu %."),
    "negative": ("Giá trị âm: {value}.", "Nhập số không âm."),
    "not_integer": ("Số người/đơn vị phải là số nguyên, gặp '{value}'.", "Nhập số nguyên; dấu chấm, dấu phẩy hoặc khoảng trắng chỉ dùng để ngăn cách hàng nghìn (1.234.567)."),
    "out_of_range": ("Giá trị {value} vượt giới hạn hợp lý ({expected}).", "Kiểm tra lại đơn vị tính (người, triệu đồng) và số chữ số."),
    "duplicate_conflict": ("Giá trị bị nhập hai lần khác nhau: {value}, trong khi ô {expected} đã có giá trị khác.", "Giữ một giá trị đúng, xóa dòng/ô còn lại."),
    "duplicate_same": ("Giá trị bị nhập hai lần giống nhau: {value} (đã có ở ô {expected}).", "Không cần sửa; nên xóa dòng lặp."),
    "number_convention": ("Tệp dùng cách viết số {value}; các số như '1.234' hay '0,125' đã đọc theo cách này.", "Không cần sửa nếu đúng; nếu không, viết rõ các số thập phân."),
    "delete_nothing": ("Ô đánh dấu 'xóa' nhưng hệ thống chưa có số liệu nào ở đây.", "Không cần sửa."),
    "missing_kept": ("Ô ghi '{value}' (không có số liệu) nhưng hệ thống đang có số {expected} từ phiên bản trước: số cũ được giữ nguyên.", "Nếu muốn xóa số cũ, gõ 'xóa' vào ô này."),
    "sector_sum": ("Tổng các khu vực ({value}) khác dòng tổng ({expected}).", "Sửa các dòng 'Trong đó' hoặc dòng tổng cho khớp nhau."),
    "sector_sum_exceeds": ("Tổng các khu vực đã nhập ({value}) lớn hơn dòng tổng ({expected}).", "Sửa các dòng 'Trong đó' hoặc dòng tổng."),
    "unknown_rating_level": ("Mức xếp loại '{value}' không có trong danh mục.", "Chọn mức từ danh sách thả xuống."),
    "rating_wrong_scheme": ("Mức '{value}' không thuộc hướng dẫn áp dụng năm này ({expected}).", "Dùng các mức của hướng dẫn áp dụng năm đó (2015-2018: HD 1931; từ 2019: HD 1294)."),
    "unknown_question": ("Mã câu hỏi '{value}' không có trong danh mục.", "Không sửa cột mã ẩn; trong CSV dùng mã câu hỏi của mẫu."),
    "text_too_long": ("Câu trả lời dài {value} ký tự.", "Rút gọn dưới {expected} ký tự."),
    "empty_submission": ("Tệp không có số liệu nào.", "Điền số liệu vào các ô nền vàng rồi nộp lại."),
    # long CSV
    "csv_header": ("Tiêu đề CSV không đúng: '{value}'.", "Dòng đầu phải là {expected}."),
    "csv_columns": ("Dòng có {value} cột, cần {expected}.", "Kiểm tra dấu phân cách; giá trị có dấu phẩy phải đặt trong ngoặc kép."),
    "csv_encoding": ("Tệp CSV không ở mã UTF-8; đã đọc theo mã {value}.", "Không cần sửa; lần sau lưu CSV dạng 'CSV UTF-8'."),
    "csv_encoding_bad": ("Tệp CSV mã UTF-16 bị hỏng.", "Lưu lại CSV dạng 'CSV UTF-8'."),
    "csv_binary": ("Tệp CSV chứa ký tự nhị phân (NUL) — không phải tệp văn bản.", "Lưu lại CSV dạng 'CSV UTF-8' từ Excel."),
    "csv_field_too_long": ("Một ô CSV dài bất thường (thường do thiếu dấu ngoặc kép đóng).", "Kiểm tra dấu ngoặc kép ở dòng này và các dòng trước."),
    "csv_damaged": ("Không đọc được dòng CSV ({value}).", "Lưu lại CSV dạng 'CSV UTF-8' từ Excel."),
    "too_many_rows": ("Tệp CSV có hơn {expected} dòng — quá nhiều cho một đơn vị.", "Mỗi tệp chỉ chứa số liệu của một đơn vị và một kỳ báo cáo."),
    "csv_many_units": ("Tệp có hơn {expected} tên đơn vị khác nhau (từ dòng này: '{value}'); không đọc tiếp các tên khác.", "Mỗi tệp chỉ chứa số liệu của một đơn vị; ghi mã đơn vị (ví dụ LDLD63_38)."),
    "csv_multi_unit": ("Tệp chứa nhiều đơn vị ({value}).", "Mỗi tệp chỉ chứa số liệu của một đơn vị."),
    "unit_not_allowed": ("Không được nộp cho đơn vị {value}.", "Dùng mẫu của đơn vị mình."),
    "csv_round": ("Các năm {value} không thuộc cùng một kỳ báo cáo.", "Tách thành các tệp theo từng kỳ báo cáo."),
    # the round
    "round_closed": ("Kỳ {value} đã chốt số liệu {expected}; không nhận thêm thay đổi.",
                     "Liên hệ quản trị viên Tổng Liên đoàn: chỉ quản trị viên mở lại được kỳ đã chốt, kèm lý do."),
}

# rule -> its short Vietnamese name, shown instead of the code (the rules of rules.csv have theirs in its name_vi
# column; a test checks that every rule has one)
RULE_NAMES: dict[str, str] = {
    "empty_file": "Tệp rỗng", "empty_content": "Tệp không có dữ liệu", "not_excel": "Không phải tệp Excel",
    "password_protected": "Tệp có mật khẩu", "unsupported_type": "Loại tệp không nhận",
    "file_too_large": "Tệp quá lớn", "damaged_zip": "Tệp Excel hỏng", "macro_workbook": "Tệp có macro",
    "text_over_limit": "Câu trả lời quá dài bất thường", "zip_method": "Cách nén không hỗ trợ",
    "too_many_members": "Tệp Excel bất thường", "member_too_large": "Tệp Excel bất thường",
    "zip_bomb": "Tệp nén bất thường", "missing_member": "Tệp Excel thiếu thành phần",
    "xml_encoding": "Mã ký tự không đúng", "xml_dtd": "Tệp chứa khai báo lạ", "xml_broken": "Trang tính hỏng",
    "bad_shared_string": "Tệp Excel hỏng", "bad_cell_ref": "Tệp Excel hỏng", "unreadable_xls": "Không đọc được .xls",
    "limit_memory": "Vượt giới hạn bộ nhớ", "limit_cpu": "Vượt giới hạn thời gian xử lý",
    "limit_time": "Kiểm tra quá lâu", "worker_failed": "Lỗi hệ thống khi kiểm tra",
    "more_findings": "Còn lỗi khác cùng loại",
    "missing_meta": "Không phải mẫu của hệ thống", "unknown_unit": "Mã đơn vị lạ", "unknown_round": "Kỳ báo cáo lạ",
    "unit_inactive": "Đơn vị không hoạt động năm đó", "missing_sheet": "Thiếu trang của mẫu",
    "unknown_sheet": "Trang lạ", "duplicate_sheet": "Trang bị lặp", "duplicate_sheet_name": "Hai trang trùng tên",
    "sheet_renamed": "Trang bị đổi tên", "extra_sheet": "Trang ngoài mẫu", "outside_template": "Ô ngoài vùng mẫu",
    "bad_year_header": "Dòng năm bị sửa", "bad_year": "Năm không hợp lệ", "year_outside_round": "Năm ngoài kỳ báo cáo",
    "missing_year": "Thiếu cột năm", "unknown_indicator": "Mã chỉ tiêu lạ", "unknown_sector": "Mã khu vực lạ",
    "sector_not_allowed": "Chỉ tiêu không chia khu vực", "row_without_code": "Dòng không có mã",
    "formula_no_value": "Công thức chưa có giá trị", "formula_cached": "Ô có công thức",
    "not_a_number": "Không phải là số", "excel_error": "Lỗi công thức Excel", "ambiguous_number": "Số đọc được hai cách",
    "bad_grouping": "Sai dấu ngăn cách hàng nghìn", "percent_not_allowed": "Không dùng dấu %",
    "negative": "Số âm", "not_integer": "Phải là số nguyên", "out_of_range": "Vượt giới hạn hợp lý",
    "duplicate_conflict": "Nhập hai lần khác nhau", "duplicate_same": "Nhập hai lần giống nhau",
    "number_convention": "Cách viết số của tệp", "delete_nothing": "Xóa ô chưa có số liệu",
    "missing_kept": "Giữ số cũ", "sector_sum": "Tổng các khu vực khác dòng tổng",
    "sector_sum_exceeds": "Các khu vực vượt dòng tổng", "unknown_rating_level": "Mức xếp loại lạ",
    "rating_wrong_scheme": "Mức xếp loại sai hướng dẫn", "unknown_question": "Mã câu hỏi lạ",
    "text_too_long": "Câu trả lời quá dài", "empty_submission": "Tệp không có số liệu",
    "csv_header": "Sai tiêu đề CSV", "csv_columns": "Sai số cột CSV", "csv_encoding": "CSV không ở mã UTF-8",
    "csv_encoding_bad": "CSV UTF-16 hỏng", "csv_binary": "CSV chứa ký tự nhị phân",
    "csv_field_too_long": "Ô CSV dài bất thường", "csv_damaged": "Dòng CSV hỏng", "too_many_rows": "CSV quá nhiều dòng",
    "csv_many_units": "CSV quá nhiều đơn vị", "csv_multi_unit": "Nhiều đơn vị trong một tệp",
    "unit_not_allowed": "Không phải đơn vị của tài khoản", "csv_round": "Năm thuộc nhiều kỳ",
    "round_closed": "Kỳ báo cáo đã chốt",
}


def fmt(v) -> str:
    """A number as users write it: 1.234.567 or 12,5 (up to 4 decimals, trailing zeros dropped)."""
    v = float(v)
    if v.is_integer():
        return f"{int(v):,}".replace(",", ".")
    text = f"{v:,.4f}".rstrip("0").rstrip(".")
    return text.replace(",", "X").replace(".", ",").replace("X", ".")


@dataclass
class Finding:
    """One problem in one file: where it is, what was found, what was expected, how to fix it."""

    file: str
    rule: str
    severity: str
    sheet: str = ""
    cell: str = ""
    value: str = ""
    expected: str = ""
    message: str = ""
    fix: str = ""
    item: str = ""  # what the cell holds, in Vietnamese: "Đoàn viên nữ — năm 2025" (empty when not known)

    def __post_init__(self):
        template = MESSAGES.get(self.rule)
        if template and not self.message:
            self.message = template[0].format(value=self.value, expected=self.expected, cell=self.cell)
        if template and not self.fix:
            self.fix = template[1].format(value=self.value, expected=self.expected, cell=self.cell)

    @property
    def whole_file(self) -> bool:
        """True when the finding concerns the file, not a cell the officer can see and fix (the hidden _meta
        sheet holds the template's codes)."""
        return not self.cell or self.sheet == "_meta"

    @property
    def where(self) -> str:
        """Where the problem is, in words: sheet and cell, CSV cell, or the whole file."""
        if self.sheet == "_meta":
            return "cả tệp"
        if self.sheet and self.cell:
            return f"trang '{self.sheet}', ô {self.cell}"
        if self.sheet:
            return f"trang '{self.sheet}'"
        return f"ô {self.cell}" if self.cell else "cả tệp"

    def line(self) -> str:
        """The finding as one Vietnamese line for a terminal (control characters escaped)."""
        label = "LỖI" if self.severity == ERROR else "Cảnh báo"
        found = f" Gặp: {self.value}." if self.value and self.value not in self.message else ""
        need = f" Cần: {self.expected}." if self.expected and self.expected not in self.message else ""
        message = self.message if self.message.endswith((".", "?", "!")) else self.message + "."
        item = f" ({self.item})" if self.item else ""
        return terminal_safe(f"[{label}] {self.file} — {self.where}{item}: {message}{found}{need} Cách sửa: {self.fix} "
                             f"({rule_name(self.rule)})")


def rule_name(rule: str) -> str:
    """A rule's Vietnamese name (RULE_NAMES, else rules.csv name_vi); the code itself when it has none."""
    if rule in RULE_NAMES:
        return RULE_NAMES[rule]
    from core.refdata import reference
    return reference().rule_names.get(rule, rule)


def label_cells(findings: list[Finding], cells: dict[tuple[str, str], str]) -> None:
    """Fill each finding's `item` from what its (sheet, cell) holds, where that is known."""
    for f in findings:
        if not f.item and f.cell:
            f.item = cells.get((f.sheet, f.cell), "")


FIELDS = [f.name for f in fields(Finding)]


def write_report(findings_by_file: list[dict], out_json: Path, out_csv: Path) -> None:
    """Machine-readable load report: JSON with per-file status, CSV with one row per finding (formula-safe)."""
    out_json.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    with open(os.open(out_json, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w", encoding="utf-8") as f:
        f.write(json.dumps(findings_by_file, ensure_ascii=False, indent=1, default=str))
    with open(os.open(out_csv, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w", newline="", encoding="utf-8-sig") as f:
        w = csv.DictWriter(f, fieldnames=["status", *FIELDS])
        w.writeheader()
        for item in findings_by_file:
            for finding in item["findings"]:
                w.writerow({k: formula_safe(v) for k, v in {"status": item["status"], **finding}.items()})


def as_dict(f: Finding) -> dict:
    return asdict(f)
