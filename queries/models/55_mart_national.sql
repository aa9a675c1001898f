-- mart_national: all reporting units together.
-- value = sum for counts and money; for ratios sum(numerator)/sum(denominator)*scale; n_units = units behind it.
-- key: year, sector, indicator_code
-- scope: view (a view over mart_cube: nothing to build; its key is checked on full builds)
create or replace view mart_national as
select
    year, sector, indicator_code,
    agg_indicator(is_ratio, value, numerator, denominator, scale) as value,
    sum(numerator::decimal(18, 6))::double as numerator, sum(denominator::decimal(18, 6))::double as denominator,
    sum(n_units) as n_units
from mart_cube
group by all;
