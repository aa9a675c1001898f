-- dim_focus_area: the focus areas of the recommendations (outline II.4).
-- key: focus_area
-- scope: reference (built from the reference tables only: rebuilt when they or the models change)
create or replace table dim_focus_area as
select focus_area, cast("order" as integer) as sort_order, label_vi from ref_focus_areas;
