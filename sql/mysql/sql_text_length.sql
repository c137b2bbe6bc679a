-- sql_text_length.sql: longest SQL_TEXT kept (bytes); an example that long was cut: not explained.
SELECT @@performance_schema_max_sql_text_length
