"""Value-level versions: a file never removes a value it does not mention, in any order; overlapping rounds,
explicit deletion, conflicts, provenance, and the grain contracts that refuse a bad build."""
import itertools
import shutil
from pathlib import Path

import pytest

from core.db import Warehouse
from core.refdata import Reference
from core.snapshots import current
from etl.load import load_files
from etl.template import write_template
from tests.conftest import CORPUS, fingerprint

UNIT = "LDLD63_38"


def _csv(path: Path, header: str, rows: list[str]) -> Path:
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def _facts(wh: Path) -> dict:
    df = Warehouse(wh).sql("select year, coalesce(sector, 'TOTAL') s, indicator_code, value from fact_indicator "
                           "where unit_code = $u", u=UNIT)
    return {(r.indicator_code, r.s, r.year): r.value for r in df.itertuples()}


def _texts(wh: Path) -> dict:
    df = Warehouse(wh).sql('select "round", question_code, text from fact_text where unit_code = $u', u=UNIT)
    return {(r.round, r.question_code): r.text for r in df.itertuples()}


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, Path]:
    """The four kinds of submission of the scenario, for one unit: numbers of a multi-year round, its text
    answers, a one-cell correction, and the same round's numbers split in one file per year."""
    d = tmp_path_factory.mktemp("scenario")
    years = range(2011, 2021)
    numbers = {("member_female", "TOTAL", y): 1000 + y for y in years}
    numbers |= {("cdcs_new", "TOTAL", y): 10 + y % 7 for y in years}
    out = {"numbers": write_template(d / "numbers.xlsx", UNIT, "TK2020", values=numbers)}
    out["texts"] = _csv(d / "texts.csv", "unit_code,round,question_code,text",
                        [f'{UNIT},TK2020,II.4.4,"Số hóa quản lý đoàn viên, thẻ điện tử."', f"{UNIT},TK2020,II.5,Không có."])
    out["correction"] = _csv(d / "correction.csv", "unit_code,year,sector,indicator_code,value",
                             [f"{UNIT},2015,,member_female,2.222"])
    for y in (2012, 2013):
        out[f"year{y}"] = _csv(d / f"year{y}.csv", "unit_code,year,sector,indicator_code,value",
                               [f"{UNIT},{y},,cdcs_dissolved,{y - 2000}", f"{UNIT},{y},,member_female,{3000 + y}"])
    return out


def _expected(order: list[str], files: dict[str, Path], ref) -> dict:
    """Every key any file gave, with the value of the last file (in load order) that gave it."""
    from etl.load import check_file
    want = {}
    for name in order:
        clean = check_file(files[name], ref).clean
        for _, year, sector, code, value, deleted, _, _ in clean.values:
            want[(code, sector, year)] = value
    return want


ORDERS = [list(p) for p in itertools.islice(itertools.permutations(["numbers", "texts", "correction", "year2012", "year2013"]), 0, 120, 23)]


@pytest.mark.parametrize("order", ORDERS, ids=["-".join(o) for o in ORDERS])
def test_no_file_removes_what_it_does_not_mention_in_any_order(order, files, warehouse, ref):
    for i, name in enumerate(order):
        result = load_files([files[name]], warehouse, loaded_by="test", progress=False)
        (f,) = result.files
        assert f.status == "accepted", [x.line() for x in f.findings]
        assert f.version == i + 1 if name != "texts" or True else None
    assert _facts(warehouse) == _expected(order, files, ref)
    assert _texts(warehouse) == {("TK2020", "II.4.4"): "Số hóa quản lý đoàn viên, thẻ điện tử.", ("TK2020", "II.5"): "Không có."}


def test_change_sets_are_counted_per_file(files, warehouse):
    seen = []
    for name in ["numbers", "texts", "correction", "year2012", "numbers"]:
        (f,) = load_files([files[name]], warehouse, loaded_by="test", progress=False).files
        seen.append((f.status, f.changes.counts if f.changes else None))
    assert seen == [
        ("accepted", {"new": 20, "changed": 0, "removed": 0, "unchanged": 0}),
        ("accepted", {"new": 2, "changed": 0, "removed": 0, "unchanged": 0}),
        ("accepted", {"new": 0, "changed": 1, "removed": 0, "unchanged": 0}),
        ("accepted", {"new": 1, "changed": 1, "removed": 0, "unchanged": 0}),
        # the same numbers file again: its bytes are known, but it now changes two values back
        ("accepted", {"new": 0, "changed": 2, "removed": 0, "unchanged": 18}),
    ]
    again = load_files([files["numbers"]], warehouse, loaded_by="test", progress=False).files[0]
    assert again.status == "unchanged" and again.version == 5


def test_deletion_mark_removes_and_shows_as_a_change(files, warehouse, tmp_path):
    load_files([files["numbers"]], warehouse, loaded_by="test", progress=False)
    path = _csv(tmp_path / "del.csv", "unit_code,year,sector,indicator_code,value",
                [f"{UNIT},2011,,member_female,xóa", f"{UNIT},2012,,member_female,-", f"{UNIT},2013,,cdcs_dissolved,Xoá"])
    (f,) = load_files([path], warehouse, loaded_by="test", progress=False).files
    assert f.status == "accepted"
    assert f.changes.counts == {"new": 0, "changed": 0, "removed": 1, "unchanged": 0}
    assert {x.rule for x in f.findings} == {"missing_kept", "delete_nothing"}  # '-' keeps 2012, nothing to delete in 2013
    facts = _facts(warehouse)
    assert ("member_female", "TOTAL", 2011) not in facts and ("member_female", "TOTAL", 2012) in facts
    history = Warehouse(warehouse).query("value_history", unit=UNIT, indicator="member_female", year=2011, sector=None)
    assert history[["version", "is_deleted", "is_in_force"]].values.tolist() == [[2, True, True], [1, False, False]]


def _ref_with_overlapping_round(tmp_path: Path) -> Reference:
    folder = tmp_path / "reference"
    shutil.copytree(Reference().folder, folder)
    with open(folder / "rounds.csv", "a", encoding="utf-8") as f:
        f.write("BS2021,Báo cáo bổ sung năm 2021,2021,2021,2022-02-01,2022-03-31\n")
    with open(folder / "round_units.csv", "a", encoding="utf-8") as f:
        f.write(f"BS2021,{UNIT}\n")
    return Reference(folder)


def test_overlapping_rounds_do_not_double_count(warehouse, tmp_path):
    ref = _ref_with_overlapping_round(tmp_path)
    first = write_template(tmp_path / "n2021.xlsx", UNIT, "N2021", ref=ref, values={
        ("member_female", "TOTAL", 2021): 100, ("cdcs_new", "TOTAL", 2021): 5})
    second = write_template(tmp_path / "bs2021.xlsx", UNIT, "BS2021", ref=ref, values={("member_female", "TOTAL", 2021): 120})
    result = load_files([first, second], warehouse, loaded_by="test", progress=False, ref=ref)
    assert [f.status for f in result.files] == ["accepted", "accepted"]
    assert [f.submission_id for f in result.files] == [f"{UNIT}/N2021/v1", f"{UNIT}/BS2021/v1"]
    wh = Warehouse(warehouse)
    got = wh.sql("select indicator_code, value, submission_id from fact_indicator where unit_code = $u order by 1", u=UNIT)
    assert got.values.tolist() == [["cdcs_new", 5, f"{UNIT}/N2021/v1"], ["member_female", 120, f"{UNIT}/BS2021/v1"]]
    national = wh.sql("select value from mart_national where indicator_code = 'member_female' and year = 2021 "
                      "and sector = 'TOTAL'").value[0]
    hanoi = wh.sql("select value from fact_indicator where unit_code = 'LDLD63_01' and indicator_code = 'member_female'").value[0]
    assert national == hanoi + 120


def test_conflicting_cells_in_one_file_are_an_error_naming_both_places(warehouse, tmp_path):
    before = fingerprint(warehouse)
    path = _csv(tmp_path / "c.csv", "unit_code,year,sector,indicator_code,value",
                [f"{UNIT},2021,,member_female,100", "Thanh Hóa,2021,,member_female,120", "ldld63_38,2021,,cdcs_new,4",
                 f"{UNIT},2021,,cdcs_new,4"])
    (f,) = load_files([path], warehouse, loaded_by="test", progress=False).files
    assert f.status == "rejected"
    by_rule = {x.rule: x for x in f.findings}
    assert (by_rule["duplicate_conflict"].cell, by_rule["duplicate_conflict"].expected) == ("E3", "E2")
    assert (by_rule["duplicate_same"].severity, by_rule["duplicate_same"].cell) == ("warning", "E5")
    assert fingerprint(warehouse) == before


def test_two_answers_to_one_question_conflict(warehouse, tmp_path):
    path = _csv(tmp_path / "t.csv", "unit_code,round,question_code,text",
                [f"{UNIT},N2021,II.5,Một", f"{UNIT},N2021,II.5,Hai"])
    (f,) = load_files([path], warehouse, loaded_by="test", progress=False).files
    assert f.status == "rejected" and [x.cell for x in f.findings if x.rule == "duplicate_conflict"] == ["D3"]


@pytest.mark.parametrize("rows, status, value", [
    (["0,125"], "rejected", None),  # ambiguous alone
    (["0,125", "12,5"], "accepted", 0.125),  # the file settles the Vietnamese convention
    (["0.125", "1,234,567.5"], "accepted", 0.125),  # … or the English one
    (["12,500", "12,5", "12.5"], "rejected", None),  # contradicting evidence settles nothing
])
def test_money_cells_follow_the_number_grammar(rows, status, value, warehouse, tmp_path):
    codes = ["training_budget", "kpcd_collected", "dues_collected"]
    path = _csv(tmp_path / "m.csv", "unit_code,year,sector,indicator_code,value",
                [f'{UNIT},2021,,{code},"{v}"' for code, v in zip(codes, rows)])
    (f,) = load_files([path], warehouse, loaded_by="test", progress=False).files
    assert f.status == status, [x.line() for x in f.findings]
    if value is not None:
        assert _facts(warehouse)[("training_budget", "TOTAL", 2021)] == pytest.approx(value)
    else:
        assert any(x.rule == "ambiguous_number" and x.cell == "E2" for x in f.findings)


def test_a_build_that_breaks_a_declared_key_is_refused_and_the_snapshot_stays(warehouse, tmp_path):
    from etl.warehouse import GrainError, rebuild
    folder = tmp_path / "reference"
    shutil.copytree(Reference().folder, folder)
    lines = (folder / "units.csv").read_text(encoding="utf-8").splitlines()
    (folder / "units.csv").write_text("\n".join(lines + [lines[5]]) + "\n", encoding="utf-8")  # a unit listed twice
    before, snap = fingerprint(warehouse), current(warehouse)
    with pytest.raises(GrainError) as err:
        rebuild(warehouse, Reference(folder))
    assert err.value.grain.relation == "dim_unit" and lines[5].split(",")[0] in str(err.value)
    assert "vi phạm khóa" in str(err.value)
    assert current(warehouse) == snap and fingerprint(warehouse) == before
    assert not list((warehouse / "snapshots").glob(".tmp-*"))


def test_every_model_declares_its_key_and_every_declared_grain_holds_on_the_demo(demo_warehouse):
    from etl.warehouse import check_grains, grains, model_files
    declared = {g.relation for g in grains()}
    for path in model_files():
        assert "-- key" in path.read_text(encoding="utf-8"), f"{path.name} declares no key"
    assert {"stg_value", "mart_national", "fact_indicator", "value_provenance", "dim_unit"} <= declared
    from core.db import connect
    wh, _ = demo_warehouse
    con = connect(current(wh).path)
    try:
        check_grains(con)
        tables = {r[0] for r in con.execute("select table_name from information_schema.tables").fetchall()}
    finally:
        con.close()
    built = {t for t in tables if t.startswith(("stg_", "dim_", "mart_", "fact_", "raw_"))} - {"raw_finding"}
    assert built <= declared | {"log_rejection"}, built - declared
