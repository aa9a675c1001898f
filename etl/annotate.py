"""The submitted workbook returned with every faulty cell highlighted and commented in Vietnamese."""
from __future__ import annotations

import io

import openpyxl
from openpyxl.comments import Comment
from openpyxl.styles import PatternFill

from etl.findings import ERROR, Finding

FILLS = {ERROR: PatternFill("solid", fgColor="FFC7CE"), "warning": PatternFill("solid", fgColor="FFEB9C")}


def annotate(xlsx: bytes, findings: list[Finding]) -> bytes:
    """Copy of the workbook with a fill and a comment on each cell a finding names (other findings listed on
    a first sheet 'Kết quả kiểm tra')."""
    wb = openpyxl.load_workbook(io.BytesIO(xlsx))
    summary = wb.create_sheet("Kết quả kiểm tra", 0)
    summary.append(["Mức độ", "Trang", "Ô", "Giá trị gặp", "Nội dung", "Cách sửa"])
    for col, width in zip("ABCDEF", (10, 22, 8, 18, 60, 60)):
        summary.column_dimensions[col].width = width
    for f in findings:
        summary.append(["Lỗi" if f.severity == ERROR else "Cảnh báo", f.sheet, f.cell, f.value, f.message, f.fix])
        for cell in summary[summary.max_row]:  # text from the file stays text, never a live formula
            if isinstance(cell.value, str):
                cell.data_type = "s"
        if f.sheet in wb.sheetnames and f.cell and f.cell[0].isalpha() and f.cell[-1].isdigit():
            cell = wb[f.sheet][f.cell]
            cell.fill = FILLS.get(f.severity, FILLS["warning"])
            text = f"{'LỖI' if f.severity == ERROR else 'Cảnh báo'}: {f.message}\nCách sửa: {f.fix}"
            old = cell.comment.text + "\n\n" if cell.comment else ""
            cell.comment = Comment(old + text, "Hệ thống kiểm tra", width=320, height=140)
    wb.active = 0
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
