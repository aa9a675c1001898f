-- indicator_by: indicators over the filtered reporting units, by year and one grouping.
-- grain: one row per (group_code, year, indicator_code); ratios are sum(numerator)/sum(denominator).
-- params: $view ('34'|'reported'), $y0, $y1, $region ('' = all), $provinces (list of 'scheme:code'),
--         $unit_types (list), $sector ('TOTAL', a sector code, or '*' for every sector row),
--         $indicators (list), $by ('all'|'region'|'province'|'unit'|'sector')
with filtered as (
    select f.*, u.unit_name, u.unit_type, u.province_key, u.region_code, i.is_ratio, i.scale
    from mart_unit_indicator as f
    join selected_units($view, $region, $provinces, $unit_types) as u using (unit_code)
    join dim_indicator as i using (indicator_code)
    where f.year between $y0 and $y1
      and list_contains($indicators, f.indicator_code)
      and ($sector = '*' and f.sector <> 'TOTAL' or f.sector = $sector)
),

grouped as (
    select
        case $by
            when 'region' then region_code
            when 'province' then province_key
            when 'unit' then unit_code
            when 'sector' then sector
            else 'all'
        end as group_code,
        year, indicator_code,
        agg_indicator(is_ratio, value, numerator, denominator, scale) as value,
        sum(numerator) as numerator,
        sum(denominator) as denominator,
        count(distinct unit_code) as n_units
    from filtered
    group by all
),

final as (
    select * from grouped where group_code is not null
)

select * from final order by group_code, indicator_code, year;
