-- dim_rating_level: rating levels with their scheme, rank and trend bucket.
-- key: level_code
-- scope: reference (built from the reference tables only: rebuilt when they or the models change)
create or replace table dim_rating_level as
select l.level_code, l.scheme_code, s.label_vi as scheme_label, s.short_label_vi as scheme_short,
       cast(s.year_from as integer) as year_from, cast(s.year_to as integer) as year_to,
       cast(l.rank as integer) as level_rank, l.label_vi as level_label,
       x.bucket, b.label_vi as bucket_label, x.note_vi
from ref_rating_levels as l
join ref_rating_schemes as s using (scheme_code)
left join ref_rating_crosswalk as x using (level_code)
left join ref_rating_buckets as b using (bucket);
