-- dim_province: both province schemes; a province is identified by (province_scheme, province_code),
-- never by the bare code (new codes reuse old codes of other provinces).
-- grain: one row per (province_scheme, province_code).
create or replace table dim_province as
with p63 as (
    select
        '63' as province_scheme, p.province_code, p.province_name, p.short_name, p.region_code,
        cast(p.lat as double) as lat, cast(p.lon as double) as lon,
        x.new_code as province_code_34
    from ref_provinces_63 as p
    join ref_province_crosswalk_2025 as x on x.old_code = p.province_code
),

p34 as (
    select
        '34' as province_scheme, province_code, province_name, short_name, region_code,
        cast(lat as double) as lat, cast(lon as double) as lon,
        province_code as province_code_34
    from ref_provinces_34
),

final as (
    select
        u.province_scheme || ':' || u.province_code as province_key,
        u.*,
        '34:' || u.province_code_34 as province_key_34
    from (select * from p63 union all select * from p34) as u
)

select * from final;

-- dim_unit: reporting units with their province under both views and their region.
-- grain: one row per unit_code.
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

-- dim_indicator: the codebook, with how each indicator aggregates.
-- grain: one row per indicator_code.
create or replace table dim_indicator as
select
    indicator_code, section, cast("order" as integer) as sort_order, label_vi, unit_vi,
    by_sector = '1' as by_sector, aggregation, nullif(numerator, '') as numerator,
    nullif(denominator, '') as denominator, value_type, is_input = '1' as is_input, description_vi,
    aggregation in ('ratio', 'complement', 'ratio_plain') as is_ratio,
    case when aggregation = 'ratio_plain' then 1.0 else 100.0 end as scale
from ref_indicators;

-- dim_region: the six socio-economic regions and the central block.
-- grain: one row per region_code.
create or replace table dim_region as
select region_code, region_name, cast("order" as integer) as sort_order, kind from ref_regions;
