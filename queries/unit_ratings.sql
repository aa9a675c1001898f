-- unit_ratings: the CĐCS per rating level in force for one unit in the years of one round (to pre-fill its
-- template).
-- grain: one row per (year, level_code). params: $unit, $round
select r.year, r.level_code, r.cdcs_count
from stg_rating as r
join dim_round as d on r.year between d.year_from and d.year_to
where r.unit_code = $unit and d.round_code = $round;
