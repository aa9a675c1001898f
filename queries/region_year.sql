-- region_year: figures by region for a year range in one province view.
-- grain: one row per (region_code, year, sector, indicator_code). params: $view, $y0, $y1
select * from mart_region where province_view = $view and year between $y0 and $y1;
