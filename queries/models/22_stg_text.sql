-- stg_text: the answer in force for each question of a unit and round, from the newest active version that
-- mentions it.
-- key: unit_code, round_code, question_code
-- scope: unit
create or replace macro stg_text_rows(units) as table
with mentions as (
    select t.*, s.accepted_seq
    from raw_text as t
    join stg_submission as s using (submission_id)
    where s.is_active and (len(units) = 0 or list_contains(units, t.unit_code))
),

newest as (
    select *, row_number() over (partition by unit_code, round_code, question_code order by accepted_seq desc) as rn
    from mentions
),

final as (
    select unit_code, round_code, question_code, text, submission_id, sheet, cell
    from newest
    where rn = 1 and not is_deleted
)

select * from final;
