-- province_year: LĐLĐ figures by province for a year range, re-aggregated to today's 34 provinces
-- (source '34') and as reported (source 'reported', 63 until 2024), with the province's region.
-- grain: one row per (source, province_key, year, sector, indicator_code). params: $y0, $y1
select '34' as source, '34:' || m.province_code as province_key, p.region_code, m.*
from mart_province_34 as m
join dim_province as p on p.province_scheme = '34' and p.province_code = m.province_code
where m.year between $y0 and $y1
union all
select 'reported' as source, m.province_scheme || ':' || m.province_code as province_key, p.region_code, m.*
from mart_province_reported as m
join dim_province as p on p.province_scheme = m.province_scheme and p.province_code = m.province_code
where m.year between $y0 and $y1;
