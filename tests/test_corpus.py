"""The malformed-input corpus: each file gets its exact finding (rule, sheet, cell); rejected files change nothing."""
import csv
from pathlib import Path

import pytest

from core.db import Warehouse
from etl.load import load_files
from tests.conftest import CORPUS, fingerprint

CASES = list(csv.DictReader(open(Path(__file__).parent / "fixtures" / "cases.csv", encoding="utf-8")))


def test_corpus_is_large_enough():
    assert len(CASES) >= 25
    assert sum(c["status"] == "rejected" for c in CASES) >= 20
    assert all((CORPUS / c["file"]).exists() for c in CASES)


@pytest.mark.parametrize("case", CASES, ids=[c["file"] for c in CASES])
def test_case(case, warehouse):
    before = fingerprint(warehouse)
    result = load_files([CORPUS / case["file"]], warehouse, loaded_by="test", progress=False)
    (res,) = result.files
    assert res.status == case["status"], [f.line() for f in res.findings]
    if case["rule"]:
        matching = [f for f in res.findings if f.rule == case["rule"]]
        assert matching, [f.rule for f in res.findings]
        f = matching[0]
        assert (f.sheet, f.cell) == (case["sheet"], case["cell"])
        assert f.message and f.fix and f.file == case["file"]
    if case["status"] == "rejected":
        assert fingerprint(warehouse) == before
        assert result.exit_code == 1
        assert not any(f.severity == "error" and not f.message for f in res.findings)
    else:
        assert result.exit_code == 0
        assert fingerprint(warehouse) != before
    if case["check"]:
        code, sector, year, value = case["check"].split("|")
        got = Warehouse(warehouse).sql(
            "select value from stg_value where unit_code = 'LDLD63_38' and indicator_code = $c and sector = $s and year = $y",
            c=code, s=sector, y=int(year))
        assert got["value"].tolist() == [float(value)]


def test_rejections_are_logged_in_the_state_store_at_once(warehouse):
    from core.rejections import recent_rejections
    before = fingerprint(warehouse)
    load_files([CORPUS / "cards_gt_members.xlsx"], warehouse, loaded_by="test", progress=False)
    assert fingerprint(warehouse) == before  # no new snapshot for a rejection
    (row,) = recent_rejections(warehouse=warehouse).itertuples()
    assert (row.file_name, row.unit_code, row.n_errors) == ("cards_gt_members.xlsx", "LDLD63_38", 1)
    assert [(f["rule"], f["cell"]) for f in row.summary["findings"]] == [("card_le_members", "F15")]


def test_missing_is_not_zero(warehouse, tmp_path):
    """A blank cell stays absent, '-' is absent too, and a typed 0 is a zero."""
    from etl.template import write_template
    path = write_template(tmp_path / "z.xlsx", "LDLD63_38", "N2021", values={
        ("member_end", "TOTAL", 2021): 0, ("member_female", "TOTAL", 2021): "-", ("cdcs_total", "TOTAL", 2021): 3})
    assert load_files([path], warehouse, loaded_by="test", progress=False).exit_code == 0
    got = Warehouse(warehouse).sql("select indicator_code, value from stg_value where unit_code = 'LDLD63_38'")
    assert dict(zip(got.indicator_code, got.value)) == {"member_end": 0.0, "cdcs_total": 3.0}
    # a ratio over a zero denominator is missing, not zero and not an error
    share = Warehouse(warehouse).sql("select value from mart_unit_indicator where unit_code = 'LDLD63_38' "
                                     "and indicator_code = 'members_per_cdcs'")
    assert share.value.tolist() == [0.0]
