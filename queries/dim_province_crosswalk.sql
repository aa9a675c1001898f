-- dim_province_crosswalk: the whole dimension table (small; for labels, filters and the methods page).
-- grain: as the model dim_province_crosswalk states.
select * from dim_province_crosswalk;
