-- dim_sector: the whole dimension table (small; for labels, filters and the methods page).
-- grain: as the model dim_sector states.
select * from dim_sector;
