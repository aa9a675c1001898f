"""Rating shares computed from counts: per level within a scheme (the top-bucket shares are codebook ratios)."""
from __future__ import annotations

import pandas as pd


def level_shares(df: pd.DataFrame) -> pd.DataFrame:
    """Per year and level: count and share of the CĐCS rated that year (levels of one scheme per year)."""
    if df.empty:
        return df.assign(rated=[], share=[])
    rated = df.groupby("year")["cdcs_count"].transform("sum")
    return df.assign(rated=rated, share=df["cdcs_count"] / rated.where(rated > 0) * 100)
