-- mart_national: all reporting units together.
-- value = sum for counts and money; for ratios sum(numerator)/sum(denominator)*scale; n_units = units behind it.
-- key: year, sector, indicator_code
create or replace table mart_national as
with joined as (
    select f.*, i.is_ratio, i.scale
    from mart_unit_indicator as f
    join dim_indicator as i using (indicator_code)
),

final as (
    select
        year, sector, indicator_code,
        agg_indicator(is_ratio, value, numerator, denominator, scale) as value,
        sum(numerator) as numerator, sum(denominator) as denominator,
        count(distinct unit_code) as n_units
    from joined
    group by all
)

select * from final;
