-- submission_history: a stable view; every version, active or not, with its last event.
-- key: submission_id
create or replace view submission_history as
with last_event as (
    select *, row_number() over (partition by submission_id order by seq desc) as rn
    from raw_submission_event
)

select
    s.* exclude (accepted_seq, is_latest),
    e.event, e.event_at, e.by_user, e.reason,
    s.is_active as is_current
from stg_submission as s
left join last_event as e on e.submission_id = s.submission_id and e.rn = 1;
