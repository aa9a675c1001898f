"""Whether a change between two years can be read, and on what basis (no streamlit here).

A change is computed like for like: the same places (a provincial federation by today's province, other unions
by themselves) and sectors on both sides (queries/indicator_change.sql). Across a structural break
(data/reference/structural_breaks.csv: 2025 ended the CĐCS of state agencies, sector HCSN) the sectors that ended
are left out on both sides; an indicator that is not reported by sector cannot be split that way and is "không so
sánh được". Across a change of rating scheme (rating_schemes.csv) a rating-derived share is never compared.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import pandas as pd

from core.labels import fmt_number, indicator_unit, sector_labels
from core.refdata import TOTAL, read_table, reference

NOT_COMPARABLE = "không so sánh được"


@dataclass(frozen=True)
class Basis:
    """How two years of one indicator may be compared."""

    comparable: bool
    exclude: tuple[str, ...] = ()      # sectors left out on both sides
    reason: str = ""                   # why not comparable, or what was left out (Vietnamese)


@lru_cache(maxsize=1)
def breaks() -> pd.DataFrame:
    """Structural breaks: the first year on the new footing, the sectors that ended, labels."""
    df = read_table("structural_breaks")
    return df.assign(year=df["year"].astype(int),
                     sectors=df["sectors_ended"].map(lambda s: tuple(x for x in s.split() if x)))


def breaks_between(y0: int, y1: int) -> pd.DataFrame:
    b = breaks()
    return b[(b["year"] > min(y0, y1)) & (b["year"] <= max(y0, y1))]


def _splittable(code: str) -> bool:
    """Reported by sector (a ratio: both its parts), so a sector that ended can be left out."""
    ind = reference().indicators
    row = ind.loc[code]
    if row["aggregation"] in ("ratio", "complement", "ratio_plain"):
        return bool(ind.loc[row["numerator"], "by_sector"] and ind.loc[row["denominator"], "by_sector"])
    return bool(row["by_sector"])


def _from_ratings(code: str) -> bool:
    ind = reference().indicators
    row = ind.loc[code]
    parts = [code] + [c for c in (row["numerator"], row["denominator"]) if c]
    return any(ind.loc[c, "rating_bucket"] for c in parts if c in ind.index)


@lru_cache(maxsize=8192)  # reference tables only: the same answer for the life of the process
def basis(code: str, y0: int, y1: int, sector: str = TOTAL) -> Basis:
    """Whether `code` can be compared between y0 and y1 for a sector selection, and how."""
    ref = reference()
    if _from_ratings(code) and ref.scheme_for_year(y0) != ref.scheme_for_year(y1):
        schemes = ref["rating_schemes"].set_index("scheme_code")
        return Basis(False, reason=f"đổi cách xếp loại ({schemes.loc[ref.scheme_for_year(y1), 'short_label_vi']} "
                                   f"từ {schemes.loc[ref.scheme_for_year(y1), 'year_from']})")
    exclude: list[str] = []
    for _, b in breaks_between(y0, y1).iterrows():
        if not b["sectors"]:
            continue
        if sector != TOTAL:
            if sector in b["sectors"]:
                return Basis(False, reason=f"khu vực {sector_labels()[sector]} kết thúc năm {b['year']}")
            continue
        if not _splittable(code):
            names = ", ".join(b["sectors"])
            return Basis(False, reason=f"năm {b['year']} kết thúc CĐCS khu vực {names}; chỉ tiêu này không báo cáo "
                                       "theo khu vực nên không tách được phần đã kết thúc")
        exclude += [s for s in b["sectors"] if s not in exclude]
    reason = ("không tính khu vực " + ", ".join(exclude) + " (đã kết thúc) ở cả hai năm") if exclude else ""
    return Basis(True, tuple(exclude), reason)


def changes(query, params: dict, codes: list[str], y0: int, y1: int, by: str = "all") -> pd.DataFrame:
    """Like-for-like changes of some indicators between y0 and y1, `query` running queries/indicator_change.sql with
    the filter `params` (core.filters.Filters.params).

    One row per (group, indicator): start and end over the same places and sectors, growth_pct (counts) or
    change_points (percentages), like_for_like ('có' when computed), excluded_sectors and a note; a figure that
    cannot be compared keeps empty changes and says why."""
    rows, plans = [], {}
    for code in codes:
        plans.setdefault(basis(code, y0, y1, params.get("sector", TOTAL)), []).append(code)
    for b, group in plans.items():
        if not b.comparable:
            rows += [{"group_code": "all", "indicator_code": c, "note": f"{NOT_COMPARABLE}: {b.reason}"}
                     for c in group if by == "all"]
            continue
        df = query("indicator_change", **{**params, "indicators": group, "by": by, "ya": y0, "yb": y1,
                                          "exclude": list(b.exclude)})
        for (g, c), part in df.groupby(["group_code", "indicator_code"]):
            v = dict(zip(part["year"], part["value"]))
            a, e = v.get(y0), v.get(y1)
            ch = change_value(a, e, c)
            pct = indicator_unit(c) == "%"
            rows.append({"group_code": g, "indicator_code": c, "start": a, "end": e, "like_for_like": "có",
                         "excluded_sectors": " ".join(b.exclude), "growth_pct": None if pct else ch,
                         "change_points": ch if pct else None,
                         "note": b.reason or "cùng đơn vị, cùng khu vực ở cả hai năm"})
        if by == "all":
            done = set(df["indicator_code"])
            rows += [{"group_code": "all", "indicator_code": c,
                      "note": f"{NOT_COMPARABLE}: thiếu số liệu một trong hai năm"} for c in group if c not in done]
    cols = ["group_code", "indicator_code", "start", "end", "like_for_like", "excluded_sectors", "growth_pct",
            "change_points", "note"]
    out = pd.DataFrame(rows, columns=cols).assign(year_from=y0, year=y1)
    for col in ("growth_pct", "change_points"):
        out[col] = pd.to_numeric(out[col]).round(1)
    return out


def change_text(before: float | None, after: float | None, code: str) -> str | None:
    """'+2,4%' for counts, '+1,3 điểm %' for percentages; None when a side is missing or zero."""
    if before is None or after is None or pd.isna(before) or pd.isna(after):
        return None
    if indicator_unit(code) == "%":
        diff = after - before
        return f"{'+' if diff >= 0 else '-'}{fmt_number(abs(diff), 1)} điểm %"
    if before == 0:
        return None
    pct = (after - before) / before * 100
    return f"{'+' if pct >= 0 else '-'}{fmt_number(abs(pct), 1)}%"


def change_value(before: float | None, after: float | None, code: str) -> float | None:
    """The change as a number: percentage points for percentages, % for everything else."""
    if before is None or after is None or pd.isna(before) or pd.isna(after):
        return None
    if indicator_unit(code) == "%":
        return after - before
    return None if before == 0 else (after - before) / before * 100
