/*
 * test_my_plan.c -- MySQL/MariaDB EXPLAIN FORMAT=JSON parser on plans from a
 * real MariaDB 10.11 (tests/data/plans/mariadb-*), MySQL's classic dialect,
 * MySQL 8's EXPLAIN ANALYZE JSON tree (myflames corpus), the saved-plan
 * format, and malformed input.
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

#include "mysql/my_int.h"

static char *slurp_path(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        fail_msg("cannot open %s", path);
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

static struct dbp_plan *load_path(struct dbp_snapshot *snap, const char *path)
{
    size_t len;
    char *text = slurp_path(path, &len);
    struct dbp_plan *plan = NULL;
    struct dbp_error err = {0};
    int rc = dbp_my_plan_from_json(snap, text, len, path, &plan, &err);
    free(text);
    if (rc != DBP_OK)
        fail_msg("%s: %s", path, err.message);
    assert_non_null(plan->root);
    return plan;
}

static struct dbp_plan *load(struct dbp_snapshot *snap, const char *name)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/plans/%s", DBPERF_TEST_DATA, name);
    return load_path(snap, path);
}

static const struct dbp_pred *pred(const struct dbp_pred *p, size_t n, const char *col)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(p[i].column, col) == 0)
            return &p[i];
    return NULL;
}

static const struct dbp_plan_node *find_rel(const struct dbp_plan_node *n, const char *rel)
{
    if (n->relation && strcmp(n->relation, rel) == 0)
        return n;
    for (size_t i = 0; i < n->n_children; i++) {
        const struct dbp_plan_node *f = find_rel(n->children[i], rel);
        if (f)
            return f;
    }
    return NULL;
}

static void t_mariadb_explain(void **state)
{
    (void)state;
    struct dbp_snapshot *snap = dbp_snapshot_new();
    struct dbp_plan *p = load(snap, "mariadb-fullscan.json");
    assert_int_equal(p->engine, DBP_ENGINE_MYSQL);
    assert_false(p->analyzed);
    const struct dbp_plan_node *n = p->root;
    assert_int_equal(n->kind, DBP_NODE_FULL_SCAN);
    assert_string_equal(n->engine_name, "ALL");
    assert_string_equal(n->relation, "orders");
    assert_true(n->est_rows > 40000);
    assert_int_equal(pred(n->preds, n->n_preds, "status")->op, DBP_PRED_EQ);
    assert_int_equal(pred(n->preds, n->n_preds, "total")->op, DBP_PRED_RANGE);

    p = load(snap, "mariadb-ref.json");
    n = p->root;
    assert_int_equal(n->kind, DBP_NODE_INDEX_SCAN);
    assert_string_equal(n->index, "idx_customer");
    assert_int_equal(n->n_index_preds, 1);
    assert_string_equal(n->index_preds[0].column, "customer_id");
    assert_int_equal(n->index_preds[0].op, DBP_PRED_EQ);
    assert_true(n->est_rows == 10);
    dbp_snapshot_free(snap);
}

static void t_mariadb_analyze(void **state)
{
    (void)state;
    struct dbp_snapshot *snap = dbp_snapshot_new();
    struct dbp_plan *p = load(snap, "mariadb-group-analyze.json");
    assert_true(p->analyzed);
    assert_true(p->execution_ms > 0);
    const struct dbp_plan_node *sort = p->root;
    assert_int_equal(sort->kind, DBP_NODE_SORT);
    assert_int_equal(sort->n_sort_keys, 1);
    assert_true(sort->sort_keys[0].desc);
    assert_true(sort->act_rows == 2);
    assert_int_equal(sort->n_children, 1);
    const struct dbp_plan_node *join = sort->children[0];
    assert_int_equal(join->kind, DBP_NODE_JOIN);
    const struct dbp_plan_node *c = find_rel(join, "c");
    assert_non_null(c);
    assert_int_equal(c->kind, DBP_NODE_FULL_SCAN);
    assert_true(c->rows_examined == 5000);
    assert_true(c->loops == 1);
    const struct dbp_plan_node *o = find_rel(join, "o");
    assert_non_null(o);
    assert_true(o->loops == 5000);
    assert_true(!isnan(o->actual_ms));

    p = load(snap, "mariadb-join-analyze.json");
    const struct dbp_plan_node *range = find_rel(p->root, "o");
    assert_int_equal(range->kind, DBP_NODE_INDEX_SCAN);
    assert_string_equal(range->engine_name, "range");
    assert_true(range->act_rows == 20);
    assert_int_equal(pred(range->index_preds, range->n_index_preds, "created_at")->op,
                     DBP_PRED_RANGE);
    dbp_snapshot_free(snap);
}

static void t_mysql_classic(void **state)
{
    (void)state;
    struct dbp_snapshot *snap = dbp_snapshot_new();
    /* MySQL 8.0 FORMAT=JSON as the manual shows it */
    const char *doc =
        "{\n \"query_block\": {\n  \"select_id\": 1,\n"
        "  \"cost_info\": {\"query_cost\": \"1.20\"},\n"
        "  \"ordering_operation\": {\n   \"using_filesort\": true,\n"
        "   \"nested_loop\": [\n"
        "    {\"table\": {\"table_name\": \"o\", \"access_type\": \"ALL\",\n"
        "      \"rows_examined_per_scan\": 1000, \"rows_produced_per_join\": 100,\n"
        "      \"filtered\": \"10.00\", \"cost_info\": {\"prefix_cost\": \"101.25\"},\n"
        "      \"attached_condition\": \"((`shop`.`o`.`status` = 'paid') and "
        "(`shop`.`o`.`created_at` > '2024-01-01'))\"}},\n"
        "    {\"table\": {\"table_name\": \"c\", \"access_type\": \"eq_ref\",\n"
        "      \"key\": \"PRIMARY\", \"used_key_parts\": [\"id\"], \"using_index\": true,\n"
        "      \"rows_examined_per_scan\": 1, \"rows_produced_per_join\": 100,\n"
        "      \"materialized_from_subquery\": {\"query_block\": {\"table\": "
        "{\"table_name\": \"x\", \"access_type\": \"range\", \"key\": \"k\", "
        "\"used_key_parts\": [\"a\", \"b\"]}}}}}\n"
        "   ]\n  }\n }\n}\n";
    struct dbp_plan *p = NULL;
    struct dbp_error err = {0};
    assert_int_equal(dbp_my_plan_from_json(snap, doc, strlen(doc), "m", &p, &err), DBP_OK);
    const struct dbp_plan_node *sort = p->root;
    assert_int_equal(sort->kind, DBP_NODE_SORT);
    const struct dbp_plan_node *j = sort->children[0];
    assert_int_equal(j->kind, DBP_NODE_JOIN);
    assert_int_equal(j->n_children, 2);
    const struct dbp_plan_node *o = j->children[0];
    assert_int_equal(o->kind, DBP_NODE_FULL_SCAN);
    assert_true(o->rows_examined == 1000);
    assert_true(o->est_rows == 100);
    assert_true(o->total_cost == 101.25);
    assert_int_equal(pred(o->preds, o->n_preds, "status")->op, DBP_PRED_EQ);
    assert_int_equal(pred(o->preds, o->n_preds, "created_at")->op, DBP_PRED_RANGE);
    const struct dbp_plan_node *c = j->children[1];
    assert_int_equal(c->kind, DBP_NODE_INDEX_ONLY_SCAN);
    assert_int_equal(c->n_children, 1);
    assert_int_equal(c->children[0]->n_index_preds, 2);
    assert_int_equal(c->children[0]->index_preds[1].op, DBP_PRED_RANGE);
    dbp_snapshot_free(snap);
}

static void t_mysql_tree(void **state)
{
    (void)state;
    struct dbp_snapshot *snap = dbp_snapshot_new();
    char path[1024];
    snprintf(path, sizeof path, "%s/myflames/fixtures/explain-041-left-join-categories-parent.json",
             DBPERF_CORPUS);
    struct dbp_plan *p = load_path(snap, path);
    assert_string_equal(p->format, "mysql-json-tree");
    assert_true(p->analyzed);
    const struct dbp_plan_node *j = p->root;
    assert_int_equal(j->kind, DBP_NODE_JOIN);
    assert_true(j->act_rows == 50);
    assert_int_equal(j->n_children, 2);
    assert_int_equal(j->children[0]->kind, DBP_NODE_FULL_SCAN);
    assert_string_equal(j->children[0]->relation, "categories");
    assert_string_equal(j->children[0]->alias, "c");
    assert_string_equal(j->children[1]->index, "PRIMARY");
    assert_true(j->children[1]->loops == 50);
    assert_int_equal(j->children[1]->index_preds[0].op, DBP_PRED_EQ);
    dbp_snapshot_free(snap);
}

static void t_format(void **state)
{
    (void)state;
    struct dbp_snapshot *snap = dbp_snapshot_new();
    char path[1024];
    snprintf(path, sizeof path, "%s/myflames/fixtures/explain-041-left-join-categories-parent.json",
             DBPERF_CORPUS);
    size_t len;
    char *text = slurp_path(path, &len);
    assert_true(dbp_my_plan_json_format.probe((const unsigned char *)text, len) >= 50);
    struct dbp_reader *r = dbp_reader_open_mem(text, len, "x.json");
    struct dbp_source *src = dbp_snapshot_add_source(snap, "x.json", "mysql-plan-json");
    struct dbp_error err = {0};
    assert_int_equal(dbp_my_plan_json_format.parse(r, NULL, snap, src, &err), DBP_OK);
    assert_int_equal(snap->plans.n, 1);
    struct dbp_plan *p = snap->plans.items[0];
    assert_non_null(p->stmt); /* the document's "query" */
    assert_int_equal(p->stmt->engine, DBP_ENGINE_MYSQL);
    assert_int_equal(p->stmt->source, DBP_SRC_PLAN);
    dbp_reader_close(r);
    free(text);

    char mpath[1024];
    snprintf(mpath, sizeof mpath, "%s/plans/mariadb-ref.json", DBPERF_TEST_DATA);
    text = slurp_path(mpath, &len);
    assert_true(dbp_my_plan_json_format.probe((const unsigned char *)text, len) >= 50);
    free(text);
    const char *slow = "# Time: 2024-01-01T00:00:00\n# Query_time: 1.0\n"
                       "# explain: {\"query_block\": {}}\nselect 1;\n";
    int s = dbp_my_plan_json_format.probe((const unsigned char *)slow, strlen(slow));
    assert_true(s < 50); /* a slow log mentioning query_block: the log format wins */
    assert_int_equal(dbp_my_plan_json_format.probe((const unsigned char *)"{}", 2), 0);
    dbp_snapshot_free(snap);
}

static void t_errors(void **state)
{
    (void)state;
    struct dbp_snapshot *snap = dbp_snapshot_new();
    struct dbp_plan *p = NULL;
    struct dbp_error err = {0};
    const char *broken = "{\n  \"query_block\": {\n    \"table\": {\"table_name\": }\n";
    assert_int_equal(dbp_my_plan_from_json(snap, broken, strlen(broken), "b.json", &p, &err),
                     DBP_ERR_FORMAT);
    assert_non_null(strstr(err.message, "b.json:3"));
    assert_null(p);
    assert_int_equal(dbp_my_plan_from_json(snap, "{\"x\": 1}", 8, "n", &p, &err), DBP_ERR_FORMAT);
    assert_int_equal(dbp_my_plan_from_json(snap, "", 0, "e", &p, &err), DBP_ERR_FORMAT);
    /* the client's batch output (-B without -r) escapes the JSON's newlines */
    const char *batch = "EXPLAIN\n{\\n  \"query_block\": {\\n    \"select_id\": 1,\\n"
                        "    \"table\": {\\n      \"table_name\": \"t\",\\n"
                        "      \"access_type\": \"ALL\",\\n"
                        "      \"attached_condition\": \"t.a = 'x\\\\ty'\"\\n    }\\n  }\\n}\n";
    assert_int_equal(dbp_my_plan_from_json(snap, batch, strlen(batch), "batch", &p, &err),
                     DBP_OK);
    assert_int_equal(p->root->kind, DBP_NODE_FULL_SCAN);
    assert_string_equal(p->root->condition, "t.a = 'x\ty'"); /* JSON \t: a tab */
    /* nothing structural: no tree */
    assert_int_equal(dbp_my_plan_from_json(snap, "{\"query_block\": {}}", 19, "q", &p, &err),
                     DBP_ERR_FORMAT);
    dbp_snapshot_free(snap);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_mariadb_explain), cmocka_unit_test(t_mariadb_analyze),
        cmocka_unit_test(t_mysql_classic),   cmocka_unit_test(t_mysql_tree),
        cmocka_unit_test(t_format),          cmocka_unit_test(t_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
