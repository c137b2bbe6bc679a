-- performance_schema.sql: whether performance_schema is on (it can only be set at startup).
SELECT @@global.performance_schema
