"""Pure helpers that shape query results for the pages (no streamlit here)."""
from __future__ import annotations

from functools import lru_cache

import pandas as pd

from core.memo import SizedLRU
from core.refdata import reference
from core.labels import (
    indicator_decimals, indicator_labels, parts_decimals, province_labels, region_labels, sector_labels,
    shown_factor, shown_unit, unit_labels,
)


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


def wide_by_year(df: pd.DataFrame, codes: list[str], years: list[int], group: str = "all") -> pd.DataFrame:
    """One row per indicator (in the order given), one column per year (int column names), for tables."""
    sub = df[(df["group_code"] == group) & df["indicator_code"].isin(codes)]
    wide = (sub.pivot_table(index="indicator_code", columns="year", values="value", aggfunc="first")
            if len(sub) else pd.DataFrame(index=pd.Index([], name="indicator_code")))
    wide = wide.reindex(index=codes, columns=years)
    wide.columns = [int(y) for y in wide.columns]
    wide.columns.name = None
    return wide.reset_index()


def with_group_names(df: pd.DataFrame, by: str) -> pd.DataFrame:
    """Add a readable name for group_code (province, region, sector, unit)."""
    names = {"province": province_labels(), "region": region_labels(), "sector": sector_labels(),
             "unit": unit_labels()}.get(by, {})
    return df.assign(group_name=df["group_code"].map(lambda c: names.get(c, c)))


# the code and name columns a group is downloaded with (tests/test_downloads.py traces them to the marts)
GROUP_COLUMNS = {"region": ("region_code", "region_name"), "province": ("province_key", "province_name"),
                 "sector": ("sector", "sector_label"), "unit": ("unit_code", "unit_name")}
FIGURES = ["indicator_code", "year", "value", "numerator", "denominator", "n_units"]


def by_group(df: pd.DataFrame, by: str) -> pd.DataFrame:
    """indicator_by rows with the group as its code and name columns (region_code + region_name, …)."""
    code, name = GROUP_COLUMNS[by]
    named = with_group_names(df, by)
    out = named.rename(columns={"group_code": code, "group_name": name})
    return out[[code, name, *[c for c in FIGURES if c in out.columns]]]


def ranks(values: pd.Series) -> pd.Series:
    """Rank from the highest, ties sharing the better rank (1, 2, 2, 4): the rank quoted as 'hạng 2/34'."""
    return values.rank(method="min", ascending=False).astype("Int64")


def _round(values: pd.Series, decimals: pd.Series) -> pd.Series:
    return pd.Series([v if pd.isna(v) else round(float(v), int(d)) for v, d in zip(values, decimals)],
                     index=values.index, dtype=float)


@lru_cache(maxsize=4096)
def parts_factor(code: str) -> float:
    """What a ratio's numerator and denominator are multiplied by to be shown (money parts: triệu → tỷ đồng)."""
    num = reference().indicators.loc[code, "numerator"]
    return shown_factor(num) if num else shown_factor(code)


def as_shown(df: pd.DataFrame) -> pd.DataFrame:
    """Indicator rows as the pages show and download them: money in tỷ đồng, each figure rounded to its
    indicator's decimals, with an indicator label and the unit. A frame without `indicator_code`, or already
    shown, comes back unchanged. The same rows asked again (the same snapshot and filters) are converted once."""
    if "indicator_code" not in df.columns or df.attrs.get("shown") or df.empty:
        return df
    from core.charts import _fingerprint
    hit = _SHOWN.get_or_make(_fingerprint(df), lambda: _as_shown(df))
    out = hit.copy(deep=False)  # copy-on-write: sessions share the rows; a change makes that session's own copy
    out.attrs = dict(hit.attrs)
    return out


_SHOWN = SizedLRU(32 * 2**20, lambda df: df.memory_usage(deep=False).sum())  # the rows as shown, by fingerprint


def _as_shown(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    codes = out["indicator_code"]
    factor, dec = codes.map(shown_factor), codes.map(indicator_decimals)
    for col in [c for c in out.columns if c in ("value", "start", "end") or isinstance(c, int)]:
        out[col] = _round(out[col] * factor, dec)
    for col in ("numerator", "denominator"):
        if col in out.columns:
            out[col] = _round(out[col] * codes.map(parts_factor), codes.map(parts_decimals))
    at = list(out.columns).index("indicator_code") + 1
    if "indicator_label" not in out.columns:
        out.insert(at, "indicator_label", codes.map(indicator_labels()))
    if "unit_vi" not in out.columns:
        out.insert(list(out.columns).index("indicator_label") + 1, "unit_vi", codes.map(shown_unit))
    out.attrs = {**df.attrs, "shown": True}
    return out
