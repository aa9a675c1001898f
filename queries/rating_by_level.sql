-- rating_by_level: CĐCS per rating level over the filtered units, each level with its scheme.
-- grain: one row per (year, level_code). params: as indicator_by (no $sector: ratings are unit totals).
with units as (
    select
        unit_code, unit_type,
        case when $view = '34' then province_key_34 else province_key end as province_key,
        case when $view = '34' then region_34 else region_reported end as region_code
    from dim_unit
),

final as (
    select
        r.year, r.scheme, d.scheme_label, d.scheme_short, r.level_code, d.level_label, d.level_rank, d.bucket, d.bucket_label,
        sum(r.cdcs_count) as cdcs_count, count(distinct r.unit_code) as n_units
    from mart_rating as r
    join units as u using (unit_code)
    join dim_rating_level as d using (level_code)
    where r.year between $y0 and $y1
      and list_contains($unit_types, u.unit_type)
      and ($region = '' or u.region_code = $region)
      and (len($provinces) = 0 or list_contains($provinces, u.province_key))
    group by all
)

select * from final order by year, level_rank;
