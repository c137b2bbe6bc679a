-- session_lock_wait.sql: never wait long for a metadata lock (seconds, whole).
SET SESSION lock_wait_timeout = :lock_wait_s
