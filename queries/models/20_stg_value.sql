-- stg_value: the number in force for each key — from the newest active version that mentions the key;
-- a key whose newest mention is the deletion mark has no value.
-- key: unit_code, year, sector, indicator_code
-- scope: unit
create or replace macro stg_value_rows(units) as table
with mentions as (
    select v.*, s.accepted_seq
    from raw_value as v
    join stg_submission as s using (submission_id)
    where s.is_active and (len(units) = 0 or list_contains(units, v.unit_code))
),

newest as (
    select
        *,
        row_number() over (partition by unit_code, year, sector, indicator_code order by accepted_seq desc) as rn
    from mentions
),

final as (
    select unit_code, year, sector, indicator_code, value, submission_id, sheet, cell
    from newest
    where rn = 1 and not is_deleted
)

select * from final;
