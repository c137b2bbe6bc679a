/*
 * session_int.h -- internal: the N+1 session tracker behind
 * dbp_snapshot_session_event() (src/session.c).
 */
#ifndef DBPERF_SESSION_INT_H
#define DBPERF_SESSION_INT_H

struct dbp_session_tracker;

/* Free the tracker and every session state. NULL-safe. */
void dbp_session_tracker_free(struct dbp_session_tracker *t);

#endif
