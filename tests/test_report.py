"""The consolidated workbook: totals equal the warehouse, percentages are formulas over the right cells;
the printable page prints to A4 PDF with every section heading."""
import re

import openpyxl
import pytest
from xlsxwriter.utility import xl_rowcol_to_cell

from core.db import Warehouse
from etl.report import SECTIONS, ReportOptions, build_report


@pytest.fixture(scope="module")
def report(demo_warehouse, tmp_path_factory):
    wh = Warehouse(demo_warehouse[0])
    out = tmp_path_factory.mktemp("report") / "r.xlsx"
    path, blocks = build_report(wh, ReportOptions("TK2020"), out)
    return wh, openpyxl.load_workbook(path), openpyxl.load_workbook(path, data_only=True), blocks


def test_sheets(report):
    _, wb, _, _ = report
    assert wb.sheetnames[0] == "Bìa"
    assert [n.split(" ")[0] for n in wb.sheetnames[1:9]] == SECTIONS
    assert "Dữ liệu mô phỏng".upper() in " ".join(str(c.value) for row in wb["Bìa"].iter_rows() for c in row).upper()
    ws = wb["I.1.2 Đoàn viên"]
    assert ws.freeze_panes == "B3"
    assert ws.page_setup.paperSize == 9  # A4
    assert ws.print_area


def test_region_tables_and_totals_equal_the_marts(report):
    wh, wb, values, blocks = report
    nat = wh.sql("select year, indicator_code, value from mart_national where sector = 'TOTAL'")
    nat = {(r.indicator_code, r.year): r.value for r in nat.itertuples()}
    reg = wh.sql("select region_code, year, indicator_code, value, numerator, denominator from mart_region "
                 "where province_view = '34' and sector = 'TOTAL'")
    reg = {(r.region_code, r.indicator_code, r.year): r for r in reg.itertuples()}
    checked = 0
    for b in (b for b in blocks if b.grouping == "region" and b.kind == "value"):
        ws, wv = wb[b.sheet], values[b.sheet]
        for j, year in enumerate(b.years):
            col = b.first_col + j
            assert ws.cell(b.total_row + 1, col + 1).value == \
                f"=SUM({xl_rowcol_to_cell(b.first_row, col)}:{xl_rowcol_to_cell(b.total_row - 1, col)})"
            expected = nat.get((b.indicator, year))
            if expected is not None:
                assert wv.cell(b.total_row + 1, col + 1).value == pytest.approx(expected, rel=1e-12)
                checked += 1
            for i, key in enumerate(b.keys):
                got = wv.cell(b.first_row + i + 1, col + 1).value
                row = reg.get((key, b.indicator, year))
                if row is None:
                    assert got is None  # not reported: a blank cell, never 0
                else:
                    assert got == pytest.approx(row.value, rel=1e-12)
    assert checked > 100


def test_percentages_are_formulas_over_their_numerator_and_denominator(report):
    wh, wb, values, blocks = report
    by_key = {(b.sheet, b.indicator, b.grouping, b.kind): b for b in blocks}
    ratios = [b for b in blocks if b.kind == "ratio"]
    assert {b.indicator for b in ratios} >= {"card_share", "card_missing_share", "kpcd_retained_share"}
    nat = wh.sql("select year, indicator_code, value from mart_national where sector = 'TOTAL'")
    nat = {(r.indicator_code, r.year): r.value for r in nat.itertuples()}
    for b in ratios:
        num = by_key[(b.sheet, b.indicator, b.grouping, "numerator")]
        den = by_key[(b.sheet, b.indicator, b.grouping, "denominator")]
        ws, wv = wb[b.sheet], values[b.sheet]
        for i in range(len(b.keys) + 1):  # every row and the total row
            nrow = num.first_row + i if i < len(b.keys) else num.total_row
            drow = den.first_row + i if i < len(b.keys) else den.total_row
            for j in range(len(b.years)):
                col = b.first_col + j
                formula = ws.cell(b.first_row + i + 1, col + 1).value
                n_cell, d_cell = xl_rowcol_to_cell(nrow, col), xl_rowcol_to_cell(drow, col)
                assert re.fullmatch(rf'=IF\(N\({d_cell}\)=0,"",{n_cell}/{d_cell}\*(100|1)\)', formula), formula
        if b.grouping == "region":
            for j, year in enumerate(b.years):
                got = wv.cell(b.total_row + 1, b.first_col + j + 1).value
                assert got == pytest.approx(nat[(b.indicator, year)], rel=1e-9)


def test_province_tables_equal_the_34_mart(report):
    wh, _, values, blocks = report
    p34 = wh.sql("select '34:' || province_code as k, year, indicator_code, value from mart_province_34 "
                 "where sector = 'TOTAL'")
    p34 = {(r.k, r.indicator_code, r.year): r.value for r in p34.itertuples()}
    b = next(b for b in blocks if b.grouping == "province34" and b.indicator == "member_end")
    wv = values[b.sheet]
    for i, key in enumerate(b.keys):
        for j, year in enumerate(b.years):
            assert wv.cell(b.first_row + i + 1, b.first_col + j + 1).value == p34[(key, "member_end", year)]


def test_text_and_unit_sheets(report):
    wh, wb, _, _ = report
    texts = wb["Ý kiến, kiến nghị"]
    n = wh.sql("select count(*) n from mart_text where round_code = 'TK2020'").n[0]
    assert texts.max_row - 3 == n
    units = wb["Đơn vị báo cáo"]
    assert units.max_row - 3 == len(wh.query("round_status").query("round_code == 'TK2020'"))


def test_region_filter_limits_the_rows(demo_warehouse, tmp_path):
    wh = Warehouse(demo_warehouse[0])
    _, blocks = build_report(wh, ReportOptions("N2025", region="DNB"), tmp_path / "dnb.xlsx")
    assert {k for b in blocks if b.grouping == "region" for k in b.keys} == {"DNB"}
