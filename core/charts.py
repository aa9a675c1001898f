"""Figure builders: a DataFrame in, a plotly Figure out.

The chart grammar of the dashboard, applied by every builder here (pages only call them):

1. **One unit per axis.** Quantities of different units or of very different magnitudes never share an axis
   (full-time beside part-time cadres, units beside meetings): they become small multiples, one panel per
   indicator, each with its own axis titled with its unit (`small_multiples`).
2. **Comparisons are sorted bars with their values.** Places and sectors are compared as horizontal bars from
   zero, sorted from the highest, each labelled with its value and rank (`ranked_bars`); a selection is
   highlighted in the selection colour (SELECTED) among the others in a quiet one (CONTEXT), never filtered out.
3. **Time is the x axis.** Counts and money by year are bars (stacked only for the parts of one whole, such as
   sectors of the members), rates are lines; a missing year stays a gap, never a zero. Structural breaks
   (data/reference/structural_breaks.csv) and changes of rating scheme are dashed vertical lines with a label.
4. **One colour per category across the app, in a fixed order**: regions (region_colours, the order of
   regions.csv), sectors (sector_colours, sectors.csv), rating levels (LEVEL_COLOURS, by the level's name in every
   scheme), submission status (STATUS_COLOURS); the Okabe-Ito palette, readable with colour blindness.
5. **Vietnamese numbers and words**: separators ",." (1.234.567,8), percentages with one decimal, money in
   tỷ đồng; plotly's `locale: "vi"` with its dictionary passed in the config (CONFIG: offline, nothing is
   fetched), and a modebar trimmed to one button, "Tải ảnh biểu đồ (PNG)".
6. **Titles say what, where and when** ("Tỷ lệ đoàn viên chưa có thẻ, năm 2025"); pages draw the title above
   the figure (it wraps on a phone) with an (i) icon holding the codebook's definition.
"""
from __future__ import annotations

import functools
import hashlib
import json
import pickle

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from core.geo import outline_arrays, outlines
from core.memo import SizedLRU
from core.labels import NO_DATA, fmt_number, fmt_value

# Okabe-Ito: distinguishable with the common forms of colour blindness.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
SEQUENTIAL = ["#deebf7", "#9ecae1", "#6baed6", "#3182bd", "#08519c"]
NO_DATA_FILL = "#eeeeee"
SELECTED = "#0072B2"      # the selection, in every comparison
CONTEXT = "#B8C7D6"       # everything else in a comparison
BREAK = "#B00020"
# rating levels by their name, the same in every scheme and on every chart (greens high, red low)
LEVEL_COLOURS = {"Vững mạnh xuất sắc": "#00441B", "Vững mạnh": "#1B7837", "Hoàn thành xuất sắc nhiệm vụ": "#00441B",
                 "Hoàn thành tốt nhiệm vụ": "#1B7837", "Khá": "#7FBF7B", "Hoàn thành nhiệm vụ": "#E6AB02",
                 "Trung bình": "#E08214", "Yếu": "#B2182B", "Không hoàn thành nhiệm vụ": "#B2182B"}
STATUS_COLOURS = {"Đúng hạn": "#0072B2", "Nộp muộn": "#E69F00", "Chưa nộp": "#D55E00"}

# plotly.js's own Vietnamese locale (lib/locales/vi.js) has no dictionary; ours translates what a visitor can see.
VI_LOCALE = {
    "dictionary": {
        "Download plot as a PNG": "Tải ảnh biểu đồ (PNG)", "Download plot as a png": "Tải ảnh biểu đồ (PNG)",
        "Download plot": "Tải ảnh biểu đồ", "Zoom": "Phóng to vùng chọn", "Pan": "Kéo", "Zoom in": "Phóng to",
        "Zoom out": "Thu nhỏ", "Autoscale": "Tự co giãn", "Reset axes": "Đặt lại trục", "Reset": "Đặt lại",
        "Box Select": "Chọn vùng", "Lasso Select": "Chọn tự do", "Toggle Spike Lines": "Bật/tắt đường dóng",
        "Show closest data on hover": "Hiện điểm gần nhất", "Compare data on hover": "So sánh khi rê chuột",
        "Produced with Plotly.js": "Vẽ bằng Plotly.js", "Produced with Plotly": "Vẽ bằng Plotly",
        "Taking snapshot - this may take a few seconds": "Đang tạo ảnh, xin chờ vài giây",
        "Snapshot succeeded": "Đã tạo ảnh", "Sorry, there was a problem downloading your snapshot!":
            "Không tạo được ảnh biểu đồ.", "Preparing image - this may take a few seconds": "Đang tạo ảnh, xin chờ",
        "Image download succeeded": "Đã tải ảnh", "Sorry, there was a problem downloading your image!":
            "Không tải được ảnh biểu đồ.",
        "Double-click to zoom back out": "Bấm đúp để thu lại", "Double-click on legend to isolate one trace":
            "Bấm đúp vào chú thích để chỉ xem một đường", "Click to enter Plot title": "", "trace": "chuỗi",
    },
    "format": {
        "days": ["Chủ Nhật", "Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy"],
        "shortDays": ["CN", "T2", "T3", "T4", "T5", "T6", "T7"],
        "months": ["Tháng Một", "Tháng Hai", "Tháng Ba", "Tháng Tư", "Tháng Năm", "Tháng Sáu", "Tháng Bảy",
                   "Tháng Tám", "Tháng Chín", "Tháng Mười", "Tháng Mười Một", "Tháng Mười Hai"],
        "shortMonths": [f"Tháng {i}" for i in range(1, 13)],
        "date": "%d/%m/%Y", "decimal": ",", "thousands": ".",
    },
}
# every figure is drawn with this config: Vietnamese, one modebar button, no logo, nothing from a CDN
CONFIG = {
    "locale": "vi", "locales": {"vi": VI_LOCALE}, "displaylogo": False, "scrollZoom": False,
    "modeBarButtonsToRemove": ["zoom2d", "pan2d", "select2d", "lasso2d", "zoomIn2d", "zoomOut2d", "autoScale2d",
                               "resetScale2d", "toggleSpikelines", "hoverClosestCartesian", "hoverCompareCartesian"],
    "toImageButtonOptions": {"format": "png", "scale": 2, "filename": "bieu-do"},
}


_FIGURES = SizedLRU(64 * 2**20, len)  # key -> the figure as JSON text; maps carry every province's outline


def _fingerprint(value) -> object:
    """A hashable digest of a chart argument: frames by their content, columns and attributes."""
    if isinstance(value, pd.DataFrame):
        # the pickle holds every value, the index, the dtypes and attrs: equal bytes, equal frames. Two equal frames
        # may pickle differently (a string column of a shallow copy does), which costs a rebuild, never a wrong
        # figure; it is 3-10x faster than pd.util.hash_pandas_object on the pages' frames
        body = pickle.dumps(value, protocol=5)
        return ("df", tuple(map(str, value.columns)), tuple(map(str, value.dtypes)), hashlib.blake2b(body).hexdigest(),
                repr(sorted(value.attrs.items(), key=str)))
    if isinstance(value, pd.Series):
        return ("s", _fingerprint(value.to_frame()))
    if isinstance(value, (set, frozenset)):
        return ("set", tuple(sorted(map(repr, value))))
    if isinstance(value, dict):
        return ("dict", tuple(sorted((repr(k), _fingerprint(v)) for k, v in value.items())))
    if isinstance(value, (list, tuple)):
        return (type(value).__name__, tuple(_fingerprint(v) for v in value))
    return repr(value)


def reused(build):
    """Build a figure once per distinct arguments (the same data and options: the same snapshot and filter set) and
    hand out copies: the figure is kept as a plain dict and rebuilt without plotly's validation, which a built
    figure has passed already. Figures depend on their arguments only, so a new snapshot or another filter —
    other data — is another key."""
    @functools.wraps(build)
    def wrapper(*args, **kwargs):
        key = (build.__name__, _fingerprint(args), _fingerprint(kwargs))
        spec = _FIGURES.get_or_make(key, lambda: build(*args, **kwargs).to_json(validate=False))
        return go.Figure(json.loads(spec), _validate=False)
    return wrapper


def _base(fig: go.Figure, title: str, height: int = 380) -> go.Figure:
    fig.update_layout(
        title={"text": title, "font": {"size": 15}}, height=height, separators=",.",
        margin={"l": 10, "r": 10, "t": 50, "b": 10}, colorway=PALETTE, hovermode="x unified",
        legend={"orientation": "h", "yanchor": "top", "y": -0.12, "x": 0},
        font={"family": "Arial, 'Segoe UI', sans-serif", "size": 13}, plot_bgcolor="white",
        hoverlabel={"namelength": -1}, dragmode=False,
    )
    fig.update_yaxes(gridcolor="#e5e5e5", zeroline=False, rangemode="tozero", fixedrange=True)
    fig.update_xaxes(fixedrange=True)
    return fig


def _year_step(years: pd.Series) -> int:
    """One tick a year for short ranges, every other year for long ones (keeps labels horizontal)."""
    return 1 if years.nunique() <= 9 else 2


def _tickformat(unit_vi: str) -> str:
    return ",.1f" if unit_vi in ("%", "lượt/người") else ",.0f"


def _marks(lo: int, hi: int, schemes: bool) -> dict[float, tuple[str, bool]]:
    """x -> (label, is_structural_break) of the breaks inside [lo, hi]: structural ones, and scheme changes."""
    from core.compare import breaks
    from core.refdata import reference
    marks = {y - 0.5: (label, True) for y, label in zip(breaks()["year"], breaks()["label_vi"]) if lo < y <= hi}
    if schemes:
        sch = reference()["rating_schemes"]
        for y, name in zip(sch["year_from"].astype(int), sch["short_label_vi"]):
            if lo < y <= hi:
                marks.setdefault(y - 0.5, (f"{name} (từ {y})", False))
    return marks


def mark_breaks(fig: go.Figure, years: list[int], schemes: bool = False, row: int | None = None) -> go.Figure:
    """Dashed lines where the series is not comparable: structural breaks and, for ratings, scheme changes."""
    if not len(years):
        return fig
    for x, (text, is_break) in _marks(int(min(years)), int(max(years)), schemes).items():
        kw = {"row": row, "col": 1} if row else {}
        fig.add_vline(x=x, line_dash="dash", line_color=BREAK if is_break else "#666666", line_width=1.5, **kw)
        if row:
            continue  # small multiples say it once, under the last panel (small_multiples)
        # structural breaks are labelled at the top, scheme changes at the bottom, so they never overlap
        fig.add_annotation(x=x, y=1.0 if is_break else 0.02, yref="paper", text=text, showarrow=False,
                           xanchor="right" if is_break else "left", yanchor="bottom", bgcolor="rgba(255,255,255,0.8)",
                           font={"size": 11, "color": BREAK if is_break else "#444444"})
    return fig


@reused
def small_multiples(df: pd.DataFrame, panels: list[tuple[str, str, str]], title: str, kind: str = "bars",
                    height: int = 170) -> go.Figure:
    """One panel per indicator, stacked, sharing the years axis, each with its own axis and unit.

    df: indicator_code, year, value (as shown); panels: (indicator_code, label, unit) in drawing order."""
    fig = make_subplots(rows=len(panels), cols=1, shared_xaxes=True, vertical_spacing=0.12 if len(panels) > 2 else 0.18,
                        subplot_titles=[f"{label} ({unit})" for _, label, unit in panels])
    years = df["year"]
    for i, (code, label, unit) in enumerate(panels, start=1):
        g = df[df["indicator_code"] == code].sort_values("year")
        texts = [fmt_value(v, unit) for v in g["value"]]
        colour = PALETTE[(i - 1) % len(PALETTE)]
        trace = (go.Bar(x=g["year"], y=g["value"], marker_color=colour) if kind == "bars" else
                 go.Scatter(x=g["year"], y=g["value"], mode="lines+markers", line={"color": colour, "width": 2.5}))
        trace.update(name=label, customdata=texts, hovertemplate="%{x}: %{customdata}<extra>" + label + "</extra>")
        fig.add_trace(trace, row=i, col=1)
        fig.update_yaxes(tickformat=_tickformat(unit), row=i, col=1, rangemode="tozero")
        mark_breaks(fig, list(years.unique()), row=i)
    _base(fig, title, 60 + height * len(panels))
    fig.update_layout(showlegend=False, hovermode="closest")
    fig.update_annotations(font={"size": 12}, selector={"yref": "paper", "showarrow": False})
    if len(years):
        fig.update_xaxes(dtick=_year_step(years), tick0=int(years.min()), tickformat="d")
        marks = _marks(int(years.min()), int(years.max()), False)
        if marks:
            fig.update_xaxes(title={"text": "Đường đứt đỏ: " + "; ".join(t for t, _ in marks.values()),
                                    "font": {"size": 11, "color": BREAK}}, row=len(panels), col=1)
    return fig


@reused
def trend(df: pd.DataFrame, title: str, unit_vi: str, series: str | None = None, schemes: bool = False,
          colors: dict[str, str] | None = None, highlight: set[str] | None = None) -> go.Figure:
    """Lines over years (df: year, value[, series label column]); gaps stay gaps, never zeros.

    colors: a fixed colour per series name; highlight: when given and not empty, only those series keep their
    colour, the others are drawn thin and grey behind them (context, not filtered out)."""
    fig = go.Figure()
    groups = df.groupby(series, sort=False) if series else [(None, df)]
    if series and colors:
        order = list(colors)
        groups = sorted(groups, key=lambda g: order.index(g[0]) if g[0] in order else len(order))
    for name, g in groups:
        g = g.sort_values("year")
        muted = bool(highlight) and name not in highlight
        color = CONTEXT if muted else (colors or {}).get(str(name))
        fig.add_trace(go.Scatter(
            x=g["year"], y=g["value"], mode="lines+markers", name=str(name) if name is not None else title,
            customdata=[fmt_value(v, unit_vi) for v in g["value"]], line={"color": color, "width": 1.2 if muted else 2.5},
            marker={"color": color, "size": 4 if muted else 6}, opacity=0.8 if muted else 1.0,
            hovertemplate="%{customdata}" + (f" {unit_vi}" if unit_vi != "%" else "") + "<extra>%{fullData.name}</extra>",
        ))
    _base(fig, title)
    fig.update_xaxes(dtick=_year_step(df["year"]), tick0=int(df["year"].min()) if len(df) else 0, tickformat="d")
    fig.update_yaxes(tickformat=_tickformat(unit_vi), title=unit_vi)
    if not series:
        fig.update_layout(showlegend=False)
    return mark_breaks(fig, list(df["year"].unique()), schemes)


@reused
def bars(df: pd.DataFrame, x: str, title: str, unit_vi: str, series: str | None = None, stacked: bool = False,
         horizontal: bool = False, height: int = 380, colors: dict[str, str] | None = None) -> go.Figure:
    """Bars of df['value'] by column x, optionally one colour per series (fixed colours by series name)."""
    fig = go.Figure()
    groups = df.groupby(series, sort=False) if series else [(None, df)]
    if series and colors:  # the categories' fixed order (core/charts.py, rule 4)
        order = list(colors)
        groups = sorted(groups, key=lambda g: order.index(g[0]) if g[0] in order else len(order))
    for name, g in groups:
        labels = [fmt_value(v, unit_vi) for v in g["value"]]
        kw = {"y": g[x], "x": g["value"], "orientation": "h"} if horizontal else {"x": g[x], "y": g["value"]}
        color = (colors or {}).get(str(name))
        fig.add_trace(go.Bar(name=str(name) if name is not None else title, customdata=labels,
                             marker_color=color, hovertemplate="%{customdata}<extra>%{fullData.name}</extra>", **kw))
    _base(fig, title, height)
    fig.update_layout(barmode="stack" if stacked else "group", hovermode="closest")
    axis = fig.update_xaxes if horizontal else fig.update_yaxes
    axis(tickformat=_tickformat(unit_vi), title=unit_vi)
    if horizontal:
        fig.update_yaxes(autorange="reversed", type="category")
    elif x == "year":
        fig.update_xaxes(dtick=_year_step(df["year"]), tick0=int(df["year"].min()) if len(df) else 0, tickformat="d")
        mark_breaks(fig, list(df["year"].unique()))
    else:
        fig.update_xaxes(type="category")
    if not series:
        fig.update_layout(showlegend=False)
    return fig


def region_colours() -> dict[str, str]:
    """Region name -> its colour, in the fixed order of regions.csv (the central unions last, in grey)."""
    from core.refdata import reference
    r = reference()["regions"].assign(order=lambda d: d["order"].astype(int)).sort_values("order")
    return {name: ("#666666" if kind == "central" else PALETTE[i % len(PALETTE)])
            for i, (name, kind) in enumerate(zip(r["region_name"], r["kind"]))}


def sector_colours() -> dict[str, str]:
    """Sector name -> its colour, in the fixed order of sectors.csv."""
    from core.refdata import reference
    s = reference()["sectors"].assign(order=lambda d: d["order"].astype(int)).sort_values("order")
    return {name: PALETTE[i % len(PALETTE)] for i, name in enumerate(s["label_vi"])}
@reused
def ranked_bars(df: pd.DataFrame, label: str, title: str, unit_vi: str, selected: set | None = None,
                key: str | None = None, limit: int = 40, value_fmt=None) -> go.Figure:
    """Horizontal bars sorted from the highest, each with its value and rank ('7. Hà Nội'); the selected rows
    (df[key] in `selected`) in the selection colour, the others in a quiet one. Beyond `limit` rows only the first
    ones and the selected ones are drawn, and the title says so."""
    selected = selected or set()
    d = df.dropna(subset=["value"]).sort_values("value", ascending=False).reset_index(drop=True)
    d["rank"] = d["value"].rank(method="min", ascending=False).astype(int)  # ties share the better rank
    is_sel = d[key].isin(selected) if key else pd.Series(False, index=d.index)
    if len(d) > limit:
        d, is_sel = d[(d["rank"] <= limit - len(selected)) | is_sel], is_sel[(d["rank"] <= limit - len(selected)) | is_sel]
    fmt = value_fmt or (lambda v: fmt_value(v, unit_vi))
    names = [wrap_label(f"{r}. {n}") for r, n in zip(d["rank"], d[label])]  # long names wrap: a phone is 390 px
    texts = [fmt(v) for v in d["value"]]
    fig = go.Figure(go.Bar(
        y=names, x=d["value"], orientation="h", text=texts, textposition="outside", cliponaxis=False,
        marker_color=[SELECTED if s else CONTEXT for s in is_sel], customdata=texts,
        hovertemplate="%{y}: %{customdata}<extra></extra>",
    ))
    height = max(260, 60 + 12 * len(d) + 18 * sum(n.count("<br>") + 1 for n in names))  # wrapped lines never touch
    _base(fig, title, height)
    fig.update_layout(hovermode="closest", showlegend=False, margin={"l": 10, "r": 40, "t": 50, "b": 10})
    fig.update_xaxes(tickformat=_tickformat(unit_vi), title=unit_vi, rangemode="tozero",
                     range=[0, float(d["value"].max()) * 1.18] if len(d) and d["value"].max() > 0 else None)
    fig.update_yaxes(autorange="reversed", type="category", gridcolor="rgba(0,0,0,0)")
    if is_sel.any():
        fig.update_yaxes(tickvals=names, ticktext=[f"<b>{n}</b>" if s else n for n, s in zip(names, is_sel)])
    return fig


def wrap_label(text: str, width: int = 30) -> str:
    """An axis label on lines of at most `width` characters (Plotly does not wrap), joined by <br>."""
    import textwrap
    return "<br>".join(textwrap.wrap(str(text), width, break_long_words=False)) or str(text)


def _nice_step(span: float, classes: int) -> float:
    """A round step (1, 2 or 5 × 10^k) about a tenth of a class wide, to round class edges to."""
    raw = span / classes / 4 if span > 0 else 1.0
    power = 10 ** np.floor(np.log10(raw))
    return float(min((m * power for m in (1, 2, 5, 10) if m * power >= raw), default=power))


def class_edges(values: pd.Series, n: int = 5) -> list[float]:
    """Inner edges between up to n classes: quantiles rounded to a round step, strictly increasing."""
    v = pd.Series(values, dtype=float).dropna()
    if v.nunique() < 2:
        return []
    k = min(n, int(v.nunique()))
    step = _nice_step(float(v.max() - v.min()), k)
    edges = sorted({round(round(q / step) * step, 6) for q in v.quantile([i / k for i in range(1, k)])})
    return [e for e in edges if v.min() < e <= v.max()]


def class_labels(edges: list[float], unit_vi: str) -> list[str]:
    """'Dưới 79', '79 – dưới 81', …, 'Từ 86 trở lên': classes that never share an edge."""
    decimals = 0 if all(float(e).is_integer() for e in edges) else 1
    f = [fmt_number(e, decimals) for e in edges]
    if not edges:
        return ["Mọi giá trị"]
    return [f"Dưới {f[0]}"] + [f"{a} – dưới {b}" for a, b in zip(f[:-1], f[1:])] + [f"Từ {f[-1]} trở lên"]


def class_of(value, edges: list[float]) -> int | None:
    if value is None or pd.isna(value):
        return None
    return int(np.searchsorted(edges, value, side="right"))


def _archipelagos(fig: go.Figure, scheme: str) -> None:
    """The Hoàng Sa and Trường Sa archipelagos: their islands drawn visibly, a dashed frame and their names."""
    from core.geo import archipelagos, island_arrays
    xs, ys = island_arrays(scheme)
    for a in archipelagos(scheme):
        x0, x1, y0, y1 = a["box"]
        pad = 0.25
        fig.add_shape(type="rect", x0=x0 - pad, x1=x1 + pad, y0=y0 - pad, y1=y1 + pad, line={"color": "#5a6b7b",
                      "width": 1, "dash": "dot"}, fillcolor="rgba(0,0,0,0)", layer="below")
        fig.add_annotation(x=(x0 + x1) / 2, y=y1 + pad + 0.15, text=a["name"].replace(" (", "<br>("), showarrow=False,
                           yanchor="bottom", font={"size": 11, "color": "#22313f"}, align="center")
    fig.add_trace(go.Scatter(x=xs, y=ys, fill="toself", fillcolor="#5a6b7b", mode="lines", hoverinfo="skip",
                             line={"color": "#22313f", "width": 0.8}, showlegend=False))


@reused
def province_map(df: pd.DataFrame, scheme: str, title: str, unit_vi: str, selected: tuple[str, ...] = (),
                 bubbles: bool = False) -> go.Figure:
    """Every province of the scheme with its value, the selection outlined and named, the two archipelagos shown
    and named. Ratios are coloured in classes that never share an edge; counts (bubbles=True) are circles whose
    area is proportional to the value over grey provinces. The last trace is one clickable marker per province
    (customdata = province_key)."""
    from core.geo import mainland_arrays
    shapes, arrays, mainland = outlines(scheme), outline_arrays(scheme), mainland_arrays(scheme)
    values = dict(zip(df["province_key"], df["value"]))
    names = dict(zip(df["province_key"], df["province_name"]))
    edges = [] if bubbles else class_edges(pd.Series(list(values.values()), dtype=float))
    labels = class_labels(edges, unit_vi)
    colours = SEQUENTIAL if len(labels) == 5 else SEQUENTIAL[5 - len(labels):] if len(labels) < 5 else SEQUENTIAL
    fig = go.Figure()
    if not bubbles:  # legend entries first, in class order (the polygons below do not show in the legend)
        for cls, fill in [*zip(labels, colours), (NO_DATA, NO_DATA_FILL)]:
            fig.add_trace(go.Scatter(x=[None], y=[None], mode="markers", name=cls, hoverinfo="skip", marker={
                "size": 14, "symbol": "square", "color": fill, "line": {"color": "#999", "width": 0.5}}))

    def fill_of(key):
        if bubbles:
            return "#e4e9ee" if key in values and not pd.isna(values[key]) else NO_DATA_FILL
        c = class_of(values.get(key), edges)
        return NO_DATA_FILL if c is None else colours[min(c, len(colours) - 1)]

    for key in shapes:
        v = values.get(key)
        text = f"<b>{names.get(key, key)}</b><br>{fmt_value(v, unit_vi) if v is not None and not pd.isna(v) else NO_DATA}"
        # mainland rings only (the islands are drawn apart, visibly); hovering the province names it
        xs, ys = mainland[key]
        fig.add_trace(go.Scatter(x=xs, y=ys, fill="toself", fillcolor=fill_of(key), mode="lines", hoveron="fills",
                                 name=names.get(key, key), text=text, hoverinfo="text",
                                 line={"color": "#ffffff", "width": 0.6}, showlegend=False))
    _archipelagos(fig, scheme)
    chosen = [k for k in selected if k in arrays]
    if chosen:
        fig.add_trace(go.Scatter(x=np.concatenate([arrays[k][0] for k in chosen]),
                                 y=np.concatenate([arrays[k][1] for k in chosen]), mode="lines", hoverinfo="skip",
                                 showlegend=False, line={"color": "#B00020", "width": 2.2}))
        if len(chosen) <= 4:  # named in the sea to the east, one under the other so labels never overlap
            for i, k in enumerate(sorted(chosen, key=lambda k: -arrays[k][3])):
                fig.add_annotation(x=arrays[k][2], y=arrays[k][3], text=f"<b>{names.get(k, k)}</b>", showarrow=True,
                                   arrowhead=0, arrowcolor="#B00020", axref="x", ayref="y", ax=109.4,
                                   ay=arrays[k][3] + 0.6 - 1.1 * i, xanchor="left", bgcolor="rgba(255,255,255,0.9)",
                                   bordercolor="#B00020", borderwidth=1, font={"size": 12, "color": "#22313f"})
    keys = list(shapes)
    cx, cy = [arrays[k][2] for k in keys], [arrays[k][3] for k in keys]
    texts = [f"<b>{names.get(k, k)}</b><br>" + (fmt_value(values[k], unit_vi) if k in values and not pd.isna(values[k])
                                               else NO_DATA) for k in keys]
    if bubbles:
        vmax = max([v for v in values.values() if v is not None and not pd.isna(v)] or [1.0])
        size = [0 if k not in values or pd.isna(values[k]) else max(4.0, 38 * np.sqrt(values[k] / vmax)) for k in keys]
        _size_key(fig, vmax, unit_vi)
        marker = {"size": size, "sizemode": "diameter", "color": [SELECTED if k in chosen else "rgba(0,114,178,0.55)"
                                                                   for k in keys],
                  "line": {"color": "white", "width": 1}}
    else:
        marker = {"size": 8, "color": "rgba(0,0,0,0.35)", "line": {"color": "white", "width": 1}}
    fig.add_trace(go.Scatter(x=cx, y=cy, mode="markers", customdata=keys, text=texts,
                             hovertemplate="%{text}<extra></extra>", showlegend=False, marker=marker))
    fig.update_layout(title={"text": title, "font": {"size": 15}}, height=660, separators=",.",
                      margin={"l": 0, "r": 0, "t": 40, "b": 0}, plot_bgcolor="white", hovermode="closest",
                      legend={"title": {"text": unit_vi}, "x": 0.70, "y": 0.99, "bgcolor": "rgba(255,255,255,0.85)"},
                      clickmode="event+select", dragmode=False)
    fig.update_xaxes(visible=False, range=[101.8, 117.8], fixedrange=True)
    fig.update_yaxes(visible=False, scaleanchor="x", scaleratio=1.0, range=[6.3, 23.6], fixedrange=True)
    return fig


def _size_key(fig: go.Figure, vmax: float, unit_vi: str) -> None:
    """The key of proportional circles: three round values drawn at their size, in the sea, top right."""
    top = float(10 ** np.floor(np.log10(vmax)))
    top = max(m * top for m in (1, 2, 5) if m * top <= vmax)
    vals = [top, top / 4, top / 16]
    ys = [21.9, 20.9, 20.1]
    fig.add_trace(go.Scatter(x=[113.6] * 3, y=ys, mode="markers", hoverinfo="skip", showlegend=False,
                             marker={"size": [38 * np.sqrt(v / vmax) for v in vals], "sizemode": "diameter",
                                     "color": "rgba(0,114,178,0.55)", "line": {"color": "white", "width": 1}}))
    for v, y in zip(vals, ys):
        fig.add_annotation(x=114.4, y=y, text=f"{fmt_value(v, unit_vi)} {unit_vi}", showarrow=False, xanchor="left",
                           font={"size": 11})
    fig.add_annotation(x=113.2, y=23.1, text="Diện tích vòng tròn tỉ lệ với số liệu", showarrow=False, xanchor="left",
                       font={"size": 11, "color": "#444"})
