"""Streamlit pieces of the submission desk: findings as cards, the change set shown before accepting, a version's
changes."""
from __future__ import annotations

import html

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


CARDS_SHOWN = 30  # findings shown as cards; the rest in the full table below them
FINDINGS_CSS = """
<style>
.cdcs-findings { display: flex; flex-direction: column; gap: 8px; }
.cdcs-finding { border: 1px solid #e0e0e0; border-left: 6px solid #c62828; border-radius: 6px; padding: 8px 12px;
  background: #fff; line-height: 1.45; overflow-wrap: anywhere; }
.cdcs-finding.warning { border-left-color: #ef8f00; }
.cdcs-finding .head { display: flex; flex-wrap: wrap; gap: 4px 12px; align-items: baseline; }
.cdcs-finding .sev { font-weight: 700; color: #c62828; }
.cdcs-finding.warning .sev { color: #a05a00; }
.cdcs-finding .item { font-weight: 700; }
.cdcs-finding .where { background: #f1f3f6; border-radius: 4px; padding: 0 6px; font-size: 0.9em; }
.cdcs-finding .rule { color: #555; font-size: 0.9em; }
.cdcs-finding .fix { margin-top: 2px; }
.cdcs-finding dl { display: grid; grid-template-columns: max-content 1fr; gap: 0 8px; margin: 2px 0; }
.cdcs-finding dt { color: #555; } .cdcs-finding dd { margin: 0; }
</style>
"""


def _card(row) -> str:
    e = html.escape
    sev = "Lỗi" if row.severity == "error" else "Cảnh báo"
    item = f"<span class='item'>{e(row.item)}</span>" if row.item else ""
    pairs = [("Gặp", row.found_value), ("Cần", row.expected)]
    facts = "".join(f"<dt>{k}:</dt><dd>{e(str(v))}</dd>" for k, v in pairs
                    if v and str(v) not in row.message)  # a value the message already quotes is not repeated
    return (f"<div class='cdcs-finding {e(row.severity)}'><div class='head'><span class='sev'>{sev}</span>{item}"
            f"<span class='where'>{e(row.where)}</span><span class='rule'>{e(row.rule_name)}</span></div>"
            f"<div class='msg'>{e(row.message)}</div>{f'<dl>{facts}</dl>' if facts else ''}"
            f"<div class='fix'><b>Cách sửa:</b> {e(row.fix)}</div></div>")


def findings_view(rows: pd.DataFrame, key: str) -> None:
    """Every finding as a card that wraps at any width (a phone too): what, where, found, expected, how to fix;
    beyond CARDS_SHOWN, the full table in an expander."""
    st.html(FINDINGS_CSS + "<div class='cdcs-findings'>" + "".join(_card(r) for r in rows.head(CARDS_SHOWN).itertuples())
            + "</div>")
    if len(rows) > CARDS_SHOWN:
        with st.expander(f"Xem cả {len(rows)} lỗi và cảnh báo (bảng)"):
            shown = rows.assign(severity=rows["severity"].map({"error": "Lỗi", "warning": "Cảnh báo"}))
            st.dataframe(labelled(shown.drop(columns=["whole_file", "sheet", "cell"]), FINDING_LABELS), hide_index=True,
                         width="stretch", key=key)


FINDING_LABELS = {"severity": "Mức độ", "item": "Chỉ tiêu / mục", "where": "Ở đâu", "rule_name": "Quy tắc"}


COMPARISON = {"differs": "Khác nhau", "only_a": "Chỉ phiên bản A nêu", "only_b": "Chỉ phiên bản B nêu"}


def version_compare_display(df: pd.DataFrame, a: int, b: int) -> pd.DataFrame:
    """etl.desk.compare_versions with Vietnamese names and numbers ('—': the version does not mention the key)."""
    sectors = sector_labels()
    return pd.DataFrame({
        "comparison": df["comparison"].map(COMPARISON),
        "kind_label": df["kind"].map(CHANGE_KIND),
        "item_label": [change_item(k, c) for k, c in zip(df["kind"], df["code"])],
        "year": df["year"].map(lambda y: "" if pd.isna(y) else str(int(y))),
        "sector_label": df["sector"].map(lambda s: sectors.get(s, "") if isinstance(s, str) else ""),
        "given_a": df["given_a"].map(_shown), "given_b": df["given_b"].map(_shown),
        "sheet_a": df["sheet_a"].fillna(""), "cell_a": df["cell_a"].fillna(""),
        "sheet_b": df["sheet_b"].fillna(""), "cell_b": df["cell_b"].fillna(""),
    })


# Streamlit's upload box speaks English ("Drag and drop files here", "20MB per file", "Upload", "File must be … or
# smaller."): no option translates it, so its text is hidden and Vietnamese put in its place by CSS. The size
# check itself is the browser's (max_upload_size): a file over the limit is refused before it is sent.
UPLOADER_CSS = """
<style>
[data-testid="stFileUploaderDropzone"] [data-testid="stFileUploaderDropzoneInstructions"] > div > span:first-child,
[data-testid="stFileUploaderDropzoneInstructions"] small { display: none; }
[data-testid="stFileUploaderDropzoneInstructions"] > div::before { content: "Kéo thả tệp vào đây"; display: block; }
[data-testid="stFileUploaderDropzoneInstructions"] > div::after {
  content: "Tối đa {max_mb} MB mỗi tệp · XLSX, XLS, CSV"; display: block; font-size: 0.85em; opacity: 0.7; }
[data-testid="stFileUploaderDropzone"] button[data-testid="stBaseButton-secondary"] p { font-size: 0; }
[data-testid="stFileUploaderDropzone"] button[data-testid="stBaseButton-secondary"] p::after {
  content: "Chọn tệp"; font-size: 1rem; }
[data-testid="stFileChip"][aria-invalid="true"] > div:nth-child(2) > div:last-child::after {
  content: " · không gửi lên: lớn hơn {max_mb} MB hoặc không phải .xlsx, .xls, .csv"; color: #b00020; }
[data-testid="stFileChip"][aria-invalid="true"] { max-width: 100%; }
</style>
"""
