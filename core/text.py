"""Normalising Vietnamese text and numbers as they arrive from the field. Pure functions, no I/O."""
from __future__ import annotations

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


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def formula_safe(value):
    """A text cell that a spreadsheet would run as a formula, prefixed with an apostrophe; other values as they are."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def terminal_safe(text: str) -> str:
    """Text for a terminal line: control characters, escape sequences and direction overrides shown as \\xNN."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group(0)):02x}" if ord(m.group(0)) < 256 else f"\\u{ord(m.group(0)):04x}",
                        str(text))


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
