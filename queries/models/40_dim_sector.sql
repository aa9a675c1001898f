-- dim_sector: sectors of the CĐCS with their Vietnamese labels.
-- key: sector_code
-- scope: reference (built from the reference tables only: rebuilt when they or the models change)
create or replace table dim_sector as
select sector_code, cast("order" as integer) as sort_order, label_vi from ref_sectors;
