"""What the loader reports about a file: one Finding per problem, in Vietnamese, pointing at a cell."""
from __future__ import annotations

import csv
import json
from dataclasses import asdict, dataclass, fields
from pathlib import Path

ERROR, WARNING = "error", "warning"

# rule -> (message, how to fix). {value}/{expected} are filled in per finding.
MESSAGES: dict[str, tuple[str, str]] = {
    "empty_file": ("Tệp rỗng (0 byte).", "Lưu lại tệp từ Excel rồi nộp lại."),
    "not_excel": ("Tệp không phải là bảng tính Excel hoặc CSV hợp lệ.", "Mở tệp bằng Excel, chọn Lưu dưới dạng .xlsx rồi nộp lại."),
    "password_protected": ("Tệp được đặt mật khẩu, không đọc được.", "Gỡ mật khẩu (Tệp → Thông tin → Bảo vệ sổ làm việc) rồi nộp lại."),
    "unreadable": ("Không đọc được tệp: {value}.", "Mở và lưu lại tệp bằng Excel, hoặc tải mẫu mới."),
    "unsupported_type": ("Loại tệp {value} không được nhận.", "Chỉ nộp tệp .xlsx, .xls hoặc .csv."),
    "file_too_large": ("Tệp quá lớn ({value}).", "Tệp phải nhỏ hơn {expected}."),
    "missing_meta": ("Không tìm thấy mã ẩn của mẫu (trang _meta).", "Hãy dùng đúng mẫu tải về từ hệ thống; không sao chép số liệu sang tệp khác."),
    "unknown_unit": ("Mã đơn vị '{value}' không có trong danh mục.", "Kiểm tra mã đơn vị; dùng mẫu tải về cho đúng đơn vị."),
    "unknown_round": ("Kỳ báo cáo '{value}' không có trong danh mục.", "Dùng mẫu của kỳ báo cáo đang mở."),
    "unit_inactive": ("Đơn vị {value} không hoạt động vào năm {expected}.", "Từ 01/7/2025 báo cáo theo LĐLĐ tỉnh, thành phố mới (34 tỉnh); trước đó theo 63 tỉnh."),
    "missing_sheet": ("Thiếu trang '{expected}'.", "Không xóa trang của mẫu; tải lại mẫu và chép số liệu vào."),
    "unknown_sheet": ("Trang '{value}' không thuộc mẫu báo cáo.", "Dùng mẫu đúng kỳ báo cáo; không chép trang từ tệp khác."),
    "duplicate_sheet": ("Trang mã '{value}' xuất hiện hai lần.", "Xóa trang thừa, chỉ giữ một trang cho mỗi mục."),
    "sheet_renamed": ("Trang '{value}' đã bị đổi tên (tên đúng: '{expected}'). Vẫn đọc được nhờ mã ẩn.", "Không cần sửa; lần sau nên giữ tên trang của mẫu."),
    "extra_sheet": ("Trang '{value}' không thuộc mẫu, đã bỏ qua.", "Không cần sửa nếu trang này chỉ để ghi chú."),
    "bad_year_header": ("Dòng mã năm có giá trị '{value}' không phải là năm.", "Không sửa dòng ẩn chứa năm; tải lại mẫu."),
    "year_outside_round": ("Năm {value} không thuộc kỳ báo cáo (các năm {expected}).", "Dùng mẫu đúng kỳ báo cáo, không thêm cột năm."),
    "missing_year": ("Thiếu cột năm {expected}.", "Không xóa cột năm của mẫu."),
    "unknown_indicator": ("Mã chỉ tiêu '{value}' không có trong bộ chỉ tiêu.", "Không sửa cột mã ẩn; tải lại mẫu."),
    "unknown_sector": ("Mã khu vực '{value}' không hợp lệ (hợp lệ: {expected}).", "Không sửa cột mã ẩn; trong CSV để trống cột sector cho dòng tổng."),
    "sector_not_allowed": ("Chỉ tiêu này không chia theo khu vực.", "Chỉ nhập dòng tổng cho chỉ tiêu này."),
    "duplicate_row": ("Chỉ tiêu bị lặp: '{value}' đã có ở ô {expected}.", "Xóa dòng lặp, mỗi chỉ tiêu chỉ nhập một lần cho mỗi năm."),
    "row_without_code": ("Dòng có số liệu nhưng không có mã chỉ tiêu (giá trị '{value}'), đã bỏ qua.", "Không chèn dòng mới vào mẫu; dòng cộng tổng không cần nhập."),
    "not_a_number": ("Giá trị '{value}' không phải là số.", "Nhập số, ví dụ 1.234.567 hoặc 12,5; để trống nếu không có số liệu."),
    "negative": ("Giá trị âm: {value}.", "Nhập số không âm."),
    "not_integer": ("Số người/đơn vị phải là số nguyên, gặp {value}.", "Nhập số nguyên (không có phần thập phân)."),
    "out_of_range": ("Giá trị {value} vượt giới hạn hợp lý ({expected}).", "Kiểm tra lại đơn vị tính (người, triệu đồng) và số chữ số."),
    "formula_no_value": ("Ô chứa công thức nhưng chưa có giá trị tính sẵn.", "Mở tệp bằng Excel, để Excel tính xong rồi lưu lại; hoặc gõ số thay cho công thức."),
    "formula_cached": ("Ô chứa công thức; đã dùng giá trị Excel tính sẵn ({value}).", "Không cần sửa; nên gõ số trực tiếp."),
    "sector_sum": ("Tổng các khu vực ({value}) khác dòng tổng ({expected}).", "Sửa các dòng 'Trong đó' hoặc dòng tổng cho khớp nhau."),
    "sector_sum_exceeds": ("Tổng các khu vực đã nhập ({value}) lớn hơn dòng tổng ({expected}).", "Sửa các dòng 'Trong đó' hoặc dòng tổng."),
    "unknown_rating_level": ("Mức xếp loại '{value}' không có trong danh mục.", "Chọn mức từ danh sách thả xuống."),
    "rating_wrong_scheme": ("Mức '{value}' không thuộc hướng dẫn áp dụng năm này ({expected}).", "Dùng các mức của hướng dẫn áp dụng năm đó (2015-2018: HD 1931; từ 2019: HD 1294)."),
    "unknown_question": ("Mã câu hỏi '{value}' không có trong danh mục.", "Không sửa cột mã ẩn; trong CSV dùng mã câu hỏi của mẫu."),
    "text_too_long": ("Câu trả lời dài {value} ký tự.", "Rút gọn dưới {expected} ký tự."),
    "empty_submission": ("Tệp không có số liệu nào.", "Điền số liệu vào các ô nền vàng rồi nộp lại."),
    "csv_header": ("Tiêu đề CSV không đúng: '{value}'.", "Dòng đầu phải là {expected}."),
    "csv_columns": ("Dòng có {value} cột, cần {expected}.", "Kiểm tra dấu phân cách; giá trị có dấu phẩy phải đặt trong ngoặc kép."),
    "csv_encoding": ("Tệp CSV không ở mã UTF-8; đã đọc theo mã {value}.", "Không cần sửa; lần sau lưu CSV dạng 'CSV UTF-8'."),
    "csv_multi_unit": ("Tệp chứa nhiều đơn vị ({value}).", "Mỗi tệp chỉ chứa số liệu của một đơn vị."),
    "unit_not_allowed": ("Không được nộp cho đơn vị {value}.", "Dùng mẫu của đơn vị mình."),
    "csv_round": ("Các năm {value} không thuộc cùng một kỳ báo cáo.", "Tách thành các tệp theo từng kỳ báo cáo."),
}


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

    def __post_init__(self):
        template = MESSAGES.get(self.rule)
        if template and not self.message:
            self.message = template[0].format(value=self.value, expected=self.expected)
        if template and not self.fix:
            self.fix = template[1].format(value=self.value, expected=self.expected)

    def line(self) -> str:
        """The finding as one Vietnamese line for a terminal."""
        label = "LỖI" if self.severity == ERROR else "Cảnh báo"
        where = f"trang '{self.sheet}', ô {self.cell}" if self.sheet else (f"ô {self.cell}" if self.cell else "cả tệp")
        found = f" Giá trị: '{self.value}'." if self.value and self.value not in self.message else ""
        return f"[{label}] {self.file} — {where}: {self.message}{found} Cách sửa: {self.fix} ({self.rule})"


FIELDS = [f.name for f in fields(Finding)]


def write_report(findings_by_file: list[dict], out_json: Path, out_csv: Path) -> None:
    """Machine-readable load report: JSON with per-file status, CSV with one row per finding."""
    out_json.parent.mkdir(parents=True, exist_ok=True)
    out_json.write_text(json.dumps(findings_by_file, ensure_ascii=False, indent=1), encoding="utf-8")
    with open(out_csv, "w", newline="", encoding="utf-8-sig") as f:
        w = csv.DictWriter(f, fieldnames=["status", *FIELDS])
        w.writeheader()
        for item in findings_by_file:
            for finding in item["findings"]:
                w.writerow({"status": item["status"], **finding})


def as_dict(f: Finding) -> dict:
    return asdict(f)
