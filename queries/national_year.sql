-- national_year: national figures for a year range.
-- grain: one row per (year, sector, indicator_code). params: $y0, $y1
select * from mart_national where year between $y0 and $y1;
