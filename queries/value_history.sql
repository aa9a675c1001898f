-- value_history: every version that mentioned one number (set or "xóa"), newest first, with the one in force.
-- grain: one row per submission mentioning the key. params: $unit, $indicator, $year, $sector (null = total)
select *
from value_history
where unit_code = $unit and indicator_code = $indicator and year = $year
  and sector is not distinct from $sector
order by accepted_seq desc;
