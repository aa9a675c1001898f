-- mart_province_reported: LĐLĐ figures by the province scheme in force when reported (63 until 2024, 34 from 2025).
-- value = sum for counts and money; for ratios sum(numerator)/sum(denominator)*scale; n_units = units behind it.
-- key: province_scheme, province_code, year, sector, indicator_code
create or replace table mart_province_reported as
with joined as (
    select f.*, u.province_scheme, u.province_code, i.is_ratio, i.scale
    from mart_unit_indicator as f
    join dim_unit as u using (unit_code)
    join dim_indicator as i using (indicator_code)
    where u.unit_type = 'LDLD'
),

final as (
    select
        province_scheme, province_code, year, sector, indicator_code,
        agg_indicator(is_ratio, value, numerator, denominator, scale) as value,
        sum(numerator) as numerator, sum(denominator) as denominator,
        count(distinct unit_code) as n_units
    from joined
    group by all
)

select * from final;
