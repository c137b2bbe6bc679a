/*
 * live_explain.c -- EXPLAIN (FORMAT JSON) of the statements with the most
 * total time in pg_stat_statements, attached to their statement classes.
 *
 * pg_stat_statements' texts have their constants replaced by $n, so most of
 * them are explained through a generic plan: EXPLAIN (GENERIC_PLAN) on
 * PostgreSQL 16 and later, before that PREPARE with the parameter types left
 * to the server and EXPLAIN EXECUTE with NULLs under plan_cache_mode =
 * force_generic_plan (the plan does not depend on the values then). Only
 * SELECT, INSERT, UPDATE and DELETE are explained, one statement at a time;
 * EXPLAIN ANALYZE (--analyze) only for a SELECT without parameters that calls
 * no volatile function (pg_stat_statements_reset(), pg_terminate_backend()...
 * act outside any transaction; the text and its EXPLAIN VERBOSE plan are
 * checked), inside a read-only transaction that is rolled back. EXPLAIN
 * without ANALYZE only plans (the planner may fold immutable functions), and
 * the session is read-only anyway. Once the plans are attached, pg_qualstats
 * (where installed) adds the columns those statements really filtered on
 * (live_qual.c).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <libpq-fe.h>

#include <dbperf/arena.h>
#include <dbperf/buf.h>
#include <dbperf/error.h>

#include "live_int.h"
#include "pg_int.h"

/* Append the single value of a one-row EXPLAIN result to json. */
static int take_json(const PGresult *r, struct dbp_buf *json, struct dbp_error *err)
{
    if (PQntuples(r) < 1 || PQnfields(r) < 1)
        return dbp_error_set(err, DBP_ERR_SERVER, "EXPLAIN returned no plan");
    /* FORMAT JSON is one row; be lenient if a server splits it */
    for (int i = 0; i < PQntuples(r); i++)
        dbp_buf_append(json, PQgetvalue(r, i, 0), (size_t)PQgetlength(r, i, 0));
    if (!json->data)
        dbp_buf_puts(json, "");
    return DBP_OK;
}

/* Send prefix-file + " " + text (extended protocol), JSON into json. */
static int explain_with(struct dbp_pg_ctx *c, const char *file, const char *text,
                        const char *suffix, bool simple, struct dbp_buf *json,
                        struct dbp_error *err)
{
    struct dbp_buf q = {0};
    PGresult *r = NULL;
    int rc = dbp_pg_sql(&q, file, NULL, err);
    if (rc != DBP_OK)
        goto out;
    if (text) {
        dbp_buf_putc(&q, '\n');
        dbp_buf_puts(&q, text);
    }
    if (suffix)
        dbp_buf_puts(&q, suffix);
    c->n_explain_sent++;
    rc = simple ? dbp_pg_exec_simple(c, "EXPLAIN", q.data, &r, err)
                : dbp_pg_exec(c, "EXPLAIN", q.data, 0, NULL, &r, err);
    if (rc == DBP_OK)
        rc = take_json(r, json, err);
out:
    PQclear(r);
    dbp_buf_free(&q);
    return rc;
}

/* Run a sql/postgres/ file that returns nothing of interest. */
static int run_file(struct dbp_pg_ctx *c, const char *file, const char *append,
                    struct dbp_error *err)
{
    struct dbp_buf q = {0};
    PGresult *r = NULL;
    int rc = dbp_pg_sql(&q, file, NULL, err);
    if (rc == DBP_OK && append) {
        dbp_buf_putc(&q, '\n');
        dbp_buf_puts(&q, append);
    }
    if (rc == DBP_OK)
        rc = dbp_pg_exec(c, file, q.data, 0, NULL, &r, err);
    PQclear(r);
    dbp_buf_free(&q);
    return rc;
}

/* Before 16: PREPARE, EXPLAIN EXECUTE (NULL, ...), DEALLOCATE. */
static int explain_prepared(struct dbp_pg_ctx *c, const char *text, int nparams,
                            struct dbp_buf *json, struct dbp_error *err)
{
    int rc;
    if (!c->generic_mode_set) {
        rc = run_file(c, "generic_mode.sql", NULL, err);
        if (rc != DBP_OK)
            return rc;
        c->generic_mode_set = true;
    }
    rc = run_file(c, "prepare.sql", text, err);
    if (rc != DBP_OK)
        return rc;
    struct dbp_buf args = {0};
    dbp_buf_putc(&args, '(');
    for (int i = 0; i < nparams; i++)
        dbp_buf_puts(&args, i ? ", NULL" : "NULL");
    dbp_buf_putc(&args, ')');
    rc = explain_with(c, "explain_execute.sql", NULL, args.data, false, json, err);
    dbp_buf_free(&args);
    struct dbp_error e2 = {0};
    int rc2 = run_file(c, "deallocate.sql", NULL, &e2);
    if (rc == DBP_OK && rc2 != DBP_OK) {
        if (err)
            *err = e2;
        rc = rc2;
    }
    return rc;
}

/* The names called in every string of an EXPLAIN (VERBOSE) document
 * ("Output", "Filter", "Function Call"...), appended to names. */
static void plan_calls(const cJSON *node, struct dbp_buf *names, bool *quoted)
{
    for (; node; node = node->next) {
        if (cJSON_IsString(node) && node->valuestring)
            dbp_pg_called_names(node->valuestring, names, quoted);
        plan_calls(node->child, names, quoted);
    }
}

/*
 * Whether text may be run by EXPLAIN ANALYZE: neither the text nor its plan
 * (EXPLAIN VERBOSE shows what views and inlined functions call) names a
 * volatile function (volatile_functions.sql), nor a function dbperf cannot
 * name. A read-only transaction stops writes to tables, not what such
 * functions do (pg_stat_statements_reset(), pg_terminate_backend()...).
 */
static int safe_to_run(struct dbp_pg_ctx *c, const char *text, bool *safe, struct dbp_error *err)
{
    struct dbp_buf names = {0}, q = {0}, json = {0};
    bool quoted = false;
    PGresult *r = NULL;
    *safe = false;
    dbp_pg_called_names(text, &names, &quoted);
    int rc = explain_with(c, "explain_verbose.sql", text, NULL, false, &json, err);
    if (rc != DBP_OK)
        goto out;
    cJSON *doc = cJSON_ParseWithLength(json.data, json.len);
    if (!doc) {
        quoted = true; /* unreadable: assume the worst */
    } else {
        plan_calls(doc, &names, &quoted);
        cJSON_Delete(doc);
    }
    if (quoted)
        goto out;
    if (names.len == 0) {
        *safe = true;
        goto out;
    }
    dbp_buf_putc(&names, '}');
    dbp_buf_reserve(&names, 1);
    memmove(names.data + 1, names.data, names.len + 1);
    names.data[0] = '{';
    names.len++;
    rc = dbp_pg_sql(&q, "volatile_functions.sql", NULL, err);
    const char *param = names.data;
    if (rc == DBP_OK)
        rc = dbp_pg_exec(c, "volatile_functions.sql", q.data, 1, &param, &r, err);
    if (rc == DBP_OK)
        *safe = PQntuples(r) == 1 && PQgetisnull(r, 0, 0);
out:
    PQclear(r);
    dbp_buf_free(&names);
    dbp_buf_free(&q);
    dbp_buf_free(&json);
    return rc;
}

/* EXPLAIN ANALYZE inside BEGIN READ ONLY ... ROLLBACK. */
static int explain_analyze(struct dbp_pg_ctx *c, const char *text, struct dbp_buf *json,
                           struct dbp_error *err)
{
    int rc = run_file(c, "begin.sql", NULL, err);
    if (rc != DBP_OK)
        return rc;
    rc = explain_with(c, "explain_analyze.sql", text, NULL, false, json, err);
    struct dbp_error e2 = {0};
    int rc2 = run_file(c, "rollback.sql", NULL, &e2);
    if (rc == DBP_OK && rc2 != DBP_OK) {
        if (err)
            *err = e2;
        rc = rc2;
    }
    return rc;
}

int dbp_pg_explain_text(struct dbp_pg_ctx *c, const char *text, bool analyze, struct dbp_buf *json,
                        bool *analyzed, struct dbp_error *err)
{
    int nparams = 0;
    bool single = true;
    if (analyzed)
        *analyzed = false;
    enum dbp_pg_stmt_kind kind = dbp_pg_classify(text, &nparams, &single);
    if (kind == DBP_PG_STMT_OTHER)
        return dbp_error_set(err, DBP_ERR_UNSUPPORTED,
                             "not a SELECT, INSERT, UPDATE or DELETE: not explained");
    if (!single)
        return dbp_error_set(err, DBP_ERR_UNSUPPORTED, "several statements: not explained");
    /* the text without trailing ';' and blanks */
    size_t n = strlen(text);
    while (n > 0 && (text[n - 1] == ';' || text[n - 1] == ' ' || text[n - 1] == '\n' ||
                     text[n - 1] == '\t' || text[n - 1] == '\r'))
        n--;
    char *t = dbp_xmalloc(n + 1);
    memcpy(t, text, n);
    t[n] = '\0';
    int rc = DBP_OK;
    bool safe = false;
    if (nparams == 0 && analyze && kind == DBP_PG_STMT_SELECT)
        rc = safe_to_run(c, t, &safe, err);
    if (rc != DBP_OK) {
        /* the check failed: nothing was run */
    } else if (safe) {
        rc = explain_analyze(c, t, json, err);
        if (rc == DBP_OK && analyzed)
            *analyzed = true;
    } else if (nparams == 0) {
        rc = explain_with(c, "explain.sql", t, NULL, false, json, err);
    } else if (c->server_version_num >= 160000) {
        /* $n placeholders need the simple protocol; t is a single statement */
        rc = explain_with(c, "explain_generic.sql", t, NULL, true, json, err);
    } else {
        rc = explain_prepared(c, t, nparams, json, err);
    }
    free(t);
    if (rc == DBP_OK)
        c->n_explain_json++;
    return rc;
}

double dbp_pg_json_total_cost(const char *json, size_t len)
{
    double cost = NAN;
    cJSON *doc = cJSON_ParseWithLength(json, len);
    if (!doc)
        return cost;
    cJSON *top = cJSON_IsArray(doc) ? cJSON_GetArrayItem(doc, 0) : doc;
    cJSON *plan = top ? cJSON_GetObjectItemCaseSensitive(top, "Plan") : NULL;
    cJSON *tc = plan ? cJSON_GetObjectItemCaseSensitive(plan, "Total Cost") : NULL;
    if (cJSON_IsNumber(tc))
        cost = tc->valuedouble;
    cJSON_Delete(doc);
    return cost;
}

static int by_total_desc(const void *a, const void *b)
{
    const struct dbp_stmt *x = *(struct dbp_stmt *const *)a;
    const struct dbp_stmt *y = *(struct dbp_stmt *const *)b;
    if (x->agg.total_ms != y->agg.total_ms)
        return x->agg.total_ms < y->agg.total_ms ? 1 : -1;
    return x->index < y->index ? -1 : x->index > y->index;
}

int dbp_pg_explain(void *ctx, struct dbp_snapshot *snap, struct dbp_error *err)
{
    struct dbp_pg_ctx *c = ctx;
    if (!c || !c->conn)
        return dbp_error_set(err, DBP_ERR_USAGE, "PostgreSQL: not connected");
    if (c->stmts_snap != snap || c->n_stmts == 0)
        return DBP_OK; /* nothing collected into this snapshot */
    struct dbp_stmt **order = dbp_xmalloc(c->n_stmts * sizeof *order);
    memcpy(order, c->stmts, c->n_stmts * sizeof *order);
    qsort(order, c->n_stmts, sizeof *order, by_total_desc);
    struct dbp_buf json = {0};
    int rc = DBP_OK, budget = c->top_n;
    for (size_t i = 0; i < c->n_stmts && budget > 0; i++) {
        struct dbp_stmt *st = order[i];
        int np;
        bool single;
        /* only this database's statements can be planned in this session */
        if (!st->database || !c->database || strcmp(st->database, c->database) != 0 ||
            dbp_pg_classify(st->text, &np, &single) == DBP_PG_STMT_OTHER || !single) {
            c->n_explain_skipped++;
            continue;
        }
        budget--;
        c->n_explain_tried++;
        struct dbp_error e = {0};
        bool analyzed = false;
        dbp_buf_clear(&json);
        int r = dbp_pg_explain_text(c, st->text, c->analyze, &json, &analyzed, &e);
        if (r == DBP_ERR_CONNECT) {
            rc = dbp_error_set(err, e.code, "%s", e.message);
            break;
        }
        if (r != DBP_OK) {
            dbp_snapshot_diag(snap, "%s/%s: EXPLAIN of queryid %lld failed: %s", c->instance,
                              c->database, (long long)st->engine_id, e.message);
            continue;
        }
        c->explain_json_bytes += json.len;
        const char *origin = dbp_arena_printf(snap->arena, "%s/%s queryid %lld", c->instance,
                                              c->database, (long long)st->engine_id);
        struct dbp_plan *plan = NULL;
        if (dbp_pg_plan_from_json(snap, json.data, json.len, origin, &plan, &e) != DBP_OK ||
            !plan) {
            dbp_snapshot_diag(snap, "%s: plan not understood: %s", origin, e.message);
            continue;
        }
        plan->stmt = st;
        if (!plan->origin)
            plan->origin = origin;
        dbp_snapshot_add_plan(snap, plan);
        c->n_plans_added++;
    }
    dbp_buf_free(&json);
    free(order);
    /* what the explained statements really filtered on, where pg_qualstats is installed */
    if (rc == DBP_OK)
        rc = dbp_pg_qualstats(c, snap, err);
    return rc;
}
