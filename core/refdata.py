"""The reference tables under data/reference/ (codebook, units, provinces, rounds, rules) as one object."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import cached_property, lru_cache
from pathlib import Path

import pandas as pd

from core.config import REFERENCE
from core.text import fold, place_key

TOTAL = "TOTAL"  # sector code of a unit's total row (empty in the long CSV)

TABLES = (
    "indicators", "text_questions", "focus_areas", "sectors", "unit_types", "units", "regions",
    "provinces_63", "provinces_34", "province_crosswalk_2025", "province_aliases", "rating_schemes",
    "rating_levels", "rating_crosswalk", "rating_buckets", "finance_rules", "spend_caps", "rules",
    "rounds", "round_units", "sheets",
)


def read_table(name: str, folder: Path = REFERENCE) -> pd.DataFrame:
    """One reference CSV, every column as text (codes keep their leading zeros)."""
    return pd.read_csv(folder / f"{name}.csv", dtype=str, keep_default_na=False, encoding="utf-8")


@dataclass
class Reference:
    """All reference tables, read once; lookups the loader and the pages share."""

    folder: Path = REFERENCE
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)

    def __post_init__(self):
        for name in TABLES:
            self.tables[name] = read_table(name, self.folder)

    def __getitem__(self, name: str) -> pd.DataFrame:
        return self.tables[name]

    @cached_property
    def indicators(self) -> pd.DataFrame:
        df = self["indicators"].copy()
        df["by_sector"] = df["by_sector"] == "1"
        df["is_input"] = df["is_input"] == "1"
        df["min"] = df["min"].astype(float)
        df["max"] = df["max"].astype(float)
        df["order"] = df["order"].astype(int)
        return df.set_index("indicator_code", drop=False)

    @cached_property
    def indicator_meta(self) -> dict[str, dict]:
        """indicator_code -> its codebook row as a dict (fast lookups in the loader's loops)."""
        return self.indicators.to_dict(orient="index")

    @cached_property
    def input_indicators(self) -> pd.DataFrame:
        return self.indicators[self.indicators["is_input"]]

    @cached_property
    def sector_codes(self) -> list[str]:
        return list(self["sectors"].sort_values("order", key=lambda s: s.astype(int))["sector_code"])

    @cached_property
    def units(self) -> pd.DataFrame:
        return self["units"].set_index("unit_code", drop=False)

    @cached_property
    def rounds(self) -> pd.DataFrame:
        df = self["rounds"].copy()
        df["year_from"] = df["year_from"].astype(int)
        df["year_to"] = df["year_to"].astype(int)
        return df.set_index("round_code", drop=False)

    def round_years(self, round_code: str) -> list[int]:
        r = self.rounds.loc[round_code]
        return list(range(int(r["year_from"]), int(r["year_to"]) + 1))

    @cached_property
    def year_span(self) -> tuple[int, int]:
        """First and last year any reporting round covers."""
        return int(self.rounds["year_from"].min()), int(self.rounds["year_to"].max())

    def round_for_years(self, years: set[int]) -> str | None:
        """The round whose year range holds all these years, or None."""
        for code, r in self.rounds.iterrows():
            if years and all(r["year_from"] <= y <= r["year_to"] for y in years):
                return code
        return None

    @cached_property
    def _unit_validity(self) -> dict[str, tuple[str, str]]:
        return dict(zip(self["units"]["unit_code"], zip(self["units"]["valid_from"], self["units"]["valid_to"])))

    def unit_active(self, unit_code: str, year: int) -> bool:
        """True when the unit existed on 31/12 of the year (the date its figures describe)."""
        valid_from, valid_to = self._unit_validity[unit_code]
        end = date(year, 12, 31).isoformat()
        return valid_from <= end and (valid_to == "" or valid_to >= end)

    @cached_property
    def rating_levels(self) -> pd.DataFrame:
        df = self["rating_levels"].merge(self["rating_crosswalk"][["level_code", "bucket"]], on="level_code", how="left")
        return df.set_index("level_code", drop=False)

    @cached_property
    def _scheme_ranges(self) -> list[tuple[int, int, str]]:
        t = self["rating_schemes"]
        return [(int(a), int(b), c) for a, b, c in zip(t["year_from"], t["year_to"], t["scheme_code"])]

    def scheme_for_year(self, year: int) -> str:
        """The rating scheme in force in a year."""
        for lo, hi, code in self._scheme_ranges:
            if lo <= year <= hi:
                return code
        raise KeyError(year)

    @cached_property
    def level_scheme(self) -> dict[str, str]:
        """level_code -> scheme_code."""
        return dict(zip(self.rating_levels["level_code"], self.rating_levels["scheme_code"]))

    @cached_property
    def scheme_labels(self) -> dict[str, str]:
        return dict(zip(self["rating_schemes"]["scheme_code"], self["rating_schemes"]["label_vi"]))

    @cached_property
    def rule_list(self) -> list[dict]:
        """rules.csv as a list of dicts (the loader walks it once per file)."""
        return self["rules"].to_dict(orient="records")

    @cached_property
    def rule_names(self) -> dict[str, str]:
        """rule_id -> its Vietnamese name (rules.csv name_vi)."""
        return dict(zip(self["rules"]["rule_id"], self["rules"]["name_vi"]))

    def item_label(self, kind: str, key: tuple) -> str:
        """What a key of a unit's figures is, in Vietnamese: value (indicator, sector, year), rating (year,
        level) or text (round, question); '' for codes not in the codebook."""
        if kind == "value":
            code, sector, year = key
            meta = self.indicator_meta.get(code)
            if meta is None:
                return ""
            label = meta["label_vi"]
            if sector != TOTAL:
                label += " — " + self.sector_names.get(sector, sector)
            return f"{label} — năm {year}"
        if kind == "rating":
            year, level = key
            return f"Xếp loại: {self.rating_levels['label_vi'].get(level, level)} — năm {year}"
        question = self.text_questions["label_vi"].get(key[1])
        return "" if question is None else f"Câu hỏi {key[1]}: {question}"

    @cached_property
    def sector_names(self) -> dict[str, str]:
        return dict(zip(self["sectors"]["sector_code"], self["sectors"]["label_vi"]))

    @cached_property
    def sheet_meta(self) -> dict[str, dict]:
        """sheet_code -> its sheets.csv row."""
        return self["sheets"].set_index("sheet_code", drop=False).to_dict(orient="index")

    @cached_property
    def level_by_label(self) -> dict[str, list[str]]:
        """Folded level label -> level codes (a label such as "Vững mạnh" exists in two schemes)."""
        out: dict[str, list[str]] = {}
        for _, lv in self.rating_levels.iterrows():
            for text in (lv["label_vi"], lv["short_label_vi"], lv["level_code"]):
                out.setdefault(fold(text), []).append(lv["level_code"])
        return {k: sorted(set(v)) for k, v in out.items()}

    @cached_property
    def province_keys(self) -> dict[tuple[str, str], str]:
        """(scheme, canonical name key) -> province code, names and aliases alike."""
        out: dict[tuple[str, str], str] = {}
        for scheme in ("63", "34"):
            for _, p in self[f"provinces_{scheme}"].iterrows():
                for name in (p["province_name"], p["short_name"]):
                    out[(scheme, place_key(name))] = p["province_code"]
        for _, a in self["province_aliases"].iterrows():
            out[(a["province_scheme"], place_key(a["alias"]))] = a["province_code"]
        return out

    @cached_property
    def _unit_names(self) -> dict[str, list[str]]:
        """Canonical name key -> unit codes with that name (dissolved and current units alike)."""
        out: dict[str, list[str]] = {}
        for code, name in zip(self["units"]["unit_code"], self["units"]["unit_name"]):
            out.setdefault(place_key(name), []).append(code)
        return out

    def resolve_unit(self, text: str, year: int | None = None) -> str | None:
        """The unit code for a code or a name as typed (any Unicode form, tone placement, prefix): dictionary lookups."""
        code = text.strip().upper()
        if code in self.units.index:
            return code
        key = place_key(text)
        for unit in self._unit_names.get(key, []):
            if year is None or self.unit_active(unit, year):
                return unit
        schemes = ["63", "34"] if year is None else (["34"] if year >= self.merger_year else ["63"])
        for scheme in schemes:
            prov = self.province_keys.get((scheme, key))
            if prov:
                return f"LDLD{scheme}_{prov}"
        return None

    @cached_property
    def merger_year(self) -> int:
        """First year reported under the 34 provinces (the first year a 34-province unit is active)."""
        units = self["units"]
        starts = units.loc[units["province_scheme"] == "34", "valid_from"]
        return int(min(starts)[:4])

    @cached_property
    def text_questions(self) -> pd.DataFrame:
        return self["text_questions"].set_index("question_code", drop=False)

    def expected_units(self, round_code: str) -> list[str]:
        df = self["round_units"]
        return list(df.loc[df["round_code"] == round_code, "unit_code"])


@lru_cache(maxsize=4)
def reference(folder: Path = REFERENCE) -> Reference:
    """The reference tables of a folder, read once per process."""
    return Reference(folder)
