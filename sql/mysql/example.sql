-- example.sql: one real statement of a digest, the slowest still in the history, to EXPLAIN.
-- Needs the events_statements_history_long consumer (and events_statements_current).
SELECT SQL_TEXT, CURRENT_SCHEMA, LENGTH(SQL_TEXT), TIMER_WAIT
  FROM performance_schema.events_statements_history_long
 WHERE DIGEST = :digest
   AND SQL_TEXT IS NOT NULL
 ORDER BY TIMER_WAIT DESC
 LIMIT 1
