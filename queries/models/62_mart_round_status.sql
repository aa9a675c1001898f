-- mart_round_status: expected units per round and what was received, on time or late. A round is late when its
-- first version arrived after the deadline, or when a later correction did (is_late_correction): the figures in
-- force then came after the deadline. An administrator's removal of values (`etl value delete`, file name
-- etl.load.ADMIN_FILE) is not a submission of the unit.
-- key: round_code, unit_code
create or replace table mart_round_status as
with received as (
    select
        unit_code, round_code, min(received_at) as first_received_at, max(received_at) as last_received_at,
        max(version) as versions
    from raw_submission
    where file_name <> '(quản trị viên xóa số liệu)'
    group by all
),

final as (
    select
        e.round_code, e.unit_code, u.unit_name, u.unit_type, u.region_34, u.contact,
        cast(r.deadline as date) as deadline,
        f.first_received_at, f.last_received_at, f.versions,
        case
            when f.first_received_at is null then 'missing'
            when cast(f.last_received_at as date) > cast(r.deadline as date) then 'late'
            else 'on_time'
        end as status,
        coalesce(cast(f.first_received_at as date) <= cast(r.deadline as date)
            and cast(f.last_received_at as date) > cast(r.deadline as date), false) as is_late_correction
    from ref_round_units as e
    join ref_rounds as r using (round_code)
    join dim_unit as u using (unit_code)
    left join received as f using (unit_code, round_code)
)

select * from final;
