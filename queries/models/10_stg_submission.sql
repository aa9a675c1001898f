-- stg_submission: every accepted version, whether it is in force (active) and when it was accepted.
-- A version stops counting only by an explicit, logged event (deactivated by a rollback); the value of a key
-- comes from the newest active version that mentions it (see stg_value).
-- key: submission_id
-- scope: unit (rows of a unit derive from its own versions: rebuilt for the units a publish touches)
create or replace macro stg_submission_rows(units) as table
with subs as (
    select * from raw_submission where len(units) = 0 or list_contains(units, unit_code)
),

events as (
    select e.* from raw_submission_event as e join subs using (submission_id)
),

accepted as (
    select submission_id, min(seq) as accepted_seq, min(event_at) as accepted_at
    from events
    where event = 'accepted'
    group by all
),

last_state as (
    select submission_id, event, row_number() over (partition by submission_id order by seq desc) as rn
    from events
    where event in ('accepted', 'rollback', 'deactivated', 'reactivated')
),

joined as (
    select s.*, a.accepted_seq, a.accepted_at, l.event <> 'deactivated' as is_active
    from subs as s
    join accepted as a using (submission_id)
    join last_state as l on l.submission_id = s.submission_id and l.rn = 1
),

final as (
    select
        *,
        is_active and version = max(case when is_active then version end)
            over (partition by unit_code, round_code) as is_latest
    from joined
)

select * from final;
