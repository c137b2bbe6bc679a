-- stat_statements.sql -- pg_stat_statements 1.8+ (PostgreSQL 13 and later: the
-- *_exec_time columns), the statements with the most total time first, bounded.
-- The schema placeholder is replaced by the extension's schema (quoted). dbperf's own
-- statements carry the /* dbperf */ marker and are left out.
SELECT /* dbperf */
       s.queryid, d.datname, r.rolname, s.query, s.calls,
       s.total_exec_time AS total_ms, s.min_exec_time AS min_ms, s.max_exec_time AS max_ms,
       s.mean_exec_time AS mean_ms, s.stddev_exec_time AS stddev_ms,
       s.rows, s.shared_blks_hit, s.shared_blks_read
  FROM @SCHEMA@.pg_stat_statements s
  LEFT JOIN pg_database d ON d.oid = s.dbid
  LEFT JOIN pg_roles r ON r.oid = s.userid
 WHERE s.calls > 0 AND s.query NOT LIKE '%/* dbperf */%'
 ORDER BY s.total_exec_time DESC
 LIMIT 5000
