-- stg_rating: CĐCS per rating level in force for each key, from the newest active version that mentions it.
-- key: unit_code, year, scheme, level_code
-- scope: unit
create or replace macro stg_rating_rows(units) as table
with mentions as (
    select r.*, s.accepted_seq
    from raw_rating as r
    join stg_submission as s using (submission_id)
    where s.is_active and (len(units) = 0 or list_contains(units, r.unit_code))
),

newest as (
    select *, row_number() over (partition by unit_code, year, scheme, level_code order by accepted_seq desc) as rn
    from mentions
),

final as (
    select unit_code, year, scheme, level_code, cdcs_count, submission_id, sheet, cell
    from newest
    where rn = 1 and not is_deleted
)

select * from final;
