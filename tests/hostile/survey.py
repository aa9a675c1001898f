"""Survey of today's loader against the hostile corpus: each case loaded alone, through the real CLI.

    .venv/bin/python tests/hostile/survey.py [--only NAME ...] [--out tests/hostile/survey-baseline.md]

For every case of generate.CASES: a fresh copy of a small demo warehouse (built once with
`python -m etl demo --warehouse /tmp/hostile_wh --only LDLD63_38,LDLD63_01` when missing), then
`python -m etl load FILE --warehouse COPY` in a child process with an address-space cap (RLIMIT_AS, 4 GiB by
default) and a wall-clock timeout (60 s; the whole process group is killed). Measured: exit code, wall time,
peak RSS (wait4 rusage of the child), Python traceback or Rust panic on stderr, whether the copy's CURRENT
snapshot changed, whether the output names the place the case expects, raw control characters echoed to
the terminal, a leaked canary (/etc/passwd), and for accepted cases the value that must be current.

This records a baseline; it asserts nothing. The table goes to stdout and to --out.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import re
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import generate as gen  # noqa: E402

ROOT = gen.ROOT
DEFAULT_BASE = Path("/tmp/hostile_wh")
DEFAULT_CORPUS = Path("/tmp/hostile_corpus")
HEAD_BYTES = 4 << 20   # output read for analysis; longer output is counted, not kept
CONTROL = [b"\x1b", b"\x00", b"\x07", b"\x08", b"\r", "\u202e".encode()]


@dataclass
class Result:
    case: gen.Case
    exit: int | None = None
    signal: str = ""
    timed_out: bool = False
    seconds: float = 0.0
    peak_rss_mb: float = 0.0
    traceback: bool = False
    panic: bool = False
    changed: bool = False
    outcome: str = ""
    place: str = "-"          # yes | no | - (no place expected)
    control: str = ""         # which raw control characters reached stdout/stderr
    canary: str = "-"         # leaked | clean | -
    value: str = "-"          # ok | wrong (x) | missing | -
    findings: int = 0
    out_bytes: int = 0
    detail: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def matches(self) -> bool:
        if self.canary.startswith("leaked"):
            return False
        if self.case.expected == "reject":
            return self.outcome == "rejected"
        return self.outcome == "accepted" and self.value in ("ok", "-")


def _limits(mem_bytes: int):
    def apply():
        resource.setrlimit(resource.RLIMIT_AS, (mem_bytes, mem_bytes))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    return apply


def run_limited(cmd: list[str], cwd: Path, out: Path, err: Path, timeout: float, mem_bytes: int) -> dict:
    """Run cmd in its own session under RLIMIT_AS; kill the group at the timeout. Returns exit/rusage/time."""
    with open(out, "wb") as fo, open(err, "wb") as fe:
        t0 = time.perf_counter()
        p = subprocess.Popen(cmd, cwd=cwd, stdout=fo, stderr=fe, stdin=subprocess.DEVNULL,
                             preexec_fn=_limits(mem_bytes), start_new_session=True,
                             env={**os.environ, "PYTHONUNBUFFERED": "1", "PYTHONFAULTHANDLER": "1"})
        timed_out = False
        while True:
            pid, status, ru = os.wait4(p.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() - t0 > timeout:
                timed_out = True
                seconds = time.perf_counter() - t0
                # SIGABRT first: with PYTHONFAULTHANDLER the child prints where it was; then the whole group dies
                try:
                    os.kill(p.pid, signal.SIGABRT)
                except ProcessLookupError:
                    pass
                deadline = time.perf_counter() + 3
                while time.perf_counter() < deadline:
                    pid, status, ru = os.wait4(p.pid, os.WNOHANG)
                    if pid:
                        break
                    time.sleep(0.05)
                try:
                    os.killpg(p.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                if not pid:
                    pid, status, ru = os.wait4(p.pid, 0)
                break
            time.sleep(0.02)
        if not timed_out:
            seconds = time.perf_counter() - t0
        p.returncode = os.waitstatus_to_exitcode(status)
    return {"code": p.returncode, "seconds": seconds, "maxrss_kb": ru.ru_maxrss, "timed_out": timed_out}


def _head_tail(path: Path) -> tuple[bytes, int]:
    size = path.stat().st_size
    with open(path, "rb") as f:
        head = f.read(HEAD_BYTES)
        if size > HEAD_BYTES:
            f.seek(max(HEAD_BYTES, size - 65536))
            head += b"\n...\n" + f.read()
    return head, size


def _count_findings(path: Path) -> int:
    n = 0
    with open(path, "rb") as f:
        for line in f:
            if line.startswith(b"  ["):
                n += 1
    return n


def _current(wh: Path) -> dict | None:
    try:
        return json.loads((wh / "CURRENT").read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return None


def _place_named(case: gen.Case, text: str) -> str:
    if not case.place:
        return "-"
    lines = [ln for ln in text.splitlines() if ln.startswith("  [")] or text.splitlines()
    body = "\n".join(lines)
    if case.place == gen.WHOLE_FILE:
        return "yes" if gen.WHOLE_FILE in body else "no"
    if case.line is not None:
        ok = re.search(rf"(ô [A-Z]{{1,3}}{case.line}\b|dòng {case.line}\b|line {case.line}\b)", body)
        return "yes" if ok else "no"
    sheet_token = case.sheet.split(" ")[0] if case.sheet else ""
    for ln in lines:
        if sheet_token and sheet_token not in ln:
            continue
        if case.cell and not re.search(rf"\b{re.escape(case.cell)}\b", ln):
            continue
        return "yes"
    return "no"


def _value(snapshot: Path, check: tuple) -> str:
    import duckdb
    code, sector, year, want = check
    con = duckdb.connect(str(snapshot), read_only=True)
    try:
        row = con.execute("select value from fact_indicator where unit_code = ? and year = ? and indicator_code = ? "
                          "and coalesce(sector, 'TOTAL') = ?", [gen.UNIT, year, code, sector]).fetchone()
    finally:
        con.close()
    if row is None:
        return "missing"
    got = row[0]
    if abs(got - want) < 1e-9 and str(got) != "-0.0":
        return "ok"
    return f"wrong ({got:g})"


def _canary(case: gen.Case, wh: Path, text: bytes, snapshot: Path | None) -> str:
    if not case.canary:
        return "-"
    needle = case.canary.encode()
    if needle in text:
        return "leaked (output)"
    for p in list((wh / "reports").glob("*")) + [wh / "rejections.jsonl"]:
        if p.is_file() and needle in p.read_bytes():
            return "leaked (report)"
    if snapshot is not None:
        import duckdb
        con = duckdb.connect(str(snapshot), read_only=True)
        try:
            n = con.execute("select (select count(*) from raw_text where contains(text, $c)) "
                            "+ (select count(*) from raw_finding where contains(coalesce(value, '') || coalesce(sheet, ''), $c))",
                            {"c": case.canary}).fetchone()[0]
        finally:
            con.close()
        if n:
            return "leaked (warehouse)"
    return "clean"


_FRAME = re.compile(r'^\s*File "([^"]+)", line (\d+) in (\S+)', re.M)


def _where_stuck(err: str, root: Path) -> str:
    """Innermost product frame (and innermost frame) of a faulthandler dump."""
    i = err.find("(most recent call first)")
    if i < 0:
        return ""
    frames = _FRAME.findall(err[i:])
    if not frames:
        return ""
    own = next(((f, n, fn) for f, n, fn in frames if f.startswith(str(root)) and "site-packages" not in f), None)
    inner = frames[0]
    text = ""
    if own:
        text = f"in {own[2]} ({Path(own[0]).relative_to(root)}:{own[1]})"
    if inner != own:
        lib = re.sub(r"^.*/(site-packages|python3\.\d+)/", "", inner[0])
        text += f"{' → ' if text else 'in '}{inner[2]} ({lib}:{inner[1]})"
    return text


def _detail(out: str, err: str, root: Path = ROOT) -> str:
    alloc = re.search(r"memory allocation of (\d+) bytes failed", err)
    if alloc:
        fn = ""
        for frame in re.findall(r"^\s+\d+: (.*calamine::.*)$", err, re.M):
            if "alloc::" in frame:
                continue
            while True:
                stripped = re.sub(r"<[^<>]*>", "", frame)
                if stripped == frame:
                    break
                frame = stripped
            fn = frame.strip(":").split("::")[-1]
            break
        where = _where_stuck(err, root)
        return (f"Rust abort: allocation of {int(alloc.group(1)):,} bytes failed" + (f" in calamine {fn}" if fn else "")
                + (f"; Python {where}" if where else ""))
    if "Traceback (most recent call last)" in err or "panicked at" in err:
        lines = [ln for ln in err.strip().splitlines() if ln.strip()]
        exc = next((ln for ln in reversed(lines) if re.match(r"^[\w.]+(Error|Exception|Exit|Interrupt)\b", ln)), lines[-1])
        where = [ln.strip() for ln in lines if ln.strip().startswith('File "')]
        loc = where[-1].split(", in ")[-1] if where else ""
        return f"{exc[:110]}" + (f" (in {loc})" if loc else "")
    rules = re.findall(r"^  \[LỖI\].*\(([\w.]+)\)$", out, re.M)
    warns = re.findall(r"^  \[Cảnh báo\].*\(([\w.]+)\)$", out, re.M)
    parts = []
    if rules:
        uniq = list(dict.fromkeys(rules))
        parts.append("errors: " + ", ".join(uniq[:3]) + (" …" if len(uniq) > 3 else ""))
    if warns:
        uniq = list(dict.fromkeys(warns))
        parts.append("warnings: " + ", ".join(uniq[:3]) + (" …" if len(uniq) > 3 else ""))
    status = re.search(r"(ĐÃ NHẬN[^\n]*|KHÔNG ĐỔI[^\n]*)", out)
    if status:
        parts.insert(0, status.group(1).strip())
    if not parts:
        last = [ln for ln in (err.strip().splitlines() or out.strip().splitlines()) if ln.strip()]
        return last[-1][:120] if last else ""
    return "; ".join(parts)


def survey_case(case: gen.Case, path: Path, base: Path, work: Path, args) -> Result:
    wh = work / "wh"
    if wh.exists():
        shutil.rmtree(wh)
    shutil.copytree(base, wh, ignore=shutil.ignore_patterns("demo_files", ".tmp-*"))
    before = _current(wh)
    out, err = work / "stdout", work / "stderr"
    cmd = [args.python, "-m", "etl", "load", str(path), "--warehouse", str(wh)]
    r = run_limited(cmd, args.root, out, err, args.timeout, int(args.mem_gb * (1 << 30)))
    res = Result(case, exit=r["code"], seconds=r["seconds"], peak_rss_mb=r["maxrss_kb"] / 1024,
                 timed_out=r["timed_out"])
    if r["code"] is not None and r["code"] < 0:
        res.signal = signal.Signals(-r["code"]).name
    out_b, out_size = _head_tail(out)
    err_b, err_size = _head_tail(err)
    res.out_bytes = out_size + err_size
    out_s, err_s = out_b.decode("utf-8", "replace"), err_b.decode("utf-8", "replace")
    res.traceback = "Traceback (most recent call last)" in err_s
    res.panic = "panicked at" in err_s
    after = _current(wh)
    res.changed = before != after
    res.findings = _count_findings(out)
    res.control = " ".join(repr(c.decode("utf-8"))[1:-1] for c in CONTROL if c in out_b or c in err_b)
    if res.timed_out:
        res.outcome = "timeout"
    elif res.signal:
        res.outcome = f"killed ({res.signal})"
        if "memory allocation of" in err_s:
            res.outcome = "killed (OOM abort)"
    elif res.traceback or res.panic:
        res.outcome = "crash"
    elif "ĐÃ NHẬN" in out_s:
        res.outcome = "accepted"
    elif "BỊ TỪ CHỐI" in out_s:
        res.outcome = "rejected"
    elif "KHÔNG ĐỔI" in out_s:
        res.outcome = "unchanged"
    else:
        res.outcome = f"exit {r['code']}"
    res.place = _place_named(case, out_s + "\n" + err_s) if res.outcome in ("accepted", "rejected") else (
        "-" if not case.place else "no")
    snapshot = wh / after["file"] if (res.changed and after) else None
    check = gen.case_check(case)
    if check and case.expected == "accept":
        res.value = _value(snapshot, check) if snapshot else "not loaded"
    res.canary = _canary(case, wh, out_b + err_b, snapshot)
    if res.timed_out:
        stuck = _where_stuck(err_s, args.root)
        res.detail = f"killed after {args.timeout:.0f} s" + (f", {stuck}" if stuck else "")
    else:
        res.detail = _detail(out_s, err_s, args.root)
    shutil.rmtree(wh, ignore_errors=True)
    return res


def ensure_base(base: Path, args) -> None:
    if (base / "CURRENT").exists():
        return
    print(f"building the base warehouse {base} …", file=sys.stderr)
    cmd = [args.python, "-m", "etl", "demo", "--warehouse", str(base), "--only", "LDLD63_38,LDLD63_01"]
    subprocess.run(cmd, cwd=args.root, check=True, preexec_fn=_limits(int(args.mem_gb * (1 << 30))))


# --------------------------------------------------------------------------------------------------

def _cell(v) -> str:
    s = str(v)
    s = "".join(c if c.isprintable() else repr(c)[1:-1] for c in s)
    return s.replace("|", "\\|")


COLUMNS = ["case", "expected", "outcome", "match", "exit", "time s", "peak RSS MB", "traceback", "snapshot changed",
           "place named", "ctl echoed", "value", "findings", "output", "detail"]


def _row(r: Result) -> list[str]:
    tb = "yes" if r.traceback else ("panic" if r.panic else "no")
    out = f"{r.out_bytes / 1e6:.1f} MB" if r.out_bytes >= 1e6 else f"{r.out_bytes / 1e3:.1f} kB"
    value = r.value if r.canary == "-" else f"{r.value}; canary {r.canary}"
    return [r.case.name, r.case.expected, r.outcome, "✔" if r.matches else "✘",
            "—" if r.exit is None or r.timed_out else (r.signal or str(r.exit)), f"{r.seconds:.1f}", f"{r.peak_rss_mb:,.0f}", tb,
            "yes" if r.changed else "no", r.place, r.control or "no", value, f"{r.findings:,}", out, r.detail]


def table(results: list[Result]) -> str:
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    for r in results:
        lines.append("| " + " | ".join(_cell(x) for x in _row(r)) + " |")
    return "\n".join(lines)


def worst(results: list[Result]) -> list[str]:
    out = []
    bad = [r for r in results if r.outcome in ("timeout",) or r.outcome.startswith("killed")]
    for r in sorted(bad, key=lambda r: -r.seconds):
        out.append(f"- **{r.case.name}** — {r.outcome} after {r.seconds:.1f} s, peak RSS {r.peak_rss_mb:,.0f} MB: {r.case.attack}")
    crashes = [r for r in results if r.outcome == "crash"]
    for r in crashes:
        out.append(f"- **{r.case.name}** — crash after {r.seconds:.1f} s, peak RSS {r.peak_rss_mb:,.0f} MB "
                   f"({r.detail}): {r.case.attack}")
    bad += crashes
    slow = sorted([r for r in results if r not in bad and r.seconds > 10], key=lambda r: -r.seconds)
    for r in slow:
        out.append(f"- **{r.case.name}** — {r.seconds:.1f} s, peak RSS {r.peak_rss_mb:,.0f} MB, "
                   f"{r.findings:,} findings, {r.out_bytes / 1e6:.1f} MB of output")
    heavy = sorted([r for r in results if r not in bad and r not in slow and r.peak_rss_mb > 1024],
                   key=lambda r: -r.peak_rss_mb)
    for r in heavy:
        out.append(f"- **{r.case.name}** — peak RSS {r.peak_rss_mb:,.0f} MB in {r.seconds:.1f} s")
    silent = [r for r in results if r.case.expected == "reject" and r.outcome == "accepted"]
    if silent:
        out.append("- Accepted although they must be rejected: " + ", ".join(f"`{r.case.name}`" for r in silent))
    wrong = [r for r in results if r.case.expected == "accept" and r.outcome == "accepted" and r.value.startswith("wrong")]
    if wrong:
        out.append("- Accepted with a wrong value: " + ", ".join(f"`{r.case.name}` ({r.value})" for r in wrong))
    refused = [r for r in results if r.case.expected == "accept" and r.outcome == "rejected"]
    if refused:
        out.append("- Rejected although valid: " + ", ".join(f"`{r.case.name}` ({r.detail})" for r in refused))
    ctl = [r for r in results if r.control]
    if ctl:
        out.append("- Raw control characters echoed to the terminal: " + ", ".join(f"`{r.case.name}` ({r.control})" for r in ctl))
    leaked = [r for r in results if r.canary.startswith("leaked")]
    if leaked:
        out.append("- Canary leaked: " + ", ".join(f"`{r.case.name}` ({r.canary})" for r in leaked))
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--only", nargs="+", metavar="NAME")
    p.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="where the corpus is (re)generated")
    p.add_argument("--base", type=Path, default=DEFAULT_BASE, help="the demo warehouse copied for every case")
    p.add_argument("--root", type=Path, default=ROOT, help="checkout whose `python -m etl` is surveyed")
    p.add_argument("--python", default=str(Path("/work/main/.venv/bin/python")) if Path("/work/main/.venv/bin/python").exists()
                   else sys.executable)
    p.add_argument("--timeout", type=float, default=60.0)
    p.add_argument("--mem-gb", type=float, default=4.0)
    p.add_argument("--out", type=Path, default=HERE / "survey-baseline.md")
    args = p.parse_args(argv)
    args.root = args.root.resolve()

    ensure_base(args.base, args)
    cases = gen.CASES if not args.only else [gen.BY_NAME[n] for n in args.only]
    if args.corpus.exists():
        shutil.rmtree(args.corpus)
    t = time.perf_counter()
    paths = gen.generate(args.corpus, [c.name for c in cases])
    gen_s = time.perf_counter() - t
    apparent = sum(p.stat().st_size for p in paths.values())
    disk = sum(p.stat().st_blocks * 512 for p in paths.values())
    print(f"corpus: {len(paths)} files, {apparent / 1e6:,.0f} MB apparent, {disk / 1e6:,.1f} MB on disk, "
          f"generated in {gen_s:.1f} s", file=sys.stderr)

    results = []
    with tempfile.TemporaryDirectory(prefix="hostile-survey-") as tmp:
        for i, case in enumerate(cases, 1):
            r = survey_case(case, paths[case.name], args.base, Path(tmp), args)
            results.append(r)
            print(f"[{i:3d}/{len(cases)}] {case.name:38s} {r.outcome:16s} exit={r.exit!s:4s} {r.seconds:6.1f}s "
                  f"{r.peak_rss_mb:8,.0f}MB tb={'y' if r.traceback else 'n'} changed={'y' if r.changed else 'n'} "
                  f"place={r.place} {r.detail[:70]}", file=sys.stderr, flush=True)

    # the last commit of the product itself (this folder's own commits do not change what is surveyed)
    commit = subprocess.run(["git", "-C", str(args.root), "log", "-1", "--format=%h", "--", ".", ":!tests/hostile"],
                            capture_output=True, text=True).stdout.strip()
    dirty = subprocess.run(["git", "-C", str(args.root), "status", "--porcelain", "--", ".", ":!tests/hostile"],
                           capture_output=True, text=True).stdout.strip()
    if dirty:
        commit += " + uncommitted changes"
    n_match = sum(r.matches for r in results)
    head = [
        "# Hostile-file survey: baseline of today's loader",
        "",
        f"Generated by `tests/hostile/survey.py` on {datetime.now():%Y-%m-%d %H:%M} — product code at `{commit}` "
        f"({args.root}), Python {platform.python_version()}, {os.cpu_count()} cores. Each case: a fresh copy of the "
        f"demo warehouse (`etl demo --only LDLD63_38,LDLD63_01`), then `python -m etl load FILE --warehouse COPY` "
        f"under RLIMIT_AS = {args.mem_gb:g} GiB and a {args.timeout:.0f} s wall-clock limit.",
        "",
        f"Corpus: {len(paths)} files from `tests/hostile/generate.py`, {apparent / 1e9:,.2f} GB apparent, "
        f"{disk / 1e6:,.1f} MB on disk, generated in {gen_s:.1f} s.",
        "",
        f"**{n_match} of {len(results)} cases behave as expected today.** Columns: *outcome* accepted / rejected "
        "(clean exit with the CLI's verdict), crash (Python traceback or Rust panic), killed (signal, e.g. the memory "
        "cap), timeout; *match* = outcome (and value) as the case expects; *peak RSS* from wait4; *snapshot changed* = "
        "the copy's CURRENT pointer moved; *place named* = a finding line names the sheet and cell / CSV line / "
        "'cả tệp' the case expects (– when none); *ctl echoed* = raw control characters that reached the terminal; "
        "*value* = the value current after an accept (and the /etc/passwd canary where relevant); *findings* = "
        "finding lines printed; *output* = bytes written to stdout + stderr.",
        "",
        "Timings come from a shared 2-core machine and vary by ±20 % between runs; a case within ~10 s of the "
        "timeout can flip between 'timeout' and a verdict (or a MemoryError) from one run to the next.",
        "",
    ]
    body = table(results)
    tail = ["", "## Worst offenders", "", *worst(results), ""]
    text = "\n".join(head) + "\n" + body + "\n" + "\n".join(tail)
    print(body)
    print("\n".join(tail))
    args.out.write_text(text, encoding="utf-8")
    print(f"written {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
