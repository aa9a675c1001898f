"""Province boundaries for the offline map: polygons drawn as filled scatter traces, no tiles, no CDN."""
from __future__ import annotations

import json
from functools import lru_cache

import numpy as np

from core.config import GEO

CREDIT = ('Ranh giới tỉnh: dựa trên "Vietnam-Shape-Map" của Talia Cao (giấy phép MIT, 2025), xây dựng từ dữ liệu '
          "ranh giới tỉnh của Open Development Vietnam; đã giản lược (sai số 0,005°) và gán mã GSO.")


@lru_cache(maxsize=2)
def outlines(scheme: str) -> dict[str, list[tuple[list[float], list[float]]]]:
    """'scheme:code' -> list of rings (lons, lats) for the 63- or 34-province boundaries."""
    with open(GEO / f"provinces_{scheme}.geojson", encoding="utf-8") as f:
        gj = json.load(f)
    out: dict[str, list] = {}
    for feat in gj["features"]:
        key = f"{scheme}:{feat['properties']['province_code']}"
        geom = feat["geometry"]
        polys = geom["coordinates"] if geom["type"] == "MultiPolygon" else [geom["coordinates"]]
        rings = []
        for poly in polys:
            ring = poly[0]  # outer ring; holes are not drawn at this scale
            rings.append(([p[0] for p in ring], [p[1] for p in ring]))
        out[key] = rings
    return out


def _joined(rings) -> tuple[np.ndarray, np.ndarray]:
    """Rings joined by NaN gaps; every 3rd point of long rings (invisible at dashboard size, a third of the points
    for the browser to draw)."""
    if not rings:
        return np.array([]), np.array([])
    thin = [(r[0][::3] + r[0][-1:], r[1][::3] + r[1][-1:]) if len(r[0]) > 60 else r for r in rings]
    return (np.concatenate([np.append(np.asarray(r[0], dtype=float), np.nan) for r in thin]),
            np.concatenate([np.append(np.asarray(r[1], dtype=float), np.nan) for r in thin]))


@lru_cache(maxsize=2)
def outline_arrays(scheme: str) -> dict[str, tuple[np.ndarray, np.ndarray, float, float]]:
    """'scheme:code' -> (lons, lats) of all its rings joined by NaN gaps, and the centre of its largest ring."""
    out = {}
    for key, rings in outlines(scheme).items():
        xs, ys = _joined(rings)
        big = max(rings, key=lambda r: len(r[0]))
        out[key] = (xs, ys, float(np.mean(big[0])), float(np.mean(big[1])))
    return out


@lru_cache(maxsize=2)
def mainland_arrays(scheme: str) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """'scheme:code' -> its rings west of OFFSHORE_LON (the archipelagos are drawn apart, see island_arrays)."""
    return {key: _joined([r for r in rings if min(r[0]) <= OFFSHORE_LON]) for key, rings in outlines(scheme).items()}


@lru_cache(maxsize=2)
def island_arrays(scheme: str) -> tuple[np.ndarray, np.ndarray]:
    """The islands of the archipelagos (rings east of OFFSHORE_LON), joined by NaN gaps, unthinned."""
    rings = [r for a in ARCHIPELAGOS for r in outlines(scheme).get(f"{scheme}:{a['province_code']}", [])
             if min(r[0]) > OFFSHORE_LON]
    if not rings:
        return np.array([]), np.array([])
    return (np.concatenate([np.append(np.asarray(r[0], dtype=float), np.nan) for r in rings]),
            np.concatenate([np.append(np.asarray(r[1], dtype=float), np.nan) for r in rings]))


# Every map of Viet Nam shows and names the two archipelagos, before and after the 2025 merger (Đà Nẵng absorbed
# Quảng Nam and kept its code 48; Khánh Hòa kept 56). Their islands are part of those provinces' boundaries.
ARCHIPELAGOS = [
    {"province_code": "48", "name": "Quần đảo Hoàng Sa (thành phố Đà Nẵng)"},
    {"province_code": "56", "name": "Quần đảo Trường Sa (tỉnh Khánh Hòa)"},
]
OFFSHORE_LON = 110.5   # islands east of this longitude belong to an archipelago, not to the coast


@lru_cache(maxsize=2)
def archipelagos(scheme: str) -> list[dict]:
    """Each archipelago with the bounding box (lon0, lon1, lat0, lat1) of its islands in the scheme's boundaries."""
    out = []
    for a in ARCHIPELAGOS:
        rings = outlines(scheme).get(f"{scheme}:{a['province_code']}", [])
        xs = [x for lons, lats in rings if min(lons) > OFFSHORE_LON for x in lons]
        ys = [y for lons, lats in rings if min(lons) > OFFSHORE_LON for y in lats]
        if xs:
            out.append({**a, "box": (min(xs), max(xs), min(ys), max(ys))})
    return out
