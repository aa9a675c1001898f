"""Báo cáo tổng hợp: the consolidated Excel workbook for the current filters, and a printable A4 page."""
import html

import pandas as pd
import streamlit as st

from core import charts
from core.approval import figures_status
from core.exports import file_name
from core.labels import fmt_value, region_labels
from core.refdata import reference
from etl.report import SECTIONS, ReportOptions, build_report
from ui.common import filters, header, q, snapshot, warehouse

PRINT_CSS = """
<style>
@media print {
  @page { size: A4 landscape; margin: 12mm; }
  [data-testid="stSidebar"], [data-testid="stHeader"], [data-testid="stToolbar"], [data-testid="stDecoration"],
  [data-testid="stDownloadButton"], [data-testid="stBaseButton-secondary"], .no-print { display: none !important; }
  [data-testid="stMain"] { margin-left: 0 !important; }
  .block-container { padding: 0 !important; max-width: 100% !important; }
  .section-break { break-before: page; page-break-before: always; }
  .js-plotly-plot, table { break-inside: avoid; }
}
.report-table { border-collapse: collapse; font-size: 12px; margin-bottom: 10px; }
.report-table th, .report-table td { border: 1px solid #bbb; padding: 2px 6px; }
.report-table td { text-align: right; } .report-table td:first-child { text-align: left; }
.report-table tr:last-child td { font-weight: bold; background: #f2f2f2; }
</style>
"""

header("Báo cáo tổng hợp", "I.1.1-I.2.4, I.3, II", "Bảng tổng hợp để in (khổ A4) và tệp Excel có công thức để kiểm tra.")
st.markdown(PRINT_CSS, unsafe_allow_html=True)
f = filters()
rounds = q("dim_round").sort_values("year_to", ascending=False)
rnd = st.selectbox("Kỳ báo cáo", rounds["round_code"].tolist(), key="ky",
                   format_func=dict(zip(rounds["round_code"], rounds["label_vi"])).get)
info = rounds.set_index("round_code").loc[rnd]
years = list(range(int(info["year_from"]), int(info["year_to"]) + 1))
snap = snapshot()
approval_label = figures_status(warehouse(), rnd).label  # approval changes no snapshot: part of the cache key below
st.info(f"Tình trạng số liệu kỳ này: **{approval_label}**.", icon=":material/verified:")


@st.cache_data(max_entries=16, show_spinner=False)
def workbook(snapshot_id: str, round_code: str, region: str, view: str, approval_label: str) -> bytes:
    import tempfile
    from pathlib import Path
    with tempfile.TemporaryDirectory() as tmp:
        path, _ = build_report(warehouse(), ReportOptions(round_code, region, view), Path(tmp) / "bao-cao.xlsx")
        return path.read_bytes()


c1, c2 = st.columns([1, 3])
c1.download_button("⬇ Tải báo cáo Excel", data=lambda: workbook(snap.id, rnd, f.region, f.view, approval_label), on_click="ignore",
                   file_name=file_name(f"bao-cao_{rnd}", f"{f.region or 'ca-nuoc'}_{f.view}", snap.id, "xlsx"),
                   mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", type="primary")
c2.caption("Tệp Excel: bìa, một trang cho mỗi mục I.1.1-I.2.4 (theo vùng, theo 34 tỉnh, theo 63 tỉnh như đã báo cáo, "
           "theo khu vực), ý kiến theo lĩnh vực và danh sách đơn vị. Để in trang này: Ctrl+P (khổ A4 ngang). "
           "Bộ lọc áp dụng: vùng và cách tính theo tỉnh ở thanh bên.")

regions = q("region_year", view=f.view, y0=years[0], y1=years[-1])
regions = regions[regions["sector"] == "TOTAL"]
if f.region:
    regions = regions[regions["region_code"] == f.region]
inds = q("dim_indicator")
order = dict(zip(q("dim_region")["region_code"], q("dim_region")["sort_order"]))
names = region_labels()


def table_html(df: pd.DataFrame, unit: str, is_ratio: bool) -> str:
    """Region × year table (escaped), total row = sum of the regions, or the recomputed ratio."""
    p = df.pivot_table(index="region_code", columns="year", values="value", aggfunc="first").reindex(columns=years)
    p = p.loc[sorted(p.index, key=lambda k: order.get(k, 99))]
    if is_ratio:
        nums = df.pivot_table(index="region_code", columns="year", values="numerator", aggfunc="first").sum()
        dens = df.pivot_table(index="region_code", columns="year", values="denominator", aggfunc="first").sum()
        scale = float(inds.set_index("indicator_code").loc[df["indicator_code"].iloc[0], "scale"])
        total = (nums / dens.where(dens > 0) * scale).reindex(years)
    else:
        total = p.sum(min_count=1)
    rows = "".join(
        f"<tr><td>{html.escape(names.get(k, k))}</td>" + "".join(f"<td>{fmt_value(v, unit)}</td>" for v in p.loc[k]) + "</tr>"
        for k in p.index)
    rows += "<tr><td>Tổng</td>" + "".join(f"<td>{fmt_value(v, unit)}</td>" for v in total) + "</tr>"
    head = "<tr><th>Vùng</th>" + "".join(f"<th>{y}</th>" for y in years) + "</tr>"
    return f"<table class='report-table'>{head}{rows}</table>"


titles = dict(zip(reference()["sheets"]["sheet_code"], reference()["sheets"]["title_vi"]))
for section in SECTIONS:
    st.markdown("<div class='section-break'></div>", unsafe_allow_html=True)
    st.header(titles[section])
    sec_inds = inds[inds["section"] == section].sort_values("sort_order")
    first = True
    for _, ind in sec_inds.iterrows():
        sub = regions[regions["indicator_code"] == ind["indicator_code"]]
        if sub.empty:
            continue
        st.markdown(f"**{ind['label_vi']}** ({ind['unit_vi']})")
        if first and len(years) > 1:
            series = sub.assign(series=sub["region_code"].map(names))
            st.plotly_chart(charts.trend(series, ind["label_vi"] + " theo vùng", ind["unit_vi"], series="series"),
                            width="stretch", key=f"print_{section}")
            first = False
        st.markdown(table_html(sub, ind["unit_vi"], bool(ind["is_ratio"])), unsafe_allow_html=True)
