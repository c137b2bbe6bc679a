/*
 * test_pg_plan.c -- PostgreSQL plan parsers (EXPLAIN JSON and text) on plans
 * produced by a real PostgreSQL 15 (tests/data/plans/pg-*), auto_explain
 * excerpts, psql decorations, the saved-plan formats (probe, parse, statement
 * attachment) and malformed input.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dbperf/arena.h>
#include <dbperf/driver.h>
#include <dbperf/error.h>
#include <dbperf/model.h>
#include <dbperf/reader.h>

#include "postgres/pg_int.h"

static char *slurp(const char *name, size_t *len)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/plans/%s", DBPERF_TEST_DATA, name);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    buf[n] = '\0';
    fclose(f);
    *len = (size_t)n;
    return buf;
}

typedef int (*parse_fn)(struct dbp_snapshot *, const char *, size_t, const char *,
                        struct dbp_plan **, struct dbp_error *);

static struct dbp_plan *load(struct dbp_snapshot *snap, const char *name, parse_fn fn)
{
    size_t len;
    char *text = slurp(name, &len);
    struct dbp_plan *plan = NULL;
    struct dbp_error err = {0};
    int rc = fn(snap, text, len, name, &plan, &err);
    free(text);
    if (rc != DBP_OK)
        fail_msg("%s: %s", name, err.message);
    assert_non_null(plan);
    assert_non_null(plan->root);
    return plan;
}

static const struct dbp_pred *pred(const struct dbp_pred *p, size_t n, const char *col)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(p[i].column, col) == 0)
            return &p[i];
    return NULL;
}

/* The join + sort plan, the same query as JSON (ANALYZE, BUFFERS) and text. */
static void check_join_plan(const struct dbp_plan *plan)
{
    const struct dbp_plan_node *limit = plan->root;
    assert_true(plan->analyzed);
    assert_true(plan->execution_ms > 0);
    assert_true(plan->planning_ms > 0);
    assert_int_equal(limit->kind, DBP_NODE_LIMIT);
    assert_int_equal(limit->n_children, 1);
    const struct dbp_plan_node *nl = limit->children[0];
    assert_int_equal(nl->kind, DBP_NODE_JOIN);
    assert_string_equal(nl->engine_name, "Nested Loop");
    assert_int_equal(nl->n_children, 2);
    const struct dbp_plan_node *ix = nl->children[0];
    assert_int_equal(ix->kind, DBP_NODE_INDEX_SCAN);
    assert_string_equal(ix->engine_name, "Index Scan Backward");
    assert_string_equal(ix->relation, "orders");
    assert_string_equal(ix->alias, "o");
    assert_string_equal(ix->index, "orders_created_idx");
    assert_true(ix->act_rows == 20);
    assert_true(ix->loops == 1);
    assert_true(ix->est_rows == 22760);
    assert_true(ix->total_cost == 825.59);
    const struct dbp_pred *p = pred(ix->index_preds, ix->n_index_preds, "created_at");
    assert_non_null(p);
    assert_int_equal(p->op, DBP_PRED_RANGE);
    const struct dbp_plan_node *memo = nl->children[1];
    assert_string_equal(memo->engine_name, "Memoize");
    assert_int_equal(memo->kind, DBP_NODE_MATERIALIZE);
    const struct dbp_plan_node *pk = memo->children[0];
    assert_string_equal(pk->relation, "customers");
    assert_string_equal(pk->index, "customers_pkey");
    assert_true(pk->loops == 20);
    /* "(id = o.customer_id)": only this table's column */
    assert_int_equal(pk->n_index_preds, 1);
    assert_string_equal(pk->index_preds[0].column, "id");
    assert_int_equal(pk->index_preds[0].op, DBP_PRED_EQ);
}

static void t_json_and_text_agree(void **state)
{
    (void)state;
    struct dbp_snapshot *snap = dbp_snapshot_new();
    struct dbp_plan *j = load(snap, "pg-join-sort-analyze.json", dbp_pg_plan_from_json);
    struct dbp_plan *t = load(snap, "pg-join-sort-analyze.txt", dbp_pg_plan_from_text);
    assert_string_equal(j->format, "postgres-json");
    assert_string_equal(t->format, "postgres-text");
    check_join_plan(j);
    check_join_plan(t);
    assert_int_equal(snap->plans.n, 0); /* from_* do not add the plan */
    dbp_snapshot_free(snap);
}

static void t_seq_scan_filter(void **state)
{
    (void)state;
    struct dbp_snapshot *snap = dbp_snapshot_new();
    struct dbp_plan *plan = load(snap, "pg-seqscan-analyze.txt", dbp_pg_plan_from_text);
    const struct dbp_plan_node *n = plan->root;
    assert_int_equal(n->kind, DBP_NODE_FULL_SCAN);
    assert_string_equal(n->relation, "orders");
    assert_true(n->act_rows == 2000);
    assert_true(n->rows_examined == 50000); /* 2000 + Rows Removed by Filter 48000 */
    assert_true(n->actual_ms == 15.818);
    assert_true(plan->execution_ms == 16.108);
    assert_string_equal(n->condition, "((total > '50'::numeric) AND (status = 'paid'::text))");
    assert_int_equal(pred(n->preds, n->n_preds, "total")->op, DBP_PRED_RANGE);
    assert_int_equal(pred(n->preds, n->n_preds, "status")->op, DBP_PRED_EQ);
    /* estimates only, JSON as psql prints it (header, '+' marks, footer) */
    plan = load(snap, "pg-seqscan-psql.json", dbp_pg_plan_from_json);
    assert_false(plan->analyzed);
    assert_true(isnan(plan->root->act_rows));
    assert_int_equal(plan->root->n_preds, 2);
    plan = load(snap, "pg-seqscan.json", dbp_pg_plan_from_json);
    assert_int_equal(plan->root->kind, DBP_NODE_FULL_SCAN);
    dbp_snapshot_free(snap);
}

static void t_aggregate_and_sort(void **state)
{
    (void)state;
    struct dbp_snapshot *snap = dbp_snapshot_new();
    struct dbp_plan *t = load(snap, "pg-agg.txt", dbp_pg_plan_from_text);
    struct dbp_plan *j = load(snap, "pg-agg-analyze-verbose.json", dbp_pg_plan_from_json);
    for (int k = 0; k < 2; k++) {
        const struct dbp_plan_node *sort = k ? j->root : t->root;
        assert_int_equal(sort->kind, DBP_NODE_SORT);
        assert_int_equal(sort->n_sort_keys, 1);
        assert_true(sort->sort_keys[0].desc);
        const struct dbp_plan_node *agg = sort->children[0];
        assert_int_equal(agg->kind, DBP_NODE_AGGREGATE);
        assert_string_equal(agg->engine_name, "HashAggregate");
        const struct dbp_plan_node *hj = agg->children[0];
        assert_string_equal(hj->engine_name, "Hash Join");
        assert_non_null(strstr(hj->condition, "customer_id"));
        const struct dbp_plan_node *seq = hj->children[0];
        assert_int_equal(seq->kind, DBP_NODE_FULL_SCAN);
        assert_string_equal(seq->relation, "orders");
        assert_int_equal(pred(seq->preds, seq->n_preds, "status")->op, DBP_PRED_IN);
        assert_int_equal(hj->children[1]->kind, DBP_NODE_HASH);
    }
    assert_false(t->analyzed);
    assert_true(j->analyzed);
    /* VERBOSE adds the schema */
    assert_string_equal(j->root->children[0]->children[0]->children[0]->schema, "public");
    /* index only scan with a range */
    struct dbp_plan *io = load(snap, "pg-index-only.txt", dbp_pg_plan_from_text);
    assert_int_equal(io->root->kind, DBP_NODE_INDEX_ONLY_SCAN);
    assert_int_equal(io->root->n_index_preds, 1);
    assert_int_equal(io->root->index_preds[0].op, DBP_PRED_RANGE);
    dbp_snapshot_free(snap);
}

static void t_auto_explain(void **state)
{
    (void)state;
    struct dbp_snapshot *snap = dbp_snapshot_new();
    struct dbp_plan *t = load(snap, "pg-auto-explain.txt", dbp_pg_plan_from_text);
    assert_int_equal(t->root->kind, DBP_NODE_AGGREGATE);
    const struct dbp_plan_node *hj = t->root->children[0];
    assert_int_equal(hj->n_children, 2);
    assert_true(hj->children[0]->rows_examined == 50000);
    assert_string_equal(hj->children[1]->children[0]->relation, "customers");
    struct dbp_plan *j = load(snap, "pg-auto-explain.json", dbp_pg_plan_from_json);
    assert_string_equal(j->root->children[0]->preds[0].column, "customer_id");

    /* as saved-plan files: the query text attaches the plan to a statement class */
    const char *names[] = {"pg-auto-explain.txt", "pg-auto-explain.json"};
    const struct dbp_format *fmts[] = {&dbp_pg_plan_text_format, &dbp_pg_plan_json_format};
    for (int k = 0; k < 2; k++) {
        size_t len;
        char *text = slurp(names[k], &len);
        assert_true(fmts[k]->probe((const unsigned char *)text, len) > 0);
        assert_int_equal(fmts[1 - k]->probe((const unsigned char *)text, len) <
                             fmts[k]->probe((const unsigned char *)text, len),
                         1);
        struct dbp_reader *r = dbp_reader_open_mem(text, len, names[k]);
        struct dbp_source *src = dbp_snapshot_add_source(snap, names[k], fmts[k]->name);
        struct dbp_error err = {0};
        size_t before = snap->plans.n;
        assert_int_equal(fmts[k]->parse(r, NULL, snap, src, &err), DBP_OK);
        assert_int_equal(snap->plans.n, before + 1);
        assert_int_equal(src->entries, 1);
        struct dbp_plan *p = snap->plans.items[before];
        assert_non_null(p->stmt);
        assert_int_equal(p->stmt->engine, DBP_ENGINE_POSTGRES);
        assert_ptr_equal(p->stmt->plan, p);
        assert_non_null(strstr(p->stmt->example, "count(*)"));
        dbp_reader_close(r);
        free(text);
    }
    dbp_snapshot_free(snap);
}

static void t_decorations(void **state)
{
    (void)state;
    struct dbp_snapshot *snap = dbp_snapshot_new();
    struct dbp_plan *plan = NULL;
    struct dbp_error err = {0};
    /* psql border 2, unicode */
    const char *framed =
        "\xe2\x94\x8c\xe2\x94\x80\xe2\x94\x90\n"
        "\xe2\x94\x82 QUERY PLAN \xe2\x94\x82\n"
        "\xe2\x94\x82 Seq Scan on t  (cost=0.00..1.00 rows=7 width=4) \xe2\x94\x82\n"
        "\xe2\x94\x82   Filter: (a = 1)                                \xe2\x94\x82\n"
        "\xe2\x94\x94\xe2\x94\x80\xe2\x94\x98\n(2 rows)\n";
    assert_int_equal(dbp_pg_plan_from_text(snap, framed, strlen(framed), "f", &plan, &err), 0);
    assert_string_equal(plan->root->relation, "t");
    assert_true(plan->root->est_rows == 7);
    assert_string_equal(plan->root->condition, "(a = 1)");
    /* a byte order mark and CRLF line ends (a file saved on Windows) */
    const char *bom = "\xef\xbb\xbfSeq Scan on t  (cost=0.00..1.00 rows=7 width=4)\r\n"
                      "  Filter: (a = 1)\r\n";
    assert_int_equal(dbp_pg_plan_from_text(snap, bom, strlen(bom), "b", &plan, &err), 0);
    assert_string_equal(plan->root->engine_name, "Seq Scan");
    assert_string_equal(plan->root->condition, "(a = 1)");
    /* a terminal wrapped the line in the middle of a number and of a condition */
    const char *wrapped = " Nested Loop  (cost=0.00..611.27 rows=13400 width=8) (actual time=0.0\n"
                          "25..10.198 rows=34956 loops=1)\n"
                          "   Join Filter: (t1.c1 >\n"
                          " t2.c2)\n"
                          "   ->  Seq Scan on t1  (cost=0.00..6.02 rows=402 width=4)\n"
                          "   ->  Seq Scan on t2  (cost=0.00..2.00 rows=100 width=4)\n";
    assert_int_equal(dbp_pg_plan_from_text(snap, wrapped, strlen(wrapped), "w", &plan, &err), 0);
    assert_true(plan->root->act_rows == 34956);
    assert_string_equal(plan->root->condition, "(t1.c1 > t2.c2)");
    assert_int_equal(plan->root->n_children, 2);
    /* SubPlan / InitPlan / CTE labels open children of the right node */
    const char *sub = "Result  (cost=1.00..2.00 rows=1 width=4)\n"
                      "  CTE c\n"
                      "    ->  Seq Scan on a  (cost=0.00..1.00 rows=1 width=4)\n"
                      "  ->  Nested Loop  (cost=0.00..1.00 rows=1 width=4)\n"
                      "        ->  CTE Scan on c  (cost=0.00..1.00 rows=1 width=4)\n"
                      "        ->  Index Scan using b_pkey on b  (cost=0.00..1.00 rows=1 width=4)\n"
                      "              Index Cond: (id = c.x)\n"
                      "        SubPlan 1\n"
                      "          ->  Seq Scan on d  (cost=0.00..1.00 rows=1 width=4)\n"
                      "Planning Time: 0.1 ms\n";
    assert_int_equal(dbp_pg_plan_from_text(snap, sub, strlen(sub), "s", &plan, &err), 0);
    const struct dbp_plan_node *r = plan->root;
    assert_int_equal(r->n_children, 2);
    assert_string_equal(r->children[0]->relation, "a");
    const struct dbp_plan_node *nl = r->children[1];
    assert_int_equal(nl->n_children, 3);
    assert_null(nl->children[0]->relation);
    assert_string_equal(nl->children[0]->alias, "c");
    assert_int_equal(nl->children[0]->kind, DBP_NODE_SUBQUERY);
    assert_string_equal(nl->children[2]->relation, "d");
    assert_true(plan->planning_ms == 0.1);
    /* auto_explain with parameters (PostgreSQL 16+): not part of the query */
    const char *params = "Query Text: select * from t where a = $1\n"
                         "Query Parameters: $1 = '5'\n"
                         "Seq Scan on t  (cost=0.00..1.00 rows=1 width=4)\n"
                         "  Filter: (a = $1)\n";
    struct dbp_reader *pr = dbp_reader_open_mem(params, strlen(params), "p.txt");
    struct dbp_source *psrc = dbp_snapshot_add_source(snap, "p.txt", "postgres-plan-text");
    assert_int_equal(dbp_pg_plan_text_format.parse(pr, NULL, snap, psrc, &err), DBP_OK);
    struct dbp_plan *pp = snap->plans.items[snap->plans.n - 1];
    assert_non_null(pp->stmt);
    assert_string_equal(pp->stmt->example, "select * from t where a = $1");
    dbp_reader_close(pr);
    /* COSTS OFF: the tree from node names alone; TIMING OFF: rows without times */
    const char *nocost = "Hash Join\n"
                         "  Hash Cond: (o.customer_id = c.id)\n"
                         "  ->  Seq Scan on orders o\n"
                         "        Filter: ((status)::text = 'paid'::text)\n"
                         "  ->  Hash\n"
                         "        ->  Seq Scan on customers c\n";
    assert_int_equal(dbp_pg_plan_from_text(snap, nocost, strlen(nocost), "c", &plan, &err), 0);
    assert_int_equal(plan->root->kind, DBP_NODE_JOIN);
    assert_int_equal(plan->root->n_children, 2);
    assert_string_equal(plan->root->children[0]->alias, "o");
    assert_string_equal(plan->root->children[0]->preds[0].column, "status");
    assert_string_equal(plan->root->children[1]->children[0]->relation, "customers");
    assert_true(isnan(plan->root->est_rows));
    const char *notiming = "Seq Scan on t  (actual rows=10 loops=1)\n"
                           "  Filter: (a > 1)\n"
                           "  Rows Removed by Filter: 90\n";
    assert_int_equal(dbp_pg_plan_from_text(snap, notiming, strlen(notiming), "t", &plan, &err), 0);
    assert_true(plan->analyzed);
    assert_true(plan->root->act_rows == 10);
    assert_true(plan->root->rows_examined == 100);
    assert_true(isnan(plan->root->actual_ms));
    /* two plans in one input: the first is returned, the format takes both */
    const char *two = "Seq Scan on a  (cost=0.00..1.00 rows=1 width=4)\n"
                      "Planning Time: 0.1 ms\n"
                      "\n"
                      "Seq Scan on b  (cost=0.00..1.00 rows=2 width=4)\n";
    assert_int_equal(dbp_pg_plan_from_text(snap, two, strlen(two), "2", &plan, &err), 0);
    assert_string_equal(plan->root->relation, "a");
    struct dbp_reader *rd = dbp_reader_open_mem(two, strlen(two), "two.txt");
    struct dbp_source *src = dbp_snapshot_add_source(snap, "two.txt", "postgres-plan-text");
    size_t before = snap->plans.n;
    assert_int_equal(dbp_pg_plan_text_format.parse(rd, NULL, snap, src, &err), DBP_OK);
    assert_int_equal(src->entries, 2);
    assert_int_equal(snap->plans.n, before + 2);
    assert_string_equal(((struct dbp_plan *)snap->plans.items[before + 1])->root->relation, "b");
    assert_null(((struct dbp_plan *)snap->plans.items[before + 1])->stmt);
    dbp_reader_close(rd);
    dbp_snapshot_free(snap);
}

static void t_errors(void **state)
{
    (void)state;
    struct dbp_snapshot *snap = dbp_snapshot_new();
    struct dbp_plan *plan = NULL;
    struct dbp_error err = {0};
    const char *broken = "[\n  {\n    \"Plan\": {\n      \"Node Type\": \"Seq Scan\",,\n";
    assert_int_equal(dbp_pg_plan_from_json(snap, broken, strlen(broken), "b.json", &plan, &err),
                     DBP_ERR_FORMAT);
    assert_null(plan);
    assert_non_null(strstr(err.message, "b.json:4"));
    assert_null(strchr(err.message, '\n'));
    const char *noplan = "{\"a\": 1}";
    assert_int_equal(dbp_pg_plan_from_json(snap, noplan, strlen(noplan), "n", &plan, &err),
                     DBP_ERR_FORMAT);
    assert_int_equal(dbp_pg_plan_from_text(snap, "hello\nworld\n", 12, "t", &plan, &err),
                     DBP_ERR_FORMAT);
    assert_int_equal(dbp_pg_plan_from_text(snap, "", 0, "t", &plan, &err), DBP_ERR_FORMAT);
    /* the format reports the problem as a diagnostic too */
    struct dbp_reader *r = dbp_reader_open_mem(broken, strlen(broken), "b.json");
    struct dbp_source *src = dbp_snapshot_add_source(snap, "b.json", "postgres-plan-json");
    assert_int_equal(dbp_pg_plan_json_format.parse(r, NULL, snap, src, &err), DBP_ERR_FORMAT);
    assert_int_equal(src->skipped, 1);
    assert_true(snap->n_diags >= 1);
    dbp_reader_close(r);
    dbp_snapshot_free(snap);
}

static void t_probes(void **state)
{
    (void)state;
    const char *log = "2024-01-01 10:00:00 UTC [1] LOG:  duration: 1.0 ms  plan:\n"
                      "\tQuery Text: select 1\n"
                      "\tResult  (cost=0.00..0.01 rows=1 width=4)\n";
    int t = dbp_pg_plan_text_format.probe((const unsigned char *)log, strlen(log));
    assert_true(t > 0 && t < 50); /* a log file: log formats must win */
    const char *plan = "Seq Scan on t  (cost=0.00..1.00 rows=1 width=4)\n";
    assert_true(dbp_pg_plan_text_format.probe((const unsigned char *)plan, strlen(plan)) >= 50);
    assert_int_equal(dbp_pg_plan_json_format.probe((const unsigned char *)plan, strlen(plan)), 0);
    const char *json = "[{\"Plan\": {\"Node Type\": \"Result\"}}]";
    assert_true(dbp_pg_plan_json_format.probe((const unsigned char *)json, strlen(json)) >= 50);
    assert_int_equal(dbp_pg_plan_text_format.probe((const unsigned char *)json, strlen(json)), 0);
    /* a real stderr log with auto_explain plans (text and JSON) goes to a log format */
    const char *real =
        "2026-11-26 16:55:22.307 UTC [14416] 6b08647a.3850 3 user=postgres,db=postgres,app=psql,"
        "client=[local] LOG:  duration: 18.163 ms  plan:\n"
        "\tQuery Text: select count(*) from orders where customer_id = 7;\n"
        "\tAggregate  (cost=1125.22..1125.23 rows=1 width=8) (actual time=18.145..18.149 rows=1 "
        "loops=1)\n"
        "\t  ->  Seq Scan on orders o  (cost=0.00..993.00 rows=4883 width=4) (actual "
        "time=0.010..9.002 rows=5000 loops=1)\n"
        "2026-11-26 16:55:22.310 UTC [14416] 6b08647a.3850 4 user=postgres,db=postgres,app=psql,"
        "client=[local] LOG:  duration: 22.917 ms  statement: select count(*) from orders where "
        "customer_id = 7;\n"
        "2026-11-26 16:55:22.428 UTC [14426] 6b08647a.385a 3 user=postgres,db=postgres,app=psql,"
        "client=[local] LOG:  duration: 2.324 ms  plan:\n"
        "\t{\n\t  \"Query Text\": \"select 1\",\n\t  \"Plan\": {\n\t    \"Node Type\": "
        "\"Result\"\n\t  }\n\t}\n";
    const struct dbp_driver *drv = NULL;
    const struct dbp_format *f = dbp_format_detect((const unsigned char *)real, strlen(real), &drv);
    assert_non_null(f);
    assert_string_not_equal(f->name, "postgres-plan-text");
    assert_string_not_equal(f->name, "postgres-plan-json");
    assert_true(dbp_pg_plan_text_format.probe((const unsigned char *)real, strlen(real)) < 50);
    assert_true(dbp_pg_plan_json_format.probe((const unsigned char *)real, strlen(real)) < 50);
    unsigned char junk[512];
    for (size_t i = 0; i < sizeof junk; i++)
        junk[i] = (unsigned char)(i * 37 + 11);
    (void)dbp_pg_plan_text_format.probe(junk, sizeof junk);
    (void)dbp_pg_plan_json_format.probe(junk, sizeof junk);
    assert_int_equal(dbp_pg_plan_text_format.probe(junk, 0), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_json_and_text_agree), cmocka_unit_test(t_seq_scan_filter),
        cmocka_unit_test(t_aggregate_and_sort),  cmocka_unit_test(t_auto_explain),
        cmocka_unit_test(t_decorations),         cmocka_unit_test(t_errors),
        cmocka_unit_test(t_probes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
