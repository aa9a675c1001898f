"""A file against the unit's current figures: the change it makes, and the rules on the figures it leaves.

A file never removes a value it does not mention. The unit's figures after a file = its current values,
overlaid with the values the file gives, minus the keys the file marks "xóa". The cross-field rules of
rules.csv (le, sum_eq, rating_sum, yoy) and the sector sums are checked on those figures, and reported only
where the file gave at least one of the values involved — at the file's own cell, with the numbers.
Which indicators a rule concerns is data (rules.csv); nothing here names an indicator.
"""
from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

from core.config import settings
from core.refdata import TOTAL, Reference
from etl.findings import ERROR, WARNING, Finding, fmt
from etl.validate import Clean

Key = tuple


@dataclass
class UnitFigures:
    """The figures of one unit in force: numbers by (indicator, sector, year), ratings by (year, level),
    answers by (round, question); with the version and cell each came from."""

    values: dict[Key, float] = field(default_factory=dict)
    ratings: dict[Key, float] = field(default_factory=dict)
    texts: dict[Key, str] = field(default_factory=dict)
    source: dict[tuple[str, Key], str] = field(default_factory=dict)  # (kind, key) -> submission id

    def copy(self) -> UnitFigures:
        return UnitFigures(dict(self.values), dict(self.ratings), dict(self.texts), dict(self.source))


@dataclass(slots=True)
class Change:
    """One key a file mentions: new, changed (old → new), removed, unchanged, or a deletion of nothing."""

    kind: str  # value | rating | text
    key: Key
    status: str  # new | changed | removed | unchanged | absent
    old: object
    new: object
    sheet: str
    cell: str
    large: bool = False  # a change beyond settings [loader] highlight_change_pct, or a removal

    @property
    def ratio(self) -> float | None:
        """Relative change (new − old) / old for numbers, None otherwise."""
        if self.kind == "text" or self.old in (None, 0) or self.new is None:
            return None
        return (self.new - self.old) / self.old


STATUSES = ("new", "changed", "removed", "unchanged")


@dataclass
class ChangeSet:
    items: list[Change] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(c.status == status for c in self.items)

    @property
    def counts(self) -> dict[str, int]:
        return {s: self.count(s) for s in STATUSES}

    @property
    def changes_anything(self) -> bool:
        return any(c.status in ("new", "changed", "removed") for c in self.items)


def _rows(clean: Clean):
    """(kind, key, value or None, deleted, sheet, cell) for every row of a clean file."""
    for unit, year, sector, code, value, deleted, sheet, cell in clean.values:
        yield "value", (code, sector, year), value, deleted, sheet, cell
    for unit, year, scheme, level, count, deleted, sheet, cell in clean.ratings:
        yield "rating", (year, level), count, deleted, sheet, cell
    for unit, rnd, question, text, deleted, sheet, cell in clean.texts:
        yield "text", (rnd, question), text, deleted, sheet, cell


def _store(figures: UnitFigures, kind: str) -> dict:
    return {"value": figures.values, "rating": figures.ratings, "text": figures.texts}[kind]


def diff(clean: Clean, current: UnitFigures) -> ChangeSet:
    """What accepting the file would change, key by key (unchanged keys included, marked so)."""
    pct = float(settings()["loader"]["highlight_change_pct"]) / 100
    out = ChangeSet()
    for kind, key, value, deleted, sheet, cell in _rows(clean):
        old = _store(current, kind).get(key)
        if deleted:
            status = "removed" if old is not None else "absent"
            out.items.append(Change(kind, key, status, old, None, sheet, cell, large=status == "removed"))
            continue
        status = "new" if old is None else ("unchanged" if old == value else "changed")
        change = Change(kind, key, status, old, value, sheet, cell)
        ratio = change.ratio
        change.large = status == "changed" and ratio is not None and abs(ratio) > pct
        out.items.append(change)
    return out


def apply(clean: Clean, current: UnitFigures, submission_id: str, in_place: bool = False) -> UnitFigures:
    """The unit's figures once the file is accepted (for the next file of the same command).

    in_place: change `current` itself (the caller drops the figures before the file)."""
    after = current if in_place else current.copy()
    for kind, key, value, deleted, _, _ in _rows(clean):
        store = _store(after, kind)
        if deleted:
            store.pop(key, None)
            after.source.pop((kind, key), None)
        else:
            store[key] = value
            after.source[(kind, key)] = submission_id
    return after


def _numbers_after(rows: list[tuple], current: UnitFigures) -> tuple[dict, dict]:
    """(values, ratings) of the unit once the file is accepted: what the rules read (no texts, no sources)."""
    values, ratings = dict(current.values), dict(current.ratings)
    for kind, key, value, deleted, _, _ in rows:
        if kind == "text":
            continue
        store = values if kind == "value" else ratings
        if deleted:
            store.pop(key, None)
        else:
            store[key] = value
    return values, ratings


_TERM = re.compile(r"([+-]?)([a-z0-9_]+)")


def _terms(expr: str) -> list[tuple[str, str]]:
    return _TERM.findall(expr.replace(" ", ""))


def _expr(terms, values: dict, year: int) -> float | None:
    """Value of 'a+b-c' over the year's unit totals: a pure sum uses the terms present; a minus needs all."""
    total, present = 0.0, 0
    for sign, code in terms:
        got = values.get((code, TOTAL, year))
        if got is None:
            continue
        present += 1
        total += -got if sign == "-" else got
    if present == 0 or (present < len(terms) and any(s == "-" for s, _ in terms)):
        return None
    return total


class _Report:
    """Findings of one file, each at the file's own cell for a key it gave."""

    def __init__(self, file_name: str, cells: dict[Key, tuple[str, str]], ref: Reference, current: dict | None = None):
        self.file_name, self.cells, self.ref = file_name, cells, ref
        self.current = current or {}
        self.findings: list[Finding] = []
        self.items: dict[tuple[str, str], tuple[str, tuple]] = {}  # (sheet, cell) -> (kind, key) it holds

    def where(self, keys) -> tuple[str, str] | None:
        return next((self.cells[k] for k in keys if k in self.cells), None)

    def label(self, code: str) -> str:
        meta = self.ref.indicator_meta.get(code)
        return meta["label_vi"] if meta else code

    def side(self, terms, year: int, values: dict) -> str:
        """'Số đoàn viên cuối kỳ 1.895.120 (ô F5)' or '… (số đang có trong hệ thống)' for each term present."""
        parts = []
        for _, code in terms:
            key = (code, TOTAL, year)
            if key in values:
                src = self.cells.get(key)
                origin = (f"ô {src[1]} trang '{src[0]}'" if src and src[0] else f"ô {src[1]}") if src \
                    else "số đang có trong hệ thống"
                parts.append(f"{self.label(code)} {fmt(values[key])} ({origin})")
        return " + ".join(parts)

    def add(self, rule: dict | str, where, value: str, expected: str, severity: str | None = None) -> None:
        held = self.items.get(where)  # named in Vietnamese only for the cells a finding points at
        item = self.ref.item_label(*held) if held else ""
        if isinstance(rule, dict):
            sev = ERROR if rule["severity"] == "error" else WARNING
            self.findings.append(Finding(file=self.file_name, rule=rule["rule_id"], severity=sev, sheet=where[0],
                                         cell=where[1], value=value, expected=expected, message=rule["message_vi"],
                                         fix=rule["fix_vi"], item=item))
        else:
            self.findings.append(Finding(file=self.file_name, rule=rule, severity=severity or ERROR, sheet=where[0],
                                         cell=where[1], value=value, expected=expected, item=item))


def assess(clean: Clean, current: UnitFigures, ref: Reference, file_name: str) -> list[Finding]:
    """Findings of the rules on the unit's figures after the file (only those the file takes part in)."""
    rows = list(_rows(clean))
    values, ratings = _numbers_after(rows, current)
    value_cells = {k: (s, c) for kind, k, _, d, s, c in rows if kind == "value" and not d}
    rating_cells = {k: (s, c) for kind, k, _, d, s, c in rows if kind == "rating" and not d}
    rep = _Report(file_name, value_cells, ref, current.values)
    rep.items = {(s, c): (kind, k) for kind, k, _, _, s, c in rows}
    _marks(clean, rows, current, rep)
    years = sorted({k[2] for k in value_cells} | {k[0] for k in rating_cells})
    _sector_sums(rep, values, value_cells)
    for rule in ref.rule_list:
        kind = rule["kind"]
        if kind in ("le", "sum_eq"):
            _compare(rep, rule, values, years)
        elif kind == "rating_sum":
            _rating_sum(rep, rule, values, ratings, rating_cells, years)
        elif kind == "yoy":
            _year_on_year(rep, rule, values)
    if clean.convention:
        rep.findings.append(Finding(file=file_name, rule="number_convention", severity=WARNING,
                                    value="Việt Nam (1.234,5)" if clean.convention == "vi" else "quốc tế (1,234.5)"))
    return rep.findings


def _marks(clean: Clean, rows: list[tuple], current: UnitFigures, rep: _Report) -> None:
    for key, mark, sheet, cell in clean.missing:
        if key in current.values:
            rep.add("missing_kept", (sheet, cell), mark, fmt(current.values[key]), WARNING)
    for kind, key, _, deleted, sheet, cell in rows:
        if deleted and key not in _store(current, kind):
            rep.add("delete_nothing", (sheet, cell), "xóa", "", WARNING)


def _sector_sums(rep: _Report, values: dict, file_cells: dict) -> None:
    """Sector rows add up to the total when all are given, and never exceed it; checked where the file took part."""
    sectors = rep.ref.sector_codes
    touched = {(code, year) for code, _, year in file_cells}
    for code, year in sorted(touched):
        total = values.get((code, TOTAL, year))
        parts = {s: values[(code, s, year)] for s in sectors if (code, s, year) in values}
        if total is None or not parts:
            continue
        s = sum(parts.values())
        # point at the cell that most likely changed: a row the file changed against the figures in force
        # (sector rows first), else the total (when nothing was in force, every row is new: the total)
        changed = [(code, sec, year) for sec in parts if (code, sec, year) in file_cells and rep.current.get((code, sec, year))
                   not in (None, values[(code, sec, year)])]
        where = rep.where(changed + [(code, TOTAL, year)] + [(code, sec, year) for sec in parts])
        kept = sum((code, sec, year) not in file_cells for sec in parts)
        origin = f" — {kept}/{len(parts)} khu vực là số đang có trong hệ thống" if kept else ""
        total_origin = "" if (code, TOTAL, year) in file_cells else " — số đang có trong hệ thống"
        if len(parts) == len(sectors) and abs(s - total) > 1e-6:
            rep.add("sector_sum", where, fmt(s) + origin, fmt(total) + total_origin)
        elif len(parts) < len(sectors) and s > total + 1e-6:
            rep.add("sector_sum_exceeds", where, fmt(s) + origin, fmt(total) + total_origin)


def _compare(rep: _Report, rule: dict, values: dict, years: list[int]) -> None:
    left_t, right_t = _terms(rule["left"]), _terms(rule["right"])
    tol = float(rule["tolerance_pct"] or 0) / 100
    for year in years:
        keys = [(code, TOTAL, year) for _, code in left_t + right_t]
        # the cell that most likely changed: a value the file gives that differs from the one in force
        changed = [k for k in keys if k in rep.cells and rep.current.get(k) != values.get(k)]
        where = rep.where(changed + keys)
        if where is None:
            continue
        left, right = _expr(left_t, values, year), _expr(right_t, values, year)
        if left is None or right is None:
            continue
        if rule["kind"] == "le":
            bad, sign = left > right + 1e-6, "≤"
        else:
            bad, sign = abs(left - right) > max(tol * abs(right), 1e-6), "="
        if bad:
            rep.add(rule, where, f"{rep.side(left_t, year, values)} = {fmt(left)}" if len(left_t) > 1
                    else rep.side(left_t, year, values),
                    f"{sign} {rep.side(right_t, year, values)}, năm {year}")


def _rating_sum(rep: _Report, rule: dict, values: dict, ratings: dict, rating_cells: dict, years: list[int]) -> None:
    by_year = defaultdict(float)
    for (year, _), count in ratings.items():
        by_year[year] += count
    for year in years:
        if year not in by_year:
            continue
        where = next((rating_cells[k] for k in sorted(rating_cells) if k[0] == year), None) or rep.where(
            [(rule["left"], TOTAL, year), (rule["right"], TOTAL, year)])
        if where is None:
            continue
        unrated = values.get((rule["left"], TOTAL, year), 0.0)
        total = values.get((rule["right"], TOTAL, year))
        if total is not None and by_year[year] + unrated > total + 1e-6:
            rep.add(rule, where, f"{fmt(by_year[year])} + {fmt(unrated)} {rep.label(rule['left']).lower()}",
                    f"≤ {rep.side([('', rule['right'])], year, values)}")


def _year_on_year(rep: _Report, rule: dict, values: dict) -> None:
    code = rule["left"]
    tol = float(rule["tolerance_pct"] or 0) / 100
    years = sorted({y for (c, s, y) in rep.cells if c == code and s == TOTAL})
    pairs = sorted({(y - 1, y) for y in years} | {(y, y + 1) for y in years})
    for before, now in pairs:
        a, b = values.get((code, TOTAL, before)), values.get((code, TOTAL, now))
        if not a or b is None or abs(b - a) / a <= tol:
            continue
        where = rep.where([(code, TOTAL, now), (code, TOTAL, before)])
        rep.add(rule, where, f"{fmt(a)} ({before}) → {fmt(b)} ({now})",
                f"thay đổi trong ±{rule['tolerance_pct']}% ({(b - a) / a * 100:+.1f}%)".replace(".", ","))


def change_frame(changes: ChangeSet, include_unchanged: bool = False) -> "pd.DataFrame":
    """The change set as a table (codes, not labels): one row per key the file changes."""
    import pandas as pd
    rows = []
    for c in changes.items:
        if c.status == "unchanged" and not include_unchanged:
            continue
        year = sector = rnd = None
        if c.kind == "value":
            code, sector, year = c.key
        elif c.kind == "rating":
            year, code = c.key
        else:
            rnd, code = c.key
        delta = c.new - c.old if c.kind != "text" and c.new is not None and c.old is not None else None
        rows.append({"kind": c.kind, "code": code, "year": year, "sector": sector, "round_code": rnd,
                     "old_value": c.old, "new_value": c.new, "change": delta,
                     "change_pct": None if c.ratio is None else c.ratio * 100, "status": c.status,
                     "is_large": c.large, "sheet": c.sheet, "cell": c.cell})
    return pd.DataFrame(rows, columns=["kind", "code", "year", "sector", "round_code", "old_value", "new_value",
                                       "change", "change_pct", "status", "is_large", "sheet", "cell"])
