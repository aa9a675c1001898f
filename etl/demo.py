"""Simulated submissions, written as template workbooks and loaded through the real loader.

Everything here is invented (seeded, deterministic) and calibrated to the magnitudes in DOMAIN.md §6:
≈8.56 M members and ≈119 k CĐCS in 2014, ≈10 M members in 2018, ≈11.8 M and ≈127 k in 2024, and the
2025 break (34 provinces; most state-agency CĐCS ended). Every file is marked "Dữ liệu mô phỏng".
"""
from __future__ import annotations

import csv
from concurrent.futures import ProcessPoolExecutor
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from core.refdata import TOTAL, Reference, reference
from core.numbers import INT, parse
from etl.load import LoadResult, load_files
from etl.template import write_template

YEARS = list(range(2011, 2026))
# National targets (all reporting units), end of year.
MEMBERS = {2011: 7.30e6, 2012: 7.72e6, 2013: 8.05e6, 2014: 8.558e6, 2015: 9.00e6, 2016: 9.36e6, 2017: 9.70e6,
           2018: 10.0e6, 2019: 10.45e6, 2020: 10.55e6, 2021: 10.35e6, 2022: 10.95e6, 2023: 11.45e6, 2024: 11.82e6}
CDCS = {2011: 108_500, 2012: 112_000, 2013: 114_600, 2014: 119_342, 2015: 120_600, 2016: 121_800, 2017: 122_700,
        2018: 123_500, 2019: 124_600, 2020: 125_300, 2021: 124_800, 2022: 125_900, 2023: 126_600, 2024: 127_300}
# Province weights of membership (the rest share what is left); industrial provinces grow faster.
BIG = {"79": 0.125, "74": 0.07, "75": 0.065, "01": 0.07, "27": 0.03, "24": 0.028, "30": 0.025, "31": 0.027,
       "80": 0.025, "26": 0.02, "19": 0.018, "22": 0.02, "38": 0.022, "40": 0.02, "48": 0.015, "77": 0.017,
       "72": 0.016, "70": 0.012, "92": 0.012, "56": 0.011, "33": 0.012, "34": 0.012, "36": 0.013}
FAST = {"74", "75", "27", "24", "80", "26", "30", "72", "70", "33", "35"}
CENTRAL_SHARE = 0.12
HCSN_KEPT_2025 = 0.4  # share of state-sector membership still under a CĐCS after 07/2025 (assumed)
SECTOR_SIZE = {"HCSN": 38, "DNNN": 180, "NGOAI_NN": 48, "FDI": 520, "HTX": 14, "NGHIEP_DOAN": 45, "KHAC": 28}
SCHEME_MIX = {  # share of CĐCS per level, the rest is unrated
    "TT01": {"TT01_VMXS": 0.08, "TT01_VM": 0.55, "TT01_KHA": 0.22, "TT01_TB": 0.08, "TT01_YEU": 0.02},
    "HD1931": {"HD1931_VM": 0.63, "HD1931_KHA": 0.24, "HD1931_TB": 0.06, "HD1931_YEU": 0.02},
    "HD1294": {"HD1294_HTXS": 0.24, "HD1294_HTT": 0.47, "HD1294_HT": 0.19, "HD1294_KHT": 0.04},
}
TEXTS = {
    "I.1.1.T": ["Cán bộ CĐCS chủ yếu kiêm nhiệm, thời gian dành cho công đoàn ít; phụ cấp trách nhiệm còn thấp.",
                "Chế độ phụ cấp cho cán bộ không chuyên trách chưa thống nhất giữa các loại hình đơn vị.",
                "Cán bộ CĐCS ở doanh nghiệp ngoài nhà nước e ngại va chạm với chủ doanh nghiệp, cần cơ chế bảo vệ."],
    "I.1.3.T": ["Lao động ở doanh nghiệp ngoài nhà nước biến động lớn, đoàn viên nghỉ việc trước khi được phát thẻ.",
                "Phần mềm quản lý đoàn viên mới triển khai, dữ liệu chưa đầy đủ nên chưa in được thẻ.",
                "Kinh phí in thẻ hạn chế; một số CĐCS chưa lập danh sách đề nghị cấp thẻ.",
                "Đoàn viên chưa thấy lợi ích của thẻ đoàn viên nên không mặn mà nhận thẻ."],
    "I.1.4.T": ["Tài liệu tập huấn cần ngắn gọn, có tình huống thực tế; nên tổ chức ngoài giờ làm việc.",
                "Tập huấn trực tuyến giúp tiếp cận nhiều cán bộ hơn nhưng chất lượng tương tác còn hạn chế.",
                "Chương trình tập huấn còn nặng lý thuyết, thiếu kỹ năng thương lượng, đối thoại."],
    "I.2.2.T": ["Hoạt động tập trung vào chăm lo đời sống, tổ chức Tết sum vầy, Tháng Công nhân.",
                "Công đoàn bộ phận và tổ công đoàn hoạt động hình thức ở nhiều doanh nghiệp nhỏ.",
                "Đối thoại định kỳ và thương lượng tập thể đã có tiến bộ nhưng nội dung thỏa ước còn sao chép luật."],
    "I.2.3.T": ["Tiêu chí của Hướng dẫn 1294 rõ ràng hơn, nhưng việc chấm điểm ở doanh nghiệp ngoài nhà nước còn nể nang.",
                "Khó khăn: CĐCS mới thành lập chưa đủ thời gian đánh giá; tỷ lệ xếp loại cao chưa phản ánh thực chất.",
                "Thuận lợi: có hướng dẫn thống nhất; hạn chế: hồ sơ đánh giá còn nhiều thủ tục."],
    "I.3.1": ["Đã ban hành kế hoạch triển khai Hướng dẫn 1931 và 1294, tổ chức hội nghị quán triệt đến công đoàn cấp trên cơ sở.",
              "Triển khai kịp thời, có bảng chấm điểm cụ thể cho từng loại hình CĐCS."],
    "I.3.2": ["Một số quy định về tài chính CĐCS chưa phù hợp với doanh nghiệp nhỏ.",
              "Văn bản hướng dẫn nhiều, đôi khi chồng chéo; cần hệ thống hóa."],
    "I.3.3": ["Công đoàn cấp trên cần sâu sát hơn, hỗ trợ CĐCS khi thương lượng với người sử dụng lao động.",
              "Năng lực cán bộ công đoàn cấp trên trực tiếp cơ sở chưa đồng đều."],
    "II.1": ["Đề nghị sửa đổi quy định về trách nhiệm của công đoàn cấp trên trong việc đại diện cho CĐCS ở doanh nghiệp nhỏ."],
    "II.2": ["Đề nghị sửa đổi Điều lệ về mô hình CĐCS ghép, nghiệp đoàn cho lao động phi chính thức."],
    "II.3": ["Nhiệm vụ của CĐCS cơ bản phù hợp; nhóm nhiệm vụ thi đua, tuyên truyền cần đổi mới cho thiết thực."],
    "II.4.1": ["Tăng quyền và trách nhiệm của công đoàn cấp trên trực tiếp trong thương lượng tập thể ngành.",
               "Giao công đoàn cấp trên hỗ trợ pháp lý trực tiếp cho đoàn viên."],
    "II.4.2": ["Thí điểm mô hình CĐCS theo địa bàn, ghép các doanh nghiệp nhỏ.",
               "Sắp xếp lại tổ công đoàn theo ca sản xuất."],
    "II.4.3": ["Tập trung đối thoại, thương lượng; giảm hoạt động phong trào hình thức."],
    "II.4.4": ["Số hóa quản lý đoàn viên, thẻ đoàn viên điện tử gắn với ưu đãi thiết thực.",
               "Cấp thẻ đoàn viên ngay khi kết nạp, dùng chung phần mềm toàn hệ thống."],
    "II.4.5": ["Bồi dưỡng kỹ năng thương lượng, đối thoại cho cán bộ CĐCS ở doanh nghiệp FDI.",
               "Xây dựng chương trình tập huấn trực tuyến chuẩn cho cán bộ mới."],
    "II.5": ["Đề nghị tăng tỷ lệ kinh phí để lại CĐCS để chăm lo đoàn viên.", "Không có kiến nghị khác."],
}


def _sector_mix(rng, unit_type: str, code: str) -> dict[str, float]:
    if unit_type == "LDLD":
        fdi = 0.32 if code in FAST or code in ("79", "01", "31") else rng.uniform(0.03, 0.12)
        mix = {"HCSN": rng.uniform(0.2, 0.35), "DNNN": rng.uniform(0.03, 0.08), "NGOAI_NN": rng.uniform(0.2, 0.35),
               "FDI": fdi, "HTX": 0.012, "NGHIEP_DOAN": 0.006, "KHAC": 0.02}
    elif code.endswith(("GD", "YT", "VC", "CAND", "QP", "TC")):
        mix = {"HCSN": 0.9, "DNNN": 0.06, "NGOAI_NN": 0.02, "FDI": 0.0, "HTX": 0.0, "NGHIEP_DOAN": 0.0, "KHAC": 0.02}
    else:
        mix = {"HCSN": 0.08, "DNNN": 0.78, "NGOAI_NN": 0.08, "FDI": 0.03, "HTX": 0.0, "NGHIEP_DOAN": 0.0, "KHAC": 0.03}
    s = sum(mix.values())
    return {k: v / s for k, v in mix.items()}


def _split(total: int, mix: dict[str, float]) -> dict[str, int]:
    """Integer split of a total that adds up exactly (the remainder goes to the largest part)."""
    parts = {k: int(total * v) for k, v in mix.items()}
    biggest = max(mix, key=mix.get)
    parts[biggest] += total - sum(parts.values())
    return parts


def simulate(ref: Reference, seed: int = 6) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Unit-level simulated values, ratings and texts for 2011-2025 (long tables, before any file)."""
    rng = np.random.default_rng(seed)
    units = ref.units
    old = units[(units["unit_type"] == "LDLD") & (units["province_scheme"] == "63")]
    central = units[units["unit_type"] != "LDLD"]
    weights = {c: BIG.get(c, rng.uniform(0.004, 0.011)) for c in old["province_code"]}
    growth = {c: (0.018 if c in FAST else 0.0) + rng.normal(0, 0.006) for c in weights}
    cw = {c: rng.uniform(0.3, 1.6) for c in central["unit_code"]}
    cw = {c: v / sum(cw.values()) for c, v in cw.items()}
    # members per unit and year, all in one dict {(unit, year): members}
    members: dict[tuple[str, int], int] = {}
    for y in YEARS[:-1]:
        raw = {c: w * (1 + growth[c]) ** (y - 2011) for c, w in weights.items()}
        s = sum(raw.values())
        for c, w in raw.items():
            members[(f"LDLD63_{c}", y)] = int(MEMBERS[y] * (1 - CENTRAL_SHARE) * w / s * rng.normal(1, 0.01))
        for u, w in cw.items():
            members[(u, y)] = int(MEMBERS[y] * CENTRAL_SHARE * w * rng.normal(1, 0.01))
    mixes = {u: _sector_mix(rng, units.loc[u, "unit_type"], units.loc[u, "province_code"] or u) for u in units.index}
    # 2025: new provinces take their predecessors' 2024 members; state-agency CĐCS mostly ended.
    xwalk = ref["province_crosswalk_2025"]
    for new_code, group in xwalk.groupby("new_code"):
        preds = [f"LDLD63_{c}" for c in group["old_code"]]
        m24 = {p: members[(p, 2024)] for p in preds}
        total = sum(m24.values())
        mix = {s: sum(mixes[p][s] * m24[p] for p in preds) / total for s in ref.sector_codes}
        mixes[f"LDLD34_{new_code}"] = mix
        members[(f"LDLD34_{new_code}", 2025)] = int(total * (1 + rng.normal(0.055, 0.01)))
    for u in central.index:
        members[(u, 2025)] = int(members[(u, 2024)] * (1 + rng.normal(0.05, 0.01)))
    values, ratings, texts = [], [], []

    def put(unit, year, code, value, sector=TOTAL):
        values.append((unit, year, sector, code, value))

    by_unit = {}
    for (u, y), m in members.items():
        by_unit.setdefault(u, {})[y] = m
    # CĐCS per unit: members / typical size by sector, scaled to the national target each year
    raw_cdcs = {}
    for u, ys in by_unit.items():
        for y, m in ys.items():
            mix = dict(mixes[u])
            if y == 2025:
                mix["HCSN"] *= HCSN_KEPT_2025  # most state-agency CĐCS ended in 2025
            raw_cdcs[(u, y)] = {s: m * mix[s] / SECTOR_SIZE[s] for s in mix}
    scale = {}
    for y in YEARS[:-1]:
        scale[y] = CDCS[y] / sum(sum(v.values()) for (u, yy), v in raw_cdcs.items() if yy == y)
    scale[2025] = scale[2024]
    unit_bias = {u: rng.normal(0, 4) for u in by_unit}
    for u, ys in sorted(by_unit.items()):
        mix0 = mixes[u]
        prev_end = None
        prev_cdcs = None
        for y in sorted(ys):
            mix = dict(mix0)
            if y == 2025:
                mix["HCSN"] *= HCSN_KEPT_2025
                s = sum(mix.values())
                mix = {k: v / s for k, v in mix.items()}
            end = ys[y] if y != 2025 else int(ys[y] * sum(dict(mix0, HCSN=mix0["HCSN"] * HCSN_KEPT_2025).values()))
            m_sec = _split(end, mix)
            put(u, y, "member_end", end)
            for s, v in m_sec.items():
                put(u, y, "member_end", v, s)
            begin = prev_end if prev_end is not None else int(end * rng.uniform(0.94, 0.97))
            if y == 2025 and u.startswith("LDLD34"):
                begin = int(end / rng.uniform(1.03, 1.07))
            new_sec = {s: int(v * rng.uniform(0.07, 0.12)) for s, v in m_sec.items()}
            new = sum(new_sec.values())
            if begin + new < end:
                extra = end - begin - new + int(end * 0.01)
                new_sec[max(new_sec, key=new_sec.get)] += extra
                new += extra
            lost = begin + new - end
            put(u, y, "member_begin", begin)
            put(u, y, "member_new", new)
            for s, v in new_sec.items():
                put(u, y, "member_new", v, s)
            put(u, y, "member_lost", lost)
            put(u, y, "member_female", int(end * rng.uniform(0.44, 0.58)))
            work_sec = {s: int(v / rng.uniform(0.80, 0.95)) if v else 0 for s, v in m_sec.items()}
            put(u, y, "workers_at_cdcs", sum(work_sec.values()))
            for s, v in work_sec.items():
                put(u, y, "workers_at_cdcs", v, s)
            c_sec = {s: max(0, round(v * scale[y])) for s, v in raw_cdcs[(u, y)].items()}
            cdcs = sum(c_sec.values())
            put(u, y, "cdcs_total", cdcs)
            for s, v in c_sec.items():
                put(u, y, "cdcs_total", v, s)
            cdcs_new = int(cdcs * rng.uniform(0.03, 0.05))
            put(u, y, "cdcs_new", cdcs_new)
            diss = cdcs_new - (cdcs - prev_cdcs) if prev_cdcs is not None else int(cdcs * 0.01)
            put(u, y, "cdcs_dissolved", max(0, diss))
            # cadres
            ft_sec = {s: int(c_sec[s] * (0.45 if s == "FDI" else 0.12 if s == "DNNN" else 0.02)) for s in c_sec}
            tot_sec = {s: int(c_sec[s] * rng.uniform(4.5, 6.5)) for s in c_sec}
            pt_sec = {s: max(0, tot_sec[s] - ft_sec[s]) for s in c_sec}
            cadre_total = sum(ft_sec.values()) + sum(pt_sec.values())
            put(u, y, "cadre_total", cadre_total)
            put(u, y, "cadre_fulltime", sum(ft_sec.values()))
            put(u, y, "cadre_parttime", sum(pt_sec.values()))
            for s in c_sec:
                put(u, y, "cadre_fulltime", ft_sec[s], s)
                put(u, y, "cadre_parttime", pt_sec[s], s)
            put(u, y, "cadre_female", int(cadre_total * rng.uniform(0.40, 0.52)))
            put(u, y, "cadre_university", int(cadre_total * min(0.9, 0.52 + 0.02 * (y - 2011) + rng.normal(0, 0.03))))
            if rng.random() > 0.2:
                put(u, y, "cadre_under35", int(cadre_total * rng.uniform(0.2, 0.32)))
            put(u, y, "chair_concurrent", int(cdcs * rng.uniform(0.95, 0.99)))
            put(u, y, "cadre_allowance", int(cadre_total * rng.uniform(0.3, 0.6)))
            # member management and cards
            soft = min(0.95, max(0.02, 0.03 + 0.07 * max(0, y - 2013) + rng.normal(0, 0.03)))
            put(u, y, "cdcs_tracked_software", int(cdcs * soft))
            put(u, y, "cdcs_tracked_book", cdcs - int(cdcs * soft))
            base_share = 0.55 + 0.025 * (y - 2011) + unit_bias[u] / 100
            h_sec = {}
            for s, v in m_sec.items():
                share = base_share - (0.12 if s in ("FDI", "NGOAI_NN") else 0) + rng.normal(0, 0.02)
                h_sec[s] = int(v * min(0.98, max(0.2, share)))
            holders = sum(h_sec.values())
            put(u, y, "card_holders", holders)
            issued_sec = {s: int(new_sec[s] * rng.uniform(0.5, 0.8)) for s in new_sec}
            put(u, y, "cards_issued", sum(issued_sec.values()))
            for s in m_sec:
                put(u, y, "card_holders", h_sec[s], s)
                put(u, y, "cards_issued", issued_sec[s], s)
            # training
            put(u, y, "training_courses", max(1, int(cdcs / rng.uniform(30, 60))))
            att = int(cadre_total * rng.uniform(0.25, 0.45))
            put(u, y, "training_attendance", att)
            if y >= 2015 or rng.random() > 0.3:
                put(u, y, "training_budget", round(att * rng.uniform(0.3, 0.8), 1))
            # organisation and activities
            put(u, y, "cdcs_member_units", int(cdcs * rng.uniform(0.01, 0.03)))
            put(u, y, "dept_unions", int(cdcs * rng.uniform(0.6, 1.2)))
            put(u, y, "union_groups", int(cdcs * rng.uniform(2.0, 3.5)))
            non_state = cdcs - c_sec["HCSN"]
            put(u, y, "cba_signed", int(non_state * min(0.9, 0.35 + 0.02 * (y - 2011) + rng.normal(0, 0.04))))
            put(u, y, "worker_conferences", int(cdcs * rng.uniform(0.7, 0.95)))
            put(u, y, "workplace_dialogues", int(cdcs * rng.uniform(0.8, 1.6)))
            put(u, y, "collective_stoppages", int(c_sec["FDI"] * max(0.0, 0.06 - 0.004 * (y - 2011)) * rng.uniform(0.5, 1.5)))
            # ratings by the scheme in force
            scheme = ref.scheme_for_year(y)
            unrated = int(cdcs * rng.uniform(0.03, 0.07))
            levels = {lv: max(0.0, share + rng.normal(0, 0.015)) for lv, share in SCHEME_MIX[scheme].items()}
            room = (cdcs - unrated) / max(cdcs * sum(levels.values()), 1)
            for level, share in levels.items():
                ratings.append((u, y, level, int(cdcs * share * min(1.0, room))))
            put(u, y, "cdcs_unrated", unrated)
            if y >= 2019:
                put(u, y, "cdcs_title_strong", int(cdcs * rng.uniform(0.4, 0.6)))
            # finance (triệu đồng); shares kept follow the rule of the year
            rule = ref["finance_rules"]
            r = rule[(rule["year_from"].astype(int) <= y) & (rule["year_to"].astype(int) >= y)].iloc[0]
            wage = 1.1 * 1.065 ** (y - 2011)
            kpcd = round(sum(work_sec.values()) * wage * rng.uniform(0.9, 1.1), 1)
            dues = round(end * wage * 0.45 * rng.uniform(0.9, 1.1), 1)
            k_ret = round(kpcd * min(1, int(r["kpcd_retained_pct"]) / 100 + rng.normal(0, 0.01)), 1)
            d_ret = round(dues * min(1, int(r["dues_retained_pct"]) / 100 + rng.normal(0, 0.01)), 1)
            put(u, y, "kpcd_collected", kpcd)
            put(u, y, "kpcd_retained", k_ret)
            put(u, y, "dues_collected", dues)
            put(u, y, "dues_retained", d_ret)
            spend = round((k_ret + d_ret) * rng.uniform(0.88, 0.98), 1)
            sal = rng.uniform(0.22, 0.34) if y < 2022 else rng.uniform(0.3, 0.46)
            adm = rng.uniform(0.06, 0.11)
            sup = rng.uniform(0.25, 0.35) if y < 2022 else rng.uniform(0.35, 0.45)
            put(u, y, "spend_total", spend)
            put(u, y, "spend_salary", round(spend * sal, 1))
            put(u, y, "spend_admin", round(spend * adm, 1))
            put(u, y, "spend_member_support", round(spend * sup, 1))
            put(u, y, "spend_activities", round(spend * max(0.0, 1 - sal - adm - sup - 0.01), 1))
            prev_end, prev_cdcs = end, cdcs
    for u in by_unit:
        for rnd in ref.rounds.index:
            if u not in ref.expected_units(rnd):
                continue
            for q, options in TEXTS.items():
                if rng.random() < 0.8:
                    texts.append((u, rnd, q, options[int(rng.integers(len(options)))]))
    v = pd.DataFrame(values, columns=["unit_code", "year", "sector", "indicator_code", "value"])
    r = pd.DataFrame(ratings, columns=["unit_code", "year", "level_code", "cdcs_count"])
    t = pd.DataFrame(texts, columns=["unit_code", "round_code", "question_code", "text"])
    return v, r, t


def _vn_text(value: float) -> str | float:
    """A number typed as text the Vietnamese way (1.234.567 / 12,5). One group of thousands alone ("103.271") reads
    two ways in a cell that takes decimals and the loader rightly refuses it: such a value stays a number."""
    if 1000 <= abs(value) < 1_000_000:
        return value
    if float(value).is_integer():
        return f"{int(value):,}".replace(",", ".")
    return f"{value:.1f}".replace(".", ",")


def _write(job) -> str:
    out, unit, rnd, values, ratings, texts = job
    write_template(Path(out), unit, rnd, values=values, ratings=ratings, texts=texts, simulated=True)
    return out


def plan_files(ref: Reference, out_dir: Path, seed: int = 6, only: list[str] | None = None):
    """The demo's files: one workbook per expected unit and round (a few missing), some resubmitted,
    a few deliberately flawed. Returns (jobs for workbooks, extra CSV files, received_at by file name)."""
    rng = np.random.default_rng(seed + 1)
    v, r, t = simulate(ref, seed)
    rounds = ref.rounds
    jobs, received = [], {}
    units_all = sorted(set(v["unit_code"]) & set(only)) if only else sorted(set(v["unit_code"]))
    missing_2025 = {"LDLD34_12", "CDN_CSVN", "TCT_HH"}
    vg = {k: g for k, g in v.groupby("unit_code")}
    rg = {k: g for k, g in r.groupby("unit_code")}
    tg = {k: g for k, g in t.groupby(["unit_code", "round_code"])}
    for rnd, info in rounds.iterrows():
        years = set(range(info["year_from"], info["year_to"] + 1))
        deadline = datetime.fromisoformat(info["deadline"]) + timedelta(hours=17)
        for u in units_all:
            if u not in ref.expected_units(rnd) or (rnd == "N2025" and u in missing_2025):
                continue
            uv = vg[u][vg[u]["year"].isin(years)]
            values = {}
            for row in uv.itertuples():
                val = row.value
                if rng.random() < 0.01:
                    val = _vn_text(val)  # some cells typed as text
                values[(row.indicator_code, row.sector, row.year)] = val
            ur = rg[u][rg[u]["year"].isin(years)]
            ratings = {(row.year, row.level_code): row.cdcs_count for row in ur.itertuples()}
            texts = dict(zip(tg[(u, rnd)]["question_code"], tg[(u, rnd)]["text"])) if (u, rnd) in tg else {}
            name = f"{rnd}_{u}.xlsx"
            jobs.append((str(out_dir / name), u, rnd, values, ratings, texts))
            late = rng.random() < 0.12
            received[name] = deadline + timedelta(days=int(rng.integers(3, 40))) if late else deadline - timedelta(days=int(rng.integers(1, 45)))
    # resubmissions: a first version with a slip, corrected by a second file (v2 supersedes v1)
    for job in [j for j in jobs if j[2] == "N2023"][:4]:
        out, u, rnd, values, ratings, texts = job
        first = dict(values)
        key = ("member_female", TOTAL, 2023)
        if key in first:
            first[key] = int(first[key] * 0.9)
        name = f"{rnd}_{u}_v1.xlsx"
        jobs.append((str(out_dir / name), u, rnd, first, ratings, texts))
        received[name] = received[Path(out).name] - timedelta(days=10)
    # deliberately flawed files: the loader must reject them
    flawed = []
    if jobs:
        out, u, rnd, values, ratings, texts = next(j for j in jobs if j[2] == "N2022")
        bad = dict(values)
        bad[("card_holders", TOTAL, 2022)] = int(parse(bad[("member_end", TOTAL, 2022)], INT)) + 1000
        flawed.append((str(out_dir / "flawed" / f"{rnd}_{u}_the_vuot_doan_vien.xlsx"), u, rnd, bad, ratings, texts))
        out, u, rnd, values, ratings, texts = next(j for j in jobs if j[2] == "TK2020")
        flawed.append((str(out_dir / "flawed" / f"{rnd}_{u}_sai_thang_xep_loai.xlsx"), u, rnd, values, ratings, texts))
    for j in flawed:
        received[Path(j[0]).name] = datetime(2026, 2, 10, 9, 0)
    return jobs, flawed, received


def _mislabel_rating(path: Path, year: int, label: str) -> None:
    """Type a level of the wrong scheme into the first rating row of a year, as a user might."""
    import openpyxl
    wb = openpyxl.load_workbook(path)
    ws = wb["I.2.3 Mức xếp loại"]
    for row in ws.iter_rows(min_row=5):
        if row[0].value == "RATING" and row[2].value == year:
            row[4].value = label
            break
    wb.save(path)


def run_demo(warehouse: Path, out_dir: Path, seed: int = 6, only: list[str] | None = None) -> LoadResult:
    """Generate the simulated workbooks and load them with the real loader (versions in date order)."""
    ref = reference()
    out_dir = Path(out_dir)
    (out_dir / "flawed").mkdir(parents=True, exist_ok=True)
    jobs, flawed, received = plan_files(ref, out_dir, seed, only)
    with ProcessPoolExecutor(max_workers=2) as pool:
        list(pool.map(_write, jobs + flawed, chunksize=8))
    if flawed:
        _mislabel_rating(Path(flawed[1][0]), 2016, "Hoàn thành tốt nhiệm vụ")
    csv_bad = out_dir / "flawed" / "N2024_csv_ma_chi_tieu_sai.csv"
    with open(csv_bad, "w", newline="", encoding="utf-8-sig") as f:
        w = csv.writer(f, delimiter=";")
        w.writerow(["unit_code", "year", "sector", "indicator_code", "value"])
        w.writerow(["LDLD63_01", "2024", "", "member_end", "612.345"])
        w.writerow(["LDLD63_01", "2024", "", "so_doan_vien", "612.345"])
    received[csv_bad.name] = datetime(2025, 2, 3, 10, 0)
    files = [Path(j[0]) for j in jobs + flawed] + [csv_bad]
    files.sort(key=lambda p: received.get(p.name, datetime.max))
    result = load_files(files, warehouse, loaded_by="demo (mô phỏng)", received_at=received)
    from core.received import keep_many
    keep_many([Path(f.path).read_bytes() for f in result.files if f.status == "accepted"], warehouse=warehouse)
    return result
