-- index_usage.sql: index use since the server started (sys.schema_unused_indexes reads the
-- same table: an index with COUNT_STAR = 0 was never used). The row with a NULL INDEX_NAME
-- counts rows read without an index (full scans) and inserts.
SELECT OBJECT_SCHEMA, OBJECT_NAME, INDEX_NAME, COUNT_STAR, COUNT_FETCH
  FROM performance_schema.table_io_waits_summary_by_index_usage
 WHERE OBJECT_TYPE = 'TABLE'
   AND OBJECT_SCHEMA NOT IN ('mysql', 'performance_schema', 'information_schema', 'sys')
   AND (:schema IS NULL OR OBJECT_SCHEMA = :schema)
