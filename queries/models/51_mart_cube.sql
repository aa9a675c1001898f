-- mart_cube: the unit-level figures summed per group of units that share a province (as reported), a unit
-- type and therefore a region: the one table every aggregate mart and page aggregation reads. Units never
-- span two groups, so sums of sums, of numerators, of denominators and of n_units are exact at any level.
-- value: sum for counts and money (null for ratios); numerator, denominator: sums for ratios. Sums are taken
-- in exact decimals, so every build gives the same figures whatever the order of summation.
-- key: unit_group, year, sector, indicator_code
-- scope: group (rebuilt for the groups of the units a publish touches)
create or replace macro mart_cube_rows(groups) as table
with units as (
    select
        unit_code, unit_type, province_scheme, province_code, province_key, province_key_34,
        split_part(province_key_34, ':', 2) as province_code_34, region_reported, region_34,
        coalesce(province_key, '-') || '|' || unit_type as unit_group
    from dim_unit
),

joined as (
    select f.*, u.* exclude (unit_code), i.is_ratio, i.scale
    from mart_unit_indicator as f
    join units as u using (unit_code)
    join dim_indicator as i using (indicator_code)
    where len(groups) = 0 or list_contains(groups, u.unit_group)
),

final as (
    select
        unit_group, unit_type, province_scheme, province_code, province_key, province_key_34, province_code_34,
        region_reported, region_34, year, sector, indicator_code, any_value(is_ratio) as is_ratio,
        any_value(scale) as scale,
        case when any_value(is_ratio) then null else sum(value::decimal(18, 6))::double end as value,
        sum(numerator::decimal(18, 6))::double as numerator, sum(denominator::decimal(18, 6))::double as denominator,
        count(distinct unit_code) as n_units
    from joined
    group by all
)

select * from final;
