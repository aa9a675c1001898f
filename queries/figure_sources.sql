-- figure_sources: the numbers in force behind one figure: for every reporting unit of the group it adds up, each
-- reported part (the indicator itself, or a ratio's numerator and denominator) with the version, file, sheet,
-- cell and received time it comes from. Who loaded a version is not selected (public pages never show it).
-- grain: one row per (unit_code, indicator_code) of the parts. params: as indicator_by (filters, $by) with
-- $group ('all' or a group code), $indicators (the parts), $year; $sector as indicator_by (a code or 'TOTAL')
with units as (
    select
        unit_code, unit_name, unit_type, province_key, region_code,
        case $by
            when 'region' then region_code
            when 'province' then province_key
            when 'unit' then unit_code
            else 'all'
        end as group_code
    from selected_units($view, $region, $provinces, $unit_types)
),

final as (
    select
        u.unit_code, u.unit_name, u.province_key, u.region_code, p.indicator_code, p.year,
        coalesce(p.sector, 'TOTAL') as sector, p.value, p.submission_id, p.version, p.file_name, p.sheet, p.cell,
        p.received_at
    from value_provenance as p
    join units as u using (unit_code)
    where (u.group_code = $group or $by = 'sector')
      and p.year = $year
      and list_contains($indicators, p.indicator_code)
      and coalesce(p.sector, 'TOTAL') = case when $by = 'sector' then $group else $sector end
)

select * from final order by unit_name, indicator_code;
