-- current_versions: the version in force of each unit in one round (its newest active version).
-- grain: one row per unit_code. params: $round
select unit_code, round_code, max(version) as version, arg_max(submission_id, version) as submission_id
from submission_history
where round_code = $round and is_current
group by all;
