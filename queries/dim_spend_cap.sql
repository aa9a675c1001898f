-- dim_spend_cap: the whole dimension table (small; for labels, filters and the methods page).
-- grain: as the model dim_spend_cap states.
select * from dim_spend_cap;
