-- index_statistics.sql: MariaDB/Percona user statistics (userstat=1): rows read through each
-- index; an index never read has no row.
SELECT TABLE_SCHEMA, TABLE_NAME, INDEX_NAME, ROWS_READ
  FROM information_schema.INDEX_STATISTICS
 WHERE TABLE_SCHEMA NOT IN ('mysql', 'performance_schema', 'information_schema', 'sys')
   AND (:schema IS NULL OR TABLE_SCHEMA = :schema)
