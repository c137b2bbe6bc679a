/*
 * split.c -- one plain log file parsed in chunks at once (audit -j).
 *
 * The file is cut at lines its format accepts as the start of an entry
 * (dbp_format.split_ok), near equal offsets. Each chunk is parsed by the
 * format's own parser on its own thread into a snapshot of its own; the
 * snapshots are then folded into the caller's in file order by
 * dbp_snapshot_absorb, which merges statement classes exactly and rejoins
 * N+1 runs across the edges. A driver that ends a chunk with state waiting
 * for the next one, or starts one with records that need the previous one
 * (dbp_source.chunk_open), makes the whole file fall back to one pass, so
 * that the result never depends on -j.
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <dbperf/arena.h>
#include <dbperf/driver.h>
#include <dbperf/error.h>
#include <dbperf/reader.h>

#include "session_int.h"

#define SPLIT_MIN_CHUNK (8u << 20)  /* never a chunk below 8 MiB: threads cost more than they win */
#define SPLIT_SCAN_MAX  (64u << 20) /* how far to look for a line that opens an entry */
#define SPLIT_LINE_MAX  (16u << 20) /* longer lines are passed over */

static int pread_full(int fd, char *buf, size_t n, uint64_t off, size_t *got)
{
    size_t have = 0;
    while (have < n) {
        ssize_t k = pread(fd, buf + have, n - have, (off_t)(off + have));
        if (k < 0)
            return -1;
        if (k == 0)
            break;
        have += (size_t)k;
    }
    *got = have;
    return 0;
}

/*
 * The offset of the first line at or after off that fmt accepts as the start
 * of a chunk (the line before it whole and known), or 0 when there is none
 * within SPLIT_SCAN_MAX bytes or before the end.
 */
static uint64_t find_split(int fd, uint64_t size, uint64_t off, const struct dbp_format *fmt)
{
    size_t cap = 1u << 20;
    char *buf = dbp_xmalloc(cap);
    uint64_t base = off; /* file offset of buf[0] */
    size_t n = 0, pos = 0;
    bool synced = false; /* pos is at the start of a line */
    size_t prev = 0, prev_len = 0;
    bool have_prev = false;
    uint64_t found = 0;
    for (;;) {
        if (n < cap && base + n < size) {
            size_t got = 0;
            if (pread_full(fd, buf + n, cap - n, base + n, &got) < 0)
                break;
            n += got;
        }
        const char *nl = memchr(buf + pos, '\n', n - pos);
        if (!nl) {
            if (base + n >= size || base + n - off > SPLIT_SCAN_MAX)
                break; /* the last line never starts a chunk: nothing would follow */
            /* keep the previous line and the current partial one: move them to the front */
            size_t keep = have_prev ? prev : pos;
            if (keep == 0) {
                if (cap >= SPLIT_LINE_MAX) { /* a huge line: pass over it */
                    base += n;
                    n = pos = 0;
                    synced = have_prev = false;
                    continue;
                }
                cap *= 2;
                buf = dbp_xrealloc(buf, cap);
                continue;
            }
            memmove(buf, buf + keep, n - keep);
            base += keep;
            n -= keep;
            pos -= keep;
            if (have_prev)
                prev -= keep;
            continue;
        }
        size_t end = (size_t)(nl - buf);
        if (!synced) { /* the rest of the line off fell into */
            synced = true;
        } else {
            if (have_prev &&
                fmt->split_ok(buf + pos, end - pos, buf + prev, prev_len)) {
                found = base + pos;
                break;
            }
            prev = pos;
            prev_len = end - pos;
            have_prev = true;
        }
        pos = end + 1;
    }
    free(buf);
    return found;
}

struct chunk {
    const char *path;
    const struct dbp_format *fmt;
    struct dbp_parse_opts po;
    uint64_t off, len;
    struct dbp_snapshot *snap;
    struct dbp_source *src;
    int rc;
    struct dbp_error err;
    uint64_t lines, bytes;
    bool flush_pending;
};

static void *chunk_run(void *arg)
{
    struct chunk *c = arg;
    struct dbp_reader *r = NULL;
    c->rc = dbp_reader_open_range(c->path, c->off, c->len, &r, &c->err);
    if (c->rc == DBP_OK) {
        c->rc = c->fmt->parse(r, &c->po, c->snap, c->src, &c->err);
        c->lines = dbp_reader_lineno(r);
        c->bytes = dbp_reader_bytes(r);
        dbp_reader_close(r);
    }
    c->flush_pending = dbp_session_chunk_end(c->snap);
    return NULL;
}

static int rc_rank(int rc)
{
    return rc == DBP_OK ? 0 : rc == DBP_ERR_FORMAT ? 1 : 2;
}

/* "path:N..." with N + base when m names a line of path; m otherwise. */
static void shift_message(char *dst, size_t cap, const char *m, const char *path, uint64_t base)
{
    size_t nl = strlen(path);
    if (base && strncmp(m, path, nl) == 0 && m[nl] == ':' && m[nl + 1] >= '0' &&
        m[nl + 1] <= '9') {
        char *end = NULL;
        unsigned long long ln = strtoull(m + nl + 1, &end, 10);
        snprintf(dst, cap, "%s:%llu%s", path, ln + base, end);
    } else {
        snprintf(dst, cap, "%s", m);
    }
}

int dbp_parse_split(const char *path, uint64_t size, const struct dbp_format *fmt,
                       const unsigned char *head, size_t head_len,
                       const struct dbp_parse_opts *po, struct dbp_snapshot *snap,
                       struct dbp_source *src, struct dbp_error *err)
{
    int want = po->jobs;
    uint64_t min_chunk = SPLIT_MIN_CHUNK;
    const char *env = getenv("DBPERF_SPLIT_MIN_BYTES"); /* for tests: many chunks on small files */
    if (env && *env) {
        unsigned long long v = strtoull(env, NULL, 10);
        if (v >= 64)
            min_chunk = v;
    }
    bool trace = getenv("DBPERF_SPLIT_TRACE") != NULL; /* for tests: say what happened */
    if ((uint64_t)want > size / min_chunk)
        want = (int)(size / min_chunk);
    if (want < 2)
        return -1;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    uint64_t *at = dbp_xcalloc((size_t)want + 1, sizeof *at);
    int n = 1; /* at[0] = 0 */
    for (int k = 1; k < want; k++) {
        uint64_t from = size / (uint64_t)want * (uint64_t)k;
        if (from <= at[n - 1])
            from = at[n - 1] + 1;
        uint64_t b = find_split(fd, size, from, fmt);
        if (b > at[n - 1])
            at[n++] = b;
    }
    close(fd);
    if (n < 2) {
        free(at);
        return -1;
    }
    at[n] = size;

    unsigned char *head_copy = dbp_xmalloc(head_len ? head_len : 1);
    memcpy(head_copy, head, head_len);
    struct chunk *cs = dbp_xcalloc((size_t)n, sizeof *cs);
    pthread_t *tids = dbp_xcalloc((size_t)n, sizeof *tids);
    bool *started = dbp_xcalloc((size_t)n, sizeof *started);
    for (int k = 0; k < n; k++) {
        struct chunk *c = &cs[k];
        c->path = path;
        c->fmt = fmt;
        c->po = *po;
        c->po.chunk = k;
        c->po.head = head_copy;
        c->po.head_len = head_len;
        c->off = at[k];
        c->len = at[k + 1] - at[k];
        c->snap = dbp_snapshot_new();
        c->snap->burst_min_repeats = snap->burst_min_repeats;
        c->snap->burst_max_gap_ms = snap->burst_max_gap_ms;
        c->snap->created_us = snap->created_us;
        c->src = dbp_snapshot_add_source(c->snap, src->name, src->type);
        c->src->engine = src->engine;
        /* every chunk's first runs may continue runs open in snap (earlier files too) */
        dbp_session_chunk_begin(c->snap, true);
        if (k > 0) {
            started[k] = pthread_create(&tids[k], NULL, chunk_run, c) == 0;
            if (!started[k])
                chunk_run(c); /* no thread: parse it here, in turn */
        }
    }
    chunk_run(&cs[0]);
    for (int k = 1; k < n; k++)
        if (started[k])
            pthread_join(tids[k], NULL);

    /* state open across an edge (only the driver knows): the chunks cannot be joined exactly */
    bool open_edge = false;
    for (int k = 0; k < n; k++) {
        unsigned e = cs[k].src->chunk_open;
        if ((k > 0 && (e & DBP_CHUNK_HEAD_OPEN)) || (k < n - 1 && (e & DBP_CHUNK_TAIL_OPEN)))
            open_edge = true;
    }
    if (open_edge) {
        if (trace)
            fprintf(stderr, "dbperf: %s: state crosses chunk edges: read in one pass\n", path);
        for (int k = 0; k < n; k++)
            dbp_snapshot_free(cs[k].snap);
        free(started);
        free(tids);
        free(cs);
        free(head_copy);
        free(at);
        return -1;
    }
    if (trace)
        fprintf(stderr, "dbperf: %s: %d chunks\n", path, n);

    /* fold in file order */
    int rc = DBP_OK;
    uint64_t base = 0, bytes = 0;
    const char *carry = NULL;
    for (int k = 0; k < n; k++) {
        struct chunk *c = &cs[k];
        struct dbp_source *cs_src = c->src; /* arena-owned: survives the absorb */
        if (rc_rank(c->rc) > rc_rank(rc)) { /* the first problem of the worst kind */
            shift_message(err->message, sizeof err->message, c->err.message, path, base);
            err->code = c->err.code;
            rc = c->rc;
        }
        if (!src->error && cs_src->error) {
            char line[512];
            shift_message(line, sizeof line, cs_src->error, path, base);
            src->error = dbp_arena_strdup(snap->arena, line);
        }
        dbp_snapshot_absorb(snap, c->snap, path, base, carry);
        src->entries += cs_src->entries;
        src->skipped += cs_src->skipped;
        if (!src->server_version)
            src->server_version = cs_src->server_version;
        if (cs_src->carry_db && strcmp(cs_src->carry_db, DBP_CHUNK_UNKNOWN_DB) != 0)
            carry = cs_src->carry_db;
        base += c->lines;
        bytes += c->bytes;
    }
    src->carry_db = carry;
    src->bytes = bytes;
    if (cs[n - 1].flush_pending)
        dbp_snapshot_sessions_flush(snap); /* the end of the input */
    if (rc != DBP_OK) {
        src->status = rc;
        if (!src->error)
            src->error = dbp_arena_strdup(snap->arena, err->message);
    }
    free(started);
    free(tids);
    free(cs);
    free(head_copy);
    free(at);
    return rc;
}

