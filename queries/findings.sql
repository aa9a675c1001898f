-- findings: warnings kept with accepted files (active versions) and errors of rejected files.
-- grain: one row per finding.
select
    'accepted' as status, f.file_name, f.unit_code, f.round_code, f.severity, f.rule, f.sheet, f.cell, f.value,
    f.expected, f.message, f.fix, cast(f.found_at as varchar) as found_at
from raw_finding as f
join stg_submission as s using (submission_id)
where s.is_active
union all
select
    'rejected' as status, file_name, unit_code, round_code, severity, rule, sheet, cell, value,
    expected, message, fix, found_at
from log_rejection
order by status desc, found_at desc;
