"""Scaled warehouses for the benchmark: 10× and 100× the reporting units, every year 2011–2025.

The product grows by reporting units and years, so that is what scales: each unit of the reference tables
gets `factor − 1` simulated siblings (district-level unions under each province, central sub-unions), with the
same province, region, type and validity, named "… — đơn vị mô phỏng k" and coded "<unit>_Hk". Their
submissions are long CSVs built from the demo's simulated figures of their parent unit, checked by the same
reader, validation and rules as any file (etl.load.bulk_load) and built by the same models into an ordinary
warehouse that stays on disk and that the pages query. Everything here is simulated and flagged so.
"""
from __future__ import annotations

import csv
import io
import shutil
import time
from pathlib import Path

import pandas as pd

from core.refdata import TOTAL, Reference, reference

SUFFIX = "_H"


def scaled_reference(factor: int, folder: Path) -> Reference:
    """A copy of the reference tables with factor × the units (siblings inherit everything but code and name)."""
    base = reference()
    folder = Path(folder)
    if folder.exists():
        shutil.rmtree(folder)
    shutil.copytree(base.folder, folder)
    units = base["units"]
    siblings = []
    for k in range(1, factor):
        s = units.copy()
        s["unit_name"] = s["unit_name"] + f" — đơn vị mô phỏng {k}"
        s["unit_code"] = s["unit_code"] + f"{SUFFIX}{k:03d}"
        s["contact"] = ""
        siblings.append(s)
    pd.concat([units, *siblings]).to_csv(folder / "units.csv", index=False, encoding="utf-8")
    ru = base["round_units"]
    more = [ru.assign(unit_code=ru["unit_code"] + f"{SUFFIX}{k:03d}") for k in range(1, factor)]
    pd.concat([ru, *more]).to_csv(folder / "round_units.csv", index=False, encoding="utf-8")
    return Reference(folder)


def _value_csv(unit: str, rows: pd.DataFrame, ratings: pd.DataFrame) -> bytes:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["unit_code", "year", "sector", "indicator_code", "value"])
    for r in rows.itertuples(index=False):
        w.writerow([unit, r.year, "" if r.sector == TOTAL else r.sector, r.indicator_code, _num(r.value)])
    for r in ratings.itertuples(index=False):
        w.writerow([unit, r.year, "", f"RATING.{r.level_code}", _num(r.cdcs_count)])
    return out.getvalue().encode("utf-8")


def _text_csv(unit: str, rnd: str, texts: pd.DataFrame) -> bytes:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["unit_code", "round", "question_code", "text"])
    for r in texts.itertuples(index=False):
        w.writerow([unit, rnd, r.question_code, r.text])
    return out.getvalue().encode("utf-8")


def _num(v: float) -> str:
    """Plain digits with a decimal point where needed: one reading only, whatever the convention."""
    v = float(v)
    return str(int(v)) if v.is_integer() else f"{v:.4f}".rstrip("0")


def submissions(ref: Reference, factor: int, seed: int = 6):
    """(file name, bytes) of every simulated submission of every unit, unit by unit, rounds in order."""
    from etl.demo import simulate
    v, r, t = simulate(reference(), seed)  # the parents' figures, from the unscaled reference
    rounds = ref.rounds.sort_values("year_from")
    by_unit_v, by_unit_r, by_unit_t = dict(tuple(v.groupby("unit_code"))), dict(tuple(r.groupby("unit_code"))), \
        dict(tuple(t.groupby("unit_code")))
    expected = ref["round_units"].groupby("round_code")["unit_code"].apply(set).to_dict()
    for unit in ref["units"]["unit_code"]:
        parent = unit.split(SUFFIX)[0]
        uv, ur, ut = by_unit_v.get(parent), by_unit_r.get(parent), by_unit_t.get(parent)
        for rnd in rounds.itertuples():
            if unit not in expected.get(rnd.round_code, ()):
                continue
            years = range(rnd.year_from, rnd.year_to + 1)
            rows = uv[uv["year"].isin(years)] if uv is not None else uv
            if rows is not None and len(rows):
                rat = ur[ur["year"].isin(years)] if ur is not None else pd.DataFrame(columns=["year", "level_code", "cdcs_count"])
                yield f"{rnd.round_code}_{unit}.csv", _value_csv(unit, rows, rat)
            txt = ut[ut["round_code"] == rnd.round_code] if ut is not None else None
            if txt is not None and len(txt):
                yield f"{rnd.round_code}_{unit}_y-kien.csv", _text_csv(unit, rnd.round_code, txt)


def build_scaled(warehouse: Path, factor: int, ref_folder: Path | None = None, seed: int = 6,
                 progress: bool = False) -> dict:
    """A warehouse with factor × the units, loaded by etl.load.bulk_load; timings and sizes."""
    from core import snapshots
    from etl.load import bulk_load
    warehouse = Path(warehouse)
    if warehouse.exists():
        shutil.rmtree(warehouse)
    ref = scaled_reference(factor, ref_folder or warehouse.parent / f"reference-{factor}x")
    t0 = time.perf_counter()
    result = bulk_load(submissions(ref, factor, seed), warehouse, ref, loaded_by="scale (mô phỏng)", progress=progress)
    snap = snapshots.current(warehouse)
    return {"factor": factor, "units": len(ref["units"]), "files": result["files"], "rejected": result["rejected"],
            "values": result["values"], "check_s": result["check_s"], "build_s": result["build_s"],
            "total_s": round(time.perf_counter() - t0, 1), "snapshot_mb": round(snap.path.stat().st_size / 1e6, 1),
            "reference": str(ref.folder)}
