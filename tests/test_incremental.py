"""Incremental publish: a load re-derives only the units it touches, and the snapshot it publishes is exactly
the one a full rebuild gives — every model, row for row."""
import shutil
from pathlib import Path

from core.db import connect
from core.refdata import reference
from core.snapshots import current
from etl.load import load_files, remove_values, rollback
from etl.warehouse import models, rebuild

UNIT = "LDLD34_79"


def _csv(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def _relations() -> list[str]:
    return [m.relation for m in models() if not m.relation.endswith(("_units", "agg_indicator"))]


def test_incremental_publishes_equal_a_full_rebuild(demo_warehouse, tmp_path):
    wh = tmp_path / "wh"
    shutil.copytree(demo_warehouse[0], wh)
    steps = [
        _csv(tmp_path / "a.csv", f"unit_code,year,sector,indicator_code,value\n{UNIT},2025,,cdcs_new,77\n"
                                 f"{UNIT},2025,,member_female,1.234.567\n"),
        _csv(tmp_path / "b.csv", f"unit_code,round,question_code,text\n{UNIT},N2025,II.5,Đề nghị xyzzy.\n"),
        _csv(tmp_path / "c.csv", f"unit_code,year,sector,indicator_code,value\n{UNIT},2025,,cdcs_new,xóa\n"),
        _csv(tmp_path / "d.csv", "unit_code,year,sector,indicator_code,value\nCDN_GD,2024,,workplace_dialogues,321\n"),
    ]
    for path in steps:
        result = load_files([path], wh, loaded_by="test", progress=False)
        assert result.files[0].status == "accepted", [f.line() for f in result.files[0].findings]
        con = connect(current(wh).path)
        assert con.execute("select incremental from snapshot_info").fetchone()[0] is True
        con.close()
    rollback(wh, UNIT, "N2025", 2, by="test", reason="thử quay lại")  # v3 (the answer) and v4 (the 'xóa') stop counting
    remove_values(wh, "CDN_GD", [("value", ("workplace_dialogues", "TOTAL", 2024))], by="test", reason="thử xóa")
    incremental = current(wh).path

    full = tmp_path / "full"
    shutil.copytree(wh, full)
    rebuilt = rebuild(full, reference()).path
    con = connect(rebuilt)
    con.execute(f"attach '{incremental}' as inc (read_only)")
    try:
        assert con.execute("select incremental from inc.snapshot_info").fetchone()[0] is True
        for rel in _relations():
            only_full = con.execute(f"select count(*) from (select * from {rel} except all select * from inc.{rel})").fetchone()[0]
            only_inc = con.execute(f"select count(*) from (select * from inc.{rel} except all select * from {rel})").fetchone()[0]
            assert (only_full, only_inc) == (0, 0), rel
        assert con.execute("select count(*) from inc.fact_text where text like '%xyzzy%'").fetchone()[0] == 0
        assert con.execute(f"select value from inc.fact_indicator where unit_code = '{UNIT}' and year = 2025 "
                           "and indicator_code = 'cdcs_new' and sector is null").fetchone()[0] == 77
    finally:
        con.close()


def test_a_rebuild_starts_from_the_records_only_and_does_not_grow(demo_warehouse, tmp_path):
    """A full rebuild carries the raw tables over, row for row, into a new file: the same records, the same
    figures, and a file that does not grow with each rebuild (a copy rebuilt in place kept the old models' space)."""
    wh = tmp_path / "wh"
    shutil.copytree(demo_warehouse[0], wh)
    before = current(wh).path
    sizes = []
    for _ in range(2):
        after = rebuild(wh, reference()).path
        sizes.append(after.stat().st_size)
    con = connect(after)
    con.execute(f"attach '{before}' as old (read_only)")
    try:
        raw = [r[0] for r in con.execute("select table_name from duckdb_tables() where database_name = 'old' "
                                         "and table_name like 'raw%'").fetchall()]
        assert {"raw_value", "raw_submission", "raw_submission_event", "raw_text", "raw_rating"} <= set(raw)
        for rel in raw:
            cols = ", ".join(f'"{c[0]}"' for c in con.execute(f"describe old.{rel}").fetchall())
            a = con.execute(f"select count(*) from (select {cols} from old.{rel} except all select {cols} from {rel})").fetchone()[0]
            b = con.execute(f"select count(*) from (select {cols} from {rel} except all select {cols} from old.{rel})").fetchone()[0]
            assert (a, b) == (0, 0), rel
        assert con.execute("select incremental from snapshot_info").fetchone()[0] is False
    finally:
        con.close()
    assert sizes[1] <= sizes[0] * 1.02, sizes
    assert sizes[0] <= before.stat().st_size * 1.05, (sizes, before.stat().st_size)
