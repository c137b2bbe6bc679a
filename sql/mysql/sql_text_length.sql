-- sql_text_length.sql: longest SQL_TEXT kept; an example that long was cut and cannot be explained.
SELECT @@performance_schema_max_sql_text_length
