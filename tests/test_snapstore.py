"""The snapshot store of the several-hosts mode: a shared folder, or S3 (tested against moto's S3 server on
127.0.0.1, started here and stopped at the end); a replica reads an S3 snapshot from its local cache."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.pg import binaries, postgres


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def s3(monkeypatch):
    """An S3 endpoint (moto) with an empty bucket 'cdcs'; yields the store URL."""
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    env = {"AWS_ENDPOINT_URL": f"http://127.0.0.1:{port}", "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
           "AWS_DEFAULT_REGION": "us-east-1"}
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    import boto3
    client = boto3.client("s3", endpoint_url=env["AWS_ENDPOINT_URL"])
    deadline = time.time() + 60
    while True:
        try:
            client.create_bucket(Bucket="cdcs")
            break
        except Exception:
            if time.time() > deadline:
                proc.kill()
                raise
            time.sleep(0.2)
    try:
        yield "s3://cdcs/snapshots"
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_put_and_fetch_through_s3(s3, tmp_path):
    from core import snapstore
    src = tmp_path / "a.duckdb"
    src.write_bytes(b"snapshot bytes " * 1000)
    where = snapstore.put(src, "20260101-000000-0001", s3)
    assert where == "s3://cdcs/snapshots/20260101-000000-0001.duckdb"
    got = snapstore.fetch(where, tmp_path / "cache")
    assert got.read_bytes() == src.read_bytes() and oct(got.stat().st_mode)[-3:] == "600"
    assert snapstore.fetch(where, tmp_path / "cache") == got  # cached: not downloaded again


def test_shared_folder_put_is_atomic_and_private(tmp_path):
    from core import snapstore
    src = tmp_path / "a.duckdb"
    src.write_bytes(b"x" * 100)
    where = Path(snapstore.put(src, "s1", str(tmp_path / "store")))
    assert where.read_bytes() == b"x" * 100 and oct(where.stat().st_mode)[-3:] == "600"
    assert not list((tmp_path / "store").glob(".tmp-*"))
    assert snapstore.fetch(str(where), tmp_path / "cache") == where  # a shared folder is read in place


@pytest.mark.slow
def test_postgres_mode_publishes_to_s3_and_another_process_reads_it(s3, demo_warehouse, tmp_path, monkeypatch):
    if binaries() is None:
        pytest.fail("PostgreSQL server binaries are missing: `make test` installs them (apt-get install -y postgresql)")
    from etl import migrate
    shared = tmp_path / "wh"
    shutil.copytree(demo_warehouse[0], shared)
    with postgres() as url:
        monkeypatch.setenv("CDCS_SNAPSHOT_STORE", s3)
        migrate.to_postgres(shared, url)
        fix = tmp_path / "fix.csv"
        fix.write_text("unit_code,year,sector,indicator_code,value\nLDLD63_79,2024,,workplace_dialogues,4321\n",
                       encoding="utf-8")
        env = {**os.environ, "CDCS_DATABASE_URL": url, "CDCS_SNAPSHOT_STORE": s3,
               "CDCS_WAREHOUSE": str(tmp_path / "loader")}
        out = subprocess.run([sys.executable, "-m", "etl", "load", str(fix)], cwd=ROOT, env=env, capture_output=True,
                             text=True, timeout=300)
        assert out.returncode == 0, out.stdout + out.stderr
        reader = subprocess.run(
            [sys.executable, "-c", "from core.db import Warehouse; w = Warehouse(); s = w.snapshot(); "
             "print(s.path); print(w.sql(\"select value from fact_indicator where unit_code = 'LDLD63_79' and "
             "year = 2024 and indicator_code = 'workplace_dialogues'\").value[0])"],
            cwd=ROOT, env={**env, "CDCS_WAREHOUSE": str(tmp_path / "replica")}, capture_output=True, text=True, timeout=120)
        assert reader.returncode == 0, reader.stderr
        path, value = reader.stdout.split()
        assert path.startswith(str(tmp_path / "replica" / "cache")) and float(value) == 4321
