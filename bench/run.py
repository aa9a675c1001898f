"""Benchmark: every figure against a baseline measured in the same run (issue 14's table, issue 12's scale-out).

    python bench/run.py                      # make bench: 1×, 10×, 100×, concurrent viewers, scale-out
    python bench/run.py --quick              # smoke run (CI): a few files, 1× only, no browser, no server
    python bench/run.py --scales 1,10        # skip the 100× warehouse (its first build takes about an hour)

Scaled warehouses (10× and 100× the reporting units, every year 2011–2025, built by etl.scale through the
loader's own reader, validation and models) are kept in bench/work/scale-<n>x and reused; `--rebuild` builds
them again. Each run loads one more small file into each (a real, incremental load), so figures of a scaled
warehouse move by that file only — never back to the 1× figures.

Prints a table and writes bench/results/<time>.json and bench/results/latest.md. Targets are reported, never
asserted: a slow machine gives slow numbers, not a failure.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import logging  # noqa: E402

import psutil  # noqa: E402

logging.getLogger("streamlit").setLevel(logging.ERROR)  # AppTest outside a server warns about its context

WORK = ROOT / "bench" / "work"
RESULTS = ROOT / "bench" / "results"
# (label, url path with the query of a shared link); the unit page and explore by unit are where units count
PAGES = [("Tổng quan", ""), ("Tra cứu (theo vùng)", "tra-cuu"), ("Tra cứu (từng đơn vị)", "tra-cuu?dong=unit"),
         ("Hồ sơ đơn vị", "don-vi?dv=LDLD63_01"), ("Cán bộ", "can-bo"), ("Đoàn viên", "doan-vien"),
         ("Thẻ đoàn viên", "the-doan-vien"), ("Tổ chức CĐCS", "to-chuc"), ("Xếp loại", "xep-loai"),
         ("Tài chính", "tai-chinh"), ("Ý kiến", "y-kien"), ("Báo cáo", "bao-cao"), ("Nguồn số liệu", "nguon-so-lieu"),
         ("Tiến độ", "tien-do"), ("Phương pháp", "phuong-phap")]
SHELL = "khung"       # bench/shell_page.py inside the app (CDCS_BENCH_SHELL=1): the shell without a page body
THINK_S = 20.0        # a leader reads a page about 20 s (±50%) before the next click
SESSIONS = (1, 10, 50)


def log(msg: str) -> None:
    print(f"[{datetime.now():%H:%M:%S}] {msg}", flush=True)


def machine() -> dict:
    import duckdb
    import pandas
    import streamlit
    return {"cores": os.cpu_count(), "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
            "cpu": platform.processor() or platform.machine(), "python": platform.python_version(),
            "duckdb": duckdb.__version__, "streamlit": streamlit.__version__, "pandas": pandas.__version__,
            "load_average_at_start": [round(x, 1) for x in os.getloadavg()]}


# ---- 1. load -----------------------------------------------------------------------------------------------
def demo_files(quick: bool) -> list[Path]:
    """The simulated workbooks (generated once and kept in bench/work/files)."""
    from core.refdata import reference
    from etl.demo import _write, plan_files
    import hashlib
    folder = WORK / ("files_quick" if quick else "files")
    marker = folder / ".complete"
    # generated again whenever the generator or the template changed (old files may break today's rules)
    made_by = hashlib.sha256(b"".join((ROOT / "etl" / n).read_bytes() for n in ("demo.py", "template.py"))).hexdigest()
    if not marker.exists() or marker.read_text() != made_by:
        shutil.rmtree(folder, ignore_errors=True)
        only = ["LDLD63_01", "LDLD63_79", "LDLD34_79", "CDN_GD"] if quick else None
        jobs, _, _ = plan_files(reference(), folder, only=only)
        jobs = [j for j in jobs if not j[0].endswith("_v1.xlsx")]  # one version per unit and round
        for job in jobs:
            _write(job)
        marker.write_text(made_by)
    return sorted(folder.glob("*.xlsx"))


def bare_read(files: list[Path]) -> float:
    """The floor: python-calamine reading every cell of every sheet, nothing else."""
    import python_calamine
    t = time.perf_counter()
    for f in files:
        wb = python_calamine.CalamineWorkbook.from_path(str(f))
        for name in wb.sheet_names:
            wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
    return time.perf_counter() - t


def check_in_process(files: list[Path]) -> float:
    """The loader's reader, validation and rules in this process, one file after another (no sandbox, no build)."""
    from core.refdata import reference
    from etl.load import check_file
    ref = reference()
    check_file(files[0], ref)
    t = time.perf_counter()
    for f in files:
        check_file(f, ref)
    return time.perf_counter() - t


def naive_pipeline(files: list[Path], db: Path) -> float:
    """What a user would write: openpyxl → pandas → one INSERT per row into DuckDB."""
    import duckdb
    import openpyxl
    import pandas as pd
    if db.exists():
        db.unlink()
    t = time.perf_counter()
    con = duckdb.connect(str(db))
    con.execute("create table cells (file varchar, sheet varchar, code varchar, sector varchar, year integer, value varchar)")
    for f in files:
        wb = openpyxl.load_workbook(f, data_only=True)
        for ws in wb.worksheets:
            df = pd.DataFrame(ws.values)
            if df.empty or df.shape[1] < 6 or df.iat[0, 0] != "#SHEET":
                continue
            years = {c: df.iat[0, c] for c in range(5, df.shape[1]) if df.iat[0, c] is not None}
            for _, row in df.iloc[4:].iterrows():
                if row[0] is None:
                    continue
                for c, y in years.items():
                    if row[c] not in (None, ""):
                        con.execute("insert into cells values (?, ?, ?, ?, ?, ?)",
                                    [f.name, ws.title, row[0], row[1], int(y), str(row[c])])
    con.close()
    return time.perf_counter() - t


def project_load(files: list[Path], warehouse: Path) -> tuple[float, dict]:
    """`etl load` of every file into a new warehouse: sandboxed checks, decisions, one snapshot build."""
    from core.snapshots import current
    from etl.load import load_files
    shutil.rmtree(warehouse, ignore_errors=True)
    t = time.perf_counter()
    result = load_files(files, warehouse, loaded_by="bench", progress=False)
    elapsed = time.perf_counter() - t
    snap = current(warehouse)
    return elapsed, {"files": len(files), "accepted": sum(f.status == "accepted" for f in result.files),
                     "rows": sum(f.rows for f in result.files), "snapshot_mb": round(snap.path.stat().st_size / 1e6, 1)}


# ---- 2. upload → visible -------------------------------------------------------------------------------------
READER = r"""
import sys, time
sys.path.insert(0, sys.argv[1])
from core.db import connect
from core.snapshots import current
wh, old, unit, value = sys.argv[2], sys.argv[3], sys.argv[4], float(sys.argv[5])
print("ready", flush=True)
deadline = time.time() + 60
while time.time() < deadline:
    snap = current(wh)
    if snap and snap.id != old:
        con = connect(snap.path)
        got = con.execute("select value from fact_indicator where unit_code = ? and year = 2024 and "
                          "coalesce(sector, 'TOTAL') = 'TOTAL' and indicator_code = 'workplace_dialogues'", [unit]).fetchone()
        con.close()
        if got and got[0] == value:
            print(time.time(), flush=True)
            break
        old = snap.id
    time.sleep(0.005)
"""


def upload_visible(warehouse: Path, ref_folder: Path | None, tries: int = 3) -> dict:
    """Seconds from the end of the upload (the file's bytes are on the server) until another process reads the new
    value from the published snapshot: check in the sandbox, decide, incremental publish, pointer switch, read.
    The first try starts with no standby copy of the snapshot (the build copies it on the clock, as right after a
    rebuild); each load then prepares one, as in use, and the later tries start from it."""
    from core import snapshots
    from core.refdata import reference
    from etl.load import load_files
    ref = reference(ref_folder) if ref_folder else reference()
    unit = "LDLD63_01"
    for spare in (Path(warehouse) / "snapshots").glob(".spare-*"):
        spare.unlink()
    times, loads = [], []
    for k in range(tries + 1):
        value = 20_000 + int(time.time()) % 10_000 + k  # a new value each time: a real change
        f = WORK / f"upload_{unit}_{k}.csv"
        f.write_text(f"unit_code,year,sector,indicator_code,value\n{unit},2024,,workplace_dialogues,{value}\n",
                     encoding="utf-8")
        env = {**os.environ, "CDCS_WAREHOUSE": str(warehouse)}
        if ref_folder:
            env["CDCS_REFERENCE"] = str(ref_folder)
        reader = subprocess.Popen([sys.executable, "-c", READER, str(ROOT), str(warehouse),
                                   snapshots.current(warehouse).id, unit, str(value)],
                                  stdout=subprocess.PIPE, text=True, env=env)
        assert reader.stdout.readline().strip() == "ready"
        t0 = time.time()
        res = load_files([f], warehouse, loaded_by="bench", progress=False, ref=ref)
        loads.append(time.time() - t0)
        assert res.files[0].status == "accepted", [x.message for x in res.files[0].findings]
        line = reader.stdout.readline()
        reader.wait(timeout=30)
        times.append(float(line) - t0 if line.strip() else float("nan"))
    return {"visible_s": round(statistics.median(times[1:]), 3), "visible_all_s": [round(x, 3) for x in times[1:]],
            "visible_no_standby_s": round(times[0], 3), "load_call_s": round(statistics.median(loads), 3)}


# ---- 3. pages, on a real server, one viewer at a time ------------------------------------------------------------
@contextmanager
def _server(script: str, warehouse: Path, ref_folder: Path | None):
    """`python -m ui.serve run <script>` on a free loopback port; yields (url, process)."""
    from tests.browser import free_port
    port = free_port()
    env = {**os.environ, "CDCS_WAREHOUSE": str(warehouse), "CDCS_BENCH_SHELL": "1"}
    if ref_folder:
        env["CDCS_REFERENCE"] = str(ref_folder)
    proc = subprocess.Popen([sys.executable, "-m", "ui.serve", "run", script, "--server.port", str(port),
                             "--server.headless", "true", "--server.address", "127.0.0.1"], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 180
        while True:
            try:
                urllib.request.urlopen(url + "/_stcore/health", timeout=2)
                break
            except OSError:
                if time.time() > deadline or proc.poll() is not None:
                    raise RuntimeError(f"{script} did not start")
                time.sleep(0.1)
        yield url, proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()


def _runs(url: str, path: str, n: int) -> list[float]:
    """n runs of one page by one viewer, back to back (rerun request → script finished, over the websocket)."""
    from bench.loadgen import run_sessions
    res = run_sessions(url, [path], 1, per_session_runs=n, timeout_s=120, samples=True)
    if res["errors"]:
        raise RuntimeError(f"{path}: {res['error_samples']}")
    return res["samples_s"]


def page_times(url: str, empty_url: str, repeats: int) -> dict:
    """Every page's first run on this server (nothing of it cached yet) and `repeats` runs more (the same filters:
    cached queries and figures), the app shell alone (an empty page body) and an empty Streamlit page."""
    _runs(empty_url, "", 2)
    _runs(url, SHELL, 2)  # the session, imports and reference tables, once
    empty = statistics.median(_runs(empty_url, "", repeats + 1)[1:])
    shell = statistics.median(_runs(url, SHELL, repeats + 1)[1:])
    first, warm, medians = {}, {}, {}
    for _, path in PAGES:
        runs = _runs(url, path, repeats + 1)
        first[path], warm[path] = runs[0], runs[1:]
        medians[path] = round(statistics.median(runs), 3)
    samples = sorted(list(first.values()) + [s for w in warm.values() for s in w])
    med = statistics.median(samples)
    warm_med = statistics.median([s for w in warm.values() for s in w])
    return {"empty_s": round(empty, 3), "shell_s": round(shell, 3), "by_page_median_s": medians,
            "first_run_s": {p: round(v, 3) for p, v in first.items()},
            "first_median_s": round(statistics.median(first.values()), 3), "warm_median_s": round(warm_med, 3),
            "all_median_s": round(med, 3), "all_p95_s": round(_pct(samples, 0.95), 3),
            "ratio_median_to_empty": round(med / empty, 1), "ratio_warm_to_empty": round(warm_med / empty, 1),
            "ratio_shell_to_empty": round(shell / empty, 1),
            "body_median_s": round(statistics.median([max(0.0, m - shell) for m in medians.values()]), 3),
            "slowest": max(medians, key=medians.get)}


def _pct(xs: list[float], q: float) -> float:
    import math
    xs = sorted(xs)
    return xs[max(0, math.ceil(q * len(xs)) - 1)]


# ---- 4. a real server: cold start, concurrent viewers, memory ------------------------------------------------------
def _sample_rss(proc: psutil.Process, stop: threading.Event, peak: list[int]) -> None:
    while not stop.is_set():
        try:
            peak[0] = max(peak[0], proc.memory_info().rss + sum(c.memory_info().rss for c in proc.children(True)))
        except psutil.Error:
            pass
        stop.wait(0.2)


def server_figures(warehouse: Path, ref_folder: Path | None, repeats: int, sessions: tuple[int, ...],
                   duration_s: float, browser_start: bool = True) -> dict:
    """One server on 127.0.0.1: cold start to the first page in Chromium, every page's run time, then simulated
    viewers over Streamlit's websocket (bench/loadgen.py) at each session count — throughput, p50/p95 page run —
    and the server's peak RSS."""
    from bench.loadgen import run_sessions
    out: dict = {"think_s": THINK_S, "duration_s": duration_s, "sessions": {}}
    paths = [p for _, p in PAGES]
    t0 = time.perf_counter()
    with _server("app.py", warehouse, ref_folder) as (url, proc), \
            _server("bench/empty_app.py", warehouse, ref_folder) as (empty_url, _):
        if browser_start:
            from tests.browser import browser, wait_ready
            with browser() as b:
                page = b.new_page(viewport={"width": 1440, "height": 1000})
                page.goto(url + "/")
                wait_ready(page, settle_ms=0)
                out["cold_start_s"] = round(time.perf_counter() - t0, 2)
                page.close()
        ps = psutil.Process(proc.pid)
        out["pages"] = page_times(url, empty_url, repeats)
        out["rss_after_pages_mb"] = round(ps.memory_info().rss / 2**20)
        for n in sessions:
            stop, peak = threading.Event(), [0]
            sampler = threading.Thread(target=_sample_rss, args=(ps, stop, peak), daemon=True)
            sampler.start()
            think = 0.0 if n == 1 else THINK_S  # one viewer clicking back-to-back: the page's own run time
            res = run_sessions(url, paths, n, duration_s, timeout_s=60, think_s=think)
            stop.set()
            sampler.join()
            out["sessions"][str(n)] = {k: res[k] for k in ("runs", "errors", "error_samples", "throughput_runs_per_s",
                                                           "p50_s", "p95_s", "max_s")} | {
                "peak_rss_mb": round(peak[0] / 2**20), "think_s": think}
            log(f"  {n} sessions: {out['sessions'][str(n)]}")
    return out


# ---- 5. scale-out (issue 12): 20 uploads at once, embedded vs PostgreSQL; 1 vs 3 replicas ----------------------
def scaleout(base: Path, sessions: int, duration_s: float) -> dict:
    from tests import test_scaleout as so
    from tests.pg import binaries
    out: dict = {}
    root = WORK / "scaleout"
    shutil.rmtree(root, ignore_errors=True)
    files = so._uploads(root / "files")
    for name in ("embedded", "postgres"):
        if name == "postgres" and binaries() is None:
            out[name] = {"skipped": "PostgreSQL binaries missing (make bench installs them)"}
            continue
        mode_root = root / name
        shared = mode_root / "shared"
        shutil.copytree(base, shared, ignore=shutil.ignore_patterns("*.lock", ".tmp-*"))
        if name == "embedded":
            out[name] = _twenty_uploads({"name": name, "shared": shared, "root": mode_root}, files, so)
            continue
        with so.postgres_mode(shared, mode_root) as mode:
            out[name] = _twenty_uploads(mode, files, so)
            out["replicas"] = _replicas(mode, so, sessions, duration_s)
    return out


def _visible_count(mode: dict, names: set[str], so) -> int:
    from core import snapshots
    from core.db import connect
    with so._records_env(mode):
        snap = snapshots.current(mode["shared"])
        con = connect(snap.path)
        try:
            got = {r[0] for r in con.execute("select file_name from raw_submission").fetchall()}
        finally:
            con.close()
    return len(names & got)


def _twenty_uploads(mode: dict, files: list[Path], so) -> dict:
    """20 `etl load` processes started at once: seconds until all have returned and until all 20 files are in the
    published snapshot; peak RSS of all loaders together."""
    publisher = None
    if mode.get("url"):
        publisher = subprocess.Popen([sys.executable, "-m", "etl", "publish", "--follow", "--interval", "0.5"], cwd=ROOT,
                                     env=so._env(mode, mode["root"] / "publisher"), stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        time.sleep(3)
    try:
        t0 = time.time()
        loads = [subprocess.Popen([sys.executable, "-m", "etl", "load", "--quiet", str(f)], cwd=ROOT,
                                  env=so._env(mode, mode["shared"] if not mode.get("url") else mode["root"] / f"loader{i}",
                                              CDCS_PUBLISH="daemon"),
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for i, f in enumerate(files)]
        peak = 0
        while any(p.poll() is None for p in loads):
            rss = 0
            for p in loads:
                try:
                    rss += psutil.Process(p.pid).memory_info().rss
                except psutil.Error:
                    pass
            peak = max(peak, rss)
            time.sleep(0.2)
        returned = time.time() - t0
        codes = [p.returncode for p in loads]
        names = {f.name for f in files}
        deadline = time.time() + 120
        while _visible_count(mode, names, so) < len(names) and time.time() < deadline:
            time.sleep(0.2)
        visible = time.time() - t0
        return {"uploads": len(files), "failed": sum(c != 0 for c in codes), "all_returned_s": round(returned, 1),
                "all_visible_s": round(visible, 1), "visible_after_last_s": round(visible - returned, 1),
                "loaders_peak_rss_mb": round(peak / 2**20), "visible": _visible_count(mode, names, so)}
    finally:
        if publisher is not None:
            publisher.kill()


def _replicas(mode: dict, so, sessions: int, duration_s: float) -> dict:
    """The same simulated viewers against one replica, then spread over three (PostgreSQL mode, stateless)."""
    from bench.loadgen import run_sessions
    paths = [p for _, p in PAGES]
    out = {}
    for n in (1, 3):
        replicas = [so._replica(mode, i) for i in range(n)]
        try:
            for url, _ in replicas:
                so._wait_health(url)
            shares = [sessions // n + (i < sessions % n) for i in range(n)]
            results: list[dict] = [None] * n

            def go(i):
                results[i] = run_sessions(replicas[i][0], paths, shares[i], duration_s, timeout_s=60, think_s=THINK_S)
            threads = [threading.Thread(target=go, args=(i,)) for i in range(n)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            runs = sum(r["runs"] for r in results)
            out[str(n)] = {"sessions": sessions, "runs": runs, "errors": sum(r["errors"] for r in results),
                           "throughput_runs_per_s": round(sum(r["throughput_runs_per_s"] for r in results), 2),
                           "p95_s": max(r["p95_s"] or 0 for r in results), "p50_s": statistics.median(
                               [r["p50_s"] for r in results if r["p50_s"] is not None] or [0])}
            log(f"  {n} replica(s): {out[str(n)]}")
        finally:
            for _, proc in replicas:
                proc.kill()
    return out


# ---- scaled warehouses -------------------------------------------------------------------------------------------
def scaled(factor: int, rebuild: bool) -> tuple[Path, Path, dict]:
    """(warehouse, reference folder, build figures) of the factor× warehouse, built when missing."""
    folder = WORK / f"scale-{factor}x"
    wh, ref = folder / "wh", folder / f"reference-{factor}x"
    info_file = folder / "build.json"
    if rebuild or not info_file.exists() or not (wh / "CURRENT").exists():
        from etl.scale import build_scaled
        log(f"scale {factor}×: building (every unit's files through the loader's checks; this takes a while)")
        folder.mkdir(parents=True, exist_ok=True)
        info = build_scaled(wh, factor, ref_folder=ref, progress=True)
        info_file.write_text(json.dumps(info), encoding="utf-8")
    return wh, ref, json.loads(info_file.read_text(encoding="utf-8"))


# ---- main ---------------------------------------------------------------------------------------------------
def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="smoke run: few files, 1× only, no browser, no server")
    ap.add_argument("--scales", default="1,10,100")
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--duration", type=float, default=60.0, help="seconds of each concurrent-viewers run")
    ap.add_argument("--rebuild", action="store_true", help="build the scaled warehouses again")
    ap.add_argument("--no-scaleout", action="store_true")
    ap.add_argument("--summary", type=Path, help="print the table of a results JSON again (nothing measured)")
    args = ap.parse_args()
    if args.summary:
        print(summary(json.loads(args.summary.read_text(encoding="utf-8"))))
        return 0
    scales = [1] if args.quick else [int(s) for s in args.scales.split(",")]
    repeats = min(args.repeats, 2) if args.quick else args.repeats
    WORK.mkdir(parents=True, exist_ok=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    res: dict = {"when": datetime.now().isoformat(timespec="seconds"), "machine": machine(), "quick": args.quick}

    files = demo_files(args.quick)
    log(f"load: {len(files)} workbooks")
    bare = min(bare_read(files) for _ in range(2))
    checked = check_in_process(files)
    wh = WORK / ("wh1-quick" if args.quick else "wh1")  # a smoke run never replaces the full 1× warehouse
    load_s, info = project_load(files, wh)
    naive_files = files if args.quick else files[::5]  # the naive pipeline is slow: timed on a fifth, scaled up
    naive = naive_pipeline(naive_files, WORK / "naive.duckdb") * len(files) / len(naive_files)
    res["load"] = {**info, "bare_read_s": round(bare, 2), "etl_load_s": round(load_s, 2),
                   "check_in_process_s": round(checked, 2), "naive_pipeline_s": round(naive, 2),
                   "naive_measured_on_files": len(naive_files), "ratio_etl_to_bare": round(load_s / bare, 1),
                   "ratio_check_to_bare": round(checked / bare, 1), "speedup_vs_naive": round(naive / load_s, 1)}
    log(f"load: {res['load']}")

    res["scales"] = {}
    for factor in scales:
        if factor == 1:
            target, ref_folder, build = wh, None, {"factor": 1}
        else:
            target, ref_folder, build = scaled(factor, args.rebuild)
        entry: dict = {"build": build}
        log(f"scale {factor}×: upload → visible")
        entry["upload"] = upload_visible(target, ref_folder, tries=2 if args.quick else 3)
        log(f"scale {factor}×: server: pages ({repeats} runs each){'' if args.quick else ', simulated viewers'}")
        counts = () if args.quick else SESSIONS if factor in (1, max(scales)) else (1,)
        entry["server"] = server_figures(target, ref_folder, repeats, counts, args.duration,
                                         browser_start=not args.quick)
        entry["pages"] = entry["server"].pop("pages")
        res["scales"][str(factor)] = entry
        log(f"scale {factor}×: {json.dumps({k: v for k, v in entry.items() if k != 'build'}, ensure_ascii=False)[:600]}")

    if not args.quick and not args.no_scaleout:
        log("scale-out: 20 uploads at once (embedded, PostgreSQL), 1 and 3 replicas")
        res["scaleout"] = scaleout(wh, sessions=30, duration_s=args.duration)

    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    (RESULTS / f"{stamp}.json").write_text(json.dumps(res, indent=1, ensure_ascii=False), encoding="utf-8")
    md = summary(res)
    (RESULTS / ("latest-quick.md" if args.quick else "latest.md")).write_text(md, encoding="utf-8")
    print("\n" + md)
    return 0


def _s(x) -> str:
    return "—" if x is None else f"{x:g} s"


def summary(res: dict) -> str:
    ld, m = res["load"], res["machine"]
    lines = [f"# Benchmark {res['when']}{' (quick)' if res['quick'] else ''}", "",
             f"Machine: {m['cores']} cores, {m['memory_gb']} GB, Python {m['python']}, DuckDB {m['duckdb']}, "
             f"Streamlit {m['streamlit']}, pandas {m['pandas']}; load average at start {m['load_average_at_start']}.",
             "", "| What | Measured | Baseline (same run) | Ratio | Target |", "|---|---|---|---|---|",
             f"| Load {ld['files']} demo workbooks ({ld['rows']:,} cells): `etl load`, sandboxed checks + build | "
             f"{ld['etl_load_s']} s | bare calamine read {ld['bare_read_s']} s | {ld['ratio_etl_to_bare']}× | ≤ 1.5× |",
             f"| — of which reader + validation + rules, in one process | {ld['check_in_process_s']} s | bare calamine "
             f"read {ld['bare_read_s']} s | {ld['ratio_check_to_bare']}× | — |",
             f"| Load vs naive openpyxl→pandas→row inserts | {ld['etl_load_s']} s | {ld['naive_pipeline_s']} s | "
             f"{ld['speedup_vs_naive']}× faster | — |"]
    for factor, e in res["scales"].items():
        p, u, b = e["pages"], e["upload"], e["build"]
        units = f"{b['units']:,} units" if "units" in b else "demo units"
        target = "≤ 1 s" if factor == "1" else ("≤ 2 s" if factor == "100" else "—")
        lines.append(f"| Upload → visible to another process at {factor}× ({units}), the standby copy ready | "
                     f"{u['visible_s']} s (runs {', '.join(map(str, u['visible_all_s']))}) | — | — | {target} |")
        if "visible_no_standby_s" in u:
            lines.append(f"| — the same with no standby copy (the build copies the snapshot first) | "
                         f"{u['visible_no_standby_s']} s | — | — | — |")
        lines.append(f"| Pages at {factor}×: median / p95 of {len(PAGES)} pages (first run and {len(p['by_page_median_s'])} "
                     f"pages × repeats with the same filters) | {p['all_median_s']} s / {p['all_p95_s']} s | empty page "
                     f"{p['empty_s']} s | {p['ratio_median_to_empty']}× | {'≤ 2×' if factor == '1' else 'p95 ≤ 1 s at 100×'} |")
        lines.append(f"| — first run of each page (nothing cached) / again with the same filters: medians at {factor}× | "
                     f"{p['first_median_s']} s / {p['warm_median_s']} s | empty page {p['empty_s']} s | "
                     f"{round(p['first_median_s'] / p['empty_s'], 1)}× / {p['ratio_warm_to_empty']}× | — |")
        lines.append(f"| — app shell alone (sidebar, navigation, URL state, login box) / page body median at {factor}× | "
                     f"{p['shell_s']} s / {p['body_median_s']} s | empty page {p['empty_s']} s | "
                     f"{p['ratio_shell_to_empty']}× (shell) | — |")
        lines.append(f"| — slowest page at {factor}×: `{p['slowest'] or '/'}` | {p['by_page_median_s'][p['slowest']]} s "
                     f"(first run {p['first_run_s'][p['slowest']]} s) | — | — | — |")
        if e.get("server", {}).get("sessions"):
            s = e["server"]
            for n, r in s["sessions"].items():
                think = f"{r['think_s']:g} s think time" if r["think_s"] else "back-to-back runs"
                lines.append(f"| {n} concurrent session(s) at {factor}× ({think}, {s['duration_s']:g} s): p50 / p95 page run, "
                             f"throughput, peak server RSS | {_s(r['p50_s'])} / {_s(r['p95_s'])}, "
                             f"{r['throughput_runs_per_s']} runs/s, {r['peak_rss_mb']} MB ({r['errors']} errors) | "
                             f"1 session p95 {_s(s['sessions']['1']['p95_s'])} | — | "
                             f"{'p95 ≤ 1.5 s; RSS ≤ 600 MB at 100×' if n == '50' else '—'} |")
            lines.append(f"| Server cold start at {factor}× (first page rendered in Chromium) / RSS after every page once | "
                         f"{s['cold_start_s']} s / {s['rss_after_pages_mb']} MB | — | — | — |")
        if factor != "1":
            lines.append(f"| Build of the {factor}× warehouse: {b['files']:,} files, {b['values']:,} values | "
                         f"{b['check_s']} s checks + {b['build_s']} s build; snapshot {b['snapshot_mb']} MB | — | — | — |")
    so = res.get("scaleout")
    if so:
        for name in ("embedded", "postgres"):
            r = so.get(name, {})
            if "skipped" in r:
                lines.append(f"| 20 uploads at once, {name} | skipped: {r['skipped']} | — | — | — |")
            elif r:
                lines.append(f"| 20 uploads at once, {name}: all returned / all visible / loaders' peak RSS | "
                             f"{r['all_returned_s']} s / {r['all_visible_s']} s ({r['visible']}/{r['uploads']} visible, "
                             f"{r['failed']} failed) / {r['loaders_peak_rss_mb']} MB | "
                             + (f"embedded {so['embedded']['all_visible_s']} s" if name == "postgres" and
                                "all_visible_s" in so.get("embedded", {}) else "—")
                             + " | — | visible within a few s of the last |")
        rep = so.get("replicas")
        if rep:
            one, three = rep["1"], rep["3"]
            lines.append(f"| {one['sessions']} sessions ({THINK_S:g} s think time), PostgreSQL mode: 3 replicas vs 1 — "
                         f"p95, throughput | {_s(three['p95_s'])}, {three['throughput_runs_per_s']} runs/s | "
                         f"1 replica {_s(one['p95_s'])}, {one['throughput_runs_per_s']} runs/s | "
                         f"{round(three['throughput_runs_per_s'] / one['throughput_runs_per_s'], 2) if one['throughput_runs_per_s'] else '—'}× "
                         "throughput | — |")
    lines += ["", f"Snapshot at 1×: {ld['snapshot_mb']} MB. Naive pipeline timed on {ld['naive_measured_on_files']} files "
              "and scaled to all. A page run is timed from the rerun request to the end of the script, received over "
              "Streamlit's websocket by a simulated viewer (bench/loadgen.py) from a real server on 127.0.0.1 (no "
              "browser drawing); the empty page is a two-element script on its own server."]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
