"""Every table a page offers for download, traced figure by figure to the marts.

For several filter settings every page runs in AppTest; each table it offers (ui.common keeps them, exactly as
downloaded, in st.session_state["_tables"], with `attrs["codes"]` mapping each Vietnamese header back to its
column code) is checked against the marts, chosen from the filter and the table's group column:

- indicator figures (value, numerator, denominator, n_units, one column per year) against mart_national,
  mart_region, mart_province_34, mart_province_reported or mart_unit_indicator;
- figures that are not indicator values their own way (rating levels against mart_rating, round status against
  mart_round_status, answer counts against mart_text, rules against the finance and spending-cap tables, growth
  and like-for-like changes recomputed here from mart_unit_indicator);
- a numeric column none of these explains fails the test ("cannot be traced"), unless its table is listed in
  NOT_FIGURES with the reason.

The expected values are computed here with pandas from the marts and dim_unit, not through the page queries.
"""
from __future__ import annotations

import os

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from core.db import Warehouse
from core.refdata import reference
from tests.conftest import ROOT

PAGES = ["overview", "explore", "unit", "sources", "cadres", "members", "cards", "organisation", "ratings", "finance",
         "opinions", "progress", "methods", "report"]
SETTINGS = {
    "default": {},
    "one_region": {"vung": "DNB"},
    "new_province": {"tinh": ["34:79"], "nam": (2019, 2025)},
    "reported_one_year": {"goc": "reported", "nam": (2020, 2020)},
}
# tables whose numbers are not in the warehouse, with the reason
NOT_FIGURES = {
    "tep-bi-tu-choi": "rejected files live in the state store (core.rejections), not in a snapshot",
}
# columns that name or order a row rather than give a figure
KEYS = {"indicator_code", "indicator_label", "unit_vi", "year", "year_from", "region_code", "region_name",
        "province_key", "province_name", "sector", "sector_label", "unit_code", "unit_name", "scheme",
        "scheme_label", "level_code", "level_label", "bound_label", "status_label", "round_code", "round_label",
        "status", "focus_area", "focus_area_label", "question_code", "question_label", "section", "text",
        "submission_id", "file_name", "sheet", "cell", "received_at", "accepted_at", "deadline", "first_received_at",
        "contact", "label_vi", "description_vi", "aggregation_label", "by_sector_label", "old_name", "new_name",
        "old_code", "new_code", "province_scheme", "bucket_label", "source_vi", "found_at", "severity_label",
        "found_value", "message", "fix", "rule", "expected", "series", "comparable", "note", "change_label",
        "unit_type_label", "is_current", "rank_label", "kind_label", "like_for_like", "excluded_sectors", "selected",
        "is_total", "peer_rank", "counted"}
INDICATOR_FIGURES = {"value", "numerator", "denominator", "n_units"}


@pytest.fixture(scope="module")
def wh(wide_warehouse):
    """The wide warehouse (tests/conftest.py): several provinces per region and per new province."""
    from ui import common
    os.environ["CDCS_WAREHOUSE"] = str(wide_warehouse)
    common.warehouse.clear()
    yield Warehouse(wide_warehouse)
    common.warehouse.clear()


@pytest.fixture(scope="module")
def marts(wh):
    def index(sql, *key):
        df = wh.sql(sql)
        return {tuple(r[k] for k in key): r for r in df.to_dict("records")}
    return {
        "national": index("select * from mart_national", "year", "sector", "indicator_code"),
        "region": index("select * from mart_region", "province_view", "region_code", "year", "sector", "indicator_code"),
        "p34": index("select * from mart_province_34", "province_code", "year", "sector", "indicator_code"),
        "reported": index("select * from mart_province_reported", "province_scheme", "province_code", "year", "sector",
                          "indicator_code"),
        "unit": index("select * from mart_unit_indicator", "unit_code", "year", "sector", "indicator_code"),
        "unit_df": wh.sql("select * from mart_unit_indicator"),
        "dim_unit": wh.sql("select * from dim_unit"),
        "rating": wh.sql("select * from mart_rating"),
        "status": wh.sql("select * from mart_round_status"),
        "text": wh.sql("select * from mart_text"),
        "rounds": wh.sql("select * from dim_round"),
        "finance_rule": wh.sql("select * from dim_finance_rule"),
        "spend_cap": wh.sql("select * from dim_spend_cap"),
        "submissions": wh.sql("select * from submission_history"),
    }


def run(page: str, state: dict) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    for k, v in state.items():
        at.session_state[k] = v
    at.run()
    at.switch_page(f"pages/{page}.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


# ---- the codebook, read here independently of core.labels ----------------------------------------------------
IND = reference().indicators


def decimals(code: str) -> int:
    row = IND.loc[code]
    return 1 if row["aggregation"] in ("ratio", "complement", "ratio_plain") or row["unit_vi"] == "triệu đồng" else 0


def parts(code: str) -> tuple[float, int]:
    """(factor, decimals) of a ratio's numerator and denominator as downloaded."""
    num = IND.loc[code, "numerator"] or code
    return (0.001 if IND.loc[num, "unit_vi"] == "triệu đồng" else 1.0), decimals(num)


def close(got, expected, places: int) -> bool:
    if expected is None or pd.isna(expected):
        return got is None or pd.isna(got)
    if got is None or pd.isna(got):
        return False
    return abs(float(got) - float(expected)) <= 0.5 * 10 ** -places + 1e-9 * abs(float(expected))


# ---- what the filters select -----------------------------------------------------------------------------------
def units(state: dict, m) -> set[str]:
    """The reporting units the sidebar selection keeps (pandas over dim_unit, not the SQL macro)."""
    d = m["dim_unit"]
    view = state.get("goc", "34")
    key = d["province_key_34"] if view == "34" else d["province_key"]
    region = d["region_34"] if view == "34" else d["region_reported"]
    keep = d["unit_type"].isin(state.get("loai", ["LDLD", "CDN", "TCT"]))
    if state.get("vung"):
        keep &= region == state["vung"]
    if state.get("tinh"):
        keep &= key.isin(state["tinh"])
    return set(d.loc[keep, "unit_code"])


def mart_row(m, state: dict, group_col: str | None, group, year: int, sector: str, code: str):
    view = state.get("goc", "34")
    if group_col is None and state.get("tinh"):
        assert len(state["tinh"]) == 1
        group_col, group = "province_key", state["tinh"][0]
    elif group_col is None and state.get("vung"):
        group_col, group = "region_code", state["vung"]
    if group_col is None:
        return m["national"].get((year, sector, code))
    if group_col == "region_code":
        return m["region"].get((view, group, year, sector, code))
    if group_col == "province_key":
        scheme, pc = group.split(":")
        if view == "34":
            assert scheme == "34", group
            return m["p34"].get((pc, year, sector, code))
        return m["reported"].get((scheme, pc, year, sector, code))
    if group_col == "unit_code":
        return m["unit"].get((group, year, sector, code))
    raise AssertionError(group_col)


def like_for_like(m, state: dict, code: str, y0: int, y1: int, exclude: set[str], group_col=None, group=None):
    """(before, after) over the units and sectors present in both years, recomputed from mart_unit_indicator.
    A row of a group (a province, a region) is that group's figure whatever the geographic selection."""
    keep = units({k: v for k, v in state.items() if k not in ("vung", "tinh")} if group_col else state, m)
    d = m["dim_unit"].set_index("unit_code")
    df = m["unit_df"]
    df = df[df["unit_code"].isin(keep) & (df["indicator_code"] == code) & df["year"].isin([y0, y1])]
    by_sector = bool(IND.loc[code, "by_sector"])
    sector = state.get("kv", "TOTAL")
    if sector == "TOTAL" and by_sector and exclude:
        df = df[(df["sector"] != "TOTAL") & ~df["sector"].isin(exclude)]
    else:
        df = df[df["sector"] == sector]
    view = state.get("goc", "34")
    if group_col == "province_key":
        col = d["province_key_34"] if view == "34" else d["province_key"]
        df = df[df["unit_code"].map(col) == group]
    elif group_col == "region_code":
        col = d["region_34"] if view == "34" else d["region_reported"]
        df = df[df["unit_code"].map(col) == group]
    # the same place on both sides: a provincial federation by today's province, other units by themselves
    df = df.assign(match=df["unit_code"].map(d["province_key_34"]).fillna(df["unit_code"]))
    df = df[df["value"].notna()]
    both = set(df[df["year"] == y0].set_index(["match", "sector"]).index) & \
        set(df[df["year"] == y1].set_index(["match", "sector"]).index)
    df = df[pd.Series([k in both for k in zip(df["match"], df["sector"])], index=df.index, dtype=bool)]
    ratio = IND.loc[code, "aggregation"] in ("ratio", "complement", "ratio_plain")
    scale = 1.0 if IND.loc[code, "aggregation"] == "ratio_plain" else 100.0
    out = []
    for y in (y0, y1):
        part = df[df["year"] == y]
        if ratio:
            den = part["denominator"].sum()
            out.append(part["numerator"].sum() / den * scale if den else float("nan"))
        else:
            out.append(part["value"].sum() if len(part) else float("nan"))
    return tuple(out)


# ---- the checks ---------------------------------------------------------------------------------------------
def check_indicator_table(df: pd.DataFrame, m, state: dict, topic: str) -> tuple[list[str], int, set]:
    """Every indicator figure of a table equals its mart, rounded as downloaded; returns (errors, n, columns)."""
    errors, n = [], 0
    group_col = next((c for c in ("region_code", "province_key", "unit_code") if c in df.columns), None)
    year_cols = [c for c in df.columns if isinstance(c, int)]
    checked = set(year_cols) | (INDICATOR_FIGURES & set(df.columns))
    rows = df
    if "is_total" in df.columns:  # a total row: recomputed below from the marts of the rows above it
        rows = df[df["is_total"] != "có"]
        errors += check_totals(df, m, state, topic, group_col)
    for i, row in rows.iterrows():
        code = row["indicator_code"]
        sector = row["sector"] if "sector" in df.columns else state.get("kv", "TOTAL")
        group = row[group_col] if group_col else None
        factor = 0.001 if row.get("unit_vi") == "tỷ đồng" else 1.0
        assert row.get("unit_vi") in (None, "tỷ đồng", IND.loc[code, "unit_vi"]), (topic, row.get("unit_vi"))
        cells = [(y, y) for y in year_cols] + ([(row["year"], "value")] if "value" in df.columns and "year" in df.columns else [])
        for year, col in cells:
            mart = mart_row(m, state, group_col, group, int(year), sector, code)
            want = None if mart is None else mart["value"]
            if not close(row[col], None if want is None else want * factor, decimals(code)):
                errors.append(f"{topic} row {i} {code} {group or ''} {year} {sector} {col}: {row[col]} ≠ mart {want}")
            n += 1
            if col != "value":
                continue
            pf, pd_ = parts(code)
            for part in ("numerator", "denominator"):
                if part in df.columns:
                    want = None if mart is None else mart[part]
                    if not close(row[part], None if want is None else want * pf, pd_):
                        errors.append(f"{topic} row {i} {code} {year} {part}: {row[part]} ≠ mart {want}")
                    n += 1
            if "n_units" in df.columns and mart is not None and row["n_units"] != mart["n_units"]:
                errors.append(f"{topic} row {i} {code} {year} n_units: {row['n_units']} ≠ mart {mart['n_units']}")
    # figures derived from indicator values, recomputed here
    if "rule_pct" in df.columns:
        rules = m["finance_rule"].set_index("year")
        col = {"kpcd_retained_share": "kpcd_pct", "dues_retained_share": "dues_pct"}
        for i, row in df.iterrows():
            if not close(row["rule_pct"], rules.loc[row["year"], col[row["indicator_code"]]], 1):
                errors.append(f"{topic} row {i} rule_pct {row['rule_pct']}")
        checked.add("rule_pct")
    if "cap_pct" in df.columns:
        caps = m["spend_cap"].set_index(["year", "indicator_code"])
        for i, row in df.iterrows():
            if not close(row["cap_pct"], caps.loc[(row["year"], row["indicator_code"]), "pct"], 1):
                errors.append(f"{topic} row {i} cap_pct {row['cap_pct']}")
        checked.add("cap_pct")
    if {"start", "end"} <= set(df.columns):
        for i, row in df.iterrows():
            code, y0, y1 = row["indicator_code"], int(row["year_from"]), int(row["year"])
            group = row[group_col] if group_col else None
            if row.get("is_total") == "có":  # the change of a total row: over the units of its rows
                total_state = {**state, **({"loai": ["LDLD"]} if group_col == "province_key" else {})}
                if row.get("like_for_like") == "có":
                    exclude = set(str(row.get("excluded_sectors") or "").split()) - {""}
                    a, b = like_for_like(m, total_state, code, y0, y1, exclude)
                    factor = 0.001 if row.get("unit_vi") == "tỷ đồng" else 1.0
                    for col, want in (("start", a), ("end", b)):
                        if not close(row[col], want * factor, decimals(code)):
                            errors.append(f"{topic} total row {code} {col}: {row[col]} ≠ {want}")
                n += 2
                continue
            exclude = set(str(row.get("excluded_sectors") or "").split()) - {""}
            if row.get("like_for_like") == "có":
                a, b = like_for_like(m, state, code, y0, y1, exclude, group_col, group)
            else:  # not compared: no change may be shown, and a figure shown is the plain mart figure
                for col in ("growth_pct", "change_points"):
                    if col in df.columns and not pd.isna(row[col]):
                        errors.append(f"{topic} row {i} {code}: a change is shown without a like-for-like basis")
                a = mart_row(m, state, group_col, group, y0, state.get("kv", "TOTAL"), code)
                b = mart_row(m, state, group_col, group, y1, state.get("kv", "TOTAL"), code)
                a, b = (None if a is None else a["value"]), (None if b is None else b["value"])
                a = None if pd.isna(row["start"]) else a
                b = None if pd.isna(row["end"]) else b
            factor = 0.001 if row.get("unit_vi") == "tỷ đồng" else 1.0
            for col, want in (("start", a), ("end", b)):
                if not close(row[col], None if want is None else want * factor, decimals(code)):
                    errors.append(f"{topic} row {i} {code} {group} {col}: {row[col]} ≠ {want}")
            if "growth_pct" in df.columns and a and b is not None and not pd.isna(row["growth_pct"]):
                if not close(row["growth_pct"], (b - a) / a * 100, 1):
                    errors.append(f"{topic} row {i} growth_pct {row['growth_pct']} ≠ {(b - a) / a * 100}")
            if "change_points" in df.columns and not pd.isna(row["change_points"]):
                if not close(row["change_points"], b - a, 1):
                    errors.append(f"{topic} row {i} change_points {row['change_points']} ≠ {b - a}")
            n += 2
        checked |= {"start", "end", "growth_pct", "change_points"}
    if "rank_label" in df.columns:  # the selected province's rank among every province of the view
        (key,) = state["tinh"]
        scheme, mine = key.split(":")
        for i, row in df.dropna(subset=["rank_label"]).iterrows():
            want_key = (row["year"], state.get("kv", "TOTAL"), row["indicator_code"])
            if state.get("goc", "34") == "34":
                vals = {k[0]: r["value"] for k, r in m["p34"].items() if k[1:] == want_key}
            else:
                vals = {k[1]: r["value"] for k, r in m["reported"].items() if k[0] == scheme and k[2:] == want_key}
            vals = {k: v for k, v in vals.items() if v is not None and not pd.isna(v)}
            order = sorted(vals.values(), reverse=True)
            want = f"{order.index(vals[mine]) + 1}/{len(order)}"
            if row["rank_label"] != want:
                errors.append(f"{topic} row {i} {row['indicator_code']} rank {row['rank_label']} ≠ {want}")
    if "peer_rank" in df.columns:  # a unit's rank among the units of its kind that reported the figure that year
        d = m["dim_unit"].set_index("unit_code")
        u = m["unit_df"]
        for i, row in df.dropna(subset=["peer_rank"]).iterrows():
            kind = d.loc[row["unit_code"], "unit_type"]
            peers = u[(u["indicator_code"] == row["indicator_code"]) & (u["year"] == row["year"]) &
                      (u["sector"] == "TOTAL") & u["unit_code"].map(d["unit_type"]).eq(kind) & u["value"].notna()]
            order = sorted(peers["value"], reverse=True)
            mine = peers.loc[peers["unit_code"] == row["unit_code"], "value"].iloc[0]
            want = f"{order.index(mine) + 1}/{len(order)}"
            if row["peer_rank"] != want:
                errors.append(f"{topic} row {i} peer_rank {row['peer_rank']} ≠ {want}")
    if {"submission_id", "version"} <= set(df.columns):  # the version a figure comes from
        s = m["submissions"].set_index("submission_id")
        for i, row in df.iterrows():
            if row["version"] != s.loc[row["submission_id"], "version"]:
                errors.append(f"{topic} row {i} version {row['version']}")
        checked.add("version")
    if "rank" in df.columns:
        by = "growth_pct" if "growth_pct" in df.columns else "value"
        ranked = df.dropna(subset=[by]).sort_values(by, ascending=False)
        if list(ranked["rank"]) != sorted(ranked["rank"]) or len(set(ranked[by])) == len(ranked) and \
                list(ranked["rank"]) != list(range(1, len(ranked) + 1)):
            errors.append(f"{topic}: ranks do not follow {by}")
        checked.add("rank")
    return errors, n, checked


def check_totals(df: pd.DataFrame, m, state: dict, topic: str, group_col: str | None) -> list[str]:
    """A total row of a pivot equals the marts of its rows added up: the sum for counts, Σ numerators / Σ
    denominators for ratios (never a sum or mean of percentages)."""
    errors = []
    year_cols = [c for c in df.columns if isinstance(c, int)]
    for i, row in df[df["is_total"] == "có"].iterrows():
        code = row["indicator_code"]
        groups = df[(df["is_total"] != "có") & (df["indicator_code"] == code)]
        key = group_col or "sector"
        factor = 0.001 if row.get("unit_vi") == "tỷ đồng" else 1.0
        for y in year_cols:
            if key == "sector":
                marts = [mart_row(m, state, None, None, y, g, code) for g in groups["sector"]]
            else:
                marts = [mart_row(m, state, group_col, g, y, state.get("kv", "TOTAL"), code) for g in groups[key]]
            marts = [r for r in marts if r is not None]
            if IND.loc[code, "aggregation"] in ("ratio", "complement", "ratio_plain"):
                scale = 1.0 if IND.loc[code, "aggregation"] == "ratio_plain" else 100.0
                num = sum(r["numerator"] for r in marts if not pd.isna(r["numerator"]))
                den = sum(r["denominator"] for r in marts if not pd.isna(r["denominator"]))
                want = num / den * scale if den else None
            else:
                vals = [r["value"] for r in marts if not pd.isna(r["value"])]
                want = sum(vals) * factor if vals else None
            if not close(row[y], want, decimals(code)):
                errors.append(f"{topic} total {code} {y}: {row[y]} ≠ {want}")
    return errors


def check_rating_table(df: pd.DataFrame, m, state: dict, topic: str):
    r = m["rating"]
    r = r[r["unit_code"].isin(units(state, m))]
    counts = r.groupby(["year", "level_code"])["cdcs_count"].sum()
    rated = r.groupby("year")["cdcs_count"].sum()
    errors = []
    for i, row in df.iterrows():
        want = counts.get((row["year"], row["level_code"]))
        if not close(row["cdcs_count"], want, 0):
            errors.append(f"{topic} row {i} {row['level_code']} {row['year']}: {row['cdcs_count']} ≠ {want}")
        if "share" in df.columns and not close(row["share"], want / rated[row["year"]] * 100, 1):
            errors.append(f"{topic} row {i} share {row['share']}")
    return errors, 2 * len(df), {"cdcs_count", "share"}


STATUS_COUNTS = {"expected_n": None, "received_n": ("on_time", "late"), "on_time_n": ("on_time",),
                 "late_n": ("late",), "missing_n": ("missing",)}


def check_status_table(df: pd.DataFrame, m, state: dict, topic: str):
    s = m["status"]
    s = s[s["unit_code"].isin(units(state, m))]
    errors, n = [], 0
    if "unit_code" in df.columns:  # one row per unit of a round: its version count
        one = s.set_index(["round_code", "unit_code"])
        for i, row in df.iterrows():
            want = one.loc[(row["round_code"], row["unit_code"]), "versions"]
            if not close(row.get("versions"), want, 0):
                errors.append(f"{topic} row {i} versions {row.get('versions')} ≠ {want}")
            n += 1
        return errors, n, {"versions"}
    for i, row in df.iterrows():
        part = s[s["round_code"] == row["round_code"]]
        for col, statuses in STATUS_COUNTS.items():
            if col in df.columns:
                want = len(part) if statuses is None else int(part["status"].isin(statuses).sum())
                if row[col] != want:
                    errors.append(f"{topic} row {i} {row['round_code']} {col}: {row[col]} ≠ {want}")
                n += 1
        if "value" in df.columns:  # long form: one row per (round, status)
            want = int((part["status"] == row["status"]).sum())
            if row["value"] != want:
                errors.append(f"{topic} row {i} {row['round_code']} {row['status']}: {row['value']} ≠ {want}")
            n += 1
    return errors, n, set(STATUS_COUNTS) | {"value"}


def check_text_counts(df: pd.DataFrame, m, state: dict, topic: str):
    y0, y1 = state.get("nam", (2011, 2025))
    r = m["rounds"]
    rounds = set(r[(r["year_to"] >= y0) & (r["year_from"] <= y1)]["round_code"])
    t = m["text"]
    t = t[t["unit_code"].isin(units(state, m)) & t["round_code"].isin(rounds)]
    counts = t.groupby("focus_area").size()
    errors = [f"{topic} {row['focus_area']}: {row['value']} ≠ {counts.get(row['focus_area'])}"
              for _, row in df.iterrows() if row["value"] != counts.get(row["focus_area"])]
    return errors, len(df), {"value"}


def check_submissions(df: pd.DataFrame, m, state: dict, topic: str):
    s = m["submissions"].set_index("submission_id")
    errors = []
    for i, row in df.iterrows():
        for col in ("version", "n_warnings", "n_values"):
            if col in df.columns and row[col] != s.loc[row["submission_id"], col]:
                errors.append(f"{topic} row {i} {col}")
    return errors, len(df), {"version", "n_warnings", "n_values"}


def check_finance_rules(df: pd.DataFrame, m, state: dict, topic: str):
    rules = m["finance_rule"].set_index("year")
    errors = [f"{topic} {row['year']} {c}" for _, row in df.iterrows() for c in ("kpcd_pct", "dues_pct")
              if not close(row[c], rules.loc[row["year"], c], 1)]
    return errors, 2 * len(df), {"kpcd_pct", "dues_pct"}


def checker(cols: set):
    if "level_code" in cols:
        return check_rating_table
    if "indicator_code" in cols:
        return check_indicator_table
    if cols & set(STATUS_COUNTS) or {"round_code", "status", "value"} <= cols or {"round_code", "unit_code", "versions"} <= cols:
        return check_status_table
    if "focus_area" in cols and "value" in cols:
        return check_text_counts
    if "submission_id" in cols and cols & {"version", "n_warnings"}:
        return check_submissions
    if "kpcd_pct" in cols:
        return check_finance_rules
    return None


def trace(tables: dict, m, state: dict) -> tuple[list[str], int]:
    errors, n = [], 0
    for topic, labelled in tables.items():
        codes = labelled.attrs.get("codes")
        if codes is None:
            errors.append(f"{topic}: the table does not map its headers to codes")
            continue
        df = labelled.rename(columns=codes)
        numeric = {c for c in df.columns if pd.api.types.is_numeric_dtype(df[c]) and not pd.api.types.is_bool_dtype(df[c])}
        numeric -= KEYS
        if not numeric:
            continue
        if topic in NOT_FIGURES:
            continue
        check = checker(set(df.columns))
        if check is None:
            errors.append(f"{topic}: numbers {sorted(map(str, numeric))} cannot be traced (no codes)")
            continue
        errs, k, covered = check(df, m, state, topic)
        errors += errs
        n += k
        left = numeric - covered
        if left:
            errors.append(f"{topic}: columns {sorted(map(str, left))} cannot be traced")
    return errors, n


@pytest.mark.parametrize("setting", list(SETTINGS))
@pytest.mark.parametrize("page", PAGES)
def test_every_downloaded_figure_equals_the_marts(wh, marts, page, setting):
    state = SETTINGS[setting]
    at = run(page, state)
    tables = at.session_state["_tables"] if "_tables" in at.session_state else {}
    errors, n = trace(tables, marts, state)
    assert not errors, "\n".join(errors[:30])
    if page not in ("opinions", "methods", "progress", "report"):
        assert n > 0, f"{page}: no figure was checked"


def test_a_wrong_figure_or_an_untraceable_table_fails(wh, marts):
    """The checker itself: a changed value, a table without codes and an unknown numeric column are caught."""
    at = run("cards", {})
    tables = dict(at.session_state["_tables"])
    assert not trace(tables, marts, {})[0]
    topic, good = next((t, d) for t, d in tables.items() if "province_key" in d.attrs["codes"].values())
    value_col = next(k for k, v in good.attrs["codes"].items() if v == "value")
    bad = good.copy()
    bad.attrs = good.attrs
    bad.loc[bad.index[0], value_col] = bad.loc[bad.index[0], value_col] + 1
    assert trace({topic: bad}, marts, {})[0]
    nocodes = pd.DataFrame({"Giá trị": [1.0]})
    assert trace({"x": nocodes}, marts, {})[0]
    unknown = pd.DataFrame({"Số gì đó": [1.0]})
    unknown.attrs["codes"] = {"Số gì đó": "mystery"}
    assert trace({"x": unknown}, marts, {})[0]
