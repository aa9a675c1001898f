-- version_rows: every row one version (file) gave, as received: numbers, ratings and answers, with deletion marks.
-- grain: one row per (kind, year, sector, code, round_code) of the version. params: $submission (submission id)
select 'value' as kind, year, sector, indicator_code as code, null as round_code, value, null as text, is_deleted,
    sheet, cell
from raw_value where submission_id = $submission
union all
select 'rating', year, null, level_code, null, cdcs_count, null, is_deleted, sheet, cell
from raw_rating where submission_id = $submission
union all
select 'text', null, null, question_code, round_code, null, text, is_deleted, sheet, cell
from raw_text where submission_id = $submission
order by kind, year, code, sector;
