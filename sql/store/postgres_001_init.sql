-- postgres_001_init.sql: the index-usage history store (dbperf check-indexes), PostgreSQL,
-- version 1, in the schema dbperf of the user's own history database (never an audited
-- target). Applied once, in one transaction under an advisory lock, when a store is opened;
-- dbperf records each migration it applied in dbperf.schema_version (version, applied_us, file).
-- One snapshot per instance and run; one sample per index in it. Index identities and
-- definitions are kept once in index_def. Times are microseconds since the Unix epoch (UTC).
CREATE TABLE dbperf.snapshot (
    id bigserial PRIMARY KEY,
    taken_us bigint NOT NULL,
    engine text NOT NULL,
    cluster text NOT NULL,
    instance text NOT NULL,
    source text,
    tool_version text
);
CREATE INDEX snapshot_instance ON dbperf.snapshot (engine, cluster, instance, taken_us);
CREATE TABLE dbperf.index_def (
    id bigserial PRIMARY KEY,
    engine text NOT NULL,
    database_name text NOT NULL,
    schema_name text NOT NULL,
    table_name text NOT NULL,
    index_name text NOT NULL,
    definition text NOT NULL,
    columns text NOT NULL,
    method text NOT NULL
);
-- definitions can be long: the key holds their md5
CREATE UNIQUE INDEX index_def_key ON dbperf.index_def
    (engine, database_name, schema_name, table_name, index_name,
     md5(definition || '|' || columns || '|' || method));
CREATE TABLE dbperf.index_sample (
    snapshot_id bigint NOT NULL REFERENCES dbperf.snapshot (id) ON DELETE CASCADE,
    index_id bigint NOT NULL REFERENCES dbperf.index_def (id),
    flags integer NOT NULL,
    size_bytes bigint NOT NULL,
    scans bigint NOT NULL,
    counter_since_us bigint NOT NULL,
    PRIMARY KEY (snapshot_id, index_id)
);
CREATE INDEX index_sample_index ON dbperf.index_sample (index_id);
