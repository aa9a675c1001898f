-- submissions: every version of every submission, current or not.
-- grain: one row per submission_id.
select
    submission_id, unit_code, round_code, version, is_current, received_at, loaded_by, file_name, sha256,
    n_values, n_ratings, n_texts, n_warnings, simulated, note, event, event_at, reason
from submission_history
order by received_at desc;
