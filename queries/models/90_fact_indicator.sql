-- fact_indicator: a stable view for pages and outside tools (documented in README; its columns do not change).
-- The numbers in force; sector null = the unit total.
-- key: unit_code, year, sector?, indicator_code
create or replace view fact_indicator as
select unit_code, year, case when sector = 'TOTAL' then null else sector end as sector,
       indicator_code, value, submission_id
from stg_value;
