"""Tables as HTML a leader reads without scrolling inside them: every row shown, numbers right-aligned in
Vietnamese format, headers that wrap, the selected rows marked (no streamlit here)."""
from __future__ import annotations

import html

import pandas as pd


def html_table(display: pd.DataFrame, numeric: set, selected: list[bool] | None = None, total_last: bool = False,
               key_columns: int = 1) -> str:
    """display: the cells as text (already formatted); numeric: the headers to right-align; selected: rows to mark;
    total_last: the last row is a total (bold); key_columns: leading columns kept in view when a narrow screen
    scrolls the table sideways."""
    heads = "".join(
        f"<th class='{'num' if c in numeric else 'txt'}{' key' if i < key_columns else ''}'>{html.escape(str(c))}</th>"
        for i, c in enumerate(display.columns))
    classes = [f"{'num' if c in numeric else 'txt'}{' key' if i < key_columns else ''}" for i, c in enumerate(display.columns)]
    rows = []
    columns = [display.iloc[:, j].tolist() for j in range(display.shape[1])]
    for r, values in enumerate(zip(*columns) if columns else []):
        cls = []
        if selected is not None and selected[r]:
            cls.append("sel")
        if total_last and r == len(display) - 1:
            cls.append("total")
        cells = "".join(f"<td class='{k}'>{html.escape(_text(v))}</td>" for k, v in zip(classes, values))
        rows.append(f"<tr class='{' '.join(cls)}'>{cells}</tr>")
    dense = " dense" if len(display.columns) > 12 else ""  # many years: a smaller font keeps them all in view
    return (f"<div class='cdcs-table-wrap'><table class='cdcs-table{dense}'><thead><tr>{heads}</tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table></div>")


def _text(v) -> str:
    """A cell as text: empty for a missing value."""
    if v is None or (not isinstance(v, str) and pd.isna(v)):
        return ""
    return str(v)
