"""Rejected files in the state store: one row per rejection with a bounded summary of its findings, so a hostile
file with a million faulty cells costs a few kilobytes, not a million rows."""
from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict, is_dataclass
from datetime import datetime

import pandas as pd
from sqlalchemy import select

from core import store

COLUMNS = ["id", "at", "file_name", "sha256", "unit_code", "round_code", "n_errors", "n_warnings", "summary"]
MAX_FIELD_CHARS = 500  # per text field of a finding kept in full


def _plain(finding) -> dict:
    f = asdict(finding) if is_dataclass(finding) else dict(finding)
    return {k: (v[:MAX_FIELD_CHARS] + "…" if isinstance(v, str) and len(v) > MAX_FIELD_CHARS else v)
            for k, v in f.items()}


def summarise_findings(findings: list[dict], limit: int = 50) -> dict:
    """{'total', 'errors', 'warnings', 'by_rule': {rule: count}, 'findings': the first `limit` in full
    (text fields cut at MAX_FIELD_CHARS), 'truncated': whether some were left out}. Accepts dicts or Findings."""
    rows = [_plain(f) for f in findings]
    severities = Counter(r.get("severity") for r in rows)
    return {"total": len(rows), "errors": severities.get("error", 0), "warnings": severities.get("warning", 0),
            "by_rule": dict(Counter(str(r.get("rule")) for r in rows).most_common()),
            "findings": rows[:limit], "truncated": len(rows) > limit}


def record_rejection(file_name: str, sha256: str | None, unit_code: str | None, round_code: str | None,
                     findings: list, *, at: datetime | None = None, limit: int = 50, url: str | None = None,
                     warehouse=None) -> int:
    """Store one rejected file with the summary of its findings; the new row's id."""
    summary = summarise_findings(findings, limit)
    with store.transaction(url, warehouse) as conn:
        return conn.execute(store.rejection.insert().values(
            at=at or store.now(), file_name=str(file_name)[:255], sha256=sha256, unit_code=unit_code,
            round_code=round_code, n_errors=summary["errors"], n_warnings=summary["warnings"],
            summary_json=json.dumps(summary, ensure_ascii=False, default=str))).inserted_primary_key[0]


def recent_rejections(limit: int = 100, *, url: str | None = None, warehouse=None) -> pd.DataFrame:
    """The latest rejected files, newest first: one row per file with COLUMNS (summary parsed into a dict)."""
    r = store.rejection
    with store.reading(url, warehouse) as conn:
        rows = conn.execute(select(r.c.id, r.c.at, r.c.file_name, r.c.sha256, r.c.unit_code, r.c.round_code,
                                   r.c.n_errors, r.c.n_warnings, r.c.summary_json)
                            .order_by(r.c.id.desc()).limit(limit)).all()
    df = pd.DataFrame(rows, columns=[*COLUMNS[:-1], "summary_json"])
    df["summary"] = [json.loads(s) for s in df.pop("summary_json")]
    return df[COLUMNS]
