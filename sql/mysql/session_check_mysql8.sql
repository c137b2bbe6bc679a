-- session_check_mysql8.sql: confirm the session is read-only (MySQL 8.0 and later).
SELECT @@session.transaction_read_only
