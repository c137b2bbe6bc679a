/*
 * shape.c -- MongoDB query shapes (the analogue of an SQL fingerprint) and
 * plans built from what a log line, a profile document or explain() says.
 *
 * A shape keeps the operation, the collection, field names, operators and
 * sort directions, and replaces every value by ?:
 *   find orders {qty: {$gt: ?}, status: ?} sort {created: -1}
 * It follows the normalisations mongod applies before computing queryHash,
 * so that two operations with the same queryHash get the same shape: the
 * members of a filter are ordered by name (mongod sorts the children of an
 * AND), top-level $and clauses are merged into the filter, {$eq: v} is the
 * same as v, an $in of one value is an equality, the branches of $or/$nor
 * are ordered, and any $in list is [?].
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <dbperf/arena.h>
#include <dbperf/buf.h>
#include <dbperf/model.h>

#include "mongo_int.h"

#define MAX_MEMBERS 256

struct member {
    const struct dbp_mdoc_node *n;
    char *text; /* heap: for $or branches, the branch's shape */
};

static int key_cmp(const struct dbp_mdoc_node *a, const struct dbp_mdoc_node *b)
{
    uint32_t n = a->key_len < b->key_len ? a->key_len : b->key_len;
    int c = memcmp(a->key, b->key, n);
    if (c)
        return c;
    return (a->key_len > b->key_len) - (a->key_len < b->key_len);
}

static void sort_members(const struct dbp_mdoc_node **m, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        const struct dbp_mdoc_node *x = m[i];
        size_t j = i;
        while (j > 0 && key_cmp(m[j - 1], x) > 0) {
            m[j] = m[j - 1];
            j--;
        }
        m[j] = x;
    }
}

static bool is_op_object(const struct dbp_mdoc *d, const struct dbp_mdoc_node *v)
{
    const struct dbp_mdoc_node *c = dbp_mdoc_child(d, v);
    return v->type == DBP_MD_OBJ && c && c->key_len > 1 && c->key[0] == '$';
}

static void put_key(struct dbp_buf *b, const struct dbp_mdoc_node *n)
{
    dbp_mdoc_str_append(b, n->key, n->key_len, n->escaped);
}

static void shape_filter(struct dbp_buf *b, const struct dbp_mdoc *d,
                         const struct dbp_mdoc_node *obj, int depth);

/* The value of an operator ($gt: v) or of a field in a filter. */
static void shape_op_value(struct dbp_buf *b, const struct dbp_mdoc *d,
                           const struct dbp_mdoc_node *op, int depth);

static size_t array_len(const struct dbp_mdoc_node *a)
{
    return a && a->type == DBP_MD_ARR ? a->n_children : 0;
}

/* Field value: ? for values, {ops} for operator objects. */
static void shape_field_value(struct dbp_buf *b, const struct dbp_mdoc *d,
                              const struct dbp_mdoc_node *v, int depth)
{
    if (!is_op_object(d, v) || depth > 32) {
        dbp_buf_putc(b, '?');
        return;
    }
    const struct dbp_mdoc_node *m[MAX_MEMBERS];
    size_t n = 0;
    for (const struct dbp_mdoc_node *c = dbp_mdoc_child(d, v); c && n < MAX_MEMBERS;
         c = dbp_mdoc_next(d, c))
        m[n++] = c;
    /* {$eq: v} and {$in: [v]} are equalities */
    if (n == 1 &&
        (dbp_mdoc_key_eq(m[0], "$eq") || (dbp_mdoc_key_eq(m[0], "$in") && array_len(m[0]) == 1))) {
        dbp_buf_putc(b, '?');
        return;
    }
    sort_members(m, n);
    dbp_buf_putc(b, '{');
    for (size_t i = 0; i < n; i++) {
        if (i)
            dbp_buf_puts(b, ", ");
        put_key(b, m[i]);
        dbp_buf_puts(b, ": ");
        shape_op_value(b, d, m[i], depth + 1);
    }
    dbp_buf_putc(b, '}');
}

static int str_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* $or/$nor/$and branches: each a filter; ordered by their shapes. */
static void shape_branches(struct dbp_buf *b, const struct dbp_mdoc *d,
                           const struct dbp_mdoc_node *arr, int depth)
{
    if (arr->type != DBP_MD_ARR) {
        dbp_buf_putc(b, '?');
        return;
    }
    char *t[MAX_MEMBERS];
    size_t n = 0;
    for (const struct dbp_mdoc_node *c = dbp_mdoc_child(d, arr); c && n < MAX_MEMBERS;
         c = dbp_mdoc_next(d, c)) {
        struct dbp_buf s = {0};
        if (c->type == DBP_MD_OBJ)
            shape_filter(&s, d, c, depth + 1);
        else
            dbp_buf_putc(&s, '?');
        t[n++] = s.data ? s.data : dbp_xstrdup("");
    }
    qsort(t, n, sizeof t[0], str_cmp);
    dbp_buf_putc(b, '[');
    for (size_t i = 0; i < n; i++) {
        if (i && strcmp(t[i], t[i - 1]) == 0)
            continue; /* identical branches collapse */
        if (i)
            dbp_buf_puts(b, ", ");
        dbp_buf_puts(b, t[i]);
    }
    for (size_t i = 0; i < n; i++)
        free(t[i]);
    dbp_buf_putc(b, ']');
}

static void shape_op_value(struct dbp_buf *b, const struct dbp_mdoc *d,
                           const struct dbp_mdoc_node *op, int depth)
{
    if (dbp_mdoc_key_eq(op, "$in") || dbp_mdoc_key_eq(op, "$nin") || dbp_mdoc_key_eq(op, "$all")) {
        dbp_buf_puts(b, "[?]");
    } else if (dbp_mdoc_key_eq(op, "$or") || dbp_mdoc_key_eq(op, "$nor") ||
               dbp_mdoc_key_eq(op, "$and")) {
        shape_branches(b, d, op, depth);
    } else if (dbp_mdoc_key_eq(op, "$elemMatch") && op->type == DBP_MD_OBJ) {
        if (is_op_object(d, op))
            shape_field_value(b, d, op, depth + 1);
        else
            shape_filter(b, d, op, depth + 1);
    } else if (dbp_mdoc_key_eq(op, "$not") && op->type == DBP_MD_OBJ) {
        shape_field_value(b, d, op, depth + 1);
    } else {
        dbp_buf_putc(b, '?');
    }
}

/* Collect a filter's members, merging top-level $and clauses. */
static void collect(const struct dbp_mdoc *d, const struct dbp_mdoc_node *obj,
                    const struct dbp_mdoc_node **m, size_t *n, int depth)
{
    for (const struct dbp_mdoc_node *c = dbp_mdoc_child(d, obj); c && *n < MAX_MEMBERS;
         c = dbp_mdoc_next(d, c)) {
        if (dbp_mdoc_key_eq(c, "$and") && c->type == DBP_MD_ARR && depth < 8) {
            for (const struct dbp_mdoc_node *e = dbp_mdoc_child(d, c); e; e = dbp_mdoc_next(d, e))
                if (e->type == DBP_MD_OBJ)
                    collect(d, e, m, n, depth + 1);
            continue;
        }
        m[(*n)++] = c;
    }
}

static void shape_filter(struct dbp_buf *b, const struct dbp_mdoc *d,
                         const struct dbp_mdoc_node *obj, int depth)
{
    if (!obj || obj->type != DBP_MD_OBJ || depth > 32) {
        dbp_buf_puts(b, obj && obj->type != DBP_MD_OBJ ? "?" : "{}");
        return;
    }
    const struct dbp_mdoc_node *m[MAX_MEMBERS];
    size_t n = 0;
    collect(d, obj, m, &n, 0);
    sort_members(m, n);
    dbp_buf_putc(b, '{');
    for (size_t i = 0; i < n; i++) {
        if (i)
            dbp_buf_puts(b, ", ");
        put_key(b, m[i]);
        dbp_buf_puts(b, ": ");
        if (m[i]->key_len && m[i]->key[0] == '$')
            shape_op_value(b, d, m[i], depth + 1);
        else
            shape_field_value(b, d, m[i], depth + 1);
    }
    dbp_buf_putc(b, '}');
}

/* sort {a: 1, b: -1} and projection {a: 1, _id: 0}: order kept, numbers as signs. */
static void shape_spec(struct dbp_buf *b, const struct dbp_mdoc *d,
                       const struct dbp_mdoc_node *spec, bool sort)
{
    dbp_buf_putc(b, '{');
    size_t i = 0;
    for (const struct dbp_mdoc_node *c = dbp_mdoc_child(d, spec); c; c = dbp_mdoc_next(d, c)) {
        if (i++)
            dbp_buf_puts(b, ", ");
        put_key(b, c);
        dbp_buf_puts(b, ": ");
        double v = c->type == DBP_MD_NUM || c->type == DBP_MD_BOOL ? c->num : NAN;
        if (v != v)
            dbp_buf_putc(b, '?');
        else if (sort)
            dbp_buf_puts(b, v < 0 ? "-1" : "1");
        else
            dbp_buf_puts(b, v != 0 ? "1" : "0");
    }
    dbp_buf_putc(b, '}');
}

static bool nonempty(const struct dbp_mdoc_node *n)
{
    return n && n->type == DBP_MD_OBJ && n->n_children > 0;
}

static void shape_pipeline(struct dbp_buf *b, const struct dbp_mdoc *d,
                           const struct dbp_mdoc_node *pl)
{
    dbp_buf_putc(b, '[');
    size_t i = 0;
    for (const struct dbp_mdoc_node *st = dbp_mdoc_child(d, pl); st; st = dbp_mdoc_next(d, st)) {
        const struct dbp_mdoc_node *c = dbp_mdoc_child(d, st);
        if (!c)
            continue;
        if (i++)
            dbp_buf_puts(b, ", ");
        put_key(b, c);
        if (dbp_mdoc_key_eq(c, "$match")) {
            dbp_buf_putc(b, ' ');
            shape_filter(b, d, c, 0);
        } else if (dbp_mdoc_key_eq(c, "$sort") && c->type == DBP_MD_OBJ) {
            dbp_buf_putc(b, ' ');
            shape_spec(b, d, c, true);
        } else if (dbp_mdoc_key_eq(c, "$lookup") && c->type == DBP_MD_OBJ) {
            const struct dbp_mdoc_node *from = dbp_mdoc_get(d, c, "from");
            if (from && from->type == DBP_MD_STR) {
                dbp_buf_putc(b, ' ');
                dbp_mdoc_str_append(b, from->val, from->val_len, from->escaped);
            }
        }
    }
    dbp_buf_putc(b, ']');
}

static const struct dbp_mdoc_node *first_of(const struct dbp_mdoc *d,
                                            const struct dbp_mdoc_node *arr)
{
    if (!arr)
        return NULL;
    if (arr->type == DBP_MD_OBJ)
        return arr;
    const struct dbp_mdoc_node *c = dbp_mdoc_child(d, arr);
    return c && c->type == DBP_MD_OBJ ? c : NULL;
}

static const struct {
    const char *cmd;
    const char *op;
} op_names[] = {
    {"find", "find"},
    {"aggregate", "aggregate"},
    {"count", "count"},
    {"distinct", "distinct"},
    {"update", "update"},
    {"delete", "delete"},
    {"findAndModify", "findAndModify"},
    {"findandmodify", "findAndModify"},
    {"insert", "insert"},
    {"getMore", "getMore"},
    {"mapReduce", "mapReduce"},
    {"mapreduce", "mapReduce"},
    {"geoNear", "geoNear"},
    {"group", "group"},
};

void dbp_mongo_op_from_command(struct dbp_mongo_op *op, const struct dbp_mdoc *d,
                               const struct dbp_mdoc_node *cmd, const struct dbp_mdoc_node *orig,
                               const char *type, size_t type_len)
{
    op->doc = d;
    op->filter = op->sort = op->proj = op->pipeline = NULL;
    op->extra = NULL;
    op->op = "command";
    if (!cmd || cmd->type != DBP_MD_OBJ)
        return;
    /* legacy single operations: {q, u, multi, upsert} and {q, limit} */
    if (type && type_len == 6 && memcmp(type, "update", 6) == 0 && dbp_mdoc_get(d, cmd, "q")) {
        op->op = "update";
        op->filter = dbp_mdoc_get(d, cmd, "q");
        return;
    }
    if (type && ((type_len == 6 && memcmp(type, "remove", 6) == 0) ||
                 (type_len == 6 && memcmp(type, "delete", 6) == 0))) {
        op->op = "delete";
        op->filter = dbp_mdoc_get(d, cmd, "q");
        if (!op->filter) /* the profiler's remove (2.6-3.4): the query itself */
            op->filter = cmd;
        return;
    }
    const struct dbp_mdoc_node *first = dbp_mdoc_child(d, cmd);
    if (!first)
        return;
    const char *name = NULL;
    for (size_t i = 0; i < sizeof op_names / sizeof op_names[0]; i++)
        if (dbp_mdoc_key_eq(first, op_names[i].cmd)) {
            name = op_names[i].op;
            break;
        }
    if (!name && dbp_mdoc_key_eq(first, "explain") && first->type == DBP_MD_OBJ) {
        dbp_mongo_op_from_command(op, d, first, NULL, NULL, 0);
        op->extra = op->op ? op->op : "command";
        op->op = "explain";
        return;
    }
    if (!name) {
        /* a legacy OP_QUERY filter ({query: .., orderby: ..}, {$query: ..}) or a command */
        const struct dbp_mdoc_node *q = dbp_mdoc_get(d, cmd, "$query");
        if (!q)
            q = dbp_mdoc_get(d, cmd, "query");
        if (type && type_len == 5 && memcmp(type, "query", 5) == 0) {
            op->op = dbp_mdoc_get(d, cmd, "$explain") ? "explain" : "find";
            if (strcmp(op->op, "explain") == 0)
                op->extra = "find";
            if (q && q->type == DBP_MD_OBJ) {
                op->filter = q;
                op->sort = dbp_mdoc_get(d, cmd, "$orderby");
                if (!op->sort)
                    op->sort = dbp_mdoc_get(d, cmd, "orderby");
            } else {
                op->filter = cmd;
            }
            return;
        }
        if (type && ((type_len == 6 && memcmp(type, "update", 6) == 0) ||
                     (type_len == 7 &&
                      (memcmp(type, "getMore", 7) == 0 || memcmp(type, "getmore", 7) == 0)))) {
            /* 2.x text log: "update db.c query: {..} update: {..}", "getmore db.c query: {..}" */
            op->op = type[0] == 'u' ? "update" : "getMore";
            op->extra = type[0] == 'u' ? NULL : "find";
            op->filter = cmd;
            return;
        }
        op->op = NULL; /* a command: its name is the shape */
        op->extra = (const char *)first;
        return;
    }
    op->op = name;
    if (strcmp(name, "find") == 0) {
        op->filter = dbp_mdoc_get(d, cmd, "filter");
        op->sort = dbp_mdoc_get(d, cmd, "sort");
        op->proj = dbp_mdoc_get(d, cmd, "projection");
    } else if (strcmp(name, "aggregate") == 0) {
        op->pipeline = dbp_mdoc_get(d, cmd, "pipeline");
    } else if (strcmp(name, "count") == 0 || strcmp(name, "distinct") == 0 ||
               strcmp(name, "mapReduce") == 0 || strcmp(name, "geoNear") == 0) {
        op->filter = dbp_mdoc_get(d, cmd, "query");
        if (strcmp(name, "distinct") == 0)
            op->extra = (const char *)dbp_mdoc_get(d, cmd, "key");
    } else if (strcmp(name, "update") == 0) {
        const struct dbp_mdoc_node *u = first_of(d, dbp_mdoc_get(d, cmd, "updates"));
        op->filter = u ? dbp_mdoc_get(d, u, "q") : NULL;
    } else if (strcmp(name, "delete") == 0) {
        const struct dbp_mdoc_node *u = first_of(d, dbp_mdoc_get(d, cmd, "deletes"));
        op->filter = u ? dbp_mdoc_get(d, u, "q") : NULL;
    } else if (strcmp(name, "findAndModify") == 0) {
        op->filter = dbp_mdoc_get(d, cmd, "query");
        op->sort = dbp_mdoc_get(d, cmd, "sort");
    } else if (strcmp(name, "group") == 0) {
        const struct dbp_mdoc_node *g = dbp_mdoc_get(d, cmd, "group");
        op->filter = g ? dbp_mdoc_get(d, g, "cond") : NULL;
    } else if (strcmp(name, "getMore") == 0 && orig && orig->type == DBP_MD_OBJ) {
        dbp_mongo_op_from_command(op, d, orig, NULL, NULL, 0);
        op->extra = op->op ? op->op : "command";
        op->op = "getMore";
        /* keep the originating command's parts */
    }
}

const struct dbp_mdoc_node *dbp_mongo_cmd_coll(const struct dbp_mdoc *d,
                                               const struct dbp_mdoc_node *cmd)
{
    const struct dbp_mdoc_node *f = dbp_mdoc_child(d, cmd);
    if (!f)
        return NULL;
    if (f->type == DBP_MD_STR)
        return f;
    if (f->type == DBP_MD_OBJ) { /* {group: {ns: "c"}}, {explain: {find: "c"}} */
        const struct dbp_mdoc_node *ns = dbp_mdoc_get(d, f, "ns");
        if (ns && ns->type == DBP_MD_STR)
            return ns;
        const struct dbp_mdoc_node *g = dbp_mdoc_child(d, f);
        if (g && g->type == DBP_MD_STR)
            return g;
    }
    return NULL;
}

void dbp_mongo_shape(const struct dbp_mongo_op *op, struct dbp_buf *out)
{
    const struct dbp_mdoc *d = op->doc;
    dbp_buf_clear(out);
    if (!op->op) {
        /* another command: its name and, when it names one, the collection */
        const struct dbp_mdoc_node *first = (const struct dbp_mdoc_node *)op->extra;
        if (first) {
            put_key(out, first);
            if (first->type == DBP_MD_STR) {
                dbp_buf_putc(out, ' ');
                dbp_mdoc_str_append(out, first->val, first->val_len, first->escaped);
            }
        } else {
            dbp_buf_puts(out, "command");
        }
        if (!out->data)
            dbp_buf_puts(out, "");
        return;
    }
    dbp_buf_puts(out, op->op);
    if ((strcmp(op->op, "getMore") == 0 || strcmp(op->op, "explain") == 0) && op->extra) {
        dbp_buf_putc(out, ' ');
        dbp_buf_puts(out, op->extra);
    }
    dbp_buf_putc(out, ' ');
    dbp_buf_puts(out, op->coll ? op->coll : "?");
    if (strcmp(op->op, "insert") == 0 ||
        (strcmp(op->op, "getMore") == 0 && !op->filter && !op->pipeline &&
         (!op->extra || strcmp(op->extra, "find")))) {
        if (op->pipeline) {
            dbp_buf_putc(out, ' ');
            shape_pipeline(out, d, op->pipeline);
        }
        return;
    }
    if (op->pipeline) {
        dbp_buf_putc(out, ' ');
        shape_pipeline(out, d, op->pipeline);
        return;
    }
    if (strcmp(op->op, "distinct") == 0 && op->extra) {
        const struct dbp_mdoc_node *k = (const struct dbp_mdoc_node *)op->extra;
        dbp_buf_putc(out, ' ');
        if (k->type == DBP_MD_STR)
            dbp_mdoc_str_append(out, k->val, k->val_len, k->escaped);
        else
            dbp_buf_putc(out, '?');
    }
    /* a write batch as a whole (its statements are logged one by one) */
    if (!op->filter && (strcmp(op->op, "update") == 0 || strcmp(op->op, "delete") == 0))
        return;
    dbp_buf_putc(out, ' ');
    shape_filter(out, d, op->filter, 0);
    if (nonempty(op->sort)) {
        dbp_buf_puts(out, " sort ");
        shape_spec(out, d, op->sort, true);
    }
    if (nonempty(op->proj)) {
        dbp_buf_puts(out, " projection ");
        shape_spec(out, d, op->proj, false);
    }
}

/* ---- predicates ---------------------------------------------------------- */

static enum dbp_pred_op value_op(const struct dbp_mdoc *d, const struct dbp_mdoc_node *v)
{
    if (v->type == DBP_MD_OTHER && v->val_len > 1 && v->val[0] == '/')
        return v->val[1] == '^' ? DBP_PRED_RANGE : DBP_PRED_OTHER;
    if (!is_op_object(d, v))
        return DBP_PRED_EQ;
    enum dbp_pred_op best = DBP_PRED_OTHER;
    for (const struct dbp_mdoc_node *c = dbp_mdoc_child(d, v); c; c = dbp_mdoc_next(d, c)) {
        enum dbp_pred_op o = DBP_PRED_OTHER;
        if (dbp_mdoc_key_eq(c, "$eq"))
            o = DBP_PRED_EQ;
        else if (dbp_mdoc_key_eq(c, "$in"))
            o = array_len(c) == 1 ? DBP_PRED_EQ : DBP_PRED_IN;
        else if (dbp_mdoc_key_eq(c, "$gt") || dbp_mdoc_key_eq(c, "$gte") ||
                 dbp_mdoc_key_eq(c, "$lt") || dbp_mdoc_key_eq(c, "$lte"))
            o = DBP_PRED_RANGE;
        else if (dbp_mdoc_key_eq(c, "$regex"))
            o = (c->type == DBP_MD_STR && c->val_len && c->val[0] == '^') ||
                        (c->type == DBP_MD_OTHER && c->val_len > 1 && c->val[1] == '^')
                    ? DBP_PRED_RANGE
                    : DBP_PRED_OTHER;
        if (o < best)
            best = o;
    }
    return best;
}

size_t dbp_mongo_preds(struct dbp_snapshot *snap, const struct dbp_mdoc *d,
                       const struct dbp_mdoc_node *filter, struct dbp_pred **out)
{
    *out = NULL;
    if (!filter || filter->type != DBP_MD_OBJ)
        return 0;
    const struct dbp_mdoc_node *m[MAX_MEMBERS];
    size_t n = 0;
    collect(d, filter, m, &n, 0);
    struct dbp_pred tmp[64];
    size_t k = 0;
    for (size_t i = 0; i < n && k < 64; i++) {
        if (m[i]->key_len && m[i]->key[0] == '$') {
            /* $or / $nor branches: their fields, which one index cannot serve alone */
            if (m[i]->type != DBP_MD_ARR)
                continue;
            for (const struct dbp_mdoc_node *br = dbp_mdoc_child(d, m[i]); br && k < 64;
                 br = dbp_mdoc_next(d, br))
                for (const struct dbp_mdoc_node *f = dbp_mdoc_child(d, br); f && k < 64;
                     f = dbp_mdoc_next(d, f))
                    if (br->type == DBP_MD_OBJ && f->key_len && f->key[0] != '$') {
                        tmp[k].column = dbp_mdoc_keydup(snap->arena, f);
                        tmp[k++].op = DBP_PRED_OTHER;
                    }
            continue;
        }
        tmp[k].column = dbp_mdoc_keydup(snap->arena, m[i]);
        tmp[k++].op = value_op(d, m[i]);
    }
    if (!k)
        return 0;
    *out = dbp_arena_alloc(snap->arena, k * sizeof **out);
    memcpy(*out, tmp, k * sizeof **out);
    return k;
}

void dbp_mongo_split_ns(struct dbp_arena *a, const char *ns, size_t n, const char **db,
                        const char **coll)
{
    const char *dot = memchr(ns, '.', n);
    if (!dot) {
        *db = dbp_arena_strndup(a, ns, n);
        *coll = NULL;
        return;
    }
    *db = dbp_arena_strndup(a, ns, (size_t)(dot - ns));
    *coll = dbp_arena_strndup(a, dot + 1, n - (size_t)(dot - ns) - 1);
}

/* ---- plans ---------------------------------------------------------------- */

static struct dbp_plan *new_plan(struct dbp_snapshot *snap, const char *format, const char *origin)
{
    struct dbp_plan *p = dbp_arena_alloc(snap->arena, sizeof *p);
    p->engine = DBP_ENGINE_MONGODB;
    p->format = format;
    p->origin = origin ? dbp_arena_strdup(snap->arena, origin) : NULL;
    p->planning_ms = NAN;
    p->execution_ms = NAN;
    return p;
}

static size_t sort_keys(struct dbp_snapshot *snap, const struct dbp_mdoc *d,
                        const struct dbp_mdoc_node *spec, struct dbp_sortkey **out)
{
    *out = NULL;
    if (!spec || spec->type != DBP_MD_OBJ || !spec->n_children)
        return 0;
    *out = dbp_arena_alloc(snap->arena, spec->n_children * sizeof **out);
    size_t k = 0;
    for (const struct dbp_mdoc_node *c = dbp_mdoc_child(d, spec); c && k < spec->n_children;
         c = dbp_mdoc_next(d, c)) {
        (*out)[k].column = dbp_mdoc_keydup(snap->arena, c);
        (*out)[k++].desc = (c->type == DBP_MD_NUM && c->num < 0);
    }
    return k;
}

/* The $match filter and the $sort of a pipeline's leading stages. */
static void pipeline_parts(const struct dbp_mdoc *d, const struct dbp_mdoc_node *pl,
                           const struct dbp_mdoc_node **filter, const struct dbp_mdoc_node **sort)
{
    for (const struct dbp_mdoc_node *st = dbp_mdoc_child(d, pl); st; st = dbp_mdoc_next(d, st)) {
        const struct dbp_mdoc_node *c = dbp_mdoc_child(d, st);
        if (!c)
            continue;
        if (dbp_mdoc_key_eq(c, "$match") && !*filter)
            *filter = c;
        else if (dbp_mdoc_key_eq(c, "$sort") && !*sort)
            *sort = c;
        else if (!dbp_mdoc_key_eq(c, "$match"))
            break; /* later stages no longer read the collection */
    }
}

/* "a_1_b_-1" from the key pattern text "{ a: 1, b: -1 }" (mongod's default name). */
static char *index_name(struct dbp_snapshot *snap, const char *s, size_t n, size_t *cols,
                        const char **colv, size_t maxc)
{
    struct dbp_buf b = {0};
    size_t i = 0;
    *cols = 0;
    while (i < n && (s[i] == '{' || s[i] == ' '))
        i++;
    while (i < n && s[i] != '}') {
        size_t k0 = i;
        if (s[i] == '"') {
            k0 = ++i;
            while (i < n && s[i] != '"')
                i++;
        } else {
            while (i < n && s[i] != ':')
                i++;
        }
        size_t k1 = i;
        while (i < n && s[i] != ':')
            i++;
        i++;
        while (i < n && s[i] == ' ')
            i++;
        size_t v0 = i;
        while (i < n && s[i] != ',' && s[i] != '}')
            i++;
        size_t v1 = i;
        while (v1 > v0 && s[v1 - 1] == ' ')
            v1--;
        if (b.len)
            dbp_buf_putc(&b, '_');
        dbp_buf_append(&b, s + k0, k1 - k0);
        dbp_buf_putc(&b, '_');
        const char *v = s + v0;
        size_t vn = v1 - v0;
        if (vn && v[0] == '"') {
            v++;
            vn = vn >= 2 ? vn - 2 : 0;
        }
        /* 1.0 -> 1 */
        size_t vl = vn;
        for (size_t j = 0; j < vn; j++)
            if (v[j] == '.') {
                vl = j;
                break;
            }
        dbp_buf_append(&b, v, vl);
        if (*cols < maxc)
            colv[(*cols)++] = dbp_arena_strndup(snap->arena, s + k0, k1 - k0);
        if (i < n && s[i] == ',')
            i++;
        while (i < n && s[i] == ' ')
            i++;
    }
    char *r = dbp_arena_strndup(snap->arena, b.data ? b.data : "", b.len);
    dbp_buf_free(&b);
    return r;
}

static bool in_list(const char *const *v, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(v[i], s) == 0)
            return true;
    return false;
}

struct dbp_plan *dbp_mongo_plan_from_summary(struct dbp_snapshot *snap,
                                             const struct dbp_mongo_op *op,
                                             const struct dbp_mongo_exec *x, const char *format,
                                             const char *origin)
{
    if (!x->plan_summary || !x->plan_summary_len)
        return NULL;
    const char *s = x->plan_summary;
    size_t n = x->plan_summary_len;
    size_t w = 0;
    while (w < n && ((s[w] >= 'A' && s[w] <= 'Z') || s[w] == '_'))
        w++;
    if (!w)
        return NULL;
    const struct dbp_mdoc_node *filter = op->filter, *sort = op->sort;
    if (op->pipeline)
        pipeline_parts(op->doc, op->pipeline, &filter, &sort);
    struct dbp_plan *p = new_plan(snap, format, origin);
    p->analyzed = true;
    p->execution_ms = x->ms;
    struct dbp_plan_node *scan = dbp_plan_node_new(snap);
    scan->engine_name = dbp_arena_strndup(snap->arena, s, w);
    scan->relation = op->coll;
    scan->schema = op->db;
    scan->loops = 1;
    scan->actual_ms = x->ms;
    scan->act_rows = x->nreturned;
    struct dbp_pred *preds = NULL;
    size_t n_preds = dbp_mongo_preds(snap, op->doc, filter, &preds);
    struct dbp_plan_node *top = scan;
    if (w == 8 && memcmp(s, "COLLSCAN", 8) == 0) {
        scan->kind = DBP_NODE_FULL_SCAN;
        scan->preds = preds;
        scan->n_preds = n_preds;
        scan->rows_examined = x->docs_examined;
        if (filter && filter->type == DBP_MD_OBJ && filter->n_children)
            scan->condition = dbp_mdoc_strdup(snap->arena, filter);
    } else if ((w == 6 && memcmp(s, "IXSCAN", 6) == 0) ||
               (w == 16 && memcmp(s, "CLUSTERED_IXSCAN", 16) == 0) ||
               (w == 13 && memcmp(s, "EXPRESS_IXSCAN", 13) == 0)) {
        scan->kind = DBP_NODE_INDEX_SCAN;
        const char *colv[32];
        size_t nc = 0;
        if (w < n)
            scan->index = index_name(snap, s + w, n - w, &nc, colv, 32);
        /* key columns are served by the index, the rest is a residual filter */
        size_t ni = 0, nr = 0;
        if (n_preds) {
            scan->index_preds = dbp_arena_alloc(snap->arena, n_preds * sizeof *preds);
            scan->preds = dbp_arena_alloc(snap->arena, n_preds * sizeof *preds);
        }
        for (size_t i = 0; i < n_preds; i++) {
            if (in_list(colv, nc, preds[i].column))
                scan->index_preds[ni++] = preds[i];
            else
                scan->preds[nr++] = preds[i];
        }
        scan->n_index_preds = ni;
        scan->n_preds = nr;
        scan->rows_examined = x->docs_examined > 0 ? x->docs_examined : x->keys_examined;
        struct dbp_plan_node *fetch = dbp_plan_node_new(snap);
        fetch->kind = DBP_NODE_FETCH;
        fetch->engine_name = "FETCH";
        fetch->relation = op->coll;
        fetch->schema = op->db;
        fetch->act_rows = x->nreturned;
        fetch->rows_examined = x->docs_examined;
        dbp_plan_node_add_child(snap, fetch, scan);
        top = fetch;
    } else if (w == 6 && memcmp(s, "IDHACK", 6) == 0) {
        scan->kind = DBP_NODE_INDEX_SCAN;
        scan->index = "_id_";
        scan->index_preds = preds;
        scan->n_index_preds = n_preds;
    } else if ((w == 10 && memcmp(s, "COUNT_SCAN", 10) == 0) ||
               (w == 13 && memcmp(s, "DISTINCT_SCAN", 13) == 0)) {
        scan->kind = DBP_NODE_INDEX_ONLY_SCAN;
        const char *colv[32];
        size_t nc = 0;
        if (w < n)
            scan->index = index_name(snap, s + w, n - w, &nc, colv, 32);
        scan->index_preds = preds;
        scan->n_index_preds = n_preds;
    } else {
        scan->kind = DBP_NODE_OTHER; /* EOF, RECORD_STORE_FAST_COUNT, TEXT, GEO_NEAR... */
    }
    struct dbp_sortkey *keys = NULL;
    size_t nk = x->has_sort_stage ? sort_keys(snap, op->doc, sort, &keys) : 0;
    if (nk) {
        struct dbp_plan_node *srt = dbp_plan_node_new(snap);
        srt->kind = DBP_NODE_SORT;
        srt->engine_name = "SORT";
        srt->sort_keys = keys;
        srt->n_sort_keys = nk;
        srt->act_rows = x->nreturned;
        dbp_plan_node_add_child(snap, srt, top);
        top = srt;
    }
    p->root = top;
    return p;
}

static const struct {
    const char *stage;
    enum dbp_node_kind kind;
} stage_kinds[] = {
    {"COLLSCAN", DBP_NODE_FULL_SCAN},
    {"IXSCAN", DBP_NODE_INDEX_SCAN},
    {"CLUSTERED_IXSCAN", DBP_NODE_INDEX_SCAN},
    {"EXPRESS_IXSCAN", DBP_NODE_INDEX_SCAN},
    {"IDHACK", DBP_NODE_INDEX_SCAN},
    {"EXPRESS_IDHACK", DBP_NODE_INDEX_SCAN},
    {"COUNT_SCAN", DBP_NODE_INDEX_ONLY_SCAN},
    {"DISTINCT_SCAN", DBP_NODE_INDEX_ONLY_SCAN},
    {"FETCH", DBP_NODE_FETCH},
    {"SORT", DBP_NODE_SORT},
    {"SORT_MERGE", DBP_NODE_SORT},
    {"LIMIT", DBP_NODE_LIMIT},
    {"OR", DBP_NODE_APPEND},
    {"GROUP", DBP_NODE_AGGREGATE},
    {"COUNT", DBP_NODE_AGGREGATE},
    {"EOF", DBP_NODE_RESULT},
    {"UPDATE", DBP_NODE_MODIFY},
    {"DELETE", DBP_NODE_MODIFY},
    {"EQ_LOOKUP", DBP_NODE_JOIN},
};

static const char *str_or_null(struct dbp_snapshot *snap, const struct dbp_mdoc_node *n)
{
    return n && n->type == DBP_MD_STR ? dbp_mdoc_strdup(snap->arena, n) : NULL;
}

struct dbp_plan_node *dbp_mongo_plan_node(struct dbp_snapshot *snap, const struct dbp_mdoc *d,
                                          const struct dbp_mdoc_node *stage, const char *db,
                                          const char *coll, const struct dbp_mongo_op *op)
{
    struct dbp_plan_node *n = dbp_plan_node_new(snap);
    const struct dbp_mdoc_node *nm = dbp_mdoc_get(d, stage, "stage");
    n->engine_name = str_or_null(snap, nm);
    n->kind = DBP_NODE_OTHER;
    for (size_t i = 0; n->engine_name && i < sizeof stage_kinds / sizeof stage_kinds[0]; i++)
        if (strcmp(n->engine_name, stage_kinds[i].stage) == 0) {
            n->kind = stage_kinds[i].kind;
            break;
        }
    n->act_rows = dbp_mdoc_num(dbp_mdoc_get(d, stage, "nReturned"));
    n->actual_ms = dbp_mdoc_num(dbp_mdoc_get(d, stage, "executionTimeMillisEstimate"));
    if (n->act_rows == n->act_rows)
        n->loops = 1;
    bool scan = n->kind == DBP_NODE_FULL_SCAN || n->kind == DBP_NODE_INDEX_SCAN ||
                n->kind == DBP_NODE_INDEX_ONLY_SCAN || n->kind == DBP_NODE_FETCH;
    if (scan) {
        n->relation = coll;
        n->schema = db;
    }
    n->index = str_or_null(snap, dbp_mdoc_get(d, stage, "indexName"));
    if (!n->index && n->engine_name && strstr(n->engine_name, "IDHACK"))
        n->index = "_id_";
    const struct dbp_mdoc_node *filter = dbp_mdoc_get(d, stage, "filter");
    if (filter && filter->type == DBP_MD_OBJ) {
        n->n_preds = dbp_mongo_preds(snap, d, filter, &n->preds);
        n->condition = dbp_mdoc_strdup(snap->arena, filter);
    }
    const struct dbp_mdoc_node *kp = dbp_mdoc_get(d, stage, "keyPattern");
    if (kp && kp->type == DBP_MD_OBJ && kp->n_children) {
        n->index_preds = dbp_arena_alloc(snap->arena, kp->n_children * sizeof *n->index_preds);
        for (const struct dbp_mdoc_node *c = dbp_mdoc_child(d, kp); c; c = dbp_mdoc_next(d, c)) {
            n->index_preds[n->n_index_preds].column = dbp_mdoc_keydup(snap->arena, c);
            n->index_preds[n->n_index_preds++].op = DBP_PRED_EQ;
            if (n->n_index_preds == kp->n_children)
                break;
        }
    }
    double de = dbp_mdoc_num(dbp_mdoc_get(d, stage, "docsExamined"));
    double ke = dbp_mdoc_num(dbp_mdoc_get(d, stage, "keysExamined"));
    n->rows_examined =
        n->kind == DBP_NODE_INDEX_SCAN || n->kind == DBP_NODE_INDEX_ONLY_SCAN ? ke : de;
    if (n->kind == DBP_NODE_SORT) {
        const struct dbp_mdoc_node *sp = dbp_mdoc_get(d, stage, "sortPattern");
        n->n_sort_keys = sort_keys(snap, d, sp, &n->sort_keys);
    }
    const struct dbp_mdoc_node *in = dbp_mdoc_get(d, stage, "inputStage");
    if (in && in->type == DBP_MD_OBJ)
        dbp_plan_node_add_child(snap, n, dbp_mongo_plan_node(snap, d, in, db, coll, op));
    const struct dbp_mdoc_node *ins = dbp_mdoc_get(d, stage, "inputStages");
    for (const struct dbp_mdoc_node *c = dbp_mdoc_child(d, ins); c; c = dbp_mdoc_next(d, c))
        if (c->type == DBP_MD_OBJ)
            dbp_plan_node_add_child(snap, n, dbp_mongo_plan_node(snap, d, c, db, coll, op));
    /* FETCH with a filter over an index scan: the residual filter belongs to the scan
     * as the rules see it (documents fetched through the index, then discarded) */
    if (n->kind == DBP_NODE_FETCH && n->n_children == 1 &&
        n->children[0]->kind == DBP_NODE_INDEX_SCAN && n->n_preds) {
        struct dbp_plan_node *ix = n->children[0];
        ix->preds = n->preds;
        ix->n_preds = n->n_preds;
        if (de == de) {
            ix->rows_examined = de;
            ix->act_rows = n->act_rows;
        }
    }
    return n;
}
