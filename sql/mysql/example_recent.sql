-- example_recent.sql: one real statement of a digest from the last statements of the sessions
-- still connected (events_statements_history: on by default in MySQL, where the _long
-- history is off), the slowest first.
SELECT SQL_TEXT, CURRENT_SCHEMA, LENGTH(SQL_TEXT), TIMER_WAIT
  FROM performance_schema.events_statements_history
 WHERE DIGEST = :digest
   AND SQL_TEXT IS NOT NULL
 ORDER BY TIMER_WAIT DESC
 LIMIT 1
