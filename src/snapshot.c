/*
 * snapshot.c -- the common model's container (see include/dbperf/model.h):
 * statement classes (hashed by engine, database and normalized text), plans,
 * indexes, tables, sources, findings and diagnostics.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include <dbperf/arena.h>
#include <dbperf/driver.h>
#include <dbperf/fingerprint.h>
#include <dbperf/model.h>

#include "hash.h"
#include "session_int.h"

/* ---- names ------------------------------------------------------------ */

const char *dbp_engine_name(enum dbp_engine e)
{
    switch (e) {
    case DBP_ENGINE_POSTGRES:
        return "postgres";
    case DBP_ENGINE_MYSQL:
        return "mysql";
    case DBP_ENGINE_MONGODB:
        return "mongodb";
    default:
        return "unknown";
    }
}

enum dbp_engine dbp_engine_parse(const char *name)
{
    static const struct {
        const char *name;
        enum dbp_engine e;
    } names[] = {{"postgres", DBP_ENGINE_POSTGRES}, {"postgresql", DBP_ENGINE_POSTGRES},
                 {"pg", DBP_ENGINE_POSTGRES},       {"mysql", DBP_ENGINE_MYSQL},
                 {"mariadb", DBP_ENGINE_MYSQL},     {"mongodb", DBP_ENGINE_MONGODB},
                 {"mongo", DBP_ENGINE_MONGODB}};
    for (size_t i = 0; name && i < sizeof names / sizeof names[0]; i++)
        if (strcmp(name, names[i].name) == 0)
            return names[i].e;
    return DBP_ENGINE_UNKNOWN;
}

const char *dbp_stmt_source_name(enum dbp_stmt_source s)
{
    static const char *const names[] = {"log", "pg_stat_statements", "performance_schema",
                                        "profiler", "plan", "report"};
    return (unsigned)s < sizeof names / sizeof names[0] ? names[s] : "unknown";
}

const char *dbp_node_kind_name(enum dbp_node_kind k)
{
    static const char *const names[DBP_NODE_KIND_COUNT] = {
        "other",     "full-scan", "index-scan",  "index-only-scan", "bitmap-heap-scan",
        "fetch",     "join",      "sort",        "aggregate",       "limit",
        "hash",      "materialize", "append",    "gather",          "subquery",
        "modify",    "result"};
    return (unsigned)k < DBP_NODE_KIND_COUNT ? names[k] : "other";
}

const char *dbp_severity_name(enum dbp_severity s)
{
    switch (s) {
    case DBP_SEV_INFO:
        return "info";
    case DBP_SEV_WARNING:
        return "warning";
    case DBP_SEV_CRITICAL:
        return "critical";
    default:
        return "none";
    }
}

int dbp_severity_parse(const char *s)
{
    if (!s)
        return -1;
    if (strcmp(s, "none") == 0)
        return DBP_SEV_NONE;
    if (strcmp(s, "info") == 0)
        return DBP_SEV_INFO;
    if (strcmp(s, "warning") == 0)
        return DBP_SEV_WARNING;
    if (strcmp(s, "critical") == 0)
        return DBP_SEV_CRITICAL;
    return -1;
}

const char *dbp_verification_name(enum dbp_verification v)
{
    switch (v) {
    case DBP_VERIFY_HYPOPG:
        return "hypopg";
    case DBP_VERIFY_EXPLAIN:
        return "explain";
    case DBP_VERIFY_COUNTERS:
        return "counters";
    default:
        return "unverified";
    }
}

/* ---- vectors ---------------------------------------------------------- */

void dbp_vec_push(struct dbp_vec *v, void *p)
{
    if (v->n == v->cap) {
        v->cap = v->cap ? v->cap * 2 : 16;
        v->items = dbp_xrealloc(v->items, v->cap * sizeof *v->items);
    }
    v->items[v->n++] = p;
}

static void vec_free(struct dbp_vec *v)
{
    free(v->items);
    v->items = NULL;
    v->n = v->cap = 0;
}

/* ---- statement map ---------------------------------------------------- */

struct map_entry {
    uint64_t hash; /* 0 = empty */
    size_t len;
    struct dbp_stmt *st;
};

struct dbp_stmt_map {
    struct map_entry *slots;
    size_t cap; /* power of two */
    size_t n;
};

static uint64_t stmt_hash(enum dbp_engine engine, const char *db, const char *text, size_t len)
{
    uint64_t h = dbp_hash_bytes(text, len, (uint64_t)engine);
    if (db)
        h ^= dbp_hash_bytes(db, strlen(db), 0x5bd1e995u) * 31u;
    return h ? h : 1;
}

static int same_db(const char *a, const char *b)
{
    if (!a || !b)
        return a == b;
    return strcmp(a, b) == 0;
}

static void map_grow(struct dbp_stmt_map *m)
{
    size_t cap = m->cap ? m->cap * 2 : 1024;
    struct map_entry *slots = dbp_xcalloc(cap, sizeof *slots);
    for (size_t i = 0; i < m->cap; i++) {
        struct map_entry *e = &m->slots[i];
        if (!e->hash)
            continue;
        size_t j = e->hash & (cap - 1);
        while (slots[j].hash)
            j = (j + 1) & (cap - 1);
        slots[j] = *e;
    }
    free(m->slots);
    m->slots = slots;
    m->cap = cap;
}

struct dbp_stmt *dbp_snapshot_stmt(struct dbp_snapshot *snap, enum dbp_engine engine,
                                   const char *database, const char *text, size_t len)
{
    struct dbp_stmt_map *m = snap->map;
    if ((m->n + 1) * 4 > m->cap * 3)
        map_grow(m);
    len = strnlen(text, len); /* the text is kept as a C string: it ends at a NUL */
    uint64_t h = stmt_hash(engine, database, text, len);
    size_t j = h & (m->cap - 1);
    for (;; j = (j + 1) & (m->cap - 1)) {
        struct map_entry *e = &m->slots[j];
        if (!e->hash)
            break;
        if (e->hash == h && e->len == len && e->st->engine == engine &&
            memcmp(e->st->text, text, len) == 0 && same_db(e->st->database, database))
            return e->st;
    }
    struct dbp_stmt *st = dbp_arena_alloc(snap->arena, sizeof *st);
    st->engine = engine;
    st->database = dbp_arena_strdup(snap->arena, database);
    st->text = dbp_arena_strndup(snap->arena, text, len);
    st->fpid = dbp_fingerprint_id(text, len);
    st->agg.min_ms = NAN;
    st->agg.max_ms = NAN;
    st->agg.fixed_q_ms[0] = st->agg.fixed_q_ms[1] = st->agg.fixed_q_ms[2] = NAN;
    st->example_ms = NAN;
    st->index = snap->stmts.n;
    dbp_vec_push(&snap->stmts, st);
    m->slots[j].hash = h;
    m->slots[j].len = len;
    m->slots[j].st = st;
    m->n++;
    return st;
}

struct dbp_stmt *dbp_snapshot_find_fpid(const struct dbp_snapshot *snap, uint64_t fpid)
{
    for (size_t i = 0; i < snap->stmts.n; i++) {
        struct dbp_stmt *st = snap->stmts.items[i];
        if (st->fpid == fpid)
            return st;
    }
    return NULL;
}

/* ---- aggregates ------------------------------------------------------- */

void dbp_agg_add(struct dbp_agg *a, double ms, int64_t rows_examined, int64_t rows_returned,
                 int64_t ts_us)
{
    a->calls++;
    if (ms == ms) { /* not NaN */
        a->total_ms += ms;
        if (!(a->min_ms <= ms))
            a->min_ms = ms;
        if (!(a->max_ms >= ms))
            a->max_ms = ms;
        dbp_sketch_add(&a->sketch, ms);
        a->flags |= DBP_AGG_QUANTILES;
    }
    if (rows_examined >= 0) {
        a->rows_examined += (uint64_t)rows_examined;
        a->flags |= DBP_AGG_ROWS_EXAMINED;
    }
    if (rows_returned >= 0) {
        a->rows_returned += (uint64_t)rows_returned;
        a->flags |= DBP_AGG_ROWS_RETURNED;
    }
    if (ts_us) {
        if (!a->first_seen_us || ts_us < a->first_seen_us)
            a->first_seen_us = ts_us;
        if (ts_us > a->last_seen_us)
            a->last_seen_us = ts_us;
    }
}

double dbp_agg_mean_ms(const struct dbp_agg *a)
{
    return a->calls ? a->total_ms / (double)a->calls : NAN;
}

double dbp_agg_quantile_ms(const struct dbp_agg *a, double q)
{
    if (!(a->flags & DBP_AGG_QUANTILES)) {
        if (q == 0.5)
            return a->fixed_q_ms[0];
        if (q == 0.95)
            return a->fixed_q_ms[1];
        if (q == 0.99)
            return a->fixed_q_ms[2];
        return NAN;
    }
    double v = dbp_sketch_quantile(&a->sketch, q);
    /* the sketch's answer is within 1%; never report outside the exact range */
    if (v < a->min_ms)
        v = a->min_ms;
    if (v > a->max_ms)
        v = a->max_ms;
    return v;
}

void dbp_stmt_offer_example(struct dbp_snapshot *snap, struct dbp_stmt *st, const char *raw,
                            size_t len, double ms)
{
    if (st->example && !(ms > st->example_ms))
        return;
    st->example = dbp_arena_strndup(snap->arena, raw, len);
    st->example_ms = ms;
}

/* ---- plans, indexes, tables, sources, findings ------------------------ */

void dbp_snapshot_add_plan(struct dbp_snapshot *snap, struct dbp_plan *plan)
{
    dbp_vec_push(&snap->plans, plan);
    struct dbp_stmt *st = plan->stmt;
    if (!st)
        return;
    if (!st->plan)
        st->plan = plan;
    else if (plan->execution_ms > st->plan->execution_ms || !(st->plan->execution_ms >= 0))
        st->plan = plan;
}

struct dbp_plan_node *dbp_plan_node_new(struct dbp_snapshot *snap)
{
    struct dbp_plan_node *n = dbp_arena_alloc(snap->arena, sizeof *n);
    n->est_rows = n->act_rows = n->loops = NAN;
    n->startup_cost = n->total_cost = n->actual_ms = n->rows_examined = NAN;
    return n;
}

void dbp_plan_node_add_child(struct dbp_snapshot *snap, struct dbp_plan_node *parent,
                             struct dbp_plan_node *child)
{
    /* arena arrays grow by copying into a doubled array; sizes are small */
    size_t n = parent->n_children;
    if ((n & (n - 1)) == 0) { /* 0, 1, 2, 4, 8...: full */
        size_t cap = n ? n * 2 : 1;
        struct dbp_plan_node **c = dbp_arena_alloc(snap->arena, cap * sizeof *c);
        if (n)
            memcpy(c, parent->children, n * sizeof *c);
        parent->children = c;
    }
    parent->children[parent->n_children++] = child;
}

struct dbp_index *dbp_snapshot_add_index(struct dbp_snapshot *snap)
{
    struct dbp_index *ix = dbp_arena_alloc(snap->arena, sizeof *ix);
    ix->size_bytes = -1;
    ix->scans = -1;
    dbp_vec_push(&snap->indexes, ix);
    return ix;
}

struct dbp_table *dbp_snapshot_add_table(struct dbp_snapshot *snap)
{
    struct dbp_table *t = dbp_arena_alloc(snap->arena, sizeof *t);
    t->rows = t->size_bytes = t->seq_scans = t->seq_rows_read = t->idx_scans = -1;
    dbp_vec_push(&snap->tables, t);
    return t;
}

struct dbp_source *dbp_snapshot_add_source(struct dbp_snapshot *snap, const char *name,
                                           const char *type)
{
    struct dbp_source *s = dbp_arena_alloc(snap->arena, sizeof *s);
    s->name = dbp_arena_strdup(snap->arena, name);
    s->type = dbp_arena_strdup(snap->arena, type);
    dbp_vec_push(&snap->sources, s);
    return s;
}

struct dbp_finding *dbp_snapshot_add_finding(struct dbp_snapshot *snap)
{
    struct dbp_finding *f = dbp_arena_alloc(snap->arena, sizeof *f);
    f->benefit = NAN;
    dbp_vec_push(&snap->findings, f);
    return f;
}

void dbp_finding_add_evidence(struct dbp_snapshot *snap, struct dbp_finding *f, const char *key,
                              double value, const char *text)
{
    size_t n = f->n_evidence;
    struct dbp_evidence *e = dbp_arena_alloc(snap->arena, (n + 1) * sizeof *e);
    if (n)
        memcpy(e, f->evidence, n * sizeof *e);
    e[n].key = dbp_arena_strdup(snap->arena, key);
    e[n].value = value;
    e[n].text = dbp_arena_strdup(snap->arena, text);
    f->evidence = e;
    f->n_evidence = n + 1;
}

void dbp_snapshot_diag(struct dbp_snapshot *snap, const char *fmt, ...)
{
    snap->n_diags++;
    if (snap->diags.n >= DBP_MAX_DIAGS)
        return;
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    for (char *p = line; *p; p++)
        if ((unsigned char)*p < 0x20)
            *p = ' ';
    dbp_vec_push(&snap->diags, dbp_arena_strdup(snap->arena, line));
}

/* ---- merging the chunks of a split input ------------------------------ */

void dbp_agg_merge(struct dbp_agg *a, const struct dbp_agg *b)
{
    a->calls += b->calls;
    a->total_ms += b->total_ms;
    if (b->min_ms == b->min_ms && !(a->min_ms <= b->min_ms))
        a->min_ms = b->min_ms;
    if (b->max_ms == b->max_ms && !(a->max_ms >= b->max_ms))
        a->max_ms = b->max_ms;
    a->rows_examined += b->rows_examined;
    a->rows_returned += b->rows_returned;
    if (b->first_seen_us && (!a->first_seen_us || b->first_seen_us < a->first_seen_us))
        a->first_seen_us = b->first_seen_us;
    if (b->last_seen_us > a->last_seen_us)
        a->last_seen_us = b->last_seen_us;
    a->flags |= b->flags;
    dbp_sketch_merge(&a->sketch, &b->sketch);
}

/* "name:N..." with N + base when s names a line of name; s otherwise. */
static const char *shift_line(struct dbp_arena *a, const char *s, const char *name,
                              uint64_t base)
{
    if (!s || !name || !base)
        return s;
    size_t nl = strlen(name);
    if (strncmp(s, name, nl) != 0 || s[nl] != ':' || s[nl + 1] < '0' || s[nl + 1] > '9')
        return s;
    const char *e = s + nl + 1;
    unsigned long long n = 0;
    while (*e >= '0' && *e <= '9')
        n = n * 10 + (unsigned long long)(*e++ - '0');
    return dbp_arena_printf(a, "%.*s:%llu%s", (int)nl, s, n + base, e);
}

void dbp_snapshot_absorb(struct dbp_snapshot *snap, struct dbp_snapshot *part, const char *name,
                         uint64_t line_base, const char *carry_db)
{
    struct dbp_arena *a = snap->arena;
    struct dbp_stmt **map = dbp_xcalloc(part->stmts.n + 1, sizeof *map);
    for (size_t i = 0; i < part->stmts.n; i++) {
        struct dbp_stmt *ps = part->stmts.items[i];
        const char *db = ps->database;
        if (db && strcmp(db, DBP_CHUNK_UNKNOWN_DB) == 0)
            db = carry_db;
        size_t before = snap->stmts.n;
        struct dbp_stmt *m = dbp_snapshot_stmt(snap, ps->engine, db, ps->text, strlen(ps->text));
        if (m->index >= before) {
            m->source = ps->source;
            m->engine_id = ps->engine_id;
            m->engine_id_text = ps->engine_id_text;
        }
        if (!m->user)
            m->user = ps->user;
        if (!m->engine_id_text && ps->engine_id_text) {
            m->engine_id = ps->engine_id;
            m->engine_id_text = ps->engine_id_text;
        }
        /* as dbp_stmt_offer_example: the earlier one stays unless the later one is slower */
        if (ps->example && (!m->example || ps->example_ms > m->example_ms)) {
            m->example = ps->example;
            m->example_ms = ps->example_ms;
        }
        dbp_agg_merge(&m->agg, &ps->agg);
        dbp_sketch_reset(&ps->agg.sketch);
        map[ps->index] = m;
    }
    for (size_t i = 0; i < part->plans.n; i++) {
        struct dbp_plan *p = part->plans.items[i];
        if (p->stmt)
            p->stmt = map[p->stmt->index];
        p->origin = shift_line(a, p->origin, name, line_base);
        dbp_snapshot_add_plan(snap, p);
    }
    dbp_session_absorb(snap, part, map);
    for (size_t i = 0; i < part->indexes.n; i++)
        dbp_vec_push(&snap->indexes, part->indexes.items[i]);
    for (size_t i = 0; i < part->tables.n; i++)
        dbp_vec_push(&snap->tables, part->tables.items[i]);
    for (size_t i = 0; i < part->findings.n; i++)
        dbp_vec_push(&snap->findings, part->findings.items[i]);
    for (size_t i = 0; i < part->diags.n && snap->diags.n < DBP_MAX_DIAGS; i++)
        dbp_vec_push(&snap->diags, (void *)shift_line(a, part->diags.items[i], name, line_base));
    snap->n_diags += part->n_diags;
    free(map);

    dbp_arena_adopt(snap->arena, part->arena);
    part->arena = NULL;
    part->stmts.n = 0; /* sketches already moved */
    dbp_snapshot_free(part);
}

/* ---- lifetime --------------------------------------------------------- */

struct dbp_snapshot *dbp_snapshot_new(void)
{
    struct dbp_snapshot *snap = dbp_xcalloc(1, sizeof *snap);
    snap->arena = dbp_arena_new();
    snap->map = dbp_xcalloc(1, sizeof *snap->map);
    snap->burst_min_repeats = 5;
    snap->burst_max_gap_ms = 1000;
    struct timeval tv;
    gettimeofday(&tv, NULL);
    snap->created_us = (int64_t)tv.tv_sec * 1000000 + tv.tv_usec;
    return snap;
}

void dbp_snapshot_free(struct dbp_snapshot *snap)
{
    if (!snap)
        return;
    for (size_t i = 0; i < snap->stmts.n; i++) {
        struct dbp_stmt *st = snap->stmts.items[i];
        dbp_sketch_reset(&st->agg.sketch);
    }
    dbp_session_tracker_free(snap->sessions);
    if (snap->map)
        free(snap->map->slots);
    free(snap->map);
    vec_free(&snap->stmts);
    vec_free(&snap->plans);
    vec_free(&snap->indexes);
    vec_free(&snap->tables);
    vec_free(&snap->bursts);
    vec_free(&snap->findings);
    vec_free(&snap->sources);
    vec_free(&snap->diags);
    dbp_arena_free(snap->arena);
    free(snap);
}
