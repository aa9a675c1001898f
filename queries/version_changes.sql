-- version_changes: numeric cells that differ between two versions of one submission.
-- grain: one row per (year, sector, indicator_code) that changed. params: $new, $old (submission ids)
with new as (select year, sector, indicator_code, value from raw_value where submission_id = $new),
old as (select year, sector, indicator_code, value from raw_value where submission_id = $old),
final as (
    select
        coalesce(n.year, o.year) as year, coalesce(n.sector, o.sector) as sector,
        coalesce(n.indicator_code, o.indicator_code) as indicator_code,
        o.value as old_value, n.value as new_value, n.value - o.value as change
    from new as n
    full outer join old as o using (year, sector, indicator_code)
    where n.value is distinct from o.value
)
select f.*, i.label_vi as indicator_label
from final as f
join dim_indicator as i using (indicator_code)
order by year, indicator_code, sector;
