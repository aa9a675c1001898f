-- search_term: the inverted index of the text answers for accent-insensitive search: each folded word of an
-- answer with its count (BM25 is computed at query time with mart_text.doc_len, see queries/text_answers.sql).
-- Maintained per unit, so a publish re-indexes only the answers it touches.
-- key: unit_code, text_id, term
-- scope: unit
create or replace macro search_term_rows(units) as table
with words as (
    select unit_code, text_id, unnest(regexp_split_to_array(text_folded, '[^a-z0-9]+')) as term
    from mart_text
    where len(units) = 0 or list_contains(units, unit_code)
),

final as (
    select unit_code, text_id, term, count(*) as tf
    from words
    where term <> ''
    group by all
)

select * from final;
