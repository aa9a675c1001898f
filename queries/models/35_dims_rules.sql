-- Rules and code lists as dimensions for the pages (the pages never read ref_* or raw_* tables).

-- dim_finance_rule: share of KPCĐ and đoàn phí kept by the CĐCS, per year.
-- grain: one row per year 2011-2030.
create or replace table dim_finance_rule as
select y.year, cast(r.kpcd_retained_pct as double) as kpcd_pct, cast(r.dues_retained_pct as double) as dues_pct,
       r.source_vi, r.assumed = '1' as assumed
from range(2011, 2031) as y(year)
join ref_finance_rules as r
    on y.year between cast(r.year_from as integer) and cast(r.year_to as integer);

-- dim_spend_cap: spending caps at CĐCS, per year and spending share indicator.
-- grain: one row per (year, indicator_code).
create or replace table dim_spend_cap as
select y.year, c.indicator_code, c.bound, cast(c.pct as double) as pct, c.basis_vi, c.source_vi
from range(2011, 2031) as y(year)
join ref_spend_caps as c
    on y.year between cast(c.year_from as integer) and cast(c.year_to as integer);

-- dim_rating_level: rating levels with their scheme, rank and trend bucket.
-- grain: one row per level_code.
create or replace table dim_rating_level as
select l.level_code, l.scheme_code, s.label_vi as scheme_label, s.short_label_vi as scheme_short, cast(s.year_from as integer) as year_from,
       cast(s.year_to as integer) as year_to, cast(l.rank as integer) as level_rank, l.label_vi as level_label,
       x.bucket, b.label_vi as bucket_label, x.note_vi
from ref_rating_levels as l
join ref_rating_schemes as s using (scheme_code)
left join ref_rating_crosswalk as x using (level_code)
left join ref_rating_buckets as b using (bucket);

-- dim_sector, dim_round, dim_focus_area, dim_text_question: code lists with Vietnamese labels.
-- grain: one row per code.
create or replace table dim_sector as
select sector_code, cast("order" as integer) as sort_order, label_vi from ref_sectors;

create or replace table dim_round as
select round_code, label_vi, cast(year_from as integer) as year_from, cast(year_to as integer) as year_to,
       cast(opens as date) as opens, cast(deadline as date) as deadline
from ref_rounds;

create or replace table dim_focus_area as
select focus_area, cast("order" as integer) as sort_order, label_vi from ref_focus_areas;

create or replace table dim_text_question as
select question_code, section, cast("order" as integer) as sort_order, label_vi, nullif(focus_area, '') as focus_area
from ref_text_questions;

-- dim_province_crosswalk: the 2025 merger, old province (63) to new province (34).
-- grain: one row per old province.
create or replace table dim_province_crosswalk as
select old_code, old_name, new_code, new_name from ref_province_crosswalk_2025;
