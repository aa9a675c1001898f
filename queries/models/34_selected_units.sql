-- selected_units (a table macro, so it comes after dim_unit): the reporting units the sidebar filters keep,
-- with their province key and region in the chosen province view ('34': today's provinces; 'reported': the
-- province as reported). Empty lists and '' mean all.
-- key: none (macro)
-- scope: reference (built from the reference tables only: rebuilt when they or the models change)
create or replace macro selected_units(province_view, region, provinces, unit_types) as table
with units as (
    select
        unit_code, unit_name, unit_type,
        case when province_view = '34' then province_key_34 else province_key end as province_key,
        case when province_view = '34' then region_34 else region_reported end as region_code
    from dim_unit
)
select * from units
where list_contains(unit_types, unit_type)
  and (region = '' or region_code = region)
  and (len(provinces) = 0 or list_contains(provinces, province_key));
