-- indexes_mysql8.sql: index definitions, one row per key part in order (MySQL 8.0.13 and
-- later: functional key parts have a NULL COLUMN_NAME and an EXPRESSION).
SELECT TABLE_SCHEMA, TABLE_NAME, INDEX_NAME, NON_UNIQUE, SEQ_IN_INDEX, COLUMN_NAME, SUB_PART,
       INDEX_TYPE, COLLATION, EXPRESSION
  FROM information_schema.STATISTICS
 WHERE TABLE_SCHEMA NOT IN ('mysql', 'performance_schema', 'information_schema', 'sys')
   AND (:schema IS NULL OR TABLE_SCHEMA = :schema)
 ORDER BY TABLE_SCHEMA, TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX
