-- dim_spend_cap: spending caps at CĐCS, per year and spending share indicator.
-- key: year, indicator_code
-- scope: reference (built from the reference tables only: rebuilt when they or the models change)
create or replace table dim_spend_cap as
select y.year, c.indicator_code, c.bound, cast(c.pct as double) as pct, c.basis_vi, c.source_vi
from dim_year as y
join ref_spend_caps as c
    on y.year between cast(c.year_from as integer) and cast(c.year_to as integer);
