"""HTML tables: every cell as the page formatted it, missing cells blank, rows marked (core.tables)."""
import re

import pandas as pd
import pytest

from core.tables import html_table

CASES = [  # (columns → values of one row, the cells expected)
    ({"Tỉnh": "Hà Nội", "Số": "1.234"}, ["Hà Nội", "1.234"]),
    ({"Năm": 2024, "Tỷ lệ": 12.5}, ["2024", "12.5"]),  # an int beside a float stays an int
    ({"Tỉnh": None, "Số": float("nan")}, ["", ""]),  # missing is blank, never 'nan' or 'None'
    ({"Tỉnh": pd.NA, "Số": "—"}, ["", "—"]),
    ({"Tên": "<b>A & B</b>", "Số": "1"}, ["&lt;b&gt;A &amp; B&lt;/b&gt;", "1"]),  # text is escaped
]


@pytest.mark.parametrize("row, cells", CASES)
def test_cells(row, cells):
    out = html_table(pd.DataFrame([row]), numeric={"Số"})
    assert re.findall(r"<td class='[^']*'>(.*?)</td>", out.split("<tbody>")[1]) == cells


def test_classes_selected_total_and_key_columns():
    df = pd.DataFrame({"Tỉnh": ["A", "B", "Tổng"], "Số": ["1", "2", "3"]})
    out = html_table(df, numeric={"Số"}, selected=[False, True, False], total_last=True)
    rows = out.split("<tbody>")[1].split("</tr>")[:-1]
    assert rows[0].startswith("<tr class=''>") and rows[1].startswith("<tr class='sel'>")
    assert rows[2].startswith("<tr class='total'>")
    assert "<td class='txt key'>A</td><td class='num'>1</td>" in rows[0]


def test_empty_table_has_headers_only():
    out = html_table(pd.DataFrame({"Tỉnh": [], "Số": []}), numeric={"Số"})
    assert "<th class='txt key'>Tỉnh</th>" in out and "<tbody></tbody>" in out
