"""etl/read.py on in-memory rows: a valid workbook's sheets built in memory, one change per case; CSV text.

Each case states the rule and the place (sheet, cell) the reader must report, or that it reads the file.
"""
import pytest

from core.numbers import ExcelError
from core.refdata import TOTAL
from etl.read import Parsed, _read_book, read_file
from etl.template import FIRST_DATA_ROW, FIRST_YEAR_COL, RATING_MARK, SHEET_MARK, sheet_rows
from etl.xlsx import Cell, Sheet

UNIT, ROUND = "LDLD63_38", "N2021"


def _book(ref, round_code=ROUND) -> dict[str, Sheet]:
    """The sheets of an empty template of the round, as the xlsx reader returns them (codes only)."""
    years = ref.round_years(round_code)
    sheets = {"_meta": Sheet("_meta")}
    for r, (k, v) in enumerate([("template_version", "1"), ("unit_code", UNIT), ("round_code", round_code)]):
        sheets["_meta"].cells[(r, 0)], sheets["_meta"].cells[(r, 1)] = Cell(k), Cell(v)
    for _, s in ref["sheets"].iterrows():
        sheet = Sheet(s["sheet_name"])
        sheet.cells[(0, 0)], sheet.cells[(0, 1)] = Cell(SHEET_MARK), Cell(s["sheet_code"])
        if s["kind"] == "indicators":
            for j, year in enumerate(years):
                sheet.cells[(0, FIRST_YEAR_COL + j)] = Cell(float(year))
            for i, (code, sector, *_rest) in enumerate(sheet_rows(ref, s["sheet_code"])):
                sheet.cells[(FIRST_DATA_ROW + i, 0)] = Cell(code)
                sheet.cells[(FIRST_DATA_ROW + i, 1)] = Cell(sector)
        elif s["kind"] == "texts":
            for i, q in enumerate(ref.text_questions.index):
                sheet.cells[(FIRST_DATA_ROW + i, 0)] = Cell(q)
        sheets[s["sheet_name"]] = sheet
    return sheets


def _row_of(ref, sheet_code: str, code: str, sector: str = TOTAL) -> int:
    return FIRST_DATA_ROW + [(c, s) for c, s, *_ in sheet_rows(ref, sheet_code)].index((code, sector))


def _parse(ref, sheets: dict[str, Sheet]) -> Parsed:
    parsed = Parsed(name="t.xlsx")
    _read_book(parsed, lambda limits: list(sheets.values()), ref)
    parsed.close()
    return parsed


MEMBERS = "I.1.2 Đoàn viên"


def _put(ref, book, code, value, sector=TOTAL, sheet=MEMBERS, col=FIRST_YEAR_COL, **kw):
    book[sheet].cells[(_row_of(ref, "I.1.2", code, sector), col)] = Cell(value, **kw)


WORKBOOK_CASES = [
    # (case, how to change the valid book, rule expected or None, sheet, cell)
    ("a value is read", lambda ref, b: _put(ref, b, "member_end", 1234.0), None, "", ""),
    ("a formula with its value", lambda ref, b: _put(ref, b, "member_end", 5.0, formula=True),
     "formula_cached", MEMBERS, "F15"),
    ("a formula without a value", lambda ref, b: _put(ref, b, "member_end", None, formula=True, cached=False),
     "formula_no_value", MEMBERS, "F15"),
    ("no _meta sheet", lambda ref, b: b.pop("_meta"), "missing_meta", "", ""),
    ("unknown round", lambda ref, b: b["_meta"].cells.__setitem__((2, 1), Cell("N1999")), "unknown_round", "_meta", "B3"),
    ("a sheet missing", lambda ref, b: b.pop("I.1.3 Thẻ đoàn viên"), "missing_sheet", "", ""),
    ("a sheet code unknown", lambda ref, b: b[MEMBERS].cells.__setitem__((0, 1), Cell("I.9.9")), "unknown_sheet", MEMBERS, "B1"),
    ("a year header 2021.5", lambda ref, b: b[MEMBERS].cells.__setitem__((0, FIRST_YEAR_COL), Cell(2021.5)),
     "bad_year_header", MEMBERS, "F1"),
    ("a year header 'inf'", lambda ref, b: b[MEMBERS].cells.__setitem__((0, FIRST_YEAR_COL), Cell("inf")),
     "bad_year_header", MEMBERS, "F1"),
    ("a year header 10000", lambda ref, b: b[MEMBERS].cells.__setitem__((0, FIRST_YEAR_COL), Cell(10000.0)),
     "bad_year_header", MEMBERS, "F1"),
    ("a year of another round", lambda ref, b: b[MEMBERS].cells.__setitem__((0, FIRST_YEAR_COL), Cell(2019.0)),
     "year_outside_round", MEMBERS, "F1"),
    ("a number in a row without code", lambda ref, b: b[MEMBERS].cells.__setitem__((90, FIRST_YEAR_COL), Cell(5.0)),
     "row_without_code", MEMBERS, "F91"),
    ("cells beyond the template", lambda ref, b: (setattr(b[MEMBERS], "outside", 3), setattr(b[MEMBERS], "first_outside", "XFD1048576")),
     "outside_template", MEMBERS, "XFD1048576"),
    ("a stray sheet with content", lambda ref, b: b.__setitem__("Ghi chú", Sheet("Ghi chú", {(0, 0): Cell("x")})),
     "extra_sheet", "Ghi chú", ""),
    ("the annotated copy's own sheet", lambda ref, b: b.__setitem__("Kết quả kiểm tra", Sheet("Kết quả kiểm tra", {(0, 0): Cell("x")})),
     None, "", ""),
]


@pytest.mark.parametrize("case, change, rule, sheet, cell", WORKBOOK_CASES, ids=[c[0] for c in WORKBOOK_CASES])
def test_workbook(case, change, rule, sheet, cell, ref):
    book = _book(ref)
    change(ref, book)
    parsed = _parse(ref, book)
    if rule is None:
        assert parsed.findings == [] and parsed.unit_code == UNIT
        return
    got = [f for f in parsed.findings if f.rule == rule]
    assert got, [f.rule for f in parsed.findings]
    assert (got[0].sheet, got[0].cell) == (sheet, cell)


def test_workbook_keeps_raw_values_and_their_cells(ref):
    book = _book(ref)
    _put(ref, book, "member_end", "1.234.567")
    _put(ref, book, "member_end", ExcelError("#DIV/0!"), sector="FDI")
    parsed = _parse(ref, book)
    got = {(v.indicator_code, v.sector, v.year): (v.raw, v.cell, v.code_cell) for v in parsed.values}
    assert got == {("member_end", TOTAL, 2021): ("1.234.567", "F15", "A15"),
                   ("member_end", "FDI", 2021): (ExcelError("#DIV/0!"), "F19", "A19")}


def test_ratings_rows_are_read_with_their_level_cell(ref):
    book = _book(ref)
    sheet = book["I.2.3 Mức xếp loại"]
    sheet.cells.update({(4, 0): Cell(RATING_MARK), (4, 2): Cell(2021.0), (4, 4): Cell("Hoàn thành tốt nhiệm vụ"),
                        (4, 5): Cell(12.0)})
    (r,) = _parse(ref, book).ratings
    assert (r.year, r.level, r.raw, r.cell, r.level_cell) == (2021, "Hoàn thành tốt nhiệm vụ", 12.0, "F5", "E5")


def test_findings_beyond_the_limit_are_counted_per_rule(ref):
    book = _book(ref)
    for r in range(300, 800):
        book[MEMBERS].cells[(r, FIRST_YEAR_COL)] = Cell(1.0)
    parsed = _parse(ref, book)
    assert len(parsed.findings) == parsed.limit + 1
    summary = parsed.findings[-1]
    assert (summary.rule, summary.value, summary.expected) == ("more_findings", "300", "row_without_code")


VALUE_HEADER = "unit_code,year,sector,indicator_code,value"
CSV_CASES = [
    # (case, csv text, rule expected or None, cell)
    ("a valid row", f"{VALUE_HEADER}\n{UNIT},2021,,member_end,1.234\n", None, ""),
    ("a blank line before the header", f"\n\n{VALUE_HEADER}\n{UNIT},2021,,member_end,1\n", None, ""),
    ("semicolons", f"{VALUE_HEADER.replace(',', ';')}\n{UNIT};2021;;member_end;12,5\n", None, ""),
    ("only blank lines", "\n \n", "empty_content", ""),
    ("a wrong header", "ma,nam\nx,1\n", "csv_header", "A1"),
    ("a row with 4 columns", f"{VALUE_HEADER}\n{UNIT},2021,,member_end\n", "csv_columns", "A2"),
    ("year 0 by unit name", f"{VALUE_HEADER}\nThanh Hóa,0,,member_end,1\n", "bad_year", "B2"),
    ("year 10000", f"{VALUE_HEADER}\n{UNIT},10000,,member_end,1\n", "bad_year", "B2"),
    ("year inf", f"{VALUE_HEADER}\n{UNIT},inf,,member_end,1\n", "bad_year", "B2"),
    ("an unknown unit", f"{VALUE_HEADER}\nTỉnh Không Có,2021,,member_end,1\n", "unknown_unit", "A2"),
    ("two units", f"{VALUE_HEADER}\n{UNIT},2021,,member_end,1\nLDLD63_01,2021,,member_end,1\n", "csv_multi_unit", "A3"),
    ("years of two rounds", f"{VALUE_HEADER}\n{UNIT},2019,,member_end,1\n{UNIT},2021,,member_end,1\n", "csv_round", "B3"),
    ("a field of 100 KB", f'{VALUE_HEADER}\n{UNIT},2021,,member_end,"{"x" * 100_000}\n', "csv_field_too_long", "A2"),
    ("a NUL byte", f"{VALUE_HEADER}\n{UNIT},2021,,member_end,1\x00\n", "csv_binary", "A2"),
    ("a text answers file", f"unit_code,round,question_code,text\n{UNIT},N2021,II.5,Không có.\n", None, ""),
]


@pytest.mark.parametrize("case, text, rule, cell", CSV_CASES, ids=[c[0] for c in CSV_CASES])
def test_csv(case, text, rule, cell, ref):
    parsed = read_file("t.csv", text.encode("utf-8"), ref)
    if rule is None:
        assert parsed.findings == [] and parsed.unit_code == UNIT, [f.line() for f in parsed.findings]
        assert parsed.values or parsed.texts
        return
    got = [f for f in parsed.findings if f.rule == rule]
    assert got, [f.rule for f in parsed.findings]
    assert got[0].cell == cell


def test_csv_rows_beyond_the_limit_reject_the_file_early(ref):
    rows = "".join(f"{UNIT},2021,,member_end,{i}\n" for i in range(30_000))
    parsed = read_file("t.csv", f"{VALUE_HEADER}\n{rows}".encode(), ref)
    assert [f.rule for f in parsed.findings] == ["too_many_rows"] and parsed.values == []


@pytest.mark.parametrize("name, data, rule", [
    ("x.xlsm", b"PK\x03\x04", "unsupported_type"),
    ("x.exe", b"MZ", "unsupported_type"),
    ("x.xlsx", b"", "empty_file"),
    ("x.xlsx", b"MZ\x90\x00", "not_excel"),
    ("x.xlsx", b"PK\x03\x04garbage", "damaged_zip"),
    ("x.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "unreadable_xls"),
])
def test_file_types(name, data, rule, ref):
    assert [f.rule for f in read_file(name, data, ref).findings] == [rule]
