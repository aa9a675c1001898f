-- dim_rating_level: the whole dimension table (small; for labels, filters and the methods page).
-- grain: as the model dim_rating_level states.
select * from dim_rating_level;
