-- unit_values: the current figures of one unit for the years of one round (to pre-fill its template).
-- grain: one row per (year, sector, indicator_code). params: $unit, $round
select v.year, v.sector, v.indicator_code, v.value
from stg_value as v
join dim_round as r on v.year between r.year_from and r.year_to
where v.unit_code = $unit and r.round_code = $round;
