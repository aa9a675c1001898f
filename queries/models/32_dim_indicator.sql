-- dim_indicator: the codebook, with how each indicator aggregates. rating_bucket marks the counts derived from
-- the rating sheet: '*' = CĐCS over all levels (rated), a bucket code = CĐCS in that trend bucket.
-- key: indicator_code
-- scope: reference (built from the reference tables only: rebuilt when they or the models change)
create or replace table dim_indicator as
select
    indicator_code, section, cast("order" as integer) as sort_order, label_vi, unit_vi,
    by_sector = '1' as by_sector, aggregation, nullif(numerator, '') as numerator,
    nullif(denominator, '') as denominator, value_type, is_input = '1' as is_input, description_vi,
    aggregation in ('ratio', 'complement', 'ratio_plain') as is_ratio,
    case when aggregation = 'ratio_plain' then 1.0 else 100.0 end as scale,
    nullif(rating_bucket, '') as rating_bucket
from ref_indicators;
