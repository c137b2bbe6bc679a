-- stat_statements_info.sql -- when pg_stat_statements was last reset (1.9+,
-- PostgreSQL 14 and later).
SELECT /* dbperf */ (extract(epoch FROM i.stats_reset) * 1000000)::bigint AS stats_reset_us
  FROM @SCHEMA@.pg_stat_statements_info i
