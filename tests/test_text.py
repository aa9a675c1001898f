"""core.text: numbers and names as they arrive from the field."""
import unicodedata

import pytest

from core.text import NotANumber, a1, fold, is_missing, modern_tones, parse_number, place_key


@pytest.mark.parametrize("raw, expected", [
    ("1.234.567", 1234567), ("1,234,567", 1234567), ("12,5", 12.5), ("12,5%", 12.5), ("1234", 1234),
    (" 0 ", 0), (0, 0), (3.25, 3.25), ("1.234", 1234), ("-7", -7), ("1.234.567,5", 1234567.5),
    ("1,234,567.5", 1234567.5), ("2e3", 2000), ("1\u00a0234", 1234),
])
def test_parse_number(raw, expected):
    assert parse_number(raw) == expected


@pytest.mark.parametrize("raw", ["", "-", "x", None, "  ", "–"])
def test_missing_is_none_never_zero(raw):
    assert parse_number(raw) is None
    assert is_missing(raw) or raw == "  "


@pytest.mark.parametrize("raw", ["abc", "12a", "1.2.3,4,5", "năm nghìn"])
def test_not_a_number(raw):
    with pytest.raises(NotANumber):
        parse_number(raw)


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
