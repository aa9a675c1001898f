"""Phương pháp & nguồn: indicator definitions, rating and province-change rules, data version, credits."""
import streamlit as st

from core.geo import CREDIT
from core.labels import AGGREGATION, SIMULATED, fmt_number
from ui.common import header, q, snapshot, stat_table, zip_button

ALL = "trang này giống nhau với mọi bộ lọc"
header("Phương pháp & nguồn", "toàn bộ", "Định nghĩa chỉ tiêu, quy tắc tính, thay đổi địa giới và nguồn dữ liệu.",
       ignored={k: ALL for k in ("years", "view", "region", "provinces", "sector", "unit_types")})
snap = snapshot()
info = q("snapshot_info")
st.subheader("Phiên bản dữ liệu")
st.markdown(f"- Bản dữ liệu: **{snap.id}**, công bố lúc {snap.created_label}\n"
            f"- Số ô số liệu đang dùng: {int(info['n_values'].iloc[0]):,}".replace(",", ".") + "\n"
            f"- Số báo cáo (phiên bản hiện hành): {int(info['n_submissions'].iloc[0])}\n"
            + (f"- **{SIMULATED}**: toàn bộ số liệu, câu trả lời và ngày nộp do chương trình tạo ra để minh họa.\n"
               if snap.simulated else ""))

st.subheader("Cách tính")
st.markdown(
    "- **Thiếu số liệu khác số 0**: ô để trống hoặc gõ “-” là *không có số liệu*, không bao giờ được tính là 0.\n"
    "- **Tỷ lệ không cộng, không lấy trung bình**: tỷ lệ của vùng, tỉnh, cả nước được tính lại bằng tổng tử số chia "
    "tổng mẫu số của các đơn vị báo cáo đủ cả hai số.\n"
    "- **Khu vực** (HCSN, DNNN, ngoài nhà nước, FDI, hợp tác xã, nghiệp đoàn, khác) là loại hình của CĐCS; chỉ các "
    "chỉ tiêu ghi 'Có' ở cột 'Chia theo khu vực' được báo cáo theo khu vực.\n"
    "- **Vùng, tỉnh** lấy theo đơn vị báo cáo (LĐLĐ tỉnh, thành phố). Công đoàn ngành Trung ương và Công đoàn Tổng công ty "
    "được xếp vào 'Khối Trung ương' và không có tỉnh.\n"
    "- **Phiên bản**: mỗi lần đơn vị nộp lại là một phiên bản mới; số liệu dùng phiên bản hiện hành, các phiên bản cũ vẫn lưu.")

st.subheader("Thay đổi địa giới 01/7/2025: 63 → 34 tỉnh, thành phố")
st.markdown("Nghị quyết 202/2025/QH15: 11 tỉnh giữ nguyên, 52 tỉnh hợp thành 23. **Mã tỉnh mới dùng lại mã cũ của tỉnh "
            "khác** (ví dụ Lào Cai mới mang mã 15 của Yên Bái cũ), nên mọi phép nối luôn kèm hệ mã (63 hoặc 34). "
            "Cách xem '34 tỉnh' cộng số liệu các năm trước theo tỉnh mới; cách xem 'Như đã báo cáo' giữ 63 tỉnh đến 2024. "
            "Năm 2025 còn kết thúc CĐCS ở cơ quan nhà nước: số 2025 không so sánh trực tiếp được với 2024.")
xw = q("dim_province_crosswalk")
with st.expander(f"Bảng chuyển đổi {len(xw)} tỉnh cũ sang 34 tỉnh mới"):
    stat_table(xw, "bang-chuyen-doi-tinh", display=xw, key="dl_xw")

st.subheader("Xếp loại CĐCS và bảng quy đổi")
lv = q("dim_rating_level").sort_values(["year_from", "level_rank"])
stat_table(lv[["scheme_label", "level_label", "bucket_label"]], "muc-xep-loai", key="dl_lv",
           display=lv[["scheme_label", "level_label", "bucket_label"]],
      extra_labels={"scheme_label": "Hướng dẫn", "bucket_label": "Nhóm xu hướng (giả định, sửa được)"})

st.subheader("Quy định tài chính theo năm")
fr = q("dim_finance_rule")
fr = fr[fr["year"] <= 2025][["year", "kpcd_pct", "dues_pct", "source_vi"]]
stat_table(fr, "quy-dinh-tai-chinh", key="dl_fr", display=fr.assign(kpcd_pct=fr["kpcd_pct"].map(fmt_number),
                                                                    dues_pct=fr["dues_pct"].map(fmt_number)),
           extra_labels={"kpcd_pct": "KPCĐ để lại (%)", "dues_pct": "Đoàn phí để lại (%)", "source_vi": "Căn cứ"})

st.subheader("Định nghĩa chỉ tiêu")
ind = q("dim_indicator").sort_values(["section", "sort_order"])
ind = ind.assign(aggregation_label=ind["aggregation"].map(AGGREGATION),
                 by_sector_label=ind["by_sector"].map({True: "Có", False: "Không"}))
cols = ["section", "indicator_code", "label_vi", "unit_vi", "by_sector_label", "aggregation_label", "description_vi"]
stat_table(ind[cols], "dinh-nghia-chi-tieu", key="dl_ind", display=ind[cols].drop(columns=["indicator_code"]),
           key_columns=2)

st.subheader("Nguồn dữ liệu và ghi công")
st.markdown("- Đề cương làm việc với công đoàn cấp trên phục vụ tổng kết Nghị quyết 6a/NQ-TLĐ (Kế hoạch 46/KH-TLĐ).\n"
            "- Mã, tên tỉnh theo Tổng cục Thống kê, đối chiếu với gói vietnamadminunits (MIT).\n"
            "- Vùng kinh tế - xã hội theo Nghị quyết 81/2023/QH15; vùng của 34 tỉnh mới là giả định.")
st.text(CREDIT)
zip_button("phuong-phap")
