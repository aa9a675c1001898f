-- dim_year: the years the reporting rounds cover, and five more (rules and caps are expanded over them).
-- key: year
-- scope: reference (built from the reference tables only: rebuilt when they or the models change)
create or replace table dim_year as
select range as year
from range(
    (select min(cast(year_from as integer)) from ref_rounds),
    (select max(cast(year_to as integer)) from ref_rounds) + 6
);
