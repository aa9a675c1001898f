-- dim_sector: sectors of the CĐCS with their Vietnamese labels.
-- key: sector_code
create or replace table dim_sector as
select sector_code, cast("order" as integer) as sort_order, label_vi from ref_sectors;
