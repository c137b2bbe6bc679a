/*
 * pg_log_conform.c -- conformance checker for the PostgreSQL log parsers.
 *
 *   pg_log_conform [--format F] [--prefix P] --pgss PGSS.json LOG
 *       PGSS.json is `SELECT json_agg(...) FROM pg_stat_statements` (objects with
 *       "query" and "calls") from the server that wrote LOG. Every statement
 *       class's calls in LOG must equal pg_stat_statements' calls.
 *   pg_log_conform [--format F] [--prefix P] --pgbadger OUT.json LOG
 *       OUT.json is `pgbadger -x json` run on LOG (auto_explain plans that pgbadger
 *       counts as queries are left out and reported). Every class's total duration
 *       must agree with pgbadger's within 0.1%, and so must the sum
 *       (--totals-only: the sum only, where pgbadger's samples cannot be joined).
 *   --expect-plans: auto_explain was on; fail unless plans are attached to classes.
 * Classes are joined by normalized text: dbp_fingerprint(DBP_FP_PGSS) of the
 * pg_stat_statements text (or of a pgbadger sample query) against the
 * class's text, both without trailing semicolons and whitespace. Prints one
 * line per disagreement and a summary; exit 0 when everything agrees, 1 when
 * not, 2 on usage or input errors.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include <dbperf/buf.h>
#include <dbperf/driver.h>
#include <dbperf/error.h>
#include <dbperf/fingerprint.h>
#include <dbperf/model.h>
#include <dbperf/reader.h>

/* ---- a small string-keyed table of sums ------------------------------- */

struct ent {
    char *key;
    double calls_a, ms_a; /* ours */
    double calls_b, ms_b; /* peer */
    bool in_a, in_b;
    struct ent *next;
};

#define NB 4096
struct tab {
    struct ent *b[NB];
    struct ent **all;
    size_t n, cap;
};

static unsigned long hstr(const char *s)
{
    unsigned long h = 5381;
    while (*s)
        h = h * 33 + (unsigned char)*s++;
    return h;
}

static struct ent *tab_get(struct tab *t, const char *k)
{
    unsigned long h = hstr(k) % NB;
    for (struct ent *e = t->b[h]; e; e = e->next)
        if (strcmp(e->key, k) == 0)
            return e;
    struct ent *e = calloc(1, sizeof *e);
    e->key = strdup(k);
    e->next = t->b[h];
    t->b[h] = e;
    if (t->n == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 256;
        t->all = realloc(t->all, t->cap * sizeof *t->all);
    }
    t->all[t->n++] = e;
    return e;
}

static void tab_free(struct tab *t)
{
    for (size_t i = 0; i < t->n; i++) {
        free(t->all[i]->key);
        free(t->all[i]);
    }
    free(t->all);
}

/* The join key of a statement text (heap). */
static char *join_key(const char *sql, size_t len)
{
    struct dbp_buf fp = {0};
    dbp_fingerprint(DBP_FP_PGSS, sql, len, &fp);
    size_t n = fp.len;
    while (n && (fp.data[n - 1] == ';' || fp.data[n - 1] == ' ' || fp.data[n - 1] == '\n' ||
                 fp.data[n - 1] == '\t' || fp.data[n - 1] == '\r'))
        n--;
    /* whitespace runs as one space (pg_stat_statements' queryid ignores layout too) */
    char *k = malloc(n + 1);
    size_t o = 0;
    bool space = true;
    for (size_t i = 0; i < n; i++) {
        char c = fp.data[i];
        if (c == ' ' || c == '\n' || c == '\t' || c == '\r') {
            space = true;
            continue;
        }
        if (space && o)
            k[o++] = ' ';
        space = false;
        k[o++] = c;
    }
    k[o] = '\0';
    dbp_buf_free(&fp);
    /*
     * Placeholders without their numbers, and a list of them as one: pgbadger
     * substitutes bind parameters into its sample queries (so a constant after
     * them gets a lower number) and folds IN lists, which pg_stat_statements 15
     * keeps apart. This matters for the pgbadger join only; pg_stat_statements
     * texts never differ from the log's in these ways.
     */
    size_t w = 0;
    for (size_t i = 0; k[i];) {
        if (k[i] == '$' && k[i + 1] >= '0' && k[i + 1] <= '9') {
            i++;
            while (k[i] >= '0' && k[i] <= '9')
                i++;
            if (w >= 2 && k[w - 1] == '?' && k[w - 2] == '$')
                continue; /* "$?, $3" after "$?": already there */
            if (w >= 4 && k[w - 1] == ' ' && k[w - 2] == ',' && k[w - 3] == '?' &&
                k[w - 4] == '$') {
                w -= 2; /* "$?, $n" -> "$?" */
                continue;
            }
            if (w >= 3 && k[w - 1] == ',' && k[w - 2] == '?' && k[w - 3] == '$') {
                w -= 1; /* "$?,$n" -> "$?" */
                continue;
            }
            k[w++] = '$';
            k[w++] = '?';
            continue;
        }
        k[w++] = k[i++];
    }
    k[w] = '\0';
    return k;
}

static bool starts_ci(const char *s, const char *p)
{
    return strncasecmp(s, p, strlen(p)) == 0;
}

/*
 * pgbadger only: SQL PREPARE / EXECUTE / DEALLOCATE. dbperf counts them as
 * pg_stat_statements does (an EXECUTE under its PREPARE text, PREPARE and
 * DEALLOCATE not at all); pgbadger counts each as logged, shows an EXECUTE as
 * "[ EXECUTE name (params) ] - <prepared text>" and drops the parameter
 * markers of PREPARE. Not comparable: both sides' statements of this kind go
 * to one group, reported and left out of the comparison and of the totals.
 * NULL for other texts.
 */
#define GROUP_PREPARED "<SQL PREPARE / EXECUTE / DEALLOCATE: counted as pg_stat_statements does>"

static const char *pgbadger_group(const char *sql)
{
    while (*sql == ' ' || *sql == '\n' || *sql == '\t')
        sql++;
    if (starts_ci(sql, "[ EXECUTE ") || starts_ci(sql, "execute ") ||
        starts_ci(sql, "prepare ") || starts_ci(sql, "deallocate "))
        return GROUP_PREPARED;
    return NULL;
}

/*
 * pgbadger's JSON output encodes UTF-8 text a second time (each byte read as
 * Latin-1): "for\xc3\x83\xc2\xaat" for "for\xc3\xaat". When every code point of
 * s is below 256 and the bytes they form are valid UTF-8 with a multi-byte
 * sequence, return those bytes (heap); else NULL.
 */
static char *undo_double_utf8(const char *s)
{
    size_t n = strlen(s), o = 0;
    unsigned char *out = malloc(n + 1);
    bool high = false;
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x80) {
            out[o++] = c;
            i++;
        } else if ((c == 0xC2 || c == 0xC3) && i + 1 < n &&
                   ((unsigned char)s[i + 1] & 0xC0) == 0x80) {
            out[o++] = (unsigned char)(((c & 0x1F) << 6) | ((unsigned char)s[i + 1] & 0x3F));
            high = true;
            i += 2;
        } else {
            free(out);
            return NULL;
        }
    }
    out[o] = '\0';
    /* the result must be valid UTF-8 */
    for (size_t i = 0; i < o;) {
        unsigned char c = out[i];
        size_t k = c < 0x80 ? 0 : (c & 0xE0) == 0xC0 ? 1 : (c & 0xF0) == 0xE0 ? 2
                                 : (c & 0xF8) == 0xF0 ? 3 : 9;
        if (k == 9 || i + k >= o) {
            free(out);
            return NULL;
        }
        for (size_t j = 1; j <= k; j++)
            if ((out[i + j] & 0xC0) != 0x80) {
                free(out);
                return NULL;
            }
        i += k + 1;
    }
    if (!high) {
        free(out);
        return NULL;
    }
    return (char *)out;
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    struct dbp_buf b = {0};
    char tmp[65536];
    size_t n;
    while ((n = fread(tmp, 1, sizeof tmp, f)) > 0)
        dbp_buf_append(&b, tmp, n);
    fclose(f);
    if (!b.data)
        dbp_buf_append(&b, "", 0);
    return b.data;
}

static void show(const char *k)
{
    for (size_t i = 0; k[i] && i < 110; i++)
        putchar(k[i] == '\n' || k[i] == '\t' ? ' ' : k[i]);
}

int main(int argc, char **argv)
{
    const char *format = "postgres-stderr", *prefix = NULL, *pgss = NULL, *pgb = NULL,
               *log = NULL;
    bool totals_only = false; /* pgbadger: compare the sums only (see the caller's reason) */
    bool expect_plans = false; /* auto_explain was on: some plans must be attached */
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--format") == 0 && i + 1 < argc)
            format = argv[++i];
        else if (strcmp(argv[i], "--prefix") == 0 && i + 1 < argc)
            prefix = argv[++i];
        else if (strcmp(argv[i], "--pgss") == 0 && i + 1 < argc)
            pgss = argv[++i];
        else if (strcmp(argv[i], "--pgbadger") == 0 && i + 1 < argc)
            pgb = argv[++i];
        else if (strcmp(argv[i], "--totals-only") == 0)
            totals_only = true;
        else if (strcmp(argv[i], "--expect-plans") == 0)
            expect_plans = true;
        else
            log = argv[i];
    }
    if (!log || (!pgss == !pgb)) {
        fprintf(stderr, "usage: pg_log_conform [--format F] [--prefix P] "
                        "(--pgss PGSS.json | --pgbadger OUT.json) LOG\n");
        return 2;
    }
    const struct dbp_format *fmt = dbp_format_find(format, NULL);
    if (!fmt) {
        fprintf(stderr, "pg_log_conform: no format %s\n", format);
        return 2;
    }
    /* our side */
    struct dbp_error err = {0};
    struct dbp_reader *r = NULL;
    if (dbp_reader_open(log, &r, &err) != DBP_OK) {
        fprintf(stderr, "pg_log_conform: %s\n", err.message);
        return 2;
    }
    struct dbp_snapshot *snap = dbp_snapshot_new();
    struct dbp_source *src = dbp_snapshot_add_source(snap, log, format);
    struct dbp_parse_opts po = {.log_prefix = prefix};
    int rc = fmt->parse(r, &po, snap, src, &err);
    dbp_reader_close(r);
    dbp_snapshot_sessions_flush(snap);
    printf("%s: %s, %llu statements, %zu classes, %zu plans attached, %llu skipped%s%s\n", log,
           format, (unsigned long long)src->entries, snap->stmts.n, snap->plans.n,
           (unsigned long long)src->skipped, rc ? ": " : "", rc ? err.message : "");
    if (rc == DBP_ERR_IO) {
        dbp_snapshot_free(snap);
        return 2;
    }
    size_t plans_bad = 0, with_plan = 0;
    for (size_t i = 0; i < snap->plans.n; i++) {
        struct dbp_plan *pl = snap->plans.items[i];
        if (!pl->stmt || !pl->root)
            plans_bad++;
    }
    for (size_t i = 0; i < snap->stmts.n; i++)
        with_plan += ((struct dbp_stmt *)snap->stmts.items[i])->plan != NULL;
    if (expect_plans && (with_plan == 0 || plans_bad)) {
        printf("FAIL: auto_explain was on: %zu classes with a plan, %zu plans without a "
               "statement or a tree\n", with_plan, plans_bad);
        dbp_snapshot_free(snap);
        return 1;
    }
    if (expect_plans) {
        printf("%zu of %zu classes have their auto_explain plan; without one:", with_plan,
               snap->stmts.n);
        for (size_t i = 0; i < snap->stmts.n; i++) {
            struct dbp_stmt *st = snap->stmts.items[i];
            if (!st->plan) {
                printf(" [");
                for (size_t k = 0; st->text[k] && k < 30; k++)
                    putchar(st->text[k] == '\n' || st->text[k] == '\t' ? ' ' : st->text[k]);
                printf("]");
            }
        }
        putchar('\n');
    }
    struct tab t;
    memset(&t, 0, sizeof t);
    double ours_ms = 0, ours_calls = 0;
    for (size_t i = 0; i < snap->stmts.n; i++) {
        struct dbp_stmt *st = snap->stmts.items[i];
        if (strstr(st->text, "dbperf-pgss-dump"))
            continue; /* the query that read pg_stat_statements */
        const char *g = pgb ? pgbadger_group(st->text) : NULL;
        char *k = g ? strdup(g) : join_key(st->text, strlen(st->text));
        struct ent *e = tab_get(&t, k);
        free(k);
        e->in_a = true;
        e->calls_a += (double)st->agg.calls;
        e->ms_a += st->agg.total_ms;
        if (g)
            continue; /* not compared: see pgbadger_group */
        ours_ms += st->agg.total_ms;
        ours_calls += (double)st->agg.calls;
    }
    /* the peer's side */
    char *text = slurp(pgss ? pgss : pgb);
    cJSON *doc = text ? cJSON_Parse(text) : NULL;
    free(text);
    if (!doc) {
        fprintf(stderr, "pg_log_conform: cannot read %s as JSON\n", pgss ? pgss : pgb);
        tab_free(&t);
        dbp_snapshot_free(snap);
        return 2;
    }
    double peer_ms = 0, peer_calls = 0, artifacts = 0, artifacts_ms = 0;
    if (pgss) {
        cJSON *row;
        cJSON_ArrayForEach(row, doc)
        {
            cJSON *q = cJSON_GetObjectItem(row, "query");
            cJSON *c = cJSON_GetObjectItem(row, "calls");
            if (!cJSON_IsString(q) || !cJSON_IsNumber(c) || c->valuedouble <= 0)
                continue;
            if (strstr(q->valuestring, "dbperf-pgss-dump"))
                continue;
            char *k = join_key(q->valuestring, strlen(q->valuestring));
            struct ent *e = tab_get(&t, k);
            free(k);
            e->in_b = true;
            e->calls_b += c->valuedouble;
            peer_calls += c->valuedouble;
        }
    } else {
        cJSON *ni = cJSON_GetObjectItem(doc, "normalyzed_info");
        cJSON *db;
        cJSON_ArrayForEach(db, ni)
        {
            cJSON *cl;
            cJSON_ArrayForEach(cl, db)
            {
                cJSON *cnt = cJSON_GetObjectItem(cl, "count");
                cJSON *dur = cJSON_GetObjectItem(cl, "duration");
                cJSON *samples = cJSON_GetObjectItem(cl, "samples");
                cJSON *s0 = samples ? samples->child : NULL;
                cJSON *q = s0 ? cJSON_GetObjectItem(s0, "query") : NULL;
                double n = cJSON_IsNumber(cnt) ? cnt->valuedouble : 0;
                double ms = cJSON_IsNumber(dur) ? dur->valuedouble : 0;
                const char *sample = cJSON_IsString(q) ? q->valuestring : cl->string;
                size_t sl = strlen(sample);
                if (strstr(sample, "dbperf-pgss-dump"))
                    continue; /* the query that read pg_stat_statements */
                /*
                 * auto_explain plans that pgbadger counts as queries, with the plan's
                 * duration: in a stderr log it reads the "Query Text" line of a JSON
                 * plan as one more query ending in `",` (its key ends in `",;`); in
                 * csvlog and jsonlog the whole plan ("{ "Query Text": ...") is the
                 * query. Not statements: left out, counted and reported.
                 */
                const char *p0 = sample;
                while (*p0 == ' ' || *p0 == '\n' || *p0 == '\t')
                    p0++;
                if ((*p0 == '{' && strstr(p0, "\"Query Text\"")) ||
                    strncmp(p0, "Query Text:", 11) == 0 ||
                    (sl >= 3 && strcmp(sample + sl - 3, "\",\n;") == 0) ||
                    (sl >= 2 && strcmp(sample + sl - 2, "\",") == 0) ||
                    (cl->string && strlen(cl->string) >= 3 &&
                     strcmp(cl->string + strlen(cl->string) - 3, "\",;") == 0)) {
                    artifacts += n;
                    artifacts_ms += ms;
                    continue;
                }
                char *fixed = undo_double_utf8(sample);
                const char *g = pgbadger_group(sample);
                char *k = g ? strdup(g) : fixed ? join_key(fixed, strlen(fixed))
                                                : join_key(sample, sl);
                free(fixed);
                if (g) {
                    struct ent *e = tab_get(&t, k);
                    free(k);
                    e->in_b = true;
                    e->calls_b += n;
                    e->ms_b += ms;
                    continue; /* not compared: see pgbadger_group */
                }
                peer_ms += ms;
                peer_calls += n;
                /*
                 * pgbadger keeps a query string of several statements ("SELECT 1;
                 * SELECT 2") as one query; dbperf counts each statement, as the
                 * server and pg_stat_statements do, with an equal share of the one
                 * duration logged. Literals are placeholders in the key, so a ';'
                 * left in it separates statements.
                 */
                size_t parts = 1;
                for (const char *c = k; *c; c++)
                    parts += *c == ';' && c[1];
                char *save = k;
                for (size_t pi = 0; pi < parts; pi++) {
                    char *semi = parts > 1 ? strchr(k, ';') : NULL;
                    if (semi)
                        *semi = '\0';
                    char *piece = k;
                    while (*piece == ' ')
                        piece++;
                    size_t pl = strlen(piece);
                    while (pl && piece[pl - 1] == ' ')
                        piece[--pl] = '\0';
                    struct ent *e = tab_get(&t, piece);
                    e->in_b = true;
                    e->calls_b += n;
                    e->ms_b += ms / (double)parts;
                    if (parts > 1)
                        peer_calls += n;
                    if (semi)
                        k = semi + 1;
                }
                if (parts > 1)
                    peer_calls -= n;
                free(save);
            }
        }
    }
    cJSON_Delete(doc);
    /* compare */
    size_t bad = 0, matched = 0;
    for (size_t i = 0; i < t.n; i++) {
        struct ent *e = t.all[i];
        bool ok;
        if (pgb && strcmp(e->key, GROUP_PREPARED) == 0) {
            printf("  not compared: dbperf %.0f calls %.3f ms, pgbadger %.0f calls %.3f ms: %s\n",
                   e->calls_a, e->ms_a, e->calls_b, e->ms_b, e->key);
            continue;
        }
        if (pgss) {
            ok = e->calls_a == e->calls_b;
        } else {
            double tol = fmax(0.001 * fmax(e->ms_a, e->ms_b), 0.0015);
            ok = fabs(e->ms_a - e->ms_b) <= tol;
        }
        if (ok && e->in_a && e->in_b)
            matched++;
        if (ok || totals_only)
            continue;
        bad++;
        if (pgss)
            printf("  MISMATCH calls: dbperf %.0f, pg_stat_statements %.0f: ", e->calls_a,
                   e->calls_b);
        else
            printf("  MISMATCH total: dbperf %.3f ms (%.0f calls), pgbadger %.3f ms (%.0f): ",
                   e->ms_a, e->calls_a, e->ms_b, e->calls_b);
        show(e->key);
        putchar('\n');
    }
    if (pgss) {
        printf("pg_stat_statements: %zu classes agree, %zu disagree; calls dbperf %.0f, "
               "pg_stat_statements %.0f\n",
               matched, bad, ours_calls, peer_calls);
    } else {
        double ratio = peer_ms > 0 ? ours_ms / peer_ms : (ours_ms == 0 ? 1 : INFINITY);
        printf("pgbadger: %zu classes agree, %zu disagree; total dbperf %.3f ms (%.0f calls), "
               "pgbadger %.3f ms (%.0f), ratio %.6f; %.0f auto_explain plans pgbadger counted "
               "as queries (%.3f ms) left out\n",
               matched, bad, ours_ms, ours_calls, peer_ms, peer_calls, ratio, artifacts,
               artifacts_ms);
        if (fabs(ratio - 1) > 0.001)
            bad++;
    }
    tab_free(&t);
    dbp_snapshot_free(snap);
    if (totals_only) {
        printf("per-class comparison not required (--totals-only)\n");
    } else if (matched == 0) {
        printf("no class matched: nothing was compared\n");
        return 1;
    }
    return bad ? 1 : 0;
}
