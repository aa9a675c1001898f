-- rating_by_level: CĐCS per rating level over the filtered units, each level with its scheme.
-- grain: one row per (year, level_code). params: as indicator_by (no $sector: ratings are unit totals).
with final as (
    select
        r.year, r.scheme, d.scheme_label, d.scheme_short, r.level_code, d.level_label, d.level_rank, d.bucket, d.bucket_label,
        sum(r.cdcs_count) as cdcs_count, count(distinct r.unit_code) as n_units
    from mart_rating as r
    join selected_units($view, $region, $provinces, $unit_types) as u using (unit_code)
    join dim_rating_level as d using (level_code)
    where r.year between $y0 and $y1
    group by all
)

select * from final order by year, level_rank;
