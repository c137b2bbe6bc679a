-- control.sql -- the cluster's system identifier, shared by a primary and its
-- physical replicas (so index usage on each can be judged together).
SELECT /* dbperf */ system_identifier::text AS system_identifier FROM pg_control_system()
