-- sqlite_001_init.sql: the index-usage history store (dbperf check-indexes), SQLite, version 1.
-- Applied once, in one IMMEDIATE transaction, when a store is opened; dbperf records each
-- migration it applied in dbperf_schema_version (version, applied_us, file).
-- One snapshot per instance and run; one sample per index in it. Index identities and
-- definitions are kept once in index_def. Times are microseconds since the Unix epoch (UTC).
CREATE TABLE snapshot (
    id INTEGER PRIMARY KEY,
    taken_us INTEGER NOT NULL,
    engine TEXT NOT NULL,
    cluster TEXT NOT NULL,
    instance TEXT NOT NULL,
    source TEXT,
    tool_version TEXT
);
CREATE INDEX snapshot_instance ON snapshot (engine, cluster, instance, taken_us);
CREATE TABLE index_def (
    id INTEGER PRIMARY KEY,
    engine TEXT NOT NULL,
    database_name TEXT NOT NULL,
    schema_name TEXT NOT NULL,
    table_name TEXT NOT NULL,
    index_name TEXT NOT NULL,
    definition TEXT NOT NULL,
    columns TEXT NOT NULL,
    method TEXT NOT NULL,
    UNIQUE (engine, database_name, schema_name, table_name, index_name, definition, columns,
            method)
);
CREATE TABLE index_sample (
    snapshot_id INTEGER NOT NULL REFERENCES snapshot (id) ON DELETE CASCADE,
    index_id INTEGER NOT NULL REFERENCES index_def (id),
    flags INTEGER NOT NULL,
    size_bytes INTEGER NOT NULL,
    scans INTEGER NOT NULL,
    counter_since_us INTEGER NOT NULL,
    PRIMARY KEY (snapshot_id, index_id)
);
CREATE INDEX index_sample_index ON index_sample (index_id);
