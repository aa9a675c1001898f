-- dim_focus_area: the whole dimension table (small; for labels, filters and the methods page).
-- grain: as the model dim_focus_area states.
select * from dim_focus_area;
