/*
 * test_rules.c -- unit tests of the engine-agnostic rules (src/rules/)
 * and their DDL text (src/ddl.c). Each test builds a snapshot directly,
 * runs dbp_rules_run with a config parsed from text, and checks what is
 * flagged and what is not.
 */
/* cmocka.h needs the headers before it */
/* clang-format off */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
/* clang-format on */

#include <dbperf/arena.h>
#include <dbperf/config.h>
#include <dbperf/error.h>
#include <dbperf/model.h>
#include <dbperf/rules.h>

#include "ddl.h"

#define DAY_US (86400LL * 1000000)

/* ---- helpers ---------------------------------------------------------- */

static struct dbp_config *config(const char *text)
{
    struct dbp_config *c = NULL;
    struct dbp_error err = {0};
    int rc = dbp_config_parse(text, strlen(text), "test.conf", &c, &err);
    if (rc != DBP_OK)
        fail_msg("config: %s", err.message);
    return c;
}

/* Run every rule with config text (NULL = defaults); asserts success. */
static void run_rules(struct dbp_snapshot *snap, const char *text)
{
    struct dbp_config *c = config(text ? text : "");
    struct dbp_error err = {0};
    int rc = dbp_rules_run(snap, c, &err);
    if (rc != DBP_OK)
        fail_msg("rules: %s", err.message);
    dbp_config_free(c);
}

static size_t count(const struct dbp_snapshot *snap, const char *rule)
{
    size_t n = 0;
    for (size_t i = 0; i < snap->findings.n; i++) {
        const struct dbp_finding *f = snap->findings.items[i];
        n += strcmp(f->rule, rule) == 0;
    }
    return n;
}

/* The i-th finding of rule in report order, or NULL. */
static const struct dbp_finding *nth(const struct dbp_snapshot *snap, const char *rule, size_t i)
{
    for (size_t k = 0; k < snap->findings.n; k++) {
        const struct dbp_finding *f = snap->findings.items[k];
        if (strcmp(f->rule, rule) == 0 && i-- == 0)
            return f;
    }
    return NULL;
}

static double evidence(const struct dbp_finding *f, const char *key)
{
    for (size_t i = 0; i < f->n_evidence; i++)
        if (strcmp(f->evidence[i].key, key) == 0)
            return f->evidence[i].value;
    return NAN;
}

static const char *evidence_text(const struct dbp_finding *f, const char *key)
{
    for (size_t i = 0; i < f->n_evidence; i++)
        if (strcmp(f->evidence[i].key, key) == 0)
            return f->evidence[i].text;
    return NULL;
}

#define assert_contains(hay, needle)                                                               \
    do {                                                                                           \
        const char *h_ = (hay);                                                                    \
        if (!h_ || !strstr(h_, (needle)))                                                          \
            fail_msg("expected \"%s\" in \"%s\"", (needle), h_ ? h_ : "(null)");                   \
    } while (0)

#define assert_not_contains(hay, needle)                                                           \
    do {                                                                                           \
        const char *h_ = (hay);                                                                    \
        if (h_ && strstr(h_, (needle)))                                                            \
            fail_msg("did not expect \"%s\" in \"%s\"", (needle), h_);                             \
    } while (0)

static struct dbp_stmt *stmt(struct dbp_snapshot *s, enum dbp_engine e, const char *db,
                             const char *text, uint64_t calls)
{
    struct dbp_stmt *st = dbp_snapshot_stmt(s, e, db, text, strlen(text));
    st->agg.calls = calls;
    st->agg.total_ms = (double)calls;
    return st;
}

static struct dbp_table *table(struct dbp_snapshot *s, enum dbp_engine e, const char *db,
                               const char *schema, const char *name, int64_t rows, int64_t bytes)
{
    struct dbp_table *t = dbp_snapshot_add_table(s);
    t->engine = e;
    t->database = db;
    t->schema = schema;
    t->name = name;
    t->rows = rows;
    t->size_bytes = bytes;
    return t;
}

/* A full-scan node; preds given as "col=", "col~" (range), "col@" (IN), "col?" (other). */
static struct dbp_plan_node *scan(struct dbp_snapshot *s, enum dbp_node_kind kind,
                                  const char *schema, const char *rel, const char *preds)
{
    struct dbp_plan_node *n = dbp_plan_node_new(s);
    n->kind = kind;
    n->relation = rel;
    n->schema = schema;
    n->engine_name = "Seq Scan";
    if (preds && *preds) {
        size_t cnt = 1;
        for (const char *p = preds; *p; p++)
            cnt += *p == ',';
        n->preds = dbp_arena_alloc(s->arena, cnt * sizeof *n->preds);
        const char *p = preds;
        while (*p) {
            const char *end = strchr(p, ',');
            size_t len = end ? (size_t)(end - p) : strlen(p);
            char op = p[len - 1];
            n->preds[n->n_preds].column = dbp_arena_strndup(s->arena, p, len - 1);
            n->preds[n->n_preds].op = op == '='   ? DBP_PRED_EQ
                                      : op == '~' ? DBP_PRED_RANGE
                                      : op == '@' ? DBP_PRED_IN
                                                  : DBP_PRED_OTHER;
            n->n_preds++;
            p += len;
            if (*p == ',')
                p++;
        }
        n->condition = "(...)";
    }
    return n;
}

static struct dbp_plan *plan(struct dbp_snapshot *s, enum dbp_engine e, struct dbp_stmt *st,
                             struct dbp_plan_node *root)
{
    struct dbp_plan *p = dbp_arena_alloc(s->arena, sizeof *p);
    p->engine = e;
    p->format = "test";
    p->origin = "test:1";
    p->planning_ms = p->execution_ms = NAN;
    p->root = root;
    p->stmt = st;
    dbp_snapshot_add_plan(s, p);
    return p;
}

static struct dbp_plan_node *sort_over(struct dbp_snapshot *s, struct dbp_plan_node *child,
                                       const char *col, bool desc)
{
    struct dbp_plan_node *n = dbp_plan_node_new(s);
    n->kind = DBP_NODE_SORT;
    n->sort_keys = dbp_arena_alloc(s->arena, sizeof *n->sort_keys);
    n->sort_keys[0].column = col;
    n->sort_keys[0].desc = desc;
    n->n_sort_keys = 1;
    dbp_plan_node_add_child(s, n, child);
    return n;
}

/* An index; cols separated by ','. */
static struct dbp_index *index_(struct dbp_snapshot *s, enum dbp_engine e, const char *db,
                                const char *schema, const char *tbl, const char *name,
                                const char *cols, unsigned flags, int64_t bytes, int64_t scans)
{
    struct dbp_index *ix = dbp_snapshot_add_index(s);
    ix->engine = e;
    ix->instance = "db1:5432";
    ix->database = db;
    ix->schema = schema;
    ix->table = tbl;
    ix->name = name;
    ix->flags = flags;
    ix->size_bytes = bytes;
    ix->scans = scans;
    ix->counter_since_us = s->created_us - 30 * DAY_US;
    size_t cnt = 1;
    for (const char *p = cols; *p; p++)
        cnt += *p == ',';
    ix->columns = dbp_arena_alloc(s->arena, cnt * sizeof *ix->columns);
    const char *p = cols;
    for (;;) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        ix->columns[ix->n_columns++] = dbp_arena_strndup(s->arena, p, len);
        if (!end)
            break;
        p = end + 1;
    }
    return ix;
}

#define PG DBP_ENGINE_POSTGRES
#define MY DBP_ENGINE_MYSQL
#define MG DBP_ENGINE_MONGODB

/* ---- seq-scan --------------------------------------------------------- */

static void t_seq_scan_flags_large_relation_once(void **state)
{
    (void)state;
    struct dbp_snapshot *s = dbp_snapshot_new();
    table(s, PG, "shop", "public", "orders", 1000000, 100LL << 20);
    table(s, PG, "shop", "public", "small", 500, 8192);
    struct dbp_stmt *a = stmt(s, PG, "shop", "SELECT * FROM orders WHERE customer_id = $1", 100);
    struct dbp_stmt *b = stmt(s, PG, "shop", "SELECT * FROM orders WHERE status = $1", 3);
    struct dbp_stmt *c = stmt(s, PG, "shop", "SELECT * FROM small WHERE x = $1", 1000);
    plan(s, PG, a, scan(s, DBP_NODE_FULL_SCAN, "public", "orders", "customer_id="));
    plan(s, PG, b, scan(s, DBP_NODE_FULL_SCAN, "public", "orders", "status="));
    plan(s, PG, c, scan(s, DBP_NODE_FULL_SCAN, "public", "small", "x="));
    /* an index scan of the big table is not a full scan */
    plan(s, PG, a, scan(s, DBP_NODE_INDEX_SCAN, "public", "orders", "customer_id="));
    run_rules(s, NULL);
    assert_int_equal(count(s, "seq-scan"), 1);
    const struct dbp_finding *f = nth(s, "seq-scan", 0);
    assert_string_equal(f->object, "public.orders");
    assert_int_equal(f->severity, DBP_SEV_WARNING);
    assert_int_equal(f->engine, PG);
    assert_contains(f->message, "1.0M rows, 100 MB");
    assert_contains(f->message, "customer_id, status");
    assert_contains(f->message, "2 statements");
    assert_true(evidence(f, "rows_read") == 1e6 * 100 + 1e6 * 3);
    assert_true(evidence(f, "statements") == 2);
    assert_true(f->fpid == a->fpid); /* the statement reading the most */
    dbp_snapshot_free(s);
}

static void t_seq_scan_threshold_and_order(void **state)
{
    (void)state;
    struct dbp_snapshot *s = dbp_snapshot_new();
    table(s, PG, "shop", "public", "small", 500, 8192);
    table(s, PG, "shop", "public", "mid", 2000, 65536);
    struct dbp_stmt *a = stmt(s, PG, "shop", "SELECT * FROM small WHERE x = $1", 10);
    struct dbp_stmt *b = stmt(s, PG, "shop", "SELECT * FROM mid WHERE x = $1", 10);
    plan(s, PG, a, scan(s, DBP_NODE_FULL_SCAN, "public", "small", "x="));
    plan(s, PG, b, scan(s, DBP_NODE_FULL_SCAN, "public", "mid", "x="));
    run_rules(s, "[rule.seq-scan]\nmin_rows = 100\n");
    assert_int_equal(count(s, "seq-scan"), 2);
    /* worst first: mid reads 20,000 rows, small 5,000 */
    assert_string_equal(nth(s, "seq-scan", 0)->object, "public.mid");
    assert_string_equal(nth(s, "seq-scan", 1)->object, "public.small");
    dbp_snapshot_free(s);

    s = dbp_snapshot_new();
    table(s, PG, "shop", "public", "mid", 2000, 65536);
    b = stmt(s, PG, "shop", "SELECT * FROM mid WHERE x = $1", 10);
    plan(s, PG, b, scan(s, DBP_NODE_FULL_SCAN, "public", "mid", "x="));
    run_rules(s, "[rule.seq-scan]\nmin_rows = 2001\n");
    assert_int_equal(count(s, "seq-scan"), 0);
    dbp_snapshot_free(s);
}

static void t_seq_scan_without_table_stats_and_no_filter(void **state)
{
    (void)state;
    struct dbp_snapshot *s = dbp_snapshot_new();
    /* no table row: the plan's rows read decide */
    struct dbp_stmt *a = stmt(s, PG, "shop", "SELECT * FROM events WHERE kind = $1", 1);
    struct dbp_plan_node *n = scan(s, DBP_NODE_FULL_SCAN, "public", "events", "kind=");
    n->act_rows = 12;
    n->rows_examined = 50000;
    n->loops = 1;
    plan(s, PG, a, n);
    /* a scan with no filter reads every row on purpose: info */
    struct dbp_stmt *b = stmt(s, PG, "shop", "SELECT count(*) FROM audit", 2);
    struct dbp_plan_node *m = scan(s, DBP_NODE_FULL_SCAN, "public", "audit", NULL);
    m->est_rows = 80000;
    plan(s, PG, b, m);
    run_rules(s, NULL);
    assert_int_equal(count(s, "seq-scan"), 2);
    const struct dbp_finding *f = nth(s, "seq-scan", 0);
    assert_string_equal(f->object, "public.events");
    assert_int_equal(f->severity, DBP_SEV_WARNING);
    assert_contains(f->message, "keeps 0.024% of the rows");
    const struct dbp_finding *g = nth(s, "seq-scan", 1);
    assert_string_equal(g->object, "public.audit");
    assert_int_equal(g->severity, DBP_SEV_INFO);
    assert_contains(g->message, "with no filter");
    dbp_snapshot_free(s);
}

static struct dbp_plan_node *over(struct dbp_snapshot *s, enum dbp_node_kind kind,
                                  struct dbp_plan_node *a, struct dbp_plan_node *b)
{
    struct dbp_plan_node *n = dbp_plan_node_new(s);
    n->kind = kind;
    dbp_plan_node_add_child(s, n, a);
    if (b)
        dbp_plan_node_add_child(s, n, b);
    return n;
}

static void t_seq_scan_joins_parallel_and_kept_fraction(void **state)
{
    (void)state;
    struct dbp_snapshot *s = dbp_snapshot_new();
    table(s, PG, "shop", "public", "a", 100000, -1);
    table(s, PG, "shop", "public", "b", 200000, -1);
    table(s, PG, "shop", "public", "c", 300000, -1);
    table(s, PG, "shop", "public", "d", 400000, -1);
    /* hash join of two whole tables: neither input is reported */
    struct dbp_stmt *q1 = stmt(s, PG, "shop", "SELECT * FROM a JOIN b USING (id)", 1);
    plan(s, PG, q1,
         over(s, DBP_NODE_JOIN, scan(s, DBP_NODE_FULL_SCAN, "public", "a", NULL),
              over(s, DBP_NODE_HASH, scan(s, DBP_NODE_FULL_SCAN, "public", "b", NULL), NULL)));
    /* nested loop rescanning c for each outer row: reported, warning */
    struct dbp_stmt *q2 = stmt(s, PG, "shop", "SELECT * FROM x JOIN c ON c.k = x.k", 1);
    struct dbp_plan_node *inner = scan(s, DBP_NODE_FULL_SCAN, "public", "c", NULL);
    inner->loops = 40;
    struct dbp_plan_node *outer = scan(s, DBP_NODE_INDEX_SCAN, "public", "x", "k=");
    plan(s, PG, q2, over(s, DBP_NODE_JOIN, outer, inner));
    /* a parallel scan under Gather: 3 loops are 3 workers sharing one read */
    struct dbp_stmt *q3 = stmt(s, PG, "shop", "SELECT * FROM d WHERE v > $1", 1);
    struct dbp_plan_node *par = scan(s, DBP_NODE_FULL_SCAN, "public", "d", "v~");
    par->loops = 3;
    par->act_rows = 100000; /* per worker */
    par->rows_examined = 133333;
    plan(s, PG, q3, over(s, DBP_NODE_GATHER, par, NULL));
    run_rules(s, NULL);
    assert_int_equal(count(s, "seq-scan"), 2);
    const struct dbp_finding *f = nth(s, "seq-scan", 0);
    assert_string_equal(f->object, "public.c");
    assert_int_equal(f->severity, DBP_SEV_WARNING);
    assert_contains(f->message, "rescanned 40 times per execution by a nested loop");
    assert_true(evidence(f, "rows_read") == 300000.0 * 40);
    const struct dbp_finding *g = nth(s, "seq-scan", 1);
    assert_string_equal(g->object, "public.d");
    assert_true(evidence(g, "rows_read") == 400000); /* not x 3 */
    /* its filter keeps 75% of the rows: an index would not help */
    assert_int_equal(g->severity, DBP_SEV_INFO);
    assert_contains(g->message, "the filter keeps most rows");
    /* a missing-index candidate is not made for it either */
    assert_int_equal(count(s, "missing-index"), 0);
    s->findings.n = 0;
    run_rules(s, "[rule.seq-scan]\nmax_kept_fraction = 80%\n");
    g = nth(s, "seq-scan", 1); /* both warnings now: c reads more */
    assert_string_equal(g->object, "public.d");
    assert_int_equal(g->severity, DBP_SEV_WARNING);
    dbp_snapshot_free(s);
}

static void t_seq_scan_table_counters(void **state)
{
    (void)state;
    struct dbp_snapshot *s = dbp_snapshot_new();
    struct dbp_table *a = table(s, PG, "shop", "public", "audit", 50000, 8LL << 20);
    a->seq_scans = 500;
    a->seq_rows_read = 500LL * 50000;
    a->idx_scans = 20;
    /* few scans (a nightly dump) / small reads / explained by a plan: not reported */
    struct dbp_table *b = table(s, PG, "shop", "public", "dumped", 900000, -1);
    b->seq_scans = 7;
    b->seq_rows_read = 7LL * 900000;
    struct dbp_table *c = table(s, PG, "shop", "public", "lookup", 900000, -1);
    c->seq_scans = 5000;
    c->seq_rows_read = 5000LL * 100;
    struct dbp_table *d = table(s, PG, "shop", "public", "orders", 1000000, -1);
    d->seq_scans = 900;
    d->seq_rows_read = 900LL * 1000000;
    struct dbp_stmt *q = stmt(s, PG, "shop", "SELECT * FROM orders WHERE x = $1", 900);
    plan(s, PG, q, scan(s, DBP_NODE_FULL_SCAN, "public", "orders", "x="));
    run_rules(s, NULL);
    assert_int_equal(count(s, "seq-scan"), 2);
    const struct dbp_finding *f = nth(s, "seq-scan", 0);
    assert_string_equal(f->object, "public.orders"); /* the plan's finding, worst */
    assert_true(evidence(f, "statements") == 1);
    f = nth(s, "seq-scan", 1);
    assert_string_equal(f->object, "public.audit");
    assert_contains(f->message, "500 full scans read ~25.0M rows since the counters started, "
                                "against 20 index scans");
    s->findings.n = 0;
    run_rules(s, "[rule.seq-scan]\nmin_table_seq_scans = 5\n");
    assert_int_equal(count(s, "seq-scan"), 3);
    dbp_snapshot_free(s);
}

static void t_seq_scan_mongo_and_aggregate_hint(void **state)
{
    (void)state;
    struct dbp_snapshot *s = dbp_snapshot_new();
    struct dbp_stmt *q = stmt(s, MG, "shop", "{\"find\":\"orders\",\"filter\":{\"sku\":\"?\"}}", 7);
    struct dbp_plan_node *n = scan(s, DBP_NODE_FULL_SCAN, "shop", "orders", "sku=");
    n->engine_name = "COLLSCAN";
    n->rows_examined = 300000;
    n->act_rows = 3;
    plan(s, MG, q, n);
    /* MySQL digest: 5M rows examined over 10 calls for 10 rows sent */
    struct dbp_stmt *m = stmt(s, MY, "shop", "SELECT * FROM t WHERE a = ?", 10);
    m->agg.rows_examined = 5000000;
    m->agg.rows_returned = 10;
    m->agg.flags = DBP_AGG_ROWS_EXAMINED | DBP_AGG_ROWS_RETURNED;
    /* examined close to returned: fine */
    struct dbp_stmt *ok = stmt(s, MY, "shop", "SELECT * FROM t WHERE b = ?", 10);
    ok->agg.rows_examined = 5000000;
    ok->agg.rows_returned = 2500000;
    ok->agg.flags = DBP_AGG_ROWS_EXAMINED | DBP_AGG_ROWS_RETURNED;
    /* rows examined unknown: no hint */
    struct dbp_stmt *unk = stmt(s, MY, "shop", "SELECT * FROM t WHERE c = ?", 10);
    unk->agg.rows_examined = 5000000;
    unk->agg.flags = DBP_AGG_ROWS_EXAMINED;
    /* a statement already explained by its plan: no second finding */
    q->agg.rows_examined = 7 * 300000;
    q->agg.rows_returned = 21;
    q->agg.flags = DBP_AGG_ROWS_EXAMINED | DBP_AGG_ROWS_RETURNED;
    run_rules(s, NULL);
    assert_int_equal(count(s, "seq-scan"), 2);
    const struct dbp_finding *f = nth(s, "seq-scan", 0);
    assert_int_equal(f->engine, MY);
    assert_true(f->fpid == m->fpid);
    assert_contains(f->message,
                    "examines 500,000 rows per call to return 1 (500,000:1) over 10 calls");
    const struct dbp_finding *g = nth(s, "seq-scan", 1);
    assert_string_equal(g->object, "shop.orders");
    assert_int_equal(g->engine, MG);
    assert_contains(g->message, "sku");
    /* the ratio threshold */
    dbp_snapshot_free(s);
    s = dbp_snapshot_new();
    m = stmt(s, MY, "shop", "SELECT * FROM t WHERE a = ?", 10);
    m->agg.rows_examined = 5000000;
    m->agg.rows_returned = 10;
    m->agg.flags = DBP_AGG_ROWS_EXAMINED | DBP_AGG_ROWS_RETURNED;
    run_rules(s, "[rule.seq-scan]\nmin_examined_ratio = 1000000\n");
    assert_int_equal(count(s, "seq-scan"), 0);
    dbp_snapshot_free(s);
}

/* ---- missing-index ---------------------------------------------------- */

static void t_missing_index_esr_candidate(void **state)
{
    (void)state;
    struct dbp_snapshot *s = dbp_snapshot_new();
    table(s, PG, "shop", "public", "orders", 1000000, 100LL << 20);
    struct dbp_stmt *a = stmt(s, PG, "shop",
                              "SELECT * FROM orders WHERE created_at > $1 AND customer_id = $2 "
                              "AND status IN ($3, $4) ORDER BY created_at DESC",
                              50);
    struct dbp_plan_node *n =
        scan(s, DBP_NODE_FULL_SCAN, "public", "orders", "created_at~,customer_id=,status@");
    n->est_rows = 20;
    plan(s, PG, a, sort_over(s, n, "orders.created_at", true));
    size_t n_indexes = s->indexes.n;
    run_rules(s, NULL);
    assert_int_equal(count(s, "missing-index"), 1);
    const struct dbp_finding *f = nth(s, "missing-index", 0);
    assert_non_null(f->candidate);
    assert_int_equal(s->indexes.n, n_indexes); /* not added to the snapshot's indexes */
    assert_int_equal(f->candidate->n_columns, 3);
    assert_string_equal(f->candidate->columns[0], "customer_id");
    assert_string_equal(f->candidate->columns[1], "status");
    assert_string_equal(f->candidate->columns[2], "created_at DESC");
    assert_string_equal(f->candidate->table, "orders");
    assert_string_equal(f->candidate->schema, "public");
    assert_string_equal(f->candidate->database, "shop");
    assert_int_equal(f->candidate->engine, PG);
    assert_ptr_equal(f->candidate_stmt, a);
    assert_int_equal(f->verified, DBP_VERIFY_NONE);
    assert_contains(f->verify_note, "unverified: ");
    assert_string_equal(f->suggestion,
                        "CREATE INDEX CONCURRENTLY orders_customer_id_status_created_at_idx ON "
                        "public.orders (customer_id, status, created_at DESC);");
    assert_contains(f->message, "equality on customer_id, status, sort on created_at DESC");
    dbp_snapshot_free(s);
}

static void t_missing_index_not_flagged(void **state)
{
    (void)state;
    struct dbp_snapshot *s = dbp_snapshot_new();
    table(s, PG, "shop", "public", "orders", 1000000, 100LL << 20);
    table(s, PG, "shop", "public", "tiny", 100, 8192);
    /* served by the leading columns of an existing index */
    struct dbp_stmt *a = stmt(s, PG, "shop", "SELECT 1 FROM orders WHERE customer_id = $1", 5);
    plan(s, PG, a, scan(s, DBP_NODE_FULL_SCAN, "public", "orders", "customer_id="));
    index_(s, PG, "shop", "public", "orders", "orders_cust_created", "customer_id,created_at", 0,
           1 << 20, 10);
    /* a small table */
    struct dbp_stmt *b = stmt(s, PG, "shop", "SELECT 1 FROM tiny WHERE x = $1", 5);
    plan(s, PG, b, scan(s, DBP_NODE_FULL_SCAN, "public", "tiny", "x="));
    /* only conditions an index cannot serve */
    struct dbp_stmt *c = stmt(s, PG, "shop", "SELECT 1 FROM orders WHERE note ~ $1", 5);
    plan(s, PG, c, scan(s, DBP_NODE_FULL_SCAN, "public", "orders", "note?"));
    /* the filter keeps half the table */
    struct dbp_stmt *d = stmt(s, PG, "shop", "SELECT 1 FROM orders WHERE paid = $1", 5);
    struct dbp_plan_node *n = scan(s, DBP_NODE_FULL_SCAN, "public", "orders", "paid=");
    n->act_rows = 500000;
    n->rows_examined = 1000000;
    plan(s, PG, d, n);
    run_rules(s, NULL);
    assert_int_equal(count(s, "missing-index"), 0);
    /* but seq-scan still reports the relation */
    assert_int_equal(count(s, "seq-scan"), 1);
    dbp_snapshot_free(s);
}

static void t_missing_index_partial_cover_and_merge(void **state)
{
    (void)state;
    struct dbp_snapshot *s = dbp_snapshot_new();
    table(s, PG, "shop", "public", "orders", 1000000, 100LL << 20);
    /* an index on status alone does not serve customer_id lookups */
    index_(s, PG, "shop", "public", "orders", "orders_status", "status", 0, 1 << 20, 10);
    /* an index whose leading columns match, but partial: not a cover */
    struct dbp_index *p = index_(s, PG, "shop", "public", "orders", "orders_cust_open",
                                 "customer_id,created_at", DBP_IDX_PARTIAL, 1 << 20, 10);
    p->predicate = "status = 'open'";
    struct dbp_stmt *a = stmt(s, PG, "shop", "SELECT 1 FROM orders WHERE customer_id = $1", 5);
    struct dbp_stmt *b =
        stmt(s, PG, "shop", "SELECT 1 FROM orders WHERE customer_id = $1 AND created_at < $2", 7);
    plan(s, PG, a, scan(s, DBP_NODE_FULL_SCAN, "public", "orders", "customer_id="));
    plan(s, PG, b,
         scan(s, DBP_NODE_FULL_SCAN, "public", "orders", "customer_id=,created_at~,total~"));
    run_rules(s, NULL);
    /* (customer_id) is a left prefix of (customer_id, created_at): one finding */
    assert_int_equal(count(s, "missing-index"), 1);
    const struct dbp_finding *f = nth(s, "missing-index", 0);
    assert_int_equal(f->candidate->n_columns, 2); /* one range column only */
    assert_string_equal(f->candidate->columns[1], "created_at");
    assert_true(evidence(f, "statements") == 2);
    assert_true(evidence(f, "calls") == 12);
    assert_ptr_equal(f->candidate_stmt, b);
    dbp_snapshot_free(s);

    /* max_columns from the config */
    s = dbp_snapshot_new();
    table(s, PG, "shop", "public", "orders", 1000000, 100LL << 20);
    b = stmt(s, PG, "shop", "SELECT 1 FROM orders WHERE a = $1 AND b = $2 AND c > $3", 7);
    plan(s, PG, b, scan(s, DBP_NODE_FULL_SCAN, "public", "orders", "a=,b=,c~"));
    run_rules(s, "[rule.missing-index]\nmax_columns = 2\n");
    f = nth(s, "missing-index", 0);
    assert_non_null(f);
    assert_int_equal(f->candidate->n_columns, 2);
    assert_string_equal(f->candidate->columns[1], "b");
    dbp_snapshot_free(s);
}

static void t_missing_index_index_scan_with_filter(void **state)
{
    (void)state;
    struct dbp_snapshot *s = dbp_snapshot_new();
    table(s, PG, "shop", "public", "orders", 1000000, 100LL << 20);
    index_(s, PG, "shop", "public", "orders", "orders_status", "status", 0, 1 << 20, 10);
    /* the index finds 50,000 rows of a status, the filter keeps 3 */
    struct dbp_stmt *a =
        stmt(s, PG, "shop", "SELECT 1 FROM orders WHERE status = $1 AND customer_id = $2", 20);
    struct dbp_plan_node *n = scan(s, DBP_NODE_INDEX_SCAN, "public", "orders", "customer_id=");
    n->index = "orders_status";
    n->index_preds = dbp_arena_alloc(s->arena, sizeof *n->index_preds);
    n->index_preds[0] = (struct dbp_pred){"status", DBP_PRED_EQ};
    n->n_index_preds = 1;
    n->rows_examined = 50000;
    n->act_rows = 3;
    n->loops = 1;
    plan(s, PG, a, n);
    /* not: the filter keeps most rows / too few rows read / rows read unknown */
    struct dbp_stmt *b =
        stmt(s, PG, "shop", "SELECT 1 FROM orders WHERE status = $1 AND x = $2", 2);
    struct dbp_plan_node *m = scan(s, DBP_NODE_INDEX_SCAN, "public", "orders", "x=");
    m->index = "orders_status";
    m->rows_examined = 50000;
    m->act_rows = 40000;
    plan(s, PG, b, m);
    struct dbp_stmt *c =
        stmt(s, PG, "shop", "SELECT 1 FROM orders WHERE status = $1 AND y = $2", 2);
    struct dbp_plan_node *o = scan(s, DBP_NODE_INDEX_SCAN, "public", "orders", "y=");
    o->rows_examined = 500;
    o->act_rows = 1;
    plan(s, PG, c, o);
    struct dbp_stmt *d =
        stmt(s, PG, "shop", "SELECT 1 FROM orders WHERE status = $1 AND z = $2", 2);
    plan(s, PG, d, scan(s, DBP_NODE_INDEX_SCAN, "public", "orders", "z="));
    run_rules(s, NULL);
    assert_int_equal(count(s, "missing-index"), 1);
    const struct dbp_finding *f = nth(s, "missing-index", 0);
    assert_int_equal(f->candidate->n_columns, 2);
    assert_string_equal(f->candidate->columns[0], "status");
    assert_string_equal(f->candidate->columns[1], "customer_id");
    assert_contains(f->message, "would replace orders_status, whose filter discards");
    assert_true(evidence(f, "rows_read") == 50000.0 * 20);
    assert_int_equal(count(s, "seq-scan"), 0); /* no full scan */
    dbp_snapshot_free(s);

    /* MongoDB: FETCH {filter: {status}} over IXSCAN {customer: 1}, 20,000 docs for 2 */
    s = dbp_snapshot_new();
    index_(s, MG, "shop", NULL, "orders", "customer_1", "customer", 0, -1, 5);
    struct dbp_stmt *q = stmt(s, MG, "shop", "{\"find\":\"orders\"}", 4);
    struct dbp_plan_node *ixs = scan(s, DBP_NODE_INDEX_SCAN, "shop", "orders", NULL);
    ixs->index = "customer_1";
    ixs->index_preds = dbp_arena_alloc(s->arena, sizeof *ixs->index_preds);
    ixs->index_preds[0] = (struct dbp_pred){"customer", DBP_PRED_EQ};
    ixs->n_index_preds = 1;
    ixs->act_rows = 20000;
    struct dbp_plan_node *fetch = scan(s, DBP_NODE_FETCH, "shop", "orders", "status=");
    fetch->act_rows = 2;
    dbp_plan_node_add_child(s, fetch, ixs);
    plan(s, MG, q, fetch);
    run_rules(s, NULL);
    assert_int_equal(count(s, "missing-index"), 1);
    f = nth(s, "missing-index", 0);
    assert_string_equal(f->suggestion, "db.orders.createIndex({customer: 1, status: 1})");
    assert_contains(f->message, "would replace customer_1");
    dbp_snapshot_free(s);
}

static void t_missing_index_engines(void **state)
{
    (void)state;
    struct dbp_snapshot *s = dbp_snapshot_new();
    /* PostgreSQL partitioned parent: no CONCURRENTLY */
    struct dbp_table *t = table(s, PG, "shop", "public", "events", 5000000, 1LL << 30);
    t->flags = DBP_TBL_PARTITIONED;
    struct dbp_stmt *a = stmt(s, PG, "shop", "SELECT 1 FROM events WHERE device_id = $1", 5);
    plan(s, PG, a, scan(s, DBP_NODE_FULL_SCAN, "public", "events", "device_id="));
    /* MySQL */
    table(s, MY, "shop", NULL, "orders", 200000, -1);
    struct dbp_stmt *b = stmt(s, MY, "shop", "SELECT * FROM orders WHERE `order` = ?", 5);
    plan(s, MY, b, scan(s, DBP_NODE_FULL_SCAN, "shop", "orders", "order=,ts~"));
    /* MongoDB: equality, then sort */
    struct dbp_stmt *c = stmt(s, MG, "shop", "{\"find\":\"orders\"}", 5);
    struct dbp_plan_node *n = scan(s, DBP_NODE_FULL_SCAN, "shop", "orders", "customer.id=");
    n->rows_examined = 40000;
    n->act_rows = 4;
    plan(s, MG, c, sort_over(s, n, "created_at", true));
    run_rules(s, NULL);
    assert_int_equal(count(s, "missing-index"), 3);
    const struct dbp_finding *pg = NULL, *my = NULL, *mg = NULL;
    for (size_t i = 0; i < 3; i++) {
        const struct dbp_finding *f = nth(s, "missing-index", i);
        if (f->engine == PG)
            pg = f;
        else if (f->engine == MY)
            my = f;
        else
            mg = f;
    }
    assert_non_null(pg);
    assert_non_null(my);
    assert_non_null(mg);
    assert_string_equal(pg->suggestion,
                        "CREATE INDEX events_device_id_idx ON public.events (device_id);");
    assert_contains(evidence_text(pg, "ddl_note"), "ON ONLY public.events");
    assert_contains(evidence_text(pg, "ddl_note"), "ATTACH PARTITION");
    assert_string_equal(my->suggestion, "ALTER TABLE shop.orders ADD INDEX orders_order_ts_idx "
                                        "(`order`, ts), ALGORITHM=INPLACE, LOCK=NONE;");
    assert_contains(my->verify_note, "unverified: MySQL");
    assert_string_equal(my->candidate->database, "shop");
    assert_null(my->candidate->schema);
    assert_string_equal(mg->suggestion,
                        "db.orders.createIndex({\"customer.id\": 1, created_at: -1})");
    dbp_snapshot_free(s);
}

/* Columns a driver saw the statement filter n's relation on (same notation as scan()). */
static void observe(struct dbp_snapshot *s, struct dbp_plan_node *n, const char *preds)
{
    struct dbp_plan_node *tmp = scan(s, DBP_NODE_FULL_SCAN, NULL, "x", preds);
    n->observed_preds = tmp->preds;
    n->n_observed_preds = tmp->n_preds;
    n->observed_from = "pg_qualstats";
}

static const struct dbp_finding *missing_on(const struct dbp_snapshot *s, const char *table)
{
    for (size_t i = 0; i < s->findings.n; i++) {
        const struct dbp_finding *f = s->findings.items[i];
        if (strcmp(f->rule, "missing-index") == 0 && f->candidate &&
            strcmp(f->candidate->table, table) == 0)
            return f;
    }
    return NULL;
}

static void t_missing_index_observed_preds(void **state)
{
    (void)state;
    struct dbp_snapshot *s = dbp_snapshot_new();
    const char *const names[] = {"t1", "t2", "t3", "t4", "t5", "t6"};
    struct dbp_plan_node *n[6];
    for (size_t i = 0; i < 6; i++) {
        table(s, PG, "shop", "public", names[i], 1000000, 100LL << 20);
        char text[64];
        snprintf(text, sizeof text, "SELECT * FROM %s WHERE ...", names[i]);
        struct dbp_stmt *st = stmt(s, PG, "shop", text, 10);
        static const char *const plan_preds[] = {"a=", "c?", "x=,y~", "p~,q~", "z=", ""};
        n[i] = scan(s, DBP_NODE_FULL_SCAN, "public", names[i], plan_preds[i]);
        plan(s, PG, st, n[i]);
    }
    /* observed columns first, and one the plan's text lacks added */
    observe(s, n[0], "b=,a=");
    /* the plan shows c under an OR (other): the plan decides, no candidate */
    observe(s, n[1], "c=");
    /* y from the plan alone */
    observe(s, n[2], "x=");
    /* of two ranges, the observed one */
    observe(s, n[3], "q~");
    /* t5: no observed columns */
    /* covered by the leading column of an existing index: not suggested */
    observe(s, n[5], "k=");
    index_(s, PG, "shop", "public", "t6", "t6_k_idx", "k,m", 0, 1 << 20, 10);
    run_rules(s, NULL);
    assert_int_equal(count(s, "missing-index"), 4);

    const struct dbp_finding *f = missing_on(s, "t1");
    assert_non_null(f);
    assert_int_equal(f->candidate->n_columns, 2);
    assert_string_equal(f->candidate->columns[0], "b");
    assert_string_equal(f->candidate->columns[1], "a");
    assert_string_equal(evidence_text(f, "predicates_from"), "pg_qualstats");
    assert_contains(f->message, "equality on b, a (predicate columns from pg_qualstats)");
    assert_contains(f->verify_note, "the predicates pg_qualstats saw");

    assert_null(missing_on(s, "t2"));

    f = missing_on(s, "t3");
    assert_non_null(f);
    assert_int_equal(f->candidate->n_columns, 2);
    assert_string_equal(f->candidate->columns[1], "y");
    assert_string_equal(evidence_text(f, "predicates_from"), "plan and pg_qualstats");
    assert_contains(f->message, "(predicate columns from the plan and pg_qualstats)");

    f = missing_on(s, "t4");
    assert_non_null(f);
    assert_int_equal(f->candidate->n_columns, 1);
    assert_string_equal(f->candidate->columns[0], "q");
    assert_string_equal(evidence_text(f, "predicates_from"), "pg_qualstats");

    f = missing_on(s, "t5");
    assert_non_null(f);
    assert_null(evidence_text(f, "predicates_from"));
    assert_not_contains(f->message, "pg_qualstats");
    assert_not_contains(f->verify_note, "pg_qualstats");

    assert_null(missing_on(s, "t6"));
    dbp_snapshot_free(s);
}

/* ---- n-plus-one ------------------------------------------------------- */

/* In session sess at *ts: the parent once, then child n times (ms each, rows each). */
static void loop(struct dbp_snapshot *s, const char *sess, int64_t *ts, struct dbp_stmt *parent,
                 struct dbp_stmt *child, int n, double ms, int64_t rows)
{
    struct dbp_session_event ev = {sess, strlen(sess), *ts, parent, 3.0, 50};
    dbp_snapshot_session_event(s, &ev);
    for (int i = 0; i < n; i++) {
        *ts += 2000;
        struct dbp_session_event c = {sess, strlen(sess), *ts, child, ms, rows};
        dbp_snapshot_session_event(s, &c);
    }
    *ts += 2000;
}

static void t_n_plus_one(void **state)
{
    (void)state;
    struct dbp_snapshot *s = dbp_snapshot_new();
    struct dbp_stmt *orders = stmt(s, PG, "shop", "SELECT * FROM orders WHERE user_id = $1", 3);
    struct dbp_stmt *item = stmt(s, PG, "shop", "SELECT * FROM items WHERE id = $1", 90);
    struct dbp_stmt *lines = stmt(s, PG, "shop", "SELECT * FROM lines WHERE order_id = $1", 90);
    struct dbp_stmt *slow = stmt(s, PG, "shop", "SELECT * FROM report WHERE day = $1", 30);
    struct dbp_stmt *tiny = stmt(s, PG, "shop", "SELECT * FROM flags WHERE id = $1", 6);
    int64_t ts = 1700000000000000LL;
    /* flagged: 3 loops of 30 one-row lookups at 2 ms: 180 ms */
    loop(s, "s1", &ts, orders, item, 30, 2.0, 1);
    loop(s, "s2", &ts, orders, item, 30, 2.0, 1);
    loop(s, "s1", &ts, orders, item, 30, 2.0, 0);
    /* not: each call returns 20 rows */
    loop(s, "s3", &ts, orders, lines, 30, 2.0, 20);
    loop(s, "s3", &ts, orders, lines, 30, 2.0, 20);
    loop(s, "s3", &ts, orders, lines, 30, 2.0, 20);
    /* not: each call takes 40 ms */
    loop(s, "s4", &ts, orders, slow, 30, 40.0, 1);
    /* not: the whole loop took 6 x 0.5 ms */
    loop(s, "s5", &ts, orders, tiny, 6, 0.5, 1);
    dbp_snapshot_sessions_flush(s);
    run_rules(s, NULL);
    assert_int_equal(count(s, "n-plus-one"), 1);
    const struct dbp_finding *f = nth(s, "n-plus-one", 0);
    assert_true(f->fpid == item->fpid);
    assert_true(evidence(f, "calls") == 90);
    assert_true(evidence(f, "loops") == 3);
    assert_true(evidence(f, "max_loop") == 30);
    assert_true(fabs(evidence(f, "total_ms") - 180) < 1e-9);
    assert_string_equal(evidence_text(f, "parent"), dbp_ddl_fpid(s->arena, orders->fpid));
    assert_contains(f->message, "ran 90 times in 3 loops");
    assert_contains(f->message, "right after `SELECT * FROM orders WHERE user_id = $1`");
    assert_contains(f->message, "2.0 ms each, 180 ms in total");
    assert_contains(evidence_text(f, "example_start"), "2023-11-14T22:13:20.0");
    assert_non_null(f->suggestion);

    /* thresholds from the config: cheap totals and larger results now qualify */
    s->findings.n = 0; /* run again on the same snapshot */
    run_rules(s, "[rule.n-plus-one]\nmin_total_ms = 1\nmax_rows = 20\nmax_mean_ms = 50ms\n");
    assert_int_equal(count(s, "n-plus-one"), 4);
    /* worst first: the 40 ms calls */
    assert_true(nth(s, "n-plus-one", 0)->fpid == slow->fpid);
    dbp_snapshot_free(s);
}

static void t_n_plus_one_unknown_durations_and_params(void **state)
{
    (void)state;
    struct dbp_snapshot *s = dbp_snapshot_new();
    struct dbp_stmt *parent = stmt(s, MY, "shop", "SELECT * FROM users", 1);
    struct dbp_stmt *child = stmt(s, MY, "shop", "SELECT * FROM posts WHERE user_id = ?", 12);
    int64_t ts = 1700000000000000LL;
    /* a general log: no durations, no rows */
    loop(s, "17", &ts, parent, child, 12, NAN, -1);
    dbp_snapshot_sessions_flush(s);
    run_rules(s, NULL);
    assert_int_equal(count(s, "n-plus-one"), 1);
    assert_contains(nth(s, "n-plus-one", 0)->message, "durations unknown");
    dbp_snapshot_free(s);

    /* the audit command reads these two to configure the session tracker */
    struct dbp_config *c = config("[rule.n-plus-one]\nmin_repeats = 3\nmax_gap_ms = 2s\n");
    assert_true(dbp_rule_param_lookup(c, "n-plus-one", "min_repeats") == 3);
    assert_true(dbp_rule_param_lookup(c, "n-plus-one", "max_gap_ms") == 2000);
    dbp_config_free(c);
    c = dbp_config_empty();
    assert_true(dbp_rule_param_lookup(c, "n-plus-one", "min_repeats") == 5);
    assert_true(dbp_rule_param_lookup(c, "n-plus-one", "max_gap_ms") == 1000);
    dbp_config_free(c);
}

/* ---- unused-index ----------------------------------------------------- */

static void t_unused_index(void **state)
{
    (void)state;
    struct dbp_snapshot *s = dbp_snapshot_new();
    table(s, PG, "shop", "public", "orders", 1000000, 100LL << 20);
    index_(s, PG, "shop", "public", "orders", "orders_status", "status", 0, 50LL << 20, 0);
    index_(s, PG, "shop", "public", "orders", "orders_used", "customer_id", 0, 80LL << 20, 12);
    index_(s, PG, "shop", "public", "orders", "orders_pkey", "id", DBP_IDX_PRIMARY | DBP_IDX_UNIQUE,
           30LL << 20, 0);
    index_(s, PG, "shop", "public", "orders", "orders_ref_key", "ref",
           DBP_IDX_UNIQUE | DBP_IDX_CONSTRAINT, 20LL << 20, 0);
    index_(s, PG, "shop", "public", "orders", "orders_tiny", "note", 0, 16384, 0);
    index_(s, PG, "shop", "public", "orders", "orders_nocount", "x", 0, 50LL << 20, -1);
    run_rules(s, NULL);
    assert_int_equal(count(s, "unused-index"), 3);
    /* warnings first (the report sorts by severity), then the constraint ones by size */
    const struct dbp_finding *f = nth(s, "unused-index", 0);
    assert_string_equal(f->object, "public.orders.orders_status");
    assert_int_equal(f->severity, DBP_SEV_WARNING);
    assert_string_equal(f->suggestion, "DROP INDEX CONCURRENTLY public.orders_status;");
    assert_contains(f->message, "0 scans in 30.0 days on 1 instance, 50 MB");
    assert_contains(f->verify_note, "check every replica");
    const struct dbp_finding *g = nth(s, "unused-index", 1);
    assert_string_equal(g->object, "public.orders.orders_pkey");
    assert_int_equal(g->severity, DBP_SEV_INFO);
    assert_null(g->suggestion);
    assert_contains(g->message, "not droppable: it backs the primary key");
    const struct dbp_finding *h = nth(s, "unused-index", 2);
    assert_string_equal(h->object, "public.orders.orders_ref_key");
    assert_null(h->suggestion);
    assert_contains(h->message, "not droppable: it backs a unique constraint");
    dbp_snapshot_free(s);
}

static void t_unused_index_replicas_and_coverage(void **state)
{
    (void)state;
    struct dbp_snapshot *s = dbp_snapshot_new();
    /* used on a replica only: used */
    struct dbp_index *p = index_(s, PG, "shop", "public", "t", "t_a", "a", 0, 10LL << 20, 0);
    struct dbp_index *r =
        index_(s, PG, "shop", "public", "t", "t_a", "a", DBP_IDX_REPLICA, 10LL << 20, 7);
    p->cluster = r->cluster = "main";
    r->instance = "db2:5432";
    /* unused on both: verified by the counters of every instance */
    p = index_(s, PG, "shop", "public", "t", "t_b", "b", 0, 10LL << 20, 0);
    r = index_(s, PG, "shop", "public", "t", "t_b", "b", DBP_IDX_REPLICA, 10LL << 20, 0);
    p->cluster = r->cluster = "main";
    r->instance = "db2:5432";
    /* a stats reset two days ago: too short */
    p = index_(s, PG, "shop", "public", "t", "t_c", "c", 0, 10LL << 20, 0);
    p->counter_since_us = s->created_us - 2 * DAY_US;
    /* unknown counter start */
    p = index_(s, PG, "shop", "public", "t", "t_d", "d", 0, 10LL << 20, 0);
    p->counter_since_us = 0;
    run_rules(s, NULL);
    assert_int_equal(count(s, "unused-index"), 3);
    const struct dbp_finding *f = nth(s, "unused-index", 0);
    assert_string_equal(f->object, "public.t.t_b");
    assert_int_equal(f->severity, DBP_SEV_WARNING);
    assert_int_equal(f->verified, DBP_VERIFY_COUNTERS);
    assert_contains(f->message, "on 2 instances (1 replica)");
    for (size_t i = 1; i < 3; i++) {
        const struct dbp_finding *g = nth(s, "unused-index", i);
        assert_int_equal(g->severity, DBP_SEV_INFO);
        assert_null(g->suggestion);
        if (strcmp(g->object, "public.t.t_c") == 0)
            assert_contains(g->message, "counters cover only 2.0 days (< 7 days)");
        else
            assert_contains(g->message, "counters' start is unknown");
    }
    dbp_snapshot_free(s);

    /* a shorter coverage requirement and a size threshold with a unit */
    s = dbp_snapshot_new();
    p = index_(s, PG, "shop", "public", "t", "t_c", "c", 0, 10LL << 20, 0);
    p->counter_since_us = s->created_us - 2 * DAY_US;
    index_(s, PG, "shop", "public", "t", "t_e", "e", 0, 5LL << 20, 0);
    run_rules(s, "[rule.unused-index]\nmin_coverage_days = 1\nmin_size_bytes = 8MB\n");
    assert_int_equal(count(s, "unused-index"), 1);
    assert_int_equal(nth(s, "unused-index", 0)->severity, DBP_SEV_WARNING);
    assert_non_null(nth(s, "unused-index", 0)->suggestion);
    dbp_snapshot_free(s);
}

static void t_unused_index_engines(void **state)
{
    (void)state;
    struct dbp_snapshot *s = dbp_snapshot_new();
    index_(s, MG, "shop", NULL, "orders", "_id_", "_id", DBP_IDX_PRIMARY, -1, 0);
    index_(s, MG, "shop", NULL, "orders", "status_1", "status", 0, -1, 0);
    index_(s, MY, "shop", NULL, "orders", "idx_status", "status", 0, 4LL << 20, 0);
    index_(s, MY, "shop", NULL, "lines", "fk_order", "order_id", DBP_IDX_FOREIGN_KEY, 4LL << 20, 0);
    struct dbp_table *t = table(s, PG, "shop", "public", "events", 10, 10);
    t->flags = DBP_TBL_PARTITIONED;
    index_(s, PG, "shop", "public", "events", "events_kind", "kind", 0, 4LL << 20, 0);
    run_rules(s, NULL);
    assert_int_equal(count(s, "unused-index"), 5);
    int seen = 0;
    for (size_t i = 0; i < 5; i++) {
        const struct dbp_finding *f = nth(s, "unused-index", i);
        if (strcmp(f->object, "shop.orders._id_") == 0) {
            assert_null(f->suggestion);
            assert_int_equal(f->severity, DBP_SEV_INFO);
            seen |= 1;
        } else if (strcmp(f->object, "shop.orders.status_1") == 0) {
            assert_string_equal(f->suggestion, "db.orders.dropIndex(\"status_1\")");
            seen |= 2;
        } else if (strcmp(f->object, "shop.orders.idx_status") == 0) {
            assert_string_equal(f->suggestion, "ALTER TABLE shop.orders DROP INDEX idx_status;");
            seen |= 4;
        } else if (strcmp(f->object, "shop.`lines`.fk_order") == 0) { /* reserved */
            assert_null(f->suggestion);
            assert_contains(f->message, "a foreign key needs it");
            seen |= 8;
        } else if (strcmp(f->object, "public.events.events_kind") == 0) {
            /* CONCURRENTLY fails on a partitioned index */
            assert_string_equal(f->suggestion, "DROP INDEX public.events_kind;");
            seen |= 16;
        }
    }
    assert_int_equal(seen, 31);
    dbp_snapshot_free(s);
}

/* ---- duplicate-index -------------------------------------------------- */

static const struct dbp_finding *find_object(const struct dbp_snapshot *s, const char *rule,
                                             const char *object)
{
    for (size_t i = 0; i < s->findings.n; i++) {
        const struct dbp_finding *f = s->findings.items[i];
        if (strcmp(f->rule, rule) == 0 && strcmp(f->object, object) == 0)
            return f;
    }
    return NULL;
}

static void t_duplicate_index(void **state)
{
    (void)state;
    struct dbp_snapshot *s = dbp_snapshot_new();
    /* left prefix */
    index_(s, PG, "shop", "public", "t", "t_a", "a", 0, 40LL << 20, 3);
    index_(s, PG, "shop", "public", "t", "t_a_b", "a,b", 0, 60LL << 20, 9);
    /* identical to the primary key */
    index_(s, PG, "shop", "public", "t", "t_pkey", "id", DBP_IDX_PRIMARY | DBP_IDX_UNIQUE,
           20LL << 20, 0);
    index_(s, PG, "shop", "public", "t", "t_id", "id", 0, 20LL << 20, 100);
    /* a unique constraint identical to the primary key: info, no DROP */
    index_(s, PG, "shop", "public", "t", "t_id_key", "id", DBP_IDX_UNIQUE | DBP_IDX_CONSTRAINT,
           20LL << 20, 0);
    /* a unique prefix is not redundant */
    index_(s, PG, "shop", "public", "t", "t_c_key", "c", DBP_IDX_UNIQUE, 10LL << 20, 0);
    index_(s, PG, "shop", "public", "t", "t_c_d", "c,d", 0, 10LL << 20, 0);
    /* other method / other table / other predicate: not duplicates */
    struct dbp_index *h = index_(s, PG, "shop", "public", "t", "t_e_hash", "e", 0, 1 << 20, 0);
    h->method = "hash";
    index_(s, PG, "shop", "public", "t", "t_e", "e", 0, 1 << 20, 0);
    struct dbp_index *g = index_(s, PG, "shop", "public", "t", "t_f_gin", "f", 0, 1 << 20, 0);
    g->method = "gin";
    g = index_(s, PG, "shop", "public", "t", "t_f_g_gin", "f,g", 0, 1 << 20, 0);
    g->method = "gin";
    index_(s, PG, "shop", "public", "u", "u_a", "a", 0, 1 << 20, 0);
    struct dbp_index *p1 =
        index_(s, PG, "shop", "public", "t", "t_h_open", "h", DBP_IDX_PARTIAL, 1 << 20, 0);
    p1->predicate = "open";
    struct dbp_index *p2 =
        index_(s, PG, "shop", "public", "t", "t_h_i_closed", "h,i", DBP_IDX_PARTIAL, 1 << 20, 0);
    p2->predicate = "NOT open";
    /* the same column with another operator class is another index (PostgreSQL's
     * per-column definitions leave it out: the definition says it) */
    struct dbp_index *o1 = index_(s, PG, "shop", "public", "t", "t_s", "s", 0, 1 << 20, 0);
    o1->definition = "CREATE INDEX t_s ON public.t USING btree (s)";
    struct dbp_index *o2 = index_(s, PG, "shop", "public", "t", "t_s_pattern", "s", 0, 1 << 20, 0);
    o2->definition = "CREATE INDEX t_s_pattern ON public.t USING btree (s text_pattern_ops)";
    struct dbp_index *o3 = index_(s, PG, "shop", "public", "t", "t_s_c", "s", 0, 1 << 20, 0);
    o3->definition = "CREATE INDEX t_s_c ON public.t USING btree (s COLLATE \"C\")";
    struct dbp_index *o4 = index_(s, PG, "shop", "public", "t", "t_s_x", "s,x", 0, 2 << 20, 0);
    o4->definition = "CREATE INDEX t_s_x ON public.t USING btree (s, lower((x)::text)) "
                     "INCLUDE (y) WHERE (a, b) IS NOT NULL";
    o4->columns[1] = "lower((x)::text)";
    o4->predicate = NULL;
    /* the same index read from a replica is one index */
    struct dbp_index *r =
        index_(s, PG, "shop", "public", "t", "t_a", "a", DBP_IDX_REPLICA, 40LL << 20, 0);
    r->instance = "db2:5432";
    r->cluster = "db1:5432";
    run_rules(s, NULL);
    assert_int_equal(count(s, "duplicate-index"), 4);
    assert_null(find_object(s, "duplicate-index", "public.t.t_s_pattern"));
    assert_null(find_object(s, "duplicate-index", "public.t.t_s_c"));
    assert_contains(find_object(s, "duplicate-index", "public.t.t_s")->message,
                    "left prefix of t_s_x");
    const struct dbp_finding *f = nth(s, "duplicate-index", 0);
    assert_string_equal(f->object, "public.t.t_a"); /* the largest first */
    assert_contains(f->message, "(a) is a left prefix of t_a_b (a, b): 40 MB wasted");
    assert_string_equal(f->suggestion, "DROP INDEX CONCURRENTLY public.t_a;");
    assert_true(evidence(f, "wasted_bytes") == 40 << 20);
    f = find_object(s, "duplicate-index", "public.t.t_id");
    assert_non_null(f);
    assert_contains(f->message, "is identical to t_pkey (id) (which enforces the primary key)");
    assert_int_equal(f->severity, DBP_SEV_WARNING);
    assert_string_equal(f->suggestion, "DROP INDEX CONCURRENTLY public.t_id;");
    f = find_object(s, "duplicate-index", "public.t.t_id_key");
    assert_non_null(f);
    assert_int_equal(f->severity, DBP_SEV_INFO);
    assert_null(f->suggestion);
    assert_null(find_object(s, "duplicate-index", "public.t.t_pkey"));
    assert_null(find_object(s, "duplicate-index", "public.t.t_c_key"));
    dbp_snapshot_free(s);
}

static void t_duplicate_index_identical_pair_and_mongo(void **state)
{
    (void)state;
    struct dbp_snapshot *s = dbp_snapshot_new();
    /* two plain identical indexes: the less used one goes */
    index_(s, MY, "shop", NULL, "t", "a1", "a", 0, 1 << 20, 50);
    index_(s, MY, "shop", NULL, "t", "a2", "a", 0, 1 << 20, 2);
    /* identical to an index that is itself a prefix: both point at the longer one */
    index_(s, MY, "shop", NULL, "u", "b1", "b", 0, 1 << 20, 0);
    index_(s, MY, "shop", NULL, "u", "b2", "b", 0, 1 << 20, 0);
    index_(s, MY, "shop", NULL, "u", "b_c", "b,c", 0, 1 << 20, 0);
    /* MongoDB prefix */
    index_(s, MG, "shop", NULL, "orders", "customer_1", "customer", 0, -1, 0);
    index_(s, MG, "shop", NULL, "orders", "customer_1_created_-1", "customer,created DESC", 0, -1,
           0);
    run_rules(s, NULL);
    assert_int_equal(count(s, "duplicate-index"), 4);
    const struct dbp_finding *f = find_object(s, "duplicate-index", "shop.u.b1");
    assert_non_null(f);
    assert_contains(f->message, "is a left prefix of b_c (b, c)");
    f = find_object(s, "duplicate-index", "shop.u.b2");
    assert_non_null(f);
    assert_contains(f->message, "is a left prefix of b_c (b, c)");
    assert_null(find_object(s, "duplicate-index", "shop.u.b_c"));
    f = find_object(s, "duplicate-index", "shop.t.a2");
    assert_non_null(f);
    assert_string_equal(f->suggestion, "ALTER TABLE shop.t DROP INDEX a2;");
    f = find_object(s, "duplicate-index", "shop.orders.customer_1");
    assert_non_null(f);
    assert_string_equal(f->suggestion, "db.orders.dropIndex(\"customer_1\")");
    dbp_snapshot_free(s);
    /* min_size_bytes */
    s = dbp_snapshot_new();
    index_(s, MY, "shop", NULL, "t", "a1", "a", 0, 1 << 20, 50);
    index_(s, MY, "shop", NULL, "t", "a2", "a", 0, 1 << 20, 2);
    run_rules(s, "[rule.duplicate-index]\nmin_size_bytes = 2MB\n");
    assert_int_equal(count(s, "duplicate-index"), 0);
    dbp_snapshot_free(s);
}

/* ---- config: severity, enabled, validation ---------------------------- */

static struct dbp_snapshot *scan_snapshot(void)
{
    struct dbp_snapshot *s = dbp_snapshot_new();
    table(s, PG, "shop", "public", "orders", 1000000, 100LL << 20);
    struct dbp_stmt *a = stmt(s, PG, "shop", "SELECT * FROM orders WHERE customer_id = $1", 100);
    plan(s, PG, a, scan(s, DBP_NODE_FULL_SCAN, "public", "orders", "customer_id="));
    return s;
}

static void t_config_severity_enabled(void **state)
{
    (void)state;
    struct dbp_snapshot *s = scan_snapshot();
    run_rules(s, "[rule.seq-scan]\nseverity = critical\n[rule.missing-index]\nseverity = info\n");
    assert_int_equal(nth(s, "seq-scan", 0)->severity, DBP_SEV_CRITICAL);
    assert_int_equal(nth(s, "missing-index", 0)->severity, DBP_SEV_INFO);
    /* sorted by severity across rules */
    assert_string_equal(((struct dbp_finding *)s->findings.items[0])->rule, "seq-scan");
    dbp_snapshot_free(s);

    s = scan_snapshot();
    run_rules(s, "[rule.seq-scan]\nenabled = false\n");
    assert_int_equal(count(s, "seq-scan"), 0);
    assert_int_equal(count(s, "missing-index"), 1);
    dbp_snapshot_free(s);
}

static void expect_config_error(const char *text, const char *needle)
{
    struct dbp_snapshot *s = scan_snapshot();
    struct dbp_config *c = config(text);
    struct dbp_error err = {0};
    int rc = dbp_rules_run(s, c, &err);
    assert_int_equal(rc, DBP_ERR_USAGE);
    assert_contains(err.message, needle);
    assert_contains(err.message, "test.conf:");
    assert_int_equal(s->findings.n, 0);
    dbp_config_free(c);
    dbp_snapshot_free(s);
}

static void t_config_errors(void **state)
{
    (void)state;
    expect_config_error("[rule.no-such-rule]\nmin_rows = 1\n", "unknown rule `no-such-rule`");
    expect_config_error("[rule.seq-scan]\nmin_rowz = 1\n", "no threshold `min_rowz`");
    expect_config_error("[rule.seq-scan]\nmin_rows = lots\n", "`lots` is not a number");
    expect_config_error("[rule.n-plus-one]\nmax_gap_ms = 5MB\n", "`5MB` is not a number");
    expect_config_error("[rule.unused-index]\nseverity = loud\n", "severity must be");
    expect_config_error("[rule.duplicate-index]\nenabled = maybe\n", "enabled must be");
}

/* Every rule documents itself and its thresholds. */
static void t_registry(void **state)
{
    (void)state;
    static const char *const ids[] = {"seq-scan", "missing-index", "n-plus-one", "unused-index",
                                      "duplicate-index"};
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
        const struct dbp_rule *r = dbp_rule_find(ids[i]);
        assert_non_null(r);
        assert_true(strlen(r->explain) > 200);
        assert_null(strstr(r->summary, "not implemented"));
        assert_true(r->n_params >= 1);
        for (size_t k = 0; k < r->n_params; k++) {
            assert_non_null(r->params[k].unit);
            assert_non_null(r->params[k].help);
            assert_non_null(strstr(r->explain, r->params[k].name));
        }
    }
}

/* The example config in docs/rules.md is valid and does what it says. */
static void t_docs_example_config(void **state)
{
    (void)state;
    char path[1024];
    snprintf(path, sizeof path, "%s/../../docs/rules.md", DBPERF_TEST_DATA);
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    static char doc[65536];
    size_t n = fread(doc, 1, sizeof doc - 1, fp);
    fclose(fp);
    doc[n] = '\0';
    char *start = strstr(doc, "```ini\n");
    assert_non_null(start);
    start += 7;
    char *end = strstr(start, "```");
    assert_non_null(end);
    *end = '\0';
    struct dbp_config *c = config(start);
    assert_true(dbp_rule_param_lookup(c, "seq-scan", "min_rows") == 50000);
    assert_true(dbp_rule_param_lookup(c, "n-plus-one", "max_gap_ms") == 500);
    assert_true(dbp_rule_param_lookup(c, "unused-index", "min_size_bytes") == 10 << 20);
    dbp_config_free(c);
    struct dbp_snapshot *s = scan_snapshot();
    index_(s, PG, "shop", "public", "t", "t_a", "a", 0, 1 << 20, 0);
    index_(s, PG, "shop", "public", "t", "t_a2", "a", 0, 1 << 20, 0);
    run_rules(s, start);
    assert_int_equal(nth(s, "seq-scan", 0)->severity, DBP_SEV_CRITICAL);
    assert_int_equal(count(s, "duplicate-index"), 0); /* enabled = false */
    dbp_snapshot_free(s);
}

/* ---- ddl -------------------------------------------------------------- */

static void t_ddl_quoting_and_formats(void **state)
{
    (void)state;
    struct dbp_arena *a = dbp_arena_new();
    {
        const char *cols[] = {"s", "x", "y"};
        struct dbp_index ix = {.engine = PG, .columns = cols, .n_columns = 3};
        ix.definition = "CREATE UNIQUE INDEX \"a,b\" ON ONLY public.t USING btree (s "
                        "text_pattern_ops, (x || ','), y DESC NULLS LAST) INCLUDE (z)";
        const char **k = dbp_ddl_key_parts(a, &ix);
        assert_string_equal(k[0], "s text_pattern_ops");
        assert_string_equal(k[1], "(x || ',')");
        assert_string_equal(k[2], "y DESC NULLS LAST");
        ix.n_columns = 2; /* does not match: the columns */
        k = dbp_ddl_key_parts(a, &ix);
        assert_string_equal(k[0], "s");
        assert_string_equal(k[1], "x");
    }
    assert_string_equal(dbp_ddl_ident(a, PG, "orders"), "orders");
    assert_string_equal(dbp_ddl_ident(a, PG, "Orders"), "\"Orders\"");
    assert_string_equal(dbp_ddl_ident(a, PG, "user"), "\"user\"");
    assert_string_equal(dbp_ddl_ident(a, PG, "a\"b"), "\"a\"\"b\"");
    assert_string_equal(dbp_ddl_ident(a, PG, "1x"), "\"1x\"");
    assert_string_equal(dbp_ddl_ident(a, MY, "Orders"), "Orders");
    assert_string_equal(dbp_ddl_ident(a, MY, "key"), "`key`");
    assert_string_equal(dbp_ddl_ident(a, MY, "a`b"), "`a``b`");
    assert_string_equal(dbp_ddl_ident(a, MG, "a.b"), "\"a.b\"");
    assert_string_equal(dbp_ddl_ident(a, MG, "a\"b"), "\"a\\\"b\"");
    assert_string_equal(dbp_ddl_relation(a, PG, "shop", "Sales", "order"), "\"Sales\".\"order\"");
    assert_string_equal(dbp_ddl_relation(a, MY, "shop", NULL, "t"), "shop.t");
    assert_string_equal(dbp_ddl_bytes(a, 812), "812 B");
    assert_string_equal(dbp_ddl_bytes(a, 8192), "8.0 kB");
    assert_string_equal(dbp_ddl_bytes(a, 312.0 * 1048576), "312 MB");
    assert_string_equal(dbp_ddl_bytes(a, 1.25 * 1073741824), "1.2 GB");
    assert_string_equal(dbp_ddl_count(a, 950), "950");
    assert_string_equal(dbp_ddl_count(a, 12345), "12,345");
    assert_string_equal(dbp_ddl_count(a, 2100000), "2.1M");
    assert_string_equal(dbp_ddl_snippet(a, "SELECT  *\n FROM t", 100), "SELECT * FROM t");
    assert_string_equal(dbp_ddl_snippet(a, "SELECT * FROM t", 8), "SELECT *...");

    struct dbp_index c = {0};
    const char *cols[] = {"Customer", "lower(email)", "ts DESC"};
    c.engine = PG;
    c.schema = "public";
    c.table = "Orders";
    c.columns = cols;
    c.n_columns = 3;
    assert_string_equal(dbp_ddl_create_index(a, PG, &c, NULL),
                        "CREATE INDEX CONCURRENTLY orders_customer_lower_email_ts_idx ON "
                        "public.\"Orders\" (\"Customer\", (lower(email)), ts DESC);");
    c.name = "ix";
    c.engine = MG;
    c.table = "my.coll";
    c.n_columns = 1;
    assert_string_equal(dbp_ddl_create_index(a, MG, &c, NULL),
                        "db.getCollection(\"my.coll\").createIndex({Customer: 1})");
    /* generated names stay within PostgreSQL's 63 bytes */
    const char *longcols[] = {"a_very_long_column_name_number_one", "another_long_column_name_two"};
    c.name = NULL;
    c.engine = PG;
    c.table = "a_table_with_a_long_name";
    c.columns = longcols;
    c.n_columns = 2;
    assert_true(strlen(dbp_ddl_index_name(a, &c)) <= 63);
    dbp_arena_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_seq_scan_flags_large_relation_once),
        cmocka_unit_test(t_seq_scan_threshold_and_order),
        cmocka_unit_test(t_seq_scan_without_table_stats_and_no_filter),
        cmocka_unit_test(t_seq_scan_joins_parallel_and_kept_fraction),
        cmocka_unit_test(t_seq_scan_table_counters),
        cmocka_unit_test(t_seq_scan_mongo_and_aggregate_hint),
        cmocka_unit_test(t_missing_index_esr_candidate),
        cmocka_unit_test(t_missing_index_not_flagged),
        cmocka_unit_test(t_missing_index_partial_cover_and_merge),
        cmocka_unit_test(t_missing_index_index_scan_with_filter),
        cmocka_unit_test(t_missing_index_engines),
        cmocka_unit_test(t_missing_index_observed_preds),
        cmocka_unit_test(t_n_plus_one),
        cmocka_unit_test(t_n_plus_one_unknown_durations_and_params),
        cmocka_unit_test(t_unused_index),
        cmocka_unit_test(t_unused_index_replicas_and_coverage),
        cmocka_unit_test(t_unused_index_engines),
        cmocka_unit_test(t_duplicate_index),
        cmocka_unit_test(t_duplicate_index_identical_pair_and_mongo),
        cmocka_unit_test(t_config_severity_enabled),
        cmocka_unit_test(t_config_errors),
        cmocka_unit_test(t_registry),
        cmocka_unit_test(t_docs_example_config),
        cmocka_unit_test(t_ddl_quoting_and_formats),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
