"""CSV and ZIP downloads of exactly what a page shows: UTF-8 with BOM, formula-safe, with metadata."""
from __future__ import annotations

import io
import json
import re
import zipfile
from datetime import datetime

import pandas as pd

_DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


def _safe(value):
    """Neutralise a cell that a spreadsheet would run as a formula (prefix with an apostrophe)."""
    if isinstance(value, str) and value.startswith(_DANGEROUS):
        return "'" + value
    return value


def csv_bytes(df: pd.DataFrame) -> bytes:
    """The frame as CSV that Excel opens with Vietnamese intact (UTF-8 BOM), text cells formula-safe."""
    safe = df.copy()
    for col in safe.columns:
        if safe[col].dtype == object or pd.api.types.is_string_dtype(safe[col]):
            safe[col] = safe[col].map(_safe)
    return safe.to_csv(index=False).encode("utf-8-sig")


def file_name(topic: str, filters_slug: str, snapshot_id: str, ext: str = "csv") -> str:
    """ASCII file name with topic, filters and snapshot id."""
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "-", f"{topic}_{filters_slug}_{snapshot_id}").strip("-")
    return f"{stem}.{ext}"


def zip_bytes(tables: dict[str, pd.DataFrame], metadata: dict) -> bytes:
    """One ZIP with every table as CSV and a metadata file (filters, snapshot, time, definitions)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, df in tables.items():
            z.writestr(f"{name}.csv", csv_bytes(df))
        meta = {**metadata, "generated_at": datetime.now().isoformat(timespec="seconds")}
        z.writestr("metadata.json", json.dumps(meta, ensure_ascii=False, indent=1))
        lines = [f"{k}: {v}" for k, v in meta.items() if not isinstance(v, (list, dict))]
        z.writestr("doc_truoc.txt", ("\n".join(lines) + "\n").encode("utf-8-sig"))
    return buf.getvalue()
