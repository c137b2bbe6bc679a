/*
 * plan_text.c -- PostgreSQL EXPLAIN text output into the common plan model,
 * and the "postgres-plan-text" input format (saved plans).
 *
 * A line tokenizer, no regular expressions. The tree comes from the
 * indentation: a node line is "->  Name ... (cost=a..b rows=n width=w)
 * (actual time=a..b rows=n loops=n)" and its parent is the nearest node
 * above it whose arrow sits further left; the root is the first line with a
 * "(cost=" / "(actual" group. Detail lines ("Filter: ...", "Index Cond: ...",
 * "Rows Removed by Filter: n", "Sort Key: ...") belong to the node above
 * them; "InitPlan", "SubPlan" and "CTE" labels open a child group; lines at
 * the root's indentation ("Planning Time:", "Execution Time:", "JIT:") are
 * the trailer. Also handled: psql borders and headers, lines quoted whole
 * by GUI tools, lines wrapped by a terminal (a line whose parentheses do not
 * balance continues on the next), auto_explain's "Query Text:" before the
 * tree, and several plans in one input.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dbperf/arena.h>
#include <dbperf/buf.h>
#include <dbperf/error.h>
#include <dbperf/reader.h>

#include "pg_int.h"
#include "plan_int.h"
#include "predicate.h"

#define MAX_PLAN_BYTES (512u << 20)
#define MAX_WRAP_LINES 40
#define MAX_DEPTH      2000

struct frame {
    struct dbp_plan_node *node;
    long col; /* column of the node's arrow (the root: its indentation - 1) */
};

struct tparse {
    struct dbp_snapshot *snap;
    const char *origin;
    /* raw lines of the cleaned input */
    const char *text;
    size_t *starts;
    size_t *lens;
    size_t n_lines;
    /* the plan being built */
    struct dbp_plan *plan;
    long root_indent;
    bool trailer;
    bool analyzed;
    struct frame *stack;
    size_t depth, cap;
    /* auto_explain query text waiting for its plan */
    struct dbp_buf query;
    bool in_query;
    const char *plan_query; /* query of the current plan (arena) */
    void (*emit)(struct tparse *tp, struct dbp_plan *plan, const char *query);
    struct dbp_plan *first;
    size_t n_plans;
};

static bool has(const char *s, size_t len, const char *needle)
{
    size_t k = strlen(needle);
    for (size_t i = 0; i + k <= len; i++)
        if (memcmp(s + i, needle, k) == 0)
            return true;
    return false;
}

static long find(const char *s, size_t len, const char *needle)
{
    size_t k = strlen(needle);
    for (size_t i = 0; i + k <= len; i++)
        if (memcmp(s + i, needle, k) == 0)
            return (long)i;
    return -1;
}

static bool begins(const char *s, size_t len, const char *prefix)
{
    size_t k = strlen(prefix);
    return len >= k && memcmp(s, prefix, k) == 0;
}

static void trim(const char **s, size_t *len)
{
    while (*len > 0 && (**s == ' ' || **s == '\t')) {
        (*s)++;
        (*len)--;
    }
    while (*len > 0 && ((*s)[*len - 1] == ' ' || (*s)[*len - 1] == '\t' || (*s)[*len - 1] == '\r'))
        (*len)--;
}

/* A node line's statistics group starts here: "(cost=", "(actual time=" or "(actual rows="
 * (TIMING OFF), "(never executed)". */
static long stats_start(const char *s, size_t len)
{
    long best = -1;
    static const char *const marks[] = {"(cost=", "(actual time=", "(actual rows=",
                                        "(never executed)", NULL};
    for (size_t i = 0; marks[i]; i++) {
        long p = find(s, len, marks[i]);
        if (p >= 0 && (best < 0 || p < best))
            best = p;
    }
    return best;
}

/* Parentheses still open at the end of s (outside quotes), or 1 if a quote is open. */
static int open_parens(const char *s, size_t len)
{
    int depth = 0;
    char q = 0;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (q) {
            if (c == q)
                q = 0;
        } else if (c == '\'' || c == '"') {
            q = c;
        } else if (c == '(') {
            depth++;
        } else if (c == ')' && depth > 0) {
            depth--;
        }
    }
    return q ? 1 : depth;
}

/* Node names a plan without costs (COSTS OFF) can start with. */
static bool known_node_name(const char *s, size_t len)
{
    static const char *const names[] = {
        "Seq Scan", "Parallel Seq Scan", "Index Scan", "Index Only Scan", "Bitmap Heap Scan",
        "Bitmap Index Scan", "Nested Loop", "Hash Join", "Hash ", "Merge Join", "Merge ", "Sort",
        "Incremental Sort", "Aggregate", "HashAggregate", "GroupAggregate", "MixedAggregate",
        "Partial ", "Finalize ", "Limit", "Result", "Append", "Merge Append", "Gather",
        "Unique", "Materialize", "Memoize", "Update on", "Insert on", "Delete on",
        "Subquery Scan", "CTE Scan", "Function Scan", "Values Scan", "WindowAgg", "SetOp",
        "HashSetOp", "LockRows", "ProjectSet", "Group", "Foreign Scan", "Tid Scan", NULL};
    for (size_t i = 0; names[i]; i++)
        if (begins(s, len, names[i]))
            return !has(s, len, ": ");
    return false;
}

/* ---- one node line ------------------------------------------------------ */

static double parse_num(const char *s, size_t len, const char **end)
{
    char tmp[64];
    size_t n = len < sizeof tmp - 1 ? len : sizeof tmp - 1;
    memcpy(tmp, s, n);
    tmp[n] = '\0';
    char *e;
    double d = strtod(tmp, &e);
    if (e == tmp) {
        *end = s;
        return NAN;
    }
    *end = s + (e - tmp);
    return d;
}

/* "a..b" */
static void parse_range(const char *s, size_t len, double *a, double *b)
{
    const char *e;
    *a = parse_num(s, len, &e);
    if (e + 2 <= s + len && e[0] == '.' && e[1] == '.')
        *b = parse_num(e + 2, (size_t)(s + len - e - 2), &e);
}

/* The inside of one "(...)" group after the node name. */
static void parse_group(struct tparse *tp, struct dbp_plan_node *n, const char *s, size_t len)
{
    bool actual = begins(s, len, "actual");
    if (begins(s, len, "never executed")) {
        n->act_rows = 0;
        n->loops = 0;
        tp->analyzed = true;
        return;
    }
    size_t i = 0;
    while (i < len) {
        while (i < len && s[i] == ' ')
            i++;
        size_t w = i;
        while (w < len && s[w] != ' ')
            w++;
        const char *tok = s + i;
        size_t tl = w - i;
        long eq = find(tok, tl, "=");
        if (eq > 0) {
            const char *k = tok;
            size_t kl = (size_t)eq;
            const char *v = tok + eq + 1;
            size_t vl = tl - (size_t)eq - 1;
            const char *e;
            double x = NAN, y = NAN;
            if (kl == 4 && memcmp(k, "cost", 4) == 0) {
                parse_range(v, vl, &x, &y);
                n->startup_cost = x;
                n->total_cost = y;
            } else if (kl == 4 && memcmp(k, "time", 4) == 0) {
                parse_range(v, vl, &x, &y);
                n->actual_ms = y;
            } else if (kl == 4 && memcmp(k, "rows", 4) == 0) {
                if (actual)
                    n->act_rows = parse_num(v, vl, &e);
                else
                    n->est_rows = parse_num(v, vl, &e);
            } else if (kl == 5 && memcmp(k, "loops", 5) == 0) {
                n->loops = parse_num(v, vl, &e);
            }
        }
        i = w;
    }
    if (actual)
        tp->analyzed = true;
}

/* Split "schema.rel alias" (double quotes respected) into its parts. */
static void split_relation(struct dbp_arena *a, const char *s, size_t len, const char **schema,
                           const char **rel, const char **alias)
{
    trim(&s, &len);
    size_t sp = len, dot = len;
    char q = 0;
    for (size_t i = 0; i < len; i++) {
        if (q) {
            if (s[i] == '"')
                q = 0;
        } else if (s[i] == '"') {
            q = '"';
        } else if (s[i] == '.' && dot == len) {
            dot = i;
        } else if (s[i] == ' ') {
            sp = i;
            break;
        }
    }
    if (dot > sp)
        dot = len;
    const char *r = s;
    size_t rl = sp;
    if (dot < sp) {
        const char *sc = s;
        size_t scl = dot;
        if (scl >= 2 && sc[0] == '"' && sc[scl - 1] == '"')
            sc++, scl -= 2;
        *schema = dbp_arena_strndup(a, sc, scl);
        r = s + dot + 1;
        rl = sp - dot - 1;
    }
    if (rl >= 2 && r[0] == '"' && r[rl - 1] == '"')
        r++, rl -= 2;
    *rel = dbp_arena_strndup(a, r, rl);
    if (sp < len) {
        const char *al = s + sp;
        size_t all = len - sp;
        trim(&al, &all);
        if (all >= 2 && al[0] == '"' && al[all - 1] == '"')
            al++, all -= 2;
        if (all > 0)
            *alias = dbp_arena_strndup(a, al, all);
    }
}

/* "Index Scan Backward using idx on public.t x  (cost=...) (actual ...)" */
static struct dbp_plan_node *parse_node(struct tparse *tp, const char *s, size_t len)
{
    struct dbp_arena *a = tp->snap->arena;
    struct dbp_plan_node *n = dbp_plan_node_new(tp->snap);
    long st = stats_start(s, len);
    size_t name_len = st >= 0 ? (size_t)st : len;
    const char *name = s;
    trim(&name, &name_len);
    /* statistics groups */
    if (st >= 0) {
        const char *p = s + st, *end = s + len;
        while (p < end) {
            if (*p != '(') {
                p++;
                continue;
            }
            const char *q = p + 1;
            while (q < end && *q != ')')
                q++;
            parse_group(tp, n, p + 1, (size_t)(q - p - 1));
            p = q < end ? q + 1 : end;
        }
    }
    /* name: TYPE [using INDEX] [on RELATION [ALIAS]] */
    long using = find(name, name_len, " using ");
    long on;
    if (using >= 0) {
        on = find(name + using, name_len - (size_t)using, " on ");
        if (on >= 0)
            on += using;
    } else {
        on = find(name, name_len, " on ");
    }
    size_t type_len = name_len;
    if (using >= 0)
        type_len = (size_t)using;
    else if (on >= 0)
        type_len = (size_t)on;
    const char *type = dbp_arena_strndup(a, name, type_len);
    /* before 9.0: "Subquery Scan alias" */
    if (using < 0 && on < 0 && begins(name, name_len, "Subquery Scan ")) {
        type = "Subquery Scan";
        const char *al = name + 14;
        size_t all = name_len - 14;
        trim(&al, &all);
        n->alias = dbp_arena_strndup(a, al, all);
    }
    n->engine_name = type;
    n->kind = dbp_pg_node_kind(type);
    if (using >= 0) {
        size_t from = (size_t)using + 7;
        size_t to = on > using ? (size_t)on : name_len;
        const char *ix = name + from;
        size_t ixl = to > from ? to - from : 0;
        trim(&ix, &ixl);
        if (ixl >= 2 && ix[0] == '"' && ix[ixl - 1] == '"')
            ix++, ixl -= 2;
        n->index = dbp_arena_strndup(a, ix, ixl);
    }
    if (on >= 0) {
        const char *r = name + on + 4;
        size_t rl = name_len - (size_t)on - 4;
        if (strcmp(type, "Bitmap Index Scan") == 0) {
            trim(&r, &rl);
            if (rl >= 2 && r[0] == '"' && r[rl - 1] == '"')
                r++, rl -= 2;
            n->index = dbp_arena_strndup(a, r, rl);
        } else {
            const char *schema = NULL, *rel = NULL, *alias = NULL;
            split_relation(a, r, rl, &schema, &rel, &alias);
            if (dbp_pg_node_on_relation(type)) {
                n->schema = schema;
                n->relation = rel;
                n->alias = alias;
            } else {
                n->alias = alias ? alias : rel;
            }
        }
    }
    return n;
}

/* ---- plans -------------------------------------------------------------- */

static void end_plan(struct tparse *tp)
{
    if (!tp->plan)
        return;
    dbp_pg_plan_finish(tp->plan, tp->analyzed || !isnan(tp->plan->execution_ms));
    if (!tp->first)
        tp->first = tp->plan;
    tp->n_plans++;
    if (tp->emit)
        tp->emit(tp, tp->plan, tp->plan_query);
    tp->plan = NULL;
    tp->plan_query = NULL;
    tp->depth = 0;
}

static void push(struct tparse *tp, struct dbp_plan_node *n, long col)
{
    if (tp->depth == tp->cap) {
        tp->cap = tp->cap ? tp->cap * 2 : 32;
        tp->stack = dbp_xrealloc(tp->stack, tp->cap * sizeof *tp->stack);
    }
    tp->stack[tp->depth].node = n;
    tp->stack[tp->depth].col = col;
    tp->depth++;
}

static void start_plan(struct tparse *tp, const char *s, size_t len, long indent, size_t lineno)
{
    end_plan(tp);
    struct dbp_arena *a = tp->snap->arena;
    struct dbp_plan *plan = dbp_arena_alloc(a, sizeof *plan);
    plan->engine = DBP_ENGINE_POSTGRES;
    plan->format = "postgres-text";
    plan->origin = tp->origin ? dbp_arena_printf(a, "%s:%zu", tp->origin, lineno) : NULL;
    plan->planning_ms = NAN;
    plan->execution_ms = NAN;
    tp->plan = plan;
    tp->analyzed = false;
    tp->trailer = false;
    tp->root_indent = indent;
    plan->root = parse_node(tp, s, len);
    push(tp, plan->root, indent - 1);
    if (tp->query.len > 0) {
        tp->plan_query = dbp_arena_strndup(a, tp->query.data, tp->query.len);
        dbp_buf_clear(&tp->query);
    }
    tp->in_query = false;
}

/* Pop frames at or right of col (never the root). */
static void pop_to(struct tparse *tp, long col)
{
    while (tp->depth > 1 && tp->stack[tp->depth - 1].col >= col)
        tp->depth--;
}

static void trailer_line(struct tparse *tp, const char *s, size_t len)
{
    const char *e;
    if (begins(s, len, "Planning Time:") || begins(s, len, "Planning time:"))
        tp->plan->planning_ms = parse_num(s + 14, len - 14, &e);
    else if (begins(s, len, "Execution Time:") || begins(s, len, "Execution time:"))
        tp->plan->execution_ms = parse_num(s + 15, len - 15, &e);
    else if (begins(s, len, "Total runtime:"))
        tp->plan->execution_ms = parse_num(s + 14, len - 14, &e);
}

static void detail_line(struct tparse *tp, const char *s, size_t len, long indent)
{
    pop_to(tp, indent);
    struct dbp_plan_node *n = tp->stack[tp->depth - 1].node;
    long colon = find(s, len, ": ");
    if (colon <= 0)
        return;
    char key[64];
    size_t kl = (size_t)colon < sizeof key - 1 ? (size_t)colon : sizeof key - 1;
    memcpy(key, s, kl);
    key[kl] = '\0';
    const char *v = s + colon + 2;
    size_t vl = len - (size_t)colon - 2;
    trim(&v, &vl);
    const char *e;
    if (strcmp(key, "Rows Removed by Filter") == 0 ||
        strcmp(key, "Rows Removed by Index Recheck") == 0) {
        double removed = parse_num(v, vl, &e);
        if (!isnan(removed) && !isnan(n->act_rows))
            n->rows_examined = (isnan(n->rows_examined) ? n->act_rows : n->rows_examined) + removed;
    } else if (strcmp(key, "Sort Key") == 0) {
        struct dbp_sortkey *k = NULL;
        size_t m = dbp_sortkeys_parse(tp->snap->arena, v, vl, &k);
        if (m) {
            n->sort_keys = k;
            n->n_sort_keys = m;
        }
    } else {
        dbp_pg_node_condition(tp->snap, n, key, v, vl);
    }
}

/*
 * The logical line starting at raw line i: joined with the following raw
 * lines while its parentheses stay open (a terminal wrapped it). Returns the
 * index of the next raw line.
 */
static size_t logical_line(struct tparse *tp, size_t i, bool any_stats, struct dbp_buf *out)
{
    dbp_buf_clear(out);
    dbp_buf_append(out, tp->text + tp->starts[i], tp->lens[i]);
    const char *t0 = out->data;
    size_t l0 = out->len;
    trim(&t0, &l0);
    /* a node line of a plan with statistics continues until its statistics */
    bool node = any_stats && tp->plan && begins(t0, l0, "->");
    size_t j = i + 1;
    while (j < tp->n_lines && j - i < MAX_WRAP_LINES &&
           (open_parens(out->data, out->len) > 0 ||
            (node && j - i <= 3 && stats_start(out->data, out->len) < 0))) {
        const char *nx = tp->text + tp->starts[j];
        size_t nl = tp->lens[j];
        const char *t = nx;
        size_t tl = nl;
        trim(&t, &tl);
        if (tl == 0 || begins(t, tl, "->"))
            break;
        dbp_buf_append(out, nx, nl);
        j++;
    }
    return j;
}

/* A logical line that opens a plan: statistics, or "->" at the very start (a subtree). */
static bool root_line(const char *s, size_t len)
{
    if (begins(s, len, "->")) {
        s += 2;
        len -= 2;
    }
    return stats_start(s, len) >= 0;
}

static void run(struct tparse *tp)
{
    struct dbp_buf line = {0};
    /* does any line carry statistics? if not, accept COSTS OFF roots by name */
    bool any_stats = false;
    for (size_t i = 0; i < tp->n_lines && !any_stats; i++)
        any_stats = stats_start(tp->text + tp->starts[i], tp->lens[i]) >= 0;
    size_t i = 0;
    while (i < tp->n_lines) {
        const char *raw = tp->text + tp->starts[i];
        size_t rawlen = tp->lens[i];
        size_t lineno = i + 1;
        const char *s = raw;
        size_t len = rawlen;
        trim(&s, &len);
        if (len == 0) {
            i++;
            continue;
        }
        long indent = (long)(s - raw);
        long qt = find(s, len, "Query Text: ");
        if (qt >= 0) {
            /* auto_explain: the statement, up to the plan's first line */
            end_plan(tp);
            dbp_buf_clear(&tp->query);
            dbp_buf_append(&tp->query, s + qt + 12, len - (size_t)qt - 12);
            tp->in_query = true;
            i++;
            continue;
        }
        if (tp->in_query && begins(s, len, "Query Parameters:")) {
            i++; /* auto_explain.log_parameter_max_length: not part of the statement */
            continue;
        }
        size_t next = logical_line(tp, i, any_stats, &line);
        s = line.data;
        len = line.len;
        trim(&s, &len);
        if (!tp->plan) {
            bool root = root_line(s, len);
            if (!root && !any_stats && known_node_name(s, len))
                root = true;
            if (!root) {
                if (tp->in_query) {
                    dbp_buf_putc(&tp->query, '\n');
                    dbp_buf_append(&tp->query, raw, rawlen);
                }
                i++;
                continue;
            }
            if (begins(s, len, "->")) {
                s += 2;
                len -= 2;
                trim(&s, &len);
                indent += 4;
            }
            start_plan(tp, s, len, indent, lineno);
            i = next;
            continue;
        }
        i = next;
        if (begins(s, len, "->")) {
            s += 2;
            len -= 2;
            trim(&s, &len);
            pop_to(tp, indent);
            if (tp->depth >= MAX_DEPTH)
                continue;
            struct dbp_plan_node *n = parse_node(tp, s, len);
            dbp_plan_node_add_child(tp->snap, tp->stack[tp->depth - 1].node, n);
            push(tp, n, indent);
            tp->trailer = false;
            continue;
        }
        if (stats_start(s, len) >= 0 && indent <= tp->root_indent) {
            start_plan(tp, s, len, indent, lineno); /* another plan */
            continue;
        }
        if (indent <= tp->root_indent) {
            tp->trailer = true;
            trailer_line(tp, s, len);
            continue;
        }
        if (tp->trailer)
            continue;
        if (begins(s, len, "InitPlan") || begins(s, len, "SubPlan") || begins(s, len, "CTE ")) {
            pop_to(tp, indent);
            continue;
        }
        detail_line(tp, s, len, indent);
    }
    end_plan(tp);
    dbp_buf_free(&line);
}

/* Parse every plan in text; returns the number of plans. */
static size_t parse_text(struct tparse *tp, const char *text, size_t len)
{
    struct dbp_buf clean = {0};
    dbp_pg_clean_psql(text, len, false, &clean);
    size_t n = 1;
    for (size_t i = 0; i < clean.len; i++)
        if (clean.data[i] == '\n')
            n++;
    tp->starts = dbp_xmalloc(n * sizeof *tp->starts);
    tp->lens = dbp_xmalloc(n * sizeof *tp->lens);
    size_t k = 0, start = 0;
    for (size_t i = 0; i <= clean.len; i++) {
        if (i == clean.len || clean.data[i] == '\n') {
            tp->starts[k] = start;
            tp->lens[k] = i - start;
            k++;
            start = i + 1;
        }
    }
    tp->text = clean.data ? clean.data : "";
    tp->n_lines = k;
    run(tp);
    free(tp->starts);
    free(tp->lens);
    free(tp->stack);
    dbp_buf_free(&tp->query);
    dbp_buf_free(&clean);
    return tp->n_plans;
}

int dbp_pg_plan_from_text(struct dbp_snapshot *snap, const char *text, size_t len,
                          const char *origin, struct dbp_plan **out, struct dbp_error *err)
{
    *out = NULL;
    struct tparse tp = {0};
    tp.snap = snap;
    tp.origin = origin;
    if (text)
        parse_text(&tp, text, len);
    if (!tp.first)
        return dbp_error_set(err, DBP_ERR_FORMAT, "%s: no plan found (no line with \"(cost=\")",
                             origin ? origin : "<plan>");
    *out = tp.first;
    return DBP_OK;
}

/* ---- the postgres-plan-text format -------------------------------------- */

static void add_plan(struct tparse *tp, struct dbp_plan *plan, const char *query)
{
    dbp_pg_plan_attach(tp->snap, plan, query, query ? strlen(query) : 0);
}

static int probe(const unsigned char *head, size_t len)
{
    if (!head || len == 0)
        return 0;
    const char *s = (const char *)head;
    bool cost = has(s, len, "(cost=") || has(s, len, "(actual time=") ||
                has(s, len, "(actual rows=");
    if (!cost)
        return 0;
    /* the first meaningful line is a node line: a plan file */
    struct dbp_buf clean = {0};
    dbp_pg_clean_psql(s, len, false, &clean);
    int score = has(s, len, "->") || has(s, len, "QUERY PLAN") ? 25 : 10;
    size_t start = 0;
    for (size_t i = 0; i <= clean.len; i++) {
        if (i == clean.len || clean.data[i] == '\n') {
            const char *l = clean.data + start;
            size_t ll = i - start;
            trim(&l, &ll);
            start = i + 1;
            if (ll == 0)
                continue;
            if (stats_start(l, ll) > 0)
                score = 75;
            break;
        }
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
    struct tparse tp = {0};
    tp.snap = snap;
    tp.origin = dbp_reader_name(r);
    tp.emit = add_plan;
    size_t n = parse_text(&tp, data, len);
    src->entries += n;
    if (n == 0) {
        src->skipped++;
        dbp_snapshot_diag(snap, "%s: no plan found (no line with \"(cost=\")", tp.origin);
        return dbp_error_set(err, DBP_ERR_FORMAT, "%s: no plan found (no line with \"(cost=\")",
                             tp.origin);
    }
    return DBP_OK;
}

const struct dbp_format dbp_pg_plan_text_format = {
    .name = "postgres-plan-text",
    .summary = "PostgreSQL EXPLAIN / EXPLAIN ANALYZE text output (psql, auto_explain)",
    .probe = probe,
    .parse = parse,
};
