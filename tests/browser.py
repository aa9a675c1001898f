"""Headless Debian Chromium through Playwright, for browser tests and for looking at pages.

Usage as a script: python tests/browser.py URL OUT.png [wait_seconds]
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]


@contextmanager
def browser():
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:
            yield b
        finally:
            b.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serve(warehouse: Path, **env):
    """Run the app (python -m ui.serve) on a free loopback port for a warehouse; yields (url, process)."""
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "ui.serve", "run", "app.py", "--server.port", str(port),
                             "--server.headless", "true", "--server.address", "127.0.0.1"], cwd=ROOT,
                            env={**os.environ, "CDCS_WAREHOUSE": str(warehouse), **env}, stdout=subprocess.DEVNULL,
                            # $CDCS_TEST_SERVER_LOG: the servers' stderr appended there (to read a failure's traceback)
                            stderr=open(os.environ["CDCS_TEST_SERVER_LOG"], "ab") if os.environ.get("CDCS_TEST_SERVER_LOG")
                            else subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            try:
                urllib.request.urlopen(url + "/_stcore/health", timeout=1)
                break
            except OSError:
                time.sleep(0.05)
        else:
            raise RuntimeError("streamlit did not start")
        yield url, proc
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def wait_ready(page, timeout: float = 60_000, settle_ms: int = 800) -> None:
    """Wait until Streamlit has finished running the script (no 'running' indicator, app rendered, no
    placeholder skeleton left: on a busy machine the first elements arrive seconds after the shell),
    then `settle_ms` more for charts to draw (0 when timing)."""
    page.wait_for_selector("[data-testid='stApp']", timeout=timeout)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]') && "
        "document.querySelectorAll('[data-testid=\"stMain\"] [data-testid=\"stElementContainer\"]').length > 2 && "
        "!document.querySelector('#root[inert]') && !document.querySelector('[data-testid=\"stSkeleton\"]')",
        timeout=timeout)
    if settle_ms:
        page.wait_for_timeout(settle_ms)


def shoot(url: str, out: str, wait: float = 1.0, width: int = 1440, height: int = 2600) -> None:
    with browser() as b:
        page = b.new_page(viewport={"width": width, "height": height}, locale="vi-VN")
        page.goto(url)
        wait_ready(page)
        page.wait_for_timeout(int(wait * 1000))
        page.screenshot(path=out, full_page=True)


if __name__ == "__main__":
    shoot(sys.argv[1], sys.argv[2], float(sys.argv[3]) if len(sys.argv) > 3 else 1.0)
