/*
 * report_load.c -- the input format "dbperf-json": a saved dbperf JSON report
 * (docs/report.schema.json) read back as a source.
 *
 * Statement classes are rebuilt with their aggregates (calls, total, min,
 * max, rows with their flags, first/last seen; p50/p95/p99 into
 * agg.fixed_q_ms since sketches are not saved), their example when the
 * report holds one, and their plan. Bare plans, indexes and tables are
 * restored too. Findings are not loaded (the rules recompute them), nor are
 * bursts and diagnostics. Unknown fields are ignored, so reports written by
 * a newer dbperf of the same major version load; a newer major "version" is
 * an error naming the file.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include <dbperf/arena.h>
#include <dbperf/driver.h>
#include <dbperf/error.h>
#include <dbperf/reader.h>
#include <dbperf/report.h>

#include "report_int.h"

#define REPORT_MAX_BYTES (1u << 30) /* 1 GiB */

/* ---- probe ------------------------------------------------------------ */

/* Does head contain "key" <ws> : <ws> followed by what (what may be NULL)? */
static bool has_key(const unsigned char *head, size_t len, const char *key, const char *what)
{
    size_t kl = strlen(key);
    for (size_t i = 0; i + kl <= len; i++) {
        if (memcmp(head + i, key, kl) != 0)
            continue;
        size_t j = i + kl;
        while (j < len && (head[j] == ' ' || head[j] == '\t' || head[j] == '\n' || head[j] == '\r'))
            j++;
        if (j >= len || head[j] != ':')
            continue;
        j++;
        while (j < len && (head[j] == ' ' || head[j] == '\t' || head[j] == '\n' || head[j] == '\r'))
            j++;
        if (!what)
            return j < len;
        size_t wl = strlen(what);
        if (j + wl <= len && memcmp(head + j, what, wl) == 0)
            return true;
    }
    return false;
}

static int probe(const unsigned char *head, size_t len)
{
    size_t i = 0;
    if (len >= 3 && head[0] == 0xEF && head[1] == 0xBB && head[2] == 0xBF)
        i = 3;
    while (i < len && (head[i] == ' ' || head[i] == '\t' || head[i] == '\n' || head[i] == '\r'))
        i++;
    if (i >= len || head[i] != '{')
        return 0;
    if (has_key(head + i, len - i, "\"tool\"", "\"dbperf\"") &&
        has_key(head + i, len - i, "\"version\"", NULL))
        return 90;
    return 0;
}

/* ---- field access ----------------------------------------------------- */

static const char *get_str(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static const char *dup_str(struct dbp_snapshot *snap, const cJSON *o, const char *key)
{
    return dbp_arena_strdup(snap->arena, get_str(o, key));
}

/* A finite number, else NaN. */
static double get_num(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsNumber(v) && isfinite(v->valuedouble) ? v->valuedouble : NAN;
}

/* A count >= 0 (clamped into int64), else -1. */
static int64_t get_count(const cJSON *o, const char *key)
{
    double v = get_num(o, key);
    if (!(v >= 0))
        return -1;
    if (v >= 9.2e18)
        return INT64_MAX;
    return (int64_t)v;
}

static bool get_bool(const cJSON *o, const char *key)
{
    return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, key));
}

/* An ISO 8601 time as us since the epoch, 0 if absent or unreadable. */
static int64_t get_time(const cJSON *o, const char *key)
{
    int64_t us;
    const char *s = get_str(o, key);
    return s && dbp_report_parse_iso8601(s, &us) == 0 ? us : 0;
}

static enum dbp_engine get_engine(const cJSON *o)
{
    const char *s = get_str(o, "engine");
    return s ? dbp_engine_parse(s) : DBP_ENGINE_UNKNOWN;
}

/* ---- plans ------------------------------------------------------------ */

static enum dbp_node_kind kind_parse(const char *s)
{
    for (int k = 0; s && k < DBP_NODE_KIND_COUNT; k++)
        if (strcmp(s, dbp_node_kind_name((enum dbp_node_kind)k)) == 0)
            return (enum dbp_node_kind)k;
    return DBP_NODE_OTHER;
}

static struct dbp_pred *load_preds(struct dbp_snapshot *snap, const cJSON *arr, size_t *n)
{
    static const char *const ops[] = {"eq", "in", "range", "other"};
    *n = 0;
    int size = cJSON_IsArray(arr) ? cJSON_GetArraySize(arr) : 0;
    if (size <= 0)
        return NULL;
    struct dbp_pred *p = dbp_arena_alloc(snap->arena, (size_t)size * sizeof *p);
    const cJSON *e;
    cJSON_ArrayForEach(e, arr)
    {
        const char *col = get_str(e, "column");
        if (!col || *n >= (size_t)size)
            continue;
        p[*n].column = dbp_arena_strdup(snap->arena, col);
        p[*n].op = DBP_PRED_OTHER;
        const char *op = get_str(e, "op");
        for (int k = 0; op && k < 4; k++)
            if (strcmp(op, ops[k]) == 0)
                p[*n].op = (enum dbp_pred_op)k;
        (*n)++;
    }
    return p;
}

static struct dbp_plan_node *load_node(struct dbp_snapshot *snap, const cJSON *o)
{
    struct dbp_plan_node *n = dbp_plan_node_new(snap);
    n->kind = kind_parse(get_str(o, "kind"));
    n->engine_name = dup_str(snap, o, "engine_name");
    n->relation = dup_str(snap, o, "relation");
    n->schema = dup_str(snap, o, "schema");
    n->alias = dup_str(snap, o, "alias");
    n->index = dup_str(snap, o, "index");
    n->condition = dup_str(snap, o, "condition");
    n->preds = load_preds(snap, cJSON_GetObjectItemCaseSensitive(o, "preds"), &n->n_preds);
    n->index_preds =
        load_preds(snap, cJSON_GetObjectItemCaseSensitive(o, "index_preds"), &n->n_index_preds);
    n->observed_preds = load_preds(snap, cJSON_GetObjectItemCaseSensitive(o, "observed_preds"),
                                   &n->n_observed_preds);
    if (n->n_observed_preds) {
        n->observed_from = dup_str(snap, o, "observed_from");
        if (!n->observed_from)
            n->observed_from = "the server";
    }
    const cJSON *sk = cJSON_GetObjectItemCaseSensitive(o, "sort_keys");
    int size = cJSON_IsArray(sk) ? cJSON_GetArraySize(sk) : 0;
    if (size > 0) {
        n->sort_keys = dbp_arena_alloc(snap->arena, (size_t)size * sizeof *n->sort_keys);
        const cJSON *e;
        cJSON_ArrayForEach(e, sk)
        {
            const char *col = get_str(e, "column");
            if (!col || n->n_sort_keys >= (size_t)size)
                continue;
            n->sort_keys[n->n_sort_keys].column = dbp_arena_strdup(snap->arena, col);
            n->sort_keys[n->n_sort_keys].desc = get_bool(e, "desc");
            n->n_sort_keys++;
        }
    }
    n->est_rows = get_num(o, "est_rows");
    n->act_rows = get_num(o, "act_rows");
    n->loops = get_num(o, "loops");
    n->startup_cost = get_num(o, "startup_cost");
    n->total_cost = get_num(o, "total_cost");
    n->actual_ms = get_num(o, "actual_ms");
    n->rows_examined = get_num(o, "rows_examined");
    const cJSON *ch = cJSON_GetObjectItemCaseSensitive(o, "children");
    const cJSON *c;
    if (cJSON_IsArray(ch))
        cJSON_ArrayForEach(c, ch)
        {
            if (cJSON_IsObject(c))
                dbp_plan_node_add_child(snap, n, load_node(snap, c));
        }
    return n;
}

static void load_plan(struct dbp_snapshot *snap, const cJSON *o, struct dbp_stmt *st)
{
    struct dbp_plan *p = dbp_arena_alloc(snap->arena, sizeof *p);
    p->engine = get_engine(o);
    if (p->engine == DBP_ENGINE_UNKNOWN && st)
        p->engine = st->engine;
    p->format = dup_str(snap, o, "format");
    p->origin = dup_str(snap, o, "origin");
    p->analyzed = get_bool(o, "analyzed");
    p->planning_ms = get_num(o, "planning_ms");
    p->execution_ms = get_num(o, "execution_ms");
    const cJSON *root = cJSON_GetObjectItemCaseSensitive(o, "root");
    p->root = cJSON_IsObject(root) ? load_node(snap, root) : NULL;
    p->stmt = st;
    dbp_snapshot_add_plan(snap, p);
}

/* ---- statements ------------------------------------------------------- */

static double fmin_nan(double a, double b)
{
    return !(a <= b) && b == b ? b : a;
}

static double fmax_nan(double a, double b)
{
    return !(a >= b) && b == b ? b : a;
}

/* Fold one saved statement into the snapshot. Returns the class or NULL (skipped: *why set). */
static struct dbp_stmt *load_stmt(struct dbp_snapshot *snap, const cJSON *o, const char **why)
{
    if (!cJSON_IsObject(o)) {
        *why = "not an object";
        return NULL;
    }
    const char *text = get_str(o, "text");
    if (!text) {
        *why = "no \"text\"";
        return NULL;
    }
    struct dbp_stmt *st =
        dbp_snapshot_stmt(snap, get_engine(o), get_str(o, "database"), text, strlen(text));
    struct dbp_agg *a = &st->agg;
    bool fresh = a->calls == 0 && !(a->flags & DBP_AGG_QUANTILES);
    if (fresh)
        st->source = DBP_SRC_REPORT;
    if (!st->user)
        st->user = dup_str(snap, o, "user");

    int64_t calls = get_count(o, "calls");
    if (calls > 0)
        a->calls += (uint64_t)calls;
    double total = get_num(o, "total_ms");
    if (total == total)
        a->total_ms += total;
    a->min_ms = fmin_nan(a->min_ms, get_num(o, "min_ms"));
    a->max_ms = fmax_nan(a->max_ms, get_num(o, "max_ms"));
    if (fresh) {
        a->fixed_q_ms[0] = get_num(o, "p50_ms");
        a->fixed_q_ms[1] = get_num(o, "p95_ms");
        a->fixed_q_ms[2] = get_num(o, "p99_ms");
    } else {
        /* two distributions cannot be combined from their quantiles */
        a->flags &= ~DBP_AGG_QUANTILES;
        a->fixed_q_ms[0] = a->fixed_q_ms[1] = a->fixed_q_ms[2] = NAN;
    }
    int64_t re = get_count(o, "rows_examined");
    if (re >= 0) {
        a->rows_examined += (uint64_t)re;
        a->flags |= DBP_AGG_ROWS_EXAMINED;
    }
    int64_t rr = get_count(o, "rows_returned");
    if (rr >= 0) {
        a->rows_returned += (uint64_t)rr;
        a->flags |= DBP_AGG_ROWS_RETURNED;
    }
    int64_t first = get_time(o, "first_seen"), last = get_time(o, "last_seen");
    if (first && (!a->first_seen_us || first < a->first_seen_us))
        a->first_seen_us = first;
    if (last && last > a->last_seen_us)
        a->last_seen_us = last;

    const char *ex = get_str(o, "example");
    if (ex)
        dbp_stmt_offer_example(snap, st, ex, strlen(ex), get_num(o, "example_ms"));
    const char *id = get_str(o, "engine_id");
    if (id && !st->engine_id) {
        char *end;
        long long v = strtoll(id, &end, 10);
        if (*end == '\0' && end != id)
            st->engine_id = (int64_t)v;
    }
    if (!st->engine_id_text)
        st->engine_id_text = dup_str(snap, o, "engine_id_text");
    const cJSON *plan = cJSON_GetObjectItemCaseSensitive(o, "plan");
    if (cJSON_IsObject(plan))
        load_plan(snap, plan, st);
    return st;
}

/* ---- indexes and tables ----------------------------------------------- */

static void load_index(struct dbp_snapshot *snap, const cJSON *o)
{
    struct dbp_index *ix = dbp_snapshot_add_index(snap);
    ix->engine = get_engine(o);
    ix->instance = dup_str(snap, o, "instance");
    ix->cluster = dup_str(snap, o, "cluster");
    ix->database = dup_str(snap, o, "database");
    ix->schema = dup_str(snap, o, "schema");
    ix->table = dup_str(snap, o, "table");
    ix->name = dup_str(snap, o, "name");
    const cJSON *cols = cJSON_GetObjectItemCaseSensitive(o, "columns");
    int size = cJSON_IsArray(cols) ? cJSON_GetArraySize(cols) : 0;
    if (size > 0) {
        ix->columns = dbp_arena_alloc(snap->arena, (size_t)size * sizeof *ix->columns);
        const cJSON *e;
        cJSON_ArrayForEach(e, cols)
        {
            if (cJSON_IsString(e) && ix->n_columns < (size_t)size)
                ix->columns[ix->n_columns++] = dbp_arena_strdup(snap->arena, e->valuestring);
        }
    }
    ix->method = dup_str(snap, o, "method");
    ix->definition = dup_str(snap, o, "definition");
    ix->predicate = dup_str(snap, o, "predicate");
    const cJSON *flags = cJSON_GetObjectItemCaseSensitive(o, "flags");
    const cJSON *e;
    if (cJSON_IsArray(flags))
        cJSON_ArrayForEach(e, flags)
        {
            for (unsigned b = 0; cJSON_IsString(e) && b < DBP_REPORT_INDEX_FLAG_BITS; b++)
                if (strcmp(e->valuestring, dbp_report_index_flag_name(b)) == 0)
                    ix->flags |= 1u << b;
        }
    ix->size_bytes = get_count(o, "size_bytes");
    ix->scans = get_count(o, "scans");
    ix->counter_since_us = get_time(o, "counters_since");
}

static void load_table(struct dbp_snapshot *snap, const cJSON *o)
{
    struct dbp_table *t = dbp_snapshot_add_table(snap);
    t->engine = get_engine(o);
    if (get_bool(o, "partitioned"))
        t->flags |= DBP_TBL_PARTITIONED;
    t->instance = dup_str(snap, o, "instance");
    t->database = dup_str(snap, o, "database");
    t->schema = dup_str(snap, o, "schema");
    t->name = dup_str(snap, o, "name");
    t->rows = get_count(o, "rows");
    t->size_bytes = get_count(o, "size_bytes");
    t->seq_scans = get_count(o, "seq_scans");
    t->seq_rows_read = get_count(o, "seq_rows_read");
    t->idx_scans = get_count(o, "idx_scans");
}

/* ---- parse ------------------------------------------------------------ */

/* Record a skipped entry: a diagnostic, and the first problem in err. */
static void skip(struct dbp_snapshot *snap, struct dbp_source *src, struct dbp_error *err,
                 int *rc, const char *name, const char *section, int i, const char *why)
{
    dbp_snapshot_diag(snap, "%s: %s[%d]: %s, skipped", name, section, i, why);
    src->skipped++;
    if (*rc == DBP_OK)
        *rc = dbp_error_set(err, DBP_ERR_FORMAT, "%s: %s[%d]: %s, skipped", name, section, i,
                            why);
}

static int parse(struct dbp_reader *r, const struct dbp_parse_opts *po, struct dbp_snapshot *snap,
                 struct dbp_source *src, struct dbp_error *err)
{
    (void)po;
    const char *data = NULL;
    size_t len = 0;
    const char *name = dbp_reader_name(r);
    int rc = dbp_reader_slurp(r, REPORT_MAX_BYTES, &data, &len, err);
    if (rc != DBP_OK)
        return rc;
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithLengthOpts(data, len, &end, 0);
    if (!root) {
        size_t off = end && end >= data && end <= data + len ? (size_t)(end - data) : len;
        return dbp_error_set(err, DBP_ERR_FORMAT, "%s: not valid JSON (error at byte %zu)", name,
                             off);
    }
    if (end)
        while (end < data + len && (*end == ' ' || *end == '\n' || *end == '\r' || *end == '\t'))
            end++;
    if (end && end < data + len) {
        rc = dbp_error_set(err, DBP_ERR_FORMAT, "%s: unexpected data after the report at byte %zu",
                           name, (size_t)(end - data));
        goto out;
    }
    const char *tool = cJSON_IsObject(root) ? get_str(root, "tool") : NULL;
    if (!tool || strcmp(tool, "dbperf") != 0) {
        rc = dbp_error_set(err, DBP_ERR_FORMAT, "%s: not a dbperf report (no \"tool\": \"dbperf\")",
                           name);
        goto out;
    }
    double version = get_num(root, "version");
    if (!(version >= 1) || version != floor(version)) {
        rc = dbp_error_set(err, DBP_ERR_FORMAT, "%s: report has no valid \"version\"", name);
        goto out;
    }
    if (version > DBP_REPORT_VERSION) {
        rc = dbp_error_set(err, DBP_ERR_UNSUPPORTED,
                           "%s: report version %.0f is newer than this dbperf reads (%d); "
                           "upgrade dbperf",
                           name, version, DBP_REPORT_VERSION);
        goto out;
    }

    const cJSON *e;
    int i = 0;
    enum dbp_engine engine = DBP_ENGINE_UNKNOWN;
    bool mixed = false;
    const cJSON *stmts = cJSON_GetObjectItemCaseSensitive(root, "statements");
    if (cJSON_IsArray(stmts))
        cJSON_ArrayForEach(e, stmts)
        {
            const char *why = NULL;
            struct dbp_stmt *st = load_stmt(snap, e, &why);
            if (!st) {
                skip(snap, src, err, &rc, name, "statements", i, why);
            } else {
                src->entries++;
                if (engine == DBP_ENGINE_UNKNOWN)
                    engine = st->engine;
                else if (st->engine != engine)
                    mixed = true;
            }
            i++;
        }
    i = 0;
    const cJSON *plans = cJSON_GetObjectItemCaseSensitive(root, "plans");
    if (cJSON_IsArray(plans))
        cJSON_ArrayForEach(e, plans)
        {
            if (cJSON_IsObject(e))
                load_plan(snap, e, NULL);
            else
                skip(snap, src, err, &rc, name, "plans", i, "not an object");
            i++;
        }
    i = 0;
    const cJSON *indexes = cJSON_GetObjectItemCaseSensitive(root, "indexes");
    if (cJSON_IsArray(indexes))
        cJSON_ArrayForEach(e, indexes)
        {
            if (cJSON_IsObject(e))
                load_index(snap, e);
            else
                skip(snap, src, err, &rc, name, "indexes", i, "not an object");
            i++;
        }
    i = 0;
    const cJSON *tables = cJSON_GetObjectItemCaseSensitive(root, "tables");
    if (cJSON_IsArray(tables))
        cJSON_ArrayForEach(e, tables)
        {
            if (cJSON_IsObject(e))
                load_table(snap, e);
            else
                skip(snap, src, err, &rc, name, "tables", i, "not an object");
            i++;
        }
    if (!mixed && engine != DBP_ENGINE_UNKNOWN)
        src->engine = engine;
    /* one server version if the saved sources agree on it */
    const cJSON *sources = cJSON_GetObjectItemCaseSensitive(root, "sources");
    const char *sv = NULL;
    bool sv_mixed = false;
    if (cJSON_IsArray(sources))
        cJSON_ArrayForEach(e, sources)
        {
            const char *v = get_str(e, "server_version");
            if (v && sv && strcmp(v, sv) != 0)
                sv_mixed = true;
            if (v)
                sv = v;
        }
    if (sv && !sv_mixed && !src->server_version)
        src->server_version = dbp_arena_strdup(snap->arena, sv);
out:
    cJSON_Delete(root);
    return rc;
}

const struct dbp_format dbp_report_json_format = {
    .name = "dbperf-json",
    .summary = "a saved dbperf JSON report (statements, plans, indexes, tables)",
    .probe = probe,
    .parse = parse,
};
