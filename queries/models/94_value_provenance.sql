-- value_provenance: a stable view; for every number in force, who set it, when, from which file, sheet and cell.
-- key: unit_code, year, sector?, indicator_code
create or replace view value_provenance as
select
    v.unit_code, v.year, case when v.sector = 'TOTAL' then null else v.sector end as sector, v.indicator_code,
    v.value, v.submission_id, s.version, s.file_name, v.sheet, v.cell, s.received_at, s.loaded_by, s.accepted_at
from stg_value as v
join stg_submission as s using (submission_id);
