/*
 * plan_json.c -- MySQL and MariaDB EXPLAIN FORMAT=JSON into the common plan
 * model, and the "mysql-plan-json" input format (saved plans).
 *
 * Three dialects:
 *   - MySQL's classic FORMAT=JSON (5.6 - 8.x): query_block with table,
 *     nested_loop, ordering_operation, grouping_operation, duplicates_removal,
 *     union_result, materialized_from_subquery, attached subqueries;
 *     estimates only (rows_examined_per_scan, rows_produced_per_join,
 *     cost_info).
 *   - MariaDB's FORMAT=JSON and ANALYZE FORMAT=JSON: query_block with table,
 *     nested_loop, filesort, read_sorted_file, temporary_table, block-nl-join,
 *     materialized, subqueries; actual figures r_loops, r_rows, r_filtered,
 *     r_table_time_ms / r_other_time_ms / r_total_time_ms.
 *   - MySQL 8.x EXPLAIN ANALYZE FORMAT=JSON (the iterator tree, JSON schema
 *     2): nodes with "operation", "access_type" (table, index, join, filter,
 *     sort, aggregate, ...), "inputs", estimated_* and actual_* figures.
 *
 * Mapping of the row figures for classic/MariaDB tables: est_rows is
 * rows_produced_per_join (MySQL) or "rows" (MariaDB); rows_examined is
 * rows_examined_per_scan (MySQL, an estimate) or r_rows (MariaDB, rows read
 * per loop); act_rows is r_rows * r_filtered / 100 (rows kept per loop).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>
#include <dbperf/arena.h>
#include <dbperf/buf.h>
#include <dbperf/error.h>
#include <dbperf/fingerprint.h>
#include <dbperf/reader.h>

#include "my_int.h"
#include "predicate.h"

#define MAX_PLAN_BYTES (512u << 20)
#define MAX_DEPTH      500

struct mctx {
    struct dbp_snapshot *snap;
    bool analyzed;
};

static double num(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    if (cJSON_IsNumber(v))
        return v->valuedouble;
    if (cJSON_IsString(v) && v->valuestring) {
        char *end;
        double d = strtod(v->valuestring, &end);
        if (end != v->valuestring)
            return d;
    }
    return NAN;
}

static const char *str(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static const cJSON *obj(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsObject(v) ? v : NULL;
}

static bool flag(const cJSON *o, const char *key)
{
    return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, key));
}

static struct dbp_plan_node *new_node(struct mctx *m, enum dbp_node_kind kind, const char *name)
{
    struct dbp_plan_node *n = dbp_plan_node_new(m->snap);
    n->kind = kind;
    n->engine_name = dbp_arena_strdup(m->snap->arena, name);
    return n;
}

static void add_child(struct mctx *m, struct dbp_plan_node *parent, struct dbp_plan_node *child)
{
    if (parent && child)
        dbp_plan_node_add_child(m->snap, parent, child);
}

static void add_condition(struct mctx *m, struct dbp_plan_node *n, const char *cond, bool index)
{
    if (!cond || !*cond)
        return;
    struct dbp_arena *a = m->snap->arena;
    if (!n->condition)
        n->condition = dbp_arena_strdup(a, cond);
    else
        n->condition = dbp_arena_printf(a, "%s AND %s", n->condition, cond);
    const char *qual = n->alias ? n->alias : n->relation;
    struct dbp_pred *p = NULL;
    size_t np = dbp_preds_from_condition(a, cond, qual, &p);
    if (index)
        n->n_index_preds = dbp_preds_merge(a, &n->index_preds, n->n_index_preds, p, np);
    else
        n->n_preds = dbp_preds_merge(a, &n->preds, n->n_preds, p, np);
}

static void sort_key_text(struct mctx *m, struct dbp_plan_node *n, const char *keys)
{
    if (!keys)
        return;
    n->n_sort_keys = dbp_sortkeys_parse(m->snap->arena, keys, strlen(keys), &n->sort_keys);
}

/* ---- classic and MariaDB ------------------------------------------------ */

static struct dbp_plan_node *walk(struct mctx *m, const cJSON *o, int depth);

/* A "table" object. */
static struct dbp_plan_node *table_node(struct mctx *m, const cJSON *t, int depth)
{
    struct dbp_arena *a = m->snap->arena;
    const char *access = str(t, "access_type");
    const char *name = str(t, "table_name");
    bool using_index = flag(t, "using_index");
    enum dbp_node_kind kind = DBP_NODE_OTHER;
    if (!access)
        kind = DBP_NODE_OTHER;
    else if (strcmp(access, "ALL") == 0)
        kind = DBP_NODE_FULL_SCAN;
    else if (strcmp(access, "index") == 0 || strcmp(access, "range") == 0 ||
             strcmp(access, "ref") == 0 || strcmp(access, "eq_ref") == 0 ||
             strcmp(access, "const") == 0 || strcmp(access, "system") == 0 ||
             strcmp(access, "ref_or_null") == 0 || strcmp(access, "index_merge") == 0 ||
             strcmp(access, "unique_subquery") == 0 ||
             strcmp(access, "index_subquery") == 0 || strcmp(access, "fulltext") == 0)
        kind = using_index ? DBP_NODE_INDEX_ONLY_SCAN : DBP_NODE_INDEX_SCAN;
    struct dbp_plan_node *n = new_node(m, kind, access ? access : "table");
    bool derived = name && name[0] == '<';
    if (derived) {
        n->alias = dbp_arena_strdup(a, name);
        if (kind == DBP_NODE_FULL_SCAN || kind == DBP_NODE_OTHER)
            n->kind = DBP_NODE_SUBQUERY;
    } else {
        n->relation = dbp_arena_strdup(a, name);
    }
    n->index = dbp_arena_strdup(a, str(t, "key"));
    /* rows */
    double produced = num(t, "rows_produced_per_join");
    double rows = num(t, "rows");
    n->est_rows = !isnan(produced) ? produced : rows;
    double examined = num(t, "rows_examined_per_scan");
    double r_rows = num(t, "r_rows");
    double r_loops = num(t, "r_loops");
    double r_filtered = num(t, "r_filtered");
    if (!isnan(r_rows)) {
        m->analyzed = true;
        n->rows_examined = r_rows;
        n->act_rows = isnan(r_filtered) ? r_rows : r_rows * r_filtered / 100.0;
    } else if (!isnan(examined)) {
        n->rows_examined = examined;
    }
    if (!isnan(r_loops)) {
        n->loops = r_loops;
        m->analyzed = true;
    }
    double t_ms = num(t, "r_table_time_ms"), o_ms = num(t, "r_other_time_ms");
    if (!isnan(t_ms)) {
        double total = t_ms + (isnan(o_ms) ? 0 : o_ms);
        n->actual_ms = r_loops > 0 ? total / r_loops : total;
    }
    const cJSON *ci = obj(t, "cost_info");
    if (ci)
        n->total_cost = num(ci, "prefix_cost");
    else
        n->total_cost = num(t, "cost");
    /* conditions */
    add_condition(m, n, str(t, "index_condition"), true);
    add_condition(m, n, str(t, "attached_condition"), false);
    /* key parts: equality for lookups, range for ranges */
    const cJSON *parts = cJSON_GetObjectItemCaseSensitive(t, "used_key_parts");
    if (cJSON_IsArray(parts) && access && strcmp(access, "index") != 0) {
        bool range = strcmp(access, "range") == 0;
        const cJSON *p;
        cJSON_ArrayForEach(p, parts)
        {
            if (!cJSON_IsString(p))
                continue;
            struct dbp_pred one = {dbp_arena_strdup(a, p->valuestring),
                                   range ? DBP_PRED_RANGE : DBP_PRED_EQ};
            /* a filter may know better (IN, or EQ within a range scan) */
            for (size_t i = 0; i < n->n_preds; i++)
                if (strcasecmp(n->preds[i].column, one.column) == 0 &&
                    n->preds[i].op < one.op)
                    one.op = n->preds[i].op;
            for (size_t i = 0; i < n->n_index_preds; i++)
                if (strcasecmp(n->index_preds[i].column, one.column) == 0 &&
                    n->index_preds[i].op < one.op)
                    one.op = n->index_preds[i].op;
            n->n_index_preds = dbp_preds_merge(a, &n->index_preds, n->n_index_preds, &one, 1);
        }
    }
    /* derived tables */
    const cJSON *mat = obj(t, "materialized_from_subquery");
    if (!mat)
        mat = obj(t, "materialized");
    if (mat && depth < MAX_DEPTH)
        add_child(m, n, walk(m, mat, depth + 1));
    return n;
}

/* Subquery lists of a block, as children of n. */
static void subqueries(struct mctx *m, struct dbp_plan_node *n, const cJSON *o, int depth)
{
    static const char *const lists[] = {"subqueries",           "attached_subqueries",
                                        "optimized_away_subqueries", "select_list_subqueries",
                                        "having_subqueries",    "order_by_subqueries",
                                        "group_by_subqueries",  "update_value_subqueries",
                                        NULL};
    for (size_t i = 0; lists[i]; i++) {
        const cJSON *l = cJSON_GetObjectItemCaseSensitive(o, lists[i]);
        const cJSON *e;
        if (!cJSON_IsArray(l))
            continue;
        cJSON_ArrayForEach(e, l)
        {
            if (cJSON_IsObject(e) && depth < MAX_DEPTH)
                add_child(m, n, walk(m, e, depth + 1));
        }
    }
}

/* A nested loop list, left-deep: ((t1 x t2) x t3) ...; one element stands alone. */
static struct dbp_plan_node *walk_list(struct mctx *m, const cJSON *loop, int depth)
{
    struct dbp_plan_node *n = NULL;
    const cJSON *e;
    if (depth > MAX_DEPTH)
        return NULL;
    cJSON_ArrayForEach(e, loop)
    {
        struct dbp_plan_node *c = walk(m, e, depth + 1);
        if (!c)
            continue;
        if (!n) {
            n = c;
        } else {
            struct dbp_plan_node *j = new_node(m, DBP_NODE_JOIN, "nested_loop");
            add_child(m, j, n);
            add_child(m, j, c);
            j->est_rows = c->est_rows;
            n = j;
        }
    }
    return n;
}

/*
 * The node for one block-like object: the first structural key found decides
 * (wrappers first, so the tree reads top-down); NULL when there is none.
 */
static struct dbp_plan_node *walk(struct mctx *m, const cJSON *o, int depth)
{
    if (!cJSON_IsObject(o) || depth > MAX_DEPTH)
        return NULL;
    struct dbp_plan_node *n = NULL;
    const cJSON *v;
    if ((v = obj(o, "query_block")) != NULL) {
        n = walk(m, v, depth + 1);
        if (n && str(o, "having_condition") && !n->condition)
            n->condition = dbp_arena_strdup(m->snap->arena, str(o, "having_condition"));
    } else if ((v = obj(o, "ordering_operation")) != NULL) {
        if (flag(v, "using_filesort")) {
            n = new_node(m, DBP_NODE_SORT, "ordering_operation");
            add_child(m, n, walk(m, v, depth + 1));
        } else {
            n = walk(m, v, depth + 1);
        }
    } else if ((v = obj(o, "grouping_operation")) != NULL) {
        n = new_node(m, DBP_NODE_AGGREGATE, "grouping_operation");
        add_child(m, n, walk(m, v, depth + 1));
    } else if ((v = obj(o, "duplicates_removal")) != NULL) {
        n = new_node(m, DBP_NODE_OTHER, "duplicates_removal");
        add_child(m, n, walk(m, v, depth + 1));
    } else if (cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(o, "duplicates_removal"))) {
        /* MariaDB's semi-join weedout: a list of tables */
        n = new_node(m, DBP_NODE_OTHER, "duplicates_removal");
        add_child(m, n, walk_list(m, cJSON_GetObjectItemCaseSensitive(o, "duplicates_removal"),
                                  depth + 1));
    } else if ((v = obj(o, "filesort")) != NULL) {
        n = new_node(m, DBP_NODE_SORT, "filesort");
        sort_key_text(m, n, str(v, "sort_key"));
        n->act_rows = num(v, "r_output_rows");
        n->loops = num(v, "r_loops");
        double ms = num(v, "r_total_time_ms");
        n->actual_ms = n->loops > 0 ? ms / n->loops : ms;
        add_child(m, n, walk(m, v, depth + 1));
    } else if ((v = obj(o, "read_sorted_file")) != NULL) {
        n = walk(m, v, depth + 1);
    } else if ((v = obj(o, "window_functions_computation")) != NULL ||
               (v = obj(o, "windowing")) != NULL) {
        n = new_node(m, DBP_NODE_OTHER, "window");
        add_child(m, n, walk(m, v, depth + 1));
    } else if ((v = obj(o, "temporary_table")) != NULL || (v = obj(o, "buffer_result")) != NULL ||
               (v = obj(o, "expression_cache")) != NULL ||
               (v = obj(o, "subquery_cache")) != NULL ||
               (v = obj(o, "materialization")) != NULL) {
        n = walk(m, v, depth + 1);
    } else if ((v = obj(o, "union_result")) != NULL) {
        n = new_node(m, DBP_NODE_APPEND, "union_result");
        n->alias = dbp_arena_strdup(m->snap->arena, str(v, "table_name"));
        const cJSON *specs = cJSON_GetObjectItemCaseSensitive(v, "query_specifications");
        const cJSON *e;
        if (cJSON_IsArray(specs))
            cJSON_ArrayForEach(e, specs) add_child(m, n, walk(m, e, depth + 1));
    } else if (cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(o, "nested_loop"))) {
        n = walk_list(m, cJSON_GetObjectItemCaseSensitive(o, "nested_loop"), depth + 1);
    } else if ((v = obj(o, "table")) != NULL) {
        n = table_node(m, v, depth + 1);
    } else if ((v = obj(o, "block-nl-join")) != NULL) {
        const cJSON *t = obj(v, "table");
        n = t ? table_node(m, t, depth + 1) : new_node(m, DBP_NODE_OTHER, "block-nl-join");
        add_condition(m, n, str(v, "attached_condition"), false);
        const cJSON *r_filtered = cJSON_GetObjectItemCaseSensitive(v, "r_filtered");
        if (cJSON_IsNumber(r_filtered) && !isnan(n->rows_examined))
            n->act_rows = n->rows_examined * r_filtered->valuedouble / 100.0;
    } else if (str(o, "message")) {
        n = new_node(m, DBP_NODE_RESULT, str(o, "message"));
    } else if (obj(o, "query_optimization") == NULL && str(o, "table_name")) {
        n = table_node(m, o, depth + 1); /* a bare table object */
    }
    if (n)
        subqueries(m, n, o, depth);
    return n;
}

/* ---- MySQL 8 iterator tree (EXPLAIN ANALYZE FORMAT=JSON) ---------------- */

static enum dbp_node_kind v2_kind(const cJSON *o)
{
    const char *at = str(o, "access_type");
    if (!at)
        return DBP_NODE_OTHER;
    if (strcmp(at, "table") == 0)
        return DBP_NODE_FULL_SCAN;
    if (strcmp(at, "index") == 0)
        return flag(o, "covering") ? DBP_NODE_INDEX_ONLY_SCAN : DBP_NODE_INDEX_SCAN;
    if (strcmp(at, "join") == 0)
        return DBP_NODE_JOIN;
    if (strcmp(at, "sort") == 0)
        return DBP_NODE_SORT;
    if (strcmp(at, "aggregate") == 0 || strcmp(at, "temp_table_aggregate") == 0 ||
        strcmp(at, "group_aggregate") == 0)
        return DBP_NODE_AGGREGATE;
    if (strcmp(at, "limit") == 0)
        return DBP_NODE_LIMIT;
    if (strcmp(at, "materialize") == 0)
        return DBP_NODE_MATERIALIZE;
    if (strcmp(at, "append") == 0)
        return DBP_NODE_APPEND;
    if (strcmp(at, "rows_fetched_before_execution") == 0 || strcmp(at, "zero_rows") == 0)
        return DBP_NODE_RESULT;
    if (strcmp(at, "rowid_union") == 0 || strcmp(at, "rowid_intersection") == 0 ||
        strcmp(at, "index_merge") == 0)
        return DBP_NODE_INDEX_SCAN;
    return DBP_NODE_OTHER;
}

static bool is_scan(const struct dbp_plan_node *n)
{
    return n->kind == DBP_NODE_FULL_SCAN || n->kind == DBP_NODE_INDEX_SCAN ||
           n->kind == DBP_NODE_INDEX_ONLY_SCAN;
}

static struct dbp_plan_node *walk_v2(struct mctx *m, const cJSON *o, int depth)
{
    if (!cJSON_IsObject(o) || depth > MAX_DEPTH)
        return NULL;
    struct dbp_arena *a = m->snap->arena;
    const char *op = str(o, "operation");
    struct dbp_plan_node *n = new_node(m, v2_kind(o), op ? op : "?");
    if (str(o, "table_name")) {
        n->relation = dbp_arena_strdup(a, str(o, "table_name"));
        n->schema = dbp_arena_strdup(a, str(o, "schema_name"));
        n->alias = dbp_arena_strdup(a, str(o, "alias"));
        if (n->relation[0] == '<') { /* <temporary>, <derived2> */
            n->alias = n->relation;
            n->relation = NULL;
            if (n->kind == DBP_NODE_FULL_SCAN)
                n->kind = DBP_NODE_SUBQUERY;
        }
    }
    n->index = dbp_arena_strdup(a, str(o, "index_name"));
    n->est_rows = num(o, "estimated_rows");
    n->act_rows = num(o, "actual_rows");
    n->loops = num(o, "actual_loops");
    n->actual_ms = num(o, "actual_last_row_ms");
    n->startup_cost = num(o, "estimated_first_row_cost");
    n->total_cost = num(o, "estimated_total_cost");
    if (!isnan(n->act_rows))
        m->analyzed = true;
    if (is_scan(n) && !isnan(n->act_rows))
        n->rows_examined = n->act_rows;
    add_condition(m, n, str(o, "lookup_condition"), true);
    add_condition(m, n, str(o, "pushed_index_condition"), true);
    const cJSON *ranges = cJSON_GetObjectItemCaseSensitive(o, "ranges");
    const cJSON *e;
    if (cJSON_IsArray(ranges))
        cJSON_ArrayForEach(e, ranges)
        {
            if (cJSON_IsString(e))
                add_condition(m, n, e->valuestring, true);
        }
    add_condition(m, n, str(o, "condition"), false);
    add_condition(m, n, str(o, "hash_condition"), false);
    const cJSON *sf = cJSON_GetObjectItemCaseSensitive(o, "sort_fields");
    if (cJSON_IsArray(sf)) {
        int cnt = cJSON_GetArraySize(sf);
        if (cnt > 0) {
            n->sort_keys = dbp_arena_alloc(a, (size_t)cnt * sizeof *n->sort_keys);
            cJSON_ArrayForEach(e, sf)
            {
                struct dbp_sortkey *k = NULL;
                if (cJSON_IsString(e) &&
                    dbp_sortkeys_parse(a, e->valuestring, strlen(e->valuestring), &k) >= 1)
                    n->sort_keys[n->n_sort_keys++] = k[0];
            }
        }
    }
    /* "inputs", and subqueries: "inputs_from_select_list", ... */
    const cJSON *list;
    cJSON_ArrayForEach(list, o)
    {
        if (list->string && strncmp(list->string, "inputs", 6) == 0 && cJSON_IsArray(list))
            cJSON_ArrayForEach(e, list) add_child(m, n, walk_v2(m, e, depth + 1));
    }
    /* a filter over one scan: the scan is what an index would serve */
    if (n->n_children == 1 && n->n_preds > 0 && str(o, "condition") &&
        is_scan(n->children[0])) {
        struct dbp_plan_node *c = n->children[0];
        const char *qual = c->alias ? c->alias : c->relation;
        struct dbp_pred *p = NULL;
        size_t np = dbp_preds_from_condition(a, str(o, "condition"), qual, &p);
        c->n_preds = dbp_preds_merge(a, &c->preds, c->n_preds, p, np);
        if (!isnan(c->act_rows))
            c->rows_examined = c->act_rows;
    }
    return n;
}

/* ---- entry points ------------------------------------------------------- */

/* One document into a plan; NULL if it is not a plan. *query: its text or NULL. */
static struct dbp_plan *plan_from_doc(struct dbp_snapshot *snap, const cJSON *doc,
                                      const char *origin, const char **query)
{
    struct mctx m = {snap, false};
    *query = NULL;
    if (!cJSON_IsObject(doc))
        return NULL;
    struct dbp_plan_node *root = NULL;
    const char *format = "mysql-json";
    double execution_ms = NAN;
    if (obj(doc, "query_block")) {
        root = walk(&m, doc, 0);
        execution_ms = num(obj(doc, "query_block"), "r_total_time_ms");
        if (!isnan(num(obj(doc, "query_block"), "r_loops")))
            m.analyzed = true;
    } else if (obj(doc, "query_plan")) {
        root = walk_v2(&m, obj(doc, "query_plan"), 0);
        format = "mysql-json-tree";
    } else if (str(doc, "operation")) {
        root = walk_v2(&m, doc, 0);
        format = "mysql-json-tree";
    }
    if (!root)
        return NULL;
    if (strcmp(format, "mysql-json-tree") == 0 && !isnan(root->actual_ms))
        execution_ms = root->actual_ms * (isnan(root->loops) ? 1 : root->loops);
    struct dbp_plan *plan = dbp_arena_alloc(snap->arena, sizeof *plan);
    plan->engine = DBP_ENGINE_MYSQL;
    plan->format = format;
    plan->origin = dbp_arena_strdup(snap->arena, origin);
    plan->analyzed = m.analyzed;
    plan->planning_ms = NAN;
    const cJSON *qo = obj(doc, "query_optimization");
    if (qo)
        plan->planning_ms = num(qo, "r_total_time_ms");
    plan->execution_ms = execution_ms;
    plan->root = root;
    *query = str(doc, "query");
    return plan;
}

static size_t line_of(const char *text, const char *p)
{
    size_t line = 1;
    for (const char *q = text; q < p; q++)
        if (*q == '\n')
            line++;
    return line;
}

typedef void (*plan_fn)(struct dbp_snapshot *snap, struct dbp_plan *plan, const char *query,
                        void *arg);

/*
 * Every JSON document in text (several may follow each other; text before
 * the first '{' -- a mysql client header, a "*** 1. row ***" line -- is
 * skipped).
 */
static int parse_all(struct dbp_snapshot *snap, const char *text, size_t len, const char *origin,
                     plan_fn fn, void *arg, size_t *n_plans, struct dbp_error *err);

/*
 * The mysql / mariadb client in batch mode (-B without -r) prints the JSON
 * with its newlines, tabs and backslashes escaped ("{\n  \"query_block\"...").
 * Undo that into out when text looks so; false when it does not.
 */
static bool unescape_batch(const char *text, size_t len, struct dbp_buf *out)
{
    bool escaped = false;
    for (size_t i = 0; i + 1 < len && !escaped; i++)
        if (text[i] == '{' && text[i + 1] == '\\' && i + 2 < len && text[i + 2] == 'n')
            escaped = true;
    if (!escaped)
        return false;
    dbp_buf_clear(out);
    for (size_t i = 0; i < len; i++) {
        if (text[i] == '\\' && i + 1 < len) {
            char c = text[i + 1];
            if (c == 'n' || c == 't' || c == '\\' || c == '0') {
                dbp_buf_putc(out, c == 'n' ? '\n' : c == 't' ? '\t' : c == '0' ? ' ' : '\\');
                i++;
                continue;
            }
        }
        dbp_buf_putc(out, text[i]);
    }
    return true;
}

static int parse_text(struct dbp_snapshot *snap, const char *text, size_t len,
                      const char *origin, plan_fn fn, void *arg, size_t *n_plans,
                      struct dbp_error *err)
{
    struct dbp_buf un = {0};
    int rc;
    if (unescape_batch(text, len, &un))
        rc = parse_all(snap, un.data, un.len, origin, fn, arg, n_plans, err);
    else
        rc = parse_all(snap, text, len, origin, fn, arg, n_plans, err);
    dbp_buf_free(&un);
    return rc;
}

static int parse_all(struct dbp_snapshot *snap, const char *text, size_t len, const char *origin,
                     plan_fn fn, void *arg, size_t *n_plans, struct dbp_error *err)
{
    const char *p = text, *end = text + len;
    const char *name = origin ? origin : "<plan>";
    *n_plans = 0;
    while (p < end) {
        while (p < end && *p != '{')
            p++;
        if (p >= end)
            break;
        const char *stop = NULL;
        cJSON *doc = cJSON_ParseWithLengthOpts(p, (size_t)(end - p), &stop, 0);
        if (!doc) {
            const char *at = stop && stop >= text && stop <= end ? stop : p;
            return dbp_error_set(err, DBP_ERR_FORMAT, "%s:%zu: invalid JSON (offset %zu)", name,
                                 line_of(text, at), (size_t)(at - text));
        }
        const char *query = NULL;
        struct dbp_plan *plan = plan_from_doc(snap, doc, origin, &query);
        if (plan) {
            fn(snap, plan, query, arg);
            (*n_plans)++;
        }
        cJSON_Delete(doc);
        if (!plan)
            return dbp_error_set(err, DBP_ERR_FORMAT,
                                 "%s:%zu: JSON document without \"query_block\" or "
                                 "\"operation\"",
                                 name, line_of(text, p));
        if (!stop || stop <= p)
            break;
        p = stop;
    }
    if (*n_plans == 0)
        return dbp_error_set(err, DBP_ERR_FORMAT, "%s: no JSON plan found", name);
    return DBP_OK;
}

static void keep_first(struct dbp_snapshot *snap, struct dbp_plan *plan, const char *query,
                       void *arg)
{
    (void)snap;
    (void)query;
    struct dbp_plan **out = arg;
    if (!*out)
        *out = plan;
}

int dbp_my_plan_from_json(struct dbp_snapshot *snap, const char *text, size_t len,
                          const char *origin, struct dbp_plan **out, struct dbp_error *err)
{
    *out = NULL;
    if (!text)
        return dbp_error_set(err, DBP_ERR_FORMAT, "%s: empty plan", origin ? origin : "<plan>");
    size_t n = 0;
    struct dbp_plan *first = NULL;
    int rc = parse_text(snap, text, len, origin, keep_first, &first, &n, err);
    if (first) {
        *out = first;
        return DBP_OK;
    }
    return rc;
}

/* ---- the mysql-plan-json format ----------------------------------------- */

static void add_plan(struct dbp_snapshot *snap, struct dbp_plan *plan, const char *query,
                     void *arg)
{
    (void)arg;
    if (query && *query) {
        struct dbp_buf fp = {0};
        dbp_fingerprint(DBP_FP_PT, query, strlen(query), &fp);
        size_t before = snap->stmts.n;
        struct dbp_stmt *st =
            dbp_snapshot_stmt(snap, DBP_ENGINE_MYSQL, NULL, fp.data ? fp.data : "", fp.len);
        if (snap->stmts.n > before)
            st->source = DBP_SRC_PLAN;
        dbp_stmt_offer_example(snap, st, query, strlen(query), plan->execution_ms);
        plan->stmt = st;
        dbp_buf_free(&fp);
    }
    dbp_snapshot_add_plan(snap, plan);
}

static bool contains(const unsigned char *h, size_t len, const char *needle)
{
    size_t k = strlen(needle);
    for (size_t i = 0; i + k <= len; i++)
        if (memcmp(h + i, needle, k) == 0)
            return true;
    return false;
}

static int probe(const unsigned char *head, size_t len)
{
    if (!head || len == 0)
        return 0;
    size_t i = 0;
    while (i < len && (head[i] == ' ' || head[i] == '\t' || head[i] == '\n' || head[i] == '\r'))
        i++;
    bool starts_json = i < len && head[i] == '{';
    if (contains(head, len, "\"query_block\""))
        return starts_json ? 85 : 15;
    if (starts_json && contains(head, len, "\"operation\"") &&
        contains(head, len, "\"access_type\""))
        return 75;
    return 0;
}

static int parse(struct dbp_reader *r, const struct dbp_parse_opts *o, struct dbp_snapshot *snap,
                 struct dbp_source *src, struct dbp_error *err)
{
    (void)o;
    const char *data = NULL;
    size_t len = 0;
    int rc = dbp_reader_slurp(r, MAX_PLAN_BYTES, &data, &len, err);
    if (rc != DBP_OK)
        return rc;
    src->bytes += len;
    src->engine = DBP_ENGINE_MYSQL;
    size_t n = 0;
    struct dbp_error e = {0};
    rc = parse_text(snap, data, len, dbp_reader_name(r), add_plan, NULL, &n, &e);
    src->entries += n;
    if (rc != DBP_OK) {
        src->skipped++;
        dbp_snapshot_diag(snap, "%s", e.message);
        if (err)
            *err = e;
    }
    return rc;
}

const struct dbp_format dbp_my_plan_json_format = {
    .name = "mysql-plan-json",
    .summary = "MySQL / MariaDB EXPLAIN FORMAT=JSON, ANALYZE FORMAT=JSON, EXPLAIN ANALYZE JSON",
    .probe = probe,
    .parse = parse,
};
