-- mart_rating: CĐCS per rating level with its scheme and trend bucket (rating_crosswalk.csv).
-- grain: one row per (unit_code, year, level_code).
create or replace table mart_rating as
select
    r.unit_code, r.year, r.scheme, r.level_code, l.label_vi as level_label, cast(l.rank as integer) as level_rank,
    x.bucket, r.cdcs_count, r.submission_id
from stg_rating as r
join ref_rating_levels as l using (level_code)
left join ref_rating_crosswalk as x using (level_code);

-- mart_text: text answers of current versions with a folded copy for accent-insensitive search
-- (strip_accents leaves đ/Đ, so they are folded to d here as well).
-- grain: one row per (unit_code, round_code, question_code).
create or replace table mart_text as
select
    row_number() over (order by t.unit_code, t.round_code, t.question_code) as text_id,
    t.unit_code, t.round_code, t.question_code, q.section, q.label_vi as question_label,
    nullif(q.focus_area, '') as focus_area, t.text,
    lower(strip_accents(replace(replace(t.text, 'đ', 'd'), 'Đ', 'D'))) as text_folded,
    t.submission_id
from stg_text as t
join ref_text_questions as q using (question_code);

-- mart_round_status: expected units per round and what was received, on time or late.
-- grain: one row per (round_code, unit_code) expected.
create or replace table mart_round_status as
with first_received as (
    select unit_code, round_code, min(received_at) as first_received_at, max(version) as versions
    from raw_submission
    group by all
),

final as (
    select
        e.round_code, e.unit_code, u.unit_name, u.unit_type, u.region_34, u.contact,
        cast(r.deadline as date) as deadline,
        f.first_received_at, f.versions,
        case
            when f.first_received_at is null then 'missing'
            when cast(f.first_received_at as date) > cast(r.deadline as date) then 'late'
            else 'on_time'
        end as status
    from ref_round_units as e
    join ref_rounds as r using (round_code)
    join dim_unit as u using (unit_code)
    left join first_received as f using (unit_code, round_code)
)

select * from final;
