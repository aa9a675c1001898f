"""A throw-away PostgreSQL server for tests and the benchmark: Debian's PostgreSQL 15 binaries, a temporary
data folder, a free loopback port, stopped and deleted on exit. initdb refuses root, so it runs as the
`postgres` account when the tests run as root (as CI does).

    with postgres() as url:          # postgresql+psycopg://cdcs@127.0.0.1:PORT/cdcs
        ...
"""
from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path


def binaries() -> Path | None:
    """The folder of PostgreSQL's server binaries (initdb, pg_ctl), or None when not installed."""
    for pattern in ("/usr/lib/postgresql/*/bin",):
        for folder in sorted(glob.glob(pattern), reverse=True):
            if Path(folder, "initdb").exists():
                return Path(folder)
    found = shutil.which("initdb")
    return Path(found).parent if found else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_owner(cmd: list[str], owner: str | None, **kw) -> subprocess.CompletedProcess:
    if owner:
        cmd = ["runuser", "-u", owner, "--", *cmd]
    return subprocess.run(cmd, check=True, capture_output=True, text=True, timeout=120, **kw)


@contextmanager
def postgres(database: str = "cdcs"):
    """Start a private PostgreSQL server; yields its SQLAlchemy URL (psycopg 3)."""
    bin_dir = binaries()
    if bin_dir is None:
        raise RuntimeError("PostgreSQL server binaries are not installed (apt-get install -y postgresql)")
    owner = "postgres" if os.geteuid() == 0 else None
    root = Path(tempfile.mkdtemp(prefix="cdcs-pg-"))
    data, sock = root / "data", root / "sock"
    sock.mkdir()
    if owner:
        pw = pwd.getpwnam(owner)
        for p in (root, sock):
            os.chown(p, pw.pw_uid, pw.pw_gid)
    port = _free_port()
    try:
        _as_owner([str(bin_dir / "initdb"), "-D", str(data), "-U", "cdcs", "--auth=trust", "-E", "UTF8",
                   "--locale=C.UTF-8"], owner)
        opts = f"-p {port} -k {sock} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200"
        _as_owner([str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(root / "log"), "-o", opts, "-w", "start"], owner)
        for _ in range(100):
            try:
                _as_owner([str(bin_dir / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "cdcs", database], owner)
                break
            except subprocess.CalledProcessError:
                time.sleep(0.1)
        yield f"postgresql+psycopg://cdcs@127.0.0.1:{port}/{database}"
    finally:
        if data.exists():
            subprocess.run((["runuser", "-u", owner, "--"] if owner else []) +
                           [str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"],
                           capture_output=True, timeout=60)
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":  # a server to try things by hand: prints its URL, stops on Ctrl-C
    with postgres() as url:
        print(url, flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass
