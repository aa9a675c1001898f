-- value_history: a stable view; every mention of every number by any version (a value, or the deletion mark),
-- with whether it is the mention in force — the newest active one ("who set this figure, when, from which
-- file, sheet and cell", and who removed it).
-- key: submission_id, unit_code, year, sector?, indicator_code
create or replace view value_history as
with mentions as (
    select
        v.unit_code, v.year, v.sector, v.indicator_code, v.value, v.is_deleted, v.submission_id, s.version,
        s.is_active, s.file_name, v.sheet, v.cell, s.received_at, s.loaded_by, s.accepted_seq,
        row_number() over (
            partition by v.unit_code, v.year, v.sector, v.indicator_code
            order by s.is_active desc, s.accepted_seq desc
        ) = 1 and s.is_active as is_in_force
    from raw_value as v
    join stg_submission as s using (submission_id)
)

select * exclude (sector), case when sector = 'TOTAL' then null else sector end as sector
from mentions;
