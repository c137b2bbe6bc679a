-- session_timeout_mariadb.sql: MariaDB aborts a statement running longer than this (seconds).
SET SESSION max_statement_time = :timeout_s
