-- stg_value, stg_rating, stg_text: the cells of current versions only.
-- grain: stg_value one row per (unit_code, year, sector, indicator_code);
-- stg_rating one row per (unit_code, year, level_code); stg_text one row per (unit_code, round_code, question_code).
create or replace table stg_value as
select v.unit_code, v.year, v.sector, v.indicator_code, v.value, v.submission_id, v.sheet, v.cell
from raw_value as v
join stg_submission_current as c using (submission_id);

create or replace table stg_rating as
select r.unit_code, r.year, r.scheme, r.level_code, r.cdcs_count, r.submission_id
from raw_rating as r
join stg_submission_current as c using (submission_id);

create or replace table stg_text as
select t.unit_code, t.round_code, t.question_code, t.text, t.submission_id, t.sheet, t.cell
from raw_text as t
join stg_submission_current as c using (submission_id);
