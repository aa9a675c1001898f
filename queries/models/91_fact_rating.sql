-- fact_rating: a stable view; CĐCS per rating level in force, the scheme stored with every rating.
-- key: unit_code, year, scheme, level
create or replace view fact_rating as
select unit_code, year, scheme, level_code as level, cdcs_count from mart_rating;
