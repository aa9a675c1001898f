-- dim_unit: reporting units with their province under both views and their region.
-- key: unit_code
-- scope: reference (built from the reference tables only: rebuilt when they or the models change)
create or replace table dim_unit as
with units as (
    select
        u.unit_code, u.unit_name, u.unit_type, t.label_vi as unit_type_label,
        nullif(u.province_scheme, '') as province_scheme, nullif(u.province_code, '') as province_code,
        cast(u.valid_from as date) as valid_from, cast(nullif(u.valid_to, '') as date) as valid_to,
        u.contact
    from ref_units as u
    join ref_unit_types as t using (unit_type)
),

final as (
    select
        units.*,
        p.province_key,
        p.short_name as province_name,
        coalesce(p.region_code, 'TW') as region_reported,
        p.province_key_34,
        p34.short_name as province_name_34,
        coalesce(p34.region_code, 'TW') as region_34
    from units
    left join dim_province as p
        on p.province_scheme = units.province_scheme and p.province_code = units.province_code
    left join dim_province as p34 on p34.province_key = p.province_key_34
)

select * from final;
