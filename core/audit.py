"""Append-only audit log of uploads, acceptances, rejections, rollbacks and logins (JSON lines, never rewritten)."""
from __future__ import annotations

import json
import os
from datetime import datetime
from pathlib import Path

import pandas as pd

AUDIT = "audit.jsonl"


def record(warehouse: Path, event: str, user: str, **details) -> None:
    """Append one event; the line is flushed to disk before returning."""
    line = json.dumps({"at": datetime.now().isoformat(timespec="seconds"), "event": event, "user": user, **details},
                      ensure_ascii=False, default=str)
    Path(warehouse).mkdir(parents=True, exist_ok=True)
    with open(Path(warehouse) / AUDIT, "a", encoding="utf-8") as f:
        f.write(line + "\n")
        f.flush()
        os.fsync(f.fileno())


def read(warehouse: Path) -> pd.DataFrame:
    """The log as a table, newest first."""
    path = Path(warehouse) / AUDIT
    if not path.exists():
        return pd.DataFrame(columns=["at", "event", "user"])
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return pd.DataFrame(rows).iloc[::-1].reset_index(drop=True)
