-- fact_text: a stable view; the text answers in force.
-- key: unit_code, round, question_code
create or replace view fact_text as
select unit_code, round_code as "round", question_code, text from mart_text;
