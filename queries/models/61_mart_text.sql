-- mart_text: text answers in force with a folded copy for accent-insensitive search
-- (strip_accents leaves đ/Đ, so they are folded to d here as well).
-- key: text_id
-- key: unit_code, round_code, question_code
create or replace table mart_text as
select
    row_number() over (order by t.unit_code, t.round_code, t.question_code) as text_id,
    t.unit_code, t.round_code, t.question_code, q.section, q.label_vi as question_label,
    nullif(q.focus_area, '') as focus_area, t.text,
    lower(strip_accents(replace(replace(t.text, 'đ', 'd'), 'Đ', 'D'))) as text_folded,
    t.submission_id
from stg_text as t
join ref_text_questions as q using (question_code);
