/*
 * plans_conform.c -- conformance of the plan parsers against the corpus.
 *
 *   plans_conform dump (pg-json|pg-text|my-json) FILE   print the parsed tree
 *   plans_conform pev2 CORPUS [MIN_RATIO]     pev2's text plans vs its parsed JSON
 *   plans_conform depesz CORPUS [MIN_RATIO]   Pg::Explain's text/JSON plans vs its trees
 *   plans_conform frames CORPUS               psql output styles give one tree
 *   plans_conform myflames CORPUS             MySQL/MariaDB plans parse, tables found
 *   plans_conform samples CORPUS              pev2's other plans parse, node count right
 *   plans_conform agree JSON TEXT             one EXPLAIN in both formats: same tree
 *
 * A tree is compared through a canonical string per node: normalized node
 * type, relation, estimated rows, actual rows and loops, then the children's
 * strings sorted (pev2 and Pg::Explain order InitPlans, SubPlans and CTEs
 * differently). Prints every mismatch and the ratio; fails below MIN_RATIO
 * (default 0.95).
 */
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <dbperf/arena.h>
#include <dbperf/buf.h>
#include <dbperf/error.h>
#include <dbperf/model.h>

#include "mysql/my_int.h"
#include "postgres/pg_int.h"

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    struct dbp_buf b = {0};
    char tmp[65536];
    size_t k;
    while ((k = fread(tmp, 1, sizeof tmp, f)) > 0)
        dbp_buf_append(&b, tmp, k);
    fclose(f);
    if (!b.data)
        dbp_buf_append(&b, "", 0);
    *len = b.len;
    return b.data;
}

/* ---- type normalization (both sides) ------------------------------------ */

static void norm_type(const char *in, char *out, size_t cap)
{
    const char *s = in ? in : "?";
    for (;;) {
        if (strncmp(s, "Parallel ", 9) == 0)
            s += 9;
        else if (strncmp(s, "Partial ", 8) == 0)
            s += 8;
        else if (strncmp(s, "Finalize ", 9) == 0)
            s += 9;
        else if (strncmp(s, "Async ", 6) == 0)
            s += 6;
        else
            break;
    }
    snprintf(out, cap, "%s", s);
    size_t l = strlen(out);
    if (l > 9 && strcmp(out + l - 9, " Backward") == 0)
        out[l - 9] = '\0';
    l = strlen(out);
    if (strncmp(out, "Nested Loop", 11) == 0)
        snprintf(out, cap, "Nested Loop");
    else if (strncmp(out, "Hash ", 5) == 0 && l > 5 && strcmp(out + l - 5, " Join") == 0)
        snprintf(out, cap, "Hash Join");
    else if (strncmp(out, "Merge ", 6) == 0 && l > 5 && strcmp(out + l - 5, " Join") == 0)
        snprintf(out, cap, "Merge Join");
    else if (l >= 9 && strcmp(out + l - 9, "Aggregate") == 0)
        snprintf(out, cap, "Aggregate");
    else if (strncmp(out, "HashSetOp", 9) == 0 || strncmp(out, "SetOp", 5) == 0)
        snprintf(out, cap, "SetOp");
    else if (strncmp(out, "Subquery Scan", 13) == 0)
        snprintf(out, cap, "Subquery Scan");
    else if (strncmp(out, "Custom Scan", 11) == 0)
        snprintf(out, cap, "Custom Scan");
    else if (strcmp(out, "Insert") == 0 || strcmp(out, "Update") == 0 ||
             strcmp(out, "Delete") == 0 || strcmp(out, "Merge") == 0)
        snprintf(out, cap, "ModifyTable");
}

static void put_num(struct dbp_buf *b, const char *key, double v)
{
    if (isnan(v))
        return;
    dbp_buf_printf(b, " %s=%.6g", key, v);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted children strings appended as [c1,c2,...]; frees them. */
static void put_children(struct dbp_buf *b, char **kids, size_t n)
{
    qsort(kids, n, sizeof *kids, cmp_str);
    if (n) {
        dbp_buf_putc(b, '[');
        for (size_t i = 0; i < n; i++) {
            if (i)
                dbp_buf_putc(b, ',');
            dbp_buf_puts(b, kids[i]);
            free(kids[i]);
        }
        dbp_buf_putc(b, ']');
    }
    free(kids);
}

/* ---- canonical strings -------------------------------------------------- */

static char *canon_node(const struct dbp_plan_node *n)
{
    struct dbp_buf b = {0};
    char t[256];
    norm_type(n->engine_name, t, sizeof t);
    dbp_buf_puts(&b, t);
    const char *rel = strcmp(t, "Bitmap Index Scan") == 0 ? NULL : n->relation;
    dbp_buf_printf(&b, " rel=%s", rel ? rel : "-");
    put_num(&b, "est", n->est_rows);
    put_num(&b, "act", n->act_rows);
    put_num(&b, "loops", n->loops);
    char **kids = dbp_xcalloc(n->n_children + 1, sizeof *kids);
    for (size_t i = 0; i < n->n_children; i++)
        kids[i] = canon_node(n->children[i]);
    put_children(&b, kids, n->n_children);
    return b.data;
}

static double jnum(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    if (cJSON_IsNumber(v))
        return v->valuedouble;
    if (cJSON_IsString(v))
        return strtod(v->valuestring, NULL);
    return NAN;
}

static const char *jstr(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* An expected node: only the fields the expectation carries are compared. */
struct enode {
    char type[256];
    char rel[256]; /* "" when not given */
    double est, act, loops;
    struct enode **kids;
    size_t n;
    bool any_kids; /* children not given: not compared */
};

static void enode_free(struct enode *e)
{
    if (!e)
        return;
    for (size_t i = 0; i < e->n; i++)
        enode_free(e->kids[i]);
    free(e->kids);
    free(e);
}

/* "public."my:table"" -> my:table */
static void unqualify(const char *in, char *out, size_t cap)
{
    const char *last = in;
    bool q = false;
    for (const char *p = in; *p; p++) {
        if (*p == '"')
            q = !q;
        else if (*p == '.' && !q)
            last = p + 1;
    }
    size_t l = strlen(last);
    if (l >= 2 && last[0] == '"' && last[l - 1] == '"')
        snprintf(out, cap, "%.*s", (int)(l - 2), last + 1);
    else
        snprintf(out, cap, "%s", last);
}

/* pev2: {"Node Type", "Relation Name", "Plan Rows", "Actual Rows", "Actual Loops", "Plans"} */
static struct enode *from_pev2(const cJSON *n)
{
    struct enode *e = dbp_xcalloc(1, sizeof *e);
    norm_type(jstr(n, "Node Type"), e->type, sizeof e->type);
    if (strcmp(e->type, "Bitmap Index Scan") != 0 && jstr(n, "Relation Name"))
        unqualify(jstr(n, "Relation Name"), e->rel, sizeof e->rel);
    e->est = jnum(n, "Plan Rows");
    e->act = jnum(n, "Actual Rows");
    e->loops = jnum(n, "Actual Loops");
    const cJSON *plans = cJSON_GetObjectItemCaseSensitive(n, "Plans");
    size_t cnt = cJSON_IsArray(plans) ? (size_t)cJSON_GetArraySize(plans) : 0;
    e->any_kids = !plans; /* pev2's expectations leave out subtrees they do not test */
    e->kids = dbp_xcalloc(cnt + 1, sizeof *e->kids);
    const cJSON *c;
    if (cnt)
        cJSON_ArrayForEach(c, plans) e->kids[e->n++] = from_pev2(c);
    return e;
}

/* Pg::Explain: {type, scan_on{table_name}, estimated_rows, actual_rows, actual_loops,
 * sub_nodes, initplans, subplans, ctes{}} */
static struct enode *from_depesz(const cJSON *n)
{
    struct enode *e = dbp_xcalloc(1, sizeof *e);
    norm_type(jstr(n, "type"), e->type, sizeof e->type);
    const cJSON *scan = cJSON_GetObjectItemCaseSensitive(n, "scan_on");
    if (scan && strcmp(e->type, "Bitmap Index Scan") != 0 && jstr(scan, "table_name"))
        unqualify(jstr(scan, "table_name"), e->rel, sizeof e->rel);
    e->est = jnum(n, "estimated_rows");
    e->act = jnum(n, "actual_rows");
    e->loops = jnum(n, "actual_loops");
    static const char *const lists[] = {"sub_nodes", "initplans", "subplans", "ctes", NULL};
    size_t cnt = 0;
    for (size_t i = 0; lists[i]; i++) {
        const cJSON *l = cJSON_GetObjectItemCaseSensitive(n, lists[i]);
        if (l)
            cnt += (size_t)cJSON_GetArraySize(l);
    }
    e->kids = dbp_xcalloc(cnt + 1, sizeof *e->kids);
    for (size_t i = 0; lists[i]; i++) {
        const cJSON *l = cJSON_GetObjectItemCaseSensitive(n, lists[i]);
        const cJSON *c;
        if (l)
            cJSON_ArrayForEach(c, l) e->kids[e->n++] = from_depesz(c);
    }
    return e;
}

static char *canon_enode(const struct enode *e)
{
    struct dbp_buf b = {0};
    dbp_buf_printf(&b, "%s rel=%s", e->type, e->rel[0] ? e->rel : "*");
    put_num(&b, "est", e->est);
    put_num(&b, "act", e->act);
    put_num(&b, "loops", e->loops);
    char **kids = dbp_xcalloc(e->n + 1, sizeof *kids);
    for (size_t i = 0; i < e->n; i++)
        kids[i] = canon_enode(e->kids[i]);
    put_children(&b, kids, e->n);
    return b.data;
}

static bool same_num(double want, double got)
{
    if (isnan(want))
        return true;
    return fabs(want - got) <= 1e-6 * fabs(want) + 1e-9;
}

/* Does my node n match e (fields e gives; children in any order)? */
static bool match(const struct dbp_plan_node *n, const struct enode *e, int depth)
{
    char t[256];
    norm_type(n->engine_name, t, sizeof t);
    if (strcmp(t, e->type) != 0 || depth > 200)
        return false;
    if (e->rel[0] && (!n->relation || strcmp(n->relation, e->rel) != 0))
        return false;
    if (!same_num(e->est, n->est_rows) || !same_num(e->act, n->act_rows) ||
        !same_num(e->loops, n->loops))
        return false;
    if (e->any_kids)
        return true;
    if (n->n_children != e->n)
        return false;
    bool *used = dbp_xcalloc(n->n_children + 1, sizeof *used);
    bool ok = true;
    for (size_t i = 0; i < e->n && ok; i++) {
        ok = false;
        for (size_t j = 0; j < n->n_children; j++) {
            if (!used[j] && match(n->children[j], e->kids[i], depth + 1)) {
                used[j] = true;
                ok = true;
                break;
            }
        }
    }
    free(used);
    return ok;
}

/* ---- dump --------------------------------------------------------------- */

static void dump_node(const struct dbp_plan_node *n, int depth)
{
    static const char *ops[] = {"EQ", "IN", "RANGE", "OTHER"};
    printf("%*s%s [%s]", depth * 2, "", n->engine_name ? n->engine_name : "?",
           dbp_node_kind_name(n->kind));
    if (n->relation)
        printf(" rel=%s%s%s", n->schema ? n->schema : "", n->schema ? "." : "", n->relation);
    if (n->alias)
        printf(" alias=%s", n->alias);
    if (n->index)
        printf(" index=%s", n->index);
    printf(" est=%g act=%g loops=%g cost=%g..%g ms=%g examined=%g\n", n->est_rows, n->act_rows,
           n->loops, n->startup_cost, n->total_cost, n->actual_ms, n->rows_examined);
    if (n->condition)
        printf("%*s  cond: %s\n", depth * 2, "", n->condition);
    for (size_t i = 0; i < n->n_preds; i++)
        printf("%*s  pred %s %s\n", depth * 2, "", n->preds[i].column, ops[n->preds[i].op]);
    for (size_t i = 0; i < n->n_index_preds; i++)
        printf("%*s  index_pred %s %s\n", depth * 2, "", n->index_preds[i].column,
               ops[n->index_preds[i].op]);
    for (size_t i = 0; i < n->n_sort_keys; i++)
        printf("%*s  sort %s%s\n", depth * 2, "", n->sort_keys[i].column,
               n->sort_keys[i].desc ? " DESC" : "");
    for (size_t i = 0; i < n->n_children; i++)
        dump_node(n->children[i], depth + 1);
}

typedef int (*parse_fn)(struct dbp_snapshot *, const char *, size_t, const char *,
                        struct dbp_plan **, struct dbp_error *);

static int dump(const char *kind, const char *path)
{
    parse_fn fn = strcmp(kind, "pg-json") == 0   ? dbp_pg_plan_from_json
                  : strcmp(kind, "pg-text") == 0 ? dbp_pg_plan_from_text
                                                 : dbp_my_plan_from_json;
    size_t len = 0;
    char *text = read_file(path, &len);
    if (!text) {
        perror(path);
        return 2;
    }
    struct dbp_snapshot *snap = dbp_snapshot_new();
    struct dbp_plan *plan = NULL;
    struct dbp_error err = {0};
    int rc = fn(snap, text, len, path, &plan, &err);
    if (rc != DBP_OK) {
        printf("error: %s\n", err.message);
    } else {
        printf("plan %s analyzed=%d planning=%g execution=%g\n", plan->format, plan->analyzed,
               plan->planning_ms, plan->execution_ms);
        dump_node(plan->root, 0);
    }
    dbp_snapshot_free(snap);
    free(text);
    return rc == DBP_OK ? 0 : 1;
}

/* ---- checks against expectations ---------------------------------------- */

struct tally {
    size_t total, ok;
};

static bool is_json_text(const char *s, size_t len)
{
    (void)len;
    return strstr(s, "\"Node Type\"") != NULL;
}

/* Compare the plan in plan_path with the expected tree (expect_path, canon function). */
static void check_pair(struct tally *t, const char *plan_path, const char *expect_path,
                       struct enode *(*build)(const cJSON *), bool pev2)
{
    size_t plen = 0, elen = 0;
    char *ptext = read_file(plan_path, &plen);
    char *etext = read_file(expect_path, &elen);
    t->total++;
    if (!ptext || !etext) {
        printf("MISSING %s\n", !ptext ? plan_path : expect_path);
        free(ptext);
        free(etext);
        return;
    }
    cJSON *exp = cJSON_Parse(etext);
    const cJSON *eroot = exp;
    if (pev2 && exp)
        eroot = cJSON_GetObjectItemCaseSensitive(exp, "Plan");
    if (!eroot) {
        printf("BADEXPECT %s\n", expect_path);
        cJSON_Delete(exp);
        free(ptext);
        free(etext);
        return;
    }
    struct dbp_snapshot *snap = dbp_snapshot_new();
    struct dbp_plan *plan = NULL;
    struct dbp_error err = {0};
    int rc = is_json_text(ptext, plen)
                 ? dbp_pg_plan_from_json(snap, ptext, plen, plan_path, &plan, &err)
                 : dbp_pg_plan_from_text(snap, ptext, plen, plan_path, &plan, &err);
    struct enode *want = build(eroot);
    if (rc != DBP_OK) {
        printf("FAIL %s: %s\n", plan_path, err.message);
    } else if (match(plan->root, want, 0)) {
        t->ok++;
    } else {
        char *w = canon_enode(want);
        char *g = canon_node(plan->root);
        printf("MISMATCH %s\n  want: %.800s\n  got:  %.800s\n", plan_path, w, g);
        free(w);
        free(g);
    }
    enode_free(want);
    dbp_snapshot_free(snap);
    cJSON_Delete(exp);
    free(ptext);
    free(etext);
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
    return strcmp((*a)->d_name, (*b)->d_name);
}

/* For every file in dir ending with plan_suffix, the expectation is the same
 * stem with expect_suffix. */
static void check_dir(struct tally *t, const char *dir, const char *plan_suffix,
                      const char *expect_suffix, struct enode *(*canon)(const cJSON *), bool pev2)
{
    struct dirent **list;
    int n = scandir(dir, &list, NULL, by_name);
    if (n < 0) {
        printf("MISSING %s\n", dir);
        t->total++;
        return;
    }
    size_t sl = strlen(plan_suffix);
    for (int i = 0; i < n; i++) {
        const char *name = list[i]->d_name;
        size_t l = strlen(name);
        if (l > sl && strcmp(name + l - sl, plan_suffix) == 0) {
            char pp[8192], ep[8192];
            snprintf(pp, sizeof pp, "%s/%s", dir, name);
            snprintf(ep, sizeof ep, "%s/%.*s%s", dir, (int)(l - sl), name, expect_suffix);
            FILE *f = fopen(ep, "r");
            if (f) {
                fclose(f);
                check_pair(t, pp, ep, canon, pev2);
            }
        }
        free(list[i]);
    }
    free(list);
}

static int report(const char *what, const struct tally *t, double min_ratio)
{
    double ratio = t->total ? (double)t->ok / (double)t->total : 0;
    printf("%s: %zu/%zu plans pass (%.1f%%)\n", what, t->ok, t->total,
           100 * ratio);
    return t->total > 0 && ratio >= min_ratio ? 0 : 1;
}

static int check_pev2(const char *corpus, double min_ratio)
{
    struct tally t = {0};
    char d[4096];
    snprintf(d, sizeof d, "%s/pev2/from-text", corpus);
    check_dir(&t, d, "-plan", "-expect", from_pev2, true);
    snprintf(d, sizeof d, "%s/pev2/line-wrapped-plans", corpus);
    check_dir(&t, d, "-plan", "-expect", from_pev2, true);
    return report("pev2", &t, min_ratio);
}

static int check_depesz(const char *corpus, double min_ratio)
{
    struct tally t = {0};
    char d[4096];
    snprintf(d, sizeof d, "%s/pg-explain-depesz/plans", corpus);
    check_dir(&t, d, "-plan", "-expect.json", from_depesz, false);
    snprintf(d, sizeof d, "%s/pg-explain-depesz/14-json-plans", corpus);
    check_dir(&t, d, ".json", ".expect.json", from_depesz, false);
    snprintf(d, sizeof d, "%s/pg-explain-depesz/16-ctes", corpus);
    check_dir(&t, d, "-text.plan", "-text.expect.json", from_depesz, false);
    check_dir(&t, d, "-json.plan", "-json.expect.json", from_depesz, false);
    return report("pg-explain-depesz (text and JSON; XML and YAML are not dbperf formats)", &t,
                  min_ratio);
}

/* Every psql output style of the same plan gives the same tree. */
static int check_frames(const char *corpus)
{
    char d[4096];
    snprintf(d, sizeof d, "%s/pev2/psql-frames", corpus);
    struct dirent **list;
    int n = scandir(d, &list, NULL, by_name);
    if (n < 0) {
        printf("MISSING %s\n", d);
        return 1;
    }
    /* the same query in every file but text-3 (a DELETE from DBeaver) */
    const char *want = "Nested Loop rel=- est=15 act=15 loops=1[Seq Scan rel=part_0 est=15 "
                       "act=15 loops=1,Seq Scan rel=users est=1 act=1 loops=1]";
    struct tally t = {0};
    for (int i = 0; i < n; i++) {
        const char *name = list[i]->d_name;
        if (strstr(name, ".plan") && strncmp(name, "text-3", 6) != 0) {
            char p[8192];
            snprintf(p, sizeof p, "%s/%s", d, name);
            size_t len = 0;
            char *text = read_file(p, &len);
            struct dbp_snapshot *snap = dbp_snapshot_new();
            struct dbp_plan *plan = NULL;
            struct dbp_error err = {0};
            int rc = strncmp(name, "json", 4) == 0
                         ? dbp_pg_plan_from_json(snap, text, len, p, &plan, &err)
                         : dbp_pg_plan_from_text(snap, text, len, p, &plan, &err);
            t.total++;
            if (rc != DBP_OK) {
                printf("FAIL %s: %s\n", p, err.message);
            } else {
                char *got = canon_node(plan->root);
                if (strcmp(got, want) == 0 && plan->execution_ms > 0)
                    t.ok++;
                else
                    printf("MISMATCH %s\n  want: %s\n  got:  %s (execution %g)\n", p, want,
                           got, plan->execution_ms);
                free(got);
            }
            dbp_snapshot_free(snap);
            free(text);
        }
        free(list[i]);
    }
    free(list);
    return report("psql frames", &t, 1.0);
}

/* Table names in a MySQL plan's JSON ("table_name" values), for comparison. */
static void collect_tables(const cJSON *j, struct dbp_buf *names)
{
    if (cJSON_IsObject(j) || cJSON_IsArray(j)) {
        const cJSON *c;
        cJSON_ArrayForEach(c, j)
        {
            if (c->string && strcmp(c->string, "table_name") == 0 && cJSON_IsString(c)) {
                if (!strstr(names->data ? names->data : "", c->valuestring) &&
                    c->valuestring[0] != '<')
                    dbp_buf_printf(names, "%s ", c->valuestring);
            } else {
                collect_tables(c, names);
            }
        }
    }
}

static bool tree_has(const struct dbp_plan_node *n, const char *rel)
{
    if ((n->relation && strcmp(n->relation, rel) == 0) || (n->alias && strcmp(n->alias, rel) == 0))
        return true;
    for (size_t i = 0; i < n->n_children; i++)
        if (tree_has(n->children[i], rel))
            return true;
    return false;
}

static int check_myflames(const char *corpus)
{
    static const char *const dirs[] = {"fixtures", "samples", NULL};
    struct tally t = {0};
    for (size_t di = 0; dirs[di]; di++) {
        char d[4096];
        snprintf(d, sizeof d, "%s/myflames/%s", corpus, dirs[di]);
        struct dirent **list;
        int n = scandir(d, &list, NULL, by_name);
        if (n < 0) {
            printf("MISSING %s\n", d);
            return 1;
        }
        for (int i = 0; i < n; i++) {
            const char *name = list[i]->d_name;
            size_t l = strlen(name);
            if (l > 5 && strcmp(name + l - 5, ".json") == 0) {
                char p[8192];
                snprintf(p, sizeof p, "%s/%s", d, name);
                size_t len = 0;
                char *text = read_file(p, &len);
                struct dbp_snapshot *snap = dbp_snapshot_new();
                struct dbp_plan *plan = NULL;
                struct dbp_error err = {0};
                int rc = dbp_my_plan_from_json(snap, text, len, p, &plan, &err);
                t.total++;
                if (rc != DBP_OK) {
                    printf("FAIL %s: %s\n", p, err.message);
                } else {
                    cJSON *j = cJSON_Parse(text);
                    struct dbp_buf names = {0};
                    dbp_buf_puts(&names, "");
                    collect_tables(j, &names);
                    bool all = true;
                    char *save = names.data, *tok = names.data;
                    while (tok && *tok) {
                        char *sp = strchr(tok, ' ');
                        if (sp)
                            *sp = '\0';
                        if (*tok && !tree_has(plan->root, tok)) {
                            printf("MISSING-TABLE %s: %s\n", p, tok);
                            all = false;
                        }
                        tok = sp ? sp + 1 : NULL;
                    }
                    (void)save;
                    if (all)
                        t.ok++;
                    dbp_buf_free(&names);
                    cJSON_Delete(j);
                }
                dbp_snapshot_free(snap);
                free(text);
            }
            free(list[i]);
        }
        free(list);
    }
    return report("myflames (parse, every table_name in the tree)", &t, 1.0);
}

static size_t count_nodes(const struct dbp_plan_node *n)
{
    size_t c = 1;
    for (size_t i = 0; i < n->n_children; i++)
        c += count_nodes(n->children[i]);
    return c;
}

/* Occurrences of needle in s; for text plans, lines with a statistics group. */
static size_t count_markers(const char *s, bool json)
{
    size_t c = 0;
    if (json) {
        for (const char *p = s; (p = strstr(p, "\"Node Type\"")) != NULL; p++)
            c++;
        return c;
    }
    const char *line = s;
    while (*line) {
        const char *nl = strchr(line, '\n');
        size_t len = nl ? (size_t)(nl - line) : strlen(line);
        char *l = dbp_xmalloc(len + 1);
        memcpy(l, line, len);
        l[len] = '\0';
        if (strstr(l, "(cost=") || strstr(l, "(actual ") || strstr(l, "(never executed)"))
            c++;
        free(l);
        line = nl ? nl + 1 : line + len;
    }
    return c;
}

/* Plans without a parsed expectation: each parses, and has as many nodes as
 * the file has "Node Type" keys (JSON) or statistics groups (text). */
static int check_samples(const char *corpus)
{
    static const char *const dirs[] = {"pev2/samples", "pev2/cte-exclusive-time",
                                       "pev2/io-timings", NULL};
    struct tally t = {0};
    for (size_t di = 0; dirs[di]; di++) {
        char d[4096];
        if (snprintf(d, sizeof d, "%s/%s", corpus, dirs[di]) >= (int)sizeof d)
            return 2;
        struct dirent **list;
        int n = scandir(d, &list, NULL, by_name);
        if (n < 0) {
            printf("MISSING %s\n", d);
            return 1;
        }
        for (int i = 0; i < n; i++) {
            const char *name = list[i]->d_name;
            bool take = strstr(name, ".plan") || strstr(name, "_source") ||
                        strcmp(name, "plan_many_ctes.json") == 0;
            if (take && !strstr(name, ".expect")) {
                char p[8192];
                snprintf(p, sizeof p, "%s/%s", d, name);
                size_t len = 0;
                char *text = read_file(p, &len);
                bool json = is_json_text(text, len);
                struct dbp_snapshot *snap = dbp_snapshot_new();
                struct dbp_plan *plan = NULL;
                struct dbp_error err = {0};
                int rc = json ? dbp_pg_plan_from_json(snap, text, len, p, &plan, &err)
                              : dbp_pg_plan_from_text(snap, text, len, p, &plan, &err);
                t.total++;
                if (rc != DBP_OK) {
                    printf("FAIL %s: %s\n", p, err.message);
                } else {
                    size_t got = count_nodes(plan->root), want = count_markers(text, json);
                    if (got == want)
                        t.ok++;
                    else
                        printf("MISMATCH %s: %zu nodes, the file has %zu\n", p, got, want);
                }
                dbp_snapshot_free(snap);
                free(text);
            }
            free(list[i]);
        }
        free(list);
    }
    return report("pev2 samples (parse, node count)", &t, 1.0);
}

/* Everything both PostgreSQL formats carry, raw (no normalization). */
static void strict_node(const struct dbp_plan_node *n, struct dbp_buf *b)
{
    dbp_buf_printf(b, "{%s kind=%s rel=%s.%s alias=%s index=%s est=%.6g cost=%.6g..%.6g",
                   n->engine_name, dbp_node_kind_name(n->kind), n->schema ? n->schema : "-",
                   n->relation ? n->relation : "-", n->alias ? n->alias : "-",
                   n->index ? n->index : "-", n->est_rows, n->startup_cost, n->total_cost);
    dbp_buf_printf(b, " cond=%s", n->condition ? n->condition : "-");
    for (size_t i = 0; i < n->n_preds; i++)
        dbp_buf_printf(b, " p:%s/%d", n->preds[i].column, (int)n->preds[i].op);
    for (size_t i = 0; i < n->n_index_preds; i++)
        dbp_buf_printf(b, " ip:%s/%d", n->index_preds[i].column, (int)n->index_preds[i].op);
    for (size_t i = 0; i < n->n_sort_keys; i++)
        dbp_buf_printf(b, " s:%s/%d", n->sort_keys[i].column, (int)n->sort_keys[i].desc);
    for (size_t i = 0; i < n->n_children; i++)
        strict_node(n->children[i], b);
    dbp_buf_putc(b, '}');
}

/* The same EXPLAIN (no ANALYZE: the numbers would differ) as JSON and as text
 * gives the same tree, names, conditions, predicates and sort keys. */
static int check_agree(const char *json_path, const char *text_path)
{
    size_t jl, tl;
    char *jt = read_file(json_path, &jl), *tt = read_file(text_path, &tl);
    if (!jt || !tt) {
        printf("MISSING %s\n", !jt ? json_path : text_path);
        free(jt);
        free(tt);
        return 1;
    }
    struct dbp_snapshot *snap = dbp_snapshot_new();
    struct dbp_plan *jp = NULL, *tp = NULL;
    struct dbp_error err = {0};
    int rc = 1;
    if (dbp_pg_plan_from_json(snap, jt, jl, json_path, &jp, &err) != DBP_OK) {
        printf("FAIL %s\n", err.message);
    } else if (dbp_pg_plan_from_text(snap, tt, tl, text_path, &tp, &err) != DBP_OK) {
        printf("FAIL %s\n", err.message);
    } else {
        struct dbp_buf a = {0}, b = {0};
        strict_node(jp->root, &a);
        strict_node(tp->root, &b);
        if (strcmp(a.data, b.data) == 0) {
            rc = 0;
            printf("agree %s (%zu nodes)\n", text_path, count_nodes(jp->root));
        } else {
            printf("DIFFER %s\n  json: %s\n  text: %s\n", text_path, a.data, b.data);
        }
        dbp_buf_free(&a);
        dbp_buf_free(&b);
    }
    dbp_snapshot_free(snap);
    free(jt);
    free(tt);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc >= 4 && strcmp(argv[1], "dump") == 0)
        return dump(argv[2], argv[3]);
    if (argc >= 4 && strcmp(argv[1], "agree") == 0)
        return check_agree(argv[2], argv[3]);
    if (argc < 3) {
        fprintf(stderr, "usage: plans_conform (pev2|depesz|frames|myflames) CORPUS [MIN]\n"
                        "       plans_conform dump (pg-json|pg-text|my-json) FILE\n");
        return 2;
    }
    double min = argc > 3 ? strtod(argv[3], NULL) : 0.95;
    if (strcmp(argv[1], "pev2") == 0)
        return check_pev2(argv[2], min);
    if (strcmp(argv[1], "depesz") == 0)
        return check_depesz(argv[2], min);
    if (strcmp(argv[1], "frames") == 0)
        return check_frames(argv[2]);
    if (strcmp(argv[1], "myflames") == 0)
        return check_myflames(argv[2]);
    if (strcmp(argv[1], "samples") == 0)
        return check_samples(argv[2]);
    return 2;
}
