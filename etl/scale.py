"""Scale generator for benchmarks: grassroots-level synthetic facts, aggregated into the same marts.

Starting from a published snapshot, it invents `factor` × 1,270 CĐCS spread over the reporting units (at 100×
that is ≈127,000 CĐCS, as in 2024), gives every CĐCS a value for every input indicator and year its unit
reported (≈10^8 rows at 100×), then pre-aggregates them to unit level at load time and rebuilds the marts the
pages read. Everything it makes is simulated and flagged so.
"""
from __future__ import annotations

import shutil
import time
from pathlib import Path

from core import snapshots
from core.config import MODELS
from core.db import write_connection

CDCS_PER_FACTOR = 1_270

GENERATE = """
create or replace temp table raw_grassroots as
with units as (
    select unit_code, row_number() over (order by unit_code) - 1 as unit_no, count(*) over () as n_units
    from (select distinct unit_code from stg_value)
),
cdcs as (
    select c.range as cdcs_id, u.unit_code, (c.range // u.n_units) % 7 as sector_no
    from range($n_cdcs) as c
    join units as u on u.unit_no = c.range % u.n_units
),
per_unit as (
    select unit_code, count(*) as n_cdcs from cdcs group by all
),
base as (
    select v.unit_code, v.year, v.indicator_code, v.value / p.n_cdcs as share
    from stg_value as v
    join per_unit as p using (unit_code)
    join dim_indicator as i using (indicator_code)
    where v.sector = 'TOTAL' and i.is_input
)
select c.cdcs_id, c.unit_code, c.sector_no, b.year, b.indicator_code,
       round(b.share * (0.5 + random()), 1) as value
from cdcs as c
join base as b using (unit_code)
"""

AGGREGATE = """
create or replace table stg_value as
with sectors as (
    select sector_code, row_number() over (order by sort_order) - 1 as sector_no from dim_sector
),
current_sub as (
    select unit_code, min(submission_id) as submission_id from stg_submission where is_active group by all
),
totals as (
    select unit_code, year, 'TOTAL' as sector, indicator_code, sum(value) as value
    from raw_grassroots group by all
),
by_sector as (
    select g.unit_code, g.year, s.sector_code as sector, g.indicator_code, sum(g.value) as value
    from raw_grassroots as g
    join sectors as s using (sector_no)
    join dim_indicator as i using (indicator_code)
    where i.by_sector
    group by all
)
select t.*, c.submission_id, null::varchar as sheet, null::varchar as cell
from (select * from totals union all select * from by_sector) as t
join current_sub as c using (unit_code)
"""


def build_scaled(source: Path, warehouse: Path, factor: int) -> dict:
    """Write a warehouse at `factor` × scale from the current snapshot of `source`; returns timings and sizes."""
    src = snapshots.current(source)
    if src is None:
        raise LookupError(f"no snapshot in {source}")
    warehouse = Path(warehouse)
    if warehouse.exists():
        shutil.rmtree(warehouse)
    (warehouse / "snapshots").mkdir(parents=True)
    snap_id = f"scale{factor}x-{src.id}"
    tmp = warehouse / "snapshots" / f".tmp-{snap_id}.duckdb"
    shutil.copyfile(src.path, tmp)
    con = write_connection(tmp)
    t0 = time.perf_counter()
    con.execute(GENERATE, {"n_cdcs": CDCS_PER_FACTOR * factor})
    rows = con.execute("select count(*) from raw_grassroots").fetchone()[0]
    t1 = time.perf_counter()
    con.execute(AGGREGATE)
    for path in sorted(MODELS.glob("*.sql")):
        if path.name >= "30":  # rebuild dims and marts on the pre-aggregated values (not stg_ from raw_)
            con.execute(path.read_text(encoding="utf-8"))
    con.execute("pragma create_fts_index('mart_text', 'text_id', 'text_folded', stemmer='none', stopwords='none', "
                "strip_accents=1, lower=1, overwrite=1)")
    con.execute("drop table raw_grassroots")  # a temp table: the grassroots rows never reach the file
    con.execute("update snapshot_info set snapshot_id = ?, simulated = true", [snap_id])
    con.execute("checkpoint")
    con.close()
    t2 = time.perf_counter()
    snapshots.publish(warehouse, tmp, snap_id, 1, True, keep=1)
    return {"factor": factor, "cdcs": CDCS_PER_FACTOR * factor, "grassroots_rows": rows,
            "generate_s": round(t1 - t0, 2), "aggregate_and_marts_s": round(t2 - t1, 2),
            "snapshot_mb": round(snapshots.current(warehouse).path.stat().st_size / 1e6, 1)}
