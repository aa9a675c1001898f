"""Loading submission files: check (in sandboxed workers, no lock), decide and publish (under the writer lock).

Every accepted file is a version of (unit, round) whose scope is the keys it mentions: numbers by (unit,
year, sector, indicator), ratings by (unit, year, scheme, level), answers by (unit, round, question). The
value in force for a key is the one of the newest active version that mentions it; a file never removes a
value it does not mention ("xóa" in a cell removes one explicitly). A file that changes nothing is not a new
version. A rejected file loads nothing; the other files of the same command are not affected.
"""
from __future__ import annotations

import contextlib
import getpass
import hashlib
import json
import sys
import time
from dataclasses import asdict, dataclass, field, fields
from datetime import datetime
from pathlib import Path

import pandas as pd

from core import snapshots
from core.config import MODELS, settings
from core.db import connect
from core.refdata import Reference, reference
from core.text import terminal_safe
from etl.findings import ERROR, WARNING, Finding, write_report
from etl.read import read_file
from etl.rules import ChangeSet, UnitFigures, apply, assess, diff
from etl.validate import RATING_COLUMNS, TEXT_COLUMNS, VALUE_COLUMNS, Clean, validate
from etl.warehouse import build_snapshot, stage_standby

CHANGE_COLUMNS = ["submission_id", "kind", "unit_code", "year", "sector", "code", "round_code", "old_value",
                  "new_value", "old_text", "new_text", "status", "is_large", "sheet", "cell"]


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
    changes: ChangeSet | None = None
    check_seconds: float | None = None  # measured in the checking worker
    check_mb: float | None = None  # peak memory the check added in the worker

    def summary(self) -> dict:
        d = {f.name: getattr(self, f.name) for f in fields(self) if f.name not in ("findings", "clean", "changes")}
        d["findings"] = [asdict(f) for f in self.findings]
        d["changes"] = self.changes.counts if self.changes else None
        return d

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == ERROR]


@dataclass
class LoadResult:
    files: list[FileResult]
    snapshot: snapshots.Snapshot | None
    report: Path | None = None
    dry_run: bool = False

    @property
    def exit_code(self) -> int:
        return 1 if any(f.status == "rejected" for f in self.files) else 0


def _reject(name: str, path: str, rule: str, sha: str = "", **kw) -> FileResult:
    return FileResult(name, path, sha, "rejected", findings=[Finding(file=name, rule=rule, severity=ERROR, **kw)])


def _size_mb() -> int:
    return int(settings()["loader"]["max_file_mb"])


def too_large(name: str, path: str, size: int) -> FileResult | None:
    """A rejection when a file is over the size limit (decided from its size, before reading it).

    MB here are 1.000.000 bytes, as the upload widget and the file managers count them."""
    limit = _size_mb()
    if size > limit * 1_000_000:
        shown = f"{size / 1_000_000:,.1f} MB".replace(",", "X").replace(".", ",").replace("X", ".")
        return _reject(name, path, "file_too_large", value=shown, expected=f"{limit} MB")
    return None


def check_file(path: Path, ref: Reference | None = None, name: str | None = None) -> FileResult:
    """Read and validate one file, in this process (the workers call it; tests may too)."""
    ref = ref or reference()
    path = Path(path)
    name = name or path.name
    refused = too_large(name, str(path), path.stat().st_size)
    if refused:
        return refused
    data = path.read_bytes()
    sha = hashlib.sha256(data).hexdigest()
    parsed = read_file(name, data, ref)
    del data
    clean = validate(parsed, ref)
    parsed.close()
    status = "rejected" if parsed.has_errors else "accepted"
    known_unit = parsed.unit_code in ref.units.index and parsed.round_code in ref.rounds.index
    return FileResult(name, str(path), sha, status, parsed.unit_code, parsed.round_code, rows=clean.row_count,
                      findings=parsed.findings, clean=clean if known_unit else None, simulated=parsed.simulated)


def check_files(paths: list[Path], ref: Reference, names: dict[str, str] | None = None, sandbox=None,
                progress: bool = False) -> list[FileResult]:
    """Check every file in sandboxed workers; a file that breaks a limit is rejected, the others go on."""
    from etl.worker import error_id, shared
    names = names or {}
    results: list[FileResult | None] = []
    todo = []
    for i, path in enumerate(paths):
        name = names.get(str(path), Path(path).name)
        try:
            size = Path(path).stat().st_size
        except OSError:
            results.append(_reject(name, str(path), "worker_failed", value="không đọc được tệp"))
            continue
        results.append(too_large(name, str(path), size))
        if results[-1] is None:
            todo.append((i, Path(path), name))
    bar = _progress(len(todo)) if progress and todo else None
    sandbox = sandbox or shared()
    try:
        outcomes = sandbox.check_many([(p, n) for _, p, n in todo], ref.folder, on_done=bar.update if bar else None)
    finally:
        if bar:
            bar.close()
    limits = sandbox.limits
    detail = {"limit_memory": f"{limits.memory_mb} MB", "limit_cpu": f"{limits.cpu_seconds} giây",
              "limit_time": f"{limits.timeout_seconds:g} giây"}
    for (i, path, name), (kind, payload) in zip(todo, outcomes):
        if kind == "ok":
            results[i] = payload
        elif kind in detail:
            results[i] = _reject(name, str(path), kind, expected=detail[kind])
        else:
            eid = error_id()
            _log_error(eid, name, payload)
            results[i] = _reject(name, str(path), "worker_failed", value=eid)
    return results


def _log_error(eid: str, name: str, text) -> None:
    """Unexpected failures go to the server log (stderr of the server, never the user's screen)."""
    import logging
    logging.getLogger("cdcs.load").error("check failed [%s] %s\n%s", eid, terminal_safe(name), text)


def _progress(total: int):
    from tqdm import tqdm
    return tqdm(total=total, desc="Đang kiểm tra", unit="tệp", file=sys.stderr)


class State:
    """What is in force for the units of a batch: versions, hashes and figures; from the current snapshot
    (embedded) or from the records in PostgreSQL (State.from_records)."""

    def __init__(self, snap: snapshots.Snapshot | None, units: set[str]):
        self.versions: dict[tuple[str, str], dict[str, int]] = {}
        self.max_version: dict[tuple[str, str], int] = {}
        self.figures: dict[str, UnitFigures] = {u: UnitFigures() for u in units}
        self.seq = 0
        self.closed: dict = {}  # round_code -> core.approval.Closing, for the rounds closed now
        if snap is None:
            return
        con = connect(snap.path, read_only=True)
        try:
            self._read(con, units)
        finally:
            con.close()

    @classmethod
    def from_records(cls, conn, units: set[str]) -> State:
        """The state of some units from the PostgreSQL records, computed in memory by the same models."""
        from etl import records
        from etl.warehouse import RAW_SCHEMA, models
        state = cls(None, units)
        if not units:
            return state
        frames = records.unit_rows(conn, sorted(units))
        con = connect(":memory:", read_only=False)
        try:
            con.execute((MODELS / RAW_SCHEMA).read_text(encoding="utf-8"))
            for name, df in frames.items():
                if not df.empty:
                    con.register("_rows", df)
                    con.execute(f"insert into {name} ({', '.join(df.columns)}) select {', '.join(df.columns)} from _rows")
                    con.unregister("_rows")
            for m in models():
                if m.relation in ("stg_submission", "stg_value", "stg_rating", "stg_text"):
                    con.execute(m.path.read_text(encoding="utf-8"))
                    con.execute(f"create table {m.relation} as select * from {m.relation}_rows([])")
            state._read(con, units)
        finally:
            con.close()
        return state

    def _read(self, con, units: set[str]) -> None:
        for unit, rnd, version, sha in con.execute("select unit_code, round_code, version, sha256 from raw_submission").fetchall():
            self.versions.setdefault((unit, rnd), {})[sha] = version
            self.max_version[(unit, rnd)] = max(self.max_version.get((unit, rnd), 0), version)
        self.seq = con.execute("select coalesce(max(seq), 0) from raw_submission_event").fetchone()[0]
        if not units:
            return
        params = [sorted(units)]
        for u, code, sector, year, value, sid in con.execute(
                "select unit_code, indicator_code, sector, year, value, submission_id from stg_value "
                "where list_contains(?, unit_code)", params).fetchall():
            key = (code, sector, year)
            self.figures[u].values[key] = value
            self.figures[u].source[("value", key)] = sid
        for u, year, level, count, sid in con.execute(
                "select unit_code, year, level_code, cdcs_count, submission_id from stg_rating "
                "where list_contains(?, unit_code)", params).fetchall():
            self.figures[u].ratings[(year, level)] = count
            self.figures[u].source[("rating", (year, level))] = sid
        for u, rnd, q, text, sid in con.execute(
                "select unit_code, round_code, question_code, text, submission_id from stg_text "
                "where list_contains(?, unit_code)", params).fetchall():
            self.figures[u].texts[(rnd, q)] = text
            self.figures[u].source[("text", (rnd, q))] = sid


def preview(result: FileResult, snap: snapshots.Snapshot | None, ref: Reference | None = None,
            closed: dict | None = None) -> FileResult:
    """The findings of the rules on the unit's figures and the change set, against a snapshot (no lock)."""
    if result.clean is None:
        return result
    state = State(snap, {result.unit_code})
    state.closed = closed or {}
    _decide([result], state, ref or reference(), dry_run=True)
    return result


def _decide(results: list[FileResult], state: State, ref: Reference, dry_run: bool) -> None:
    """In command order: rules on the figures after each file, its change set, and its version number.

    A file already refused cell by cell is still checked against the rules, so that one report lists every
    problem; it is never loaded."""
    for r in results:
        if r.clean is None:
            continue
        if r.round_code in state.closed:  # a closed round takes no change until an administrator reopens it
            r.findings.append(_closed_finding(r.file_name, state.closed[r.round_code]))
            r.status = "rejected"
            continue
        figures = state.figures.setdefault(r.unit_code, UnitFigures())
        r.findings += assess(r.clean, figures, ref, r.file_name)
        if r.status != "accepted":
            continue
        if any(f.severity == ERROR for f in r.findings):
            r.status = "rejected"
            continue
        r.changes = diff(r.clean, figures)
        key = (r.unit_code, r.round_code)
        known = state.versions.setdefault(key, {})
        if not r.changes.changes_anything:
            r.status = "unchanged"  # not a new version; `version` names the identical file when there is one
            r.version = known.get(r.sha256)
            r.submission_id = _submission_id(*key, r.version) if r.version else None
            continue
        r.version = state.max_version.get(key, 0) + 1
        state.max_version[key] = r.version
        known[r.sha256] = r.version
        r.submission_id = _submission_id(*key, r.version)
        state.figures[r.unit_code] = apply(r.clean, figures, r.submission_id, in_place=True)


def _closed_finding(file_name: str, closing) -> Finding:
    from core.approval import round_label
    return Finding(file=file_name, rule="round_closed", severity=ERROR, value=round_label(closing.round_code),
                   expected=f"ngày {closing.date_label}")


def load_files(paths: list[Path], warehouse: Path, *, loaded_by: str | None = None,
               received_at: dict[str, datetime] | None = None, progress: bool | None = None,
               ref: Reference | None = None, note: str = "", names: dict[str, str] | None = None,
               dry_run: bool = False, sandbox=None, publish: bool = True, standby: str = "now") -> LoadResult:
    """Check each file, then publish one new snapshot holding every accepted file as a new version.

    Files are independent: a rejected file loads nothing; the others still load. `received_at` (file name
    -> time) back-dates demo files; `names` (path -> name) records an upload under the name its sender gave.
    dry_run: check and compute the change sets against the current snapshot, load nothing.
    With $CDCS_DATABASE_URL the accepted files are committed to PostgreSQL in one short transaction and
    published by the publisher (this call publishes what is pending unless publish=False).
    standby: after a publish, copy the new snapshot for the next build "now" (before returning),
    in the "background" (the desk) or "off".
    """
    ref = ref or reference()
    warehouse = Path(warehouse)
    loaded_by = loaded_by or getpass.getuser()
    progress = sys.stderr.isatty() if progress is None else progress
    received_at = received_at or {}
    results = check_files([Path(p) for p in paths], ref, names, sandbox, progress)
    now = datetime.now()
    from core.approval import closed_rounds
    from etl import records
    if records.enabled():
        return _load_records(results, warehouse, ref, loaded_by, received_at, now, note, dry_run, publish)
    if dry_run:
        snap = snapshots.current(warehouse)
        state = State(snap, {r.unit_code for r in results if r.clean is not None})
        state.closed = closed_rounds(warehouse=warehouse)
        _decide(results, state, ref, dry_run=True)
        return LoadResult(results, snap, dry_run=True)
    with snapshots.writer_lock(warehouse):
        snapshots.sweep_temporary(warehouse)  # a build left by a killed load is never resumed
        snap = snapshots.current(warehouse)
        state = State(snap, {r.unit_code for r in results if r.clean is not None})
        state.closed = closed_rounds(warehouse=warehouse)  # read under the lock: closing takes it too
        _decide(results, state, ref, dry_run=False)
        accepted = [r for r in results if r.status == "accepted"]
        if accepted:
            snap = build_snapshot(warehouse, ref, lambda con: _insert(con, accepted, state, loaded_by, received_at, now, note),
                                  units={r.unit_code for r in accepted})
            if standby == "now":  # before the lock is let go: the next loader waiting for it takes this copy
                stage_standby(warehouse, locked=True)
    if accepted and standby == "background":
        stage_standby(warehouse, background=True)
    rejected = [r for r in results if r.status == "rejected"]
    if rejected:
        _log_rejections(warehouse, rejected, now)
    report = _report(warehouse, results, now)
    return LoadResult(results, snap, report)


def _load_records(results: list[FileResult], warehouse: Path, ref: Reference, loaded_by: str, received_at: dict,
                  now: datetime, note: str, dry_run: bool, publish: bool) -> LoadResult:
    """The PostgreSQL mode: decide and insert in one short transaction under the units' advisory locks."""
    from core.approval import closed_rounds
    from etl import publish as publisher
    from etl import records
    units = {r.unit_code for r in results if r.clean is not None}
    if dry_run:
        with records.engine().connect() as conn:
            state = State.from_records(conn, units)
        state.closed = closed_rounds(warehouse=warehouse)
        _decide(results, state, ref, dry_run=True)
        return LoadResult(results, snapshots.current(warehouse), dry_run=True)
    with records.transaction() as conn:
        records.lock_units(conn, sorted(units))
        state = State.from_records(conn, units)
        state.closed = closed_rounds(warehouse=warehouse)  # read under the units' locks
        _decide(results, state, ref, dry_run=False)
        accepted = [r for r in results if r.status == "accepted"]
        if accepted:
            seqs = records.next_seqs(conn, len(accepted))
            for name, df in _rows(accepted, seqs, loaded_by, received_at, now, note).items():
                records.copy_rows(conn, records.metadata.tables[name], df)
    rejected = [r for r in results if r.status == "rejected"]
    if rejected:
        _log_rejections(warehouse, rejected, now)
    report = _report(warehouse, results, now)
    if publish and accepted and publisher.inline():
        snap = publisher.publish_pending(warehouse, ref)
    else:
        snap = snapshots.current(warehouse)
    return LoadResult(results, snap, report)


def _submission_id(unit: str, round_code: str, version: int) -> str:
    return f"{unit}/{round_code}/v{version}"


def _frame(rows: list[tuple], columns: list[str], dtype=None) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=columns, dtype=dtype)


def _insert_frame(con, table: str, df: pd.DataFrame) -> None:
    if df.empty:
        return
    con.register("_new", df)
    try:
        con.execute(f"insert into {table} ({', '.join(df.columns)}) select {', '.join(df.columns)} from _new")
    finally:
        con.unregister("_new")


def change_rows(submission_id: str, unit: str, changes: ChangeSet) -> list[tuple]:
    """The change set as raw_change rows (numbers, ratings and answers alike)."""
    rows = []
    for c in changes.items:
        if c.kind == "value":
            code, sector, year = c.key
            rows.append((submission_id, "value", unit, year, sector, code, None, c.old, c.new, None, None,
                         c.status, c.large, c.sheet, c.cell))
        elif c.kind == "rating":
            year, level = c.key
            rows.append((submission_id, "rating", unit, year, None, level, None, c.old, c.new, None, None,
                         c.status, c.large, c.sheet, c.cell))
        else:
            rnd, question = c.key
            rows.append((submission_id, "text", unit, None, None, question, rnd, None, None, c.old, c.new,
                         c.status, c.large, c.sheet, c.cell))
    return rows


def _rows(accepted: list[FileResult], seqs: list[int], by: str, received_at: dict, now: datetime,
          note: str, dtype=None) -> dict[str, pd.DataFrame]:
    """The raw rows of accepted files, per raw table (one event number each from seqs). dtype=object keeps the
    Python values as they are (DuckDB reads them into the typed raw columns; 4× faster than typed columns)."""
    subs, events, values, ratings, texts, findings, changes = [], [], [], [], [], [], []
    for r, seq in zip(accepted, seqs):
        at = received_at.get(r.file_name, now)
        c = r.clean
        n = r.changes.counts
        n_warn = sum(f.severity == WARNING for f in r.findings)
        subs.append((r.submission_id, r.unit_code, r.round_code, r.version, r.sha256, r.file_name, at, by,
                     len(c.values), len(c.ratings), len(c.texts), n_warn, r.simulated, note,
                     n["new"], n["changed"], n["removed"], n["unchanged"]))
        events.append((seq, r.submission_id, "accepted", at, by, note))
        for rows, out in ((c.values, values), (c.ratings, ratings), (c.texts, texts)):
            out.extend((r.submission_id, *row) for row in rows)
        changes.extend(change_rows(r.submission_id, r.unit_code, r.changes))
        for f in r.findings:
            findings.append((r.submission_id, r.file_name, r.sha256, r.unit_code, r.round_code, "accepted", f.severity,
                             f.rule, f.sheet, f.cell, f.value, f.expected, f.message, f.fix, now))
    tables = {"raw_submission": (subs, SUBMISSION_COLUMNS), "raw_submission_event": (events, EVENT_COLUMNS),
              "raw_finding": (findings, FINDING_COLUMNS), "raw_change": (changes, CHANGE_COLUMNS),
              "raw_value": (values, ["submission_id", *VALUE_COLUMNS]),
              "raw_rating": (ratings, ["submission_id", *RATING_COLUMNS]),
              "raw_text": (texts, ["submission_id", *TEXT_COLUMNS])}
    return {name: _frame(rows, columns, dtype) for name, (rows, columns) in tables.items()}


def _insert(con, accepted: list[FileResult], state: State, by: str, received_at: dict, now: datetime, note: str) -> None:
    """Insert accepted files into a snapshot being built (the embedded mode's records)."""
    seqs = list(range(state.seq + 1, state.seq + 1 + len(accepted)))
    for table, df in _rows(accepted, seqs, by, received_at, now, note, dtype=object).items():
        _insert_frame(con, table, df)


SUBMISSION_COLUMNS = ["submission_id", "unit_code", "round_code", "version", "sha256", "file_name", "received_at",
                      "loaded_by", "n_values", "n_ratings", "n_texts", "n_warnings", "simulated", "note", "n_new",
                      "n_changed", "n_removed", "n_unchanged"]
EVENT_COLUMNS = ["seq", "submission_id", "event", "event_at", "by_user", "reason"]
FINDING_COLUMNS = ["submission_id", "file_name", "sha256", "unit_code", "round_code", "status", "severity", "rule",
                   "sheet", "cell", "value", "expected", "message", "fix", "found_at"]


def _log_rejections(warehouse: Path, rejected: list[FileResult], now: datetime) -> None:
    """One row per rejected file in the state store, with a bounded summary of its findings."""
    from core.rejections import record_rejection
    for r in rejected:
        record_rejection(r.file_name, r.sha256 or None, r.unit_code, r.round_code, r.findings, warehouse=warehouse)


def _report(warehouse: Path, results: list[FileResult], now: datetime) -> Path:
    stem = f"load-{now:%Y%m%d-%H%M%S-%f}"
    out = warehouse / "reports" / f"{stem}.json"
    write_report([r.summary() for r in results], out, out.with_suffix(".csv"))
    return out


def _active_after_events(events: list[tuple[int, str, int]]) -> tuple[set[int], dict[int, set[int]]]:
    """Replay the (seq, event, version) of one unit and round: the active versions now, and right after each
    version was accepted."""
    active: set[int] = set()
    after_accept: dict[int, set[int]] = {}
    for _, event, version in events:
        if event == "accepted":
            active.add(version)
            after_accept[version] = set(active)
        elif event in ("reactivated", "rollback"):
            active.add(version)
        elif event == "deactivated":
            active.discard(version)
    return active, after_accept


_ROLLBACK_ROWS = ("select e.seq, e.event, s.version, s.submission_id from raw_submission_event as e "
                  "join raw_submission as s using (submission_id) where s.unit_code = {u} and s.round_code = {r} "
                  "order by e.seq")


def _rollback_events(rows: list[tuple], unit: str, round_code: str, to_version: int, seqs, by: str,
                     reason: str) -> list[tuple]:
    """The events that make (unit, round) as it was right after `to_version` was accepted: a 'rollback' on it,
    'deactivated' on versions active now but not then, 'reactivated' on versions active then but not now.
    rows: (seq, event, version, submission_id) of the unit and round, in order; seqs(n): n event numbers."""
    ids = {version: sid for _, _, version, sid in rows}
    if to_version not in ids:
        raise LookupError(f"Không có phiên bản {to_version} của {unit} kỳ {round_code}.")
    active, after_accept = _active_after_events([(s, e, v) for s, e, v, _ in rows])
    target = after_accept.get(to_version, {to_version})
    changes = [(ids[to_version], "rollback")]
    changes += [(ids[v], "deactivated") for v in sorted(active - target)]
    changes += [(ids[v], "reactivated") for v in sorted((target - active) - {to_version})]
    now = datetime.now()
    return [(seq, sid, event, now, by, reason) for seq, (sid, event) in zip(seqs(len(changes)), changes)]


def rollback(warehouse: Path, unit: str, round_code: str, to_version: int, by: str | None = None,
             reason: str = "", ref: Reference | None = None) -> snapshots.Snapshot:
    """Make (unit, round) as it was right after version `to_version` was accepted, in a new snapshot.

    Versions accepted later become inactive (their values stop counting), versions that were active then
    become active again; history keeps every version and every event.
    """
    from etl import records
    ref = ref or reference()
    warehouse = Path(warehouse)
    by = by or getpass.getuser()
    from core.approval import refuse_if_closed
    if records.enabled():
        from sqlalchemy import text

        from etl import publish as publisher
        with records.transaction() as conn:
            records.lock_units(conn, [unit])
            refuse_if_closed(round_code, warehouse=warehouse)  # RoundClosed, naming the round
            rows = conn.execute(text(_ROLLBACK_ROWS.format(u=":u", r=":r")), {"u": unit, "r": round_code}).fetchall()
            events = _rollback_events([tuple(r) for r in rows], unit, round_code, to_version,
                                      lambda n: records.next_seqs(conn, n), by, reason)
            records.copy_rows(conn, records.raw_submission_event, _frame(events, EVENT_COLUMNS))
        return publisher.publish_pending(warehouse, ref) if publisher.inline() else snapshots.current(warehouse)
    with snapshots.writer_lock(warehouse):
        refuse_if_closed(round_code, warehouse=warehouse)  # RoundClosed, naming the round
        snap = snapshots.current(warehouse)
        if snap is None:
            raise LookupError("Kho dữ liệu chưa có bản nào.")
        con = connect(snap.path, read_only=True)
        try:
            rows = con.execute(_ROLLBACK_ROWS.format(u="?", r="?"), [unit, round_code]).fetchall()
            seq = con.execute("select coalesce(max(seq), 0) from raw_submission_event").fetchone()[0]
        finally:
            con.close()
        events = _rollback_events(rows, unit, round_code, to_version, lambda n: range(seq + 1, seq + 1 + n), by, reason)

        def change(con):
            _insert_frame(con, "raw_submission_event", _frame(events, EVENT_COLUMNS))
        return build_snapshot(warehouse, ref, change, units={unit})


ADMIN_FILE = "(quản trị viên xóa số liệu)"


def remove_values(warehouse: Path, unit: str, keys: list[tuple[str, tuple]], by: str | None = None, reason: str = "",
                  ref: Reference | None = None) -> FileResult:
    """An administrator's explicit removal of values in force: a new version per round whose rows are deletion marks.

    keys: (kind, key) with kind 'value' → (indicator, sector, year), 'rating' → (year, level), 'text' → (round,
    question). Keys with no value in force are reported, not removed. Raises LookupError when nothing is left.
    """
    ref = ref or reference()
    warehouse = Path(warehouse)
    by = by or getpass.getuser()
    if not reason.strip():
        raise ValueError("Cần ghi lý do xóa.")
    from etl import records
    if records.enabled():
        from etl import publish as publisher
        with records.transaction() as conn:
            records.lock_units(conn, [unit])
            result = _removal(unit, keys, reason, State.from_records(conn, {unit}), ref, warehouse)
            seqs = records.next_seqs(conn, 1)
            for name, df in _rows([result], seqs, by, {}, datetime.now(), reason).items():
                records.copy_rows(conn, records.metadata.tables[name], df)
        if publisher.inline():
            publisher.publish_pending(warehouse, ref)
        return result
    with snapshots.writer_lock(warehouse):
        state = State(snapshots.current(warehouse), {unit})
        result = _removal(unit, keys, reason, state, ref, warehouse)
        now = datetime.now()
        build_snapshot(warehouse, ref, lambda con: _insert(con, [result], state, by, {}, now, reason), units={unit})
    return result


def _removal(unit: str, keys: list[tuple[str, tuple]], reason: str, state: State, ref: Reference,
             warehouse: Path) -> FileResult:
    """The administrator's removal as a version (decided against the state); LookupError when impossible,
    RoundClosed (naming the round) when the values belong to a closed round."""
    figures = state.figures[unit]
    missing = [k for k in keys if (k[0], k[1]) not in figures.source]
    if missing:
        raise LookupError("Không có số liệu đang dùng để xóa: " + "; ".join(f"{k[0]} {k[1]}" for k in missing))
    sources = {figures.source[(kind, key)] for kind, key in keys}
    rounds = sorted({sid.split("/")[1] for sid in sources})
    if len(rounds) != 1:
        raise LookupError("Các giá trị thuộc nhiều kỳ báo cáo; xóa riêng từng kỳ.")
    from core.approval import refuse_if_closed
    refuse_if_closed(rounds[0], warehouse=warehouse)
    clean = Clean()
    for kind, key in keys:
        if kind == "value":
            code, sector, year = key
            clean.values.append((unit, year, sector, code, None, True, "", ""))
        elif kind == "rating":
            year, level = key
            clean.ratings.append((unit, year, ref.level_scheme[level], level, None, True, "", ""))
        else:
            rnd, question = key
            clean.texts.append((unit, rnd, question, None, True, "", ""))
    sha = hashlib.sha256(json.dumps([unit, keys, reason, datetime.now().isoformat()], default=str).encode()).hexdigest()
    result = FileResult(ADMIN_FILE, "", sha, "accepted", unit, rounds[0], rows=clean.row_count, clean=clean)
    _decide([result], state, ref, dry_run=False)
    if result.status != "accepted":
        raise LookupError("; ".join(f.message for f in result.errors) or "Không có gì để xóa.")
    return result


def _check_bytes(job: tuple[str, bytes, str]) -> FileResult:
    """A worker's check of a generated file (bulk mode): the same reader and validation as any file."""
    name, data, folder = job
    ref = reference(Path(folder))
    parsed = read_file(name, data, ref)
    clean = validate(parsed, ref)
    parsed.close()
    status = "rejected" if parsed.has_errors else "accepted"
    return FileResult(name, "", hashlib.sha256(data).hexdigest(), status, parsed.unit_code, parsed.round_code,
                      rows=clean.row_count, findings=parsed.findings, clean=clean, simulated=parsed.simulated)


def _bounded_map(pool, fn, items, window: int):
    """pool.map in order, with at most `window` items in flight (Executor.map would take every item at once)."""
    from collections import deque
    queue = deque()
    for item in items:
        queue.append(pool.submit(fn, item))
        if len(queue) >= window:
            yield queue.popleft().result()
    while queue:
        yield queue.popleft().result()


def bulk_load(items, warehouse: Path, ref: Reference, *, loaded_by: str, progress: bool = False,
              batch: int = 500, workers: int | None = None) -> dict:
    """Load many generated files into a new warehouse in one build (the benchmark's scaled warehouses).

    items: (file name, bytes) in load order, each unit's files together. Every file goes through the same
    reader, validation and rules (against the unit's figures so far) as load_files; accepted files become
    versions; rows are inserted in batches and the models are built once. Not for submissions from people:
    generated files are trusted not to be hostile, so they are checked in a plain process pool, not the
    sandbox; every version is recorded as simulated (a later real upload does not make the warehouse look real).
    workers: checking processes ([worker] processes); 0 checks in this process (small tests). Returns counts and
    timings.
    """
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    warehouse = Path(warehouse)
    state = State(None, set())
    counts = {"files": 0, "rejected": 0, "values": 0}
    timing = {"check_s": 0.0}
    now = datetime.now()

    def change(con):
        t0 = time.perf_counter()
        pending: list[FileResult] = []
        n = max(1, int(settings()["worker"]["processes"])) if workers is None else workers
        jobs = ((name, data, str(ref.folder)) for name, data in items)
        with (ProcessPoolExecutor(max_workers=n, mp_context=multiprocessing.get_context("spawn")) if n
              else contextlib.nullcontext()) as pool:
            checked = _bounded_map(pool, _check_bytes, jobs, window=64 * n) if n else (_check_bytes(j) for j in jobs)
            for r in checked:
                counts["files"] += 1
                if r.clean is not None:
                    _decide([r], state, ref, dry_run=False)
                if r.status != "accepted":
                    counts["rejected"] += r.status == "rejected"
                    continue
                counts["values"] += len(r.clean.values)
                r.simulated = True  # generated: every version says so, and so does every snapshot built on them
                pending.append(r)
                if len(pending) >= batch:
                    _insert(con, pending, state, loaded_by, {}, now, "")
                    state.seq += len(pending)
                    state.figures = {u: f for u, f in state.figures.items() if u == r.unit_code}  # keep memory flat
                    pending = []
                    if progress:
                        print(f"  {counts['files']:,} tệp đã kiểm tra", file=sys.stderr)
        if pending:
            _insert(con, pending, state, loaded_by, {}, now, "")
        timing["check_s"] = round(time.perf_counter() - t0, 1)

    t = time.perf_counter()
    with snapshots.writer_lock(warehouse):
        build_snapshot(warehouse, ref, change, simulated=True)
    counts["build_s"] = round(time.perf_counter() - t - timing["check_s"], 1)
    return {**counts, **timing}
