"""The app's CSS, injected once per run by app.py: readable tables, no English toolbars, a phone layout."""
import streamlit as st

CSS = """
<style>
/* one download per table: Streamlit's own (English) toolbars on tables and charts, the heading anchors and the
   fullscreen button Streamlit adds to every plotly modebar are hidden */
[data-testid="stElementToolbar"], [data-testid="stHeaderActionElements"], [data-testid="stMainMenu"],
.modebar-btn[data-title="Fullscreen"], .modebar-btn[data-title="Close fullscreen"] { display: none !important; }
[data-testid="stMainBlockContainer"] { padding-left: 2rem; padding-right: 2rem; padding-top: 2.5rem; max-width: 100%; }

.cdcs-table-wrap { overflow-x: auto; max-width: 100%; margin-bottom: 0.4rem; }
.cdcs-table { border-collapse: collapse; font-size: 0.84rem; width: 100%; line-height: 1.3; }
.cdcs-table th { background: #f0f2f6; font-weight: 600; vertical-align: bottom; padding: 4px 6px;
                 border-bottom: 1px solid #c8ccd4; white-space: normal; min-width: 3.2rem; }
.cdcs-table td { padding: 3px 6px; border-bottom: 1px solid #eceef2; vertical-align: top; }
.cdcs-table td.num, .cdcs-table th.num { text-align: right; font-variant-numeric: tabular-nums; }
.cdcs-table td.num { white-space: nowrap; }
.cdcs-table td.txt { min-width: 7rem; }
.cdcs-table.dense { font-size: 0.76rem; }
.cdcs-table.dense td, .cdcs-table.dense th { padding: 3px 4px; }
.cdcs-table tr.sel td { background: #e3eef9; font-weight: 600; }
.cdcs-table tr.total td { font-weight: 700; background: #f6f6f6; border-top: 1px solid #999; }
.cdcs-chart-title { font-weight: 600; font-size: 1rem; margin: 0; }

/* phone: one column, thumb-sized controls, a labelled menu button, compact figures */
@media (max-width: 640px) {
  [data-testid="stMainBlockContainer"] { padding-left: 0.7rem; padding-right: 0.7rem; padding-top: 3.2rem; }
  h1 { font-size: 1.6rem !important; }
  [data-testid="stMetric"] { padding: 0.1rem 0; }
  [data-testid="stMetricValue"] { font-size: 1.5rem !important; }
  [data-testid="stMetricLabel"] p { font-size: 0.85rem !important; }
  [data-testid="stHorizontalBlock"]:has([data-testid="stMetric"]) { flex-direction: row !important; flex-wrap: wrap !important; gap: 0.2rem 0.6rem !important; }
  [data-testid="stHorizontalBlock"]:has([data-testid="stMetric"]) > [data-testid="stColumn"] { width: calc(50% - 0.4rem) !important; flex: 1 1 calc(50% - 0.4rem) !important; min-width: calc(50% - 0.4rem) !important; }
  .cdcs-table { font-size: 0.8rem; }
  .cdcs-table th.key, .cdcs-table td.key { position: sticky; left: 0; background: #fff; z-index: 1; box-shadow: 1px 0 0 #ddd; }
  .cdcs-table th.key { background: #f0f2f6; }
  .cdcs-table tr.sel td.key { background: #e3eef9; }
  [data-testid="stExpandSidebarButton"], [data-testid="stSidebarCollapsedControl"] button { min-height: 2.75rem; }
  [data-testid="stExpandSidebarButton"]::after { content: "Trang & bộ lọc"; margin-left: 0.35rem; font-size: 0.95rem; font-weight: 600; }
  button, [role="button"] { min-height: 2.5rem; }
}
</style>
"""


def inject() -> None:
    st.html(CSS)  # style only: rendered without taking a place in the layout
