-- text_answers: text answers of current versions, optionally matched by full-text search on the
-- accent-folded copy (the caller folds the query the same way: lower case, no accents, đ -> d).
-- grain: one row per (unit_code, round_code, question_code). params: $q ('' = no search), $region,
-- $provinces, $unit_types, $view, $focus ('' = all), $sections (list, empty = all), $unit ('' = all)
with scored as (
    select t.*, case when $q = '' then 0 else fts_main_mart_text.match_bm25(t.text_id, $q, conjunctive := 1) end as score
    from mart_text as t
),

final as (
    select
        s.text_id, s.round_code, s.section, s.question_code, s.question_label, s.focus_area,
        f.label_vi as focus_area_label, u.unit_name, s.text, s.submission_id, s.score
    from scored as s
    join selected_units($view, $region, $provinces, $unit_types) as u using (unit_code)
    left join dim_focus_area as f using (focus_area)
    where ($q = '' or s.score is not null)
      and ($focus = '' or s.focus_area = $focus)
      and (len($sections) = 0 or list_contains($sections, s.section))
      and ($unit = '' or s.unit_code = $unit)
)

select * from final order by score desc, round_code desc, unit_name, question_code;
