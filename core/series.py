"""Pure helpers that shape query results for the pages (no streamlit here)."""
from __future__ import annotations

import pandas as pd

from core.labels import province_labels, region_labels, sector_labels


def pick(df: pd.DataFrame, code: str, group: str | None = None) -> pd.DataFrame:
    """Rows of one indicator (and one group), sorted by year."""
    out = df[df["indicator_code"] == code]
    if group is not None:
        out = out[out["group_code"] == group]
    return out.sort_values("year")


def value_at(df: pd.DataFrame, code: str, year: int, group: str = "all") -> float | None:
    """The value of an indicator in a year, or None when not reported."""
    row = df[(df["indicator_code"] == code) & (df["year"] == year) & (df["group_code"] == group)]
    return None if row.empty or pd.isna(row["value"].iloc[0]) else float(row["value"].iloc[0])


def wide_by_year(df: pd.DataFrame, codes: list[str], group: str = "all") -> pd.DataFrame:
    """One row per year, one column per indicator (values), for tables."""
    sub = df[(df["group_code"] == group) & df["indicator_code"].isin(codes)]
    if sub.empty:
        return pd.DataFrame(columns=["year", *codes])
    wide = sub.pivot_table(index="year", columns="indicator_code", values="value", aggfunc="first").reset_index()
    for c in codes:
        if c not in wide:
            wide[c] = float("nan")
    wide.columns.name = None
    return wide[["year", *codes]]


def with_group_names(df: pd.DataFrame, by: str) -> pd.DataFrame:
    """Add a readable name for group_code (province, region, sector)."""
    names = {"province": province_labels(), "region": region_labels(), "sector": sector_labels()}.get(by, {})
    return df.assign(group_name=df["group_code"].map(lambda c: names.get(c, c)))


def growth_ranking(df: pd.DataFrame, code: str, y0: int, y1: int) -> pd.DataFrame:
    """Per group: value at y0 and y1 and the % change, largest growth first; groups missing a year are dropped."""
    sub = df[df["indicator_code"] == code]
    a = sub[sub["year"] == y0].set_index("group_code")["value"]
    b = sub[sub["year"] == y1].set_index("group_code")["value"]
    both = pd.concat([a.rename("start"), b.rename("end")], axis=1).dropna()
    both = both[both["start"] > 0]
    both["growth_pct"] = (both["end"] - both["start"]) / both["start"] * 100
    return both.reset_index().sort_values("growth_pct", ascending=False)
