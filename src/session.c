/*
 * session.c -- folds per-session statement sequences into N+1 burst summaries.
 *
 * For each session in flight it keeps only the open run: the class being
 * repeated, how often, since when, and the class that ran before it. A run
 * ends when another class runs in that session, when the gap since the last
 * call exceeds snapshot->burst_max_gap_ms, when the session disconnects, or
 * at the end of input; runs of at least burst_min_repeats calls are added to
 * the (parent, child) summary in snapshot->bursts. Memory is bounded by the
 * sessions in flight (idle ones are retired when the table is large) and the
 * number of distinct (parent, child) pairs.
 */
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <dbperf/arena.h>
#include <dbperf/model.h>

#include "hash.h"
#include "session_int.h"

#define MAX_SESSIONS   65536
#define IDLE_RETIRE_US (600LL * 1000000) /* sessions idle 10 minutes are retired */

struct sess {
    uint64_t hash; /* 0 = empty slot */
    char *key;     /* heap */
    size_t key_len;
    struct dbp_stmt *run;    /* class of the open run; NULL if none yet */
    struct dbp_stmt *parent; /* class before the run */
    uint64_t run_len;
    int64_t run_start_us;
    int64_t last_us;
    double run_ms;
    double run_max_ms;
    int64_t run_max_rows; /* -1 unknown */
    /* chunk mode (a part of a split input): the session's first run here, kept aside
     * because it may continue a run of the previous chunk; see dbp_session_absorb */
    bool head_done;   /* the first run is over (head_* hold it, or it was empty) */
    bool head_ended;  /* ...because the session ended (its parent is then unknown no more) */
    bool ended_first; /* the session ended before any event in this chunk */
    struct dbp_stmt *head_run;
    uint64_t head_len;
    int64_t head_start_us, head_last_us;
    double head_ms, head_max_ms;
    int64_t head_max_rows;
};

struct pair {
    const struct dbp_stmt *parent;
    const struct dbp_stmt *child;
    struct dbp_burst *burst;
};

struct dbp_session_tracker {
    struct sess *slots;
    size_t cap, n;
    struct pair *pairs;
    size_t pcap, pn;
    bool chunk;         /* a chunk after the first of a split input: keep heads aside */
    bool defer_flush;   /* flushes wait for the next event (the last one is end of chunk) */
    bool flush_pending;
};

static struct dbp_session_tracker *tracker(struct dbp_snapshot *snap)
{
    if (!snap->sessions)
        snap->sessions = dbp_xcalloc(1, sizeof *snap->sessions);
    return snap->sessions;
}

static uint64_t pair_hash(const struct dbp_stmt *p, const struct dbp_stmt *c)
{
    uint64_t h = dbp_hash_mix((uint64_t)(uintptr_t)p * 31u + (uint64_t)(uintptr_t)c);
    return h;
}

static struct dbp_burst *burst_for(struct dbp_snapshot *snap, struct dbp_stmt *parent,
                                   struct dbp_stmt *child)
{
    struct dbp_session_tracker *t = tracker(snap);
    if ((t->pn + 1) * 2 > t->pcap) {
        size_t cap = t->pcap ? t->pcap * 2 : 64;
        struct pair *p = dbp_xcalloc(cap, sizeof *p);
        for (size_t i = 0; i < t->pcap; i++) {
            if (!t->pairs[i].burst)
                continue;
            size_t j = pair_hash(t->pairs[i].parent, t->pairs[i].child) & (cap - 1);
            while (p[j].burst)
                j = (j + 1) & (cap - 1);
            p[j] = t->pairs[i];
        }
        free(t->pairs);
        t->pairs = p;
        t->pcap = cap;
    }
    size_t j = pair_hash(parent, child) & (t->pcap - 1);
    for (; t->pairs[j].burst; j = (j + 1) & (t->pcap - 1))
        if (t->pairs[j].parent == parent && t->pairs[j].child == child)
            return t->pairs[j].burst;
    struct dbp_burst *b = dbp_arena_alloc(snap->arena, sizeof *b);
    b->parent = parent;
    b->child = child;
    b->max_rows = -1;
    t->pairs[j].parent = parent;
    t->pairs[j].child = child;
    t->pairs[j].burst = b;
    t->pn++;
    dbp_vec_push(&snap->bursts, b);
    return b;
}

/* Close s's open run, folding it into its burst summary if long enough. */
static void close_run(struct dbp_snapshot *snap, struct sess *s)
{
    if (snap->sessions && snap->sessions->chunk && !s->head_done) {
        /* the first run of this session in a chunk: what came before is not known here */
        if (!s->run)
            return; /* the session's first event is about to open it */
        s->head_done = true;
        s->head_run = s->run;
        s->head_len = s->run_len;
        s->head_start_us = s->run_start_us;
        s->head_last_us = s->last_us;
        s->head_ms = s->run_ms;
        s->head_max_ms = s->run_max_ms;
        s->head_max_rows = s->run_max_rows;
        s->parent = s->run;
        s->run = NULL;
        s->run_len = 0;
        return;
    }
    if (s->run && s->run_len >= snap->burst_min_repeats) {
        struct dbp_burst *b = burst_for(snap, s->parent, s->run);
        b->runs++;
        b->calls += s->run_len;
        b->total_ms += s->run_ms;
        if (s->run_max_ms > b->max_call_ms)
            b->max_call_ms = s->run_max_ms;
        if (s->run_max_rows > b->max_rows)
            b->max_rows = s->run_max_rows;
        if (s->run_len > b->max_run) {
            b->max_run = s->run_len;
            b->example_session = dbp_arena_strndup(snap->arena, s->key, s->key_len);
            b->example_ts_us = s->run_start_us;
        }
    }
    s->parent = s->run;
    s->run = NULL;
    s->run_len = 0;
}

static void sess_grow(struct dbp_session_tracker *t)
{
    size_t cap = t->cap ? t->cap * 2 : 256;
    struct sess *slots = dbp_xcalloc(cap, sizeof *slots);
    for (size_t i = 0; i < t->cap; i++) {
        if (!t->slots[i].hash)
            continue;
        size_t j = t->slots[i].hash & (cap - 1);
        while (slots[j].hash)
            j = (j + 1) & (cap - 1);
        slots[j] = t->slots[i];
    }
    free(t->slots);
    t->slots = slots;
    t->cap = cap;
}

/* Rebuild the table without the sessions idle since before cutoff_us (all if 0). */
static void retire(struct dbp_snapshot *snap, int64_t cutoff_us)
{
    struct dbp_session_tracker *t = tracker(snap);
    struct sess *old = t->slots;
    size_t cap = t->cap;
    t->slots = dbp_xcalloc(cap, sizeof *t->slots);
    t->n = 0;
    for (size_t i = 0; i < cap; i++) {
        struct sess *s = &old[i];
        if (!s->hash)
            continue;
        if (cutoff_us && s->last_us >= cutoff_us) {
            size_t j = s->hash & (cap - 1);
            while (t->slots[j].hash)
                j = (j + 1) & (cap - 1);
            t->slots[j] = *s;
            t->n++;
            continue;
        }
        close_run(snap, s);
        free(s->key);
    }
    free(old);
}

static struct sess *find(struct dbp_session_tracker *t, const char *key, size_t len, int create)
{
    if (!t->cap)
        sess_grow(t);
    uint64_t h = dbp_hash_bytes(key, len, 7);
    h = h ? h : 1;
    size_t j = h & (t->cap - 1);
    for (; t->slots[j].hash; j = (j + 1) & (t->cap - 1))
        if (t->slots[j].hash == h && t->slots[j].key_len == len &&
            memcmp(t->slots[j].key, key, len) == 0)
            return &t->slots[j];
    if (!create)
        return NULL;
    struct sess *s = &t->slots[j];
    memset(s, 0, sizeof *s);
    s->hash = h;
    s->key = dbp_xmalloc(len + 1);
    memcpy(s->key, key, len);
    s->key[len] = '\0';
    s->key_len = len;
    t->n++;
    return s;
}

/* Most child time first; ties in a fixed order (so that a split input reports the same). */
static int burst_cmp(const void *x, const void *y)
{
    const struct dbp_burst *a = *(const struct dbp_burst *const *)x;
    const struct dbp_burst *b = *(const struct dbp_burst *const *)y;
    if (a->total_ms != b->total_ms)
        return a->total_ms > b->total_ms ? -1 : 1;
    if (a->calls != b->calls)
        return a->calls > b->calls ? -1 : 1;
    if (a->child->fpid != b->child->fpid)
        return a->child->fpid < b->child->fpid ? -1 : 1;
    uint64_t pa = a->parent ? a->parent->fpid : 0, pb = b->parent ? b->parent->fpid : 0;
    if (pa != pb)
        return pa < pb ? -1 : 1;
    return a->child->index < b->child->index ? -1 : a->child->index > b->child->index;
}

static void flush_now(struct dbp_snapshot *snap)
{
    struct dbp_session_tracker *t = snap->sessions;
    t->flush_pending = false;
    for (size_t i = 0; i < t->cap; i++)
        if (t->slots[i].hash)
            close_run(snap, &t->slots[i]);
    if (snap->bursts.n > 1)
        qsort(snap->bursts.items, snap->bursts.n, sizeof *snap->bursts.items, burst_cmp);
}

void dbp_snapshot_session_event(struct dbp_snapshot *snap, const struct dbp_session_event *ev)
{
    if (!ev->session || !ev->stmt)
        return;
    struct dbp_session_tracker *t = tracker(snap);
    if (t->flush_pending)
        flush_now(snap);
    if ((t->n + 1) * 4 > t->cap * 3) {
        if (t->n >= MAX_SESSIONS) {
            retire(snap, ev->ts_us ? ev->ts_us - IDLE_RETIRE_US : 0);
            if (t->n >= MAX_SESSIONS)
                retire(snap, 0);
        }
        if ((t->n + 1) * 4 > t->cap * 3)
            sess_grow(t);
    }
    struct sess *s = find(t, ev->session, ev->session_len, 1);
    double gap_ms = (ev->ts_us && s->last_us) ? (double)(ev->ts_us - s->last_us) / 1000.0 : 0;
    if (s->run != ev->stmt || gap_ms > snap->burst_max_gap_ms) {
        close_run(snap, s);
        s->run = ev->stmt;
        s->run_start_us = ev->ts_us;
        s->run_ms = 0;
        s->run_max_ms = 0;
        s->run_max_rows = -1;
    }
    s->run_len++;
    if (ev->duration_ms == ev->duration_ms) {
        s->run_ms += ev->duration_ms;
        if (ev->duration_ms > s->run_max_ms)
            s->run_max_ms = ev->duration_ms;
    }
    if (ev->rows > s->run_max_rows)
        s->run_max_rows = ev->rows;
    if (ev->ts_us)
        s->last_us = ev->ts_us;
}

void dbp_snapshot_session_end(struct dbp_snapshot *snap, const char *session, size_t len)
{
    struct dbp_session_tracker *t = snap->sessions;
    if (!t)
        return;
    if (t->flush_pending)
        flush_now(snap);
    struct sess *s = find(t, session, len, 0);
    if (!s && t->chunk) {
        /* the session may have runs open in the previous chunk: remember the end */
        if ((t->n + 1) * 4 > t->cap * 3)
            sess_grow(t);
        s = find(t, session, len, 1);
        s->ended_first = true;
        s->head_done = true;
        return;
    }
    if (!s)
        return;
    bool was_head = t->chunk && !s->head_done;
    close_run(snap, s);
    if (was_head)
        s->head_ended = true;
    s->parent = NULL; /* a new session with the same id starts fresh */
}

void dbp_snapshot_sessions_flush(struct dbp_snapshot *snap)
{
    struct dbp_session_tracker *t = snap->sessions;
    if (!t)
        return;
    if (t->defer_flush) {
        t->flush_pending = true;
        return;
    }
    flush_now(snap);
}

void dbp_session_chunk_begin(struct dbp_snapshot *snap, bool head_aside)
{
    struct dbp_session_tracker *t = tracker(snap);
    t->defer_flush = true;
    t->flush_pending = false;
    if (head_aside)
        t->chunk = true;
}

bool dbp_session_chunk_end(struct dbp_snapshot *snap)
{
    struct dbp_session_tracker *t = tracker(snap);
    bool pending = t->flush_pending;
    t->defer_flush = false;
    t->flush_pending = false;
    return pending;
}

/* Add part's burst summary b (classes mapped into snap) to snap's. */
static void burst_absorb(struct dbp_snapshot *snap, const struct dbp_burst *b,
                         struct dbp_stmt *const *map)
{
    struct dbp_burst *d =
        burst_for(snap, b->parent ? map[b->parent->index] : NULL, map[b->child->index]);
    d->runs += b->runs;
    d->calls += b->calls;
    d->total_ms += b->total_ms;
    if (b->max_call_ms > d->max_call_ms)
        d->max_call_ms = b->max_call_ms;
    if (b->max_rows > d->max_rows)
        d->max_rows = b->max_rows;
    if (b->max_run > d->max_run) {
        d->max_run = b->max_run;
        d->example_session = b->example_session; /* part's arena moves to snap */
        d->example_ts_us = b->example_ts_us;
    }
}

void dbp_session_absorb(struct dbp_snapshot *snap, struct dbp_snapshot *part,
                        struct dbp_stmt *const *map)
{
    for (size_t i = 0; i < part->bursts.n; i++)
        burst_absorb(snap, part->bursts.items[i], map);
    struct dbp_session_tracker *pt = part->sessions;
    if (!pt)
        return;
    struct dbp_session_tracker *t = tracker(snap);
#define MAP(st) ((st) ? map[(st)->index] : NULL)
    for (size_t i = 0; i < pt->cap; i++) {
        struct sess *w = &pt->slots[i];
        if (!w->hash)
            continue;
        if ((t->n + 1) * 4 > t->cap * 3)
            sess_grow(t);
        struct sess *m = find(t, w->key, w->key_len, 1);
        if (w->ended_first) {
            close_run(snap, m);
            m->parent = NULL;
        }
        /* the head: the first run here, or the run still open if it never ended */
        struct dbp_stmt *hrun = w->head_done ? MAP(w->head_run) : MAP(w->run);
        if (!w->ended_first && hrun) {
            uint64_t len = w->head_done ? w->head_len : w->run_len;
            int64_t start = w->head_done ? w->head_start_us : w->run_start_us;
            int64_t last = w->head_done ? w->head_last_us : w->last_us;
            double ms = w->head_done ? w->head_ms : w->run_ms;
            double max_ms = w->head_done ? w->head_max_ms : w->run_max_ms;
            int64_t max_rows = w->head_done ? w->head_max_rows : w->run_max_rows;
            double gap_ms = (start && m->last_us) ? (double)(start - m->last_us) / 1000.0 : 0;
            if (m->run != hrun || gap_ms > snap->burst_max_gap_ms) {
                close_run(snap, m);
                m->run = hrun;
                m->run_start_us = start;
                m->run_ms = 0;
                m->run_max_ms = 0;
                m->run_max_rows = -1;
            }
            m->run_len += len;
            m->run_ms += ms;
            if (max_ms > m->run_max_ms)
                m->run_max_ms = max_ms;
            if (max_rows > m->run_max_rows)
                m->run_max_rows = max_rows;
            if (last)
                m->last_us = last;
        }
        if (w->head_done) {
            /* the head ended inside the chunk: close it here, then take the chunk's state */
            if (!w->ended_first && hrun) {
                close_run(snap, m);
                if (w->head_ended)
                    m->parent = NULL;
            }
            m->parent = MAP(w->parent);
            m->run = MAP(w->run);
            m->run_len = w->run_len;
            m->run_start_us = w->run_start_us;
            m->run_ms = w->run_ms;
            m->run_max_ms = w->run_max_ms;
            m->run_max_rows = w->run_max_rows;
            if (w->last_us)
                m->last_us = w->last_us;
        }
    }
#undef MAP
}

void dbp_session_tracker_free(struct dbp_session_tracker *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->cap; i++)
        if (t->slots[i].hash)
            free(t->slots[i].key);
    free(t->slots);
    free(t->pairs);
    free(t);
}
