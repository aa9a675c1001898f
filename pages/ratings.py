"""Xếp loại (I.2.3): rating distribution within each scheme, top-bucket share across schemes, unrated CĐCS."""
import pandas as pd
import streamlit as st

from core import charts
from core.labels import fmt_number, fmt_pct
from core.ratings import level_shares
from core.refdata import TOTAL
from core.series import pick
from ui.common import answers, chart, definitions, empty, filters, header, q, stat_table, zip_button

header("Xếp loại", "I.2.3", "Đánh giá, xếp loại CĐCS hằng năm. Ba cách xếp loại khác nhau trong giai đoạn: "
       "trước 2015 (Thông tri 01), 2015-2018 (HD 1931), từ 2019 (HD 1294) — không gộp trên một trục mà không ghi rõ.",
       ignored={"sector": "xếp loại không báo cáo theo khu vực, trang này tính tất cả khu vực"})
f = filters()
ratings = q("rating_by_level", **f.params())
SHARES = ["top_share_rated", "top_share_all", "unrated_share"]
LEVEL_COLS = ["year", "scheme", "scheme_label", "level_code", "level_label", "cdcs_count", "share"]
extra = q("indicator_by", **f.params(indicators=["cdcs_total", "cdcs_unrated", "cdcs_title_strong", *SHARES], by="all",
                                     sector=TOTAL))
if ratings.empty:
    empty("xếp loại")
    st.stop()

st.subheader("Phân bố mức xếp loại trong từng hướng dẫn")
shares = level_shares(ratings)
shares["share"] = shares["share"].round(1)
schemes = shares.drop_duplicates("scheme").sort_values("year")
cols = st.columns(len(schemes))
for col, (_, sch) in zip(cols, schemes.iterrows()):
    part = shares[shares["scheme"] == sch["scheme"]].sort_values(["year", "level_rank"])
    years = f"{part['year'].min()}–{part['year'].max()}"
    with col:
        st.caption(sch["scheme_label"])
        chart(charts.bars(part.assign(value=part["share"]), "year", f"{sch['scheme_short']} ({years})", "%",
                          series="level_label", stacked=True, height=420, colors=charts.LEVEL_COLOURS),
              part[LEVEL_COLS], f"phan-bo-{sch['scheme'].lower()}",
              key=f"dist_{sch['scheme']}")
st.caption("Tỷ lệ tính trên số CĐCS được xếp loại trong năm (không tính CĐCS chưa xếp loại).")

st.subheader(f"Tỷ lệ CĐCS thuộc nhóm cao nhất, {f.year_from}–{f.year_to} (theo bảng quy đổi)")
scheme_of = dict(zip(ratings["year"], ratings["scheme"]))
top = pick(extra, "top_share_rated")
tops = pd.concat([top, pick(extra, "top_share_all")])
tops = tops.assign(scheme=tops["year"].map(scheme_of))[["indicator_code", "year", "scheme", "value", "numerator",
                                                        "denominator", "n_units"]]
c1, c2 = st.columns([3, 2])
with c1:
    if top.empty:
        empty("tỷ lệ nhóm cao nhất")
    else:
        chart(charts.trend(top, "CĐCS nhóm cao nhất / CĐCS được xếp loại", "%", schemes=True),
              tops, "nhom-cao-nhat")
        st.caption("Mỗi tỷ lệ tính trên các đơn vị báo cáo cả tử số và mẫu số (tổng tử số / tổng mẫu số).")
with c2:
    levels = q("dim_rating_level")
    st.markdown("**Bảng quy đổi đang dùng** (quản trị viên sửa được; xem trang Phương pháp & nguồn)")
    bucket = q("dim_indicator").set_index("indicator_code").loc["cdcs_top", "rating_bucket"]
    tops = levels[levels["bucket"] == bucket].sort_values(["year_from", "level_rank"])
    for scheme, g in tops.groupby("scheme_label", sort=False):
        st.text(f"{scheme}: " + ", ".join(g["level_label"]))
    st.caption("Các mức thuộc nhóm cao nhất không tương đương hoàn toàn giữa các hướng dẫn; đường đứt nét đánh dấu "
               "năm đổi cách xếp loại.")

c3, c4 = st.columns(2)
with c3:
    un = pick(extra, "unrated_share")
    if un.empty:
        empty("CĐCS chưa xếp loại")
    else:
        chart(charts.bars(un.assign(value=un["numerator"]), "year", "CĐCS chưa xếp loại", "đơn vị"),
              un[["indicator_code", "year", "numerator", "denominator", "value", "n_units"]], "chua-xep-loai",
              extra_labels={"numerator": "CĐCS chưa xếp loại", "denominator": "Tổng số CĐCS",
                            "value": "Tỷ lệ chưa xếp loại (%)"})
with c4:
    title = pick(extra, "cdcs_title_strong")
    if title.empty:
        empty("danh hiệu 'CĐCS vững mạnh' (chỉ từ 2019)")
    else:
        chart(charts.bars(title, "year", "CĐCS đạt danh hiệu thi đua 'CĐCS vững mạnh' (từ 2019)", "đơn vị"),
              title[["indicator_code", "year", "value", "n_units"]], "danh-hieu-vung-manh")
        st.caption("Từ 2019 'CĐCS vững mạnh' là danh hiệu thi đua, tách khỏi mức xếp loại chất lượng.")

answers(["I.2.3.T", "I.3.1"], "Thuận lợi, khó khăn trong đánh giá, xếp loại")
st.subheader("Bảng số CĐCS theo mức xếp loại")
tbl = shares[LEVEL_COLS]
stat_table(tbl, "xep-loai-theo-muc", display=tbl.drop(columns=["scheme", "level_code"]).assign(
    cdcs_count=tbl["cdcs_count"].map(fmt_number), share=tbl["share"].map(fmt_pct)), key="dl_levels")
zip_button("xep-loai", definitions(["cdcs_total", "cdcs_unrated", "cdcs_title_strong"]))
