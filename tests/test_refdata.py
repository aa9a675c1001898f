"""Integrity of the reference data: the codebook, provinces, crosswalk and rules agree with each other."""
import re

import pytest

from core.config import QUERIES


def test_codebook_has_the_outline_quantitative_sections(ref):
    inds = ref.indicators
    assert len(inds) >= 40
    assert set(inds["section"]) >= {"I.1.1", "I.1.2", "I.1.3", "I.1.4", "I.2.1", "I.2.2", "I.2.3", "I.2.4"}
    assert inds["indicator_code"].is_unique


def test_ratio_indicators_reference_existing_input_indicators(ref):
    inds = ref.indicators
    ratios = inds[inds["aggregation"].isin(["ratio", "ratio_plain", "complement"])]
    assert len(ratios) >= 10
    derived = set(inds.index[inds["rating_bucket"] != ""])  # counts computed from the rating sheet
    for _, r in ratios.iterrows():
        assert inds.loc[r["numerator"], "is_input"] or r["numerator"] in derived, r["indicator_code"]
        assert inds.loc[r["denominator"], "is_input"] or r["denominator"] in derived, r["indicator_code"]
        # a ratio broken down by sector needs both parts broken down by sector
        if r["by_sector"]:
            assert inds.loc[r["numerator"], "by_sector"] and inds.loc[r["denominator"], "by_sector"]


def test_every_indicator_referenced_by_a_rule_exists(ref):
    codes = set(ref.indicators.index)
    for _, rule in ref["rules"].iterrows():
        for side in ("left", "right"):
            for code in re.findall(r"[a-z][a-z0-9_]+", rule[side]):
                assert code in codes, (rule["rule_id"], code)
    for _, cap in ref["spend_caps"].iterrows():
        assert cap["indicator_code"] in codes


def test_crosswalk_covers_all_63_provinces_once(ref):
    xw = ref["province_crosswalk_2025"]
    assert sorted(xw["old_code"]) == sorted(ref["provinces_63"]["province_code"])
    assert set(xw["new_code"]) == set(ref["provinces_34"]["province_code"])
    assert len(ref["provinces_63"]) == 63 and len(ref["provinces_34"]) == 34


def test_reused_codes_are_different_provinces(ref):
    """New 15 is Lào Cai; old 15 was Yên Bái: the same code, two provinces."""
    p63 = ref["provinces_63"].set_index("province_code")
    p34 = ref["provinces_34"].set_index("province_code")
    assert p63.loc["15", "short_name"] == "Yên Bái" and p34.loc["15", "short_name"] == "Lào Cai"


def test_units_point_to_provinces_of_their_scheme(ref):
    for _, u in ref["units"].iterrows():
        if u["unit_type"] == "LDLD":
            table = ref[f"provinces_{u['province_scheme']}"]
            assert u["province_code"] in set(table["province_code"]), u["unit_code"]
    counts = ref["units"].groupby(["unit_type", "province_scheme"]).size()
    assert counts[("LDLD", "63")] == 63 and counts[("LDLD", "34")] == 34


def test_expected_units_are_active_in_their_round(ref):
    for _, e in ref["round_units"].iterrows():
        year = ref.rounds.loc[e["round_code"], "year_to"]
        assert ref.unit_active(e["unit_code"], int(year))
    assert len(ref.expected_units("N2025")) == 34 + 20
    assert not any(u.startswith("LDLD34") for u in ref.expected_units("N2024"))


def test_every_rating_level_has_a_scheme_and_a_bucket(ref):
    levels = ref.rating_levels
    assert set(levels["scheme_code"]) == set(ref["rating_schemes"]["scheme_code"])
    assert levels["bucket"].notna().all()
    assert set(levels["bucket"]) <= set(ref["rating_buckets"]["bucket"])


def test_scheme_in_force_by_year(ref):
    assert [ref.scheme_for_year(y) for y in (2011, 2014, 2015, 2018, 2019, 2025)] == \
        ["TT01", "TT01", "HD1931", "HD1931", "HD1294", "HD1294"]


@pytest.mark.parametrize("typed, year, unit", [
    ("Thanh Hoá", 2020, "LDLD63_38"), ("Lào Cai", 2020, "LDLD63_10"), ("Lào Cai", 2025, "LDLD34_15"),
    ("Yên Bái", 2020, "LDLD63_15"), ("TP HCM", 2025, "LDLD34_79"), ("Thừa Thiên Huế", 2019, "LDLD63_46"),
    ("Công đoàn Giáo dục Việt Nam", 2020, "CDN_GD"),
])
def test_resolve_unit_from_names(ref, typed, year, unit):
    assert ref.resolve_unit(typed, year) == unit


def test_no_sql_joins_on_a_bare_province_code():
    """Every join condition that compares province codes also pins the scheme (or uses the scheme-qualified key)."""
    offenders = []
    for path in QUERIES.rglob("*.sql"):
        sql = path.read_text(encoding="utf-8").lower()
        for clause in re.findall(r"\bon\b(.*?)(?=\bjoin\b|\bwhere\b|\bgroup\b|\)|;|$)", sql, flags=re.S):
            compares_code = re.search(r"province_code\w*\s*=|=\s*[\w.]*province_code", clause)
            # old_code/new_code of the crosswalk name their scheme (63/34) by themselves
            scheme_pinned = "province_scheme" in clause or re.search(r"\b(old|new)_code\b", clause)
            if compares_code and not scheme_pinned:
                offenders.append((path.name, clause.strip()[:80]))
    assert offenders == []


def test_every_input_indicator_has_a_template_sheet(ref):
    sheets = set(ref["sheets"]["sheet_code"])
    missing = set(ref.input_indicators["section"]) - sheets
    assert missing == set()
    assert ref["sheets"]["sheet_name"].str.len().max() <= 31  # Excel's limit
