-- global_status.sql: seconds since the server started (the start of every performance_schema
-- counter), and whether performance_schema had to drop digests or table statistics.
SHOW GLOBAL STATUS WHERE Variable_name IN ('Uptime', 'Performance_schema_digest_lost',
                                           'Performance_schema_table_instances_lost',
                                           'Performance_schema_table_handles_lost')
