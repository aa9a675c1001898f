"""Simulated viewers: concurrent websocket sessions that speak Streamlit's own protocol to a running server.

    python bench/loadgen.py http://127.0.0.1:8501 --sessions 10 --duration 20 --paths ",can-bo,doan-vien"

Each session is what a browser tab does, minus the drawing: it opens ws://host:port/_stcore/stream with the
subprotocol "streamlit", sends a BackMsg rerun_script whose ClientState.page_name is the page's url_path
(st.navigation resolves it; "" is the default page) and reads ForwardMsgs until script_finished
FINISHED_SUCCESSFULLY. What the protocol of Streamlit 1.67 (starlette/uvicorn server) needs, from its source:
- no cookie and no XSRF token: without an Origin header the connection is accepted, and the XSRF token only
  guards reading st.login's auth cookie; this app's viewers need no login (settings.toml
  auth.viewers_must_login = false; were it true, every run would time the login page and pass);
- no heartbeat: the server never requires app_heartbeat and the client answers the server's pings; like a
  browser it sends no pings of its own (the websockets library's keepalive closed all 50 connections of a
  50-viewer run with 1011 when the busy server was slow to answer);
- no cached message references: the server sends ref_hash only for hashes the client lists in
  ClientState.cached_message_hashes, and this client lists none, so every element arrives in full;
- no widget states: every run is a fresh view of the page with the default filters, or with those of a query
  string after the path ("can-bo?goc=63"), as from a shared link.
A run fails when it shows no element, a page_not_found, a Streamlit exception (CDCS_DEBUG_ERRORS=1) or an
st.error (app.py's message with an error id), a compile error, a timeout or a dropped connection.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import math
import statistics
import sys
import time
import urllib.request
from dataclasses import dataclass

from streamlit.proto.Alert_pb2 import Alert
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from websockets.asyncio.client import connect


@dataclass
class Run:
    path: str
    seconds: float
    elements: int
    error: str | None


def rerun_request(path: str) -> bytes:
    """The BackMsg a browser sends to open `path` ("page-url-path" or "page-url-path?query")."""
    page, _, query = path.partition("?")
    msg = BackMsg()
    msg.rerun_script.page_name = page
    msg.rerun_script.query_string = query
    msg.rerun_script.context_info.timezone = "Asia/Ho_Chi_Minh"
    msg.rerun_script.context_info.locale = "vi-VN"
    return msg.SerializeToString()


def problem(msg: ForwardMsg) -> str | None:
    """What is wrong with the run that sent this message, or None."""
    kind = msg.WhichOneof("type")
    if kind == "page_not_found":
        return "page_not_found"
    if kind == "session_event" and msg.session_event.HasField("script_compilation_exception"):
        return "compile error: " + msg.session_event.script_compilation_exception.message[:200]
    if kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
        el = msg.delta.new_element
        if el.WhichOneof("type") == "exception" and not el.exception.is_warning:
            return f"exception {el.exception.type}: {el.exception.message[:200]}"
        if el.WhichOneof("type") == "alert" and el.alert.format == Alert.ERROR:
            return "st.error: " + el.alert.body[:200]
    return None


async def one_run(ws, path: str) -> tuple[int, str | None]:
    """Ask for a full run of `path` and read until it has finished: (elements received, first problem)."""
    await ws.send(rerun_request(path))
    elements, error = 0, None
    while True:
        msg = ForwardMsg.FromString(await ws.recv())
        kind = msg.WhichOneof("type")
        if kind == "ref_hash" or (kind == "delta" and msg.delta.WhichOneof("type") == "new_element"):
            elements += 1
        error = error or problem(msg)
        if kind == "script_finished":
            status = msg.script_finished
            if status == ForwardMsg.FINISHED_SUCCESSFULLY:
                return elements, error or (None if elements else "no elements")
            if status == ForwardMsg.FINISHED_WITH_COMPILE_ERROR:
                return elements, error or "compile error"
            # FINISHED_EARLY_FOR_RERUN: the script called st.rerun and the next run follows in this one


async def session(ws_url: str, paths: list[str], offset: int, stop_at: float, runs: int | None,
                  timeout_s: float, out: list[Run], think_s: float = 0.0, seed: int = 0) -> None:
    """One viewer: runs pages in turn from `offset` until `stop_at` or `runs`; reconnects after a failure.
    Between two runs it reads the page for a random time between 0.5 and 1.5 × think_s (0: no pause)."""
    import random
    rng = random.Random(seed)
    i = 0
    if think_s:  # viewers do not all arrive in the same instant
        await asyncio.sleep(rng.uniform(0, think_s))

    def more() -> bool:
        return time.monotonic() < stop_at if runs is None else i < runs

    while more():
        try:
            async with asyncio.timeout(timeout_s):
                ws = await connect(ws_url, subprotocols=["streamlit"], max_size=None, close_timeout=1,
                                   ping_interval=None)  # a browser never pings; an overloaded server may be slow to pong
        except Exception as exc:  # the server is down or overloaded: count it, breathe, try again
            out.append(Run("(connect)", 0.0, 0, f"{exc!r}"[:300]))
            i += 1
            await asyncio.sleep(0.5)
            continue
        try:
            while more():
                path = paths[(offset + i) % len(paths)]
                i += 1
                t = time.perf_counter()
                try:
                    async with asyncio.timeout(timeout_s):
                        elements, error = await one_run(ws, path)
                except TimeoutError:
                    out.append(Run(path, time.perf_counter() - t, 0, f"timeout after {timeout_s:g} s"))
                    break  # the run may still be going: a new connection, so its messages cannot be miscounted
                except Exception as exc:
                    out.append(Run(path, time.perf_counter() - t, 0, f"connection: {exc!r}"[:300]))
                    break
                out.append(Run(path, time.perf_counter() - t, elements, error))
                if think_s and more():
                    await asyncio.sleep(rng.uniform(0.5, 1.5) * think_s)
        finally:
            await ws.close()


def percentile(xs: list[float], q: float) -> float | None:
    """Nearest-rank percentile (q in 0..1) of a list, None when empty."""
    if not xs:
        return None
    xs = sorted(xs)
    return round(xs[max(0, math.ceil(q * len(xs)) - 1)], 3)


def summarise(runs: list[Run], sessions: int, elapsed: float, paths: list[str]) -> dict:
    """The figures of a load run; latencies are of the runs without error only."""
    ok = [r for r in runs if r.error is None]
    errors = [r for r in runs if r.error is not None]
    secs = [r.seconds for r in ok]
    by_path = {}
    for p in paths:
        mine = [r.seconds for r in ok if r.path == p]
        by_path[p] = {"runs": len(mine), "errors": sum(r.path == p for r in errors),
                      "p50_s": percentile(mine, 0.5), "p95_s": percentile(mine, 0.95)}
    return {"sessions": sessions, "runs": len(ok), "errors": len(errors),
            "error_samples": [f"{r.path!r}: {r.error}" for r in errors[:5]],
            "elapsed_s": round(elapsed, 2), "throughput_runs_per_s": round(len(ok) / elapsed, 2) if elapsed else 0.0,
            "p50_s": percentile(secs, 0.5), "p95_s": percentile(secs, 0.95), "max_s": percentile(secs, 1.0),
            "elements_median": statistics.median([r.elements for r in ok]) if ok else 0, "by_path": by_path}


def run_sessions(url: str, paths: list[str], sessions: int, duration_s: float = 30.0, *,
                 per_session_runs: int | None = None, timeout_s: float = 60.0, think_s: float = 0.0,
                 samples: bool = False) -> dict:
    """Open `sessions` concurrent websocket sessions against the Streamlit server at `url` (e.g.
    "http://127.0.0.1:8501"), each asking for full script runs of `paths` (st.navigation url paths, "" the
    default page) in turn from its own offset, for `duration_s` — or, when `per_session_runs` is given,
    for that many runs each, whatever the time. Each viewer pauses about `think_s` seconds between runs (reading
    the page; 0 = back-to-back runs, the heaviest load one session can make). A run is timed from the rerun BackMsg to script_finished;
    no wait lasts more than `timeout_s` and the whole call ends by its own deadline.
    Returns {"sessions", "runs" (without error), "errors", "error_samples" (up to 5), "throughput_runs_per_s",
    "p50_s", "p95_s", "max_s", "elements_median", "by_path": {path: {"runs", "errors", "p50_s", "p95_s"}}}, and with
    `samples` "samples_s", the seconds of every run without error."""
    if not paths or sessions < 1:
        raise ValueError("at least one path and one session")
    urllib.request.urlopen(url.rstrip("/") + "/_stcore/health", timeout=timeout_s).read()  # a clear error if down
    ws_url = url.rstrip("/").replace("http", "ws", 1) + "/_stcore/stream"
    out: list[Run] = []

    async def main() -> float:
        t = time.monotonic()
        stop_at = t + duration_s
        # a backstop only: every wait inside a session is already bounded by timeout_s
        deadline = ((per_session_runs * (timeout_s + 1.5 * think_s) if per_session_runs is not None else duration_s)
                    + 2 * timeout_s + think_s + 5)
        tasks = [session(ws_url, paths, k, stop_at, per_session_runs, timeout_s, out, think_s, seed=k)
                 for k in range(sessions)]
        try:
            async with asyncio.timeout(deadline):
                await asyncio.gather(*tasks)
        except TimeoutError:
            out.append(Run("(all)", 0.0, 0, f"global deadline of {deadline:g} s reached"))
        return time.monotonic() - t

    elapsed = asyncio.run(main())
    res = summarise(out, sessions, elapsed, paths)
    if samples:  # every run's seconds in the order they finished (one session: the order they ran)
        res["samples_s"] = [r.seconds for r in out if r.error is None]
    return res


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Simulated viewers of a running Streamlit server; prints JSON.")
    ap.add_argument("url", help="the server, e.g. http://127.0.0.1:8501")
    ap.add_argument("--sessions", type=int, default=10)
    ap.add_argument("--duration", type=float, default=30.0, help="seconds of load")
    ap.add_argument("--paths", default="", help='comma-separated page url paths, "" the default page')
    ap.add_argument("--runs", type=int, default=None, help="runs per session instead of a duration")
    ap.add_argument("--timeout", type=float, default=60.0, help="longest wait for a connection or one run")
    ap.add_argument("--think", type=float, default=0.0, help="seconds a viewer reads a page before the next (±50%%)")
    a = ap.parse_args(argv)
    res = run_sessions(a.url, a.paths.split(","), a.sessions, a.duration, per_session_runs=a.runs,
                       timeout_s=a.timeout, think_s=a.think)
    print(json.dumps(res, indent=2, ensure_ascii=False))
    return 0 if res["errors"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
