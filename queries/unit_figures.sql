-- unit_figures: every indicator of one reporting unit by year (its own figures, read by unit key: the cost does
-- not grow with the number of units). Same value rule as indicator_by: ratios from their parts.
-- grain: one row per (group_code, year, indicator_code). params: $unit, $y0, $y1, $sector
select
    f.unit_code as group_code, f.year, f.indicator_code,
    agg_indicator(i.is_ratio, f.value, f.numerator, f.denominator, i.scale) as value,
    sum(f.numerator::decimal(18, 6))::double as numerator,
    sum(f.denominator::decimal(18, 6))::double as denominator,
    count(*) as n_units
from mart_unit_indicator as f
join dim_indicator as i using (indicator_code)
where f.unit_code = $unit
  and f.year between $y0 and $y1
  and f.sector = $sector
group by all
order by f.indicator_code, f.year;
