-- findings: the warnings kept with accepted files of active versions (rejected files live in the state store).
-- grain: one row per finding.
select
    f.file_name, f.unit_code, f.round_code, f.severity, f.rule, f.sheet, f.cell, f.value,
    f.expected, f.message, f.fix, cast(f.found_at as varchar) as found_at
from raw_finding as f
join stg_submission as s using (submission_id)
where s.is_active
order by f.found_at desc;
