-- unit_texts: the text answers in force for one unit and round (to pre-fill its template).
-- grain: one row per question_code. params: $unit, $round
select question_code, text
from stg_text
where unit_code = $unit and round_code = $round;
