-- mart_text: text answers in force with a folded copy for accent-insensitive search (lower case, no accents,
-- đ/Đ folded to d as well, since strip_accents leaves them) and its length in words. text_id is an MD5 of
-- (unit, round, question), stable across snapshots (DuckDB's hash() collides on such codes).
-- key: text_id
-- key: unit_code, round_code, question_code
-- scope: unit
create or replace macro mart_text_rows(units) as table
select
    md5_number_lower(t.unit_code || '|' || t.round_code || '|' || t.question_code) as text_id,
    t.unit_code, t.round_code, t.question_code, q.section, q.label_vi as question_label,
    nullif(q.focus_area, '') as focus_area, t.text,
    f.text_folded,
    len(list_filter(regexp_split_to_array(f.text_folded, '[^a-z0-9]+'), w -> w <> '')) as doc_len,
    t.submission_id
from stg_text as t
cross join lateral (select lower(strip_accents(replace(replace(t.text, 'đ', 'd'), 'Đ', 'D'))) as text_folded) as f
join ref_text_questions as q using (question_code)
where len(units) = 0 or list_contains(units, t.unit_code);
