-- indicator_change: indicators in two years over the same places and sectors on both sides ("like for like").
-- A place is today's province for a provincial federation (its 63-province figures re-keyed through the 2025
-- crosswalk) and the unit itself for central and corporation unions; a (group, place, sector) counts only when
-- both years have a value. With $exclude (sectors ended by a structural break) and $sector = 'TOTAL', the
-- sector rows other than those are added up instead of the unit totals. Ratios: sum(numerator)/sum(denominator).
-- grain: one row per (group_code, indicator_code, year).
-- params: as indicator_by, with $ya, $yb (the two years) and $exclude (list of sector codes, may be empty)
with base as (
    select
        f.*, u.province_key, u.region_code, i.is_ratio, i.scale,
        coalesce(d.province_key_34, f.unit_code) as place
    from mart_unit_indicator as f
    join selected_units($view, $region, $provinces, $unit_types) as u using (unit_code)
    join dim_unit as d using (unit_code)
    join dim_indicator as i using (indicator_code)
    where f.year in ($ya, $yb)
      and list_contains($indicators, f.indicator_code)
      and f.value is not null
      and case
          when $sector = 'TOTAL' and len($exclude) > 0 then f.sector <> 'TOTAL' and not list_contains($exclude, f.sector)
          else f.sector = $sector
      end
),

grouped as (
    select
        case $by
            when 'region' then region_code
            when 'province' then province_key
            when 'unit' then unit_code
            else 'all'
        end as group_code,
        *
    from base
),

paired as (
    select group_code, place, sector, indicator_code
    from grouped
    group by all
    having count(distinct year) = 2
),

final as (
    select
        g.group_code, g.indicator_code, g.year,
        agg_indicator(g.is_ratio, g.value, g.numerator, g.denominator, g.scale) as value,
        sum(g.numerator) as numerator,
        sum(g.denominator) as denominator,
        count(distinct g.unit_code) as n_units
    from grouped as g
    join paired as p using (group_code, place, sector, indicator_code)
    where g.group_code is not null
    group by all
)

select * from final order by group_code, indicator_code, year;
