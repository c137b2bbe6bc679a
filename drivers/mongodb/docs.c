/*
 * docs.c -- MongoDB documents saved as JSON: system.profile entries
 * (mongoexport, relaxed or canonical Extended JSON, one per line or as an
 * array), explain() output (queryPlanner and executionStats, find and
 * aggregate) and $indexStats output. The same document handlers serve the
 * live collector, which reads these documents from the server.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <dbperf/arena.h>
#include <dbperf/buf.h>
#include <dbperf/driver.h>
#include <dbperf/error.h>
#include <dbperf/model.h>
#include <dbperf/reader.h>

#include "mongo_int.h"
#include "mongo_log.h"

#define MAX_INPUT ((size_t)1 << 30)

static int64_t count_of(double v)
{
    return v == v && v >= 0 ? (int64_t)v : -1;
}

static const char *get_str(const struct dbp_mdoc *d, const struct dbp_mdoc_node *o, const char *k,
                           size_t *len)
{
    const struct dbp_mdoc_node *v = dbp_mdoc_get(d, o, k);
    if (!v || v->type != DBP_MD_STR)
        return NULL;
    *len = v->val_len;
    return v->val;
}

/* ---- system.profile ------------------------------------------------------ */

int dbp_mongo_profile_doc(struct dbp_snapshot *snap, const struct dbp_mdoc *d,
                          const struct dbp_mdoc_node *doc, const char *origin)
{
    size_t ns_len = 0, op_len = 0;
    const char *ns = get_str(d, doc, "ns", &ns_len);
    const char *opname = get_str(d, doc, "op", &op_len);
    double ms = dbp_mdoc_num(dbp_mdoc_get(d, doc, "millis"));
    if (!ns || !opname || ms != ms)
        return -1;
    const char *db, *coll;
    dbp_mongo_split_ns(snap->arena, ns, ns_len, &db, &coll);
    const struct dbp_mdoc_node *cmd = dbp_mdoc_get(d, doc, "command");
    const struct dbp_mdoc_node *query = dbp_mdoc_get(d, doc, "query");
    if (!cmd || cmd->type != DBP_MD_OBJ)
        cmd = query && query->type == DBP_MD_OBJ ? query : NULL;
    /* "db.$cmd": the collection is the command's argument ({"count": "coll"}) */
    const struct dbp_mdoc_node *f0 = dbp_mongo_cmd_coll(d, cmd);
    if (f0 && (!coll || strcmp(coll, "$cmd") == 0))
        coll = dbp_mdoc_strdup(snap->arena, f0);
    struct dbp_mongo_op op;
    const char *type = opname;
    size_t type_len = op_len;
    if (op_len == 5 && memcmp(opname, "query", 5) == 0 && cmd) {
        const struct dbp_mdoc_node *f = dbp_mdoc_child(d, cmd);
        if (f && (dbp_mdoc_key_eq(f, "find") || dbp_mdoc_key_eq(f, "explain")))
            type = NULL; /* a find command */
    }
    if (type && type_len == 7 && memcmp(type, "command", 7) == 0)
        type = NULL;
    dbp_mongo_op_from_command(&op, d, cmd, dbp_mdoc_get(d, doc, "originatingCommand"), type,
                              type_len);
    op.db = db;
    op.coll = coll;
    if (type && (!op.op || strcmp(op.op, "command") == 0)) {
        /* update (2.6-3.4: query + updateobj), getmore, insert without a command */
        static const struct {
            const char *t, *op;
        } legacy[] = {{"update", "update"},
                      {"remove", "delete"},
                      {"getmore", "getMore"},
                      {"insert", "insert"},
                      {"query", "find"}};
        for (size_t i = 0; i < sizeof legacy / sizeof legacy[0]; i++)
            if (strlen(legacy[i].t) == type_len && memcmp(legacy[i].t, type, type_len) == 0) {
                op.op = legacy[i].op;
                op.extra = NULL;
                if (strcmp(op.op, "getMore") && strcmp(op.op, "insert"))
                    op.filter = cmd && dbp_mdoc_get(d, cmd, "q") ? dbp_mdoc_get(d, cmd, "q") : cmd;
            }
    }
    struct dbp_buf shape = {0};
    dbp_mongo_shape(&op, &shape);
    struct dbp_stmt *st =
        dbp_snapshot_stmt(snap, DBP_ENGINE_MONGODB, db, shape.data ? shape.data : "", shape.len);
    dbp_buf_free(&shape);
    st->source = DBP_SRC_PROFILER;
    size_t ul = 0;
    const char *user = get_str(d, doc, "user", &ul);
    if (user && ul && !st->user)
        st->user = dbp_arena_strndup(snap->arena, user, ul);
    size_t ql = 0;
    const char *qh = get_str(d, doc, "queryHash", &ql);
    if (qh && !st->engine_id_text)
        st->engine_id_text = dbp_arena_strndup(snap->arena, qh, ql);
    const struct dbp_mdoc_node *tsn = dbp_mdoc_get(d, doc, "ts");
    int64_t ts =
        tsn && tsn->type == DBP_MD_DATE && tsn->num == tsn->num ? (int64_t)(tsn->num * 1000.0) : 0;
    /* 2.6/3.0 count nscannedObjects (an export may carry docsExamined: 0 beside it) */
    double docs = dbp_mdoc_num(dbp_mdoc_get(d, doc, "docsExamined"));
    double old_docs = dbp_mdoc_num(dbp_mdoc_get(d, doc, "nscannedObjects"));
    if (docs != docs || (docs == 0 && old_docs > 0))
        docs = old_docs;
    double nret = dbp_mdoc_num(dbp_mdoc_get(d, doc, "nreturned"));
    bool slowest = !st->example || ms > st->example_ms;
    if (slowest) {
        struct dbp_plan *p = NULL;
        const struct dbp_mdoc_node *es = dbp_mdoc_get(d, doc, "execStats");
        if (es && es->type == DBP_MD_OBJ && dbp_mdoc_get(d, es, "stage")) {
            p = dbp_arena_alloc(snap->arena, sizeof *p);
            p->engine = DBP_ENGINE_MONGODB;
            p->format = "mongodb-profile";
            p->origin = origin ? dbp_arena_strdup(snap->arena, origin) : NULL;
            p->analyzed = true;
            p->planning_ms = NAN;
            p->execution_ms = ms;
            p->root = dbp_mongo_plan_node(snap, d, es, db, coll, &op);
        } else {
            struct dbp_mongo_exec x = {0};
            size_t pl = 0;
            x.plan_summary = get_str(d, doc, "planSummary", &pl);
            x.plan_summary_len = pl;
            x.docs_examined = docs;
            x.keys_examined = dbp_mdoc_num(dbp_mdoc_get(d, doc, "keysExamined"));
            x.nreturned = nret;
            x.ms = ms;
            const struct dbp_mdoc_node *hs = dbp_mdoc_get(d, doc, "hasSortStage");
            x.has_sort_stage = hs && hs->num == 1;
            p = dbp_mongo_plan_from_summary(snap, &op, &x, "mongodb-profile", origin);
        }
        if (p) {
            p->stmt = st;
            dbp_snapshot_add_plan(snap, p);
        }
    }
    dbp_agg_add(&st->agg, ms, count_of(docs), count_of(nret), ts);
    if (cmd)
        dbp_stmt_offer_example(snap, st, cmd->val, cmd->val_len, ms);
    else
        dbp_stmt_offer_example(snap, st, st->text, strlen(st->text), ms);
    /* the profiler knows the connection only as client address: no sessions */
    return 0;
}

/* ---- $indexStats ------------------------------------------------------------ */

struct dbp_index *dbp_mongo_indexstats_doc(struct dbp_snapshot *snap, const struct dbp_mdoc *d,
                                           const struct dbp_mdoc_node *doc, const char *db,
                                           const char *coll)
{
    struct dbp_arena *a = snap->arena;
    const struct dbp_mdoc_node *name = dbp_mdoc_get(d, doc, "name");
    const struct dbp_mdoc_node *key = dbp_mdoc_get(d, doc, "key");
    if (!name || name->type != DBP_MD_STR || !key || key->type != DBP_MD_OBJ)
        return NULL;
    const struct dbp_mdoc_node *spec = dbp_mdoc_get(d, doc, "spec");
    size_t nl = 0;
    const char *ns = get_str(d, spec, "ns", &nl);
    if (ns && (!db || !coll))
        dbp_mongo_split_ns(a, ns, nl, &db, &coll);
    struct dbp_index *ix = dbp_snapshot_add_index(snap);
    ix->engine = DBP_ENGINE_MONGODB;
    ix->name = dbp_mdoc_strdup(a, name);
    ix->database = db;
    ix->table = coll;
    size_t hl = 0;
    const char *host = get_str(d, doc, "host", &hl);
    ix->instance = host ? dbp_arena_strndup(a, host, hl) : NULL;
    ix->columns = dbp_arena_alloc(a, (key->n_children + 1) * sizeof *ix->columns);
    for (const struct dbp_mdoc_node *c = dbp_mdoc_child(d, key); c; c = dbp_mdoc_next(d, c)) {
        char *col = dbp_mdoc_keydup(a, c);
        if (c->type == DBP_MD_STR) {
            ix->method = dbp_mdoc_strdup(a, c); /* "text", "2dsphere", "hashed" */
            ix->flags |= DBP_IDX_EXPRESSION;
        } else if (c->type == DBP_MD_NUM && c->num < 0) {
            col = dbp_arena_printf(a, "%s DESC", col);
        }
        ix->columns[ix->n_columns++] = col;
        if (ix->n_columns == key->n_children)
            break;
    }
    struct dbp_buf def = {0};
    dbp_buf_putc(&def, '{');
    for (const struct dbp_mdoc_node *c = dbp_mdoc_child(d, key); c; c = dbp_mdoc_next(d, c)) {
        if (def.len > 1)
            dbp_buf_puts(&def, ", ");
        dbp_mdoc_str_append(&def, c->key, c->key_len, c->escaped);
        if (c->type == DBP_MD_NUM)
            dbp_buf_printf(&def, ": %g", c->num);
        else if (c->type == DBP_MD_STR)
            dbp_buf_printf(&def, ": \"%.*s\"", (int)c->val_len, c->val);
        else
            dbp_buf_puts(&def, ": ?");
    }
    dbp_buf_putc(&def, '}');
    ix->definition = dbp_arena_strndup(a, def.data, def.len);
    dbp_buf_free(&def);
    if (strcmp(ix->name, "_id_") == 0)
        ix->flags |= DBP_IDX_PRIMARY | DBP_IDX_UNIQUE;
    const struct dbp_mdoc_node *u = dbp_mdoc_get(d, spec, "unique");
    if (u && u->num == 1)
        ix->flags |= DBP_IDX_UNIQUE | DBP_IDX_CONSTRAINT;
    const struct dbp_mdoc_node *pf = dbp_mdoc_get(d, spec, "partialFilterExpression");
    if (pf) {
        ix->flags |= DBP_IDX_PARTIAL;
        ix->predicate = dbp_mdoc_strdup(a, pf);
    }
    const struct dbp_mdoc_node *bl = dbp_mdoc_get(d, doc, "building");
    if (bl && bl->num == 1)
        ix->flags |= DBP_IDX_INVALID;
    const struct dbp_mdoc_node *acc = dbp_mdoc_get(d, doc, "accesses");
    double ops = dbp_mdoc_num(dbp_mdoc_get(d, acc, "ops"));
    ix->scans = count_of(ops);
    const struct dbp_mdoc_node *since = dbp_mdoc_get(d, acc, "since");
    if (since && since->type == DBP_MD_DATE && since->num == since->num)
        ix->counter_since_us = (int64_t)(since->num * 1000.0);
    return ix;
}

/* ---- explain ------------------------------------------------------------------ */

static const struct dbp_mdoc_node *find_planner(const struct dbp_mdoc *d,
                                                const struct dbp_mdoc_node *doc,
                                                const struct dbp_mdoc_node **exec)
{
    const struct dbp_mdoc_node *qp = dbp_mdoc_get(d, doc, "queryPlanner");
    *exec = dbp_mdoc_get(d, doc, "executionStats");
    if (qp)
        return qp;
    /* aggregate: {stages: [{$cursor: {queryPlanner, executionStats}}, ...]} */
    const struct dbp_mdoc_node *stages = dbp_mdoc_get(d, doc, "stages");
    const struct dbp_mdoc_node *s0 = dbp_mdoc_child(d, stages);
    const struct dbp_mdoc_node *cur = dbp_mdoc_get(d, s0, "$cursor");
    if (cur) {
        *exec = dbp_mdoc_get(d, cur, "executionStats");
        return dbp_mdoc_get(d, cur, "queryPlanner");
    }
    return NULL;
}

int dbp_mongo_explain_doc(struct dbp_snapshot *snap, const struct dbp_mdoc *d,
                          const struct dbp_mdoc_node *doc, const char *origin,
                          struct dbp_stmt *for_stmt, struct dbp_plan **out)
{
    const struct dbp_mdoc_node *exec = NULL;
    const struct dbp_mdoc_node *qp = find_planner(d, doc, &exec);
    if (out)
        *out = NULL;
    if (!qp || qp->type != DBP_MD_OBJ)
        return -1;
    size_t nl = 0;
    const char *ns = get_str(d, qp, "namespace", &nl);
    const char *db = NULL, *coll = NULL;
    if (ns)
        dbp_mongo_split_ns(snap->arena, ns, nl, &db, &coll);
    const struct dbp_mdoc_node *win = dbp_mdoc_get(d, qp, "winningPlan");
    if (win && dbp_mdoc_get(d, win, "queryPlan")) /* SBE: {queryPlan, slotBasedPlan} */
        win = dbp_mdoc_get(d, win, "queryPlan");
    const struct dbp_mdoc_node *es = dbp_mdoc_get(d, exec, "executionStages");
    const struct dbp_mdoc_node *tree = es && dbp_mdoc_get(d, es, "stage") ? es : win;
    if (!tree || tree->type != DBP_MD_OBJ)
        return -1;
    /* the statement: the explained command when given, else find with parsedQuery */
    struct dbp_mongo_op op;
    const struct dbp_mdoc_node *cmd = dbp_mdoc_get(d, doc, "command");
    if (cmd && cmd->type == DBP_MD_OBJ) {
        dbp_mongo_op_from_command(&op, d, cmd, NULL, NULL, 0);
    } else {
        memset(&op, 0, sizeof op);
        op.doc = d;
        op.op = dbp_mdoc_get(d, doc, "stages") ? "aggregate" : "find";
        op.filter = dbp_mdoc_get(d, qp, "parsedQuery");
        if (strcmp(op.op, "aggregate") == 0)
            op.pipeline = NULL;
    }
    op.db = db;
    op.coll = coll;
    struct dbp_buf shape = {0};
    dbp_mongo_shape(&op, &shape);
    struct dbp_stmt *st = for_stmt ? for_stmt
                                   : dbp_snapshot_stmt(snap, DBP_ENGINE_MONGODB, db,
                                                       shape.data ? shape.data : "", shape.len);
    dbp_buf_free(&shape);
    if (!st->agg.calls && !st->plan)
        st->source = DBP_SRC_PLAN;
    size_t ql = 0;
    const char *qh = get_str(d, qp, "queryHash", &ql);
    if (qh && !st->engine_id_text)
        st->engine_id_text = dbp_arena_strndup(snap->arena, qh, ql);
    struct dbp_plan *p = dbp_arena_alloc(snap->arena, sizeof *p);
    p->engine = DBP_ENGINE_MONGODB;
    p->format = "mongodb-explain";
    p->origin = origin ? dbp_arena_strdup(snap->arena, origin) : NULL;
    p->analyzed = tree == es;
    p->planning_ms = NAN;
    p->execution_ms = dbp_mdoc_num(dbp_mdoc_get(d, exec, "executionTimeMillis"));
    p->root = dbp_mongo_plan_node(snap, d, tree, db, coll, &op);
    /* aggregate: a $sort stage after the cursor sorts its output */
    const struct dbp_mdoc_node *stages = dbp_mdoc_get(d, doc, "stages");
    for (const struct dbp_mdoc_node *s = dbp_mdoc_child(d, stages); s; s = dbp_mdoc_next(d, s)) {
        const struct dbp_mdoc_node *c = dbp_mdoc_child(d, s);
        if (!c || !dbp_mdoc_key_eq(c, "$sort"))
            continue;
        const struct dbp_mdoc_node *spec = dbp_mdoc_get(d, c, "sortKey");
        if (!spec)
            spec = c;
        struct dbp_plan_node *srt = dbp_plan_node_new(snap);
        srt->kind = DBP_NODE_SORT;
        srt->engine_name = "$sort";
        srt->sort_keys =
            dbp_arena_alloc(snap->arena, (spec->n_children + 1) * sizeof *srt->sort_keys);
        for (const struct dbp_mdoc_node *k = dbp_mdoc_child(d, spec); k; k = dbp_mdoc_next(d, k)) {
            srt->sort_keys[srt->n_sort_keys].column = dbp_mdoc_keydup(snap->arena, k);
            srt->sort_keys[srt->n_sort_keys++].desc = k->type == DBP_MD_NUM && k->num < 0;
            if (srt->n_sort_keys == spec->n_children)
                break;
        }
        dbp_plan_node_add_child(snap, srt, p->root);
        p->root = srt;
        break;
    }
    /* rejected plans: named in a diagnostic (the winning plan is the one that runs) */
    const struct dbp_mdoc_node *rej = dbp_mdoc_get(d, qp, "rejectedPlans");
    if (rej && rej->type == DBP_MD_ARR && rej->n_children) {
        struct dbp_buf b = {0};
        for (const struct dbp_mdoc_node *r = dbp_mdoc_child(d, rej); r; r = dbp_mdoc_next(d, r)) {
            if (b.len)
                dbp_buf_puts(&b, "; ");
            /* the chain of stages down to the access, with the index used */
            const struct dbp_mdoc_node *sg = r;
            for (int depth = 0; sg && sg->type == DBP_MD_OBJ && depth < 16; depth++) {
                const struct dbp_mdoc_node *nm = dbp_mdoc_get(d, sg, "stage");
                if (nm && nm->type == DBP_MD_STR) {
                    if (depth)
                        dbp_buf_puts(&b, " > ");
                    dbp_mdoc_str_append(&b, nm->val, nm->val_len, nm->escaped);
                }
                const struct dbp_mdoc_node *ix = dbp_mdoc_get(d, sg, "indexName");
                if (ix && ix->type == DBP_MD_STR) {
                    dbp_buf_putc(&b, ' ');
                    dbp_mdoc_str_append(&b, ix->val, ix->val_len, ix->escaped);
                }
                sg = dbp_mdoc_get(d, sg, "inputStage");
            }
        }
        dbp_snapshot_diag(snap, "%s: explain of %s: %u rejected plan%s: %s",
                          origin ? origin : "explain", st->text, rej->n_children,
                          rej->n_children == 1 ? "" : "s", b.data ? b.data : "");
        dbp_buf_free(&b);
    }
    if (p->root->act_rows != p->root->act_rows && exec)
        p->root->act_rows = dbp_mdoc_num(dbp_mdoc_get(d, exec, "nReturned"));
    p->stmt = st;
    if (for_stmt && st->plan) {
        /* a fresh explain replaces the plan the profiler gave the class */
        for (size_t i = 0; i < snap->plans.n; i++)
            if (snap->plans.items[i] == st->plan) {
                memmove(&snap->plans.items[i], &snap->plans.items[i + 1],
                        (snap->plans.n - i - 1) * sizeof snap->plans.items[0]);
                snap->plans.n--;
                break;
            }
        st->plan = NULL;
    }
    dbp_snapshot_add_plan(snap, p);
    if (out)
        *out = p;
    return 0;
}

/* ---- the formats: whole documents, one after another or in an array ------------ */

typedef int (*doc_fn)(struct dbp_snapshot *snap, const struct dbp_mdoc *d,
                      const struct dbp_mdoc_node *doc, const char *origin, const char *fname);

static int run_docs(struct dbp_reader *r, struct dbp_snapshot *snap, struct dbp_source *src,
                    const char *what, doc_fn fn, struct dbp_error *err)
{
    const char *data;
    size_t len;
    src->engine = DBP_ENGINE_MONGODB;
    int rc = dbp_reader_slurp(r, MAX_INPUT, &data, &len, err);
    if (rc != DBP_OK) {
        src->bytes = dbp_reader_bytes(r);
        return rc;
    }
    src->bytes = len;
    const char *name = dbp_reader_name(r);
    struct dbp_mdoc d = {0};
    size_t i = 0;
    uint64_t lineno = 1;
    int status = DBP_OK;
    char origin[512];
    while (i < len) {
        while (i < len && (data[i] == ' ' || data[i] == '\n' || data[i] == '\r' ||
                           data[i] == '\t' || data[i] == ',')) {
            if (data[i] == '\n')
                lineno++;
            i++;
        }
        if (i >= len)
            break;
        size_t end = 0;
        int root = dbp_mdoc_parse(&d, data + i, len - i, &end);
        if (root < 0) {
            src->skipped++;
            dbp_snapshot_diag(snap, "%s:%llu: malformed %s document (%s): rest of input skipped",
                              name, (unsigned long long)lineno, what, d.error);
            if (status == DBP_OK)
                dbp_error_set(err, DBP_ERR_FORMAT, "%s:%llu: malformed %s document (%s)", name,
                              (unsigned long long)lineno, what, d.error);
            status = DBP_ERR_FORMAT;
            break;
        }
        const struct dbp_mdoc_node *top = &d.n[root];
        /* an array of documents, or a getLog / aggregate reply's batch */
        const struct dbp_mdoc_node *list = NULL;
        if (top->type == DBP_MD_ARR)
            list = top;
        else if (top->type == DBP_MD_OBJ) {
            const struct dbp_mdoc_node *cur = dbp_mdoc_get(&d, top, "cursor");
            list = dbp_mdoc_get(&d, cur, "firstBatch");
        }
        snprintf(origin, sizeof origin, "%s:%llu", name, (unsigned long long)lineno);
        if (list) {
            for (const struct dbp_mdoc_node *c = dbp_mdoc_child(&d, list); c;
                 c = dbp_mdoc_next(&d, c)) {
                if (c->type == DBP_MD_OBJ && fn(snap, &d, c, origin, name) == 0)
                    src->entries++;
                else
                    src->skipped++;
            }
        } else if (top->type == DBP_MD_OBJ && fn(snap, &d, top, origin, name) == 0) {
            src->entries++;
        } else {
            src->skipped++;
            dbp_snapshot_diag(snap, "%s:%llu: not a %s document: skipped", name,
                              (unsigned long long)lineno, what);
            if (status == DBP_OK)
                dbp_error_set(err, DBP_ERR_FORMAT, "%s:%llu: not a %s document", name,
                              (unsigned long long)lineno, what);
            status = DBP_ERR_FORMAT;
        }
        for (size_t k = i; k < i + end; k++)
            if (data[k] == '\n')
                lineno++;
        i += end;
    }
    dbp_mdoc_free(&d);
    return status;
}

static int profile_fn(struct dbp_snapshot *snap, const struct dbp_mdoc *d,
                      const struct dbp_mdoc_node *doc, const char *origin, const char *fname)
{
    (void)fname;
    return dbp_mongo_profile_doc(snap, d, doc, origin);
}

static int explain_fn(struct dbp_snapshot *snap, const struct dbp_mdoc *d,
                      const struct dbp_mdoc_node *doc, const char *origin, const char *fname)
{
    (void)fname;
    return dbp_mongo_explain_doc(snap, d, doc, origin, NULL, NULL);
}

/*
 * $indexStats output does not name its collection: it is taken from the
 * index spec's ns when present (4.2), else from the file name: the part
 * after "indexStats-" or, failing that, the base name, "db.coll" or "coll".
 */
static int indexstats_fn(struct dbp_snapshot *snap, const struct dbp_mdoc *d,
                         const struct dbp_mdoc_node *doc, const char *origin, const char *fname)
{
    (void)origin;
    const char *base = strrchr(fname, '/');
    base = base ? base + 1 : fname;
    const char *tag = strstr(base, "indexStats-");
    if (!tag)
        tag = strstr(base, "indexstats-");
    if (tag)
        base = tag + 11;
    size_t n = strlen(base);
    if (n > 5 && strcmp(base + n - 5, ".json") == 0)
        n -= 5;
    const char *db = NULL, *coll = NULL;
    if (memchr(base, '.', n))
        dbp_mongo_split_ns(snap->arena, base, n, &db, &coll);
    else
        coll = dbp_arena_strndup(snap->arena, base, n);
    return dbp_mongo_indexstats_doc(snap, d, doc, db, coll) ? 0 : -1;
}

static int parse_profile(struct dbp_reader *r, const struct dbp_parse_opts *o,
                         struct dbp_snapshot *snap, struct dbp_source *src, struct dbp_error *err)
{
    (void)o;
    size_t first = snap->plans.n;
    int rc = run_docs(r, snap, src, "system.profile", profile_fn, err);
    dbp_mongo_prune_plans(snap, first);
    return rc;
}

static int parse_explain(struct dbp_reader *r, const struct dbp_parse_opts *o,
                         struct dbp_snapshot *snap, struct dbp_source *src, struct dbp_error *err)
{
    (void)o;
    return run_docs(r, snap, src, "explain", explain_fn, err);
}

static int parse_indexstats(struct dbp_reader *r, const struct dbp_parse_opts *o,
                            struct dbp_snapshot *snap, struct dbp_source *src,
                            struct dbp_error *err)
{
    (void)o;
    return run_docs(r, snap, src, "$indexStats", indexstats_fn, err);
}

static bool has(const unsigned char *h, size_t n, const char *lit)
{
    return memmem(h, n, lit, strlen(lit)) != NULL;
}

static bool starts_doc(const unsigned char *h, size_t n)
{
    size_t i = 0;
    while (i < n && (h[i] == ' ' || h[i] == '\n' || h[i] == '\r' || h[i] == '\t'))
        i++;
    return i < n && (h[i] == '{' || h[i] == '[');
}

static int probe_profile(const unsigned char *h, size_t n)
{
    if (!starts_doc(h, n) || has(h, n, "\"t\":{\"$date\""))
        return 0;
    return has(h, n, "\"op\"") && has(h, n, "\"ns\"") && has(h, n, "\"millis\"") ? 80 : 0;
}

static int probe_explain(const unsigned char *h, size_t n)
{
    if (!starts_doc(h, n))
        return 0;
    return has(h, n, "\"queryPlanner\"") && has(h, n, "\"winningPlan\"") ? 85 : 0;
}

static int probe_indexstats(const unsigned char *h, size_t n)
{
    if (!starts_doc(h, n))
        return 0;
    return has(h, n, "\"accesses\"") && has(h, n, "\"key\"") && has(h, n, "\"ops\"") ? 85 : 0;
}

const struct dbp_format dbp_mongo_profile_format = {
    .name = "mongodb-profile",
    .summary = "system.profile documents exported as JSON (mongoexport; relaxed or canonical)",
    .probe = probe_profile,
    .parse = parse_profile,
};

const struct dbp_format dbp_mongo_explain_format = {
    .name = "mongodb-explain",
    .summary = "explain() output (queryPlanner / executionStats; find and aggregate)",
    .probe = probe_explain,
    .parse = parse_explain,
};

const struct dbp_format dbp_mongo_indexstats_format = {
    .name = "mongodb-indexstats",
    .summary = "$indexStats output (collection from spec.ns or the file name)",
    .probe = probe_indexstats,
    .parse = parse_indexstats,
};
