"""The marts equal an independent pandas recomputation from the demo's input workbooks.

The parser here is deliberately separate from etl/read.py: it reads the workbooks with pandas and the
reference CSVs directly, so a bug in the loader or the SQL models cannot hide itself.
"""
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from core.config import REFERENCE
from core.db import Warehouse


def _num(v):
    if isinstance(v, str):
        v = v.strip()
        if v in ("", "-"):
            return np.nan
        return float(v.replace(".", "").replace(",", "."))
    return float(v) if v is not None else np.nan


def _ratings(df: pd.DataFrame, unit: str, ind: pd.DataFrame) -> list[tuple]:
    """Counts derived from a rating sheet (codebook column rating_bucket): '*' = all levels, else one bucket."""
    levels = pd.read_csv(REFERENCE / "rating_levels.csv", dtype=str)
    schemes = pd.read_csv(REFERENCE / "rating_schemes.csv", dtype=str)
    buckets = dict(pd.read_csv(REFERENCE / "rating_crosswalk.csv", dtype=str)[["level_code", "bucket"]].values)
    by_year: dict[int, list[tuple[str, float]]] = {}
    for r in range(4, len(df)):
        if df.iat[r, 0] != "RATING" or pd.isna(df.iat[r, 5]):
            continue
        year = int(df.iat[r, 2])
        scheme = schemes[(schemes.year_from.astype(int) <= year) & (schemes.year_to.astype(int) >= year)].scheme_code.iloc[0]
        level = levels[(levels.scheme_code == scheme) & (levels.label_vi == df.iat[r, 4])].level_code.iloc[0]
        by_year.setdefault(year, []).append((buckets.get(level), _num(df.iat[r, 5])))
    out = []
    for code, bucket in ind.loc[ind["rating_bucket"] != "", "rating_bucket"].items():
        for year, counts in by_year.items():
            out.append((unit, year, "TOTAL", code, sum(n for b, n in counts if bucket == "*" or b == bucket)))
    return out


def _read_inputs(files: Path, ind: pd.DataFrame) -> pd.DataFrame:
    rows = []
    paths = [p for p in files.glob("*.xlsx") if not p.stem.endswith("_v1")]  # v1 files were superseded by v2
    for path in paths:
        book = pd.read_excel(path, sheet_name=None, header=None, engine="calamine")
        meta = dict(zip(book["_meta"][0], book["_meta"][1]))
        for name, df in book.items():
            if df.shape[1] >= 6 and df.iat[0, 0] == "#SHEET" and df.iat[0, 1] == "I.2.3R":
                rows += _ratings(df, meta["unit_code"], ind)
            if df.shape[1] < 6 or df.iat[0, 0] != "#SHEET" or df.iat[0, 1] in ("I.2.3R", "TEXT"):
                continue
            years = {c: int(df.iat[0, c]) for c in range(5, df.shape[1]) if pd.notna(df.iat[0, c])}
            for r in range(4, len(df)):
                code, sector = df.iat[r, 0], df.iat[r, 1]
                if pd.isna(code):
                    continue
                for c, y in years.items():
                    v = _num(df.iat[r, c])
                    if not np.isnan(v):
                        rows.append((meta["unit_code"], y, sector, code, v))
    return pd.DataFrame(rows, columns=["unit_code", "year", "sector", "indicator_code", "value"])


def _aggregate(df: pd.DataFrame, keys: list[str], ind: pd.DataFrame) -> pd.DataFrame:
    sums = df.groupby(keys + ["year", "sector", "indicator_code"], as_index=False)["value"].sum()
    out = [sums]
    wide = df.pivot_table(index=["unit_code", "year", "sector"] + [k for k in keys if k != "unit_code"],
                          columns="indicator_code", values="value", aggfunc="first").reset_index()
    for code, r in ind[ind["aggregation"].isin(["ratio", "ratio_plain", "complement"])].iterrows():
        if r["numerator"] not in wide or r["denominator"] not in wide:
            continue
        both = wide.dropna(subset=[r["numerator"], r["denominator"]])
        num = both[r["denominator"]] - both[r["numerator"]] if r["aggregation"] == "complement" else both[r["numerator"]]
        g = both.assign(num=num, den=both[r["denominator"]]).groupby(keys + ["year", "sector"], as_index=False)[["num", "den"]].sum()
        scale = 1.0 if r["aggregation"] == "ratio_plain" else 100.0
        g["value"] = np.where(g["den"] > 0, g["num"] / g["den"].where(g["den"] > 0) * scale, np.nan)
        out.append(g.assign(indicator_code=code)[keys + ["year", "sector", "indicator_code", "value"]])
    return pd.concat(out, ignore_index=True)


def _compare(expected: pd.DataFrame, got: pd.DataFrame, keys: list[str]) -> None:
    k = keys + ["year", "sector", "indicator_code"]
    m = expected.merge(got, on=k, how="outer", suffixes=("_exp", "_got"), indicator=True)
    assert (m["_merge"] == "both").all(), m[m["_merge"] != "both"].head()
    a, b = m["value_exp"].to_numpy(float), m["value_got"].to_numpy(float)
    both_nan = np.isnan(a) & np.isnan(b)
    close = np.abs(a - b) <= 1e-9 * np.maximum(np.abs(a), 1)
    assert (both_nan | close).all(), m[~(both_nan | close)].head()


@pytest.fixture(scope="module")
def inputs(demo_warehouse):
    wh, files = demo_warehouse
    ind = pd.read_csv(REFERENCE / "indicators.csv", dtype=str, keep_default_na=False).set_index("indicator_code")
    df = _read_inputs(files, ind)
    units = pd.read_csv(REFERENCE / "units.csv", dtype=str, keep_default_na=False)
    xw = pd.read_csv(REFERENCE / "province_crosswalk_2025.csv", dtype=str)
    p63 = pd.read_csv(REFERENCE / "provinces_63.csv", dtype=str)
    p34 = pd.read_csv(REFERENCE / "provinces_34.csv", dtype=str)
    df = df.merge(units[["unit_code", "unit_type", "province_scheme", "province_code"]], on="unit_code")
    new = dict(zip(xw.old_code, xw.new_code))
    df["province_code_34"] = np.where(df.province_scheme == "63", df.province_code.map(new), df.province_code)
    reg63, reg34 = dict(zip(p63.province_code, p63.region_code)), dict(zip(p34.province_code, p34.region_code))
    df["region_reported"] = np.where(df.province_scheme == "63", df.province_code.map(reg63),
                                     df.province_code.map(reg34))
    df["region_reported"] = df["region_reported"].fillna("TW")
    df["region_34"] = df.province_code_34.map(reg34).fillna("TW")
    return Warehouse(wh), df, ind


def test_inputs_cover_the_province_code_pitfall(inputs):
    _, df, _ = inputs
    assert {"LDLD63_15", "LDLD34_15", "LDLD63_10"} <= set(df.unit_code)
    assert len(df) > 5000


def test_national(inputs):
    wh, df, ind = inputs
    _compare(_aggregate(df.assign(k="all"), ["k"], ind).drop(columns="k"),
             wh.sql("select year, sector, indicator_code, value from mart_national"), [])


def test_province_as_reported(inputs):
    wh, df, ind = inputs
    ld = df[df.unit_type == "LDLD"]
    _compare(_aggregate(ld, ["province_scheme", "province_code"], ind),
             wh.sql("select province_scheme, province_code, year, sector, indicator_code, value from mart_province_reported"),
             ["province_scheme", "province_code"])


def test_province_reaggregated_to_34(inputs):
    wh, df, ind = inputs
    ld = df[df.unit_type == "LDLD"]
    exp = _aggregate(ld, ["province_code_34"], ind).rename(columns={"province_code_34": "province_code"})
    _compare(exp, wh.sql("select province_code, year, sector, indicator_code, value from mart_province_34"), ["province_code"])
    # new Lào Cai (34:15) = old Lào Cai (63:10) + old Yên Bái (63:15), never old 15 alone
    got = wh.sql("select value from mart_province_34 where province_code='15' and year=2020 and sector='TOTAL' "
                 "and indicator_code='member_end'").value[0]
    parts = ld[(ld.year == 2020) & (ld.sector == "TOTAL") & (ld.indicator_code == "member_end")
               & ld.unit_code.isin(["LDLD63_10", "LDLD63_15"])].value.sum()
    assert got == parts


@pytest.mark.parametrize("view, col", [("reported", "region_reported"), ("34", "region_34")])
def test_region(inputs, view, col):
    wh, df, ind = inputs
    exp = _aggregate(df, [col], ind).rename(columns={col: "region_code"})
    got = wh.sql("select region_code, year, sector, indicator_code, value from mart_region where province_view = $v", v=view)
    _compare(exp, got, ["region_code"])
