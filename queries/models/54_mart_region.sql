-- mart_region: by region, in both views ('reported': region of the province as reported; '34': region of
-- today's province). Central sector and corporation unions form region 'TW'.
-- value = sum for counts and money; for ratios sum(numerator)/sum(denominator)*scale; n_units = units behind it.
-- key: province_view, region_code, year, sector, indicator_code
-- scope: view (a view over mart_cube: nothing to build; its key is checked on full builds)
create or replace view mart_region as
with by_view as (
    select 'reported' as province_view, region_reported as region_code, * from mart_cube
    union all
    select '34' as province_view, region_34 as region_code, * from mart_cube
)

select
    province_view, region_code, year, sector, indicator_code,
    agg_indicator(is_ratio, value, numerator, denominator, scale) as value,
    sum(numerator::decimal(18, 6))::double as numerator, sum(denominator::decimal(18, 6))::double as denominator,
    sum(n_units) as n_units
from by_view
group by all;
