-- dim_text_question: the questions answered in text, with their outline section and focus area.
-- key: question_code
-- scope: reference (built from the reference tables only: rebuilt when they or the models change)
create or replace table dim_text_question as
select question_code, section, cast("order" as integer) as sort_order, label_vi, nullif(focus_area, '') as focus_area
from ref_text_questions;
