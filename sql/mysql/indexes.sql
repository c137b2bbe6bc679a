-- indexes.sql: index definitions, one row per key part in order (MariaDB, MySQL 5.7).
SELECT TABLE_SCHEMA, TABLE_NAME, INDEX_NAME, NON_UNIQUE, SEQ_IN_INDEX, COLUMN_NAME, SUB_PART,
       INDEX_TYPE, COLLATION, NULL AS EXPRESSION
  FROM information_schema.STATISTICS
 WHERE TABLE_SCHEMA NOT IN ('mysql', 'performance_schema', 'information_schema', 'sys')
   AND (:schema IS NULL OR TABLE_SCHEMA = :schema)
 ORDER BY TABLE_SCHEMA, TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX
