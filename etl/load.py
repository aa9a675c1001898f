"""Loading submission files: read, validate, version, publish. A rejected file loads nothing."""
from __future__ import annotations

import getpass
import hashlib
import json
import multiprocessing
import os
import sys
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path

import pandas as pd

from core import snapshots
from core.config import settings
from core.db import connect
from core.refdata import Reference, reference
from etl.findings import ERROR, WARNING, Finding, write_report
from etl.read import read_file
from etl.validate import RATING_COLUMNS, TEXT_COLUMNS, VALUE_COLUMNS, Clean, validate, year_on_year
from etl.warehouse import REJECTIONS, build_snapshot


PARALLEL_FROM = 16  # files; below this a worker pool costs more than it saves


@dataclass
class FileResult:
    """What happened to one file."""

    file_name: str
    path: str
    sha256: str
    status: str  # accepted | rejected | unchanged
    unit_code: str | None = None
    round_code: str | None = None
    version: int | None = None
    submission_id: str | None = None
    rows: int = 0
    findings: list[Finding] = field(default_factory=list)
    clean: Clean | None = None
    simulated: bool = False

    def summary(self) -> dict:
        d = {k: v for k, v in asdict(self).items() if k not in ("findings", "clean")}
        d["findings"] = [asdict(f) for f in self.findings]
        return d


@dataclass
class LoadResult:
    files: list[FileResult]
    snapshot: snapshots.Snapshot | None
    report: Path | None = None

    @property
    def exit_code(self) -> int:
        return 1 if any(f.status == "rejected" for f in self.files) else 0


class _State:
    """What the current snapshot already holds: versions, hashes and values for year-on-year checks."""

    def __init__(self, snap: snapshots.Snapshot | None):
        self.versions: dict[tuple[str, str], dict[str, int]] = {}
        self.prior: dict[tuple[str, str, int], float] = {}
        self.seq = 0
        if snap is None:
            return
        con = connect(snap.path, read_only=True)
        try:
            for unit, rnd, version, sha in con.execute("select unit_code, round_code, version, sha256 from raw_submission").fetchall():
                self.versions.setdefault((unit, rnd), {})[sha] = version
            self.seq = con.execute("select coalesce(max(seq), 0) from raw_submission_event").fetchone()[0]
            rows = con.execute("select unit_code, indicator_code, year, value from stg_value where sector = 'TOTAL' "
                               "and indicator_code in ('member_end', 'cdcs_total')").fetchall()
            self.prior = {(u, i, y): v for u, i, y, v in rows}
        finally:
            con.close()

    def lookup(self, unit: str, indicator: str, year: int) -> float | None:
        return self.prior.get((unit, indicator, year))


def _progress(items, enabled: bool, total: int):
    if not enabled:
        return items
    from tqdm import tqdm
    return tqdm(items, desc="Đang kiểm tra", unit="tệp", total=total, file=sys.stderr)


def _check_all(paths: list[Path], ref: Reference):
    """Check files in order; many files are read and validated on every core (results stay in order)."""
    workers = min(os.cpu_count() or 1, 4)
    if len(paths) < PARALLEL_FROM or workers < 2 or ref is not reference():
        for path in paths:
            yield check_file(path, ref)
        return
    # spawn, not fork: the parent may hold DuckDB or server threads that must not be copied mid-state
    with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        yield from pool.map(check_file, paths, chunksize=8)


def check_file(path: Path, ref: Reference | None = None, data: bytes | None = None) -> FileResult:
    """Read and validate one file without loading it (year-on-year rules are applied by the caller)."""
    ref = ref or reference()
    path = Path(path)
    max_mb = settings()["loader"]["max_file_mb"]
    data = path.read_bytes() if data is None else data
    sha = hashlib.sha256(data).hexdigest()
    if len(data) > max_mb * 1024 * 1024:
        f = Finding(file=path.name, rule="file_too_large", severity=ERROR, value=f"{len(data) / 1e6:.1f} MB",
                    expected=f"{max_mb} MB")
        return FileResult(path.name, str(path), sha, "rejected", findings=[f])
    parsed = read_file(path, ref, data)
    clean = validate(parsed, ref)
    status = "rejected" if parsed.has_errors else "accepted"
    return FileResult(path.name, str(path), sha, status, parsed.unit_code, parsed.round_code,
                      rows=clean.row_count, findings=parsed.findings, clean=clean, simulated=parsed.simulated)


def load_files(paths: list[Path], warehouse: Path, *, loaded_by: str | None = None,
               received_at: dict[str, datetime] | None = None, progress: bool | None = None,
               ref: Reference | None = None, note: str = "", names: dict[str, str] | None = None) -> LoadResult:
    """Validate each file and publish one new snapshot holding every accepted file as a new version.

    Files are independent: a rejected file loads nothing; the others still load. The same bytes already
    loaded for a unit and round change nothing. `received_at` (file name -> time) back-dates demo files;
    `names` (path -> name) records an upload under the name its sender gave it.
    """
    ref = ref or reference()
    warehouse = Path(warehouse)
    loaded_by = loaded_by or getpass.getuser()
    progress = sys.stderr.isatty() if progress is None else progress
    received_at = received_at or {}
    results: list[FileResult] = []
    with snapshots.writer_lock(warehouse):
        snapshots.sweep_temporary(warehouse)  # a build left by a killed load is never resumed
        state = _State(snapshots.current(warehouse))
        for result in _progress(_check_all([Path(p) for p in paths], ref), progress, len(paths)):
            results.append(result)
            if names and result.path in names:  # uploads: record the name the user gave, not the temp path
                result.file_name = names[result.path]
                for f in result.findings:
                    f.file = result.file_name
            if result.status != "accepted":
                continue
            result.findings += year_on_year(result.clean, result.file_name, ref, state.lookup)
            if any(f.severity == ERROR for f in result.findings):
                result.status = "rejected"
                continue
            key = (result.unit_code, result.round_code)
            known = state.versions.setdefault(key, {})
            if result.sha256 in known:
                result.status, result.version = "unchanged", known[result.sha256]
                result.submission_id = _submission_id(*key, result.version)
                continue
            result.version = max(known.values(), default=0) + 1
            result.submission_id = _submission_id(*key, result.version)
            known[result.sha256] = result.version
            for unit, year, sector, code, value, _, _ in result.clean.values:
                if sector == "TOTAL":
                    state.prior[(unit, code, year)] = value
        accepted = [r for r in results if r.status == "accepted"]
        rejected = [r for r in results if r.status == "rejected"]
        now = datetime.now()
        if rejected:
            _log_rejections(warehouse, rejected, now)
        snap = snapshots.current(warehouse)
        if accepted:
            def change(con):
                _insert(con, accepted, state, loaded_by, received_at, now, note)
            snap = build_snapshot(warehouse, ref, change)
        report = _report(warehouse, results, now)
    return LoadResult(results, snap, report)


def _submission_id(unit: str, round_code: str, version: int) -> str:
    return f"{unit}/{round_code}/v{version}"


def _insert(con, accepted: list[FileResult], state: _State, by: str, received_at: dict, now: datetime, note: str) -> None:
    subs, events, values, ratings, texts, findings = [], [], [], [], [], []
    seq = state.seq
    for r in accepted:
        at = received_at.get(r.file_name, now)
        c = r.clean
        n_warn = sum(f.severity == WARNING for f in r.findings)
        subs.append((r.submission_id, r.unit_code, r.round_code, r.version, r.sha256, r.file_name, at, by,
                     len(c.values), len(c.ratings), len(c.texts), n_warn, r.simulated, note))
        seq += 1
        events.append((seq, r.submission_id, "accepted", at, by, note))
        for rows, out in ((c.values, values), (c.ratings, ratings), (c.texts, texts)):
            out.extend((r.submission_id, *row) for row in rows)
        for f in r.findings:
            findings.append((r.submission_id, r.file_name, r.sha256, r.unit_code, r.round_code, "accepted", f.severity,
                             f.rule, f.sheet, f.cell, f.value, f.expected, f.message, f.fix, now))
    con.executemany("insert into raw_submission values (?,?,?,?,?,?,?,?,?,?,?,?,?,?)", subs)
    con.executemany("insert into raw_submission_event values (?,?,?,?,?,?)", events)
    if findings:
        con.executemany("insert into raw_finding values (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", findings)
    for table, rows, cols in (("raw_value", values, VALUE_COLUMNS), ("raw_rating", ratings, RATING_COLUMNS),
                              ("raw_text", texts, TEXT_COLUMNS)):
        if rows:
            names = ["submission_id", *cols]
            con.register("_new", pd.DataFrame(rows, columns=names))
            con.execute(f"insert into {table} ({', '.join(names)}) select {', '.join(names)} from _new")
            con.unregister("_new")


def _log_rejections(warehouse: Path, rejected: list[FileResult], now: datetime) -> None:
    """Append one line per rejected file; the log is never rewritten."""
    with open(warehouse / REJECTIONS, "a", encoding="utf-8") as f:
        for r in rejected:
            f.write(json.dumps({"file_name": r.file_name, "sha256": r.sha256, "unit_code": r.unit_code,
                                "round_code": r.round_code, "at": now.isoformat(timespec="seconds"),
                                "findings": [asdict(x) for x in r.findings if x.severity == ERROR]},
                               ensure_ascii=False) + "\n")


def _report(warehouse: Path, results: list[FileResult], now: datetime) -> Path:
    stem = f"load-{now:%Y%m%d-%H%M%S-%f}"
    out = warehouse / "reports" / f"{stem}.json"
    write_report([r.summary() for r in results], out, out.with_suffix(".csv"))
    return out


def rollback(warehouse: Path, unit: str, round_code: str, to_version: int, by: str | None = None,
             reason: str = "", ref: Reference | None = None) -> snapshots.Snapshot:
    """Make an earlier version current again, in a new snapshot; history keeps every version."""
    ref = ref or reference()
    warehouse = Path(warehouse)
    by = by or getpass.getuser()
    with snapshots.writer_lock(warehouse):
        snap = snapshots.current(warehouse)
        if snap is None:
            raise LookupError("Kho dữ liệu chưa có bản nào.")
        sub_id = _submission_id(unit, round_code, to_version)
        con = connect(snap.path, read_only=True)
        try:
            exists = con.execute("select count(*) from raw_submission where submission_id = ?", [sub_id]).fetchone()[0]
            seq = con.execute("select coalesce(max(seq), 0) from raw_submission_event").fetchone()[0]
        finally:
            con.close()
        if not exists:
            raise LookupError(f"Không có phiên bản {to_version} của {unit} kỳ {round_code}.")

        def change(con):
            con.execute("insert into raw_submission_event values (?, ?, 'rollback', ?, ?, ?)",
                        [seq + 1, sub_id, datetime.now(), by, reason])
        return build_snapshot(warehouse, ref, change)
