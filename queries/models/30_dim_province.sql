-- dim_province: both province schemes; a province is identified by (province_scheme, province_code),
-- never by the bare code (new codes reuse old codes of other provinces).
-- key: province_key
-- key: province_scheme, province_code
-- scope: reference (built from the reference tables only: rebuilt when they or the models change)
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
