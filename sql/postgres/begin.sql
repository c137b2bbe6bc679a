-- begin.sql -- the read-only transaction around EXPLAIN ANALYZE.
BEGIN /* dbperf */ READ ONLY
