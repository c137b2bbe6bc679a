/*
 * log_common.c -- entry assembly shared by the PostgreSQL log parsers
 * (stderr, csvlog, jsonlog): records in, statement executions, plans and
 * session events out. See log_int.h.
 *
 * What a record means (severity LOG unless said otherwise):
 *   duration: X ms  statement: TEXT      one execution (log_min_duration_statement)
 *   duration: X ms  execute NAME: TEXT   one execution (extended protocol)
 *   duration: X ms  parse|bind NAME: ..  protocol steps, not executions
 *   duration: X ms  plan:\n...           an auto_explain plan: held per session until its
 *                                        statement's execution is counted, then attached
 *   statement: TEXT / execute NAME: TEXT log_statement: pending until the session's next
 *                                        bare `duration: X ms` line (log_duration), or
 *                                        counted without a duration when the session moves on
 *   ERROR / FATAL / PANIC                the session's pending statement failed: dropped
 *                                        (pg_stat_statements does not count it either)
 *   disconnection: ...                   pending flushed, dbp_snapshot_session_end
 *   DETAIL parameters: $1 = ...          put into the class example the execution set
 * Statements are counted the way pg_stat_statements counts them: a query
 * string of several statements counts each (the one duration shared
 * equally), an empty query nothing, PREPARE and DEALLOCATE nothing, and an
 * SQL EXECUTE counts under its PREPARE statement (the "prepare:" DETAIL).
 * Per-session state lives in a small hash table with an LRU list, at most
 * MAX_SESSIONS entries: the oldest session is flushed and forgotten when a
 * new one would exceed it, so memory is bounded whatever the log size.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <dbperf/arena.h>
#include <dbperf/driver.h>
#include <dbperf/buf.h>
#include <dbperf/error.h>
#include <dbperf/fingerprint.h>
#include <dbperf/model.h>
#include <dbperf/reader.h>

#include "log_int.h"
#include "pg_int.h"

#define MAX_SESSIONS 4096u
#define N_BUCKETS    8192u
#define MAX_PLAN     (4u << 20)  /* a held plan longer than this is dropped */
#define MAX_HELD     (64u << 20) /* all held plan and statement buffers together */
#define KEEP_CAP     (64u << 10) /* a consumed buffer larger than this is released */

struct sess {
    char *key;
    size_t key_len;
    uint64_t hash;
    struct sess *hnext;
    struct sess *lru_prev, *lru_next; /* most recently used at the head */
    /* log_statement line waiting for its duration */
    bool has_stmt;
    bool stmt_simple; /* from "statement:" (may hold several statements), not "execute" */
    struct dbp_buf stmt;
    struct dbp_buf db;
    struct dbp_buf user;
    int64_t stmt_ts;
    /* the session's last execution: a plan may come after it (an extended-protocol
     * portal is closed, and its plan logged, after the execute line) */
    struct dbp_stmt *last_st;
    bool last_slowest;
    char last_text[64];
    size_t last_len;
    /* auto_explain plan waiting for its statement */
    bool has_plan;
    struct dbp_buf plan;
    uint64_t plan_line;
    bool touched; /* seen again after the record that created it */
};

struct dbp_pglog {
    struct dbp_snapshot *snap;
    struct dbp_source *src;
    const char *name;
    struct sess *buckets[N_BUCKETS];
    struct sess *lru_head, *lru_tail;
    size_t n_sess;
    struct dbp_buf fp;     /* fingerprint scratch */
    struct dbp_buf dbz;    /* NUL-terminated database scratch */
    struct dbp_buf origin; /* plan origin scratch */
    struct dbp_buf qtext;  /* a plan's Query Text, decoded */
    uint64_t skipped;
    char first_err[400];
    bool have_err;
    bool io_failed;
    struct dbp_error io_err;
    struct dbp_pglog_stats st;
    char plan_err[300];
    size_t held; /* capacity of every session's stmt and plan buffers */
    /* the class whose example the last execution set (for its DETAIL parameters) */
    struct dbp_stmt *ex_st;
    struct dbp_buf ex_sess;
    struct dbp_buf ex_text; /* the example with parameters substituted */
    size_t *pv;             /* parameter values: offset, length pairs */
    size_t pv_cap;
    /* an SQL EXECUTE waiting for its "prepare:" DETAIL (the next record) */
    struct {
        bool on;
        struct dbp_buf sess, db, user, text;
        double ms;
        int64_t ts;
        bool take_plan;
    } defer;
    bool chunked; /* a chunk of a split input (audit -j) */
    int chunk;    /* its number; 0 = the file's start */
};

/* ---- small helpers ---------------------------------------------------- */

static bool starts(const char *s, size_t len, const char *lit)
{
    size_t n = strlen(lit);
    return len >= n && memcmp(s, lit, n) == 0;
}

static bool eq(const char *s, size_t len, const char *lit)
{
    size_t n = strlen(lit);
    return len == n && memcmp(s, lit, n) == 0;
}

/* "123.456" at s; returns bytes used (0 if none). */
static size_t parse_ms(const char *s, size_t len, double *out)
{
    size_t i = 0;
    double v = 0;
    bool digits = false;
    while (i < len && s[i] >= '0' && s[i] <= '9') {
        v = v * 10 + (s[i] - '0');
        i++;
        digits = true;
    }
    if (i < len && s[i] == '.') {
        i++;
        double scale = 0.1;
        while (i < len && s[i] >= '0' && s[i] <= '9') {
            v += (s[i] - '0') * scale;
            scale /= 10;
            i++;
            digits = true;
        }
    }
    if (!digits)
        return 0;
    *out = v;
    return i;
}

static uint64_t hash_key(const char *k, size_t n)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)k[i];
        h *= 1099511628211ull;
    }
    return h;
}

static void buf_set(struct dbp_buf *b, const char *s, size_t n)
{
    dbp_buf_clear(b);
    dbp_buf_reserve(b, n);
    if (n)
        dbp_buf_append(b, s, n);
    else
        b->data[0] = '\0';
}

/* user/database values that mean "unknown" */
static bool unknown_name(const char *s, size_t n)
{
    return !s || n == 0 || eq(s, n, "[unknown]");
}

/* ---- sessions --------------------------------------------------------- */

static void lru_unlink(struct dbp_pglog *L, struct sess *s)
{
    if (s->lru_prev)
        s->lru_prev->lru_next = s->lru_next;
    else
        L->lru_head = s->lru_next;
    if (s->lru_next)
        s->lru_next->lru_prev = s->lru_prev;
    else
        L->lru_tail = s->lru_prev;
    s->lru_prev = s->lru_next = NULL;
}

static void lru_front(struct dbp_pglog *L, struct sess *s)
{
    s->lru_next = L->lru_head;
    s->lru_prev = NULL;
    if (L->lru_head)
        L->lru_head->lru_prev = s;
    L->lru_head = s;
    if (!L->lru_tail)
        L->lru_tail = s;
}

static struct sess *sess_find(struct dbp_pglog *L, const char *k, size_t n, uint64_t h)
{
    for (struct sess *s = L->buckets[h & (N_BUCKETS - 1)]; s; s = s->hnext)
        if (s->hash == h && s->key_len == n && memcmp(s->key, k, n) == 0)
            return s;
    return NULL;
}

static void flush_stmt(struct dbp_pglog *L, struct sess *s, double ms, int64_t ts);

/*
 * Copy text into a session's held buffer b, within the MAX_HELD budget of all
 * sessions. Returns false (b left empty) when it does not fit.
 */
static bool hold(struct dbp_pglog *L, struct dbp_buf *b, const char *text, size_t n)
{
    size_t before = b->cap;
    if (n + 1 > b->cap && L->held - before + n + 1 > MAX_HELD) {
        L->held -= before;
        dbp_buf_free(b);
        return false;
    }
    buf_set(b, text, n);
    L->held = L->held - before + b->cap;
    return true;
}

/* A held buffer was used: keep small ones for reuse, release big ones. */
static void unhold(struct dbp_pglog *L, struct dbp_buf *b)
{
    if (b->cap > KEEP_CAP) {
        L->held -= b->cap;
        dbp_buf_free(b);
    }
}

static void sess_remove(struct dbp_pglog *L, struct sess *s)
{
    struct sess **pp = &L->buckets[s->hash & (N_BUCKETS - 1)];
    while (*pp != s)
        pp = &(*pp)->hnext;
    *pp = s->hnext;
    lru_unlink(L, s);
    L->n_sess--;
    L->held -= s->stmt.cap + s->plan.cap;
    dbp_buf_free(&s->stmt);
    dbp_buf_free(&s->db);
    dbp_buf_free(&s->user);
    dbp_buf_free(&s->plan);
    free(s->key);
    free(s);
}

/* The session's state, created when create is set (evicting the oldest when full). */
static struct sess *sess_get(struct dbp_pglog *L, const char *k, size_t n, bool create)
{
    if (!k || n == 0)
        return NULL;
    uint64_t h = hash_key(k, n);
    struct sess *s = sess_find(L, k, n, h);
    if (s) {
        s->touched = true;
        if (L->lru_head != s) {
            lru_unlink(L, s);
            lru_front(L, s);
        }
        return s;
    }
    if (!create)
        return NULL;
    if (L->n_sess >= MAX_SESSIONS) {
        struct sess *old = L->lru_tail;
        if (old->has_stmt)
            flush_stmt(L, old, NAN, 0);
        sess_remove(L, old);
    }
    s = dbp_xcalloc(1, sizeof *s);
    s->key = dbp_xmalloc(n);
    memcpy(s->key, k, n);
    s->key_len = n;
    s->hash = h;
    s->hnext = L->buckets[h & (N_BUCKETS - 1)];
    L->buckets[h & (N_BUCKETS - 1)] = s;
    lru_front(L, s);
    L->n_sess++;
    return s;
}

/* ---- executions ------------------------------------------------------- */

/* Attach the session's held plan to st (when this execution is the class's slowest). */
static void parse_plan(struct dbp_pglog *L, const char *p, size_t n, uint64_t line,
                       struct dbp_stmt *st);

/*
 * Is the held plan (p, n: JSON or text) the plan of the statement text? Its
 * "Query Text" is the query string the statement came from: it must hold the
 * statement's first bytes. A plan whose statement was not logged (auto_explain
 * logs what log_min_duration_statement may not) is so never given to the
 * session's next statement. A plan without a Query Text is taken.
 */
static bool plan_matches(struct dbp_pglog *L, const char *p, size_t n, const char *text,
                         size_t len)
{
    while (len && (*text == ' ' || *text == '\t' || *text == '\n' || *text == '\r')) {
        text++;
        len--;
    }
    if (len > 64)
        len = 64;
    size_t head = n < 256 ? n : 256;
    if (n && p[0] == '{') {
        const char *k = memmem(p, head, "\"Query Text\":", 13);
        if (!k)
            return true;
        size_t i = (size_t)(k - p) + 13;
        while (i < n && p[i] == ' ')
            i++;
        if (i >= n || p[i] != '"')
            return true;
        i++;
        dbp_buf_clear(&L->qtext);
        for (; i < n && p[i] != '"'; i++) {
            char c = p[i];
            if (c == '\\' && i + 1 < n) {
                c = p[++i];
                if (c == 'n')
                    c = '\n';
                else if (c == 't')
                    c = '\t';
                else if (c == 'r')
                    c = '\r';
                else if (c == 'u') {
                    /* not decoded: compare up to here */
                    break;
                }
            }
            dbp_buf_putc(&L->qtext, c);
        }
        if (!L->qtext.len)
            return true;
        if (L->qtext.len < len && i < n && p[i] != '"')
            len = L->qtext.len; /* cut at an escape not decoded */
        return memmem(L->qtext.data, L->qtext.len, text, len) != NULL;
    }
    if (n >= 12 && memcmp(p, "Query Text: ", 12) == 0)
        return memmem(p + 12, n - 12, text, len) != NULL;
    return true;
}

static void attach_plan(struct dbp_pglog *L, struct sess *s, struct dbp_stmt *st, bool slowest,
                        const char *text, size_t len)
{
    if (!s || !s->has_plan)
        return;
    s->has_plan = false;
    if (slowest) {
        const char *p = s->plan.data;
        size_t n = s->plan.len;
        while (n && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')) {
            p++;
            n--;
        }
        if (plan_matches(L, p, n, text, len))
            parse_plan(L, p, n, s->plan_line, st);
        else
            L->st.plans_unmatched++;
    }
    unhold(L, &s->plan);
}

/* Parse the session's held plan text and attach it to st. */
static void parse_plan(struct dbp_pglog *L, const char *p, size_t n, uint64_t line,
                       struct dbp_stmt *st)
{
    dbp_buf_clear(&L->origin);
    dbp_buf_printf(&L->origin, "%s:%llu", L->name, (unsigned long long)line);
    const char *origin = dbp_arena_strdup(L->snap->arena, L->origin.data);
    struct dbp_plan *plan = NULL;
    struct dbp_error perr = {0};
    int rc = (n && *p == '{') ? dbp_pg_plan_from_json(L->snap, p, n, origin, &plan, &perr)
                              : dbp_pg_plan_from_text(L->snap, p, n, origin, &plan, &perr);
    if (rc != DBP_OK || !plan) {
        L->st.plans_failed++;
        if (!L->plan_err[0])
            snprintf(L->plan_err, sizeof L->plan_err, "%.120s: %.160s", origin,
                     perr.message[0] ? perr.message : "plan not parsed");
        return;
    }
    plan->stmt = st;
    dbp_snapshot_add_plan(L->snap, plan);
    L->st.plans_attached++;
}

/* Count one execution of text in session s (taking its held plan when take_plan). */
static void execution_one(struct dbp_pglog *L, struct sess *s, const char *session,
                          size_t session_len, const char *db, size_t db_len, const char *user,
                          size_t user_len, const char *text, size_t len, double ms, int64_t ts,
                          bool take_plan)
{
    /* trim the statement */
    while (len && (*text == ' ' || *text == '\t' || *text == '\n' || *text == '\r')) {
        text++;
        len--;
    }
    while (len && (text[len - 1] == ' ' || text[len - 1] == '\t' || text[len - 1] == '\n' ||
                   text[len - 1] == '\r' || text[len - 1] == ';'))
        len--;
    if (len == 0) { /* an empty query (";"): nothing ran, pg_stat_statements counts nothing */
        if (s && take_plan)
            s->has_plan = false;
        return;
    }
    const char *dbz = NULL;
    if (!unknown_name(db, db_len)) {
        buf_set(&L->dbz, db, db_len);
        dbz = L->dbz.data;
    }
    dbp_fingerprint(DBP_FP_PGSS, text, len, &L->fp);
    struct dbp_stmt *st =
        dbp_snapshot_stmt(L->snap, DBP_ENGINE_POSTGRES, dbz, L->fp.data ? L->fp.data : "",
                          L->fp.len);
    st->source = DBP_SRC_LOG;
    bool slowest =
        !st->example || (ms > st->example_ms) || (take_plan && !st->plan && s && s->has_plan);
    dbp_agg_add(&st->agg, ms, -1, -1, ts);
    const char *old_example = st->example;
    dbp_stmt_offer_example(L->snap, st, text, len, ms);
    if (st->example != old_example && memchr(text, '$', len)) {
        L->ex_st = st; /* a DETAIL "parameters:" line may follow */
        buf_set(&L->ex_sess, session ? session : "", session ? session_len : 0);
    }
    if (!st->user && !unknown_name(user, user_len))
        st->user = dbp_arena_strndup(L->snap->arena, user, user_len);
    L->src->entries++;
    L->st.executions++;
    if (take_plan)
        attach_plan(L, s, st, slowest, text, len);
    if (s) {
        bool had_plan = take_plan && st->plan && slowest;
        s->last_st = st;
        s->last_slowest = slowest && !had_plan;
        s->last_len = len < sizeof s->last_text ? len : sizeof s->last_text;
        memcpy(s->last_text, text, s->last_len);
    }
    if (session && session_len) {
        struct dbp_session_event ev = {
            .session = session,
            .session_len = session_len,
            .ts_us = ts,
            .stmt = st,
            .duration_ms = ms,
            .rows = -1,
        };
        dbp_snapshot_session_event(L->snap, &ev);
    }
}

static bool ident_byte(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '_' || c >= 0x80;
}

/*
 * The end of the statement starting at s[i] in a simple-protocol query string:
 * the index of its top-level ';' or len. Quotes ('...', E'...', "..."),
 * dollar quotes, comments and parentheses (CREATE RULE ... (a; b)) are
 * skipped.
 */
static size_t stmt_end(const char *s, size_t len, size_t i)
{
    int paren = 0;
    while (i < len) {
        unsigned char c = (unsigned char)s[i];
        if (c == ';' && paren == 0)
            return i;
        if (c == '(') {
            paren++;
        } else if (c == ')') {
            if (paren > 0)
                paren--;
        } else if (c == '-' && i + 1 < len && s[i + 1] == '-') {
            const char *nl = memchr(s + i, '\n', len - i);
            i = nl ? (size_t)(nl - s) : len;
            continue;
        } else if (c == '/' && i + 1 < len && s[i + 1] == '*') {
            int depth = 1;
            i += 2;
            while (i < len && depth > 0) {
                if (s[i] == '/' && i + 1 < len && s[i + 1] == '*') {
                    depth++;
                    i += 2;
                } else if (s[i] == '*' && i + 1 < len && s[i + 1] == '/') {
                    depth--;
                    i += 2;
                } else {
                    i++;
                }
            }
            continue;
        } else if (c == '\'' || c == '"') {
            bool esc = c == '\'' && i > 0 && (s[i - 1] == 'E' || s[i - 1] == 'e') &&
                       (i < 2 || !ident_byte((unsigned char)s[i - 2]));
            i++;
            while (i < len) {
                if (esc && s[i] == '\\') {
                    i += 2;
                    continue;
                }
                if ((unsigned char)s[i] == c) {
                    if (i + 1 < len && (unsigned char)s[i + 1] == c) {
                        i += 2;
                        continue;
                    }
                    break;
                }
                i++;
            }
        } else if (c == '$' && (i == 0 || !ident_byte((unsigned char)s[i - 1]))) {
            size_t k = i + 1;
            if (k < len && !(s[k] >= '0' && s[k] <= '9')) {
                while (k < len && ident_byte((unsigned char)s[k]) && s[k] != '$')
                    k++;
                if (k < len && s[k] == '$') {
                    size_t tag = k + 1 - i; /* "$tag$" */
                    size_t j = k + 1;
                    for (;;) {
                        const char *d = j < len ? memchr(s + j, '$', len - j) : NULL;
                        if (!d) {
                            j = len;
                            break;
                        }
                        j = (size_t)(d - s);
                        if (len - j >= tag && memcmp(s + j, s + i, tag) == 0) {
                            j += tag;
                            break;
                        }
                        j++;
                    }
                    i = j;
                    continue;
                }
            }
        }
        i++;
    }
    return len;
}

static bool only_space(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\n' && s[i] != '\r')
            return false;
    return true;
}

/* a case-insensitive search for "BEGIN ATOMIC" (SQL-standard function bodies hold ';') */
static bool has_begin_atomic(const char *s, size_t n)
{
    for (size_t i = 0; i + 12 <= n; i++)
        if ((s[i] == 'B' || s[i] == 'b') && strncasecmp(s + i, "begin atomic", 12) == 0)
            return true;
    return false;
}

/* The first word of text (after blanks) is w, case-insensitively. */
static inline bool first_word(const char *text, size_t len, const char *w)
{
    size_t i = 0, n = strlen(w); /* inline: strlen of a literal is a constant */
    while (i < len && (text[i] == ' ' || text[i] == '\t' || text[i] == '\n' || text[i] == '\r'))
        i++;
    /* w is upper case: most statements differ at the first letter, before any call */
    if (i == len || (text[i] & ~0x20) != w[0])
        return false;
    return len - i >= n && strncasecmp(text + i, w, n) == 0 &&
           (len - i == n || !ident_byte((unsigned char)text[i + n]));
}

/*
 * Count the deferred SQL EXECUTE: under text (the PREPARE statement its
 * "prepare:" DETAIL named) when given, else under its own text.
 */
static void defer_flush(struct dbp_pglog *L, const char *text, size_t len)
{
    if (!L->defer.on)
        return;
    L->defer.on = false;
    struct sess *s = sess_get(L, L->defer.sess.data, L->defer.sess.len, false);
    if (!text) {
        text = L->defer.text.data;
        len = L->defer.text.len;
    }
    execution_one(L, s, L->defer.sess.data, L->defer.sess.len, L->defer.db.data, L->defer.db.len,
                  L->defer.user.data, L->defer.user.len, text, len, L->defer.ms, L->defer.ts,
                  L->defer.take_plan);
}

/*
 * One statement of a simple-protocol query, counted as pg_stat_statements
 * counts it: PREPARE and DEALLOCATE are not counted, and an EXECUTE is
 * counted under its PREPARE statement's text, which the server logs as the
 * DETAIL ("prepare: PREPARE p AS ...") of the EXECUTE line: so the EXECUTE
 * waits for the next record.
 */
static void simple_stmt(struct dbp_pglog *L, struct sess *s, const char *session,
                        size_t session_len, const char *db, size_t db_len, const char *user,
                        size_t user_len, const char *text, size_t len, double ms, int64_t ts,
                        bool take_plan)
{
    if (first_word(text, len, "PREPARE") || first_word(text, len, "DEALLOCATE"))
        return;
    if (first_word(text, len, "EXECUTE")) {
        defer_flush(L, NULL, 0);
        L->defer.on = true;
        buf_set(&L->defer.sess, session ? session : "", session ? session_len : 0);
        buf_set(&L->defer.db, db ? db : "", db ? db_len : 0);
        buf_set(&L->defer.user, user ? user : "", user ? user_len : 0);
        buf_set(&L->defer.text, text, len);
        L->defer.ms = ms;
        L->defer.ts = ts;
        L->defer.take_plan = take_plan;
        return;
    }
    execution_one(L, s, session, session_len, db, db_len, user, user_len, text, len, ms, ts,
                  take_plan);
}

/*
 * Count the execution of text. A simple-protocol query string may hold
 * several statements ("BEGIN; UPDATE ...; COMMIT"): the server runs, and
 * pg_stat_statements counts, each one, but logs one line with one duration.
 * Each statement is counted; the duration is divided equally among them
 * (the log says nothing finer) and the held plan goes to the last one.
 */
static void execution(struct dbp_pglog *L, struct sess *s, const char *session, size_t session_len,
                      const char *db, size_t db_len, const char *user, size_t user_len,
                      const char *text, size_t len, double ms, int64_t ts, bool simple)
{
    const char *semi = simple ? memchr(text, ';', len) : NULL;
    if (!semi || only_space(semi + 1, len - (size_t)(semi - text) - 1) ||
        has_begin_atomic(text, len)) {
        if (simple)
            simple_stmt(L, s, session, session_len, db, db_len, user, user_len, text, len, ms,
                        ts, true);
        else
            execution_one(L, s, session, session_len, db, db_len, user, user_len, text, len, ms,
                          ts, true);
        return;
    }
    /* the statements: [b, e) pieces that are not blank */
    size_t n = 0;
    for (size_t b = 0; b < len;) {
        size_t e = stmt_end(text, len, b);
        if (!only_space(text + b, e - b))
            n++;
        b = e + 1;
    }
    if (n == 0) { /* only ';' and blanks: an empty query */
        if (s)
            s->has_plan = false;
        return;
    }
    if (n == 1) {
        simple_stmt(L, s, session, session_len, db, db_len, user, user_len, text, len, ms, ts,
                    true);
        return;
    }
    size_t k = 0;
    for (size_t b = 0; b < len;) {
        size_t e = stmt_end(text, len, b);
        if (!only_space(text + b, e - b)) {
            k++;
            simple_stmt(L, s, session, session_len, db, db_len, user, user_len, text + b, e - b,
                        ms / (double)n, ts, k == n);
        }
        b = e + 1;
    }
}

/* Count the session's pending log_statement line with duration ms. */
static void flush_stmt(struct dbp_pglog *L, struct sess *s, double ms, int64_t ts)
{
    if (!s->has_stmt)
        return;
    s->has_stmt = false;
    execution(L, s, s->key, s->key_len, s->db.data, s->db.len, s->user.data, s->user.len,
              s->stmt.data, s->stmt.len, ms, ts ? ts : s->stmt_ts, s->stmt_simple);
    unhold(L, &s->stmt);
}

/*
 * After "statement: " / "execute NAME: " / the like: the statement text.
 * For execute/parse/bind, skip "NAME: " (names may hold '/', as poolers
 * print "S_1/C_2"). Returns false if the shape is not recognised.
 */
static bool split_command(const char *m, size_t n, int *kind, const char **text, size_t *tlen)
{
    /* kind: 1 statement, 2 execute, 3 parse/bind, 4 plan, 5 fetch (portal continued) */
    size_t skip;
    if (starts(m, n, "statement: ")) {
        *kind = 1;
        skip = 11;
    } else if (starts(m, n, "execute ")) {
        *kind = starts(m + 8, n - 8, "fetch from ") ? 5 : 2;
        skip = 8;
    } else if (starts(m, n, "parse ")) {
        *kind = 3;
        skip = 6;
    } else if (starts(m, n, "bind ")) {
        *kind = 3;
        skip = 5;
    } else if (starts(m, n, "plan:")) {
        *kind = 4;
        *text = m + 5;
        *tlen = n - 5;
        return true;
    } else {
        return false;
    }
    if (*kind != 1) {
        const char *colon = memchr(m + skip, ':', n - skip);
        if (!colon || (size_t)(colon - m) + 1 >= n + 1)
            return false;
        skip = (size_t)(colon - m) + 1;
        if (skip < n && m[skip] == ' ')
            skip++;
    }
    *text = m + skip;
    *tlen = n - skip;
    return true;
}

static bool is_error_severity(const char *s, size_t n)
{
    return eq(s, n, "ERROR") || eq(s, n, "FATAL") || eq(s, n, "PANIC");
}

static void record_log(struct dbp_pglog *L, const struct dbp_pglog_rec *r);

/*
 * "prepare: PREPARE p AS ..." under an EXECUTE line: the deferred EXECUTE is
 * counted under the PREPARE text; with log_statement (the duration comes
 * later) the session's pending EXECUTE takes the PREPARE text instead.
 */
static void prepared(struct dbp_pglog *L, const char *session, size_t session_len,
                     const char *text, size_t len)
{
    if (L->defer.on && L->defer.sess.len == session_len &&
        (session_len == 0 || memcmp(L->defer.sess.data, session, session_len) == 0)) {
        defer_flush(L, text, len);
        return;
    }
    struct sess *s = sess_get(L, session, session_len, false);
    const char *semi = s && s->has_stmt ? memchr(s->stmt.data, ';', s->stmt.len) : NULL;
    if (s && s->has_stmt && s->stmt_simple && first_word(s->stmt.data, s->stmt.len, "EXECUTE") &&
        (!semi || only_space(semi + 1, s->stmt.len - (size_t)(semi - s->stmt.data) - 1)) &&
        hold(L, &s->stmt, text, len))
        s->stmt_simple = false; /* counted as one statement: the prepared one */
}

/*
 * "parameters: $1 = 'a', $2 = NULL" of the execution just counted: when it
 * set its class's example, put the values into the example in place of the
 * $n placeholders, so the example is a statement that can be run (EXPLAIN).
 */
static void apply_params(struct dbp_pglog *L, const char *session, size_t session_len,
                         const char *d, size_t n)
{
    struct dbp_stmt *st = L->ex_st;
    L->ex_st = NULL;
    if (!st || !st->example || L->ex_sess.len != session_len ||
        (session_len && memcmp(L->ex_sess.data, session, session_len) != 0))
        return;
    /* values: "$k = 'text with '' quotes'" or "$k = NULL", separated by ", " */
    size_t np = 0;
    for (size_t i = 0; i < n;) {
        if (d[i] != '$')
            return;
        size_t k = i + 1, idx = 0;
        while (k < n && d[k] >= '0' && d[k] <= '9' && idx < 100000)
            idx = idx * 10 + (size_t)(d[k++] - '0');
        if (idx != np + 1 || k + 3 > n || memcmp(d + k, " = ", 3) != 0)
            return;
        k += 3;
        size_t b = k;
        if (k < n && d[k] == '\'') {
            k++;
            for (;;) {
                const char *q = k < n ? memchr(d + k, '\'', n - k) : NULL;
                if (!q)
                    return;
                k = (size_t)(q - d) + 1;
                if (k < n && d[k] == '\'') {
                    k++;
                    continue;
                }
                break;
            }
        } else if (n - k >= 4 && memcmp(d + k, "NULL", 4) == 0) {
            k += 4;
        } else {
            return;
        }
        if (np * 2 + 2 > L->pv_cap) {
            L->pv_cap = L->pv_cap ? L->pv_cap * 2 : 32;
            L->pv = dbp_xrealloc(L->pv, L->pv_cap * sizeof *L->pv);
        }
        L->pv[np * 2] = b;
        L->pv[np * 2 + 1] = k - b;
        np++;
        if (k == n)
            break;
        if (n - k < 2 || d[k] != ',' || d[k + 1] != ' ')
            return;
        i = k + 2;
    }
    if (np == 0)
        return;
    const char *e = st->example;
    size_t el = strlen(e);
    dbp_buf_clear(&L->ex_text);
    bool quoted = false;
    for (size_t i = 0; i < el; i++) {
        char c = e[i];
        if (c == '\'')
            quoted = !quoted;
        if (!quoted && c == '$' && i + 1 < el && e[i + 1] >= '1' && e[i + 1] <= '9' &&
            (i == 0 || !ident_byte((unsigned char)e[i - 1]))) {
            size_t k = i + 1, idx = 0;
            while (k < el && e[k] >= '0' && e[k] <= '9' && idx < 100000)
                idx = idx * 10 + (size_t)(e[k++] - '0');
            if (idx >= 1 && idx <= np) {
                dbp_buf_append(&L->ex_text, d + L->pv[(idx - 1) * 2], L->pv[(idx - 1) * 2 + 1]);
                i = k - 1;
                continue;
            }
        }
        dbp_buf_putc(&L->ex_text, c);
    }
    st->example = dbp_arena_strndup(L->snap->arena, L->ex_text.data, L->ex_text.len);
}

void dbp_pglog_record(struct dbp_pglog *L, const struct dbp_pglog_rec *r)
{
    const char *m = r->msg;
    size_t n = r->msg_len;
    if (!m)
        return;
    if (eq(r->severity, r->severity_len, "DETAIL")) {
        if (starts(m, n, "parameters: "))
            apply_params(L, r->session, r->session_len, m + 12, n - 12);
        else if (starts(m, n, "prepare: "))
            prepared(L, r->session, r->session_len, m + 9, n - 9);
        return;
    }
    defer_flush(L, NULL, 0); /* the EXECUTE had no "prepare:" DETAIL */
    L->ex_st = NULL;
    record_log(L, r);
    if (r->detail && starts(r->detail, r->detail_len, "parameters: ")) {
        if (L->ex_st)
            apply_params(L, r->session, r->session_len, r->detail + 12, r->detail_len - 12);
    } else if (r->detail && starts(r->detail, r->detail_len, "prepare: ")) {
        prepared(L, r->session, r->session_len, r->detail + 9, r->detail_len - 9);
    }
    if (r->detail_inline)
        defer_flush(L, NULL, 0); /* its DETAIL was in the record: no later one */
}

static void record_log(struct dbp_pglog *L, const struct dbp_pglog_rec *r)
{
    const char *m = r->msg;
    size_t n = r->msg_len;
    if (is_error_severity(r->severity, r->severity_len)) {
        struct sess *s = sess_get(L, r->session, r->session_len, false);
        if (s)
            s->has_stmt = false; /* the statement failed: not counted */
        if (s)
            s->has_plan = false;
        return;
    }
    if (!eq(r->severity, r->severity_len, "LOG"))
        return;
    if (starts(m, n, "duration: ")) {
        double ms = NAN;
        size_t u = parse_ms(m + 10, n - 10, &ms);
        if (u == 0) {
            dbp_pglog_malformed(L, r->lineno, "bad duration");
            return;
        }
        size_t i = 10 + u;
        if (!starts(m + i, n - i, " ms")) {
            dbp_pglog_malformed(L, r->lineno, "bad duration unit");
            return;
        }
        i += 3;
        while (i < n && m[i] == ' ')
            i++;
        if (i >= n) {
            /* bare duration: completes a log_statement line */
            struct sess *s = sess_get(L, r->session, r->session_len, false);
            if (s && s->has_stmt)
                flush_stmt(L, s, ms, r->ts_us);
            return;
        }
        int kind = 0;
        const char *text = NULL;
        size_t tlen = 0;
        if (!split_command(m + i, n - i, &kind, &text, &tlen))
            return; /* some other duration message */
        if (kind == 3 || kind == 5)
            return;
        if (kind == 4) {
            L->st.plans_seen++;
            struct sess *s = sess_get(L, r->session, r->session_len, true);
            if (!s)
                return;
            const char *p = text;
            size_t pn = tlen;
            while (pn && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')) {
                p++;
                pn--;
            }
            struct dbp_stmt *last = s->last_st;
            s->last_st = NULL;
            if (L->chunk > 0 && !s->touched) /* it may be the plan of an execution before */
                L->src->chunk_open |= DBP_CHUNK_HEAD_OPEN;
            if (last && plan_matches(L, p, pn, s->last_text, s->last_len)) {
                /* the plan of the execution just counted (logged after it) */
                if (s->last_slowest)
                    parse_plan(L, p, pn, r->lineno, last);
                return;
            }
            if (tlen > MAX_PLAN || !hold(L, &s->plan, text, tlen)) {
                s->has_plan = false;
                L->st.plans_dropped++;
                return;
            }
            s->has_plan = true;
            s->plan_line = r->lineno;
            return;
        }
        struct sess *s = sess_get(L, r->session, r->session_len, true);
        if (s && s->has_stmt)
            flush_stmt(L, s, NAN, 0); /* a log_statement line never completed */
        execution(L, s, r->session, r->session_len, r->db, r->db_len, r->user, r->user_len, text,
                  tlen, ms, r->ts_us, kind == 1);
        return;
    }
    if (starts(m, n, "statement: ") || starts(m, n, "execute ")) {
        int kind = 0;
        const char *text = NULL;
        size_t tlen = 0;
        if (!split_command(m, n, &kind, &text, &tlen) || kind == 5)
            return;
        struct sess *s = sess_get(L, r->session, r->session_len, true);
        if (!s) {
            /* no session key: cannot pair with a duration; count it now */
            execution(L, NULL, NULL, 0, r->db, r->db_len, r->user, r->user_len, text, tlen, NAN,
                      r->ts_us, kind == 1);
            return;
        }
        if (s->has_stmt)
            flush_stmt(L, s, NAN, 0);
        if (!hold(L, &s->stmt, text, tlen)) {
            /* over the memory budget: counted now, its duration unknown */
            execution(L, s, r->session, r->session_len, r->db, r->db_len, r->user, r->user_len,
                      text, tlen, NAN, r->ts_us, kind == 1);
            return;
        }
        buf_set(&s->db, r->db ? r->db : "", r->db ? r->db_len : 0);
        buf_set(&s->user, r->user ? r->user : "", r->user ? r->user_len : 0);
        s->stmt_ts = r->ts_us;
        s->has_stmt = true;
        s->stmt_simple = kind == 1;
        return;
    }
    if (starts(m, n, "disconnection: ")) {
        struct sess *s = sess_get(L, r->session, r->session_len, false);
        if (s) {
            flush_stmt(L, s, NAN, 0);
            sess_remove(L, s);
        }
        if (r->session && r->session_len)
            dbp_snapshot_session_end(L->snap, r->session, r->session_len);
        return;
    }
}

/* ---- diagnostics and the end ------------------------------------------ */

void dbp_pglog_malformed(struct dbp_pglog *L, uint64_t lineno, const char *fmt, ...)
{
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    L->skipped++;
    dbp_snapshot_diag(L->snap, "%s:%llu: %s", L->name, (unsigned long long)lineno, msg);
    if (!L->have_err) {
        snprintf(L->first_err, sizeof L->first_err, "%s:%llu: %s", L->name,
                 (unsigned long long)lineno, msg);
        L->have_err = true;
    }
}

int dbp_pglog_reader_error(struct dbp_pglog *L, int rc, const struct dbp_error *rerr)
{
    if (rc == -DBP_ERR_FORMAT) {
        L->skipped++;
        const char *m = rerr && rerr->message[0] ? rerr->message : "over-long line skipped";
        dbp_snapshot_diag(L->snap, "%s", m);
        if (!L->have_err) {
            snprintf(L->first_err, sizeof L->first_err, "%.390s", m);
            L->have_err = true;
        }
        return 1;
    }
    L->io_failed = true;
    if (rerr)
        L->io_err = *rerr;
    return 0;
}

struct dbp_pglog *dbp_pglog_new(struct dbp_snapshot *snap, struct dbp_source *src,
                                const char *name)
{
    struct dbp_pglog *L = dbp_xcalloc(1, sizeof *L);
    L->snap = snap;
    L->src = src;
    L->name = name ? name : "<input>";
    return L;
}

void dbp_pglog_get_stats(const struct dbp_pglog *L, struct dbp_pglog_stats *out)
{
    *out = L->st;
}

void dbp_pglog_set_chunk(struct dbp_pglog *L, const struct dbp_parse_opts *o)
{
    L->chunked = o && o->head;
    L->chunk = L->chunked ? o->chunk : 0;
}

int dbp_pglog_finish(struct dbp_pglog *L, struct dbp_reader *r, struct dbp_error *err)
{
    if (L->chunked) /* a log_statement line or a plan waits for the next chunk's records */
        for (struct sess *s = L->lru_head; s; s = s->lru_next)
            if (s->has_stmt || s->has_plan)
                L->src->chunk_open |= DBP_CHUNK_TAIL_OPEN;
    defer_flush(L, NULL, 0);
    /* pending log_statement lines were executed (no duration known) */
    for (struct sess *s = L->lru_tail; s; s = s->lru_prev)
        if (s->has_stmt)
            flush_stmt(L, s, NAN, 0);
    while (L->lru_head)
        sess_remove(L, L->lru_head);
    if (L->st.plans_failed)
        dbp_snapshot_diag(L->snap, "%llu auto_explain plan(s) not attached; first: %s",
                          (unsigned long long)L->st.plans_failed, L->plan_err);
    struct dbp_source *src = L->src;
    if (r)
        src->bytes = dbp_reader_bytes(r);
    src->skipped += L->skipped;
    int rc = DBP_OK;
    if (L->io_failed) {
        rc = dbp_error_set(err, DBP_ERR_IO, "%s",
                           L->io_err.message[0] ? L->io_err.message : "read error");
    } else if (L->have_err) {
        rc = dbp_error_set(err, DBP_ERR_FORMAT, "%s", L->first_err);
    }
    if (rc != DBP_OK) {
        src->status = rc;
        if (!src->error)
            src->error = dbp_arena_strdup(L->snap->arena, err ? err->message : L->first_err);
    }
    dbp_buf_free(&L->fp);
    dbp_buf_free(&L->ex_sess);
    dbp_buf_free(&L->defer.sess);
    dbp_buf_free(&L->defer.db);
    dbp_buf_free(&L->defer.user);
    dbp_buf_free(&L->defer.text);
    dbp_buf_free(&L->ex_text);
    free(L->pv);
    dbp_buf_free(&L->dbz);
    dbp_buf_free(&L->origin);
    dbp_buf_free(&L->qtext);
    free(L);
    return rc;
}

/* ---- timestamps ------------------------------------------------------- */

int dbp_pglog_ts_start(const char *s, size_t len)
{
    static const char pat[] = "dddd-dd-dd dd:dd:dd";
    if (len < sizeof pat - 1)
        return 0;
    for (size_t i = 0; i < sizeof pat - 1; i++) {
        if (pat[i] == 'd' ? (s[i] < '0' || s[i] > '9')
                          : !(s[i] == pat[i] || (i == 10 && s[i] == 'T')))
            return 0;
    }
    return 1;
}

static int digits(const char *s, size_t n)
{
    int v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

/* days since 1970-01-01 of a civil date (proleptic Gregorian) */
static int64_t days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static const struct {
    const char *name;
    int minutes;
} zones[] = {
    {"UTC", 0},      {"GMT", 0},      {"Z", 0},        {"WET", 0},      {"WEST", 60},
    {"BST", 60},     {"CET", 60},     {"CEST", 120},   {"MET", 60},     {"MEST", 120},
    {"EET", 120},    {"EEST", 180},   {"MSK", 180},    {"IST", 330},    {"JST", 540},
    {"KST", 540},    {"AEST", 600},   {"AEDT", 660},   {"EST", -300},   {"EDT", -240},
    {"CST", -360},   {"CDT", -300},   {"MST", -420},   {"MDT", -360},   {"PST", -480},
    {"PDT", -420},   {"AKST", -540},  {"AKDT", -480},  {"HST", -600},   {"BRT", -180},
};

int64_t dbp_pglog_parse_ts(const char *s, size_t len, size_t *used)
{
    *used = 0;
    if (len < 19 || s[4] != '-' || s[7] != '-' || (s[10] != ' ' && s[10] != 'T') ||
        s[13] != ':' || s[16] != ':')
        return 0;
    /*
     * Consecutive records share their minute: its start is kept per thread, keyed by the
     * 16 bytes "YYYY-MM-DD HH:MM" (the separator at 10 included, so ' ' and 'T' differ).
     */
    static _Thread_local char last_min[16];
    static _Thread_local int64_t last_min_us = INT64_MIN;
    int64_t min_us;
    if (last_min_us != INT64_MIN && memcmp(s, last_min, 16) == 0) {
        min_us = last_min_us;
    } else {
        int y = digits(s, 4), mo = digits(s + 5, 2), d = digits(s + 8, 2);
        int h = digits(s + 11, 2), mi = digits(s + 14, 2);
        if (y < 0 || mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 24 || mi < 0 || mi > 59)
            return 0;
        min_us = (days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60) * 1000000;
        memcpy(last_min, s, 16);
        last_min_us = min_us;
    }
    int se = digits(s + 17, 2);
    if (se < 0 || se > 60)
        return 0;
    size_t i = 19;
    int64_t us = 0;
    if (i < len && s[i] == '.') {
        /* up to 6 digits count (microseconds), more are read and dropped */
        static const int64_t scale[7] = {1000000, 100000, 10000, 1000, 100, 10, 1};
        int nd = 0;
        i++;
        while (i < len && s[i] >= '0' && s[i] <= '9') {
            if (nd < 6) {
                us = us * 10 + (s[i] - '0');
                nd++;
            }
            i++;
        }
        us *= scale[nd];
    }
    int64_t t = min_us + (int64_t)se * 1000000 + us;
    /* time zone: " UTC", " +05", "+0530", "Z" */
    size_t j = i;
    if (j < len && s[j] == ' ')
        j++;
    if (j < len && (s[j] == '+' || s[j] == '-')) {
        int sign = s[j] == '-' ? -1 : 1;
        size_t k = j + 1, nd = 0;
        int hh = 0, mm = 0;
        while (k < len && nd < 4 && s[k] >= '0' && s[k] <= '9') {
            if (nd < 2)
                hh = hh * 10 + (s[k] - '0');
            else
                mm = mm * 10 + (s[k] - '0');
            k++;
            nd++;
        }
        if (k < len && s[k] == ':' && nd == 2 && k + 2 < len + 0 && k + 2 <= len &&
            s[k + 1] >= '0' && s[k + 1] <= '9') {
            mm = digits(s + k + 1, 2);
            if (mm < 0)
                mm = 0;
            else
                k += 3;
        }
        if (nd >= 2) {
            t -= sign * (int64_t)(hh * 60 + mm) * 60000000;
            i = k;
        }
    } else if (j < len && ((s[j] >= 'A' && s[j] <= 'Z'))) {
        size_t k = j;
        while (k < len && ((s[k] >= 'A' && s[k] <= 'Z') || (s[k] >= 'a' && s[k] <= 'z')))
            k++;
        for (size_t z = 0; z < sizeof zones / sizeof zones[0]; z++) {
            if (eq(s + j, k - j, zones[z].name)) {
                t -= (int64_t)zones[z].minutes * 60000000;
                break;
            }
        }
        i = k; /* an unknown abbreviation is read as UTC */
    }
    *used = i;
    return t;
}
