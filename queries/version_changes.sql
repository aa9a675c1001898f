-- version_changes: what one version changed when it was accepted (numbers, ratings and answers), against the
-- figures in force just before it. params: $submission (submission id)
-- grain: one row per (kind, year, sector, code, round_code) the version mentioned and did not leave unchanged.
select
    c.kind, c.year, c.sector, c.code, c.round_code, c.status, c.old_value, c.new_value,
    c.new_value - c.old_value as change, c.old_text, c.new_text, c.is_large, c.sheet, c.cell,
    coalesce(i.label_vi, l.level_label, q.label_vi, c.code) as item_label
from raw_change as c
left join dim_indicator as i on c.kind = 'value' and i.indicator_code = c.code
left join dim_rating_level as l on c.kind = 'rating' and l.level_code = c.code
left join dim_text_question as q on c.kind = 'text' and q.question_code = c.code
where c.submission_id = $submission and c.status not in ('unchanged')
order by c.kind, c.year, c.code, c.sector;
