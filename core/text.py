"""Normalising Vietnamese text and numbers as they arrive from the field. Pure functions, no I/O."""
from __future__ import annotations

import math
from functools import lru_cache
import re
import unicodedata

# Old-style tone placement ("hoà", "thuý") -> new style ("hòa", "thúy"): both arrive in real files.
_TONE_MOVES = {}
for _base, _toned in {"a": "àáảãạ", "e": "èéẻẽẹ", "y": "ỳýỷỹỵ"}.items():
    for _t in _toned:
        for _glide, _glide_toned in (("o", "òóỏõọ"), ("u", "ùúủũụ")):
            # "oà" -> "òa": the tone moves from the second vowel to the glide.
            _TONE_MOVES[_glide + _t] = _glide_toned["àáảãạèéẻẽẹỳýỷỹỵ".index(_t) % 5] + _base
# Only at the end of a syllable: "hoàn" keeps its tone on the "a".
_TONE_RE = re.compile("(?:" + "|".join(sorted(_TONE_MOVES, key=len, reverse=True)) + r")(?!\w)")
_PREFIX_RE = re.compile(r"^(tinh|thanh pho|tp\.?|t\.p\.?|ldld|lien doan lao dong)\s+")
_SPACES = re.compile(r"\s+")


def nfc(value: str) -> str:
    """NFC form with stray spaces collapsed and trimmed."""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", value)).strip()


def fold(value: str) -> str:
    """Lower-case, accent-free copy for matching and search; đ/Đ become d (strip_accents leaves them)."""
    decomposed = unicodedata.normalize("NFD", nfc(value).replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in decomposed if unicodedata.category(c) != "Mn").lower()


def modern_tones(value: str) -> str:
    """The same text with old tone placement ("Thanh Hoá") moved to the new one ("Thanh Hóa")."""
    text = nfc(value)
    return _TONE_RE.sub(lambda m: _TONE_MOVES[m.group(0)], text)


def place_key(value: str) -> str:
    """Canonical key of a place or unit name: tone placement, case, accents and prefixes ignored."""
    key = fold(modern_tones(value)).replace("-", " ")
    key = _SPACES.sub(" ", key).strip()
    while True:
        stripped = _PREFIX_RE.sub("", key)
        if stripped == key:
            return key
        key = stripped


class NotANumber(ValueError):
    """Raised when a cell holds text that is not a number."""


_MISSING = {"", "-", "–", "—", "x", "X", "n/a", "N/A"}
_DOT_THOUSANDS = re.compile(r"^-?\d{1,3}(\.\d{3})+(,\d+)?$")
_COMMA_THOUSANDS = re.compile(r"^-?\d{1,3}(,\d{3})+(\.\d+)?$")
_COMMA_DECIMAL = re.compile(r"^-?\d+,\d+$")
_PLAIN = re.compile(r"^-?\d+(\.\d+)?([eE][-+]?\d+)?$")


def parse_number(raw) -> float | None:
    """A number from a cell or CSV field; None when missing (blank, "-", "x"); raises NotANumber otherwise.

    "1.234.567" and "1,234,567" are thousands; "12,5" is a decimal comma; a trailing % is dropped.
    A lone "1.234" or "1,234" is ambiguous: read with the Vietnamese convention (dot = thousands,
    comma = decimal), which is how the template's users type.
    """
    if raw is None:
        return None
    if isinstance(raw, bool):
        raise NotANumber(str(raw))
    if isinstance(raw, (int, float)):
        if isinstance(raw, float) and math.isnan(raw):
            return None
        return float(raw)
    text = nfc(str(raw)).replace("\u00a0", "").replace(" ", "")
    if text in _MISSING:
        return None
    if text.endswith("%"):
        text = text[:-1]
    if _DOT_THOUSANDS.match(text):
        return float(text.replace(".", "").replace(",", "."))
    if _COMMA_THOUSANDS.match(text):
        return float(text.replace(",", ""))
    if _COMMA_DECIMAL.match(text):
        return float(text.replace(",", "."))
    if _PLAIN.match(text):
        return float(text)
    raise NotANumber(text)


def is_missing(raw) -> bool:
    """True for the cell contents that mean 'no data' (never zero)."""
    if raw is None:
        return True
    if isinstance(raw, float) and math.isnan(raw):
        return True
    return isinstance(raw, str) and nfc(raw) in _MISSING


@lru_cache(maxsize=4096)
def col_letter(col: int) -> str:
    """Column letters of a 0-based column index (0 -> A, 26 -> AA)."""
    letters = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def a1(row: int, col: int) -> str:
    """A1 address of 0-based row and column."""
    return f"{col_letter(col)}{row + 1}"
