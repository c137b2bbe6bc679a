-- rollback.sql -- end the transaction around EXPLAIN ANALYZE, undoing anything.
ROLLBACK /* dbperf */
