-- generic_mode.sql -- before PostgreSQL 16: plan prepared statements
-- generically, whatever the parameters (session-local).
SET /* dbperf */ plan_cache_mode = force_generic_plan
