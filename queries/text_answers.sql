-- text_answers: text answers in force, optionally matched by an accent-insensitive search: every word of $q
-- must occur (the caller folds $q the same way: lower case, no accents, đ -> d), ranked by BM25 over the
-- inverted index search_term (k1 = 1.2, b = 0.75).
-- grain: one row per (unit_code, round_code, question_code). params: $q ('' = no search), $region,
-- $provinces, $unit_types, $view, $focus ('' = all), $sections, $rounds, $questions (lists, empty = all),
-- $unit ('' = all), $limit (the first rows only; null = all). Every row also carries n_matching (how many rows
-- match in all) and focus_counts (how many match per focus area), so a page reads the first rows and the
-- totals in one query without holding every answer.
with terms as (
    select distinct term
    from (select unnest(regexp_split_to_array($q, '[^a-z0-9]+')) as term)
    where term <> ''
),

stats as (
    select count(*) as n_docs, avg(doc_len) as avg_len from mart_text
),

doc_freq as (
    select s.term, count(*) as df from search_term as s join terms using (term) group by all
),

matches as (
    select
        s.text_id,
        sum(ln((st.n_docs - d.df + 0.5) / (d.df + 0.5) + 1)
            * s.tf * 2.2 / (s.tf + 1.2 * (0.25 + 0.75 * t.doc_len / st.avg_len))) as score,
        count(*) as n_terms
    from search_term as s
    join terms using (term)
    join doc_freq as d using (term)
    join mart_text as t using (text_id)
    cross join stats as st
    group by s.text_id
),

scored as (
    select t.*, m.score
    from mart_text as t
    left join matches as m
        on m.text_id = t.text_id and m.n_terms = (select count(*) from terms)
    where $q = '' or m.text_id is not null
),

final as (
    select
        s.text_id, s.round_code, s.section, s.question_code, s.question_label, s.focus_area,
        f.label_vi as focus_area_label, u.unit_name, s.text, s.submission_id, coalesce(s.score, 0) as score,
        r.year_to as round_year
    from scored as s
    join selected_units($view, $region, $provinces, $unit_types) as u using (unit_code)
    left join dim_focus_area as f using (focus_area)
    left join dim_round as r using (round_code)
    where ($focus = '' or s.focus_area = $focus)
      and (len($sections) = 0 or list_contains($sections, s.section))
      and ($unit = '' or s.unit_code = $unit)
      and (len($rounds) = 0 or list_contains($rounds, s.round_code))
      and (len($questions) = 0 or list_contains($questions, s.question_code))
),

by_focus as (
    select list({'focus_area': focus_area, 'focus_area_label': focus_area_label, 'n': n} order by n desc) as counts
    from (select focus_area, any_value(focus_area_label) as focus_area_label, count(*) as n from final group by 1)
)

select f.*, count(*) over () as n_matching, (select counts from by_focus) as focus_counts
from final as f
order by score desc, round_year desc, round_code, unit_name, question_code, text_id  -- the newest round first
limit $limit;
