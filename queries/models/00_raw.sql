-- raw_*: what the loader accepted (and the findings it made), appended, never updated or deleted.
-- A submission is one accepted file: a version of (unit, round) whose scope is the keys its rows mention;
-- a row with is_deleted = true is the deletion mark "xóa" for its key (value/text null).
-- key raw_submission: submission_id
-- key raw_submission: unit_code, round_code, version
-- key raw_submission_event: seq
-- key raw_value: submission_id, year, sector, indicator_code
-- key raw_rating: submission_id, year, level_code
-- key raw_text: submission_id, round_code, question_code
-- key raw_change: submission_id, kind, year?, sector?, code, round_code?
create table if not exists raw_submission (
    submission_id varchar primary key,
    unit_code varchar not null,
    round_code varchar not null,
    version integer not null,
    sha256 varchar not null,
    file_name varchar not null,
    received_at timestamp not null,
    loaded_by varchar,
    n_values integer,
    n_ratings integer,
    n_texts integer,
    n_warnings integer,
    simulated boolean,
    note varchar
);
alter table raw_submission add column if not exists n_new integer;
alter table raw_submission add column if not exists n_changed integer;
alter table raw_submission add column if not exists n_removed integer;
alter table raw_submission add column if not exists n_unchanged integer;
create table if not exists raw_submission_event (
    seq integer not null,
    submission_id varchar not null,
    event varchar not null,          -- accepted | rollback | deactivated | reactivated
    event_at timestamp not null,
    by_user varchar,
    reason varchar
);
create table if not exists raw_value (
    submission_id varchar not null,
    unit_code varchar not null,
    year integer not null,
    sector varchar not null,         -- 'TOTAL' for the unit total
    indicator_code varchar not null,
    value double,
    sheet varchar,
    cell varchar
);
alter table raw_value add column if not exists is_deleted boolean default false;
alter table raw_value alter column value drop not null;
create table if not exists raw_rating (
    submission_id varchar not null,
    unit_code varchar not null,
    year integer not null,
    scheme varchar not null,
    level_code varchar not null,
    cdcs_count double,
    sheet varchar,
    cell varchar
);
alter table raw_rating add column if not exists is_deleted boolean default false;
alter table raw_rating alter column cdcs_count drop not null;
create table if not exists raw_text (
    submission_id varchar not null,
    unit_code varchar not null,
    round_code varchar not null,
    question_code varchar not null,
    text varchar,
    sheet varchar,
    cell varchar
);
alter table raw_text add column if not exists is_deleted boolean default false;
alter table raw_text alter column text drop not null;
create table if not exists raw_change (
    submission_id varchar not null,
    kind varchar not null,           -- value | rating | text
    unit_code varchar not null,
    year integer,
    sector varchar,
    code varchar not null,           -- indicator, rating level or question
    round_code varchar,
    old_value double,
    new_value double,
    old_text varchar,
    new_text varchar,
    status varchar not null,         -- new | changed | removed | unchanged | absent
    is_large boolean,
    sheet varchar,
    cell varchar
);
create table if not exists raw_finding (
    submission_id varchar,           -- null when the file was rejected
    file_name varchar,
    sha256 varchar,
    unit_code varchar,
    round_code varchar,
    status varchar,                  -- accepted | rejected | unchanged
    severity varchar,
    rule varchar,
    sheet varchar,
    cell varchar,
    value varchar,
    expected varchar,
    message varchar,
    fix varchar,
    found_at timestamp
);
