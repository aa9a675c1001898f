"""Hồ sơ đơn vị: one reporting unit — its indicators over time, its rank among units of its kind, its text answers
and the versions it sent (unit and time; who loaded a version is for administrators only, on the desk)."""
import pandas as pd
import streamlit as st

from core.labels import fmt_indicator, fmt_number, fmt_time, indicator, shown_unit, unit_labels, unit_order
from core.refdata import TOTAL
from ui import urlstate
from ui.common import (
    chart_title, definitions, empty, filters, header, q, round_names, stat_table, table, zip_button,
)

KEY = ["member_end", "cdcs_total", "card_share", "cadre_fulltime", "members_per_cdcs", "top_share_rated"]
f = filters()
header("Hồ sơ đơn vị", "toàn bộ", "Mọi chỉ tiêu của một đơn vị báo cáo qua các năm, thứ hạng trong các đơn vị cùng "
       "loại, câu trả lời và các lần nộp báo cáo.",
       ignored={"region": "trang này xem một đơn vị", "provinces": "trang này xem một đơn vị",
                "sector": "hồ sơ ghi số tổng của đơn vị", "unit_types": "trang này xem một đơn vị"},
       note="Danh sách đơn vị theo vùng, tỉnh đang chọn ở thanh bên.")

units = q("dim_unit")
pool = q("selected_units", **f.params())
listed = set(pool["unit_code"]) if len(pool) else set(units["unit_code"])
place_of = unit_order()
order = lambda c: place_of.get(c, len(place_of))  # noqa: E731
if st.session_state.get("dv") not in place_of:  # open on the first unit with figures in the period, if any
    spans = q("unit_years")
    spans = spans[(spans["last_year"] >= f.year_from) & (spans["first_year"] <= f.year_to)]
    with_figures = listed & set(spans["unit_code"])
    st.session_state["dv"] = min(with_figures or listed, key=order)
choices = sorted(listed | {st.session_state["dv"]}, key=order)
names = unit_labels()
code = st.selectbox("Đơn vị báo cáo", choices, format_func=names.get, key="dv")
u = units.set_index("unit_code").loc[code]
active = f"từ {pd.Timestamp(u['valid_from']).strftime('%d/%m/%Y')}" + (
    f" đến {pd.Timestamp(u['valid_to']).strftime('%d/%m/%Y')}" if pd.notna(u["valid_to"]) else "")
place = (f"{u['province_name']}" + (f" (nay thuộc {u['province_name_34']})" if u["province_name_34"] != u["province_name"]
                                    else "") if pd.notna(u["province_name"]) else "Khối Trung ương")
st.markdown(f"**{names[code]}** — {u['unit_type_label']}; {place}; hoạt động {active}.")
# the federations of the same place under the other province scheme (before or after the 2025 merger)
kin = units[(units["unit_type"] == "LDLD") & (units["province_scheme"] != u["province_scheme"])
            & pd.notna(u["province_key_34"]) & (units["province_key_34"] == u["province_key_34"])]
if len(kin):
    kin = kin.assign(place=kin["unit_code"].map(order)).sort_values("place")
    SHOWN = 6
    more = f" và {fmt_number(len(kin) - SHOWN)} đơn vị khác" if len(kin) > SHOWN else ""
    st.markdown(("Trước 7/2025 là: " if u["province_scheme"] == "34" else "Từ 7/2025 thuộc: ")
                + ", ".join(kin["unit_name"].head(SHOWN)) + more + ".")
    links = st.container(horizontal=True)
    for k in kin["unit_code"].head(SHOWN):
        links.page_link("pages/unit.py", label=names[k], icon=":material/apartment:",
                        query_params=urlstate.link_params(dv=k))

# its figures (unit totals) over the period, and its rank among the units of its type: read by unit key, so the
# page costs the same with 117 or 11,700 units
mine = q("unit_figures", unit=code, y0=f.year_from, y1=f.year_to, sector=TOTAL)
if mine.empty:
    empty(f"đơn vị không có số liệu trong giai đoạn {f.year_from}–{f.year_to}")
else:
    last = int(mine["year"].max())
    st.subheader(f"Các chỉ số chính, năm {last}, và thứ hạng trong các đơn vị cùng loại")
    placed = q("unit_peer_ranks", unit=code, unit_type=u["unit_type"], year=last, indicators=KEY,
               sector=TOTAL).set_index("indicator_code")
    rows = []
    for c in KEY:
        mine_row = mine[(mine["indicator_code"] == c) & (mine["year"] == last)]
        if mine_row.empty:
            continue
        rank = (f"{fmt_number(placed.at[c, 'peer_rank'])}/{fmt_number(placed.at[c, 'n_peers'])}"
                if c in placed.index else None)
        rows.append({"unit_code": code, "indicator_code": c, "year": last, "value": mine_row["value"].iloc[0],
                     "numerator": mine_row["numerator"].iloc[0], "denominator": mine_row["denominator"].iloc[0],
                     "peer_rank": rank})
    ranks = pd.DataFrame(rows)
    if len(ranks):
        kind = u["unit_type_label"].lower()
        stat_table(ranks, f"ho-so_{code}_chi-so-chinh",
                   display=pd.DataFrame({"indicator_label": ranks["indicator_code"].map(indicator),
                                         "value": [fmt_indicator(v, c) for v, c in zip(ranks["value"], ranks["indicator_code"])],
                                         "peer_rank": ranks["peer_rank"].fillna("—")}),
                   extra_labels={"value": f"Năm {last}", "peer_rank": f"Hạng trong các {kind} (từ cao xuống thấp)"},
                   key="dl_unit_ranks")

    st.subheader("Mọi chỉ tiêu qua các năm")
    ind = q("dim_indicator").sort_values(["section", "sort_order"])
    years = sorted(int(y) for y in mine["year"].unique())  # the years of the period the unit reported
    wide = mine.pivot_table(index="indicator_code", columns="year", values="value", aggfunc="first")
    present = [c for c in ind["indicator_code"] if c in wide.index]
    wide = wide.reindex(index=present, columns=years)
    wide.columns = [int(y) for y in wide.columns]
    frame = wide.reset_index().assign(unit_code=code)
    frame = frame[["unit_code", "indicator_code", *years]]
    for section, part in ind[ind["indicator_code"].isin(present)].groupby("section", sort=False):
        sub = frame[frame["indicator_code"].isin(part["indicator_code"])]
        display = pd.DataFrame({"indicator_label": [f"{indicator(c)} ({shown_unit(c)})" for c in sub["indicator_code"]],
                                **{y: [fmt_indicator(v, c) for v, c in zip(sub[y], sub["indicator_code"])] for y in years}})
        with st.expander(f"Mục {section}", expanded=section == ind["section"].iloc[0]):
            chart_title(f"Mục {section}: {len(sub)} chỉ tiêu", list(sub["indicator_code"]))
            if len(years) > 8:
                display = display.set_index("indicator_label").T.reset_index(names="year")
                stat_table(sub, f"ho-so_{code}_{section}", display, key=f"dl_unit_{section}",
                           extra_labels={c: c for c in display.columns if c != "year"},
                           numeric={c for c in display.columns if c != "year"})
            else:
                stat_table(sub, f"ho-so_{code}_{section}", display, key=f"dl_unit_{section}")
    st.page_link("pages/sources.py", label="Ô nào lấy từ tệp, trang, ô nào của báo cáo nào →",
                 icon=":material/find_in_page:", query_params=urlstate.link_params(cs="member_end"))

st.subheader("Câu trả lời của đơn vị")
answers_df = q("text_answers", **f.params(q="", focus="", sections=[], unit=code, region="", provinces=[],
                                         unit_types=[u["unit_type"]], rounds=[], questions=[], limit=None))
st.caption(f"{fmt_number(len(answers_df))} câu trả lời đang có hiệu lực.")
rnames = round_names()
with st.expander("Xem các câu trả lời", expanded=False):
    for _, r in answers_df.iterrows():
        with st.container(border=True):
            st.caption(f"{rnames.get(r['round_code'], r['round_code'])} — mục {r['section']} — {r['question_label']}")
            st.text(r["text"])

st.subheader("Các lần nộp báo cáo")
subs = q("unit_submissions", unit=code)
if subs.empty:
    empty("đơn vị chưa nộp báo cáo nào")
else:
    cols = ["submission_id", "round_code", "version", "received_at", "file_name", "n_values", "n_warnings"]
    # a version stays in force until withdrawn; a later one replaces only the values it mentions
    shown = subs[cols].assign(received_at=subs["received_at"].map(fmt_time),
                              round_label=subs["round_code"].map(rnames).fillna(subs["round_code"]),
                              is_current=subs["is_current"].map({True: "Có hiệu lực", False: "Đã thu hồi"}))
    table(subs[cols].assign(received_at=subs["received_at"].map(fmt_time)), f"ho-so_{code}_lich-su-nop",
          display=shown[["round_label", "version", "is_current", "received_at", "file_name", "n_values", "n_warnings"]],
          key="dl_unit_subs", extra_labels={"n_values": "Số ô số liệu", "round_label": "Kỳ báo cáo",
                                            "is_current": "Tình trạng phiên bản"})
    st.caption("Trang công khai ghi đơn vị và thời điểm; người nạp từng phiên bản chỉ quản trị viên xem ở trang "
               "Nộp báo cáo.")
zip_button(f"ho-so_{code}", definitions(KEY))
