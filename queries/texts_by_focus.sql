-- texts_by_focus: text answers of one round with unit, regions and focus area, in report order.
-- grain: one row per (unit_code, question_code). params: $round
select
    t.section, t.question_code, t.question_label, t.text, u.unit_name, u.region_34, u.region_reported,
    fa.label_vi as focus_label, fa.sort_order as focus_order
from mart_text as t
join dim_unit as u using (unit_code)
left join dim_focus_area as fa using (focus_area)
where t.round_code = $round
order by focus_order nulls last, t.section, u.unit_name;
