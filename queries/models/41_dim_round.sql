-- dim_round: reporting rounds, their years, opening date and deadline.
-- key: round_code
-- scope: reference (built from the reference tables only: rebuilt when they or the models change)
create or replace table dim_round as
select round_code, label_vi, cast(year_from as integer) as year_from, cast(year_to as integer) as year_to,
       cast(opens as date) as opens, cast(deadline as date) as deadline
from ref_rounds;
