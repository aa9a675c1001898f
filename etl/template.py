"""The Excel workbook a reporting unit fills in: one sheet per outline section, years as columns.

Machine-readable codes sit in hidden cells (column A/B and row 1 of every sheet, and a hidden _meta
sheet) so that loading never depends on label text, sheet names or merged headers.
"""
from __future__ import annotations

from datetime import datetime
from pathlib import Path

import xlsxwriter

from core.refdata import TOTAL, Reference, reference

TEMPLATE_VERSION = "1"
SHEET_MARK = "#SHEET"
RATING_MARK = "RATING"
FIRST_DATA_ROW = 4  # 0-based: rows 0-3 are codes, title, unit line, header
FIRST_YEAR_COL = 5  # column F

# values: {(indicator_code, sector, year): number-or-text}; ratings: {(year, level_code): count};
# texts: {question_code: text}
Values = dict[tuple[str, str, int], object]


def sheet_rows(ref: Reference, sheet_code: str) -> list[tuple[str, str, str, str, str]]:
    """Rows of an indicator sheet: (indicator_code, sector, number, label, unit) in template order."""
    return list(_memo(ref, ("sheet_rows", sheet_code), lambda: _sheet_rows(ref, sheet_code)))


def _memo(ref: Reference, key: tuple, compute):
    """Computed once per Reference object (its tables are read once per process) — the reader asks for every file."""
    memo = ref.__dict__.setdefault("_template_memo", {})
    if key not in memo:
        memo[key] = compute()
    return memo[key]


def _sheet_rows(ref: Reference, sheet_code: str) -> tuple[tuple[str, str, str, str, str], ...]:
    inds = ref.input_indicators
    inds = inds[inds["section"] == sheet_code].sort_values("order")
    sectors = ref["sectors"].set_index("sector_code")
    rows = []
    for i, (_, ind) in enumerate(inds.iterrows(), start=1):
        rows.append((ind["indicator_code"], TOTAL, str(i), ind["label_vi"], ind["unit_vi"]))
        if ind["by_sector"]:
            for j, sector in enumerate(ref.sector_codes):
                rows.append((ind["indicator_code"], sector, f"{i}.{j + 1}",
                             f"   Trong đó: {sectors.loc[sector, 'label_vi']}", ind["unit_vi"]))
    return tuple(rows)


def template_bounds(ref: Reference, margin_rows: int = 200, margin_cols: int = 20) -> tuple[int, int]:
    """(rows, columns) of the largest sheet of any round's template, with a margin: the area a reader keeps."""
    return _memo(ref, ("bounds", margin_rows, margin_cols), lambda: _bounds(ref, margin_rows, margin_cols))


def _bounds(ref: Reference, margin_rows: int, margin_cols: int) -> tuple[int, int]:
    longest_round = max(len(ref.round_years(code)) for code in ref.rounds.index)
    indicator_rows = max(len(sheet_rows(ref, code)) for code in ref["sheets"]["sheet_code"])
    rating = longest_round * ref.rating_levels.groupby("scheme_code").size().max()
    rows = FIRST_DATA_ROW + max(indicator_rows, rating, len(ref.text_questions))
    return int(rows) + margin_rows, FIRST_YEAR_COL + longest_round + margin_cols


def rating_rows(ref: Reference, years: list[int]) -> list[tuple[int, str, str]]:
    """Rows of the rating sheet: (year, scheme label, level label) for the scheme in force each year."""
    schemes = ref["rating_schemes"].set_index("scheme_code")
    rows = []
    for year in years:
        scheme = ref.scheme_for_year(year)
        levels = ref.rating_levels[ref.rating_levels["scheme_code"] == scheme].sort_values("rank")
        for _, lv in levels.iterrows():
            rows.append((year, schemes.loc[scheme, "label_vi"], lv["label_vi"]))
    return rows


def write_template(out: Path, unit_code: str, round_code: str, *, values: Values | None = None,
                   ratings: dict[tuple[int, str], object] | None = None, texts: dict[str, str] | None = None,
                   simulated: bool = False, ref: Reference | None = None) -> Path:
    """Write the workbook for one unit and round to `out`; pre-filled when values are given (demo, tests)."""
    ref = ref or reference()
    values, ratings, texts = values or {}, ratings or {}, texts or {}
    unit = ref.units.loc[unit_code]
    rnd = ref.rounds.loc[round_code]
    years = ref.round_years(round_code)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    wb = xlsxwriter.Workbook(str(out), {"strings_to_numbers": False})
    wb.set_properties({"title": f"Mẫu báo cáo {rnd['label_vi']}", "author": "TLĐLĐVN",
                       "comments": "Dữ liệu mô phỏng" if simulated else ""})
    f = _formats(wb)

    _instructions(wb, f, ref, unit, rnd, years, simulated)
    for _, sheet in ref["sheets"].sort_values("order", key=lambda s: s.astype(int)).iterrows():
        ws = wb.add_worksheet(sheet["sheet_name"])
        ws.write(0, 0, SHEET_MARK)
        ws.write(0, 1, sheet["sheet_code"])
        ws.set_row(0, None, None, {"hidden": True})
        ws.set_column(0, 1, None, None, {"hidden": True})
        ws.write(1, 2, sheet["title_vi"], f["title"])
        ws.write(2, 2, f"Đơn vị: {unit['unit_name']} ({unit_code}) — Kỳ báo cáo: {rnd['label_vi']}"
                 + (" — DỮ LIỆU MÔ PHỎNG" if simulated else ""), f["sub"])
        if sheet["kind"] == "indicators":
            _indicator_sheet(ws, f, ref, sheet["sheet_code"], years, values)
        elif sheet["kind"] == "ratings":
            _rating_sheet(ws, f, ref, years, ratings)
        else:
            _text_sheet(ws, f, ref, texts)
        ws.protect("", {"format_columns": True, "format_rows": True})
    meta = wb.add_worksheet("_meta")
    for i, (k, v) in enumerate([("template_version", TEMPLATE_VERSION), ("unit_code", unit_code),
                                ("round_code", round_code), ("generated_at", datetime.now().isoformat(timespec="seconds")),
                                ("simulated", "1" if simulated else "0")]):
        meta.write_string(i, 0, k)
        meta.write_string(i, 1, v)
    meta.very_hidden()
    wb.close()
    return out


def _formats(wb) -> dict:
    return {
        "title": wb.add_format({"bold": True, "font_size": 13}),
        "sub": wb.add_format({"italic": True, "font_color": "#444444"}),
        "head": wb.add_format({"bold": True, "bg_color": "#DCE6F1", "border": 1, "text_wrap": True,
                               "align": "center", "valign": "vcenter"}),
        "label": wb.add_format({"border": 1, "text_wrap": True, "valign": "top"}),
        "label_b": wb.add_format({"border": 1, "text_wrap": True, "bold": True, "valign": "top"}),
        "int": wb.add_format({"border": 1, "locked": False, "num_format": "#,##0", "bg_color": "#FFFDE7"}),
        "dec": wb.add_format({"border": 1, "locked": False, "num_format": "#,##0.0", "bg_color": "#FFFDE7"}),
        "text_in": wb.add_format({"border": 1, "locked": False, "text_wrap": True, "valign": "top",
                                  "bg_color": "#FFFDE7"}),
        "wrap": wb.add_format({"text_wrap": True, "valign": "top"}),
        "warn": wb.add_format({"bold": True, "font_color": "#B00020", "font_size": 12}),
    }


def _instructions(wb, f, ref, unit, rnd, years, simulated):
    ws = wb.add_worksheet("Hướng dẫn")
    ws.set_column(0, 0, 110)
    lines = [
        ("BÁO CÁO TỔNG KẾT NGHỊ QUYẾT 6a/NQ-TLĐ — SỐ LIỆU CÔNG ĐOÀN CƠ SỞ", f["title"]),
        (f"Đơn vị báo cáo: {unit['unit_name']} (mã {unit['unit_code']})", None),
        (f"Kỳ báo cáo: {rnd['label_vi']} — các năm {years[0]}–{years[-1]}; hạn nộp {_vn_date(rnd['deadline'])}", None),
        ("", None),
        ("Cách điền:", f["title"]),
        ("1. Chỉ nhập vào các ô nền vàng. Số liệu tại thời điểm 31/12 của từng năm; tiền tính bằng triệu đồng.", f["wrap"]),
        ("2. Nhập số nguyên không âm cho số người, số đơn vị, số thẻ. Không gõ chữ, không gõ đơn vị tính vào ô số.", f["wrap"]),
        ("3. Không có số liệu: để trống (hoặc gõ dấu -). Số 0 nghĩa là bằng không — không dùng 0 thay cho 'không có số liệu'.", f["wrap"]),
        ("4. Dòng 'Trong đó' theo khu vực: tổng các khu vực phải bằng dòng tổng khi điền đủ các khu vực.", f["wrap"]),
        ("5. Trang 'I.2.3 Mức xếp loại': mỗi năm dùng các mức của hướng dẫn áp dụng năm đó "
         "(2011-2014: trước 2015; 2015-2018: HD 1931; từ 2019: HD 1294).", f["wrap"]),
        ("6. Trang 'Ý kiến, kiến nghị': trả lời ngắn gọn vào cột Trả lời (có thể xuống dòng bằng Alt+Enter).", f["wrap"]),
        ("7. Không đổi tên mã ẩn, không xóa dòng, không thêm trang. Nộp lại bản sửa sẽ tạo phiên bản mới, bản cũ vẫn được lưu.", f["wrap"]),
    ]
    if simulated:
        lines.insert(0, ("DỮ LIỆU MÔ PHỎNG — tệp do chương trình tạo để minh họa, không phải số liệu thật.", f["warn"]))
    for i, (text, fmt) in enumerate(lines):
        ws.write(i, 0, text, fmt)
    ws.activate()


def _vn_date(iso: str) -> str:
    y, m, d = iso.split("-")
    return f"{d}/{m}/{y}"


def _indicator_sheet(ws, f, ref, sheet_code, years, values):
    ws.set_column(2, 2, 7)
    ws.set_column(3, 3, 58)
    ws.set_column(4, 4, 11)
    ws.set_column(FIRST_YEAR_COL, FIRST_YEAR_COL + len(years) - 1, 12)
    ws.write(3, 2, "STT", f["head"])
    ws.write(3, 3, "Chỉ tiêu", f["head"])
    ws.write(3, 4, "Đơn vị tính", f["head"])
    for j, year in enumerate(years):
        ws.write_number(0, FIRST_YEAR_COL + j, year)
        ws.write(3, FIRST_YEAR_COL + j, f"Năm {year}", f["head"])
    ws.freeze_panes(FIRST_DATA_ROW, FIRST_YEAR_COL)
    inds = ref.indicators
    for i, (code, sector, num, label, unit) in enumerate(sheet_rows(ref, sheet_code)):
        r = FIRST_DATA_ROW + i
        ws.write_string(r, 0, code)
        ws.write_string(r, 1, sector)
        bold = sector == TOTAL
        ws.write_string(r, 2, num, f["label_b"] if bold else f["label"])
        ws.write_string(r, 3, label, f["label_b"] if bold else f["label"])
        ws.write_string(r, 4, unit, f["label"])
        is_int = inds.loc[code, "value_type"] == "int"
        cell_fmt = f["int"] if is_int else f["dec"]
        for j, year in enumerate(years):
            v = values.get((code, sector, year))
            if v is None:
                ws.write_blank(r, FIRST_YEAR_COL + j, None, cell_fmt)
            elif isinstance(v, tuple):  # (formula, cached value): how Excel saves a computed cell
                ws.write_formula(r, FIRST_YEAR_COL + j, v[0], cell_fmt, v[1])
            elif isinstance(v, str):
                ws.write_string(r, FIRST_YEAR_COL + j, v, cell_fmt)
            else:
                ws.write_number(r, FIRST_YEAR_COL + j, v, cell_fmt)
        ws.data_validation(r, FIRST_YEAR_COL, r, FIRST_YEAR_COL + len(years) - 1, {
            "validate": "integer" if is_int else "decimal", "criteria": ">=", "value": 0,
            "error_title": "Giá trị không hợp lệ",
            "error_message": "Nhập số nguyên không âm." if is_int else "Nhập số không âm (triệu đồng).",
            "ignore_blank": True})


def _rating_sheet(ws, f, ref, years, ratings):
    ws.set_column(2, 2, 8)
    ws.set_column(3, 3, 44)
    ws.set_column(4, 4, 34)
    ws.set_column(5, 5, 14)
    for col, head in enumerate(["Năm", "Hướng dẫn áp dụng", "Mức xếp loại", "Số CĐCS"], start=2):
        ws.write(3, col, head, f["head"])
    ws.freeze_panes(FIRST_DATA_ROW, 0)
    levels = ref.rating_levels
    for i, (year, scheme_label, level_label) in enumerate(rating_rows(ref, years)):
        r = FIRST_DATA_ROW + i
        scheme = ref.scheme_for_year(year)
        ws.write_string(r, 0, RATING_MARK)
        ws.write_number(r, 2, year, f["label"])
        ws.write_string(r, 3, scheme_label, f["label"])
        ws.write_string(r, 4, level_label, f["text_in"])
        code = levels[(levels["scheme_code"] == scheme) & (levels["label_vi"] == level_label)].index[0]
        v = ratings.get((year, code))
        if v is None:
            ws.write_blank(r, 5, None, f["int"])
        else:
            ws.write(r, 5, v, f["int"])
        allowed = list(levels.loc[levels["scheme_code"] == scheme, "label_vi"])
        ws.data_validation(r, 4, r, 4, {"validate": "list", "source": allowed,
                                        "error_message": "Chọn một mức của hướng dẫn áp dụng năm này."})
        ws.data_validation(r, 5, r, 5, {"validate": "integer", "criteria": ">=", "value": 0,
                                        "error_message": "Nhập số nguyên không âm.", "ignore_blank": True})


def _text_sheet(ws, f, ref, texts):
    ws.set_column(2, 2, 8)
    ws.set_column(3, 3, 50)
    ws.set_column(4, 4, 90)
    for col, head in enumerate(["Mục", "Nội dung", "Trả lời"], start=2):
        ws.write(3, col, head, f["head"])
    questions = ref.text_questions.sort_values("order", key=lambda s: s.astype(int))
    for i, (_, q) in enumerate(questions.iterrows()):
        r = FIRST_DATA_ROW + i
        ws.write_string(r, 0, q["question_code"])
        ws.write_string(r, 2, q["section"], f["label"])
        ws.write_string(r, 3, q["label_vi"], f["label"])
        ws.write_string(r, 4, texts.get(q["question_code"], ""), f["text_in"])
        ws.set_row(r, 75)
