-- stg_submission_current: the version in force for each unit and round (latest acceptance or rollback).
-- grain: one row per (unit_code, round_code).
create or replace table stg_submission_current as
with activations as (
    select
        s.*,
        row_number() over (partition by s.unit_code, s.round_code order by e.seq desc) as rn
    from raw_submission_event as e
    join raw_submission as s using (submission_id)
    where e.event in ('accepted', 'rollback')
),

final as (
    select * exclude (rn) from activations where rn = 1
)

select * from final;
