"""Streamlit glue shared by the pages: cached queries, the filter state, headers, downloads, empty states."""
from __future__ import annotations

import html
import json
from collections import OrderedDict

import pandas as pd
import streamlit as st

from core.db import Warehouse
from core.exports import csv_bytes, file_name, zip_bytes
from core.filters import UNIT_TYPES, Filters
from core.labels import NO_DATA, SIMULATED, fmt_number, labelled
from core.memo import SizedLRU
from core.series import as_shown
from core.refdata import TOTAL

YEARS = (2011, 2025)
# display columns that hold formatted numbers (right-aligned) whatever their text
NUMERIC = {"value", "numerator", "denominator", "n_units", "start", "end", "growth_pct", "change_points", "change",
           "cdcs_count", "share", "cap_pct", "rule_pct", "rank", "rank_label", "expected_n", "received_n", "on_time_n",
           "late_n", "missing_n", "versions", "version", "n_warnings", "kpcd_pct", "dues_pct"}
NOT_BY_SECTOR = " (không báo cáo theo khu vực)"
# indicators offered on the overview map (first = default)
# the explore page: its first indicators, and how its rows may be split
EXPLORE_DEFAULT = ("member_end", "card_share")
ROWS = {"region": "Vùng", "province": "Tỉnh, thành phố", "unit": "Đơn vị báo cáo", "sector": "Khu vực"}
MAP_INDICATORS = ["card_share", "member_end", "cdcs_total", "unionisation_rate", "members_per_cdcs", "card_missing_share"]


@st.cache_resource
def warehouse() -> Warehouse:
    """One read-only handle per server process; it follows the CURRENT pointer to new snapshots."""
    return Warehouse()


def snapshot():
    return warehouse().snapshot()


@st.cache_resource
def _results() -> SizedLRU:
    """Query results shared by the sessions of this server process, bounded by [server] result_cache_mb. One frame
    per result, handed out as a shallow copy (pandas copy-on-write: a page adding a column changes its copy only),
    rather than st.cache_data's new unpickled copy on every run."""
    from core.config import settings
    mb = int(settings().get("server", {}).get("result_cache_mb", 256))
    return SizedLRU(mb * 2**20, lambda df: df.memory_usage(deep=True).sum())


def q(name: str, **params) -> pd.DataFrame:
    """Run queries/<name>.sql on the current snapshot; cached per snapshot id, so a new load shows at once."""
    snap = snapshot()
    params_json = json.dumps(params, sort_keys=True, default=list)
    df = _results().get_or_make((snap.id, name, params_json),
                                lambda: warehouse().query(name, **json.loads(params_json)))
    return df.copy(deep=False)


def filters() -> Filters:
    """The sidebar selection (widgets bound to the URL), as a Filters value."""
    s = st.session_state
    years = s.get("nam") or YEARS
    return Filters(year_from=int(years[0]), year_to=int(years[1]), view=s.get("goc") or "34",
                   region=s.get("vung") or "", provinces=tuple(s.get("tinh") or ()),
                   sector=s.get("kv") or TOTAL, unit_types=tuple(s.get("loai") or UNIT_TYPES))


def header(title: str, sections: str, intro: str, ignored: dict[str, str] | None = None, note: str = "") -> None:
    """Page title, the outline sections it answers, the data version and the simulated banner, and the filters
    it applies: `ignored` maps a filter (core.filters.FILTER_NAMES) to why this page does not apply it; `note`
    adds how it applies them (e.g. comparisons that keep every province)."""
    snap = snapshot()
    st.title(title)
    st.caption(f"Mục đề cương: {sections}. {intro}")
    info = q("snapshot_info")
    sim = bool(info["simulated"].iloc[0]) if len(info) else snap.simulated
    if sim:
        st.warning(f"**{SIMULATED}** — số liệu do chương trình tạo ra để minh họa, không phải số liệu thật "
                   "của các đơn vị.", icon=":material/warning:")
    if built_with_older_models(snap.id):
        st.warning("Bản dữ liệu này được dựng bằng phiên bản trước của chương trình: một số phần có thể thiếu hoặc "
                   "báo lỗi. Người quản trị chạy `python -m etl rebuild` (hoặc `make run`) để dựng lại với cùng số "
                   "liệu.", icon=":material/update:")
    f = filters()
    st.caption(f"Dữ liệu cập nhật: bản **{snap.id}**, công bố lúc {snap.created_label}. "
               f"{approval_summary(snap.id, f.year_from, f.year_to)} "
               f"Đang xem: {f.describe(ignored)}." + (f" {note}" if note else ""))
    st.session_state["_ignored"] = dict(ignored or {})
    st.session_state["_tables"] = OrderedDict()
    st.session_state["_zip_slot"] = st.empty()


@st.cache_data(max_entries=8, show_spinner=False)
def built_with_older_models(snapshot_id: str) -> bool:
    """Whether the current snapshot was built by other models than this code's (an upgrade without a rebuild)."""
    from core.refdata import reference
    from etl.warehouse import models_hash
    try:
        info = warehouse().sql("select * from snapshot_info")  # every column the snapshot has, old or new
        built = info["models_hash"].iloc[0] if "models_hash" in info.columns and len(info) else None
        return built != models_hash(reference())
    except Exception:  # noqa: BLE001 — a check that cannot be made must not take the page down
        return False


@st.cache_data(ttl=20, max_entries=64, show_spinner=False)  # approvals change no snapshot: read again every 20 s
def approval_summary(snapshot_id: str, y0: int, y1: int) -> str:
    """Whether the figures of the rounds covering y0–y1 are closed, approved or provisional, in one sentence."""
    from core.approval import figures_status
    rounds = q("dim_round")
    covered = [r for r, a, b in zip(rounds["round_code"], rounds["year_from"], rounds["year_to"]) if a <= y1 and b >= y0]
    if not covered:
        return ""
    states = [figures_status(warehouse(), r).state for r in covered]
    n, closed, approved = len(states), states.count("closed"), states.count("approved")
    if closed == n:
        return f"Số liệu **đã chốt** ở cả {n} kỳ báo cáo của giai đoạn." if n > 1 else "Số liệu **đã chốt**."
    if n == 1:
        return "Số liệu **đã duyệt**, chưa chốt." if approved else "Số liệu **tạm thời** (chưa duyệt)."
    return (f"Tình trạng số liệu của {n} kỳ báo cáo: {closed} kỳ đã chốt, {approved} kỳ đã duyệt, "
            f"{n - closed - approved} kỳ **tạm thời** (chưa duyệt).")


@st.cache_data(ttl=20, max_entries=64, show_spinner=False)  # as approval_summary: read again every 20 s
def rounds_status(snapshot_id: str, round_codes: tuple[str, ...]) -> str:
    """core.approval.rounds_status of the current snapshot, once per 20 s rather than on every run of a page."""
    from core.approval import rounds_status as status_line
    return status_line(warehouse(), list(round_codes))


def province_scheme(year: int) -> str:
    """The province scheme a year's figures are grouped by in the selected view: '34', or as reported."""
    from core.compare import breaks
    if filters().view == "34":
        return "34"
    return "34" if year >= int(breaks()["year"].min()) else "63"


def selected_groups(by: str) -> set[str]:
    """The groups of a comparison that the sidebar selection points at (highlighted, never filtered out)."""
    f = filters()
    prov = q("dim_province")
    if by == "province":
        if f.provinces:
            return set(f.provinces)
        if f.region:
            scheme = prov["province_scheme"].isin(["34"] if f.view == "34" else ["34", "63"])
            return set(prov[scheme & (prov["region_code"] == f.region)]["province_key"])
        return set()
    if by == "region":
        if f.region:
            return {f.region}
        return set(prov[prov["province_key"].isin(f.provinces)]["region_code"])
    return set()


def comparison(codes: list[str], year: int, by: str, **extra) -> pd.DataFrame:
    """Every province (of the year's scheme) or every region for some indicators in one year, whatever the
    geographic selection (kept as context, see selected_groups), with the group's code and name columns and a
    `selected` flag. Other filters (view, sector, unit types) apply."""
    from core.series import by_group
    f = filters()
    df = q("indicator_by", **f.params(indicators=codes, by=by, y0=year, y1=year, region="", provinces=[], **extra))
    if by == "province":
        df = df[df["group_code"].str.startswith(province_scheme(year) + ":")]
    out = by_group(df, by)
    key = out.columns[0]
    return out.assign(selected=out[key].isin(selected_groups(by)))


def rank_line(df: pd.DataFrame, by: str, name_col: str, higher: str = "cao") -> str:
    """'Hồ Chí Minh: hạng 1/34 (từ cao xuống thấp)' for the selected rows of a comparison, '' when none."""
    from core.series import ranks
    d = df.dropna(subset=["value"]).sort_values("value", ascending=False).reset_index(drop=True)
    d["rank"] = ranks(d["value"])
    n = len(d)
    unit = {"province": "tỉnh", "region": "vùng"}.get(by, "")
    parts = [f"**{r[name_col]}**: hạng {r['rank']}/{n} {unit}".strip() for _, r in d.iterrows() if r["selected"]]
    return ("; ".join(parts) + f" (xếp từ {higher} xuống thấp)") if parts else ""


def compare_chart(code: str, year: int, by: str, title: str, topic: str, key: str | None = None,
                  extra_labels: dict | None = None, higher: str = "cao") -> pd.DataFrame | None:
    """Every province or region for one indicator in one year as sorted bars with values and ranks, the selection
    highlighted and its rank said under the chart; the data (every group, with codes) offered for download."""
    from core import charts
    from core.labels import shown_unit
    from core.series import as_shown
    df = comparison([code], year, by)
    if df.dropna(subset=["value"]).empty:
        empty(title[:1].lower() + title[1:])
        return None
    df = df.sort_values("value", ascending=False)
    name = df.columns[1]
    shown = as_shown(df.drop(columns=["selected"]))
    fig = charts.ranked_bars(shown.assign(selected=df["selected"].values), name, title, shown_unit(code),
                             selected=set(df.loc[df["selected"], df.columns[0]]), key=df.columns[0])
    chart(fig, df.drop(columns=["selected"]), topic, key=key, extra_labels=extra_labels)
    line = rank_line(df, by, name, higher)
    if line:
        st.caption(line)
    return df


def changes(codes: list[str], y0: int, y1: int, by: str = "all", **extra) -> pd.DataFrame:
    """Like-for-like changes of some indicators between y0 and y1 for the sidebar selection (core.compare.changes)."""
    from core.compare import changes as like_for_like
    f = filters()
    return like_for_like(q, f.params(**extra), codes, y0, y1, by)


def no_warehouse() -> bool:
    """Explain, instead of crashing, when no snapshot has been published yet."""
    if snapshot() is None:
        st.title("Chưa có dữ liệu")
        st.info("Kho dữ liệu chưa có bản nào. Chạy `make run` (tự tạo dữ liệu mô phỏng) hoặc nạp báo cáo bằng "
                "`python -m etl load TỆP…`, rồi tải lại trang.")
        return True
    return False


def empty(what: str = "") -> None:
    st.info(f"{NO_DATA}{' — ' + what if what else ''}. Thử mở rộng khoảng năm hoặc bỏ bớt bộ lọc ở thanh bên.")


def table(df: pd.DataFrame, topic: str, display: pd.DataFrame | None = None, key: str | None = None,
          extra_labels: dict | None = None, height: int | None = None) -> None:
    """Show a table with Vietnamese headers and offer exactly its rows and columns for download."""
    if df.empty:
        empty()
        return
    if len(df) > TABLE_ROWS:  # a scrolling table of tens of thousands of rows is sent whole to the browser
        _first_rows_note(TABLE_ROWS, len(df))
        display = display.iloc[:TABLE_ROWS] if display is not None else as_shown(df.iloc[:TABLE_ROWS])
    shown = labelled(display if display is not None else as_shown(df), extra_labels)
    st.dataframe(shown, hide_index=True, width="stretch", height=height or "auto")
    download(df, topic, key, extra_labels)


TABLE_ROWS = 2000  # rows of one scrolling table sent to the browser; a download always holds all of them


def download(data: pd.DataFrame, topic: str, key: str | None = None, extra_labels: dict | None = None) -> None:
    """A download button for one table or chart, and remember the table (as downloaded) for the page's ZIP.

    The table keeps its codes beside its labels (indicator_code, year, region_code, province_key, sector,
    unit_code), money in tỷ đồng and every figure rounded as the page shows it (core.series.as_shown);
    `st.session_state["_tables"][topic]` is the file's content with Vietnamese headers, and its
    `attrs["codes"]` maps each header back to its column code (tests/test_downloads.py traces every figure)."""
    f, snap = filters(), snapshot()
    out = labelled(as_shown(data), extra_labels)
    st.session_state.setdefault("_tables", OrderedDict())[topic] = out
    # deferred: the file is built only when the button is clicked (nothing extra is sent with the page)
    st.download_button("⬇ Tải CSV", data=lambda: csv_bytes(out), file_name=file_name(topic, f.slug(), snap.id),
                       mime="text/csv", on_click="ignore", key=key or f"dl_{topic}",
                       help="Tệp CSV (UTF-8, mở được bằng Excel) đúng các số đang hiển thị, kèm mã chỉ tiêu, mã vùng, tỉnh")


def chart(fig, data: pd.DataFrame, topic: str, key: str | None = None, extra_labels: dict | None = None,
          codes: list[str] | None = None, config: dict | None = None, **kw):
    """Draw a figure under its title with an (i) definition (the codebook's, for `codes` or the indicators in
    `data`), and offer its data (with codes) for download."""
    from core.charts import CONFIG
    title = fig.layout.title.text or ""
    fig.update_layout(title=None, margin={**fig.layout.margin.to_plotly_json(), "t": 28})
    codes = codes if codes is not None else (list(dict.fromkeys(data["indicator_code"]))
                                             if "indicator_code" in data.columns else [])
    chart_title(title, codes)
    event = st.plotly_chart(fig, width="stretch", config={**CONFIG, "toImageButtonOptions": {
        **CONFIG["toImageButtonOptions"], "filename": topic}, **(config or {})}, key=f"fig_{key or topic}", **kw)
    download(data, topic, key, extra_labels)
    return event


def chart_title(title: str, codes: list[str]) -> None:
    """A chart's title as text (wraps on a phone), with an (i) icon opening the codebook's definitions."""
    if not codes:
        st.markdown(f"<div class='cdcs-chart-title'>{html.escape(title)}</div>", unsafe_allow_html=True)
        return
    row = st.container(horizontal=True, vertical_alignment="center", gap="small")
    row.markdown(f"<div class='cdcs-chart-title'>{html.escape(title)}</div>", unsafe_allow_html=True, width="content")
    with row.popover("", icon=":material/info:", help="Định nghĩa chỉ tiêu (từ danh mục chỉ tiêu)", type="tertiary"):
        from core.labels import indicator
        from ui import urlstate
        st.markdown(definition_text(codes))
        for c in codes[:4]:  # from any figure to the units and versions behind it
            st.page_link("pages/sources.py", label=f"Đơn vị và báo cáo tạo nên: {indicator(c)} →",
                         icon=":material/find_in_page:", query_params=urlstate.link_params(cs=c, ns=str(filters().year_to)))


def definition_text(codes: list[str]) -> str:
    """The codebook's definition of some indicators, with how each is added up (Vietnamese markdown); made once
    per snapshot and list of codes (every chart asks for it on every run)."""
    return _DEFINITIONS.get_or_make((snapshot().id, tuple(codes)), lambda: _definition_text(codes))


_DEFINITIONS = SizedLRU(2**20, len)  # (snapshot id, codes) -> the definitions' text


def _definition_text(codes: list[str]) -> str:
    from core.labels import AGGREGATION, shown_unit
    ind = q("dim_indicator").set_index("indicator_code")
    lines = []
    for c in codes:
        if c not in ind.index:
            continue
        r = ind.loc[c]
        how = AGGREGATION.get(r["aggregation"], "")
        parts = ""
        if r["is_ratio"]:
            parts = f" Tử số: {ind.loc[r['numerator'], 'label_vi']}; mẫu số: {ind.loc[r['denominator'], 'label_vi']}."
        lines.append(f"**{r['label_vi']}** ({shown_unit(c)}, mục {r['section']}): {r['description_vi']}. "
                     f"Cách tổng hợp: {how.lower()}.{parts}")
    return "\n\n".join(lines) or "Không có định nghĩa."


def stat_table(df: pd.DataFrame, topic: str, display: pd.DataFrame, key: str | None = None,
               extra_labels: dict | None = None, selected: list[bool] | None = None, total_last: bool = False,
               key_columns: int = 1, numeric: set | None = None) -> None:
    """A table of figures in full (no inner scrolling), numbers right-aligned as shown, the selected rows marked;
    the download holds `df` (with codes) as core.series.as_shown rounds it."""
    from core.tables import html_table
    if df.empty:
        empty()
        return
    shown = labelled(display, extra_labels)
    right = {shown.columns[i] for i, c in enumerate(display.columns)
             if isinstance(c, int) or c in NUMERIC or c in (numeric or ())
             or (c in df.columns and pd.api.types.is_numeric_dtype(df[c]) and c not in ("year", "year_from"))}
    if len(shown) > SHOWN_ROWS:  # thousands of units: the page shows the first ones, the CSV every one
        _first_rows_note(SHOWN_ROWS, len(shown))
        shown = shown.iloc[:SHOWN_ROWS]
        selected = selected[:SHOWN_ROWS] if selected is not None else None
        total_last = False
    st.markdown(html_table(shown, right, selected, total_last, key_columns), unsafe_allow_html=True)
    download(df, topic, key, extra_labels)


SHOWN_ROWS = 500  # rows of one table drawn on a page; a download always holds all of them


def _first_rows_note(shown: int, total: int) -> None:
    """Say that a table shows its first rows only, and that its CSV holds every one."""
    st.caption(f"Bảng hiển thị {fmt_number(shown)} dòng đầu trong {fmt_number(total)} dòng; "
               "tệp CSV tải về có đủ mọi dòng.")


def zip_button(page_topic: str, definitions: pd.DataFrame | None = None) -> None:
    """Fill the page's 'Tải toàn bộ' slot with a ZIP of every table shown and a metadata file."""
    tables = st.session_state.get("_tables") or {}
    slot = st.session_state.get("_zip_slot")
    if not tables or slot is None:
        return
    f, snap = filters(), snapshot()
    meta = {"trang": page_topic, "bo_loc": f.describe(st.session_state.get("_ignored")), "ban_du_lieu": snap.id,
            "cong_bo_luc": snap.created_label, "du_lieu_mo_phong": snap.simulated,
            "dinh_nghia_chi_tieu": [] if definitions is None else definitions.to_dict(orient="records")}
    tables = dict(tables)
    slot.download_button("⬇ Tải toàn bộ (ZIP)", data=lambda: zip_bytes(tables, meta),
                         file_name=file_name(page_topic, f.slug(), snap.id, "zip"), mime="application/zip",
                         on_click="ignore", key=f"zip_{page_topic}",
                         help="Mọi bảng của trang theo bộ lọc hiện tại, kèm tệp mô tả")


def definitions(codes: list[str]) -> pd.DataFrame:
    """Codebook rows of the indicators a page shows (for the ZIP metadata)."""
    ind = q("dim_indicator")
    return ind[ind["indicator_code"].isin(codes)][["indicator_code", "label_vi", "unit_vi", "description_vi",
                                                   "aggregation", "numerator", "denominator"]]


def rounds_in_period() -> list[str]:
    """Reporting rounds whose years overlap the selected period."""
    f, rounds = filters(), q("dim_round")
    return rounds[(rounds["year_to"] >= f.year_from) & (rounds["year_from"] <= f.year_to)]["round_code"].tolist()


def answers(question_codes: list[str], title: str, limit: int = 6) -> None:
    """Text answers to some questions for the current filters, shown as plain text (never HTML/markdown)."""
    f = filters()
    df = q("text_answers", **f.params(q="", focus="", sections=[], unit="", rounds=rounds_in_period(),
                                      questions=list(question_codes), limit=limit))
    n = int(df["n_matching"].iloc[0]) if len(df) else 0
    st.markdown(f"**{title}** ({fmt_number(n, 0)} câu trả lời)")
    if df.empty:
        empty("câu trả lời")
        return
    names = round_names()
    for _, row in df.iterrows():
        with st.container(border=True):
            st.caption(f"{row['unit_name']} — {names.get(row['round_code'], row['round_code'])}")
            st.text(row["text"])
    if n > limit:
        st.caption(f"Và {fmt_number(n - limit, 0)} câu trả lời khác — xem đủ ở trang Ý kiến, kiến nghị.")


def round_names() -> dict[str, str]:
    """round_code -> the round's name, as pages show it."""
    rounds = q("dim_round")
    return dict(zip(rounds["round_code"], rounds["label_vi"]))


def year_table(data: pd.DataFrame, codes: list[str], topic: str) -> None:
    """The page's indicators as one row per indicator and one column per year of the period."""
    from core.labels import fmt_indicator
    from core.series import as_shown, wide_by_year
    from core.labels import indicator, shown_unit
    f = filters()
    st.subheader("Bảng số liệu theo năm")
    years = list(range(f.year_from, f.year_to + 1))
    wide = wide_by_year(data, codes, years)
    cells = {y: [fmt_indicator(v, c) for v, c in zip(wide[y], wide["indicator_code"])] for y in years}
    if len(years) <= 8:  # one row per indicator, one column per year
        display = pd.DataFrame({"indicator_label": [f"{indicator(c)} ({shown_unit(c)})" for c in codes], **cells})
        stat_table(wide, topic, display)
        return
    # a long period: one row per year, so every year and every indicator fit the page without scrolling inside
    display = pd.DataFrame({"year": years, **{c: [cells[y][i] for y in years] for i, c in enumerate(codes)}})
    stat_table(wide, topic, display, extra_labels={c: f"{indicator(c)} ({shown_unit(c)})" for c in codes},
               numeric=set(codes))
    st.caption("Tệp tải về có cùng các số, mỗi dòng một chỉ tiêu (kèm mã chỉ tiêu), mỗi cột một năm.")


def indicators_chart(data: pd.DataFrame, codes: list[str], title: str, unit: str, topic: str, kind: str = "bars",
                     stacked: bool = False, parts: bool = False, missing: str = "") -> None:
    """One chart of some indicators over the years (from an indicator_by result) with its data, or an empty state.

    Ratios are downloaded with their numerator and denominator, so every percentage can be quoted with its base."""
    from core import charts
    from core.labels import indicator
    from core.series import FIGURES
    s = data[data["indicator_code"].isin(codes)]
    if s.empty:
        empty(missing or title[:1].lower() + title[1:])
        return
    from core.labels import MONEY, MONEY_SHOWN
    from core.series import as_shown
    from core.labels import shown_unit
    shown = as_shown(s).assign(series=s["indicator_code"].map(indicator))
    unit = MONEY_SHOWN if unit == MONEY else unit
    series = "series" if len(codes) > 1 else None
    if kind == "multiples":  # different magnitudes or units: one panel each (core/charts.py, rule 1)
        present = [c for c in codes if c in set(s["indicator_code"])]
        fig = charts.small_multiples(shown, [(c, indicator(c), shown_unit(c)) for c in present], title)
    elif kind == "trend":
        fig = charts.trend(shown, title, unit, series=series)
    else:
        fig = charts.bars(shown, "year", title, unit, series=series, stacked=stacked)
    chart(fig, s[[c for c in FIGURES if c in s.columns]].sort_values(["indicator_code", "year"]), topic)


def sector_chart(data: pd.DataFrame, code: str, title: str, unit: str, topic: str) -> None:
    """One indicator as stacked bars by sector when no sector is chosen, else the chosen sector over the years."""
    from core import charts
    from core.labels import sector_labels
    from core.series import by_group
    f = filters()
    if f.sector != TOTAL:
        s = data[data["indicator_code"] == code].sort_values("year")
        if s.empty:
            empty(title[:1].lower() + title[1:])
            return
        chart(charts.trend(s, f"{title} — {sector_labels()[f.sector]}", unit),
              s.assign(sector=f.sector, sector_label=sector_labels()[f.sector])[
                  ["sector", "sector_label", "indicator_code", "year", "value", "n_units"]], topic)
        return
    sec = q("indicator_by", **f.params(indicators=[code], by="sector", sector="*"))
    if sec.empty:
        empty(f"{title[:1].lower() + title[1:]} theo khu vực")
        return
    sec = by_group(sec, "sector")
    chart(charts.bars(sec.rename(columns={"sector_label": "series"}), "year", f"{title} theo khu vực", unit,
                      series="series", stacked=True, colors=charts.sector_colours()), sec, f"{topic}-theo-khu-vuc")
