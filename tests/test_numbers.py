"""The number grammar (core/numbers.py): one row per case, each with its documented outcome.

The table is the one README "Cách viết số" and the template's instructions sheet describe.
"""
import pytest

from core.numbers import DELETE, EN, INT, MISSING, PCT, VI, DECIMAL, Bad, ExcelError, evidence, parse, settle

# (raw cell, value type, convention the file settled, expected value or the rule of the refusal)
CASES = [
    # head counts: integers only, thousands separators between groups of exactly three digits
    ("1234567", INT, None, 1234567),
    ("1.234.567", INT, None, 1234567),
    ("1,234,567", INT, None, 1234567),
    ("1 234 567", INT, None, 1234567),
    ("1\u00a0234\u00a0567", INT, None, 1234567),  # no-break spaces from Excel
    ("12,500", INT, None, 12500),
    ("1.234", INT, None, 1234),
    ("12 5", INT, None, "bad_grouping"),
    ("1.23.4", INT, None, "bad_grouping"),
    ("1.234,567", INT, None, "not_integer"),  # mixed separators: a fraction in a head count
    ("12,5", INT, None, "not_integer"),
    ("1.5", INT, None, "not_integer"),
    ("85%", INT, None, "percent_not_allowed"),
    ("85", INT, None, 85),
    (85.0, INT, None, 85),
    (85.5, INT, None, "not_integer"),
    ("-12", INT, None, -12),  # the sign is kept; the range rule refuses it with its value
    ("mười", INT, None, "not_a_number"),
    ("1e308", INT, None, "not_a_number"),
    ("inf", INT, None, "not_a_number"),
    (float("inf"), INT, None, "not_a_number"),
    (True, INT, None, "not_a_number"),
    # money (triệu đồng): forms both conventions read differently are ambiguous unless the file settled one
    ("0,125", DECIMAL, None, "ambiguous_number"),
    ("0.125", DECIMAL, None, "ambiguous_number"),
    ("12,500", DECIMAL, None, "ambiguous_number"),
    ("1.234", DECIMAL, None, "ambiguous_number"),
    ("0,125", DECIMAL, VI, 0.125),
    ("0.125", DECIMAL, VI, 125),
    ("12,500", DECIMAL, EN, 12500),
    ("1.234", DECIMAL, EN, 1.234),
    ("12,5", DECIMAL, None, 12.5),
    ("12.5", DECIMAL, None, 12.5),
    ("1.234.567,5", DECIMAL, None, 1234567.5),
    ("1,234,567.5", DECIMAL, None, 1234567.5),
    ("1 234,5", DECIMAL, None, 1234.5),
    ("1234,567", DECIMAL, None, 1234.567),  # "1234" cannot be a thousands group
    ("1234", DECIMAL, None, 1234),
    ("12 5", DECIMAL, None, "bad_grouping"),
    ("85%", DECIMAL, None, "percent_not_allowed"),
    ("85%", PCT, None, 85),
    ("12,5 %", PCT, None, 12.5),
    (0.125, DECIMAL, None, 0.125),
    # marks: missing mentions nothing, "xóa" deletes; Excel errors are errors
    ("", DECIMAL, None, MISSING),
    ("-", INT, None, MISSING),
    ("x", INT, None, MISSING),
    ("N/A", INT, None, MISSING),
    (None, INT, None, MISSING),
    ("xóa", INT, None, DELETE),
    ("XOÁ", DECIMAL, None, DELETE),
    ("Xoa", INT, None, DELETE),
    ("#DIV/0!", INT, None, "excel_error"),
    ("#N/A", DECIMAL, None, "excel_error"),
    (ExcelError("#VALUE!"), INT, None, "excel_error"),
]


@pytest.mark.parametrize("raw, value_type, convention, expected", CASES)
def test_parse(raw, value_type, convention, expected):
    got = parse(raw, value_type, convention)
    if isinstance(expected, str):
        assert isinstance(got, Bad) and got.rule == expected
    elif expected in (MISSING, DELETE):
        assert got is expected
    else:
        assert got == pytest.approx(expected)


@pytest.mark.parametrize("raw, expected", [
    ("12,5", VI), ("1.234.567", VI), ("1.234,5", VI), ("1 234,5", VI),
    ("12.5", EN), ("1,234,567", EN), ("1,234.5", EN),
    ("1.234", None), ("0,125", None), ("1234", None), ("1 234", None), (12.5, None), ("abc", None),
])
def test_evidence(raw, expected):
    assert evidence(raw) == expected


@pytest.mark.parametrize("cells, expected", [
    (["12,5", "1.234"], VI),
    (["12.5", "1,234"], EN),
    (["12,5", "12.5"], None),  # contradicting evidence settles nothing
    (["1.234", "0,125"], None),
    ([], None),
])
def test_settle(cells, expected):
    assert settle(cells) == expected


def test_ambiguous_refusal_carries_both_readings():
    got = parse("12,500", DECIMAL)
    assert got.readings == (12.5, 12500.0)
