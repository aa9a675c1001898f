"""The number grammar of submissions: how one typed cell becomes a number, per value type. Pure functions.

Written down for users in the README ("Cách viết số") and on the template's instructions sheet:

* A cell typed as a number in Excel is taken as it is (no separators involved).
* Head counts (`int`): digits only; ".", "," or a space may separate thousands, between groups of exactly
  three digits, one kind of separator per number: 1234567, 1.234.567, 1,234,567, 1 234 567. Anything with a
  fraction ("12,5") or a badly grouped number ("12 5", "1.23.4") is refused.
* Decimal values (`decimal`: money in triệu đồng, ratios): two conventions exist, Vietnamese (thousands ".",
  decimal ",": 1.234.567,5) and English (thousands ",", decimal "."). A form that both conventions read, as
  different numbers, is ambiguous: "0,125", "12,500", "1.234". It is refused with a message saying how to
  write it unambiguously, *unless the same file settles the convention*: when every other text number of the
  file that only one convention can read ("12,5", "1.234.567", "1.234,5" → Vietnamese; "12.5", "1,234,567"
  → English) agrees on one convention, ambiguous forms are read with it.
* "%" is allowed only where the indicator is a percentage (`pct`).
* Blank, "-", "–", "x", "n/a" mean *no figure given*: the cell does not mention the value (an earlier value
  stays). "xóa" (or "xoa", any case) is the deletion mark: it removes the value an earlier version gave.
* Excel error values (#DIV/0!, #N/A …) are errors naming the cell; so are booleans, dates and other text.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass

from core.text import fold, nfc

VI, EN = "vi", "en"
INT, DECIMAL, PCT = "int", "decimal", "pct"

MISSING_MARKS = frozenset({"", "-", "–", "—", "x", "n/a", "na"})
DELETE_MARKS = frozenset({"xoa", "[xoa]"})
EXCEL_ERRORS = frozenset({"#DIV/0!", "#N/A", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#NULL!", "#SPILL!", "#CALC!",
                          "#GETTING_DATA", "#FIELD!", "#BLOCKED!", "#CONNECT!", "#BUSY!", "#UNKNOWN!", "#EXTERNAL!"})
_SPACES = re.compile(r"[\s\u00a0\u2007\u202f\u2009]+")
_DIGITS = re.compile(r"^\d+$")
_INT_GROUPED = re.compile(r"^\d{1,3}(?:(?:\.\d{3})+|(?:,\d{3})+|(?: \d{3})+)$")
# Decimal grammar per convention: plain digits with an optional fraction, or grouped thousands + fraction.
_DEC = {
    VI: re.compile(r"^(?:\d+|\d{1,3}(?:(?:\.\d{3})+|(?: \d{3})+))(?:,\d+)?$"),
    EN: re.compile(r"^(?:\d+|\d{1,3}(?:(?:,\d{3})+|(?: \d{3})+))(?:\.\d+)?$"),
}
_DEC_SEP = {VI: ",", EN: "."}


class Missing:
    """No figure given (blank, "-", "x"): the cell mentions nothing."""

    def __repr__(self) -> str:
        return "MISSING"


class Delete:
    """The deletion mark "xóa": remove the value an earlier version gave."""

    def __repr__(self) -> str:
        return "DELETE"


MISSING, DELETE = Missing(), Delete()


@dataclass(frozen=True)
class ExcelError:
    """An Excel error value (#DIV/0!, #N/A …) found in a cell."""

    code: str


@dataclass(frozen=True)
class Bad:
    """Why a cell is not a number: rule code (see etl/findings.py) and the readings involved."""

    rule: str  # not_a_number | not_integer | bad_grouping | ambiguous_number | percent_not_allowed | excel_error
    text: str
    readings: tuple[float, ...] = ()


def clean_text(raw: str) -> str:
    """NFC, trimmed, every kind of space (no-break, thin, narrow) as one plain space."""
    return _SPACES.sub(" ", nfc(raw)).strip()


def _value(text: str, convention: str) -> float:
    sep = _DEC_SEP[convention]
    other = "." if sep == "," else ","
    return float(text.replace(" ", "").replace(other, "").replace(sep, "."))


def readings(text: str) -> dict[str, float]:
    """The value of an unsigned number text under each convention that can read it."""
    return {conv: _value(text, conv) for conv, rx in _DEC.items() if rx.match(text)}


def evidence(raw) -> str | None:
    """VI or EN when this cell can only be read with one convention (it then settles the file's convention)."""
    if not isinstance(raw, str):
        return None
    text = clean_text(raw).lstrip("-").rstrip("%").strip()
    found = readings(text)
    return next(iter(found)) if len(found) == 1 else None


def settle(raws) -> str | None:
    """The convention a file settles: the one all its single-reading text numbers agree on, else None."""
    seen = {e for e in map(evidence, raws) if e}
    return seen.pop() if len(seen) == 1 else None


def excel_error(raw) -> ExcelError | None:
    """The Excel error a text cell spells (a CSV exported from a sheet with errors), or None."""
    if isinstance(raw, ExcelError):
        return raw
    if isinstance(raw, str):
        text = clean_text(raw).upper()
        if text in EXCEL_ERRORS:
            return ExcelError(text)
    return None


def mark(raw) -> Missing | Delete | None:
    """MISSING or DELETE when the cell holds one of those marks, else None."""
    if raw is None or (isinstance(raw, float) and math.isnan(raw)):
        return MISSING
    if isinstance(raw, str):
        folded = fold(clean_text(raw))
        if folded in MISSING_MARKS:
            return MISSING
        if folded in DELETE_MARKS:
            return DELETE
    return None


def parse(raw, value_type: str, convention: str | None = None) -> float | Missing | Delete | Bad:
    """The number a cell holds under the grammar above, MISSING, DELETE, or Bad (never raises).

    raw: float/int from a numeric cell, str from a text cell or CSV field, ExcelError, bool, or anything else.
    The sign is kept (a negative count is refused later by the range rules, with its value).
    """
    marked = mark(raw)
    if marked is not None:
        return marked
    err = excel_error(raw)
    if err is not None:
        return Bad("excel_error", err.code)
    if isinstance(raw, bool) or not isinstance(raw, (int, float, str)):
        return Bad("not_a_number", str(raw))
    if isinstance(raw, (int, float)):
        value = float(raw)
        if not math.isfinite(value):
            return Bad("not_a_number", str(raw))
        if value_type == INT and not value.is_integer():
            return Bad("not_integer", _plain(value), (value,))
        return value + 0.0  # -0.0 becomes 0.0
    text = clean_text(raw)
    sign, body = (-1.0, text[1:].lstrip()) if text.startswith("-") else (1.0, text)
    if body.endswith("%"):
        if value_type != PCT:
            return Bad("percent_not_allowed", text)
        body = body[:-1].rstrip()
    if value_type == INT:
        if _DIGITS.match(body) or _INT_GROUPED.match(body):
            return sign * float(re.sub(r"[., ]", "", body)) + 0.0
        found = readings(body)
        if found:
            return Bad("not_integer", text, tuple(sorted(set(found.values()))))
        return Bad("bad_grouping" if re.fullmatch(r"[\d., ]+", body) else "not_a_number", text)
    found = readings(body)
    values = set(found.values())
    if not found:
        return Bad("bad_grouping" if re.fullmatch(r"[\d., ]+", body) else "not_a_number", text)
    if len(values) == 1:
        return sign * values.pop() + 0.0
    if convention in found:
        return sign * found[convention] + 0.0
    return Bad("ambiguous_number", text, (found[VI], found[EN]))


def _plain(value: float) -> str:
    return f"{value:.10g}"
