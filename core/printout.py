"""The printable report's pieces, as HTML a secretary can print or paste: small SVG charts (an <img>, so
'Copy image' pastes it into Word), and highlights written from the figures (no streamlit here)."""
from __future__ import annotations

import base64
import html

import numpy as np
import pandas as pd

from core.labels import fmt_number, fmt_value


def _ticks(lo: float, hi: float, n: int = 4) -> list[float]:
    """Round tick values covering [lo, hi] (from zero for counts: lo is 0 then)."""
    span = hi - lo if hi > lo else max(abs(hi), 1.0)
    raw = span / n
    power = 10 ** np.floor(np.log10(raw))
    step = min((m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw), default=power)
    start = np.floor(lo / step) * step
    return [float(start + i * step) for i in range(int(np.ceil((hi - start) / step)) + 1)]


def svg_img(svg: str, alt: str) -> str:
    """An SVG as an <img> (copy-and-paste carries it into a word processor as a picture)."""
    data = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    return f"<img class='rp-chart' alt='{html.escape(alt, quote=True)}' src='data:image/svg+xml;base64,{data}'>"


def line_svg(series: dict[str, list[tuple[int, float | None]]], colours: dict[str, str], unit_vi: str,
             breaks: list[tuple[float, str]] = (), width: int = 430, height: int = 250,
             highlight: set[str] | None = None) -> str:
    """Lines over years, one per series (name -> [(year, value)]), y from zero, a dashed line at each break."""
    years = sorted({y for pts in series.values() for y, _ in pts})
    vals = [v for pts in series.values() for _, v in pts if v is not None and not pd.isna(v)]
    if not years or not vals:
        return ""
    lo = 0.0 if min(vals) >= 0 else min(vals)
    ticks = _ticks(lo, max(vals))
    top = ticks[-1] if ticks[-1] > lo else lo + 1
    left, right, up, legend_h = 58, 10, 10, 16 * ((len(series) + 1) // 2) + 34
    plot_w, plot_h = width - left - right, height - up - legend_h
    x = lambda y: left + (plot_w * (years.index(y) / max(len(years) - 1, 1)))  # noqa: E731
    yv = lambda v: up + plot_h * (1 - (v - lo) / (top - lo))  # noqa: E731
    out = [f"<svg xmlns='http://www.w3.org/2000/svg' width='{width}' height='{height}' "
           f"font-family='Arial, sans-serif' font-size='10'>", f"<rect width='{width}' height='{height}' fill='white'/>"]
    decimals = 1 if unit_vi in ("%", "lượt/người", "tỷ đồng") or top < 10 else 0
    for t in ticks:
        out.append(f"<line x1='{left}' x2='{width - right}' y1='{yv(t):.1f}' y2='{yv(t):.1f}' stroke='#e3e3e3'/>")
        out.append(f"<text x='{left - 4}' y='{yv(t) + 3:.1f}' text-anchor='end' fill='#444'>"
                   f"{fmt_number(t, decimals)}</text>")
    step = 1 if len(years) <= 10 else 2
    for i, y in enumerate(years):
        if i % step == 0 or i == len(years) - 1:
            out.append(f"<text x='{x(y):.1f}' y='{up + plot_h + 13}' text-anchor='middle' fill='#444'>{y}</text>")
    for at, label in breaks:
        if years[0] < at < years[-1]:
            lo_y = max(y for y in years if y < at)
            px = (x(lo_y) + x(min(y for y in years if y > at))) / 2
            out.append(f"<line x1='{px:.1f}' x2='{px:.1f}' y1='{up}' y2='{up + plot_h}' stroke='#B00020' "
                       "stroke-dasharray='4,3'/>")
            out.append(f"<text x='{px - 3:.1f}' y='{up + 9}' text-anchor='end' fill='#B00020' font-size='9'>"
                       f"{html.escape(label)}</text>")
    out.append(f"<text x='12' y='{up + plot_h / 2:.0f}' transform='rotate(-90 12 {up + plot_h / 2:.0f})' "
               f"text-anchor='middle' fill='#444'>{html.escape(unit_vi)}</text>")
    for name, pts in series.items():
        muted = bool(highlight) and name not in highlight
        colour = "#B8C7D6" if muted else colours.get(name, "#0072B2")
        segs, cur = [], []
        for y, v in sorted(pts):
            if v is None or pd.isna(v):
                if cur:
                    segs.append(cur)
                cur = []
            else:
                cur.append(f"{x(y):.1f},{yv(v):.1f}")
        if cur:
            segs.append(cur)
        for seg in segs:
            out.append(f"<polyline points='{' '.join(seg)}' fill='none' stroke='{colour}' "
                       f"stroke-width='{1.2 if muted else 2}'/>")
    for i, name in enumerate(series):
        lx, ly = left + (i % 2) * (plot_w / 2), height - legend_h + 34 + 16 * (i // 2)  # below the year labels
        out.append(f"<rect x='{lx:.0f}' y='{ly - 8}' width='10' height='3' fill='{colours.get(name, '#0072B2')}'/>")
        out.append(f"<text x='{lx + 14:.0f}' y='{ly - 4}' fill='#222'>{html.escape(str(name))}</text>")
    out.append("</svg>")
    return "".join(out)


def bars_svg(items: list[tuple[str, float | None]], unit_vi: str, width: int = 430, height: int | None = None,
             colour: str = "#0072B2") -> str:
    """Horizontal bars sorted from the highest, each with its value."""
    items = sorted([(n, v) for n, v in items if v is not None and not pd.isna(v)], key=lambda t: -t[1])
    if not items:
        return ""
    height = height or 22 + 20 * len(items)
    label_w, right = 170, 70
    vmax = max(v for _, v in items) or 1.0
    out = [f"<svg xmlns='http://www.w3.org/2000/svg' width='{width}' height='{height}' "
           f"font-family='Arial, sans-serif' font-size='10'>", f"<rect width='{width}' height='{height}' fill='white'/>"]
    for i, (name, v) in enumerate(items):
        y = 8 + 20 * i
        w = (width - label_w - right) * max(v, 0) / vmax
        out.append(f"<text x='{label_w - 6}' y='{y + 11}' text-anchor='end' fill='#222'>{html.escape(name[:34])}</text>")
        out.append(f"<rect x='{label_w}' y='{y}' width='{w:.1f}' height='14' fill='{colour}'/>")
        out.append(f"<text x='{label_w + w + 4:.1f}' y='{y + 11}' fill='#222'>{html.escape(fmt_value(v, unit_vi))}</text>")
    out.append("</svg>")
    return "".join(out)


def trend_sentence(label: str, unit_vi: str, y0: int, a: float | None, y1: int, b: float | None) -> str:
    """'Tỷ lệ đoàn viên đã có thẻ tăng từ 50,8% (2011) lên 70,9% (2020), thêm 20,1 điểm %.'"""
    if a is None or b is None or pd.isna(a) or pd.isna(b):
        return f"{label}: không đủ số liệu của năm {y0} và năm {y1} để so sánh."
    fa, fb = fmt_value(a, unit_vi), fmt_value(b, unit_vi)
    suffix = "" if unit_vi == "%" else f" {unit_vi}"
    if abs(b - a) < 1e-9:
        return f"{label} giữ nguyên {fb}{suffix} từ năm {y0} đến năm {y1}."
    up = b > a
    how = f"{'thêm' if up else 'bớt'} {fmt_number(abs(b - a), 1)} điểm %" if unit_vi == "%" else (
        f"{'tăng' if up else 'giảm'} {fmt_number(abs(b - a) / abs(a) * 100, 1)}%" if a else "")
    return (f"{label} {'tăng' if up else 'giảm'} từ {fa}{suffix} ({y0}) {'lên' if up else 'xuống'} {fb}{suffix} "
            f"({y1})" + (f", {how}." if how else "."))


def extremes_sentence(year: int, rows: list[tuple[str, float | None]], unit_vi: str, what: str) -> str:
    """'Năm 2020, cao nhất là Đông Nam Bộ (84,3%), thấp nhất là Tây Nguyên (70,1%).'"""
    vals = [(n, v) for n, v in rows if v is not None and not pd.isna(v)]
    if len(vals) < 2:
        return ""
    hi, lo = max(vals, key=lambda t: t[1]), min(vals, key=lambda t: t[1])
    return (f"Năm {year}, trong các {what} cao nhất là {hi[0]} ({fmt_value(hi[1], unit_vi)}), thấp nhất là {lo[0]} "
            f"({fmt_value(lo[1], unit_vi)}).")
