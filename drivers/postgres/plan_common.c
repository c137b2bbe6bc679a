/*
 * plan_common.c -- helpers shared by the PostgreSQL plan parsers: node kinds,
 * condition lines into predicates, the post-pass over a finished tree,
 * psql output cleanup, and attaching a plan to its statement class.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <dbperf/arena.h>
#include <dbperf/buf.h>
#include <dbperf/fingerprint.h>
#include <dbperf/model.h>

#include "plan_int.h"
#include "predicate.h"

static bool starts(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

static bool ends(const char *s, const char *suffix)
{
    size_t l = strlen(s), k = strlen(suffix);
    return l >= k && strcmp(s + l - k, suffix) == 0;
}

/* Drop the modifiers EXPLAIN prefixes to a node name. */
static const char *base_name(const char *name)
{
    for (;;) {
        if (starts(name, "Parallel "))
            name += 9;
        else if (starts(name, "Partial "))
            name += 8;
        else if (starts(name, "Finalize "))
            name += 9;
        else if (starts(name, "Async "))
            name += 6;
        else
            return name;
    }
}

enum dbp_node_kind dbp_pg_node_kind(const char *name)
{
    if (!name)
        return DBP_NODE_OTHER;
    name = base_name(name);
    if (starts(name, "Seq Scan"))
        return DBP_NODE_FULL_SCAN;
    if (starts(name, "Index Only Scan"))
        return DBP_NODE_INDEX_ONLY_SCAN;
    if (starts(name, "Index Scan") || starts(name, "Bitmap Index Scan"))
        return DBP_NODE_INDEX_SCAN;
    if (starts(name, "Bitmap Heap Scan"))
        return DBP_NODE_BITMAP_HEAP_SCAN;
    if (starts(name, "Nested Loop") || ends(name, " Join"))
        return DBP_NODE_JOIN;
    if (strcmp(name, "Sort") == 0 || strcmp(name, "Incremental Sort") == 0)
        return DBP_NODE_SORT;
    if (ends(name, "Aggregate") || strcmp(name, "Group") == 0)
        return DBP_NODE_AGGREGATE;
    if (strcmp(name, "Limit") == 0)
        return DBP_NODE_LIMIT;
    if (strcmp(name, "Hash") == 0)
        return DBP_NODE_HASH;
    if (strcmp(name, "Materialize") == 0 || strcmp(name, "Memoize") == 0)
        return DBP_NODE_MATERIALIZE;
    if (strcmp(name, "Append") == 0 || strcmp(name, "Merge Append") == 0 ||
        strcmp(name, "Recursive Union") == 0)
        return DBP_NODE_APPEND;
    if (strcmp(name, "Gather") == 0 || strcmp(name, "Gather Merge") == 0)
        return DBP_NODE_GATHER;
    if (starts(name, "Subquery Scan") || starts(name, "CTE Scan"))
        return DBP_NODE_SUBQUERY;
    if (strcmp(name, "ModifyTable") == 0 || strcmp(name, "Insert") == 0 ||
        strcmp(name, "Update") == 0 || strcmp(name, "Delete") == 0 ||
        strcmp(name, "Merge") == 0)
        return DBP_NODE_MODIFY;
    if (strcmp(name, "Result") == 0 || strcmp(name, "ProjectSet") == 0)
        return DBP_NODE_RESULT;
    return DBP_NODE_OTHER;
}

bool dbp_pg_node_on_relation(const char *name)
{
    if (!name)
        return false;
    name = base_name(name);
    static const char *const rel[] = {"Seq Scan", "Index Scan", "Index Only Scan",
                                      "Bitmap Heap Scan", "Foreign Scan", "Tid Scan",
                                      "Tid Range Scan", "Sample Scan", "Custom Scan",
                                      "Insert", "Update", "Delete", "Merge", NULL};
    for (size_t i = 0; rel[i]; i++)
        if (starts(name, rel[i]))
            return true;
    return false;
}

void dbp_pg_node_condition(struct dbp_snapshot *snap, struct dbp_plan_node *n, const char *key,
                           const char *text, size_t len)
{
    bool filter = strcmp(key, "Filter") == 0 || strcmp(key, "Join Filter") == 0;
    bool index = strcmp(key, "Index Cond") == 0 || strcmp(key, "Recheck Cond") == 0;
    bool other = strcmp(key, "Hash Cond") == 0 || strcmp(key, "Merge Cond") == 0 ||
                 strcmp(key, "TID Cond") == 0 || strcmp(key, "One-Time Filter") == 0;
    if (!filter && !index && !other)
        return;
    while (len > 0 && (text[len - 1] == ' ' || text[len - 1] == '\r'))
        len--;
    if (len == 0)
        return;
    char *cond = dbp_arena_strndup(snap->arena, text, len);
    /* the Recheck Cond of a bitmap heap scan repeats its index condition */
    if (!n->condition)
        n->condition = cond;
    else if (strcmp(key, "Recheck Cond") != 0)
        n->condition = dbp_arena_printf(snap->arena, "%s AND %s", n->condition, cond);
    if (other)
        return;
    const char *qual = n->alias ? n->alias : n->relation;
    struct dbp_pred *p = NULL;
    size_t np = dbp_preds_from_condition(snap->arena, cond, qual, &p);
    if (filter)
        n->n_preds = dbp_preds_merge(snap->arena, &n->preds, n->n_preds, p, np);
    else
        n->n_index_preds = dbp_preds_merge(snap->arena, &n->index_preds, n->n_index_preds, p, np);
}

static void finish_node(struct dbp_plan_node *n, const struct dbp_plan_node *parent, int depth)
{
    if (depth > 1000)
        return;
    /* a Bitmap Index Scan names only its index: take the table from the heap scan above
     * (through BitmapAnd / BitmapOr) */
    if (!n->relation && n->engine_name && strcmp(n->engine_name, "Bitmap Index Scan") == 0 &&
        parent && parent->relation) {
        n->relation = parent->relation;
        n->schema = parent->schema;
        n->alias = parent->alias;
    }
    if ((n->kind == DBP_NODE_FULL_SCAN || n->kind == DBP_NODE_INDEX_SCAN ||
         n->kind == DBP_NODE_INDEX_ONLY_SCAN || n->kind == DBP_NODE_BITMAP_HEAP_SCAN) &&
        !isnan(n->act_rows) && isnan(n->rows_examined))
        n->rows_examined = n->act_rows;
    for (size_t i = 0; i < n->n_children; i++) {
        const struct dbp_plan_node *p = n;
        if (!n->relation && n->engine_name &&
            (strcmp(n->engine_name, "BitmapAnd") == 0 || strcmp(n->engine_name, "BitmapOr") == 0))
            p = parent;
        finish_node(n->children[i], p, depth + 1);
    }
}

void dbp_pg_plan_finish(struct dbp_plan *plan, bool analyzed)
{
    plan->analyzed = analyzed;
    if (plan->root)
        finish_node(plan->root, NULL, 0);
}

/* ---- psql cleanup ------------------------------------------------------- */

/* UTF-8 box drawing (U+2500..U+257F) at s? Returns its length or 0. */
static size_t box_char(const unsigned char *s, size_t len)
{
    if (len >= 3 && s[0] == 0xE2 && (s[1] == 0x94 || s[1] == 0x95 || s[1] == 0x96))
        return 3;
    return 0;
}

/* A return arrow U+21B5 ending s[0..len)? */
static bool ends_return_arrow(const unsigned char *s, size_t len)
{
    return len >= 3 && s[len - 3] == 0xE2 && s[len - 2] == 0x86 && s[len - 1] == 0xB5;
}

static bool separator_line(const unsigned char *s, size_t len)
{
    bool any = false;
    for (size_t i = 0; i < len;) {
        size_t b = box_char(s + i, len - i);
        if (b) {
            any = true;
            i += b;
        } else if (s[i] == '-' || s[i] == '+' || s[i] == '=' || s[i] == '|') {
            any = any || s[i] != '|';
            i++;
        } else if (s[i] == ' ' || s[i] == '\t') {
            i++;
        } else {
            return false;
        }
    }
    return any;
}

static bool footer_line(const unsigned char *s, size_t len)
{
    /* "(15 rows)", "(1 row)", "(22 lignes)" */
    if (len < 4 || s[0] != '(' || s[len - 1] != ')' || !(s[1] >= '0' && s[1] <= '9'))
        return false;
    size_t i = 1;
    while (i < len && s[i] >= '0' && s[i] <= '9')
        i++;
    if (i >= len || s[i] != ' ')
        return false;
    for (i++; i + 1 < len; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || s[i] >= 0x80))
            return false;
    return true;
}

static void clean_line(const unsigned char *s, size_t len, bool json, struct dbp_buf *out)
{
    while (len > 0 && s[len - 1] == '\r')
        len--;
    /* trailing blanks are kept in text mode: a terminal may have wrapped the
     * line right after one; they are dropped with a right border */
    size_t tlen = len;
    while (tlen > 0 && (s[tlen - 1] == ' ' || s[tlen - 1] == '\t'))
        tlen--;
    if (separator_line(s, tlen) || footer_line(s, tlen))
        return;
    if (json)
        len = tlen;
    /* left border: "| ", "│ ", "║ " */
    size_t b = box_char(s, len);
    if (b == 0 && len > 0 && s[0] == '|')
        b = 1;
    if (b) {
        s += b;
        len -= b;
        tlen = tlen >= b ? tlen - b : 0;
        if (len > 0 && s[0] == ' ')
            s++, len--, tlen = tlen ? tlen - 1 : 0;
    }
    /* right border */
    if (tlen > 0) {
        size_t rb = 0;
        if (s[tlen - 1] == '|')
            rb = 1;
        else if (tlen >= 3 && box_char(s + tlen - 3, 3))
            rb = 3;
        if (rb) {
            len = tlen - rb;
            while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
                len--;
        }
    }
    if (json) {
        if (ends_return_arrow(s, len))
            len -= 3;
        else if (len > 0 && s[len - 1] == '+')
            len--;
        while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
            len--;
    } else {
        size_t i = 0;
        while (i < len && (s[i] == ' ' || s[i] == '\t'))
            i++;
        size_t e = len;
        while (e > i && (s[e - 1] == ' ' || s[e - 1] == '\t'))
            e--;
        if (e - i >= 2 && (s[i] == '\'' || s[i] == '"') && s[e - 1] == s[i]) {
            /* a line quoted whole by a GUI tool: keep the indentation inside the
             * quotes, undo doubled quotes of CSV-style quoting */
            unsigned char q = s[i];
            for (size_t k = i + 1; k + 1 < e; k++) {
                dbp_buf_putc(out, (char)s[k]);
                if (q == '"' && s[k] == '"' && k + 2 < e && s[k + 1] == '"')
                    k++;
            }
            return;
        }
    }
    /* the header */
    size_t i = 0;
    while (i < len && s[i] == ' ')
        i++;
    size_t e = len;
    while (e > i && s[e - 1] == ' ')
        e--;
    if (e - i == 10 && memcmp(s + i, "QUERY PLAN", 10) == 0)
        return;
    dbp_buf_append(out, s, len);
}

void dbp_pg_clean_psql(const char *text, size_t len, bool json, struct dbp_buf *out)
{
    dbp_buf_clear(out);
    dbp_buf_reserve(out, len + 1);
    if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0) { /* a UTF-8 byte order mark */
        text += 3;
        len -= 3;
    }
    size_t start = 0;
    for (size_t i = 0; i <= len; i++) {
        if (i == len || text[i] == '\n') {
            if (i > start || i < len)
                clean_line((const unsigned char *)text + start, i - start, json, out);
            if (i < len)
                dbp_buf_putc(out, '\n');
            start = i + 1;
        }
    }
    if (!out->data)
        dbp_buf_putc(out, '\0'), out->len = 0;
}

void dbp_pg_plan_attach(struct dbp_snapshot *snap, struct dbp_plan *plan, const char *query,
                        size_t len)
{
    while (query && len > 0 && (query[len - 1] == ' ' || query[len - 1] == '\n' ||
                                query[len - 1] == '\r' || query[len - 1] == '\t'))
        len--;
    if (query && len > 0) {
        struct dbp_buf fp = {0};
        dbp_fingerprint(DBP_FP_PGSS, query, len, &fp);
        size_t before = snap->stmts.n;
        struct dbp_stmt *st =
            dbp_snapshot_stmt(snap, DBP_ENGINE_POSTGRES, NULL, fp.data ? fp.data : "", fp.len);
        if (snap->stmts.n > before)
            st->source = DBP_SRC_PLAN;
        dbp_stmt_offer_example(snap, st, query, len, plan->execution_ms);
        plan->stmt = st;
        dbp_buf_free(&fp);
    }
    dbp_snapshot_add_plan(snap, plan);
}
