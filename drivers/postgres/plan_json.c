/*
 * plan_json.c -- PostgreSQL EXPLAIN (FORMAT JSON) into the common plan model,
 * and the "postgres-plan-json" input format (saved plans).
 *
 * Accepts what EXPLAIN prints (an array of objects with "Plan"), what
 * auto_explain logs ({"Query Text": ..., "Plan": ...}), a bare plan node, and
 * all of these as psql shows them (header, borders, '+' continuation marks).
 * ANALYZE, BUFFERS, VERBOSE, SETTINGS and WAL fields are read when present
 * and ignored when not needed. Each node's engine_name is the label EXPLAIN's
 * text format would print ("Hash Left Join", "HashAggregate", "Update"), so
 * that a plan reads the same whichever format it came in.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <dbperf/arena.h>
#include <dbperf/buf.h>
#include <dbperf/error.h>
#include <dbperf/reader.h>

#include "pg_int.h"
#include "plan_int.h"
#include "predicate.h"

#define MAX_PLAN_BYTES (512u << 20)

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

static bool flag(const cJSON *o, const char *key)
{
    return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, key));
}

/* The label EXPLAIN's text format prints for a JSON node (explain.c's sname). */
static const char *text_label(struct dbp_arena *a, const cJSON *pn)
{
    const char *type = str(pn, "Node Type");
    if (!type)
        return "Unknown";
    const char *strategy = str(pn, "Strategy");
    const char *base = type;
    if (strcmp(type, "Aggregate") == 0 && strategy) {
        if (strcmp(strategy, "Sorted") == 0)
            base = "GroupAggregate";
        else if (strcmp(strategy, "Hashed") == 0)
            base = "HashAggregate";
        else if (strcmp(strategy, "Mixed") == 0)
            base = "MixedAggregate";
    } else if (strcmp(type, "SetOp") == 0) {
        const char *cmd = str(pn, "Command");
        base = strategy && strcmp(strategy, "Hashed") == 0 ? "HashSetOp" : "SetOp";
        if (cmd)
            base = dbp_arena_printf(a, "%s %s", base, cmd);
    } else if (strcmp(type, "ModifyTable") == 0 && str(pn, "Operation")) {
        base = str(pn, "Operation");
    } else if (strcmp(type, "Custom Scan") == 0 && str(pn, "Custom Plan Provider")) {
        base = dbp_arena_printf(a, "Custom Scan (%s)", str(pn, "Custom Plan Provider"));
    }
    const char *jt = str(pn, "Join Type");
    if (jt && strcmp(jt, "Inner") != 0) {
        if (strcmp(type, "Nested Loop") == 0)
            base = dbp_arena_printf(a, "Nested Loop %s Join", jt);
        else if (strcmp(type, "Hash Join") == 0)
            base = dbp_arena_printf(a, "Hash %s Join", jt);
        else if (strcmp(type, "Merge Join") == 0)
            base = dbp_arena_printf(a, "Merge %s Join", jt);
    }
    const char *partial = str(pn, "Partial Mode");
    const char *pm = "";
    if (partial && strcmp(partial, "Partial") == 0)
        pm = "Partial ";
    else if (partial && strcmp(partial, "Finalize") == 0)
        pm = "Finalize ";
    const char *dir = str(pn, "Scan Direction");
    bool backward = dir && strcmp(dir, "Backward") == 0 &&
                    (strcmp(type, "Index Scan") == 0 || strcmp(type, "Index Only Scan") == 0);
    return dbp_arena_printf(a, "%s%s%s%s%s", flag(pn, "Parallel Aware") ? "Parallel " : "",
                            flag(pn, "Async Capable") && strcmp(type, "Foreign Scan") == 0
                                ? "Async "
                                : "",
                            pm, base, backward ? " Backward" : "");
}

static void sort_keys(struct dbp_snapshot *snap, struct dbp_plan_node *n, const cJSON *keys)
{
    if (cJSON_IsString(keys)) { /* some tools flatten the list */
        n->n_sort_keys = dbp_sortkeys_parse(snap->arena, keys->valuestring,
                                            strlen(keys->valuestring), &n->sort_keys);
        return;
    }
    if (!cJSON_IsArray(keys))
        return;
    int cnt = cJSON_GetArraySize(keys);
    if (cnt <= 0)
        return;
    n->sort_keys = dbp_arena_alloc(snap->arena, (size_t)cnt * sizeof *n->sort_keys);
    const cJSON *k;
    cJSON_ArrayForEach(k, keys)
    {
        if (!cJSON_IsString(k))
            continue;
        /* one key per element: do not split on commas inside it */
        struct dbp_sortkey *one = NULL;
        size_t m = dbp_sortkeys_parse(snap->arena, k->valuestring, strlen(k->valuestring), &one);
        if (m == 1) {
            n->sort_keys[n->n_sort_keys++] = one[0];
        } else if (m > 1) {
            n->sort_keys[n->n_sort_keys].column = dbp_arena_strdup(snap->arena, k->valuestring);
            n->sort_keys[n->n_sort_keys].desc = false;
            n->n_sort_keys++;
        }
    }
}

static struct dbp_plan_node *build(struct dbp_snapshot *snap, const cJSON *pn, int depth,
                                   bool *analyzed)
{
    struct dbp_arena *a = snap->arena;
    struct dbp_plan_node *n = dbp_plan_node_new(snap);
    n->engine_name = text_label(a, pn);
    n->kind = dbp_pg_node_kind(n->engine_name);
    if (dbp_pg_node_on_relation(n->engine_name)) {
        n->relation = dbp_arena_strdup(a, str(pn, "Relation Name"));
        n->schema = dbp_arena_strdup(a, str(pn, "Schema")); /* VERBOSE */
    }
    /* JSON repeats the relation name as Alias when there is none (text prints none) */
    const char *alias = str(pn, "Alias");
    if (alias && !(n->relation && strcmp(alias, n->relation) == 0))
        n->alias = dbp_arena_strdup(a, alias);
    if (!n->alias && str(pn, "CTE Name"))
        n->alias = dbp_arena_strdup(a, str(pn, "CTE Name"));
    n->index = dbp_arena_strdup(a, str(pn, "Index Name"));
    n->est_rows = num(pn, "Plan Rows");
    n->startup_cost = num(pn, "Startup Cost");
    n->total_cost = num(pn, "Total Cost");
    n->act_rows = num(pn, "Actual Rows");
    n->loops = num(pn, "Actual Loops");
    n->actual_ms = num(pn, "Actual Total Time");
    if (!isnan(n->loops) || !isnan(n->act_rows))
        *analyzed = true;
    static const char *const conds[] = {"Index Cond",  "Recheck Cond", "TID Cond",
                                        "Hash Cond",   "Merge Cond",   "Filter",
                                        "Join Filter", "One-Time Filter", NULL};
    for (size_t i = 0; conds[i]; i++) {
        const char *c = str(pn, conds[i]);
        if (c)
            dbp_pg_node_condition(snap, n, conds[i], c, strlen(c));
    }
    double removed = num(pn, "Rows Removed by Filter");
    double recheck = num(pn, "Rows Removed by Index Recheck");
    if (!isnan(n->act_rows) && (!isnan(removed) || !isnan(recheck)))
        n->rows_examined = n->act_rows + (isnan(removed) ? 0 : removed) +
                           (isnan(recheck) ? 0 : recheck);
    sort_keys(snap, n, cJSON_GetObjectItemCaseSensitive(pn, "Sort Key"));
    const cJSON *plans = cJSON_GetObjectItemCaseSensitive(pn, "Plans");
    if (cJSON_IsArray(plans) && depth < 1000) {
        const cJSON *c;
        cJSON_ArrayForEach(c, plans)
        {
            if (cJSON_IsObject(c))
                dbp_plan_node_add_child(snap, n, build(snap, c, depth + 1, analyzed));
        }
    }
    return n;
}

/*
 * One EXPLAIN result object ({"Plan": ...} or a bare node) into a plan;
 * *query is its "Query Text" (auto_explain) or NULL. NULL if obj is neither.
 */
static struct dbp_plan *plan_from_object(struct dbp_snapshot *snap, const cJSON *obj,
                                         const char *origin, const char **query)
{
    *query = NULL;
    if (!cJSON_IsObject(obj))
        return NULL;
    const cJSON *root = cJSON_GetObjectItemCaseSensitive(obj, "Plan");
    const cJSON *top = obj;
    if (!cJSON_IsObject(root)) {
        if (!str(obj, "Node Type"))
            return NULL;
        root = obj;
    }
    struct dbp_plan *plan = dbp_arena_alloc(snap->arena, sizeof *plan);
    plan->engine = DBP_ENGINE_POSTGRES;
    plan->format = "postgres-json";
    plan->origin = dbp_arena_strdup(snap->arena, origin);
    plan->planning_ms = num(top, "Planning Time");
    plan->execution_ms = num(top, "Execution Time");
    if (isnan(plan->execution_ms))
        plan->execution_ms = num(top, "Total Runtime"); /* before 9.4 */
    bool analyzed = false;
    plan->root = build(snap, root, 0, &analyzed);
    dbp_pg_plan_finish(plan, analyzed || !isnan(plan->execution_ms));
    *query = str(top, "Query Text");
    return plan;
}

/* The line number (1-based) of p in text. */
static size_t line_of(const char *text, const char *p)
{
    size_t line = 1;
    for (const char *q = text; q < p; q++)
        if (*q == '\n')
            line++;
    return line;
}

/* Skip to the next '[' or '{' that starts a JSON document; NULL if none. */
static const char *next_doc(const char *p, const char *end)
{
    for (; p < end; p++)
        if (*p == '[' || *p == '{')
            return p;
    return NULL;
}

/*
 * Parse every plan in text (cleaned of psql decorations) and call fn for
 * each. Returns DBP_OK, or DBP_ERR_FORMAT at the first malformed document.
 */
typedef void (*plan_fn)(struct dbp_snapshot *snap, struct dbp_plan *plan, const char *query,
                        void *arg);

static int parse_all(struct dbp_snapshot *snap, const char *text, size_t len, const char *origin,
                     plan_fn fn, void *arg, size_t *n_plans, struct dbp_error *err)
{
    struct dbp_buf clean = {0};
    dbp_pg_clean_psql(text, len, true, &clean);
    const char *p = clean.data, *end = clean.data + clean.len;
    int rc = DBP_OK;
    *n_plans = 0;
    const char *name = origin ? origin : "<plan>";
    while ((p = next_doc(p, end)) != NULL) {
        const char *stop = NULL;
        cJSON *doc = cJSON_ParseWithLengthOpts(p, (size_t)(end - p), &stop, 0);
        if (!doc) {
            const char *at = stop && stop >= clean.data && stop <= end ? stop : p;
            rc = dbp_error_set(err, DBP_ERR_FORMAT, "%s:%zu: invalid JSON (offset %zu)", name,
                               line_of(clean.data, at), (size_t)(at - clean.data));
            break;
        }
        size_t before = *n_plans;
        const char *query = NULL;
        if (cJSON_IsArray(doc)) {
            const cJSON *e;
            cJSON_ArrayForEach(e, doc)
            {
                struct dbp_plan *plan = plan_from_object(snap, e, origin, &query);
                if (plan) {
                    fn(snap, plan, query, arg);
                    (*n_plans)++;
                }
            }
        } else {
            struct dbp_plan *plan = plan_from_object(snap, doc, origin, &query);
            if (plan) {
                fn(snap, plan, query, arg);
                (*n_plans)++;
            }
        }
        cJSON_Delete(doc);
        if (*n_plans == before) {
            rc = dbp_error_set(err, DBP_ERR_FORMAT,
                               "%s:%zu: JSON document without a \"Plan\" with a \"Node Type\"",
                               name, line_of(clean.data, p));
            break;
        }
        if (!stop || stop <= p)
            break;
        p = stop;
    }
    if (rc == DBP_OK && *n_plans == 0)
        rc = dbp_error_set(err, DBP_ERR_FORMAT, "%s: no JSON plan found", name);
    dbp_buf_free(&clean);
    return rc;
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

int dbp_pg_plan_from_json(struct dbp_snapshot *snap, const char *text, size_t len,
                          const char *origin, struct dbp_plan **out, struct dbp_error *err)
{
    *out = NULL;
    size_t n = 0;
    if (!text)
        return dbp_error_set(err, DBP_ERR_FORMAT, "%s: empty plan", origin ? origin : "<plan>");
    struct dbp_plan *first = NULL;
    int rc = parse_all(snap, text, len, origin, keep_first, &first, &n, err);
    if (first) {
        *out = first;
        return DBP_OK;
    }
    return rc;
}

/* ---- the postgres-plan-json format -------------------------------------- */

static void add_plan(struct dbp_snapshot *snap, struct dbp_plan *plan, const char *query,
                     void *arg)
{
    (void)arg;
    dbp_pg_plan_attach(snap, plan, query, query ? strlen(query) : 0);
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
    if (!head || !contains(head, len, "\"Node Type\""))
        return 0;
    /* the first character that is not blank, border or header decides */
    struct dbp_buf clean = {0};
    dbp_pg_clean_psql((const char *)head, len, true, &clean);
    int score = 15;
    for (size_t i = 0; i < clean.len; i++) {
        char c = clean.data[i];
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r')
            continue;
        if (c == '[' || c == '{')
            score = contains(head, len, "\"Plan\"") ? 85 : 70;
        break;
    }
    dbp_buf_free(&clean);
    return score;
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
    src->engine = DBP_ENGINE_POSTGRES;
    size_t n = 0;
    struct dbp_error e = {0};
    rc = parse_all(snap, data, len, dbp_reader_name(r), add_plan, NULL, &n, &e);
    src->entries += n;
    if (rc != DBP_OK) {
        src->skipped++;
        dbp_snapshot_diag(snap, "%s", e.message);
        if (err)
            *err = e;
    }
    return rc;
}

const struct dbp_format dbp_pg_plan_json_format = {
    .name = "postgres-plan-json",
    .summary = "PostgreSQL EXPLAIN (FORMAT JSON) output or auto_explain JSON plans",
    .probe = probe,
    .parse = parse,
};
