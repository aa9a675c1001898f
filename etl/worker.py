"""Checking files in separate worker processes with limits: memory (RLIMIT_AS), CPU time, wall-clock time.

A hostile or damaged file can at worst kill its worker: the file is then rejected with a Vietnamese
message saying which limit it hit, a fresh worker takes the next file, and the caller (the CLI or the
Streamlit server) never parses a submitted file itself. Workers are started with `spawn` (the caller may
hold DuckDB or server threads that must not be copied), reused for many files, and thread-safe to share.
"""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import traceback
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path

from core.config import REFERENCE, ROOT, settings


@dataclass(frozen=True)
class WorkerLimits:
    memory_mb: int
    cpu_seconds: int
    timeout_seconds: float

    @classmethod
    def from_settings(cls) -> WorkerLimits:
        w = settings()["worker"]
        return cls(int(w["memory_mb"]), int(w["cpu_seconds"]), float(w["timeout_seconds"]))


def _vm_size() -> int:
    """This process's virtual size in bytes (Linux)."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")


def _status_kb(field: str) -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def _rss() -> int:
    return _status_kb("VmRSS") * 1024


def _peak_rss() -> int:
    return _status_kb("VmHWM") * 1024


def _reset_peak() -> None:
    """Start a new peak-RSS measurement for the next file (Linux: '5' to clear_refs resets VmHWM)."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        pass


def _serve(conn, limits: WorkerLimits) -> None:
    """The worker loop: import, cap the address space, then check one file per request until told to stop."""
    import resource

    from core.refdata import reference
    from etl.load import check_file  # heavy imports before the cap: they are the baseline

    reference()
    budget = _vm_size() + limits.memory_mb * 2**20
    resource.setrlimit(resource.RLIMIT_AS, (budget, budget))
    _, cpu_hard = resource.getrlimit(resource.RLIMIT_CPU)
    conn.send(("ready", os.getpid()))
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):
            return
        if task is None:
            return
        kind, args = task
        used = resource.getrusage(resource.RUSAGE_SELF)
        soft = int(used.ru_utime + used.ru_stime) + limits.cpu_seconds
        resource.setrlimit(resource.RLIMIT_CPU, (soft, cpu_hard))
        _reset_peak()
        start_rss, start = _rss(), time.perf_counter()
        try:
            if kind == "annotate":  # the workbook returned with its faulty cells marked (openpyxl reads the upload)
                from etl.annotate import annotate
                path, findings = args
                conn.send(("ok", annotate(Path(path).read_bytes(), findings)))
                continue
            path, name, folder = args
            result = check_file(Path(path), reference(Path(folder)), name=name)
            result.check_seconds = round(time.perf_counter() - start, 3)
            result.check_mb = round(max(0, _peak_rss() - start_rss) / 2**20, 1)
            conn.send(("ok", result))
        except MemoryError:
            conn.send(("limit_memory", None))
            sys.exit(3)  # start afresh: the heap may be fragmented
        except BaseException:  # noqa: BLE001 — any failure becomes a rejection, the trace goes to the log
            conn.send(("failed", traceback.format_exc(limit=20)))


class _Worker:
    """One checking process, started as `python -m etl.worker FD` (no state copied from the caller)."""

    def __init__(self, limits: WorkerLimits):
        self.limits = limits
        ours, theirs = socket.socketpair()
        env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MALLOC_ARENA_MAX": "2",
               "CDCS_WORKER_LIMITS": f"{limits.memory_mb},{limits.cpu_seconds}"}
        try:
            self.proc = subprocess.Popen([sys.executable, "-m", "etl.worker", str(theirs.fileno())], cwd=ROOT,
                                         pass_fds=[theirs.fileno()], env=env, stdin=subprocess.DEVNULL,
                                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        finally:
            theirs.close()
        self.conn = Connection(ours.detach())
        try:
            ready = self.conn.poll(120) and self.conn.recv()[0] == "ready"
        except (EOFError, OSError):
            ready = False
        if not ready:
            self.kill()
            raise RuntimeError("checking worker did not start")

    def alive(self) -> bool:
        return self.proc.poll() is None

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            pass
        self.conn.close()

    def run(self, kind: str, args: tuple):
        """('ok', result) or (limit rule | 'failed', detail); the worker is dead after a limit."""
        try:
            self.conn.send((kind, args))
        except (BrokenPipeError, OSError):
            return "failed", "worker pipe closed"
        deadline = time.monotonic() + self.limits.timeout_seconds
        while time.monotonic() < deadline:
            if self.conn.poll(min(0.5, max(0.0, deadline - time.monotonic()))):
                try:
                    return self.conn.recv()
                except (EOFError, OSError):
                    break
            if not self.alive():
                break
        if self.alive():  # out of time
            self.kill()
            return "limit_time", None
        code = self.proc.wait(5)
        if code in (-signal.SIGXCPU, -signal.SIGKILL):
            return "limit_cpu", None
        if code in (-signal.SIGABRT, -signal.SIGSEGV, -signal.SIGBUS, 3):
            return "limit_memory", None  # an allocation the cap refused, in C or Rust code
        return "failed", f"worker exit code {code}"


class Sandbox:
    """A pool of checking workers; `check` is thread-safe and blocks until a worker is free."""

    def __init__(self, processes: int | None = None, limits: WorkerLimits | None = None):
        self.limits = limits or WorkerLimits.from_settings()
        self.size = max(1, processes or int(settings()["worker"]["processes"]))
        self._idle: list[_Worker] = []
        self._started = 0
        self._cond = threading.Condition()

    def _take(self) -> _Worker:
        with self._cond:
            while True:
                if self._idle:
                    return self._idle.pop()
                if self._started < self.size:
                    self._started += 1
                    break
                self._cond.wait()
        try:
            return _Worker(self.limits)
        except Exception:
            with self._cond:
                self._started -= 1
                self._cond.notify()
            raise

    def _give(self, worker: _Worker) -> None:
        with self._cond:
            if worker.alive():
                self._idle.append(worker)
            else:
                self._started -= 1
            self._cond.notify()

    def check(self, path: Path, name: str, folder: Path = REFERENCE):
        """Check one file in a worker: ('ok', FileResult) or (rule of the limit hit / 'failed', detail)."""
        return self._run("check", (str(path), name, str(folder)))

    def annotate(self, path: Path, findings: list) -> bytes | None:
        """The .xlsx at `path` with its faulty cells marked, made in a worker; None when that fails."""
        kind, payload = self._run("annotate", (str(path), findings))
        return payload if kind == "ok" else None

    def _run(self, kind: str, args: tuple):
        worker = self._take()
        try:
            outcome = worker.run(kind, args)
            if outcome[0] != "ok":
                worker.kill()
            return outcome
        finally:
            self._give(worker)

    def check_many(self, items: list[tuple[Path, str]], folder: Path = REFERENCE, on_done=None) -> list:
        """Outcomes of many files, in their order, checked on every worker at once."""
        def one(item):
            out = self.check(item[0], item[1], folder)
            if on_done:
                on_done()
            return out
        if len(items) <= 1:
            return [one(i) for i in items]
        with ThreadPoolExecutor(max_workers=self.size) as pool:
            return list(pool.map(one, items))

    def close(self) -> None:
        with self._cond:
            workers, self._idle = self._idle, []
            self._started -= len(workers)
        for w in workers:
            try:
                w.conn.send(None)
            except OSError:
                pass
            try:
                w.proc.wait(2)
            except subprocess.TimeoutExpired:
                pass
            w.kill()

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def error_id() -> str:
    """A short id to quote when reporting an unexpected failure (the details go to the server log)."""
    return uuid.uuid4().hex[:8]


_shared: Sandbox | None = None
_shared_lock = threading.Lock()


def shared() -> Sandbox:
    """The process-wide pool (the desk's uploads), started on first use."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = Sandbox()
        return _shared


if __name__ == "__main__":  # python -m etl.worker FD: one checking process (see _Worker)
    memory_mb, cpu_seconds = map(int, os.environ["CDCS_WORKER_LIMITS"].split(","))
    _serve(Connection(int(sys.argv[1])), WorkerLimits(memory_mb, cpu_seconds, 0))
