-- dim_round: the whole dimension table (small; for labels, filters and the methods page).
-- grain: as the model dim_round states.
select * from dim_round;
