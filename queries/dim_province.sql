-- dim_province: the whole dimension table (small; for labels, filters and the methods page).
-- grain: as the model dim_province states.
select * from dim_province;
