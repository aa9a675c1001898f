-- dim_indicator: the whole dimension table (small; for labels, filters and the methods page).
-- grain: as the model dim_indicator states.
select * from dim_indicator;
