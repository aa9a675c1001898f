-- dim_finance_rule: share of KPCĐ and đoàn phí kept by the CĐCS, per year.
-- key: year
-- scope: reference (built from the reference tables only: rebuilt when they or the models change)
create or replace table dim_finance_rule as
select y.year, cast(r.kpcd_retained_pct as double) as kpcd_pct, cast(r.dues_retained_pct as double) as dues_pct,
       r.source_vi, r.assumed = '1' as assumed
from dim_year as y
join ref_finance_rules as r
    on y.year between cast(r.year_from as integer) and cast(r.year_to as integer);
