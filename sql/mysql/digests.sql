-- digests.sql: statement classes from performance_schema, the most time-consuming first.
-- Timers are picoseconds. The row with a NULL DIGEST collects statements that found the
-- digest table full; it has no text and is left out (and counted separately).
SELECT SCHEMA_NAME, DIGEST, DIGEST_TEXT, COUNT_STAR,
       SUM_TIMER_WAIT, MIN_TIMER_WAIT, MAX_TIMER_WAIT,
       SUM_ROWS_EXAMINED, SUM_ROWS_SENT, SUM_NO_INDEX_USED, SUM_NO_GOOD_INDEX_USED,
       UNIX_TIMESTAMP(FIRST_SEEN), UNIX_TIMESTAMP(LAST_SEEN)
  FROM performance_schema.events_statements_summary_by_digest
 WHERE DIGEST IS NOT NULL
   AND (:schema IS NULL OR SCHEMA_NAME = :schema)
 ORDER BY SUM_TIMER_WAIT DESC
 LIMIT :limit
