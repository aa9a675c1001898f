"""Loading: versions, idempotence, rollback, the report and the command line."""
import json
import os
import subprocess
import sys
from pathlib import Path

from core.db import Warehouse
from core.snapshots import current
from etl.load import load_files, rollback
from etl.template import write_template
from tests.conftest import CORPUS, ROOT, fingerprint

UNIT = "LDLD63_38"


def _load(wh, *files, **kw):
    return load_files([Path(f) for f in files], wh, loaded_by="test", progress=False, **kw)


def _value(wh, code, unit=UNIT, year=2021):
    got = Warehouse(wh).sql("select value from fact_indicator where unit_code = $u and indicator_code = $c "
                            "and year = $y and sector is null", u=unit, c=code, y=year)
    return got.value.tolist()


def test_same_bytes_twice_changes_nothing(warehouse):
    _load(warehouse, CORPUS / "ok_baseline.xlsx")
    before = fingerprint(warehouse)
    result = _load(warehouse, CORPUS / "ok_baseline.xlsx")
    assert result.files[0].status == "unchanged" and result.files[0].version == 1
    assert fingerprint(warehouse) == before


def test_a_file_changes_only_what_it_mentions(warehouse, tmp_path):
    _load(warehouse, CORPUS / "ok_baseline.xlsx")
    members = _value(warehouse, "member_end")
    path = write_template(tmp_path / "v2.xlsx", UNIT, "N2021",
                          values={("member_female", "TOTAL", 2021): 600, ("cdcs_new", "TOTAL", 2021): 7})
    result = _load(warehouse, path)
    (f,) = result.files
    assert f.status == "accepted" and f.version == 2
    assert f.changes.counts == {"new": 0, "changed": 2, "removed": 0, "unchanged": 0}
    assert _value(warehouse, "member_female") == [600] and _value(warehouse, "cdcs_new") == [7]
    assert _value(warehouse, "member_end") == members  # not mentioned by v2: still v1's figure
    wh = Warehouse(warehouse)
    hist = wh.sql("select version, is_current from submission_history where unit_code = $u order by version", u=UNIT)
    assert hist.values.tolist() == [[1, True], [2, True]]
    sources = wh.sql("select submission_id, count(*) n from stg_value where unit_code = $u group by all", u=UNIT)
    assert dict(zip(sources.submission_id, sources.n)) == {f"{UNIT}/N2021/v1": 96, f"{UNIT}/N2021/v2": 2}


def test_rollback_restores_the_figures_as_they_were_after_that_version(warehouse, tmp_path):
    _load(warehouse, CORPUS / "ok_baseline.xlsx")
    before = _value(warehouse, "member_female")
    _load(warehouse, write_template(tmp_path / "v2.xlsx", UNIT, "N2021", values={("member_female", "TOTAL", 2021): 600}))
    snap_before = current(warehouse).id
    rollback(warehouse, UNIT, "N2021", 1, by="test", reason="số liệu v2 sai")
    wh = Warehouse(warehouse)
    assert wh.snapshot().id != snap_before
    assert _value(warehouse, "member_female") == before
    ev = wh.sql("select version, is_current, event, reason from submission_history where unit_code = $u order by version", u=UNIT)
    assert ev.values.tolist() == [[1, True, "rollback", "số liệu v2 sai"], [2, False, "deactivated", "số liệu v2 sai"]]
    # and forward again: v2 was in force right after it was accepted
    rollback(warehouse, UNIT, "N2021", 2, by="test", reason="v2 đúng")
    assert _value(warehouse, "member_female") == [600]


def test_rollback_to_a_version_accepted_after_a_rollback_keeps_what_was_rolled_back_out(warehouse, tmp_path):
    """v1, v2, back to v1, v3: going to v3 means v1 + v3 (v2 stays out), not every version up to 3."""
    _load(warehouse, CORPUS / "ok_baseline.xlsx")
    _load(warehouse, write_template(tmp_path / "v2.xlsx", UNIT, "N2021", values={("member_female", "TOTAL", 2021): 600}))
    rollback(warehouse, UNIT, "N2021", 1, by="test", reason="bỏ v2")
    _load(warehouse, write_template(tmp_path / "v3.xlsx", UNIT, "N2021", values={("cdcs_new", "TOTAL", 2021): 9}))
    rollback(warehouse, UNIT, "N2021", 1, by="test", reason="bỏ v3")
    rollback(warehouse, UNIT, "N2021", 3, by="test", reason="lấy lại v3")
    assert _value(warehouse, "cdcs_new") == [9]
    assert _value(warehouse, "member_female") != [600]


def test_report_is_written_as_json_and_csv(warehouse):
    result = _load(warehouse, CORPUS / "negative_count.xlsx")
    data = json.loads(result.report.read_text(encoding="utf-8"))
    assert data[0]["status"] == "rejected" and data[0]["findings"][0]["rule"] == "negative"
    assert "negative" in result.report.with_suffix(".csv").read_text(encoding="utf-8-sig")


def _cli(*args, stdin=None, **env):
    return subprocess.run([sys.executable, "-m", "etl", *args], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, **env}, timeout=180, input=stdin)


def test_cli_bad_file_prints_the_cell_and_exits_1(warehouse):
    before = fingerprint(warehouse)
    out = _cli("load", str(CORPUS / "cards_gt_members.xlsx"), "--warehouse", str(warehouse))
    assert out.returncode == 1
    assert "I.1.3 Thẻ đoàn viên" in out.stdout and "F15" in out.stdout and "BỊ TỪ CHỐI" in out.stdout
    assert "Traceback" not in out.stdout + out.stderr
    assert fingerprint(warehouse) == before


def test_cli_exit_codes(warehouse, tmp_path):
    assert _cli("load", str(CORPUS / "semicolon_bom.csv"), "--warehouse", str(warehouse)).returncode == 0
    assert _cli("load", str(tmp_path / "nope.xlsx"), "--warehouse", str(warehouse)).returncode == 2
    assert _cli("frobnicate").returncode == 2
    cur = _cli("current", "--warehouse", str(warehouse))
    assert cur.returncode == 0 and current(warehouse).id in cur.stdout
    hist = _cli("history", "--warehouse", str(warehouse))
    assert "LDLD63_01/N2021/v1" in hist.stdout and "LDLD63_38/N2021/v1" in hist.stdout


def test_cli_dry_run_lists_every_change_and_loads_nothing(warehouse, tmp_path):
    _load(warehouse, CORPUS / "ok_baseline.xlsx")
    before = fingerprint(warehouse)
    old = _value(warehouse, "member_female")[0]
    path = write_template(tmp_path / "v2.xlsx", UNIT, "N2021", values={
        ("member_female", "TOTAL", 2021): 600, ("cdcs_new", "TOTAL", 2021): "xóa", ("cdcs_dissolved", "TOTAL", 2021): 2})
    out = _cli("load", "--dry-run", str(path), "--warehouse", str(warehouse))
    assert out.returncode == 0, out.stdout + out.stderr
    assert "SẼ NHẬN phiên bản 2" in out.stdout and "Chưa nạp gì" in out.stdout
    lines = out.stdout.splitlines()
    assert any("thay đổi member_female 2021" in line and "600" in line and f"{int(old):,}".replace(",", ".") in line
               for line in lines), out.stdout
    assert any(line.strip().startswith("xóa") and "cdcs_new 2021" in line for line in lines), out.stdout
    assert fingerprint(warehouse) == before


def test_cli_value_show_and_delete(warehouse, tmp_path):
    _load(warehouse, CORPUS / "ok_baseline.xlsx")
    _load(warehouse, write_template(tmp_path / "v2.xlsx", UNIT, "N2021", values={("member_female", "TOTAL", 2021): 600}))
    shown = _cli("value", "show", "--unit", UNIT, "--indicator", "member_female", "--year", "2021",
                 "--warehouse", str(warehouse))
    rows = [line.split("\t") for line in shown.stdout.splitlines()]
    assert [r[0] for r in rows] == ["v2", "v1"] and rows[0][1] == "600" and rows[0][-1] == "ĐANG DÙNG"
    assert rows[0][4] == "v2.xlsx" and rows[1][5].startswith("I.1.2 Đoàn viên!F")
    assert _cli("value", "delete", "--unit", UNIT, "--indicator", "member_female", "--year", "2021",
                "--warehouse", str(warehouse)).returncode == 2  # a reason is required
    done = _cli("value", "delete", "--unit", UNIT, "--indicator", "member_female", "--year", "2021",
                "--reason", "số trùng", "--warehouse", str(warehouse))
    assert done.returncode == 0, done.stderr
    assert _value(warehouse, "member_female") == []
    assert _value(warehouse, "member_end") != []


def test_cli_template_all(tmp_path):
    out = _cli("template", "--round", "N2025", "--all", "--out-dir", str(tmp_path))
    assert out.returncode == 0
    assert len(list(tmp_path.glob("*.xlsx"))) == 54
    assert _cli("template", "--round", "N2025", "--unit", "LDLD63_01", "--out", str(tmp_path / "x.xlsx")).returncode == 2


def test_rebuild_when_models_changed_keeps_the_data(warehouse, monkeypatch):
    from core.refdata import reference
    from etl import warehouse as wmod
    assert not wmod.is_stale(warehouse, reference())
    before = Warehouse(warehouse).sql("select count(*) n, sum(value) s from stg_value")
    monkeypatch.setattr(wmod, "models_hash", lambda ref: "changed-models")
    assert wmod.is_stale(warehouse, reference())
    old_id = current(warehouse).id
    snap = wmod.rebuild(warehouse, reference())
    assert snap.id != old_id and not wmod.is_stale(warehouse, reference())
    after = Warehouse(warehouse).sql("select count(*) n, sum(value) s from stg_value")
    assert after.values.tolist() == before.values.tolist()
