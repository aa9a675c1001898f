-- mart_province_34: the LĐLĐ figures re-aggregated to today's 34 provinces through the 2025 crosswalk.
-- value = sum for counts and money; for ratios sum(numerator)/sum(denominator)*scale; n_units = units behind it.
-- key: province_code, year, sector, indicator_code
create or replace table mart_province_34 as
with joined as (
    select f.*, p.province_code_34, i.is_ratio, i.scale
    from mart_unit_indicator as f
    join dim_unit as u using (unit_code)
    join dim_province as p on p.province_key = u.province_key
    join dim_indicator as i using (indicator_code)
    where u.unit_type = 'LDLD'
),

final as (
    select
        '34' as province_scheme, province_code_34 as province_code, year, sector, indicator_code,
        agg_indicator(is_ratio, value, numerator, denominator, scale) as value,
        sum(numerator) as numerator, sum(denominator) as denominator,
        count(distinct unit_code) as n_units
    from joined
    group by all
)

select * from final;
