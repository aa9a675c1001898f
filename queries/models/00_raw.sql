-- raw_*: what the loader accepted (and the findings it made), appended, never updated.
-- grain: raw_submission one row per accepted file; raw_value one row per filled numeric cell;
-- raw_rating one row per filled rating cell; raw_text one row per answered question;
-- raw_submission_event one row per acceptance or rollback; raw_finding one row per finding.
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
create table if not exists raw_submission_event (
    seq integer not null,
    submission_id varchar not null,
    event varchar not null,          -- accepted | rollback
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
    value double not null,
    sheet varchar,
    cell varchar
);
create table if not exists raw_rating (
    submission_id varchar not null,
    unit_code varchar not null,
    year integer not null,
    scheme varchar not null,
    level_code varchar not null,
    cdcs_count double not null,
    sheet varchar,
    cell varchar
);
create table if not exists raw_text (
    submission_id varchar not null,
    unit_code varchar not null,
    round_code varchar not null,
    question_code varchar not null,
    text varchar not null,
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
