"""Báo cáo tổng hợp: a report a secretary can print or paste — per outline section a summary table (regions or
provinces × years, with the change), its chart beside it, highlights written from the figures, and the section's
indicators for the whole selection; page numbers and a footer when printed; the Excel workbook for checking."""
import html

import pandas as pd
import streamlit as st

from core.compare import NOT_COMPARABLE, breaks, change_text
from core.exports import file_name
from core.labels import VIEWS, fmt_indicator, indicator, region_labels, sector_labels, shown_unit
from core.printout import bars_svg, extremes_sentence, line_svg, svg_img, trend_sentence
from core.refdata import TOTAL, reference
from core.series import as_shown, by_group
from core.tables import html_table
from etl.report import SECTIONS, SUMMARY, ReportOptions, build_report
from ui.common import (changes, download, filters, header, q, rounds_status, selected_groups, snapshot, warehouse,
                       zip_button)

PERIOD = "giai-doan"
f = filters()
rounds = q("dim_round").sort_values("year_to", ascending=False)
round_years = {r: (int(a), int(b)) for r, a, b in zip(rounds["round_code"], rounds["year_from"], rounds["year_to"])}
if st.session_state.get("bc") not in [PERIOD, *round_years]:
    st.session_state["bc"] = next((r for r, ys in round_years.items() if ys == (f.year_from, f.year_to)), PERIOD)
labels = {PERIOD: f"Giai đoạn đang chọn ({f.year_from}–{f.year_to})", **dict(zip(rounds["round_code"], rounds["label_vi"]))}
choice = st.session_state["bc"]
y0, y1 = (f.year_from, f.year_to) if choice == PERIOD else round_years[choice]
years = list(range(y0, y1 + 1))
period = f"năm {y0}" if y0 == y1 else f"{y0}–{y1}"
header("Báo cáo tổng hợp", "I.1.1-I.2.4", "Mỗi mục: bảng tóm tắt theo vùng (hoặc tỉnh) và năm, kèm thay đổi, biểu đồ "
       "bên cạnh, nhận xét tính từ số liệu, và các chỉ tiêu của mục. In khổ A4 ngang (Ctrl+P); dán được vào văn bản.",
       ignored={"years": f"báo cáo theo {labels[choice]}, {period}"} if (y0, y1) != (f.year_from, f.year_to) else None)
st.selectbox("Báo cáo cho", [PERIOD, *round_years], format_func=labels.get, key="bc")
snap = snapshot()
report_rounds = ([choice] if choice != PERIOD else
                 sorted((r for r, (a, b) in round_years.items() if a <= y1 and b >= y0), key=lambda r: round_years[r]))
approval_label = rounds_status(snap.id, tuple(report_rounds))  # approval changes no snapshot: part of the cache key below
st.info(f"Tình trạng số liệu: **{approval_label}**.", icon=":material/verified:")


@st.cache_data(max_entries=16, show_spinner=False)
def workbook(snapshot_id: str, round_code: str, region: str, view: str, span: tuple[int, int],
             approval_label: str) -> bytes:
    import tempfile
    from pathlib import Path
    with tempfile.TemporaryDirectory() as tmp:
        path, _ = build_report(warehouse(), ReportOptions(round_code, region, view, span), Path(tmp) / "bao-cao.xlsx")
        return path.read_bytes()


st.download_button("⬇ Tải báo cáo Excel (có công thức để kiểm tra)", on_click="ignore", type="primary",
                   data=lambda: workbook(snap.id, "" if choice == PERIOD else choice, f.region, f.view, (y0, y1),
                                         approval_label),
                   file_name=file_name(f"bao-cao_{choice}", f"{f.region or 'ca-nuoc'}_{f.view}", snap.id, "xlsx"),
                   mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", key="dl_report_xlsx")

# who the rows are: the regions, or the provinces of the selected region, or the selected provinces
by = "province" if (f.region or f.provinces) else "region"
what = "tỉnh, thành phố" if by == "province" else "vùng"
scope = (", ".join(q("dim_province").set_index("province_key").loc[list(f.provinces), "short_name"]) if f.provinces
         else region_labels().get(f.region, f.region) if f.region else "Cả nước")
all_codes = list(q("dim_indicator")["indicator_code"])
rows_data = q("indicator_by", **f.params(indicators=list(SUMMARY.values()), by=by, y0=y0, y1=y1))
row_units = [t for t in f.unit_types if t == "LDLD"] if by == "province" else list(f.unit_types)
rows_total = q("indicator_by", **f.params(indicators=list(SUMMARY.values()), by="all", y0=y0, y1=y1,
                                          unit_types=row_units or ["LDLD"]))
whole = q("indicator_by", **f.params(indicators=all_codes, by="all", y0=y0, y1=y1))
base = y0 if y1 > y0 else y1 - 1  # a one-year report compares with the year before
order = dict(zip(q("dim_region")["region_code"], q("dim_region")["sort_order"]))
chosen = selected_groups(by)
brk = [(float(y) - 0.5, label) for y, label in zip(breaks()["year"], breaks()["label_vi"])]
inds = q("dim_indicator").set_index("indicator_code")
titles = dict(zip(reference()["sheets"]["sheet_code"], reference()["sheets"]["title_vi"]))
footer = html.escape(f"Báo cáo tổng hợp CĐCS — {labels[choice]} — {scope} — bản dữ liệu {snap.id}"
                     + (" — DỮ LIỆU MÔ PHỎNG" if snap.simulated else ""), quote=True).replace('"', "'")

st.html("""<style>
.rp-cover { border: 1px solid #c8ccd4; padding: 10px 14px; margin-bottom: 12px; font-size: 0.9rem; }
.rp-cover h1 { font-size: 1.35rem; margin: 0 0 4px 0; padding: 0; }
.rp-section h2 { font-size: 1.15rem; margin: 4px 0 4px 0; padding: 0; break-after: avoid; }
.rp-section h3 { font-size: 0.95rem; margin: 8px 0 2px 0; padding: 0; break-after: avoid; }
.rp-hl { margin: 0 0 6px 1.1rem; padding: 0; font-size: 0.88rem; }
.rp-hl li { margin: 0; }
.rp-row { display: flex; flex-direction: column; gap: 6px; align-items: flex-start; break-inside: avoid; }
.rp-row > .rp-tab { width: 100%; min-width: 0; overflow-x: auto; }
.rp-row > .rp-fig { flex: none; }
.rp-block { break-inside: avoid; }
.rp-note { font-size: 0.78rem; color: #555; margin: 2px 0 0 0; }
.rp-chart { max-width: 100%; height: auto; }

@media print {
  @page { size: A4 landscape; margin: 10mm 10mm 13mm 10mm;
          @bottom-left { content: "__FOOTER__"; font-size: 7.5pt; color: #555; }
          @bottom-right { content: "Trang " counter(page) " / " counter(pages); font-size: 8pt; color: #333; } }
  [data-testid="stSidebar"], [data-testid="stHeader"], [data-testid="stToolbar"], [data-testid="stDecoration"],
  [data-testid="stDownloadButton"], [data-testid="stSelectbox"], [data-testid="stBaseButton-secondary"],
  [data-testid="stCaptionContainer"], [data-testid="stAlert"], [data-testid="stHeading"], .no-print,
  [data-testid="stExpandSidebarButton"] { display: none !important; }
  [data-testid="stMain"] { margin-left: 0 !important; }
  [data-testid="stMainBlockContainer"] { padding: 0 !important; max-width: 100% !important; }
  [data-testid="stVerticalBlock"] { gap: 0 !important; }
  .rp-section { break-before: page; }
  .rp-section.first { break-before: auto; }
  .cdcs-table { font-size: 7.6pt; }
  .cdcs-table td, .cdcs-table th { padding: 1px 4px; }
  .rp-hl { font-size: 8.6pt; }
  .rp-row { flex-direction: row; gap: 14px; }  /* on paper: the chart beside its table */
  .rp-row > .rp-tab { flex: 1 1 58%; width: auto; }
  .rp-row > .rp-fig { flex: 0 0 380px; }
  .rp-chart { width: 380px; }
}
</style>""".replace("__FOOTER__", footer))

st.html(f"<div class='rp-cover'><h1>BÁO CÁO TỔNG HỢP SỐ LIỆU CÔNG ĐOÀN CƠ SỞ</h1>"
        f"<b>{html.escape(labels[choice])}</b>, {period}. Phạm vi: <b>{html.escape(scope)}</b>"
        + (f"; khu vực: {html.escape(sector_labels()[f.sector])}" if f.sector != TOTAL else "")
        + f". Cách tính theo tỉnh: {html.escape(VIEWS[f.view])}. Bản dữ liệu {snap.id}, công bố {snap.created_label}."
        + ("<br><b style='color:#B00020'>DỮ LIỆU MÔ PHỎNG</b> — không phải số liệu thật của các đơn vị." if snap.simulated
           else "")
        + "<br>Tỷ lệ (%) của vùng, tỉnh và dòng tổng tính bằng tổng tử số / tổng mẫu số của các đơn vị báo cáo đủ cả hai "
          "số. Thay đổi tính trên cùng đơn vị, cùng khu vực ở hai năm; qua năm 2025 không tính khu vực CĐCS cơ quan nhà "
          "nước đã kết thúc, hoặc ghi “không so sánh được”. Tiền tính bằng tỷ đồng.</div>")


def change_text_of(row, code: str) -> str:
    """The like-for-like change of a changes() row as text, or why it cannot be read."""
    if row is None:
        return "—"
    if row["like_for_like"] != "có":
        return NOT_COMPARABLE
    return change_text(row["start"], row["end"], code) or "—"


def summary_table(section: str) -> str:
    code = SUMMARY[section]
    part = by_group(rows_data[rows_data["indicator_code"] == code], by)
    code_col, name_col = part.columns[0], part.columns[1]
    wide = part.pivot_table(index=[code_col, name_col], columns="year", values="value", aggfunc="first")
    wide = wide.reindex(columns=years).reset_index()
    wide.columns = [c if isinstance(c, str) else int(c) for c in wide.columns]
    wide = (wide.sort_values(code_col, key=lambda s: s.map(order)) if by == "region"
            else wide.sort_values(y1, ascending=False, na_position="last"))
    tot = rows_total[rows_total["indicator_code"] == code]
    total = dict(zip(tot["year"], tot["value"]))
    lfl = {r["group_code"]: r for r in changes([code], base, y1, by=by).to_dict("records")}
    t = changes([code], base, y1, by="all", unit_types=row_units or ["LDLD"])
    t_row = t.iloc[0].to_dict() if len(t) else None
    frame = pd.concat([wide.assign(is_total=""), pd.DataFrame([{code_col: None, name_col: f"Tổng các {what}",
                                                                 "is_total": "có", **{y: total.get(y) for y in years}}])],
                      ignore_index=True).assign(indicator_code=code, year=y1, year_from=base)
    for col in ("start", "end", "growth_pct", "change_points", "like_for_like", "excluded_sectors"):
        frame[col] = [(lfl.get(g) or {}).get(col) if g is not None else (None if t_row is None else t_row.get(col))
                      for g in frame[code_col]]
    change_label = f"Thay đổi {base}–{y1}"
    display = frame[[name_col]].copy()
    for y in years:
        display[y] = [fmt_indicator(v, code) for v in frame[y]]
    display[change_label] = [change_text_of(lfl.get(g) if g is not None else t_row, code) for g in frame[code_col]]
    OFFERED.append((frame[[code_col, name_col, "indicator_code", "is_total", *years, "year_from", "year", "start", "end",
                           "growth_pct", "change_points", "like_for_like", "excluded_sectors"]],
                    f"bao-cao_{section}_{code}_theo-{by}", f"dl_rp_{section}",
                    {"start": f"Cùng phạm vi {base}", "end": f"Cùng phạm vi {y1}"}))
    table = html_table(display.rename(columns={name_col: what.capitalize(), **{y: str(y) for y in years}}),
                       {str(y) for y in years} | {change_label}, list(frame[code_col].isin(chosen)), total_last=True)
    # chart and highlights from the same figures
    names = dict(zip(frame[code_col], frame[name_col]))
    shown = as_shown(part)
    if len(years) > 1:
        from core.charts import PALETTE, region_colours
        colours = region_colours() if by == "region" else {}
        series = {names[g]: [(y, v) for y, v in zip(p["year"], p["value"])]
                  for g, p in shown.groupby(code_col, sort=False) if g in names}
        series = {n: series[n] for n in [names[g] for g in frame[code_col] if g in names] if n in series}
        for i, n in enumerate(series):
            colours.setdefault(n, PALETTE[i % len(PALETTE)])
        svg = line_svg(series, colours, shown_unit(code), brk, highlight={names[g] for g in chosen if g in names})
    else:
        svg = bars_svg(list(zip(shown[name_col], shown["value"])), shown_unit(code))
    val = dict(zip(tot["year"], as_shown(tot)["value"])) if len(tot) else {}
    lines = [trend_sentence(f"{indicator(code)} ({'tổng các ' + what if by == 'province' else scope.lower() if scope != 'Cả nước' else 'cả nước'})",
                            shown_unit(code), base if base in val else y0, val.get(base if base in val else y0),
                            y1, val.get(y1)) if len(years) > 1 or base in val else
             f"{indicator(code)} năm {y1}: {fmt_indicator(total.get(y1), code)} {shown_unit(code)}."]
    if t_row is not None and t_row["like_for_like"] == "có" and t_row["excluded_sectors"]:
        lines.append(f"So sánh cùng phạm vi ({t_row['note']}): {change_text(t_row['start'], t_row['end'], code)}.")
    elif t_row is not None and t_row["like_for_like"] != "có":
        lines.append(f"Thay đổi {base}–{y1}: {t_row['note']}.")
    last = as_shown(part[part["year"] == y1])
    lines.append(extremes_sentence(y1, list(zip(last[name_col], last["value"])), shown_unit(code), what))
    hl = "".join(f"<li>{html.escape(x)}</li>" for x in lines if x)
    return (f"<ul class='rp-hl'>{hl}</ul><div class='rp-row'><div class='rp-tab'><h3>{html.escape(indicator(code))} "
            f"({html.escape(shown_unit(code))}) theo {what}</h3>{table}</div><div class='rp-fig'>"
            f"{svg_img(svg, indicator(code)) if svg else ''}</div></div>")


def section_table(section: str) -> str:
    codes = [c for c in inds[inds["section"] == section].sort_values("sort_order").index]
    sub = whole[whole["indicator_code"].isin(codes)]
    present = [c for c in codes if c in set(sub["indicator_code"])]
    if not present:
        return "<p class='rp-note'>Không có số liệu cho lựa chọn này.</p>"
    wide = sub.pivot_table(index="indicator_code", columns="year", values="value", aggfunc="first")
    wide = wide.reindex(index=present, columns=years)
    wide.columns = [int(c) for c in wide.columns]
    frame = wide.reset_index()
    moves = changes(present, base, y1).set_index("indicator_code")
    change_label = f"Thay đổi {base}–{y1}"
    display = pd.DataFrame({"Chỉ tiêu": [f"{indicator(c)} ({shown_unit(c)})" for c in present],
                            **{str(y): [fmt_indicator(v, c) for v, c in zip(frame[y], present)] for y in years}})
    display[change_label] = [change_text(moves.loc[c, "start"], moves.loc[c, "end"], c) or "—"
                             if c in moves.index and moves.loc[c, "like_for_like"] == "có" else NOT_COMPARABLE
                             for c in present]
    OFFERED.append((frame, f"bao-cao_{section}_chi-tieu", f"dl_rp_all_{section}", None))
    return (f"<div class='rp-block'><h3>Các chỉ tiêu của mục — {html.escape(scope)}</h3>"
            + html_table(display, {str(y) for y in years} | {change_label}) + "</div>")


OFFERED: list = []  # (table, topic, key, extra labels) each section offers for download


@st.cache_data(max_entries=64, show_spinner=False)
def section_html(snapshot_id: str, selection: str, section: str) -> tuple[str, list]:
    """A section's HTML and its downloadable tables, built once per snapshot, selection (filters and report period)
    and section — the same report asked again is not computed again."""
    OFFERED.clear()
    body = summary_table(section) + section_table(section)
    return body, list(OFFERED)


selection = repr((f, choice, y0, y1))
for i, section in enumerate(SECTIONS):
    body, offered = section_html(snap.id, selection, section)
    for frame, topic, key, extra in offered:
        download(frame, topic, key=key, extra_labels=extra)
    st.html(f"<section class='rp-section{' first' if i == 0 else ''}'><h2>{html.escape(titles[section])}</h2>"
            f"{body}</section>")
st.caption("Phụ lục (ý kiến theo lĩnh vực, danh sách đơn vị nộp, bảng tử số và mẫu số của từng tỷ lệ) có trong tệp Excel.")
zip_button(f"bao-cao_{choice}")
