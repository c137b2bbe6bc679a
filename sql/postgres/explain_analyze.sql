-- explain_analyze.sql -- prefix of EXPLAIN ANALYZE (only with --analyze, only
-- for a SELECT without parameters, inside a transaction that is rolled back).
EXPLAIN /* dbperf */ (ANALYZE, BUFFERS, FORMAT JSON)
