-- dim_region: the six socio-economic regions and the central block.
-- key: region_code
-- scope: reference (built from the reference tables only: rebuilt when they or the models change)
create or replace table dim_region as
select region_code, region_name, cast("order" as integer) as sort_order, kind from ref_regions;
