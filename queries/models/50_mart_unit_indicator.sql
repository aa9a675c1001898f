-- mart_unit_indicator: every indicator per unit: the numbers reported, the counts derived from the rating
-- sheet (dim_indicator.rating_bucket), and ratios computed from their numerator and denominator.
-- Ratio rows exist only where the unit reported both parts; aggregating them anywhere is
-- sum(numerator) / sum(denominator) * scale over those rows, never an average of percentages.
-- key: unit_code, year, sector, indicator_code
-- scope: unit
create or replace macro mart_unit_indicator_rows(units) as table
with reported as (
    select unit_code, year, sector, indicator_code, value, submission_id
    from stg_value
    where len(units) = 0 or list_contains(units, unit_code)
),

from_ratings as (
    -- a unit that reported rating rows for a year has every rating count (0 when no level falls in the bucket)
    select
        r.unit_code, r.year, 'TOTAL' as sector, i.indicator_code,
        sum(case when i.rating_bucket = '*' or x.bucket = i.rating_bucket then r.cdcs_count else 0 end) as value,
        min(r.submission_id) as submission_id
    from stg_rating as r
    left join ref_rating_crosswalk as x using (level_code)
    cross join dim_indicator as i
    where i.rating_bucket is not null and (len(units) = 0 or list_contains(units, r.unit_code))
    group by all
),

base as (
    select * from reported
    union all
    select * from from_ratings
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
