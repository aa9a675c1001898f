-- unit_years: the first and last year each reporting unit has figures for (to open the unit profile on a unit
-- with figures in the chosen period). grain: one row per unit_code. params: none
select unit_code, min(year) as first_year, max(year) as last_year
from mart_unit_indicator
group by unit_code
order by unit_code;
