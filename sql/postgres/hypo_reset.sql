-- hypo_reset.sql -- drop every hypothetical index of this session.
SELECT /* dbperf */ @SCHEMA@.hypopg_reset()
