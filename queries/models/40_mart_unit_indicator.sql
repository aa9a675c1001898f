-- mart_unit_indicator: every indicator per unit, ratios computed from their numerator and denominator.
-- Ratio rows exist only where both parts were reported; aggregating them anywhere is
-- sum(numerator) / sum(denominator) * scale, never an average of percentages.
-- grain: one row per (unit_code, year, sector, indicator_code).
create or replace table mart_unit_indicator as
with base as (
    select unit_code, year, sector, indicator_code, value, submission_id from stg_value
),

ratios as (
    select
        n.unit_code, n.year, n.sector, i.indicator_code,
        case when i.aggregation = 'complement' then d.value - n.value else n.value end as numerator,
        d.value as denominator,
        i.scale,
        n.submission_id
    from dim_indicator as i
    join base as n on n.indicator_code = i.numerator
    join base as d
        on d.indicator_code = i.denominator
        and d.unit_code = n.unit_code and d.year = n.year and d.sector = n.sector
    where i.is_ratio
),

final as (
    select unit_code, year, sector, indicator_code, value, null::double as numerator,
           null::double as denominator, submission_id
    from base
    union all
    select unit_code, year, sector, indicator_code,
           case when denominator > 0 then numerator / denominator * scale end as value,
           numerator, denominator, submission_id
    from ratios
)

select * from final;
