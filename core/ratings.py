"""Rating shares computed from counts: per level within a scheme, and the top bucket across schemes."""
from __future__ import annotations

import pandas as pd


def level_shares(df: pd.DataFrame) -> pd.DataFrame:
    """Per year and level: count and share of the CĐCS rated that year (levels of one scheme per year)."""
    if df.empty:
        return df.assign(rated=[], share=[])
    rated = df.groupby("year")["cdcs_count"].transform("sum")
    return df.assign(rated=rated, share=df["cdcs_count"] / rated.where(rated > 0) * 100)


def top_bucket(df: pd.DataFrame, totals: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per year: CĐCS in the TOP bucket, CĐCS rated, share of rated and (when totals given) share of all CĐCS."""
    if df.empty:
        return pd.DataFrame(columns=["year", "scheme", "top", "rated", "value", "cdcs_total", "share_all"])
    g = df.groupby("year").agg(scheme=("scheme", "first"), rated=("cdcs_count", "sum"),
                               top=("cdcs_count", lambda s: s[df.loc[s.index, "bucket"] == "TOP"].sum())).reset_index()
    g["value"] = g["top"] / g["rated"].where(g["rated"] > 0) * 100
    if totals is not None and not totals.empty:
        g = g.merge(totals[["year", "value"]].rename(columns={"value": "cdcs_total"}), on="year", how="left")
        g["share_all"] = g["top"] / g["cdcs_total"].where(g["cdcs_total"] > 0) * 100
    else:
        g["cdcs_total"] = float("nan")
        g["share_all"] = float("nan")
    return g
