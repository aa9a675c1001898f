"""Nguồn của số liệu: one figure of the current selection and the numbers behind it — every reporting unit that
adds to it, each part (a ratio's numerator and denominator) with the version, file, sheet, cell and time received."""
import streamlit as st

from core.labels import (
    NO_DATA, fmt_indicator, fmt_time, indicator, province_labels, region_labels, shown_unit, unit_labels,
)
from ui.common import definition_text, empty, filters, header, q, stat_table, zip_button

f = filters()
header("Nguồn của số liệu", "toàn bộ", "Một số liệu của lựa chọn hiện tại và các số tạo nên nó: đơn vị báo cáo, phiên "
       "bản, tệp, trang, ô và thời điểm nhận.",
       note="Chọn vùng, tỉnh, khu vực ở thanh bên; chọn đơn vị ở trang Hồ sơ đơn vị để xem riêng đơn vị đó.")
ind = q("dim_indicator").sort_values(["section", "sort_order"]).set_index("indicator_code")
if st.session_state.get("cs") not in ind.index:
    st.session_state["cs"] = "member_end"
years = [str(y) for y in range(f.year_from, f.year_to + 1)]
if st.session_state.get("ns") not in years:
    st.session_state["ns"] = years[-1]
c1, c2, c3 = st.columns([4, 1, 2])
code = c1.selectbox("Số liệu", list(ind.index), format_func=lambda c: f"{ind.loc[c, 'section']} · {ind.loc[c, 'label_vi']}",
                    key="cs")
year = int(c2.selectbox("Năm", years, key="ns"))
unit_names = unit_labels()
one_unit = c3.toggle(f"Chỉ đơn vị {unit_names.get(st.session_state.get('dv'), '')}".strip(),
                     key="src_one_unit", disabled=not st.session_state.get("dv"),
                     help="Đơn vị đang mở ở trang Hồ sơ đơn vị")
by, group = ("unit", st.session_state["dv"]) if one_unit else ("all", "all")
row = ind.loc[code]
parts = [p for p in (row["numerator"], row["denominator"]) if isinstance(p, str) and p] if row["is_ratio"] else [code]

where = ("đơn vị " + unit_names[group]) if by == "unit" else (
    ", ".join(province_labels().get(p, p) for p in f.provinces) if f.provinces
    else region_labels().get(f.region, f.region) if f.region else "cả nước")
figure = q("indicator_by", **f.params(indicators=[code], by=by, y0=year, y1=year))
figure = figure[figure["group_code"] == group]
value = figure["value"].iloc[0] if len(figure) else None
st.markdown(f"### {indicator(code)}, {where}, năm {year}: **{fmt_indicator(value, code) if value is not None else NO_DATA}**"
            + (f" {shown_unit(code)}" if shown_unit(code) != "%" and value is not None else ""))
with st.expander("Định nghĩa và cách tính"):
    st.markdown(definition_text([code]))
if any(isinstance(ind.loc[c, "rating_bucket"], str) and ind.loc[c, "rating_bucket"] for c in [code, *parts]):
    st.info("Số này tính từ trang số CĐCS theo mức xếp loại của báo cáo; các ô xếp loại của từng đơn vị ở trang "
            "Nộp báo cáo (xem lại phiên bản).")

src = q("figure_sources", **f.params(by=by, group=group, indicators=parts, year=year))
if src.empty:
    empty("không có số nào được báo cáo cho số liệu này")
    st.stop()
src = src.assign(received_at=src["received_at"].map(fmt_time))
# a ratio counts a unit only when it reported both parts (Σ numerators / Σ denominators over those units)
both = set.intersection(*(set(src.loc[src["indicator_code"] == p, "unit_code"]) for p in parts))
src["counted"] = src["unit_code"].map(lambda c: "có" if c in both else "không (thiếu số kia)")
n_units = len(both)
if row["is_ratio"]:
    a, b = indicator(parts[0]), indicator(parts[1])
    formula = (f"(tổng **{b}** − tổng **{a}**) / tổng **{b}**" if row["aggregation"] == "complement"
               else f"tổng **{a}** / tổng **{b}**")
    st.markdown(f"= {formula}" + (" × 100" if float(row["scale"]) == 100 else "")
                + f", trên {n_units} đơn vị báo cáo đủ cả hai số (đơn vị thiếu một trong hai số không được tính).")
else:
    st.markdown(f"= tổng của {n_units} đơn vị báo cáo dưới đây.")
for p in parts:
    part = src[src["indicator_code"] == p].sort_values("value", ascending=False)
    if len(parts) > 1:
        st.markdown(f"**{'Tử số' if p == parts[0] else 'Mẫu số'}: {indicator(p)}** — tổng trên các đơn vị được tính "
                    f"{fmt_indicator(part.loc[part['counted'] == 'có', 'value'].sum(), p)} {shown_unit(p)}")
    out = part[["unit_code", "unit_name", "indicator_code", "year", "sector", "value", "counted", "submission_id",
                "version", "file_name", "sheet", "cell", "received_at"]]
    display = out.drop(columns=["unit_code", "indicator_code", "year", "sector"]
                       + ([] if len(parts) > 1 else ["counted"])).assign(value=[fmt_indicator(v, p) for v in out["value"]])
    stat_table(out, f"nguon_{code}_{year}_{p}", display, key=f"dl_src_{p}",
               extra_labels={"value": f"{indicator(p)} ({shown_unit(p)})"})
st.caption("Mỗi số là số đang có hiệu lực: của phiên bản mới nhất có nhắc đến ô đó. Người nạp từng phiên bản chỉ "
           "quản trị viên xem được, ở trang Nộp báo cáo.")
zip_button(f"nguon_{code}_{year}")
