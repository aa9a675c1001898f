"""Vietnamese ordering of names (core.labels.vn_sort_key, unit_order): one row per case."""
import pytest

from core.labels import unit_labels, unit_order, vn_sort_key
from core.refdata import reference

ORDER_CASES = [  # (names in any order, the order a Vietnamese reader expects)
    (["b", "ă", "a", "â"], ["a", "ă", "â", "b"]),
    (["đ", "e", "d"], ["d", "đ", "e"]),
    (["á", "à", "a"], ["a", "à", "á"]),  # tones after the base letter
    (["Đồng Nai", "Đà Nẵng", "Cà Mau"], ["Cà Mau", "Đà Nẵng", "Đồng Nai"]),
    (["đơn vị 10", "đơn vị 2", "đơn vị 1"], ["đơn vị 1", "đơn vị 2", "đơn vị 10"]),  # numbers by value
    (["Tổ 3B", "Tổ 3A", "Tổ 12"], ["Tổ 3A", "Tổ 3B", "Tổ 12"]),
]


@pytest.mark.parametrize("names, expected", ORDER_CASES)
def test_vietnamese_order(names, expected):
    assert sorted(names, key=vn_sort_key) == expected


def test_units_still_active_come_first():
    """The unit profile opens on the first unit: a federation that still exists, never one that ended in 2025."""
    units = reference()["units"].set_index("unit_code")
    order = unit_order()
    listed = sorted(order, key=order.get)
    ended = [c for c in listed if str(units.loc[c, "valid_to"]).strip() not in ("", "nan", "None", "<NA>")]
    assert ended and listed.index(ended[0]) == len(listed) - len(ended)  # every ended unit after every active one
    assert units.loc[listed[0], "unit_type"] == "LDLD" and "(từ 7/2025)" in unit_labels()[listed[0]]
