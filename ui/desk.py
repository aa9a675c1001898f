"""Streamlit pieces of the submission desk: the change set shown before accepting, and a version's changes."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from core.labels import CHANGE_KIND, CHANGE_STATUS, change_item, fmt_number, labelled, sector_labels

HIGHLIGHT = "background-color: #FDE2E1"


def _shown(v) -> str:
    if v is None or (isinstance(v, float) and pd.isna(v)):
        return "—"
    if isinstance(v, str):
        return v if len(v) <= 80 else v[:80] + "…"
    return fmt_number(v, 0 if float(v).is_integer() else 2)


def change_display(df: pd.DataFrame) -> pd.DataFrame:
    """A change table (etl.rules.change_frame or the version_changes query) with Vietnamese labels and numbers."""
    sectors = sector_labels()
    old = df["old_text"] if "old_text" in df and df["kind"].eq("text").any() else None
    out = pd.DataFrame({
        "change_status": df["status"].map(CHANGE_STATUS),
        "kind_label": df["kind"].map(CHANGE_KIND),
        "item_label": [change_item(k, c) for k, c in zip(df["kind"], df["code"])],
        "year": df["year"].map(lambda y: "" if pd.isna(y) else str(int(y))),
        "sector_label": df["sector"].map(lambda s: sectors.get(s, "") if isinstance(s, str) else ""),
        "old_value": [_shown(t if k == "text" and old is not None else v)
                      for k, v, t in zip(df["kind"], df["old_value"], old if old is not None else df["old_value"])],
        "new_value": [_shown(t if k == "text" and "new_text" in df else v)
                      for k, v, t in zip(df["kind"], df["new_value"], df["new_text"] if "new_text" in df else df["new_value"])],
        "change_pct": df["change_pct"].map(lambda p: "" if p is None or pd.isna(p) else f"{p:+.1f}%".replace(".", ","))
        if "change_pct" in df else "",
        "where": [f"{s}!{c}" if s else (c or "") for s, c in zip(df["sheet"].fillna(""), df["cell"].fillna(""))],
    })
    return out


def change_preview(df: pd.DataFrame, counts: dict[str, int], key: str) -> None:
    """What accepting the file will change: the counts, then every change, removals and big changes highlighted."""
    st.markdown(f"**Nếu nộp, hệ thống sẽ thay đổi:** {counts['new']} giá trị mới · {counts['changed']} thay đổi · "
                f"{counts['removed']} xóa · {counts['unchanged']} giữ nguyên. Các giá trị không có trong tệp được giữ "
                "nguyên.")
    if df.empty:
        return
    shown = labelled(change_display(df))
    large = df["is_large"].fillna(False).to_numpy()
    styled = shown.style.apply(lambda row: [HIGHLIGHT if large[row.name] else ""] * len(row), axis=1)
    st.dataframe(styled, hide_index=True, width="stretch", key=key,
                 height=min(38 + 35 * len(shown), 400))
    if large.any():
        st.caption(f"Tô đỏ: {int(large.sum())} giá trị bị xóa hoặc thay đổi nhiều (vượt ngưỡng). Hãy kiểm tra kỹ trước khi nộp.")
