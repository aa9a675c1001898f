-- selected_units: the reporting units the sidebar filters keep, with their province and region in the view.
-- grain: one row per unit_code. params: $view, $region, $provinces, $unit_types
select * from selected_units($view, $region, $provinces, $unit_types) order by unit_code;
