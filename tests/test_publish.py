"""Publishing: readers never block or see a torn snapshot; a killed load leaves the previous one current."""
import json
import signal
import subprocess
import sys
import time
from pathlib import Path


from core.snapshots import current
from etl.load import load_files
from etl.template import write_template
from tests.conftest import ROOT

READER = r"""
import json, sys, time
sys.path.insert(0, sys.argv[1])
from core.db import connect
from core.snapshots import current
import os
wh, stop, until = sys.argv[2], sys.argv[3], time.time() + 120
seen, errors, reads = set(), [], 0
while time.time() < until and not os.path.exists(stop):
    try:
        snap = current(wh)
        con = connect(snap.path, read_only=True)
        n = con.execute("select count(*) from stg_value").fetchone()[0]
        sid = con.execute("select snapshot_id from snapshot_info").fetchone()[0]
        con.close()
        assert sid == snap.id, (sid, snap.id)
        seen.add(sid); reads += 1
    except Exception as exc:
        errors.append(repr(exc))
print(json.dumps({"seen": sorted(seen), "errors": errors[:5], "reads": reads}))
"""


def _files(tmp: Path, n: int) -> list[Path]:
    out = []
    for i in range(n):
        p = tmp / f"f{i}.xlsx"
        write_template(p, "LDLD63_38", "N2021", values={("member_end", "TOTAL", 2021): 10_000 + i,
                                                       ("member_female", "TOTAL", 2021): 5000})
        out.append(p)
    return out


def test_readers_during_loads_never_fail(warehouse, tmp_path):
    files = _files(tmp_path, 4)
    stop = tmp_path / "stop"
    readers = [subprocess.Popen([sys.executable, "-c", READER, str(ROOT), str(warehouse), str(stop)],
                                stdout=subprocess.PIPE, text=True) for _ in range(3)]
    time.sleep(1.0)
    for f in files:
        result = load_files([f], warehouse, loaded_by="test", progress=False)
        assert result.files[0].status == "accepted"
        time.sleep(0.3)
    stop.touch()
    outs = [json.loads(r.communicate(timeout=60)[0]) for r in readers]
    for out in outs:
        assert out["errors"] == []
        assert out["reads"] > 5
    assert len(set().union(*(o["seen"] for o in outs))) >= 3  # they saw the pointer move


def _load_cmd(warehouse, files):
    return [sys.executable, "-m", "etl", "load", "--quiet", "--warehouse", str(warehouse), *map(str, files)]


def test_killed_load_keeps_the_previous_snapshot(warehouse, tmp_path):
    """SIGKILL a load at points spread over its run: the current snapshot is always whole, the next load works."""
    files = _files(tmp_path, 6)
    t0 = time.time()
    subprocess.run(_load_cmd(warehouse, files[:1]), cwd=ROOT, check=True, capture_output=True, timeout=120)
    duration = time.time() - t0
    for i, fraction in enumerate([0.2, 0.4, 0.55, 0.65, 0.75, 0.85, 0.92, 0.97]):
        before = current(warehouse)
        variant = tmp_path / f"k{i}.xlsx"
        write_template(variant, "LDLD63_38", "N2021", values={("member_end", "TOTAL", 2021): 20_000 + i})
        proc = subprocess.Popen(_load_cmd(warehouse, [variant]), cwd=ROOT,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(duration * fraction)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        after = current(warehouse)
        assert after.path.exists()
        from core.db import connect
        con = connect(after.path)
        # the current snapshot is whole: either the previous one or a fully published new one
        assert con.execute("select snapshot_id from snapshot_info").fetchone()[0] == after.id
        con.close()
        assert after.id == before.id or after.seq == before.seq + 1
        # the next load works and publishes
        result = load_files([files[(i % 5) + 1]], warehouse, loaded_by="test", progress=False)
        assert result.files[0].status in ("accepted", "unchanged")
        assert not list((warehouse / "snapshots").glob(".tmp-*"))


def test_a_load_killed_inside_its_build_publishes_nothing(warehouse, tmp_path):
    """The build is held open (failure hook), killed there; the previous snapshot stays, the next load sweeps."""
    import os
    before = current(warehouse)
    variant = tmp_path / "k.xlsx"
    write_template(variant, "LDLD63_38", "N2021", values={("member_end", "TOTAL", 2021): 30_000})
    proc = subprocess.Popen(_load_cmd(warehouse, [variant]), cwd=ROOT, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, env={**os.environ, "CDCS_TEST_BUILD_PAUSE_S": "60"})
    deadline = time.time() + 90
    while not list((warehouse / "snapshots").glob(".tmp-*")) and time.time() < deadline:
        time.sleep(0.05)
    assert list((warehouse / "snapshots").glob(".tmp-*")), "the build never started"
    time.sleep(0.5)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert current(warehouse) == before
    result = load_files([variant], warehouse, loaded_by="test", progress=False)
    assert result.files[0].status == "accepted" and current(warehouse).seq == before.seq + 1
    assert not list((warehouse / "snapshots").glob(".tmp-*"))


def test_old_snapshots_are_pruned(warehouse, tmp_path):
    from core.config import settings
    keep = settings()["warehouse"]["keep_snapshots"]
    for f in _files(tmp_path, keep + 3):
        load_files([f], warehouse, loaded_by="test", progress=False)
    snaps = list((warehouse / "snapshots").glob("*.duckdb"))
    assert len(snaps) == keep + 1
    assert current(warehouse).path in snaps
