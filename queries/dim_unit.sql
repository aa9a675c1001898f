-- dim_unit: the whole dimension table (small; for labels, filters and the methods page).
-- grain: as the model dim_unit states.
select * from dim_unit;
