-- example_mysql8.sql: MySQL 8.0 keeps the slowest statement of each digest in the digest table.
SELECT QUERY_SAMPLE_TEXT, SCHEMA_NAME, LENGTH(QUERY_SAMPLE_TEXT), QUERY_SAMPLE_TIMER_WAIT
  FROM performance_schema.events_statements_summary_by_digest
 WHERE DIGEST = :digest
   AND QUERY_SAMPLE_TEXT IS NOT NULL AND QUERY_SAMPLE_TEXT <> ''
 ORDER BY QUERY_SAMPLE_TIMER_WAIT DESC
 LIMIT 1
