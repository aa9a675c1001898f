"""core.text: names as they arrive from the field, and text made safe for terminals and spreadsheets."""
import unicodedata

import pytest

from core.text import a1, fold, formula_safe, modern_tones, place_key, terminal_safe


@pytest.mark.parametrize("a, b", [
    ("Thanh Hoá", "Thanh Hóa"), ("Tỉnh Khánh Hoà", "Khánh Hòa"), ("TP. Hồ Chí Minh", "Thành phố Hồ Chí Minh"),
    ("  tỉnh   Hoà Bình ", "Hòa Bình"), (unicodedata.normalize("NFD", "Tỉnh Thanh Hóa"), "Thanh Hoá"),
    ("Bà Rịa - Vũng Tàu", "Bà Rịa Vũng Tàu"),
])
def test_place_key_matches_variants(a, b):
    assert place_key(a) == place_key(b)


def test_place_key_keeps_different_places_apart():
    assert place_key("Hà Nam") != place_key("Hà Nội")


def test_fold_folds_d_bar_too():
    assert fold("Đoàn viên đã có thẻ") == "doan vien da co the"


def test_modern_tones_only_at_syllable_end():
    assert modern_tones("hoàn thành Thanh Hoá") == "hoàn thành Thanh Hóa"


def test_a1():
    assert [a1(0, 0), a1(4, 5), a1(9, 27)] == ["A1", "F5", "AB10"]


@pytest.mark.parametrize("raw, expected", [
    ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"), ("+cmd", "'+cmd"), ("@SUM(A1)", "'@SUM(A1)"),
    ("-1+2", "'-1+2"), ("\tx", "'\tx"), ("Hà Nội", "Hà Nội"), (-3, -3), (None, None),
])
def test_formula_safe(raw, expected):
    assert formula_safe(raw) == expected


@pytest.mark.parametrize("raw, expected", [
    ("tệp\nGIẢ MẠO: ĐÃ NHẬN", "tệp\\x0aGIẢ MẠO: ĐÃ NHẬN"), ("\x1b[31mđỏ", "\\x1b[31mđỏ"),
    ("abc\u202efdp.xlsx", "abc\\u202efdp.xlsx"), ("Thanh Hóa", "Thanh Hóa"),
])
def test_terminal_safe(raw, expected):
    assert terminal_safe(raw) == expected
