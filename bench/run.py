"""Benchmark: load, publish, page and memory figures, each against a baseline measured in the same run.

    python bench/run.py                 # full run (make bench), 1×, 10×, 100×
    python bench/run.py --quick         # a small smoke run (a few files, 1× only, no browser)

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
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import logging  # noqa: E402

import psutil  # noqa: E402

logging.getLogger("streamlit").setLevel(logging.ERROR)  # AppTest outside a server warns about its context

WORK = ROOT / "bench" / "work"
RESULTS = ROOT / "bench" / "results"
PAGES = ["overview", "cadres", "members", "cards", "organisation", "ratings", "finance", "opinions", "progress",
         "methods", "report"]
URLS = ["", "can-bo", "doan-vien", "the-doan-vien", "to-chuc", "xep-loai", "tai-chinh", "y-kien", "tien-do",
        "phuong-phap", "bao-cao"]


def log(msg: str) -> None:
    print(f"[{datetime.now():%H:%M:%S}] {msg}", flush=True)


def machine() -> dict:
    import duckdb
    import pandas
    import streamlit
    return {"cores": os.cpu_count(), "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
            "cpu": platform.processor() or platform.machine(), "python": platform.python_version(),
            "duckdb": duckdb.__version__, "streamlit": streamlit.__version__, "pandas": pandas.__version__}


# ---- 1. load -----------------------------------------------------------------------------------------------
def demo_files(quick: bool) -> list[Path]:
    """The simulated workbooks (generated once and kept in bench/work/files)."""
    from etl.demo import _write, plan_files
    from core.refdata import reference
    folder = WORK / ("files_quick" if quick else "files")
    marker = folder / ".complete"
    if not marker.exists():
        shutil.rmtree(folder, ignore_errors=True)
        only = ["LDLD63_01", "LDLD63_79", "LDLD34_79", "CDN_GD"] if quick else None
        jobs, _, _ = plan_files(reference(), folder, only=only)
        jobs = [j for j in jobs if not j[0].endswith("_v1.xlsx")]  # one version per unit and round
        for job in jobs:
            _write(job)
        marker.touch()
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
    from etl.load import load_files
    shutil.rmtree(warehouse, ignore_errors=True)
    t = time.perf_counter()
    result = load_files(files, warehouse, loaded_by="bench", progress=False)
    elapsed = time.perf_counter() - t
    from core.snapshots import current
    snap = current(warehouse)
    return elapsed, {"files": len(files), "accepted": sum(f.status == "accepted" for f in result.files),
                     "rows": sum(f.rows for f in result.files), "snapshot_mb": round(snap.path.stat().st_size / 1e6, 1)}


# ---- 2. publish ----------------------------------------------------------------------------------------------
READER = r"""
import sys, time
sys.path.insert(0, sys.argv[1])
from core.db import connect
from core.snapshots import current
wh, old = sys.argv[2], sys.argv[3]
print("ready", flush=True)
deadline = time.time() + 60
while time.time() < deadline:
    snap = current(wh)
    if snap and snap.id != old:
        con = connect(snap.path)
        con.execute("select count(*) from stg_value").fetchone()
        con.close()
        print(time.time(), flush=True)
        break
    time.sleep(0.002)
"""


def publish_latency(warehouse: Path, one_file: Path) -> dict:
    """Seconds from the end of a load (pointer switched) until another process has opened and queried it."""
    from core.snapshots import current
    from etl.load import load_files
    from etl.template import write_template
    old = current(warehouse).id
    reader = subprocess.Popen([sys.executable, "-c", READER, str(ROOT), str(warehouse), old],
                              stdout=subprocess.PIPE, text=True)
    assert reader.stdout.readline().strip() == "ready"
    variant = WORK / "publish_variant.xlsx"
    write_template(variant, "LDLD63_01", "N2024", values={("workplace_dialogues", "TOTAL", 2024): 12_345})
    t0 = time.time()
    load_files([variant], warehouse, loaded_by="bench", progress=False)
    switched = os.stat(warehouse / "CURRENT").st_mtime
    seen = float(reader.stdout.readline())
    reader.wait(timeout=30)
    return {"load_s": round(time.time() - t0, 3), "seen_after_switch_s": round(max(0.0, seen - switched), 4)}


# ---- 3. pages ----------------------------------------------------------------------------------------------
def page_times(warehouse: Path, repeats: int) -> dict:
    """Server-side run of every page (queries + figures, caches cleared) vs an empty page, via AppTest."""
    os.environ["CDCS_WAREHOUSE"] = str(warehouse)
    import streamlit as st
    from streamlit.testing.v1 import AppTest
    from ui import common
    common.warehouse.clear()

    def run_empty():
        at = AppTest.from_string("import streamlit as st\nst.title('x')\nst.write('y')", default_timeout=120)
        t = time.perf_counter()
        at.run()
        return time.perf_counter() - t

    def run_page(page):
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
        if page != "overview":
            at.switch_page(f"pages/{page}.py")
        st.cache_data.clear()
        t = time.perf_counter()
        at.run()
        elapsed = time.perf_counter() - t
        assert not at.exception, (page, [e.value for e in at.exception])
        return elapsed

    run_empty()
    run_page("overview")  # warm imports and the connection once
    empty = [run_empty() for _ in range(repeats)]
    out = {"empty_median_s": statistics.median(empty)}
    samples = []
    for page in PAGES:
        times = [run_page(page) for _ in range(repeats)]
        samples += times
        out[page] = round(statistics.median(times), 3)
    samples.sort()
    out["all_pages_median_s"] = round(statistics.median(samples), 3)
    out["all_pages_p95_s"] = round(samples[min(len(samples) - 1, int(0.95 * len(samples)))], 3)
    out["ratio_median_to_empty"] = round(out["all_pages_median_s"] / out["empty_median_s"], 1)
    return out


# ---- 4. memory and cold start --------------------------------------------------------------------------------
def server_memory(warehouse: Path) -> dict:
    """Cold start to first page rendered in Chromium, and peak RSS of the server while every page is opened."""
    from tests.browser import browser, serve, wait_ready
    peak = 0
    with browser() as b:
        page = b.new_page(viewport={"width": 1440, "height": 1000})
        t0 = time.perf_counter()
        with serve(warehouse) as (url, proc):
            ps = psutil.Process(proc.pid)
            page.goto(url + "/")
            wait_ready(page, settle_ms=0)
            cold = time.perf_counter() - t0  # the page's elements are rendered
            page.wait_for_selector(".js-plotly-plot .scatterlayer")
            first_chart = time.perf_counter() - t0  # plotly has drawn the first chart too
            for path in URLS:
                page.goto(f"{url}/{path}")
                wait_ready(page)
                peak = max(peak, ps.memory_info().rss)
    return {"cold_start_s": round(cold, 2), "first_chart_s": round(first_chart, 2), "peak_rss_mb": round(peak / 2**20)}


# ---- main ---------------------------------------------------------------------------------------------------
def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="small smoke run: few files, 1× only, no browser")
    ap.add_argument("--scales", default="1,10,100")
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args()
    scales = [1] if args.quick else [int(s) for s in args.scales.split(",")]
    repeats = min(args.repeats, 2) if args.quick else args.repeats
    WORK.mkdir(parents=True, exist_ok=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    res: dict = {"when": datetime.now().isoformat(timespec="seconds"), "machine": machine(), "quick": args.quick}

    files = demo_files(args.quick)
    log(f"load: {len(files)} workbooks")
    bare = min(bare_read(files) for _ in range(2))
    wh = WORK / "wh1"
    load_s, info = project_load(files, wh)
    naive_files = files if args.quick else files[::5]  # the naive pipeline is slow: timed on a fifth, scaled up
    naive = naive_pipeline(naive_files, WORK / "naive.duckdb") * len(files) / len(naive_files)
    res["load"] = {**info, "bare_read_s": round(bare, 2), "etl_load_s": round(load_s, 2),
                   "naive_pipeline_s": round(naive, 2), "naive_measured_on_files": len(naive_files),
                   "ratio_etl_to_bare": round(load_s / bare, 2), "speedup_vs_naive": round(naive / load_s, 1)}
    log(f"load: {res['load']}")
    res["publish"] = publish_latency(wh, files[0])
    log(f"publish: {res['publish']}")

    res["scales"] = {}
    for factor in scales:
        if factor == 1:
            target, info = wh, {"factor": 1}
        else:
            from etl.scale import build_scaled
            target = WORK / f"wh{factor}"
            log(f"scale {factor}×: generating grassroots facts")
            info = build_scaled(wh, target, factor)
        pages = page_times(target, repeats)
        entry = {"build": info, "pages": pages}
        if not args.quick:
            entry["server"] = server_memory(target)
        res["scales"][str(factor)] = entry
        log(f"scale {factor}×: {entry}")

    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    (RESULTS / f"{stamp}.json").write_text(json.dumps(res, indent=1), encoding="utf-8")
    md = summary(res)
    (RESULTS / ("latest-quick.md" if args.quick else "latest.md")).write_text(md, encoding="utf-8")
    print("\n" + md)
    return 0


def summary(res: dict) -> str:
    ld, pub = res["load"], res["publish"]
    m = res["machine"]
    lines = [f"# Benchmark {res['when']}{' (quick)' if res['quick'] else ''}", "",
             f"Machine: {m['cores']} cores, {m['memory_gb']} GB, Python {m['python']}, DuckDB {m['duckdb']}, "
             f"Streamlit {m['streamlit']}, pandas {m['pandas']}.", "",
             "| What | Measured | Baseline | Ratio | Target |", "|---|---|---|---|---|",
             f"| Load {ld['files']} workbooks ({ld['rows']:,} cells) | {ld['etl_load_s']} s | bare calamine read "
             f"{ld['bare_read_s']} s | {ld['ratio_etl_to_bare']}× | ≤ 1.5× |",
             f"| Load vs naive openpyxl→pandas→row inserts | {ld['etl_load_s']} s | {ld['naive_pipeline_s']} s | "
             f"{ld['speedup_vs_naive']}× faster | ≥ 5× faster |",
             f"| Publish: reader sees new snapshot | {pub['seen_after_switch_s']} s after the switch | — | — | < 1 s |"]
    for factor, e in res["scales"].items():
        p = e["pages"]
        lines.append(f"| Pages at {factor}× (median / p95 of {len(PAGES)} pages) | {p['all_pages_median_s']} s / "
                     f"{p['all_pages_p95_s']} s | empty page {round(p['empty_median_s'], 3)} s | "
                     f"{p['ratio_median_to_empty']}× | ≤ 2× at 1×; p95 ≤ 1 s at 100× |")
        if "server" in e:
            s = e["server"]
            lines.append(f"| Server at {factor}×: peak RSS / cold start to first page (first chart drawn) | "
                         f"{s['peak_rss_mb']} MB / {s['cold_start_s']} s ({s['first_chart_s']} s) | — | — | "
                         "≤ 400 MB at 1×; ≤ 3 s |")
        if factor != "1":
            b = e["build"]
            lines.append(f"| Scale {factor}× build: {b['cdcs']:,} CĐCS, {b['grassroots_rows']:,} grassroots rows | "
                         f"{b['generate_s']} s generate + {b['aggregate_and_marts_s']} s aggregate & marts | — | — | — |")
    lines += ["", f"Snapshot size at 1×: {ld['snapshot_mb']} MB. Naive pipeline timed on {ld['naive_measured_on_files']} "
              "files and scaled to all."]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
