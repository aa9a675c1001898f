-- dim_text_question: the whole dimension table (small; for labels, filters and the methods page).
-- grain: as the model dim_text_question states.
select * from dim_text_question;
