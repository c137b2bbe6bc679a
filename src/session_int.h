/*
 * session_int.h -- internal: the N+1 session tracker behind
 * dbp_snapshot_session_event() (src/session.c).
 */
#ifndef DBPERF_SESSION_INT_H
#define DBPERF_SESSION_INT_H

struct dbp_session_tracker;

#include <stdbool.h>

struct dbp_snapshot;
struct dbp_stmt;

/*
 * A chunk of a split input is about to be parsed into snap: from now on a
 * flush (dbp_snapshot_sessions_flush) waits for the next event, so that the
 * flush a parser does at the end of its input does not close runs that go on
 * in the next chunk. head_aside (every chunk but the first): each session's
 * first run is kept aside, not folded, because it may continue a run of the
 * previous chunk.
 */
void dbp_session_chunk_begin(struct dbp_snapshot *snap, bool head_aside);
/* The chunk is parsed: flushes are immediate again. True if a flush was still waiting. */
bool dbp_session_chunk_end(struct dbp_snapshot *snap);
/*
 * Continue snap's sessions with part's (a later chunk of the same input):
 * heads join or close the runs open in snap, bursts are added. map[i] is
 * snap's class for part's class number i.
 */
void dbp_session_absorb(struct dbp_snapshot *snap, struct dbp_snapshot *part,
                        struct dbp_stmt *const *map);

/* Free the tracker and every session state. NULL-safe. */
void dbp_session_tracker_free(struct dbp_session_tracker *t);

#endif
