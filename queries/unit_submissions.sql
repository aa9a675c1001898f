-- unit_submissions: every version one unit sent, current or not, for its public history: unit, round, version,
-- file, received time, counts and the last event. Who loaded it is not selected (administrators see it on the desk).
-- grain: one row per submission_id. params: $unit
select
    submission_id, unit_code, round_code, version, is_current, received_at, file_name, n_values, n_ratings, n_texts,
    n_warnings, event, event_at
from submission_history
where unit_code = $unit
order by received_at desc;
