"""Scale-out: three app replicas, a publisher and twenty concurrent uploads, with logins hammering the accounts,
a replica and the publisher killed (-9) mid-way and restarted — on PostgreSQL ($CDCS_DATABASE_URL, a private
server started here) and, the same suite, on the embedded warehouse (one folder, no server).

Asserts: every upload exactly once with contiguous versions; the published figures equal the records'; every
replica shows the current snapshot within 10 s; no partial snapshot is ever current; accounts intact and
failures counted exactly; one audit row per command.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.pg import binaries, postgres

pytestmark = pytest.mark.slow
ROUND, YEAR = "N2024", 2024
ONE = "LDLD63_01"  # five versions of one unit and round
MANY = ["LDLD63_02", "LDLD63_04", "LDLD63_06", "LDLD63_08", "LDLD63_10", "LDLD63_11", "LDLD63_12", "LDLD63_14",
        "LDLD63_15", "LDLD63_17", "LDLD63_19", "LDLD63_20", "LDLD63_22", "LDLD63_24", "LDLD63_25"]


def _uploads(folder: Path) -> list[Path]:
    """15 units once and one unit five times (each a real change), as long CSVs."""
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for unit in MANY:
        p = folder / f"{unit}.csv"
        value = 100 + sum(map(ord, unit)) % 900
        p.write_text(f"unit_code,year,sector,indicator_code,value\n{unit},{YEAR},,workplace_dialogues,{value}\n",
                     encoding="utf-8")
        out.append(p)
    for k in range(1, 6):
        p = folder / f"{ONE}_v{k}.csv"
        p.write_text(f"unit_code,year,sector,indicator_code,value\n{ONE},{YEAR},,workplace_dialogues,{1000 + k}\n",
                     encoding="utf-8")
        out.append(p)
    return out


def _env(mode: dict, folder: Path, **extra) -> dict:
    env = {**os.environ, "CDCS_WAREHOUSE": str(folder), **extra}
    env.pop("CDCS_TEST_BUILD_PAUSE_S", None)
    if mode.get("url"):
        env["CDCS_DATABASE_URL"] = mode["url"]
        env["CDCS_SNAPSHOT_STORE"] = mode["store"]
    else:
        env.pop("CDCS_DATABASE_URL", None)
    return env


def _replica(mode: dict, i: int) -> tuple[str, subprocess.Popen]:
    from tests.browser import free_port
    port = free_port()
    folder = mode["shared"] if not mode.get("url") else mode["root"] / f"replica{i}"
    proc = subprocess.Popen([sys.executable, "-m", "ui.serve", "run", "app.py", "--server.port", str(port),
                             "--server.headless", "true"], cwd=ROOT, env=_env(mode, folder),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return f"http://127.0.0.1:{port}", proc


def _wait_health(url: str, timeout: float = 120) -> None:
    import urllib.request
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            if urllib.request.urlopen(url + "/_stcore/health", timeout=2).read() == b"ok":
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not start")


def _shown_snapshot(page, url: str) -> str:
    """The snapshot id a replica's overview says it shows."""
    import re

    from tests.browser import wait_ready
    page.goto(url + "/")
    wait_ready(page, settle_ms=0)
    text = page.get_by_text("Dữ liệu cập nhật").first.inner_text()
    return re.search(r"bản (\S+),", text).group(1)


def _current_id(mode: dict) -> str:
    from core import snapshots
    from etl import records
    with records.using(mode.get("url")):
        return snapshots.current(mode["shared"]).id


@contextmanager
def postgres_mode(shared: Path, root: Path):
    """PostgreSQL mode over a private server: the warehouse `shared` migrated into it, snapshots in root/store."""
    from etl import migrate
    with postgres() as url:
        store = root / "store"
        os.environ["CDCS_SNAPSHOT_STORE"] = str(store)
        try:
            migrate.to_postgres(shared, url)
        finally:
            os.environ.pop("CDCS_SNAPSHOT_STORE", None)
        yield {"name": "postgres", "url": url, "store": str(store), "shared": shared, "root": root}


@pytest.fixture(params=["embedded", "postgres"])
def mode(request, demo_warehouse, tmp_path):
    """A warehouse with the small demo in it: one shared folder, or PostgreSQL + a shared snapshot store."""
    shared = tmp_path / "shared"
    shutil.copytree(demo_warehouse[0], shared)
    if request.param == "embedded":
        yield {"name": "embedded", "shared": shared, "root": tmp_path}
        return
    if binaries() is None:
        pytest.fail("PostgreSQL server binaries are missing: `make test` installs them (apt-get install -y postgresql)")
    with postgres_mode(shared, tmp_path) as mode:
        yield mode


def test_replicas_publisher_and_concurrent_uploads(mode, tmp_path):
    from tests.auth_helpers import CHANGES, EXPECTED, hammer_and_change
    from tests.browser import browser
    files = _uploads(tmp_path / "files")
    replicas = [_replica(mode, i) for i in range(3)]
    publisher = None
    try:
        for url, _ in replicas:
            _wait_health(url)
        if mode.get("url"):  # the publisher holds each build open 3 s, so it can be killed inside one
            publisher = subprocess.Popen([sys.executable, "-m", "etl", "publish", "--follow", "--interval", "0.5"],
                                         cwd=ROOT, env=_env(mode, mode["root"] / "publisher", CDCS_TEST_BUILD_PAUSE_S="3"),
                                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        # twenty loads at once; logins hammer the accounts meanwhile
        # (with a publisher running, the loaders only commit: CDCS_PUBLISH=daemon)
        loads = [subprocess.Popen([sys.executable, "-m", "etl", "load", "--quiet", str(f)], cwd=ROOT,
                                  env=_env(mode, mode["shared"] if not mode.get("url") else mode["root"] / f"loader{i}",
                                           CDCS_PUBLISH="daemon"),
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for i, f in enumerate(files)]
        where = {"url": mode["url"]} if mode.get("url") else {"warehouse": str(mode["shared"])}
        logins = hammer_and_change(where)
        replicas[1][1].send_signal(signal.SIGKILL)  # a replica dies mid-way
        if publisher is not None:  # and the publisher, inside a build
            cache = mode["root"] / "publisher" / "cache"
            deadline = time.time() + 120
            while not list(cache.glob(".tmp-*")) and time.time() < deadline:
                time.sleep(0.05)
            assert list(cache.glob(".tmp-*")), "the publisher never started a build"
            publisher.send_signal(signal.SIGKILL)
            publisher.wait(30)
            publisher = subprocess.Popen([sys.executable, "-m", "etl", "publish", "--follow", "--interval", "0.5"],
                                         cwd=ROOT, env=_env(mode, mode["root"] / "publisher"),
                                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        outs = [p.communicate(timeout=600) for p in loads]
        codes = [p.returncode for p in loads]
        assert codes == [0] * len(files), [o[0][-500:] + o[1][-500:] for o, c in zip(outs, codes) if c]
        assert all("Traceback" not in o[1] for o in outs)
        replicas[1] = _replica(mode, 1)  # restarted
        _wait_health(replicas[1][0])

        # logins: every failure counted, every account change kept, no exception
        assert logins["errors"] == [] and logins["name"] == 120 and logins["addr"] == 120
        assert logins["accounts"] == EXPECTED and logins["change_rows"] == len(CHANGES)

        # every upload exactly once, versions contiguous; published figures = the records'
        _check_records(mode, files)
        # every replica shows the current snapshot within 10 s
        expected = _current_id(mode)
        with browser() as b:
            page = b.new_page()
            page.set_default_timeout(60_000)
            for url, _ in replicas:
                deadline = time.time() + 10
                shown = _shown_snapshot(page, url)
                while shown != expected and time.time() < deadline:
                    time.sleep(0.5)
                    shown = _shown_snapshot(page, url)
                assert shown == expected, (url, shown, expected)
    finally:
        for _, proc in replicas:
            proc.kill()
        if publisher is not None:
            publisher.kill()


def _records_env(mode: dict):
    from etl import records
    return records.using(mode.get("url"))


def _check_records(mode: dict, files: list[Path]) -> None:
    from core import audit, snapshots
    from core.db import connect
    from etl import migrate
    with _records_env(mode):
        if mode.get("url"):  # wait for the publisher to take the last events
            from etl import publish
            deadline = time.time() + 60
            while publish.pending() and time.time() < deadline:
                time.sleep(0.5)
            assert publish.pending() == 0
        snap = snapshots.current(mode["shared"])
        con = connect(snap.path)
        try:
            names = [r[0] for r in con.execute("select file_name from raw_submission where file_name like '%.csv' "
                                              f"and round_code = '{ROUND}' and submission_id like '%/v%'").fetchall()]
            assert sorted(n for n in names if n in {f.name for f in files}) == sorted(f.name for f in files)
            versions = [r[0] for r in con.execute(f"select version from raw_submission where unit_code = '{ONE}' "
                                                 f"and round_code = '{ROUND}' order by version").fetchall()]
            assert versions == list(range(1, len(versions) + 1)) and len(versions) >= 5
            shown = con.execute(f"select value from fact_indicator where unit_code = '{ONE}' and year = {YEAR} "
                                "and indicator_code = 'workplace_dialogues'").fetchone()[0]
            newest = con.execute(f"select v.value from raw_value v join raw_submission s using (submission_id) "
                                 f"where s.unit_code = '{ONE}' and s.round_code = '{ROUND}' and "
                                 "v.indicator_code = 'workplace_dialogues' order by s.version desc limit 1").fetchone()[0]
            assert shown == newest  # the five were committed in some order: the newest version's value counts
            info = con.execute("select snapshot_id from snapshot_info").fetchone()[0]
            assert info == snap.id  # the current snapshot is whole
        finally:
            con.close()
        log = audit.read(limit=None, **({"url": mode["url"]} if mode.get("url") else {"warehouse": mode["shared"]}))
        assert int((log["event"] == "load_cli").sum()) == len(files)
        if mode.get("url"):  # the published figures equal a snapshot built afresh from PostgreSQL's records
            fresh = mode["root"] / "fresh"
            migrate.from_postgres(mode["url"], fresh)
            rebuilt = snapshots.current_pointer(fresh).path
            diff = {k: v for k, v in migrate.same_figures(snap.path, rebuilt).items() if v}
            assert diff == {}
        stored = Path(mode.get("store") or mode["shared"] / "snapshots")
        for f in stored.glob("[0-9]*.duckdb"):  # no partial snapshot was ever listed or pointed at
            c = connect(f)
            try:
                assert c.execute("select snapshot_id from snapshot_info").fetchone()[0] == f.stem
            finally:
                c.close()
