"""Validating a parsed submission cell by cell: unit and round, codes, sectors, conflicts, numbers, ranges.

The same checks whatever the file type (workbook or CSV). Cross-field and year-on-year rules need the
unit's current values as well and live in etl/rules.py. Errors block the whole file; warnings let it load.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from core.numbers import DELETE, INT, MISSING, Bad, mark, settle
from core.numbers import parse as parse_number
from core.refdata import TOTAL, Reference
from core.text import fold
from etl.findings import WARNING, fmt, label_cells
from etl.read import Parsed

MAX_TEXT = 5000
EXCEL_CELL_CHARS = 32_767  # the most an Excel cell holds: anything longer did not come from Excel
RATING_MAX = 50_000  # CĐCS of one level reported by one unit in one year

# Rows of a clean file (tuples in this order). value/text is None for a deletion mark ("xóa").
VALUE_COLUMNS = ["unit_code", "year", "sector", "indicator_code", "value", "is_deleted", "sheet", "cell"]
RATING_COLUMNS = ["unit_code", "year", "scheme", "level_code", "cdcs_count", "is_deleted", "sheet", "cell"]
TEXT_COLUMNS = ["unit_code", "round_code", "question_code", "text", "is_deleted", "sheet", "cell"]


@dataclass
class Clean:
    """The accepted content of one file as rows, with their source cell, and the cells marked 'no figure'."""

    values: list[tuple] = field(default_factory=list)
    ratings: list[tuple] = field(default_factory=list)
    texts: list[tuple] = field(default_factory=list)
    missing: list[tuple] = field(default_factory=list)  # ((indicator, sector, year), mark, sheet, cell) of "-"/"x" cells
    convention: str | None = None  # the number convention the file settled, when it was needed

    @property
    def row_count(self) -> int:
        return len(self.values) + len(self.ratings) + len(self.texts)


def validate(parsed: Parsed, ref: Reference) -> Clean:
    """Check a parsed file, appending findings to it; the clean rows are meaningful only without errors."""
    clean = Clean()
    if parsed.has_errors and not (parsed.values or parsed.ratings or parsed.texts):
        return clean
    unit = parsed.unit_code
    sheet_u, cell_u = parsed.unit_cell
    if unit is None or unit not in ref.units.index:
        if unit is not None or not any(f.rule in ("unknown_unit", "csv_multi_unit") for f in parsed.findings):
            parsed.add("unknown_unit", sheet=sheet_u, cell=cell_u, value=(unit or "")[:80])
        return clean
    if parsed.round_code is None or parsed.round_code not in ref.rounds.index:
        if not any(f.rule in ("unknown_round", "csv_round") for f in parsed.findings):
            parsed.add("unknown_round", sheet=sheet_u, value=(parsed.round_code or "")[:40])
        return clean
    years = ref.round_years(parsed.round_code)
    for year in sorted({v.year for v in parsed.values} | {r.year for r in parsed.ratings} | {years[-1]}):
        if not ref.unit_active(unit, year):
            parsed.add("unit_inactive", sheet=sheet_u, cell=cell_u, value=unit, expected=str(year))
            return clean
    convention = settle([v.raw for v in parsed.values] + [r.raw for r in parsed.ratings])
    _numbers(parsed, ref, clean, unit, convention)
    _ratings(parsed, ref, clean, unit, convention)
    _texts(parsed, ref, clean, unit)
    if clean.row_count == 0 and not clean.missing and not parsed.has_errors:
        parsed.add("empty_submission")
    if any(not f.item and f.cell for f in parsed.findings):
        label_cells(parsed.findings, _cell_items(parsed, ref, {(f.sheet, f.cell) for f in parsed.findings}))
    return clean


def _cell_items(parsed: Parsed, ref: Reference, wanted: set[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """(sheet, cell) -> what the cell holds in Vietnamese, for the `wanted` cells read (faulty ones included)."""
    out = {}
    for v in parsed.values:
        if (v.sheet, v.cell) in wanted:
            out[(v.sheet, v.cell)] = ref.item_label("value", (v.indicator_code, v.sector, v.year))
    for r in parsed.ratings:
        out[(r.sheet, r.cell)] = out[(r.sheet, r.level_cell)] = f"Xếp loại: {r.level[:80]} — năm {r.year}"
    for t in parsed.texts:
        if (t.sheet, t.cell) in wanted:
            out[(t.sheet, t.cell)] = ref.item_label("text", (parsed.round_code, t.question_code))
    return out


def _number(parsed: Parsed, raw, sheet: str, cell: str, value_type: str, lo: float, hi: float, convention):
    """The value of a cell, MISSING, DELETE, or None after adding the finding that refuses it."""
    got = parse_number(raw, value_type, convention)
    if got is MISSING or got is DELETE:
        return got
    if isinstance(got, Bad):
        expected = " hoặc ".join(fmt(r) for r in got.readings) if got.rule == "ambiguous_number" else ""
        shown = fmt(raw) if isinstance(raw, float) and got.rule == "not_integer" else got.text[:60]
        parsed.add(got.rule, sheet=sheet, cell=cell, value=shown, expected=expected)
        return None
    if got < 0:
        parsed.add("negative", sheet=sheet, cell=cell, value=fmt(got), expected="≥ 0")
        return None
    if not lo <= got <= hi:
        parsed.add("out_of_range", sheet=sheet, cell=cell, value=fmt(got), expected=f"{fmt(lo)}–{fmt(hi)}")
        return None
    return got


def _conflict(parsed: Parsed, seen: dict, key, value, sheet: str, cell: str, label) -> bool:
    """True when the key was already given in this file: an error if the values differ, a warning if not.

    label: a function giving the key and value as the message shows them (called only for a duplicate)."""
    if key not in seen:
        seen[key] = (value, sheet, cell)
        return False
    first_value, first_sheet, first_cell = seen[key]
    where = f"{first_sheet}!{first_cell}" if first_sheet else first_cell
    label = label()
    if first_value == value:
        parsed.add("duplicate_same", WARNING, sheet=sheet, cell=cell, value=label, expected=where)
    else:
        parsed.add("duplicate_conflict", sheet=sheet, cell=cell, value=label, expected=where)
    return True


def _shown(value) -> str:
    if value is DELETE:
        return "xóa"
    return "không có số liệu" if value is MISSING else fmt(value)


def _numbers(parsed: Parsed, ref: Reference, clean: Clean, unit: str, convention) -> None:
    inds = ref.indicator_meta
    sectors = set(ref.sector_codes)
    seen: dict = {}
    bad_rows: set = set()
    used_convention = False
    for v in parsed.values:
        ind = inds.get(v.indicator_code)
        if ind is None or not ind["is_input"]:
            if (v.sheet, v.code_cell) not in bad_rows:
                bad_rows.add((v.sheet, v.code_cell))
                parsed.add("unknown_indicator", sheet=v.sheet, cell=v.code_cell, value=v.indicator_code[:60])
            continue
        if v.sector != TOTAL and (v.sector not in sectors or not ind["by_sector"]):
            if (v.sheet, v.sector_cell) not in bad_rows:
                bad_rows.add((v.sheet, v.sector_cell))
                if v.sector not in sectors:
                    parsed.add("unknown_sector", sheet=v.sheet, cell=v.sector_cell, value=v.sector[:40],
                               expected=", ".join(ref.sector_codes))
                else:
                    parsed.add("sector_not_allowed", sheet=v.sheet, cell=v.sector_cell, value=v.sector)
            continue
        value = _number(parsed, v.raw, v.sheet, v.cell, ind["value_type"], ind["min"], ind["max"], convention)
        if value is None:
            continue
        key = (v.indicator_code, v.sector, v.year)
        def label(v=v, value=value):
            return f"{v.indicator_code}{'' if v.sector == TOTAL else '/' + v.sector}/{v.year} = {_shown(value)}"
        if _conflict(parsed, seen, key, value, v.sheet, v.cell, label):
            continue
        if value is MISSING:
            clean.missing.append((key, str(v.raw), v.sheet, v.cell))
        elif value is DELETE:
            clean.values.append((unit, v.year, v.sector, v.indicator_code, None, True, v.sheet, v.cell))
        else:
            used_convention |= convention is not None and isinstance(v.raw, str) and ind["value_type"] != INT
            clean.values.append((unit, v.year, v.sector, v.indicator_code, value, False, v.sheet, v.cell))
    if used_convention:
        clean.convention = convention


def _ratings(parsed: Parsed, ref: Reference, clean: Clean, unit: str, convention) -> None:
    seen: dict = {}
    for r in parsed.ratings:
        codes = ref.level_by_label.get(fold(r.level), [])
        if not codes:
            parsed.add("unknown_rating_level", sheet=r.sheet, cell=r.level_cell, value=r.level[:60])
            continue
        scheme = ref.scheme_for_year(r.year)
        matching = [c for c in codes if ref.level_scheme[c] == scheme]
        if not matching:
            parsed.add("rating_wrong_scheme", sheet=r.sheet, cell=r.level_cell, value=r.level[:60],
                       expected=f"năm {r.year}: {ref.scheme_labels[scheme]}")
            continue
        count = _number(parsed, r.raw, r.sheet, r.cell, INT, 0, RATING_MAX, convention)
        if count is None or count is MISSING:
            continue
        if _conflict(parsed, seen, (r.year, matching[0]), count, r.sheet, r.cell,
                     lambda r=r, count=count: f"{r.level}/{r.year} = {_shown(count)}"):
            continue
        deleted = count is DELETE
        clean.ratings.append((unit, r.year, scheme, matching[0], None if deleted else count, deleted, r.sheet, r.cell))


def _texts(parsed: Parsed, ref: Reference, clean: Clean, unit: str) -> None:
    seen: dict = {}
    questions = ref.text_questions.index
    for t in parsed.texts:
        if t.question_code not in questions:
            parsed.add("unknown_question", sheet=t.sheet, cell=t.cell, value=t.question_code[:60])
            continue
        if len(t.text) > EXCEL_CELL_CHARS:
            parsed.add("text_over_limit", sheet=t.sheet, cell=t.cell, value=f"{len(t.text):,}".replace(",", "."),
                       expected=f"{EXCEL_CELL_CHARS:,}".replace(",", "."))
            continue
        if len(t.text) > MAX_TEXT:
            parsed.add("text_too_long", WARNING, sheet=t.sheet, cell=t.cell, value=f"{len(t.text):,}".replace(",", "."),
                       expected=str(MAX_TEXT))
        marked = mark(t.text)
        if marked is MISSING:
            continue
        deleted = marked is DELETE
        if _conflict(parsed, seen, t.question_code, t.text, t.sheet, t.cell, lambda t=t: t.question_code):
            continue
        clean.texts.append((unit, parsed.round_code, t.question_code, None if deleted else t.text, deleted, t.sheet, t.cell))
