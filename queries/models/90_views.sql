-- Stable views for pages and outside tools (documented in README). Their columns do not change.
create or replace view fact_indicator as
select unit_code, year, case when sector = 'TOTAL' then null else sector end as sector,
       indicator_code, value, submission_id
from stg_value;

create or replace view fact_rating as
select unit_code, year, scheme, level_code as level, cdcs_count from mart_rating;

create or replace view fact_text as
select unit_code, round_code as "round", question_code, text from mart_text;

create or replace view submission_history as
select
    s.*, e.event, e.event_at, e.by_user, e.reason,
    c.submission_id is not null as is_current
from raw_submission as s
left join (select submission_id, max(seq) as seq from raw_submission_event group by all) as last using (submission_id)
left join raw_submission_event as e on e.submission_id = s.submission_id and e.seq = last.seq
left join stg_submission_current as c on c.submission_id = s.submission_id;
