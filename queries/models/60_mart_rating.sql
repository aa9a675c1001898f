-- mart_rating: CĐCS per rating level with its scheme and trend bucket (rating_crosswalk.csv).
-- key: unit_code, year, level_code
-- scope: unit
create or replace macro mart_rating_rows(units) as table
select
    r.unit_code, r.year, r.scheme, r.level_code, l.label_vi as level_label, cast(l.rank as integer) as level_rank,
    x.bucket, r.cdcs_count, r.submission_id
from stg_rating as r
join ref_rating_levels as l using (level_code)
left join ref_rating_crosswalk as x using (level_code)
where len(units) = 0 or list_contains(units, r.unit_code);
