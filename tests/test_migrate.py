"""Moving a warehouse into PostgreSQL and back keeps every figure, version and account; in the PostgreSQL mode the
commands (load, dry run, rollback, value deletion, history) work as in the embedded one."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from tests.conftest import ROOT
from tests.pg import binaries, postgres

pytestmark = pytest.mark.slow


@pytest.fixture
def pg():
    if binaries() is None:
        pytest.fail("PostgreSQL server binaries are missing: `make test` installs them (apt-get install -y postgresql)")
    with postgres() as url:
        yield url


def test_the_demo_round_trips_through_postgres_with_identical_figures(pg, demo_warehouse, tmp_path, monkeypatch):
    from core import snapshots
    from core.auth import add_user, list_users
    from etl import migrate
    src = tmp_path / "src"
    shutil.copytree(demo_warehouse[0], src)
    add_user("canbo79", "matkhau-canbo-1", "officer", "LDLD34_79", by="test", warehouse=src)
    monkeypatch.setenv("CDCS_SNAPSHOT_STORE", str(tmp_path / "store"))
    counts = migrate.to_postgres(src, pg)
    assert counts["raw_submission"] > 40 and counts["raw_value"] > 10_000 and counts["state"]["account"] == 1
    monkeypatch.setenv("CDCS_DATABASE_URL", pg)
    snapshots._listed.clear()
    in_pg = snapshots.current(src)
    monkeypatch.delenv("CDCS_DATABASE_URL")
    snapshots._listed.clear()
    original = snapshots.current_pointer(src)
    assert {k: v for k, v in migrate.same_figures(original.path, in_pg.path).items() if v} == {}
    back = tmp_path / "back"
    migrate.from_postgres(pg, back)
    assert {k: v for k, v in migrate.same_figures(original.path, snapshots.current_pointer(back).path).items() if v} == {}
    assert [a.name for a in list_users(warehouse=back)] == ["canbo79"]


def _cli(env, *args):
    return subprocess.run([sys.executable, "-m", "etl", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=300)


def test_commands_in_the_postgres_mode(pg, demo_warehouse, tmp_path):
    from etl import migrate
    src = tmp_path / "src"
    shutil.copytree(demo_warehouse[0], src)
    env = {**os.environ, "CDCS_SNAPSHOT_STORE": str(tmp_path / "store")}
    os.environ["CDCS_SNAPSHOT_STORE"] = env["CDCS_SNAPSHOT_STORE"]
    try:
        migrate.to_postgres(src, pg)
    finally:
        os.environ.pop("CDCS_SNAPSHOT_STORE")
    env = {**env, "CDCS_DATABASE_URL": pg, "CDCS_WAREHOUSE": str(tmp_path / "host")}
    fix = tmp_path / "fix.csv"
    fix.write_text("unit_code,year,sector,indicator_code,value\nLDLD63_79,2024,,workplace_dialogues,4321\n",
                   encoding="utf-8")
    dry = _cli(env, "load", "--dry-run", str(fix))
    assert dry.returncode == 0 and "SẼ NHẬN phiên bản" in dry.stdout and "Chưa nạp gì" in dry.stdout, dry.stdout + dry.stderr
    done = _cli(env, "load", str(fix))
    assert done.returncode == 0 and "ĐÃ NHẬN phiên bản" in done.stdout, done.stdout + done.stderr
    version = int(done.stdout.split("ĐÃ NHẬN phiên bản ")[1].split()[0])
    shown = _cli(env, "value", "show", "--unit", "LDLD63_79", "--indicator", "workplace_dialogues", "--year", "2024")
    assert shown.stdout.splitlines()[0].split("\t")[1] == "4.321" and "ĐANG DÙNG" in shown.stdout
    back = _cli(env, "rollback", "--unit", "LDLD63_79", "--round", "N2024", "--to-version", str(version - 1),
                "--reason", "thử quay lại")
    assert back.returncode == 0, back.stderr
    shown = _cli(env, "value", "show", "--unit", "LDLD63_79", "--indicator", "workplace_dialogues", "--year", "2024")
    assert "4.321" in shown.stdout and shown.stdout.splitlines()[0].split("\t")[-1] != "ĐANG DÙNG"
    gone = _cli(env, "value", "delete", "--unit", "LDLD63_79", "--indicator", "member_female", "--year", "2024",
                "--reason", "thử xóa")
    assert gone.returncode == 0, gone.stderr
    history = _cli(env, "history", "--unit", "LDLD63_79")
    assert "LDLD63_79/N2024" in history.stdout and "(quản trị viên xóa số liệu)" in history.stdout
