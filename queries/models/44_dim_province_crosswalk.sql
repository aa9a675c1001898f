-- dim_province_crosswalk: the 2025 merger, old province (63) to new province (34).
-- key: old_code
-- scope: reference (built from the reference tables only: rebuilt when they or the models change)
create or replace table dim_province_crosswalk as
select old_code, old_name, new_code, new_name from ref_province_crosswalk_2025;
