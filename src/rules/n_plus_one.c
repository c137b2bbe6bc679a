/*
 * rules/n_plus_one.c -- the n-plus-one rule: the same cheap single-row
 * statement run many times back to back in one session.
 *
 * Reads snap->bursts, which src/session.c folds from session events: runs
 * of one statement class repeated at least min_repeats times in one session
 * with gaps of at most max_gap_ms (the audit command configures the tracker
 * from these two params before parsing), summed per (parent, child) pair.
 * Here a child qualifies when its calls are cheap (mean <= max_mean_ms), each
 * returns at most max_rows rows, and the repeated calls add up to at least
 * min_total_ms. Pairs of one child are merged into one finding per child,
 * naming the parent statement that most often precedes the loop. Worst
 * (most time in the loops) first.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <dbperf/arena.h>
#include <dbperf/buf.h>
#include <dbperf/rules.h>

#include "../ddl.h"

struct child {
    struct dbp_stmt *st;
    uint64_t runs, calls, max_run;
    double total_ms, max_call_ms;
    int64_t max_rows;
    bool timed;              /* some duration known */
    struct dbp_stmt *parent; /* parent with the most calls */
    uint64_t parent_calls;
    size_t n_parents;
    const char *example_session;
    int64_t example_ts_us;
};

static int child_cmp(const void *x, const void *y)
{
    const struct child *a = x, *b = y;
    if (a->total_ms != b->total_ms)
        return a->total_ms > b->total_ms ? -1 : 1;
    if (a->calls != b->calls)
        return a->calls > b->calls ? -1 : 1;
    return 0;
}

static void emit(struct dbp_rule_ctx *ctx, const struct child *c)
{
    struct dbp_snapshot *snap = dbp_rule_snapshot(ctx);
    struct dbp_arena *a = snap->arena;
    struct dbp_finding *f = dbp_rule_emit(ctx);
    f->engine = c->st->engine;
    f->object = dbp_ddl_fpid(a, c->st->fpid);
    f->fpid = c->st->fpid;
    double mean = c->calls ? c->total_ms / (double)c->calls : NAN;

    struct dbp_buf m = {0};
    dbp_buf_printf(&m, "N+1: `%s` ran %s times in %s loops (up to %s in a row)",
                   dbp_ddl_snippet(a, c->st->text, 70), dbp_ddl_count(a, (double)c->calls),
                   dbp_ddl_count(a, (double)c->runs), dbp_ddl_count(a, (double)c->max_run));
    if (c->parent)
        dbp_buf_printf(&m, " right after `%s`", dbp_ddl_snippet(a, c->parent->text, 50));
    if (c->timed)
        dbp_buf_printf(&m, ", %s each, %s in total", dbp_ddl_ms(a, mean),
                       dbp_ddl_ms(a, c->total_ms));
    else
        dbp_buf_puts(&m, ", durations unknown");
    if (c->max_rows >= 0)
        dbp_buf_printf(&m, ", at most %lld row%s per call", (long long)c->max_rows,
                       c->max_rows == 1 ? "" : "s");
    f->message = dbp_arena_strndup(a, m.data, m.len);
    dbp_buf_free(&m);
    f->suggestion =
        "fetch the rows in one statement: WHERE key IN (...) / = ANY($1) over the parent's "
        "keys, or a JOIN with the parent statement (eager loading: Rails includes/preload, "
        "Django select_related/prefetch_related, JPA JOIN FETCH)";

    dbp_finding_add_evidence(snap, f, "calls", (double)c->calls, NULL);
    dbp_finding_add_evidence(snap, f, "loops", (double)c->runs, NULL);
    dbp_finding_add_evidence(snap, f, "max_loop", (double)c->max_run, NULL);
    if (c->timed) {
        dbp_finding_add_evidence(snap, f, "total_ms", c->total_ms, NULL);
        dbp_finding_add_evidence(snap, f, "mean_ms", mean, NULL);
        dbp_finding_add_evidence(snap, f, "max_call_ms", c->max_call_ms, NULL);
    }
    if (c->max_rows >= 0)
        dbp_finding_add_evidence(snap, f, "max_rows", (double)c->max_rows, NULL);
    if (c->parent)
        dbp_finding_add_evidence(snap, f, "parent", NAN, dbp_ddl_fpid(a, c->parent->fpid));
    dbp_finding_add_evidence(snap, f, "parents", (double)c->n_parents, NULL);
    if (c->example_session)
        dbp_finding_add_evidence(snap, f, "example_session", NAN, c->example_session);
    if (c->example_ts_us)
        dbp_finding_add_evidence(snap, f, "example_start", NAN, dbp_ddl_time(a, c->example_ts_us));
}

static int run(const struct dbp_snapshot *snap, struct dbp_rule_ctx *ctx, struct dbp_error *err)
{
    (void)err;
    double min_repeats = dbp_rule_param(ctx, "min_repeats");
    double max_mean_ms = dbp_rule_param(ctx, "max_mean_ms");
    double max_rows = dbp_rule_param(ctx, "max_rows");
    double min_total_ms = dbp_rule_param(ctx, "min_total_ms");
    /* max_gap_ms (and min_repeats) were applied by the session tracker before parsing */

    struct child *kids = dbp_xcalloc(snap->bursts.n + 1, sizeof *kids);
    size_t n = 0;
    for (size_t i = 0; i < snap->bursts.n; i++) {
        const struct dbp_burst *b = snap->bursts.items[i];
        if (!b->child || b->calls == 0 || (double)b->max_run < min_repeats)
            continue;
        size_t k;
        for (k = 0; k < n; k++)
            if (kids[k].st == b->child)
                break;
        struct child *c = &kids[k];
        if (k == n) {
            n++;
            c->st = b->child;
            c->max_rows = -1;
        }
        c->runs += b->runs;
        c->calls += b->calls;
        c->total_ms += b->total_ms;
        if (b->max_call_ms > c->max_call_ms)
            c->max_call_ms = b->max_call_ms;
        if (b->total_ms > 0 || b->max_call_ms > 0)
            c->timed = true;
        if (b->max_rows > c->max_rows)
            c->max_rows = b->max_rows;
        if (b->max_run > c->max_run) {
            c->max_run = b->max_run;
            c->example_session = b->example_session;
            c->example_ts_us = b->example_ts_us;
        }
        /* a parent of the same class is a loop split by a gap, not a parent */
        if (b->parent && b->parent != b->child) {
            c->n_parents++;
            if (b->calls > c->parent_calls) {
                c->parent_calls = b->calls;
                c->parent = b->parent;
            }
        }
    }
    size_t kept = 0;
    for (size_t i = 0; i < n; i++) {
        struct child *c = &kids[i];
        double mean = c->total_ms / (double)c->calls;
        if (c->max_rows >= 0 && (double)c->max_rows > max_rows)
            continue; /* returns sets: not the one-row lookup of an N+1 */
        if (c->timed && (mean > max_mean_ms || c->total_ms < min_total_ms))
            continue; /* expensive calls are a different problem; trivial totals are noise */
        kids[kept++] = *c;
    }
    qsort(kids, kept, sizeof *kids, child_cmp);
    for (size_t i = 0; i < kept; i++)
        emit(ctx, &kids[i]);
    free(kids);
    return 0;
}

static const struct dbp_param params[] = {
    {"min_repeats", 5, "count", "calls in a row in one session that make a loop"},
    {"max_gap_ms", 1000, "ms", "longest pause between two calls of a loop"},
    {"max_mean_ms", 10, "ms", "slowest mean call time that still counts as cheap"},
    {"max_rows", 1, "rows", "most rows one call may return (unknown passes)"},
    {"min_total_ms", 100, "ms", "least time of the looped calls (if durations known)"},
};

const struct dbp_rule dbp_rule_n_plus_one = {
    .id = "n-plus-one",
    .severity = DBP_SEV_WARNING,
    .summary = "a cheap one-row statement repeated in a loop in one session",
    .explain =
        "An N+1 is an application loop: one statement (the parent) loads N rows, then the code "
        "runs one more statement per row, usually a lookup by key that returns one row. Each "
        "call is fast, so no slow log threshold catches it, but the N round trips add latency "
        "and load that one IN list or JOIN would avoid. This rule reads the session events of "
        "logs that name the session of each line: a loop is the same statement class run at "
        "least min_repeats times in a row in one session, with no other statement in between "
        "and no pause longer than max_gap_ms. It is reported when each call is cheap (mean at "
        "most max_mean_ms), returns at most max_rows rows, and the loops add up to at least "
        "min_total_ms. One finding per repeated statement names the statement that most often "
        "runs just before its loops (the likely parent). Fix it in the application: batch the "
        "lookups (IN / = ANY) or eager-load with a join.",
    .params = params,
    .n_params = sizeof params / sizeof params[0],
    .run = run,
};
