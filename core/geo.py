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


@lru_cache(maxsize=2)
def outline_arrays(scheme: str) -> dict[str, tuple[np.ndarray, np.ndarray, float, float]]:
    """'scheme:code' -> (lons, lats) of all its rings joined by NaN gaps, and the centre of its largest ring."""
    out = {}
    for key, rings in outlines(scheme).items():
        # every 3rd point of long rings: invisible at dashboard size, a third of the points for the browser to draw
        thin = [(r[0][::3] + r[0][-1:], r[1][::3] + r[1][-1:]) if len(r[0]) > 60 else r for r in rings]
        xs = np.concatenate([np.append(np.asarray(r[0], dtype=float), np.nan) for r in thin])
        ys = np.concatenate([np.append(np.asarray(r[1], dtype=float), np.nan) for r in thin])
        big = max(rings, key=lambda r: len(r[0]))
        out[key] = (xs, ys, float(np.mean(big[0])), float(np.mean(big[1])))
    return out
