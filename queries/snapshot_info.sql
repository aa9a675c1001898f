-- snapshot_info: id, creation time and simulated flag of the snapshot being read, with row counts.
-- grain: one row.
select
    i.snapshot_id, i.created_at, i.simulated,
    (select count(*) from stg_value) as n_values,
    (select count(*) from stg_submission where is_active) as n_submissions,
    (select max(received_at) from stg_submission where is_active) as last_received_at
from snapshot_info as i;
