-- quiet_auto_explain.sql -- keep auto_explain from logging dbperf's own
-- EXPLAINs in this session (it also breaks hypopg: it prints plans after
-- hypopg stopped naming its hypothetical indexes). Needs the right to set the
-- parameter (superuser or GRANT SET); a refusal is ignored.
SET /* dbperf */ auto_explain.log_min_duration = -1
