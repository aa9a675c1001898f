-- mart_province_34: the LĐLĐ figures re-aggregated to today's 34 provinces through the 2025 crosswalk.
-- value = sum for counts and money; for ratios sum(numerator)/sum(denominator)*scale; n_units = units behind it.
-- key: province_code, year, sector, indicator_code
-- scope: view (a view over mart_cube: nothing to build; its key is checked on full builds)
create or replace view mart_province_34 as
select
    '34' as province_scheme, province_code_34 as province_code, year, sector, indicator_code,
    agg_indicator(is_ratio, value, numerator, denominator, scale) as value,
    sum(numerator::decimal(18, 6))::double as numerator, sum(denominator::decimal(18, 6))::double as denominator,
    sum(n_units) as n_units
from mart_cube
where unit_type = 'LDLD'
group by all;
