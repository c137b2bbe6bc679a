-- tables.sql: base tables with their estimated rows and size on disk (data + indexes).
SELECT TABLE_SCHEMA, TABLE_NAME, TABLE_ROWS, DATA_LENGTH + INDEX_LENGTH, CREATE_OPTIONS
  FROM information_schema.TABLES
 WHERE TABLE_TYPE = 'BASE TABLE'
   AND TABLE_SCHEMA NOT IN ('mysql', 'performance_schema', 'information_schema', 'sys')
   AND (:schema IS NULL OR TABLE_SCHEMA = :schema)
