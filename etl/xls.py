"""Reading a legacy .xls (Excel 97-2003) into the same sparse sheets as etl/xlsx.py.

xlrd reports error cells and booleans as such (calamine turns error cells into blanks); a BIFF sheet is at
most 65,536 × 256 cells, and only cells inside the limits' area are kept. Formulas in .xls always carry
their computed value, so there is no "formula without a value" here.
"""
from __future__ import annotations

import math

from core.numbers import ExcelError
from core.text import a1
from etl.xlsx import Cell, Limits, Sheet, XlsxError, date_serial


def read_xls(data: bytes, limits: Limits = Limits()) -> list[Sheet]:
    """The sheets of an .xls in workbook order; raises XlsxError when the file cannot be read."""
    import xlrd
    from xlrd.biffh import error_text_from_code

    try:
        book = xlrd.open_workbook(file_contents=data, on_demand=True, logfile=_Quiet(), verbosity=0)
    except Exception as exc:  # xlrd raises XLRDError, CompDocError, struct.error, AssertionError … for damage
        raise XlsxError("unreadable_xls", type(exc).__name__) from exc
    out = []
    try:
        for index, name in enumerate(book.sheet_names()):
            try:
                ws = book.sheet_by_index(index)
            except Exception as exc:
                raise XlsxError("unreadable_xls", type(exc).__name__, sheet=name) from exc
            sheet = Sheet(name)
            for r in range(ws.nrows):
                row_types, row_values = ws.row_types(r), ws.row_values(r)
                for c, (kind, value) in enumerate(zip(row_types, row_values)):
                    if kind in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
                        continue
                    if r >= limits.max_row or c >= limits.max_col:
                        if sheet.outside == 0:
                            sheet.first_outside = a1(r, c)
                        sheet.outside += 1
                        continue
                    if kind == xlrd.XL_CELL_ERROR:
                        value = ExcelError(error_text_from_code.get(value, "#?"))
                    elif kind == xlrd.XL_CELL_BOOLEAN:
                        value = bool(value)
                    elif kind == xlrd.XL_CELL_DATE:
                        value = date_serial(value)
                    elif kind == xlrd.XL_CELL_NUMBER and not math.isfinite(value):
                        value = str(value)
                    elif kind == xlrd.XL_CELL_TEXT and value == "":
                        continue
                    sheet.cells[(r, c)] = Cell(value)
            book.unload_sheet(index)
            out.append(sheet)
    finally:
        book.release_resources()
    return out


class _Quiet:
    """xlrd writes warnings to a log file; they are not the user's business."""

    def write(self, *_):
        return 0
