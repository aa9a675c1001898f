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


def _load(wh, *files):
    return load_files([Path(f) for f in files], wh, loaded_by="test", progress=False)


def test_same_bytes_twice_changes_nothing(warehouse):
    _load(warehouse, CORPUS / "ok_baseline.xlsx")
    before = fingerprint(warehouse)
    result = _load(warehouse, CORPUS / "ok_baseline.xlsx")
    assert result.files[0].status == "unchanged" and result.files[0].version == 1
    assert fingerprint(warehouse) == before


def test_a_different_file_is_the_next_version_and_history_keeps_both(warehouse, tmp_path):
    _load(warehouse, CORPUS / "ok_baseline.xlsx")
    wh = Warehouse(warehouse)
    old = wh.sql("select value from stg_value where unit_code='LDLD63_38' and indicator_code='member_end' and sector='TOTAL'").value[0]
    path = tmp_path / "v2.xlsx"
    write_template(path, "LDLD63_38", "N2021", values={("member_end", "TOTAL", 2021): 1000, ("member_female", "TOTAL", 2021): 600})
    result = _load(warehouse, path)
    assert result.files[0].status == "accepted" and result.files[0].version == 2
    wh = Warehouse(warehouse)
    now = wh.sql("select value from stg_value where unit_code='LDLD63_38' and indicator_code='member_end' and sector='TOTAL'").value[0]
    assert now == 1000 and old != 1000
    hist = wh.sql("select version, is_current from submission_history where unit_code='LDLD63_38' order by version")
    assert hist.values.tolist() == [[1, False], [2, True]]
    # values of the superseded version stay in raw, out of the marts
    assert wh.sql("select count(*) n from raw_value where submission_id = 'LDLD63_38/N2021/v1'").n[0] > 50
    assert wh.sql("select count(*) n from stg_value where submission_id = 'LDLD63_38/N2021/v1'").n[0] == 0


def test_rollback_restores_the_earlier_figures(warehouse, tmp_path):
    _load(warehouse, CORPUS / "ok_baseline.xlsx")
    path = tmp_path / "v2.xlsx"
    write_template(path, "LDLD63_38", "N2021", values={("member_end", "TOTAL", 2021): 1000})
    _load(warehouse, path)
    snap_before = current(warehouse).id
    rollback(warehouse, "LDLD63_38", "N2021", 1, by="test", reason="số liệu v2 sai")
    wh = Warehouse(warehouse)
    assert wh.snapshot().id != snap_before
    cur = wh.sql("select submission_id from stg_submission_current where unit_code='LDLD63_38'").submission_id.tolist()
    assert cur == ["LDLD63_38/N2021/v1"]
    national = wh.sql("select value from mart_national where indicator_code='member_end' and sector='TOTAL' and year=2021").value[0]
    assert national != 1000
    ev = wh.sql("select event, reason from submission_history where submission_id='LDLD63_38/N2021/v1'")
    assert ev.values.tolist() == [["rollback", "số liệu v2 sai"]]


def test_report_is_written_as_json_and_csv(warehouse):
    result = _load(warehouse, CORPUS / "negative_count.xlsx")
    data = json.loads(result.report.read_text(encoding="utf-8"))
    assert data[0]["status"] == "rejected" and data[0]["findings"][0]["rule"] == "negative"
    assert "negative" in result.report.with_suffix(".csv").read_text(encoding="utf-8-sig")


def _cli(*args, **env):
    return subprocess.run([sys.executable, "-m", "etl", *args], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, **env}, timeout=120)


def test_cli_bad_file_prints_the_cell_and_exits_1(warehouse):
    before = fingerprint(warehouse)
    out = _cli("load", str(CORPUS / "cards_gt_members.xlsx"), "--warehouse", str(warehouse))
    assert out.returncode == 1
    assert "I.1.3 Thẻ đoàn viên" in out.stdout and "F15" in out.stdout and "BỊ TỪ CHỐI" in out.stdout
    assert fingerprint(warehouse) == before


def test_cli_exit_codes(warehouse, tmp_path):
    assert _cli("load", str(CORPUS / "semicolon_bom.csv"), "--warehouse", str(warehouse)).returncode == 0
    assert _cli("load", str(tmp_path / "nope.xlsx"), "--warehouse", str(warehouse)).returncode == 2
    assert _cli("frobnicate").returncode == 2
    cur = _cli("current", "--warehouse", str(warehouse))
    assert cur.returncode == 0 and current(warehouse).id in cur.stdout
    hist = _cli("history", "--warehouse", str(warehouse))
    assert "LDLD63_01/N2021/v1" in hist.stdout and "LDLD63_38/N2021/v1" in hist.stdout


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
