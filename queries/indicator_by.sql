-- indicator_by: indicators over the filtered reporting units, by year and one grouping.
-- grain: one row per (group_code, year, indicator_code); ratios are sum(numerator)/sum(denominator).
-- params: $view ('34'|'reported'), $y0, $y1, $region ('' = all), $provinces (list of 'scheme:code'),
--         $unit_types (list), $sector ('TOTAL', a sector code, or '*' for every sector row),
--         $indicators (list), $by ('all'|'region'|'province'|'unit'|'sector')
-- Every grouping but 'unit' reads mart_cube (units summed per province and type), so the cost does not grow
-- with the number of units; 'unit' reads the unit-level mart.
with cube as (
    select
        c.*,
        case when $view = '34' then c.province_key_34 else c.province_key end as province_in_view,
        case when $view = '34' then c.region_34 else c.region_reported end as region_in_view,
        null::varchar as unit_code
    from mart_cube as c
    where $by <> 'unit'
      and list_contains($unit_types, c.unit_type)
      and c.year between $y0 and $y1
      and list_contains($indicators, c.indicator_code)
      and ($sector = '*' and c.sector <> 'TOTAL' or c.sector = $sector)
),

units as (
    select
        f.unit_code, f.year, f.sector, f.indicator_code, f.value, f.numerator, f.denominator,
        u.province_key as province_in_view, u.region_code as region_in_view, i.is_ratio, i.scale, 1 as n_units
    from mart_unit_indicator as f
    join selected_units($view, $region, $provinces, $unit_types) as u using (unit_code)
    join dim_indicator as i using (indicator_code)
    where $by = 'unit'
      and f.year between $y0 and $y1
      and list_contains($indicators, f.indicator_code)
      and ($sector = '*' and f.sector <> 'TOTAL' or f.sector = $sector)
),

filtered as (
    select unit_code, year, sector, indicator_code, value, numerator, denominator, province_in_view,
           region_in_view, is_ratio, scale, n_units
    from cube
    where ($region = '' or region_in_view = $region)
      and (len($provinces) = 0 or list_contains($provinces, province_in_view))
    union all
    select * from units
),

grouped as (
    select
        case $by
            when 'region' then region_in_view
            when 'province' then province_in_view
            when 'unit' then unit_code
            when 'sector' then sector
            else 'all'
        end as group_code,
        year, indicator_code,
        agg_indicator(is_ratio, value, numerator, denominator, scale) as value,
        sum(numerator::decimal(18, 6))::double as numerator,
        sum(denominator::decimal(18, 6))::double as denominator,
        sum(n_units) as n_units
    from filtered
    group by all
),

final as (
    select * from grouped where group_code is not null
)

select * from final order by group_code, indicator_code, year;
