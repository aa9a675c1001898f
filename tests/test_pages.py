"""Every page through Streamlit's AppTest over several filter combinations: no exception, labelled tables,
and the overview's figures equal to the marts queried directly."""
import os
import re

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from core.db import Warehouse
from core.labels import COLUMNS, fmt_number, fmt_value
from tests.conftest import ROOT

PAGES = ["overview", "explore", "unit", "sources", "cadres", "members", "cards", "organisation", "ratings", "finance", "opinions", "progress",
         "methods"]
COMBOS = {
    "default": {},
    "reported_view": {"goc": "reported"},
    "one_region": {"vung": "DNB"},
    "single_year": {"nam": (2020, 2020), "goc": "reported"},
    "one_province": {"tinh": ["34:15"], "nam": (2019, 2025)},
    "sector_ldld_only": {"kv": "FDI", "loai": ["LDLD"]},
}


@pytest.fixture(scope="module")
def wh(demo_warehouse):
    os.environ["CDCS_WAREHOUSE"] = str(demo_warehouse[0])
    return Warehouse(demo_warehouse[0])


def run(page: str, state: dict) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    for k, v in state.items():
        at.session_state[k] = v
    at.run()
    at.switch_page(f"pages/{page}.py")
    at.run()
    return at


@pytest.mark.parametrize("combo", list(COMBOS))
@pytest.mark.parametrize("page", PAGES)
def test_page_runs(wh, page, combo):
    at = run(page, COMBOS[combo])
    assert not at.exception, [e.value for e in at.exception]
    assert at.title and at.title[0].value
    assert any("Dữ liệu mô phỏng" in w.value for w in at.warning)
    assert any("Dữ liệu cập nhật" in c.value for c in at.caption)
    # no raw column name reaches a table: every header is a Vietnamese label
    raw = set(COLUMNS) - set(COLUMNS.values())
    for df in at.dataframe:
        assert not (set(df.value.columns) & raw), (page, list(df.value.columns))
    # the same for the tables of figures drawn as HTML (ui.common.stat_table), whose cells never read None or nan
    for md in (m.value for m in at.markdown if "cdcs-table" in m.value):
        heads = set(re.findall(r"<th[^>]*>([^<]*)</th>", md))
        assert heads and not (heads & raw), (page, heads & raw)
        cells = re.findall(r"<td[^>]*>([^<]*)</td>", md)
        assert not {"None", "nan", "NaN", "<NA>"} & set(cells), page


def _metric(at, label):
    return next(m.value for m in at.metric if m.label == label)


def test_overview_kpis_equal_national_mart(wh):
    at = run("overview", {})
    nat = wh.sql("select indicator_code, value from mart_national where year = 2025 and sector = 'TOTAL'")
    nat = dict(zip(nat.indicator_code, nat.value))
    assert _metric(at, "Đoàn viên") == fmt_value(nat["member_end"], "người")
    assert _metric(at, "Số CĐCS") == fmt_value(nat["cdcs_total"], "đơn vị")
    assert _metric(at, "Tỷ lệ đã có thẻ") == fmt_value(nat["card_share"], "%")
    assert _metric(at, "Cán bộ chuyên trách") == fmt_value(nat["cadre_fulltime"], "người")


def test_overview_kpis_for_a_region_equal_region_mart(wh):
    at = run("overview", {"vung": "DNB", "nam": (2011, 2024), "goc": "reported"})
    reg = wh.sql("select indicator_code, value from mart_region where province_view = 'reported' and "
                 "region_code = 'DNB' and year = 2024 and sector = 'TOTAL'")
    reg = dict(zip(reg.indicator_code, reg.value))
    assert _metric(at, "Đoàn viên") == fmt_value(reg["member_end"], "người")
    assert _metric(at, "Tỷ lệ đã có thẻ") == fmt_value(reg["card_share"], "%")


def test_overview_kpis_for_a_new_province_equal_34_mart(wh):
    """New Lào Cai (34:15) in 2020 = old Lào Cai + old Yên Bái, through the crosswalk."""
    at = run("overview", {"tinh": ["34:15"], "nam": (2011, 2020)})
    p = wh.sql("select indicator_code, value from mart_province_34 where province_code = '15' and year = 2020 "
               "and sector = 'TOTAL'")
    p = dict(zip(p.indicator_code, p.value))
    assert _metric(at, "Đoàn viên") == fmt_value(p["member_end"], "người")
    assert _metric(at, "Tỷ lệ đã có thẻ") == fmt_value(p["card_share"], "%")


def test_overview_sector_filter_shows_sector_figures(wh):
    at = run("overview", {"kv": "FDI", "nam": (2011, 2024)})
    nat = wh.sql("select value from mart_national where year = 2024 and sector = 'FDI' and indicator_code = 'member_end'")
    assert _metric(at, "Đoàn viên") == fmt_value(nat.value[0], "người")
    assert _metric(at, "CĐCS xếp loại cao nhất") == "Không có số liệu"


def test_opinions_search_without_accents_finds_accented_text(wh):
    at = run("opinions", {"tk": "the doan vien"})
    with_accents = run("opinions", {"tk": "thẻ đoàn viên"})
    n = lambda a: int(next(c.value for c in a.caption if c.value.startswith("Tìm thấy")).split("**")[1].replace(".", ""))
    assert n(at) > 0 and n(at) == n(with_accents)
    # answers are shown as plain text elements, never markdown
    assert any("thẻ" in t.value.lower() for t in at.text)


def test_empty_warehouse_explains_itself(tmp_path, monkeypatch):
    from ui import common
    common.warehouse.clear()
    monkeypatch.setenv("CDCS_WAREHOUSE", str(tmp_path))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    assert not at.exception
    assert at.title[0].value == "Chưa có dữ liệu"
    common.warehouse.clear()


def test_drill_down_region_province_unit_profile(wh):
    """Explore: a region opens its provinces, a province its reporting units, a unit its profile."""
    def open_row(at, key):
        at.selectbox(key="drill_to").set_value(key).run()
        at.button(key="drill_go").click().run()
        assert not at.exception, [e.value for e in at.exception]

    at = run("explore", {})
    assert at.session_state["dong"] == "region"
    open_row(at, "DNB")
    assert at.session_state["vung"] == "DNB" and at.session_state["dong"] == "province"
    open_row(at, "34:79")
    assert at.session_state["tinh"] == ["34:79"] and at.session_state["dong"] == "unit"
    open_row(at, "LDLD34_79")
    assert any(t.value == "Hồ sơ đơn vị" for t in at.title)
    assert at.session_state["dv"] == "LDLD34_79"


@pytest.mark.parametrize("page", ["unit", "sources", "explore", "progress"])
def test_public_pages_never_say_who_loaded_a_version(wh, page):
    """value_provenance and submission_history know who loaded each version; public pages show unit and time only."""
    at = run(page, {"dv": "LDLD63_79"})
    loaders = set(Warehouse(os.environ["CDCS_WAREHOUSE"]).sql("select distinct loaded_by from submission_history")
                  ["loaded_by"].dropna())
    heads = [str(c) for d in at.dataframe for c in d.value.columns]
    heads += [h for m in at.markdown for h in re.findall(r"<th[^>]*>([^<]*)</th>", m.value)]
    heads += [str(c) for t in at.session_state["_tables"].values() for c in t.columns]
    assert COLUMNS["loaded_by"] not in heads
    shown = [m.value for m in at.markdown] + [c.value for c in at.caption] + [t.value for t in at.text]
    shown += [str(v) for d in at.dataframe for v in d.value.to_numpy().ravel()]
    shown += [str(v) for t in at.session_state["_tables"].values() for v in t.to_numpy().ravel()]
    assert loaders and not [s for s in shown for who in loaders if who and who in s]


ANSWER_CASES = [  # text_answers parameters beyond the defaults; the first rows and the totals must agree
    {},
    {"q": "the doan vien"},
    {"focus": "the_doan_vien"},
    {"sections": ["II.4"]},
    {"rounds": ["TK2020"]},
    {"questions": ["II.5"]},
    {"questions": ["II.5", "I.1.3.T"], "rounds": ["TK2020", "N2024"]},
    {"q": "khongcotuanaynhe"},
]


@pytest.mark.parametrize("extra", ANSWER_CASES)
def test_answers_first_rows_carry_the_totals_of_all(wh, extra):
    """The opinions page reads the first rows only: n_matching and focus_counts must be those of every match."""
    base = {"view": "34", "region": "", "provinces": [], "unit_types": ["LDLD", "CDN", "TCT"], "q": "",
            "focus": "", "sections": [], "unit": "", "rounds": [], "questions": [], **extra}
    every = wh.query("text_answers", **base, limit=None)
    first = wh.query("text_answers", **base, limit=5)
    assert len(first) == min(5, len(every))
    assert list(first["text_id"]) == list(every["text_id"].head(5))
    if every.empty:
        return
    assert first["n_matching"].iloc[0] == len(every)
    counts = {c["focus_area"]: c["n"] for c in first["focus_counts"].iloc[0]}
    expected = every["focus_area"].astype(object).where(every["focus_area"].notna(), None).value_counts(dropna=False)
    assert counts == {(None if pd.isna(k) else k): v for k, v in expected.items()}


def test_opinions_table_is_bounded_and_offers_every_answer(wh, monkeypatch):
    """More matches than a table draws: the first ones are shown, the page says so, and a button downloads all."""
    from ui import common
    monkeypatch.setattr(common, "TABLE_ROWS", 5)
    at = run("opinions", {})
    assert not at.exception
    n = int(next(c.value for c in at.caption if c.value.startswith("Tìm thấy")).split("**")[1].replace(".", ""))
    assert n > 5
    assert any(c.value.startswith(f"Bảng và tệp CSV của bảng có 5 câu trả lời đầu trong {fmt_number(n)}")
               for c in at.caption)
    assert len(at.dataframe[0].value) == 5
    labels = [b.proto.label for b in at.get("download_button")]
    assert f"⬇ Tải tất cả {fmt_number(n)} câu trả lời khớp (CSV)" in labels
