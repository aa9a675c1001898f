"""etl/validate.py and etl/rules.py on in-memory rows: one row per case, with the rule and cell it must report."""
import pytest

from core.refdata import TOTAL
from etl.read import Parsed, RawRating, RawText, RawValue
from etl.rules import UnitFigures, assess, diff
from etl.validate import validate

UNIT, ROUND = "LDLD63_38", "N2021"


def _parsed(values=(), ratings=(), texts=(), unit=UNIT, rnd=ROUND) -> Parsed:
    p = Parsed(name="t.xlsx", unit_code=unit, unit_cell=("_meta", "B2"), round_code=rnd)
    for i, (code, sector, raw) in enumerate(values):
        p.values.append(RawValue(code, sector, 2021, raw, "S", f"F{i + 5}", f"A{i + 5}", f"B{i + 5}"))
    for i, (level, raw) in enumerate(ratings):
        p.ratings.append(RawRating(2021, level, raw, "R", f"F{i + 5}", f"E{i + 5}"))
    for i, (q, text) in enumerate(texts):
        p.texts.append(RawText(q, text, "T", f"E{i + 5}"))
    return p


CELL_CASES = [
    # (case, parsed, rule or None, cell)
    ("a count", _parsed([("member_end", TOTAL, "1.234")]), None, ""),
    ("a negative count", _parsed([("member_end", TOTAL, -3.0)]), "negative", "F5"),
    ("a fraction of a person", _parsed([("member_end", TOTAL, 12.5)]), "not_integer", "F5"),
    ("a percent in a head count", _parsed([("member_end", TOTAL, "85%")]), "percent_not_allowed", "F5"),
    ("an Excel error", _parsed([("member_end", TOTAL, "#N/A")]), "excel_error", "F5"),
    ("beyond the range", _parsed([("member_end", TOTAL, 9e9)]), "out_of_range", "F5"),
    ("ambiguous money", _parsed([("kpcd_collected", TOTAL, "12,500")]), "ambiguous_number", "F5"),
    ("unknown indicator", _parsed([("member_xyz", TOTAL, 1.0)]), "unknown_indicator", "A5"),
    ("computed indicator", _parsed([("card_share", TOTAL, 1.0)]), "unknown_indicator", "A5"),
    ("unknown sector", _parsed([("member_end", "ZZZ", 1.0)]), "unknown_sector", "B5"),
    ("sector on a total-only indicator", _parsed([("member_female", "FDI", 1.0)]), "sector_not_allowed", "B5"),
    ("the same cell twice, same value", _parsed([("member_end", TOTAL, "1.000"), ("member_end", TOTAL, 1000.0)]),
     "duplicate_same", "F6"),
    ("the same cell twice, other value", _parsed([("member_end", TOTAL, 1000.0), ("member_end", TOTAL, 1001.0)]),
     "duplicate_conflict", "F6"),
    ("a level of another scheme", _parsed(ratings=[("Vững mạnh", 3.0)]), "rating_wrong_scheme", "E5"),
    ("an unknown level", _parsed(ratings=[("Rất tốt", 3.0)]), "unknown_rating_level", "E5"),
    ("an unknown question", _parsed(texts=[("II.9", "x")]), "unknown_question", "E5"),
    ("a long answer", _parsed(texts=[("II.5", "x" * 6000)]), "text_too_long", "E5"),
    ("an inactive unit", _parsed([("member_end", TOTAL, 1.0)], unit="LDLD34_38"), "unit_inactive", "B2"),
    ("nothing in the file", _parsed(), "empty_submission", ""),
]


@pytest.mark.parametrize("case, parsed, rule, cell", CELL_CASES, ids=[c[0] for c in CELL_CASES])
def test_cells(case, parsed, rule, cell, ref):
    clean = validate(parsed, ref)
    if rule is None:
        assert parsed.findings == [] and clean.values
        return
    got = [f for f in parsed.findings if f.rule == rule]
    assert got, [f.rule for f in parsed.findings]
    assert got[0].cell == cell and got[0].message and got[0].fix


def test_marks_become_deletions_and_missing_cells(ref):
    clean = validate(_parsed([("member_end", TOTAL, "xóa"), ("member_female", TOTAL, "-")], texts=[("II.5", "XOÁ")]), ref)
    assert clean.values == [(UNIT, 2021, TOTAL, "member_end", None, True, "S", "F5")]
    assert clean.missing == [(("member_female", TOTAL, 2021), "-", "S", "F6")]
    assert clean.texts == [(UNIT, ROUND, "II.5", None, True, "T", "E5")]


def _figures(**values) -> UnitFigures:
    return UnitFigures(values={(k, TOTAL, 2021): float(v) for k, v in values.items()})


RULE_CASES = [
    # (case, file rows, figures in force, rule or None, cell of the finding)
    ("cards above members in the file", [("card_holders", TOTAL, 11.0), ("member_end", TOTAL, 10.0)], {}, "card_le_members", "F5"),
    ("cards above the members in force", [("card_holders", TOTAL, 11.0)], {"member_end": 10}, "card_le_members", "F5"),
    ("members below the cards in force", [("member_end", TOTAL, 10.0)], {"card_holders": 11}, "card_le_members", "F5"),
    ("both in force, file unrelated", [("cdcs_new", TOTAL, 1.0)], {"card_holders": 11, "member_end": 10}, None, ""),
    ("women above members", [("member_female", TOTAL, 11.0)], {"member_end": 10}, "member_female_le_total", "F5"),
    ("a big jump from last year", [("member_end", TOTAL, 100.0)], {}, None, ""),
]


@pytest.mark.parametrize("case, rows, current, rule, cell", RULE_CASES, ids=[c[0] for c in RULE_CASES])
def test_rules_on_the_figures_after_the_file(case, rows, current, rule, cell, ref):
    parsed = _parsed(rows)
    clean = validate(parsed, ref)
    assert not parsed.has_errors
    found = assess(clean, _figures(**current), ref, "t.xlsx")
    if rule is None:
        assert [f for f in found if f.severity == "error"] == []
        return
    got = [f for f in found if f.rule == rule]
    assert got and got[0].cell == cell
    assert "10" in got[0].expected + got[0].value and "11" in got[0].value + got[0].expected


def test_year_on_year_against_the_previous_year_in_force(ref):
    clean = validate(_parsed([("member_end", TOTAL, 200.0)]), ref)
    current = UnitFigures(values={("member_end", TOTAL, 2020): 100.0})
    (f,) = [f for f in assess(clean, current, ref, "t") if f.rule == "member_end_yoy"]
    assert (f.severity, f.cell) == ("warning", "F5") and "100 (2020) → 200 (2021)" in f.value


def test_sector_rows_in_force_count_against_a_new_total(ref):
    clean = validate(_parsed([("member_end", TOTAL, 100.0)]), ref)
    parts = {("member_end", s, 2021): 20.0 for s in ref.sector_codes}
    (f,) = [f for f in assess(clean, UnitFigures(values=parts), ref, "t") if f.rule == "sector_sum"]
    assert f.cell == "F5" and f.value.startswith("140") and "7/7 khu vực" in f.value


def test_the_change_set(ref):
    clean = validate(_parsed([("member_end", TOTAL, 110.0), ("member_female", TOTAL, 5.0), ("cdcs_new", TOTAL, "xóa"),
                              ("cdcs_total", TOTAL, 3.0)]), ref)
    changes = diff(clean, _figures(member_end=100, member_female=5, cdcs_new=2))
    assert changes.counts == {"new": 1, "changed": 1, "removed": 1, "unchanged": 1}
    big = {c.key[0]: c.large for c in changes.items}
    assert big == {"member_end": False, "member_female": False, "cdcs_new": True, "cdcs_total": False}
    assert diff(clean, _figures(member_end=50)).items[0].large  # +120 % is beyond the highlight threshold


def test_a_sector_sum_points_at_the_sector_row_the_file_changed(ref):
    rows = [("member_end", TOTAL, 100.0)] + [("member_end", s, 10.0) for s in ref.sector_codes]
    rows[3] = ("member_end", rows[3][1], 13.0)  # one sector row changed against the figures in force
    clean = validate(_parsed(rows), ref)
    current = {("member_end", s, 2021): 10.0 for s in ref.sector_codes} | {("member_end", TOTAL, 2021): 70.0}
    (f,) = [f for f in assess(clean, UnitFigures(values=current), ref, "t") if f.rule == "sector_sum"]
    assert f.cell == "F8"  # the changed sector row, not the total at F5
    # with nothing in force every row is new: the total is named
    (g,) = [f for f in assess(clean, UnitFigures(), ref, "t") if f.rule == "sector_sum"]
    assert g.cell == "F5"


ITEM_CASES = [  # (case, parsed, rule, what the finding says the cell holds)
    ("a value cell", _parsed([("member_end", TOTAL, -3.0)]), "negative", "Đoàn viên cuối kỳ — năm 2021"),
    ("a sector row", _parsed([("member_end", "FDI", "#N/A")]), "excel_error",
     "Đoàn viên cuối kỳ — Doanh nghiệp có vốn đầu tư nước ngoài — năm 2021"),
    ("a rating cell", _parsed(ratings=[("Vững mạnh", 3.0)]), "rating_wrong_scheme", "Xếp loại: Vững mạnh — năm 2021"),
    ("an unknown code has no name", _parsed([("member_xyz", TOTAL, 1.0)]), "unknown_indicator", ""),
]


@pytest.mark.parametrize("case, parsed, rule, item", ITEM_CASES, ids=[c[0] for c in ITEM_CASES])
def test_a_finding_names_what_its_cell_holds(case, parsed, rule, item, ref):
    """Cells are named only for the findings that point at them (not for every cell read)."""
    validate(parsed, ref)
    assert [f.item for f in parsed.findings if f.rule == rule][:1] == [item]
