-- Aggregated marts. value = sum for counts and money; for ratios sum(numerator)/sum(denominator)*scale.
-- n_units = reporting units behind the figure.

-- mart_province_reported: LĐLĐ figures by the province scheme in force when reported (63 until 2024, 34 from 2025).
-- grain: one row per (province_scheme, province_code, year, sector, indicator_code).
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

-- mart_province_34: the same figures re-aggregated to today's 34 provinces through the 2025 crosswalk.
-- grain: one row per (province_code_34, year, sector, indicator_code).
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

-- mart_region: by region, in both views ('reported': region of the province as reported;
-- '34': region of today's province). Central sector and corporation unions form region 'TW'.
-- grain: one row per (province_view, region_code, year, sector, indicator_code).
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

-- mart_national: all reporting units together.
-- grain: one row per (year, sector, indicator_code).
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
