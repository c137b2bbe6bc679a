/*
 * store.c -- the index-usage history store: backend dispatch and the
 * analyzer that turns stored samples into "no recorded use for N days on
 * every instance" verdicts (see store.h for the rules).
 */
#include <stdlib.h>
#include <string.h>

#include <dbperf/arena.h>
#include <dbperf/buf.h>
#include <dbperf/error.h>
#include <dbperf/store.h>

#include "store_int.h"

#define US_PER_DAY 86400000000.0
/* counter starts this close are the same start */
#define SINCE_SLACK_US (30 * 1000000LL)

#define PROTECTED                                                                                  \
    (DBP_IDX_PRIMARY | DBP_IDX_UNIQUE | DBP_IDX_CONSTRAINT | DBP_IDX_EXCLUSION |                   \
     DBP_IDX_FOREIGN_KEY | DBP_IDX_REPLICA_IDENTITY)

struct dbp_store {
    const struct dbp_store_backend *be;
    void *ctx;
};

static const struct dbp_store_backend *const backends[] = {
#ifdef DBPERF_WITH_PG
    &dbp_store_pg,
#endif
    &dbp_store_sqlite,
};

const struct dbp_store_backend *dbp_store_backend_find(const char *name)
{
    for (size_t i = 0; i < sizeof backends / sizeof backends[0]; i++)
        if (strcmp(backends[i]->name, name) == 0)
            return backends[i];
    return NULL;
}

int dbp_store_open(const char *spec, struct dbp_store **out, struct dbp_error *err)
{
    *out = NULL;
    if (!spec || !*spec)
        return dbp_error_set(err, DBP_ERR_USAGE, "no store given");
    const struct dbp_store_backend *be = NULL;
    for (size_t i = 0; i < sizeof backends / sizeof backends[0]; i++)
        if (backends[i]->accepts(spec)) {
            be = backends[i];
            break;
        }
    if (!be) {
        if (strncmp(spec, "postgres", 8) == 0)
            return dbp_error_set(err, DBP_ERR_UNSUPPORTED,
                                 "this dbperf was built without PostgreSQL (libpq): "
                                 "no PostgreSQL store");
        return dbp_error_set(err, DBP_ERR_USAGE, "no store backend accepts `%s`", spec);
    }
    void *ctx = NULL;
    int rc = be->open(spec, &ctx, err);
    if (rc != DBP_OK)
        return rc;
    struct dbp_store *s = dbp_xcalloc(1, sizeof *s);
    s->be = be;
    s->ctx = ctx;
    *out = s;
    return DBP_OK;
}

void dbp_store_close(struct dbp_store *s)
{
    if (!s)
        return;
    s->be->close(s->ctx);
    free(s);
}

const char *dbp_store_kind(const struct dbp_store *s)
{
    return s->be->name;
}

int dbp_store_schema_version(struct dbp_store *s, int *version, struct dbp_error *err)
{
    return s->be->schema_version(s->ctx, version, err);
}

int dbp_store_record(struct dbp_store *s, const struct dbp_store_run *run,
                     struct dbp_index *const *ix, size_t n, struct dbp_error *err)
{
    return s->be->record(s->ctx, run, ix, n, err);
}

int dbp_store_scan(struct dbp_store *s, dbp_store_sample_fn fn, void *arg, struct dbp_error *err)
{
    return s->be->scan(s->ctx, fn, arg, err);
}

int dbp_store_stats(struct dbp_store *s, struct dbp_store_stats *out, struct dbp_error *err)
{
    return s->be->stats(s->ctx, out, err);
}

int dbp_store_prune(struct dbp_store *s, int64_t before_us, int64_t *n_deleted,
                    struct dbp_error *err)
{
    int64_t n = 0;
    int rc = s->be->prune(s->ctx, before_us, &n, err);
    if (n_deleted)
        *n_deleted = rc == DBP_OK ? n : 0;
    return rc;
}

const char *dbp_store_join_columns(struct dbp_arena *a, const struct dbp_index *ix)
{
    struct dbp_buf b = {0};
    for (size_t i = 0; i < ix->n_columns; i++) {
        if (i)
            dbp_buf_puts(&b, ", ");
        dbp_buf_puts(&b, ix->columns[i] ? ix->columns[i] : "?");
    }
    const char *r = dbp_arena_strdup(a, b.data ? b.data : "");
    dbp_buf_free(&b);
    return r;
}

const char *dbp_idx_verdict_name(enum dbp_idx_verdict v)
{
    switch (v) {
    case DBP_VERDICT_USED:
        return "used";
    case DBP_VERDICT_PENDING:
        return "pending";
    case DBP_VERDICT_UNUSED:
        return "unused";
    case DBP_VERDICT_PROTECTED:
        return "protected";
    case DBP_VERDICT_NO_COUNTER:
        return "no-counter";
    }
    return "?";
}

/* ---- analyzer ---------------------------------------------------------- */

/* One index on one instance: its samples folded in time order. */
struct inst_run {
    const char *instance;
    int64_t first_us, last_us; /* first and last sample */
    int64_t prev_scans;        /* -1: no usable previous counter */
    int64_t prev_since_us;
    int64_t run_start_us; /* start of the current no-use run */
    int64_t last_use_us;  /* 0 none */
    unsigned n_resets;
    double unobserved_us;
    unsigned flags;     /* of the last sample */
    int64_t size_bytes; /* of the last sample */
    bool no_counter;    /* the last sample has no counter */
    struct inst_run *next;
};

/* One index over its instances. */
struct group {
    struct dbp_store_index *ix;
    struct inst_run *runs; /* newest-first list; the head is the instance being fed */
    struct group *next;
};

/* The latest sample of an (engine, cluster, instance, database). */
struct inst_db {
    enum dbp_engine engine;
    const char *cluster, *instance, *database;
    int64_t last_us;
    struct inst_db *next;
};

struct dbp_store_analyzer {
    struct dbp_arena *a;
    int64_t now_us;
    double min_days;
    struct group *groups, *cur;
    size_t n_groups;
    struct inst_db *dbs;
    int64_t first_us, last_us;
};

static int eq(const char *x, const char *y)
{
    return strcmp(x ? x : "", y ? y : "") == 0;
}

static const char *opt(struct dbp_arena *a, const char *s)
{
    return s && *s ? dbp_arena_strdup(a, s) : NULL;
}

struct dbp_store_analyzer *dbp_store_analyzer_new(struct dbp_arena *a, int64_t now_us,
                                                  double min_days)
{
    struct dbp_store_analyzer *an = dbp_xcalloc(1, sizeof *an);
    an->a = a;
    an->now_us = now_us;
    an->min_days = min_days;
    return an;
}

void dbp_store_analyzer_free(struct dbp_store_analyzer *an)
{
    free(an); /* everything else is in the arena */
}

static void note_inst_db(struct dbp_store_analyzer *an, const struct dbp_store_sample *s)
{
    for (struct inst_db *d = an->dbs; d; d = d->next)
        if (d->engine == s->engine && eq(d->cluster, s->cluster) && eq(d->instance, s->instance) &&
            eq(d->database, s->database)) {
            if (s->taken_us > d->last_us)
                d->last_us = s->taken_us;
            return;
        }
    struct inst_db *d = dbp_arena_alloc(an->a, sizeof *d);
    d->engine = s->engine;
    d->cluster = dbp_arena_strdup(an->a, s->cluster);
    d->instance = dbp_arena_strdup(an->a, s->instance);
    d->database = dbp_arena_strdup(an->a, s->database);
    d->last_us = s->taken_us;
    d->next = an->dbs;
    an->dbs = d;
}

static int64_t inst_db_last(const struct dbp_store_analyzer *an, const struct dbp_store_index *ix,
                            const char *instance)
{
    for (const struct inst_db *d = an->dbs; d; d = d->next)
        if (d->engine == ix->engine && eq(d->cluster, ix->cluster) && eq(d->instance, instance) &&
            eq(d->database, ix->database))
            return d->last_us;
    return 0;
}

void dbp_store_analyzer_add(struct dbp_store_analyzer *an, const struct dbp_store_sample *s)
{
    struct dbp_arena *a = an->a;
    note_inst_db(an, s);
    if (!an->first_us || s->taken_us < an->first_us)
        an->first_us = s->taken_us;
    if (s->taken_us > an->last_us)
        an->last_us = s->taken_us;

    struct group *g = an->cur;
    if (!g || g->ix->engine != s->engine || !eq(g->ix->cluster, s->cluster) ||
        !eq(g->ix->database, s->database) || !eq(g->ix->schema, s->schema) ||
        !eq(g->ix->table, s->table) || !eq(g->ix->name, s->name)) {
        g = dbp_arena_alloc(a, sizeof *g);
        g->ix = dbp_arena_alloc(a, sizeof *g->ix);
        g->ix->engine = s->engine;
        g->ix->cluster = dbp_arena_strdup(a, s->cluster);
        g->ix->database = dbp_arena_strdup(a, s->database);
        g->ix->schema = opt(a, s->schema);
        g->ix->table = dbp_arena_strdup(a, s->table);
        g->ix->name = dbp_arena_strdup(a, s->name);
        g->ix->size_bytes = -1;
        g->next = an->groups;
        an->groups = g;
        an->cur = g;
        an->n_groups++;
    }
    /* the latest definition wins */
    if (!g->runs || s->taken_us >= g->runs->last_us) {
        if (s->definition && *s->definition && !eq(s->definition, g->ix->definition))
            g->ix->definition = dbp_arena_strdup(a, s->definition);
        if (s->columns && *s->columns && !eq(s->columns, g->ix->columns))
            g->ix->columns = dbp_arena_strdup(a, s->columns);
        if (s->method && *s->method && !eq(s->method, g->ix->method))
            g->ix->method = dbp_arena_strdup(a, s->method);
    }

    struct inst_run *r = g->runs;
    if (!r || !eq(r->instance, s->instance)) {
        r = dbp_arena_alloc(a, sizeof *r);
        r->instance = dbp_arena_strdup(a, s->instance);
        r->first_us = s->taken_us;
        r->prev_scans = -1;
        r->run_start_us = s->taken_us;
        r->next = g->runs;
        g->runs = r;
    }
    if (s->scans < 0) {
        /* no counter: nothing can be vouched for before the next counter */
        r->prev_scans = -1;
        r->run_start_us = s->taken_us;
        r->no_counter = true;
    } else if (r->prev_scans < 0) {
        /* the first counter (history starts here): above 0 is a use before it */
        if (s->scans > 0) {
            r->last_use_us = s->taken_us;
        }
        r->run_start_us = s->taken_us;
        r->no_counter = false;
    } else {
        /* a counter start that moved: a reset even if the counter rose again (MySQL's
         * start is read as now - uptime: allow its rounding) */
        int64_t moved = s->counter_since_us - r->prev_since_us;
        bool reset =
            s->scans < r->prev_scans || (s->counter_since_us && r->prev_since_us &&
                                         (moved > SINCE_SLACK_US || moved < -SINCE_SLACK_US));
        int64_t uses = reset ? s->scans : s->scans - r->prev_scans;
        if (reset) {
            r->n_resets++;
            /* uses between the previous sample and the reset were never recorded */
            int64_t at = s->counter_since_us > r->last_us && s->counter_since_us <= s->taken_us
                             ? s->counter_since_us
                             : s->taken_us;
            r->unobserved_us += (double)(at - r->last_us);
        }
        if (uses > 0) {
            r->last_use_us = s->taken_us;
            r->run_start_us = s->taken_us;
        }
        r->no_counter = false;
    }
    if (s->scans >= 0)
        r->prev_scans = s->scans;
    r->prev_since_us = s->counter_since_us;
    r->last_us = s->taken_us;
    r->flags = s->flags;
    r->size_bytes = s->size_bytes;
}

static const char *protect_reason(enum dbp_engine e, unsigned flags)
{
    if (flags & DBP_IDX_PRIMARY)
        return "it backs the primary key";
    if (flags & DBP_IDX_EXCLUSION)
        return "it backs an exclusion constraint";
    if (flags & DBP_IDX_CONSTRAINT)
        return "it backs a unique constraint";
    if (flags & DBP_IDX_UNIQUE)
        return "it enforces uniqueness";
    if (flags & DBP_IDX_REPLICA_IDENTITY)
        return "it is the table's replica identity";
    if (flags & DBP_IDX_FOREIGN_KEY)
        return e == DBP_ENGINE_MYSQL
                   ? "a foreign key needs it"
                   : "it serves a foreign key (without it, deleting or updating a referenced "
                     "row scans the referencing table)";
    return NULL;
}

static int verdict_rank(enum dbp_idx_verdict v)
{
    switch (v) {
    case DBP_VERDICT_UNUSED:
        return 0;
    case DBP_VERDICT_PROTECTED:
        return 1;
    case DBP_VERDICT_PENDING:
        return 2;
    case DBP_VERDICT_NO_COUNTER:
        return 3;
    case DBP_VERDICT_USED:
        return 4;
    }
    return 5;
}

static int result_cmp(const void *x, const void *y)
{
    const struct dbp_store_index *a = *(const struct dbp_store_index *const *)x;
    const struct dbp_store_index *b = *(const struct dbp_store_index *const *)y;
    int ra = verdict_rank(a->verdict), rb = verdict_rank(b->verdict);
    if (ra != rb)
        return ra - rb;
    if (a->size_bytes != b->size_bytes)
        return a->size_bytes > b->size_bytes ? -1 : 1;
    int d = strcmp(a->cluster, b->cluster);
    if (!d)
        d = strcmp(a->database, b->database);
    if (!d)
        d = strcmp(a->table, b->table);
    if (!d)
        d = strcmp(a->name, b->name);
    return d;
}

void dbp_store_analyzer_finish(struct dbp_store_analyzer *an, struct dbp_store_result *out)
{
    memset(out, 0, sizeof *out);
    out->now_us = an->now_us;
    out->min_days = an->min_days;
    out->history_first_us = an->first_us;
    out->history_last_us = an->last_us;
    out->history_days = an->first_us ? (double)(an->now_us - an->first_us) / US_PER_DAY : 0;
    int64_t gone_before = an->now_us - (int64_t)(an->min_days * US_PER_DAY);
    for (const struct inst_db *d = an->dbs; d; d = d->next)
        if (d->last_us < gone_before)
            out->n_instances_ignored++;

    out->items = dbp_arena_alloc(an->a, (an->n_groups + 1) * sizeof *out->items);
    for (struct group *g = an->groups; g; g = g->next) {
        struct dbp_store_index *ix = g->ix;
        double shortest = -1;
        int64_t since = 0;
        for (struct inst_run *r = g->runs; r; r = r->next) {
            int64_t db_last = inst_db_last(an, ix, r->instance);
            if (db_last < gone_before)
                continue; /* the instance went silent */
            if (r->last_us < db_last)
                continue; /* dropped there */
            ix->n_instances++;
            if (r->flags & DBP_IDX_REPLICA)
                ix->n_replicas++;
            ix->flags |= r->flags & (PROTECTED | DBP_IDX_REPLICA);
            if (r->size_bytes > ix->size_bytes)
                ix->size_bytes = r->size_bytes;
            if (r->last_use_us > ix->last_use_us) {
                ix->last_use_us = r->last_use_us;
                ix->last_use_instance = r->instance;
            }
            ix->n_resets += r->n_resets;
            ix->unobserved_days += r->unobserved_us / US_PER_DAY;
            if (r->no_counter)
                ix->no_counter_instance = r->instance;
            double days = (double)(r->last_us - r->run_start_us) / US_PER_DAY;
            if (shortest < 0 || days < shortest)
                shortest = days;
            if (r->run_start_us > since)
                since = r->run_start_us;
        }
        if (!ix->n_instances)
            continue; /* dropped everywhere, or only on silent instances */
        ix->unused_days = shortest;
        ix->unused_since_us = since;
        if (ix->no_counter_instance) {
            ix->verdict = DBP_VERDICT_NO_COUNTER;
            out->n_no_counter++;
        } else if (ix->unused_days >= an->min_days) {
            ix->reason = protect_reason(ix->engine, ix->flags);
            if (ix->reason) {
                ix->verdict = DBP_VERDICT_PROTECTED;
                out->n_protected++;
            } else {
                ix->verdict = DBP_VERDICT_UNUSED;
                out->n_unused++;
                if (ix->size_bytes > 0)
                    out->unused_bytes += ix->size_bytes;
            }
        } else if (ix->last_use_us) {
            ix->verdict = DBP_VERDICT_USED;
            out->n_used++;
        } else {
            ix->verdict = DBP_VERDICT_PENDING;
            ix->reason = protect_reason(ix->engine, ix->flags);
            out->n_pending++;
        }
        out->items[out->n++] = ix;
    }
    if (out->n)
        qsort(out->items, out->n, sizeof *out->items, result_cmp);
}

struct scan_arg {
    struct dbp_store_analyzer *an;
};

static int feed(void *arg, const struct dbp_store_sample *s)
{
    struct scan_arg *sa = arg;
    dbp_store_analyzer_add(sa->an, s);
    return 0;
}

int dbp_store_analyze(struct dbp_store *s, struct dbp_arena *a, int64_t now_us, double min_days,
                      struct dbp_store_result *out, struct dbp_error *err)
{
    struct scan_arg sa = {dbp_store_analyzer_new(a, now_us, min_days)};
    int rc = dbp_store_scan(s, feed, &sa, err);
    if (rc == DBP_OK)
        dbp_store_analyzer_finish(sa.an, out);
    dbp_store_analyzer_free(sa.an);
    return rc;
}
