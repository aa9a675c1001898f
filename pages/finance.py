"""Tài chính (I.2.4): KPCĐ and đoàn phí collected, share kept vs the rule of the year, spending vs the caps."""
import pandas as pd
import streamlit as st

from core import charts
from core.labels import fmt_pct, indicator
from core.refdata import TOTAL
from ui.common import chart, definitions, empty, filters, header, indicators_chart, q, stat_table, year_table, zip_button

CODES = ["kpcd_collected", "kpcd_retained", "dues_collected", "dues_retained", "kpcd_retained_share",
         "dues_retained_share", "spend_total", "spend_salary_share", "spend_admin_share", "spend_member_support_share",
         "spend_activities_share"]
SHARES = ["spend_salary_share", "spend_admin_share", "spend_member_support_share", "spend_activities_share"]

header("Tài chính", "I.2.4", "Thu kinh phí công đoàn (KPCĐ) và đoàn phí, phần để lại CĐCS, cơ cấu chi. "
       "Đơn vị tính: tỷ đồng (tệp Excel của báo cáo tổng hợp: triệu đồng).",
       ignored={"sector": "tài chính không báo cáo theo khu vực, trang này tính tất cả khu vực"})
f = filters()
data = q("indicator_by", **f.params(indicators=CODES, by="all", sector=TOTAL))
if data.empty:
    empty("tài chính")
    st.stop()

c1, c2 = st.columns(2)
with c1:
    indicators_chart(data, ["kpcd_collected", "dues_collected"], "Thu KPCĐ và đoàn phí", "triệu đồng",
                     "thu-kpcd-doan-phi")
with c2:
    rules = q("dim_finance_rule")
    rules = rules[(rules["year"] >= f.year_from) & (rules["year"] <= f.year_to)]
    s = data[data["indicator_code"].isin(["kpcd_retained_share", "dues_retained_share"])]
    rule_of = {"kpcd_retained_share": dict(zip(rules["year"], rules["kpcd_pct"])),
               "dues_retained_share": dict(zip(rules["year"], rules["dues_pct"]))}
    s = s.assign(rule_pct=[rule_of[c].get(y) for c, y in zip(s["indicator_code"], s["year"])])
    rule_name = {"kpcd_retained_share": "Quy định: KPCĐ để lại", "dues_retained_share": "Quy định: đoàn phí để lại"}
    both = pd.concat([s.assign(series=s["indicator_code"].map(indicator))[["year", "series", "value"]],
                      s.assign(series=s["indicator_code"].map(rule_name), value=s["rule_pct"])[["year", "series", "value"]]],
                     ignore_index=True)
    pair = {indicator("kpcd_retained_share"): charts.PALETTE[0], rule_name["kpcd_retained_share"]: charts.PALETTE[0],
            indicator("dues_retained_share"): charts.PALETTE[1], rule_name["dues_retained_share"]: charts.PALETTE[1]}
    fig = charts.trend(both, "Tỷ lệ để lại CĐCS so với quy định từng năm", "%", series="series", colors=pair)
    for tr in fig.data:  # the rule drawn over the actual line, thin and dashed: visible where the two coincide
        if tr.name.startswith("Quy định"):
            tr.line.update(dash="dash", width=1.5, color="#333333")
            tr.marker.update(color="#333333", size=5, symbol="diamond" if "KPCĐ" in tr.name else "square")
    chart(fig, s[["indicator_code", "year", "value", "numerator", "denominator", "rule_pct"]].sort_values(
        ["indicator_code", "year"]), "ty-le-de-lai")
    st.caption("Đường gạch màu sẫm: tỷ lệ theo quy định của từng năm (xem trang Phương pháp & nguồn). Trước 2021 là giả định "
               "65-70% vì quy định thay đổi hằng năm.")

st.subheader("Cơ cấu chi tại CĐCS so với giới hạn")
c3, c4 = st.columns([1, 1])
with c3:
    indicators_chart(data, SHARES, "Tỷ trọng các khoản chi trong tổng chi", "%", "co-cau-chi", stacked=True,
                     parts=True)
with c4:
    year = f.year_to
    caps = q("dim_spend_cap")
    caps = caps[caps["year"] == year]
    if caps.empty:
        empty(f"giới hạn chi cho năm {year}")
    else:
        rows = []
        for _, cap in caps.iterrows():
            v = data[(data["indicator_code"] == cap["indicator_code"]) & (data["year"] == year)]["value"]
            actual = float(v.iloc[0]) if len(v) else None
            ok = None if actual is None else (actual <= cap["pct"] if cap["bound"] == "max" else actual >= cap["pct"])
            rows.append({"indicator_code": cap["indicator_code"], "year": year,
                         "indicator_label": indicator(cap["indicator_code"]),
                         "bound_label": "Tối đa" if cap["bound"] == "max" else "Tối thiểu", "cap_pct": cap["pct"],
                         "value": actual, "status_label": "—" if ok is None else ("Đạt" if ok else "Không đạt"),
                         })
        cap_df = pd.DataFrame(rows)
        st.markdown(f"**Giới hạn chi năm {year}** (tính trên {caps['basis_vi'].iloc[0]})")
        stat_table(cap_df, "gioi-han-chi", display=cap_df.drop(columns=["indicator_code", "year"]).assign(
            cap_pct=cap_df["cap_pct"].map(fmt_pct), value=cap_df["value"].map(fmt_pct)),
              extra_labels={"value": "Thực hiện (%)"})
        st.caption("Căn cứ: " + "; ".join(sorted(set(caps["source_vi"]))))
year_table(data, CODES, "tai-chinh-theo-nam")
zip_button("tai-chinh", definitions(CODES))
