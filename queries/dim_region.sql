-- dim_region: the whole dimension table (small; for labels, filters and the methods page).
-- grain: as the model dim_region states.
select * from dim_region;
