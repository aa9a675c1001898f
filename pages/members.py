"""Đoàn viên (I.1.2): members over time, inflow and outflow, new and dissolved CĐCS, unionisation, growth ranking."""
import streamlit as st

from core import charts
from core.labels import province_labels, region_labels
from core.refdata import TOTAL
from core.series import by_group, ranks
from ui.common import (
    NOT_BY_SECTOR, changes, chart, definitions, empty, filters, header, indicators_chart, q, sector_chart, selected_groups,
    year_table, zip_button,
)

CODES = ["member_begin", "member_new", "member_lost", "member_end", "member_female", "workers_at_cdcs",
         "unionisation_rate", "member_female_share", "cdcs_new", "cdcs_dissolved"]

header("Đoàn viên", "I.1.2", "Phát triển đoàn viên: số đoàn viên, kết nạp mới, giảm, CĐCS thành lập mới và giải thể.")
f = filters()
data = q("indicator_by", **f.params(indicators=CODES, by="all"))

c1, c2 = st.columns(2)
with c1:
    sector_chart(data, "member_end", "Đoàn viên cuối kỳ", "người", "doan-vien")
with c2:
    by_region = q("indicator_by", **f.params(indicators=["member_end"], by="region", region="", provinces=[]))
    by_region = by_group(by_region, "region")
    if by_region.empty:
        empty("đoàn viên theo vùng")
    else:
        chosen = selected_groups("region")
        chart(charts.trend(by_region.rename(columns={"region_name": "series"}), "Đoàn viên cuối kỳ theo vùng", "người",
                           series="series", colors=charts.region_colours(),
                           highlight={region_labels()[r] for r in chosen}),
              by_region, "doan-vien-theo-vung")
        if chosen:
            st.caption("Vùng đang chọn tô màu; các vùng khác màu xám để so sánh.")

def growth_ranking() -> None:
    """Every province ranked by its like-for-like change in members over the period, the selection highlighted."""
    st.markdown(f"**Tăng trưởng đoàn viên theo tỉnh, {f.year_from}–{f.year_to}** (cùng phạm vi ở hai năm)")
    if f.year_from == f.year_to:
        empty("cần chọn khoảng ít nhất hai năm")
        return
    rank = changes(["member_end"], f.year_from, f.year_to, by="province", region="", provinces=[])
    rank = rank.dropna(subset=["growth_pct"])
    if rank.empty:
        empty("không so sánh được theo tỉnh qua năm 2025 khi tính 'như đã báo cáo' (63 tỉnh thành 34) — chọn "
              "'34 tỉnh, thành phố hiện nay' ở thanh bên")
        return
    rank = rank.rename(columns={"group_code": "province_key"}).sort_values("growth_pct", ascending=False)
    rank.insert(0, "rank", ranks(rank["growth_pct"]))
    rank.insert(2, "province_name", rank["province_key"].map(province_labels()))
    chosen = selected_groups("province")
    fig = charts.ranked_bars(rank.assign(value=rank["growth_pct"]), "province_name",
                             f"Thay đổi số đoàn viên {f.year_from}–{f.year_to} (%)", "%", selected=chosen,
                             key="province_key")
    cols = ["rank", "province_key", "province_name", "indicator_code", "year_from", "year", "start", "end", "growth_pct",
            "like_for_like", "excluded_sectors", "note"]
    chart(fig, rank[cols], "xep-hang-tang-truong", extra_labels={"start": f"Đoàn viên {f.year_from} (cùng phạm vi)",
                                                                 "end": f"Đoàn viên {f.year_to} (cùng phạm vi)"})
    note = rank["note"].iloc[0]
    picked = rank[rank["province_key"].isin(chosen)]
    st.caption("; ".join(f"**{r.province_name}**: hạng {r.rank}/{len(rank)}" for r in picked.itertuples())
               + (". " if len(picked) else "") + f"So sánh {note}.")


c3, c4 = st.columns(2)
with c3:
    indicators_chart(data, ["member_new", "member_lost"], "Đoàn viên kết nạp mới và giảm trong năm", "người",
                     "ket-nap-giam", missing="biến động đoàn viên" + NOT_BY_SECTOR * (f.sector != TOTAL))
with c4:
    indicators_chart(data, ["cdcs_new", "cdcs_dissolved"], "CĐCS thành lập mới và giải thể", "đơn vị",
                     "cdcs-moi-giai-the", missing="CĐCS thành lập, giải thể" + NOT_BY_SECTOR * (f.sector != TOTAL))

c5, c6 = st.columns(2)
with c5:
    indicators_chart(data, ["unionisation_rate"], "Tỷ lệ đoàn viên trên CNVCLĐ tại đơn vị có CĐCS", "%",
                     "ty-le-doan-vien", kind="trend", parts=True)
with c6:
    growth_ranking()

year_table(data, CODES, "doan-vien-theo-nam")
zip_button("doan-vien", definitions(CODES))
