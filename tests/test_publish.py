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
    snaps = list((warehouse / "snapshots").glob("[0-9]*.duckdb"))
    assert len(snaps) == keep + 1
    assert current(warehouse).path in snaps
    # besides them, one standby copy: of the current snapshot, never counted as one of the kept
    assert [p.name for p in (warehouse / "snapshots").glob(".spare-*")] == [f".spare-{current(warehouse).id}.duckdb"]


def _member_end(warehouse) -> float:
    from core.db import connect
    con = connect(current(warehouse).path)
    try:
        return con.execute("select value from stg_value where unit_code = 'LDLD63_38' and year = 2021 and "
                           "sector = 'TOTAL' and indicator_code = 'member_end'").fetchone()[0]
    finally:
        con.close()


def test_the_next_build_starts_from_the_standby_copy(warehouse, tmp_path):
    """After a publish the loader leaves a byte copy of the new snapshot; the next load builds in that very
    file (same inode) instead of copying on the upload's clock, and its figures are the ones loaded."""
    first, second = _files(tmp_path, 2)
    load_files([first], warehouse, loaded_by="test", progress=False)
    cur = current(warehouse)
    spare = warehouse / "snapshots" / f".spare-{cur.id}.duckdb"
    assert spare.stat().st_size == cur.path.stat().st_size
    assert spare.read_bytes() == cur.path.read_bytes()
    inode = spare.stat().st_ino
    load_files([second], warehouse, loaded_by="test", progress=False)
    assert current(warehouse).path.stat().st_ino == inode
    assert _member_end(warehouse) == 10_001
    assert cur.path.exists() and not spare.exists()  # the published file was never written to


def test_a_standby_copy_that_does_not_fit_is_never_built_on(warehouse, tmp_path):
    """A standby copy of an older snapshot, or one cut short, is swept or skipped: the build copies afresh."""
    import os
    from core.snapshots import claim_spare, spare_path, sweep_temporary
    first, second = _files(tmp_path, 2)
    load_files([first], warehouse, loaded_by="test", progress=False, standby="off")
    cur = current(warehouse)
    folder = warehouse / "snapshots"
    assert not list(folder.glob(".spare-*"))
    stale = spare_path(folder, "19990101-000000-0001")
    stale.write_bytes(b"not a snapshot")
    partial = folder / f".spare-{cur.id}.part-1-2"
    partial.write_bytes(b"half")
    sweep_temporary(warehouse)
    assert not stale.exists() and not partial.exists()
    short = spare_path(folder, cur.id)
    short.write_bytes(cur.path.read_bytes()[:4096])  # not the size of its source: never claimed
    assert not claim_spare(cur.path, cur.id, folder, tmp_path / "into.duckdb") and not short.exists()
    short.write_bytes(cur.path.read_bytes()[:4096])
    os.truncate(short, cur.path.stat().st_size - 1)
    load_files([second], warehouse, loaded_by="test", progress=False)
    assert _member_end(warehouse) == 10_001
