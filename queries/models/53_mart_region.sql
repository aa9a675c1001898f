-- mart_region: by region, in both views ('reported': region of the province as reported; '34': region of
-- today's province). Central sector and corporation unions form region 'TW'.
-- value = sum for counts and money; for ratios sum(numerator)/sum(denominator)*scale; n_units = units behind it.
-- key: province_view, region_code, year, sector, indicator_code
create or replace table mart_region as
with joined as (
    select f.*, u.region_reported, u.region_34, i.is_ratio, i.scale
    from mart_unit_indicator as f
    join dim_unit as u using (unit_code)
    join dim_indicator as i using (indicator_code)
),

by_view as (
    select 'reported' as province_view, region_reported as region_code, * exclude (region_reported, region_34) from joined
    union all
    select '34' as province_view, region_34 as region_code, * exclude (region_reported, region_34) from joined
),

final as (
    select
        province_view, region_code, year, sector, indicator_code,
        agg_indicator(is_ratio, value, numerator, denominator, scale) as value,
        sum(numerator) as numerator, sum(denominator) as denominator,
        count(distinct unit_code) as n_units
    from by_view
    group by all
)

select * from final;
