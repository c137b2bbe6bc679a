-- tables.sql -- tables, materialized views and partitioned parents of this
-- database with their size and scan counters, the largest first, bounded.
-- Rows: n_live_tup, or the planner's reltuples when the counters were reset
-- (n_live_tup is 0 after pg_stat_reset() until the table is touched again).
SELECT /* dbperf */
       n.nspname, c.relname, c.relkind::text AS relkind,
       CASE WHEN coalesce(s.n_live_tup, 0) = 0 AND c.reltuples > 0 THEN c.reltuples::bigint
            ELSE s.n_live_tup END AS n_live_tup,
       pg_total_relation_size(c.oid) AS total_bytes,
       s.seq_scan, s.seq_tup_read, s.idx_scan
  FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace
  LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid
 WHERE c.relkind IN ('r', 'p', 'm')
   AND n.nspname NOT IN ('pg_catalog', 'information_schema')
   AND n.nspname NOT LIKE 'pg\_toast%' AND n.nspname NOT LIKE 'pg\_temp\_%'
 ORDER BY pg_total_relation_size(c.oid) DESC
 LIMIT 20000
