-- unit_peer_ranks: the rank of one unit among all units of its type, per indicator, in one year; from the
-- highest, ties sharing the better rank (1, 2, 2, 4) as core.series.ranks; units without a value are not ranked.
-- grain: one row per indicator_code. params: $unit, $unit_type, $year, $indicators, $sector
with peers as (
    select
        f.unit_code, f.indicator_code,
        agg_indicator(i.is_ratio, f.value, f.numerator, f.denominator, i.scale) as value
    from mart_unit_indicator as f
    join dim_unit as u using (unit_code)
    join dim_indicator as i using (indicator_code)
    where u.unit_type = $unit_type
      and f.year = $year
      and list_contains($indicators, f.indicator_code)
      and f.sector = $sector
    group by all
),

ranked as (
    select
        unit_code, indicator_code,
        rank() over (partition by indicator_code order by value desc) as peer_rank,
        count(*) over (partition by indicator_code) as n_peers
    from peers
    where value is not null
)

select indicator_code, peer_rank, n_peers from ranked where unit_code = $unit order by indicator_code;
