-- mart_round_status: expected units per round and what was received, on time or late.
-- key: round_code, unit_code
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
