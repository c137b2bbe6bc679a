-- session.sql -- who and where we are: server version, recovery state, the
-- counters' start (stats reset of this database, else server start), the
-- session's read-only setting and the extensions dbperf can use.
SELECT /* dbperf */
       current_setting('server_version_num')::int AS server_version_num,
       current_setting('server_version') AS server_version,
       pg_is_in_recovery() AS in_recovery,
       current_database() AS datname,
       current_setting('default_transaction_read_only') AS read_only,
       (extract(epoch FROM pg_postmaster_start_time()) * 1000000)::bigint AS postmaster_start_us,
       (SELECT (extract(epoch FROM d.stats_reset) * 1000000)::bigint
          FROM pg_stat_database d WHERE d.datname = current_database()) AS stats_reset_us,
       (SELECT e.extversion FROM pg_extension e WHERE e.extname = 'pg_stat_statements') AS pgss_version,
       (SELECT e.extversion FROM pg_extension e WHERE e.extname = 'hypopg') AS hypopg_version,
       (SELECT e.extversion FROM pg_extension e WHERE e.extname = 'pg_qualstats') AS qualstats_version,
       (SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
         WHERE e.extname = 'pg_stat_statements') AS pgss_schema,
       (SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
         WHERE e.extname = 'hypopg') AS hypopg_schema,
       (SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
         WHERE e.extname = 'pg_qualstats') AS qualstats_schema
