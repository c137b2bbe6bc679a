-- session_read_only.sql: every later transaction of this session is read-only.
SET SESSION TRANSACTION READ ONLY
