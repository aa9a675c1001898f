"""Validating a parsed submission: types, ranges, schemes and the cross-field rules of rules.csv.

Errors block the whole file; warnings let it load, flagged. Returns clean long tables ready to load.
"""
from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Callable

from core.refdata import TOTAL, Reference
from core.text import NotANumber, fold, parse_number
from etl.findings import ERROR, WARNING, Finding
from etl.read import Parsed

MAX_TEXT = 5000
# (unit_code, indicator_code, year) -> value already in the warehouse, for year-on-year rules
PriorLookup = Callable[[str, str, int], float | None]


VALUE_COLUMNS = ["unit_code", "year", "sector", "indicator_code", "value", "sheet", "cell"]
RATING_COLUMNS = ["unit_code", "year", "scheme", "level_code", "cdcs_count", "sheet", "cell"]
TEXT_COLUMNS = ["unit_code", "round_code", "question_code", "text", "sheet", "cell"]


@dataclass
class Clean:
    """The accepted content of one file as rows (tuples in the *_COLUMNS order), with their source cell."""

    values: list[tuple] = field(default_factory=list)
    ratings: list[tuple] = field(default_factory=list)
    texts: list[tuple] = field(default_factory=list)

    @property
    def row_count(self) -> int:
        return len(self.values) + len(self.ratings) + len(self.texts)


def _fmt(v: float) -> str:
    """A number as users write it: 1.234.567 or 12,5."""
    if float(v).is_integer():
        return f"{int(v):,}".replace(",", ".")
    return f"{v:,.2f}".replace(",", "X").replace(".", ",").replace("X", ".")


def validate(parsed: Parsed, ref: Reference) -> Clean:
    """Check a parsed file, appending findings to it; the clean rows are meaningful only without errors."""
    clean = Clean()
    if parsed.has_errors and not (parsed.values or parsed.ratings or parsed.texts):
        return clean
    unit = parsed.unit_code
    sheet_u, cell_u = parsed.unit_cell
    if unit is None or unit not in ref.units.index:
        if unit is not None or not any(f.rule in ("unknown_unit", "csv_multi_unit") for f in parsed.findings):
            parsed.add("unknown_unit", sheet=sheet_u, cell=cell_u, value=unit or "")
        return clean
    if parsed.round_code is None or parsed.round_code not in ref.rounds.index:
        if not any(f.rule in ("unknown_round", "csv_round") for f in parsed.findings):
            parsed.add("unknown_round", sheet=sheet_u, value=parsed.round_code or "")
        return clean
    years = ref.round_years(parsed.round_code)
    for year in sorted({v.year for v in parsed.values} | {r.year for r in parsed.ratings} | {years[-1]}):
        if not ref.unit_active(unit, year):
            parsed.add("unit_inactive", sheet=sheet_u, cell=cell_u, value=unit, expected=str(year))
            return clean

    values = _numbers(parsed, ref)
    ratings = _ratings(parsed, ref)
    texts = _texts(parsed, ref)
    if not values and not ratings and not texts and not parsed.has_errors:
        parsed.add("empty_submission")
    _sector_sums(parsed, ref, values)
    _rules(parsed, ref, values, ratings)
    clean.values = [(unit, y, sec, c, v, sheet, cell) for (c, sec, y), (v, sheet, cell) in values.items()]
    clean.ratings = [(unit, y, ref.level_scheme[lv], lv, v, sheet, cell) for (y, lv), (v, sheet, cell) in ratings.items()]
    clean.texts = [(unit, parsed.round_code, q, t, sheet, cell) for q, (t, sheet, cell) in texts.items()]
    return clean


def _number(parsed: Parsed, raw, sheet: str, cell: str, is_int: bool, lo: float, hi: float) -> float | None:
    try:
        value = parse_number(raw)
    except NotANumber:
        parsed.add("not_a_number", sheet=sheet, cell=cell, value=str(raw))
        return None
    if value is None:
        return None
    if value < 0:
        parsed.add("negative", sheet=sheet, cell=cell, value=_fmt(value), expected="≥ 0")
        return None
    if is_int and not float(value).is_integer():
        parsed.add("not_integer", sheet=sheet, cell=cell, value=_fmt(value), expected="số nguyên")
        return None
    if not lo <= value <= hi:
        parsed.add("out_of_range", sheet=sheet, cell=cell, value=_fmt(value), expected=f"{_fmt(lo)}–{_fmt(hi)}")
        return None
    return value


def _numbers(parsed: Parsed, ref: Reference) -> dict:
    inds = ref.indicator_meta
    out = {}
    for v in parsed.values:
        ind = inds[v.indicator_code]
        value = _number(parsed, v.raw, v.sheet, v.cell, ind["value_type"] == "int", ind["min"], ind["max"])
        if value is not None:
            out[(v.indicator_code, v.sector, v.year)] = (value, v.sheet, v.cell)
    return out


def _ratings(parsed: Parsed, ref: Reference) -> dict:
    out: dict = {}
    for r in parsed.ratings:
        codes = ref.level_by_label.get(fold(r.level), [])
        if not codes:
            parsed.add("unknown_rating_level", sheet=r.sheet, cell=r.level_cell, value=r.level)
            continue
        scheme = ref.scheme_for_year(r.year)
        matching = [c for c in codes if ref.level_scheme[c] == scheme]
        if not matching:
            parsed.add("rating_wrong_scheme", sheet=r.sheet, cell=r.level_cell, value=r.level,
                       expected=f"năm {r.year}: {ref.scheme_labels[scheme]}")
            continue
        count = _number(parsed, r.raw, r.sheet, r.cell, True, 0, 50000)
        if count is None:
            continue
        key = (r.year, matching[0])
        if key in out:
            parsed.add("duplicate_row", sheet=r.sheet, cell=r.level_cell, value=f"{r.level}/{r.year}", expected=out[key][2])
            continue
        out[key] = (count, r.sheet, r.cell)
    return out


def _texts(parsed: Parsed, ref: Reference) -> dict:
    out = {}
    for t in parsed.texts:
        if t.question_code not in ref.text_questions.index:
            parsed.add("unknown_question", sheet=t.sheet, cell=t.cell, value=t.question_code)
            continue
        if len(t.text) > MAX_TEXT:
            parsed.add("text_too_long", WARNING, sheet=t.sheet, cell=t.cell, value=str(len(t.text)), expected=str(MAX_TEXT))
        out[t.question_code] = (t.text, t.sheet, t.cell)
    return out


def _sector_sums(parsed: Parsed, ref: Reference, values: dict) -> None:
    """Sector rows must add up to the total when all are given, and never exceed it."""
    by_total = defaultdict(dict)
    for (code, sector, year), (value, _, _) in values.items():
        if sector != TOTAL:
            by_total[(code, year)][sector] = value
    for (code, year), parts in by_total.items():
        total = values.get((code, TOTAL, year))
        if total is None:
            continue
        value, sheet, cell = total
        s = sum(parts.values())
        if len(parts) == len(ref.sector_codes) and abs(s - value) > 1e-6:
            parsed.add("sector_sum", sheet=sheet, cell=cell, value=_fmt(s), expected=_fmt(value))
        elif len(parts) < len(ref.sector_codes) and s > value + 1e-6:
            parsed.add("sector_sum_exceeds", sheet=sheet, cell=cell, value=_fmt(s), expected=_fmt(value))


_TERM = re.compile(r"([+-]?)([a-z0-9_]+)")


def _expr(expr: str, values: dict, year: int) -> tuple[float | None, tuple[str, str] | None]:
    """Value of 'a+b-c' over the year's unit totals, and the cell of its first present term.

    A pure sum of non-negative terms uses the terms present; an expression with a minus needs all.
    """
    terms = _TERM.findall(expr.replace(" ", ""))
    total, where, present = 0.0, None, 0
    for sign, code in terms:
        got = values.get((code, TOTAL, year))
        if got is None:
            continue
        present += 1
        total += -got[0] if sign == "-" else got[0]
        where = where or (got[1], got[2])
    if present == 0 or (present < len(terms) and any(s == "-" for s, _ in terms)):
        return None, None
    return total, where


def _rules(parsed: Parsed, ref: Reference, values: dict, ratings: dict) -> None:
    """Cross-field rules within one file (year-on-year rules need the warehouse: see year_on_year)."""
    years = sorted({y for (_, _, y) in values} | {y for (y, _) in ratings})
    rating_sum = defaultdict(float)
    for (year, _), (count, _, _) in ratings.items():
        rating_sum[year] += count
    for rule in ref.rule_list:
        severity = ERROR if rule["severity"] == "error" else WARNING
        tol = float(rule["tolerance_pct"] or 0) / 100
        for year in years:
            kw = dict(severity=severity, message=rule["message_vi"], fix=rule["fix_vi"])
            if rule["kind"] in ("le", "sum_eq"):
                left, where = _expr(rule["left"], values, year)
                right, _ = _expr(rule["right"], values, year)
                if left is None or right is None:
                    continue
                bad = left > right + 1e-6 if rule["kind"] == "le" else abs(left - right) > max(tol * right, 1e-6)
                if bad:
                    sign = "≤" if rule["kind"] == "le" else "="
                    parsed.add(rule["rule_id"], sheet=where[0], cell=where[1], value=_fmt(left),
                               expected=f"{sign} {_fmt(right)} ({rule['right']}, năm {year})", **kw)
            elif rule["kind"] == "rating_sum":
                if year not in rating_sum:
                    continue
                unrated = values.get((rule["left"], TOTAL, year), (0.0, "", ""))[0]
                total = values.get((rule["right"], TOTAL, year))
                if total and rating_sum[year] + unrated > total[0] + 1e-6:
                    cell = next(c for (y, _), (_, _, c) in ratings.items() if y == year)
                    sheet = next(s for (y, _), (_, s, _) in ratings.items() if y == year)
                    parsed.add(rule["rule_id"], sheet=sheet, cell=cell, value=_fmt(rating_sum[year] + unrated),
                               expected=f"≤ {_fmt(total[0])} (tổng số CĐCS năm {year})", **kw)



def year_on_year(clean: Clean, file_name: str, ref: Reference, prior: PriorLookup | None) -> list[Finding]:
    """Findings of the year-on-year rules: each year against the year before, in the file or the warehouse."""
    values = {(c, s, y): (v, sheet, cell) for (_, y, s, c, v, sheet, cell) in clean.values}
    if not values:
        return []
    unit = clean.values[0][0]
    years = sorted({y for (_, _, y) in values})
    out = []
    for rule in ref.rule_list:
        if rule["kind"] != "yoy":
            continue
        tol = float(rule["tolerance_pct"] or 0) / 100
        for year in years:
            now = values.get((rule["left"], TOTAL, year))
            if now is None:
                continue
            before = values.get((rule["left"], TOTAL, year - 1))
            base = before[0] if before else (prior(unit, rule["left"], year - 1) if prior else None)
            if base and abs(now[0] - base) / base > tol:
                out.append(Finding(file=file_name, rule=rule["rule_id"], sheet=now[1], cell=now[2],
                                   severity=ERROR if rule["severity"] == "error" else WARNING,
                                   value=_fmt(now[0]), message=rule["message_vi"], fix=rule["fix_vi"],
                                   expected=f"trong ±{rule['tolerance_pct']}% của năm {year - 1} ({_fmt(base)})"))
    return out
