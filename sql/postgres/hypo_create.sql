-- hypo_create.sql -- a hypothetical index (hypopg; session-local, nothing is
-- written): $1 is the CREATE INDEX statement of the candidate.
SELECT /* dbperf */ indexrelid FROM @SCHEMA@.hypopg_create_index($1)
