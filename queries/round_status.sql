-- round_status: each expected unit of each round, received on time, late, or missing.
-- grain: one row per (round_code, unit_code).
select s.*, r.label_vi as round_label
from mart_round_status as s
join dim_round as r using (round_code)
order by r.year_to desc, s.status desc, s.unit_name;
