-- stat_statements_pre13.sql -- pg_stat_statements before 1.8 (PostgreSQL 12 and
-- older, or an extension not yet updated): the *_time column names.
SELECT /* dbperf */
       s.queryid, d.datname, r.rolname, s.query, s.calls,
       s.total_time AS total_ms, s.min_time AS min_ms, s.max_time AS max_ms,
       s.mean_time AS mean_ms, s.stddev_time AS stddev_ms,
       s.rows, s.shared_blks_hit, s.shared_blks_read
  FROM @SCHEMA@.pg_stat_statements s
  LEFT JOIN pg_database d ON d.oid = s.dbid
  LEFT JOIN pg_roles r ON r.oid = s.userid
 WHERE s.calls > 0 AND s.query NOT LIKE '%/* dbperf */%'
 ORDER BY s.total_time DESC
 LIMIT 5000
