-- session_check.sql: confirm the session is read-only (MariaDB and MySQL before 8.0: tx_read_only).
SELECT @@session.tx_read_only
