"""The dashboard's filter state: parsed from the URL, turned into SQL parameters and into words."""
from __future__ import annotations

from dataclasses import dataclass, field

from core.labels import VIEWS, province_labels, region_labels, sector_labels, unit_type_labels
from core.refdata import TOTAL

UNIT_TYPES = ("LDLD", "CDN", "TCT")
FILTER_NAMES = {"years": "giai đoạn", "view": "cách tính theo tỉnh", "region": "vùng", "provinces": "tỉnh, thành phố",
                "sector": "khu vực", "unit_types": "loại đơn vị"}


@dataclass(frozen=True)
class Filters:
    """What the user selected in the sidebar."""

    year_from: int
    year_to: int
    view: str = "34"                       # '34' or 'reported'
    region: str = ""                       # '' = all regions
    provinces: tuple[str, ...] = ()        # scheme-qualified keys, e.g. ('34:79',)
    sector: str = TOTAL
    unit_types: tuple[str, ...] = field(default=UNIT_TYPES)

    def params(self, **extra) -> dict:
        """Named parameters shared by the queries under queries/."""
        return {"view": self.view, "y0": self.year_from, "y1": self.year_to, "region": self.region,
                "provinces": list(self.provinces), "unit_types": list(self.unit_types) or list(UNIT_TYPES),
                "sector": self.sector, **extra}

    def parts(self) -> dict[str, str]:
        """Each filter in words, keyed by its name (FILTER_NAMES); filters left at 'all' are omitted."""
        out = {"years": f"Năm {self.year_from}–{self.year_to}" if self.year_from != self.year_to else f"Năm {self.year_to}",
               "view": f"Cách tính tỉnh: {VIEWS[self.view]}"}
        if self.region:
            out["region"] = f"Vùng: {region_labels().get(self.region, self.region)}"
        if self.provinces:
            out["provinces"] = "Tỉnh: " + ", ".join(province_labels().get(p, p) for p in self.provinces)
        out["sector"] = f"Khu vực: {sector_labels()[self.sector]}"
        if set(self.unit_types) != set(UNIT_TYPES):
            out["unit_types"] = "Loại đơn vị: " + ", ".join(unit_type_labels()[t] for t in self.unit_types)
        return out

    def describe(self, ignored: dict[str, str] | None = None) -> str:
        """The selection in one Vietnamese line (for captions, file metadata); `ignored` maps a filter name to
        why the page does not apply it, and such filters are named apart with their reason."""
        ignored = ignored or {}
        parts = self.parts()
        chosen = {"years": True, "view": True, "region": bool(self.region), "provinces": bool(self.provinces),
                  "sector": self.sector != TOTAL, "unit_types": set(self.unit_types) != set(UNIT_TYPES)}
        text = "; ".join(v for k, v in parts.items() if k not in ignored) or "toàn bộ số liệu"
        # a filter left at 'all' needs no excuse; one the user set and the page does not apply is named, with why
        skipped = [f"{FILTER_NAMES[k]} ({why})" for k, why in ignored.items() if chosen.get(k)]
        return text + (". Không áp dụng: " + "; ".join(skipped) if skipped else "")

    def slug(self) -> str:
        """Short ASCII form for file names."""
        bits = [f"{self.year_from}-{self.year_to}", "34tinh" if self.view == "34" else "nhubaocao"]
        if self.region:
            bits.append(self.region.lower())
        if self.provinces:
            bits.append("tinh" + "-".join(p.replace(":", "_") for p in self.provinces[:3]))
        if self.sector != TOTAL:
            bits.append(self.sector.lower())
        return "_".join(bits)
