-- session_timeout_mysql.sql: MySQL aborts a SELECT running longer than this (milliseconds).
SET SESSION max_execution_time = :timeout_ms
