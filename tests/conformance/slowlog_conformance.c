/*
 * slowlog_conformance.c -- the mysql-slow parser against pt-query-digest.
 *
 * For every slow log of the corpus (percona-toolkit/slowlogs/ and
 * go-mysql/slow-logs/), runs `pt-query-digest --output json` on it (gzip files
 * through `gzip -dc`, since pt cannot read them), parses the same file with
 * dbperf's mysql-slow format, and compares per fingerprint: the class key is
 * pt's checksum, whose last 64 bits are dbperf's fingerprint id by design.
 * dbperf's classes are keyed by (database, fingerprint), so they are summed
 * per fingerprint id first. Counts must be equal and total Query_time agree
 * within 0.1% (pt prints 6 decimals, so 1 microsecond absolute is allowed).
 *
 * Every disagreement is printed. One is accepted only when
 *   - it is one of the parser's deliberate differences, listed below with the
 *     reason;
 *   - pt cannot report it: a class none of whose entries has a Query_time
 *     (pt-query-digest leaves such classes out of its report);
 *   - only the fingerprint text differs: the dbperf classes whose examples
 *     pt-fingerprint maps to pt's class have exactly its calls and time. The
 *     parser then counted every entry as pt did; the text is the fingerprint
 *     module's (src/fingerprint.c), which has its own conformance tests and
 *     deliberate differences (e.g. go-mysql's fixes). These are listed and
 *     counted in the summary, with --strict-fingerprint they fail the test.
 * Exit 1 when any other disagreement is found, 2 on a usage or setup error.
 *
 * Usage: slowlog_conformance [--strict-fingerprint] CORPUS_DIR PT_QUERY_DIGEST [FILE...]
 *   FILE: paths relative to CORPUS_DIR (default: every slow log).
 */
#include <dirent.h>
#include <fcntl.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cJSON.h>

#include <dbperf/driver.h>
#include <dbperf/error.h>
#include <dbperf/fingerprint.h>
#include <dbperf/model.h>
#include <dbperf/reader.h>

#include "mysql/my_int.h"

/*
 * dbperf's deliberate differences. side 'p': pt's class (by checksum) that
 * dbperf counts differently; side 'd': dbperf's class (by fingerprint text)
 * that pt counts differently.
 */
struct known {
    const char *file; /* relative to the corpus */
    char side;
    const char *key; /* pt checksum (last 16 hex digits) or dbperf fingerprint text */
    const char *why;
};

#define WHY_USE                                                                                    \
    "the entry's statement is a USE (its \"use db;\" line follows SET timestamp and "              \
    "nothing else does): dbperf counts it as \"use ?\", pt-query-digest reads the use line "       \
    "as metadata and then reports the entry as \"/* No query */\" (fingerprint \"\") or "          \
    "takes the next entry's header lines as the statement, losing that entry"
#define WHY_STOLEN                                                                                 \
    "pt-query-digest took the header lines of the entry after a USE entry as a statement "         \
    "(\"user@host: ...\"); dbperf keeps that entry as the statement it is"
#define WHY_NO_HEADER                                                                              \
    "text before the first entry header (\"INSERT INTO t VALUES (1);\") is skipped with a "        \
    "diagnostic by dbperf; pt-query-digest made it an event that swallowed the next entry's "      \
    "header, so it lost the SHOW STATUS entry"

static const struct known knowns[] = {
    {"percona-toolkit/slowlogs/slow056.txt", 'p', "E9800998ECF8427E", WHY_USE},
    {"percona-toolkit/slowlogs/slow056.txt", 'd', "use ?", WHY_USE},
    {"go-mysql/slow-logs/slow023.log", 'p', "C8D1557E592BBF97", WHY_STOLEN},
    {"go-mysql/slow-logs/slow023.log", 'd', "use ?", WHY_USE},
    {"go-mysql/slow-logs/slow023.log", 'd', "select @@collation_database", WHY_STOLEN},
    {"go-mysql/slow-logs/slow023.log", 'd',
     "select another_field from table_c where a_third_field = ? and site_id = ?", WHY_STOLEN},
    {"go-mysql/slow-logs/slow017.log", 'd', "show /*!? global */ status", WHY_NO_HEADER},
};
#define N_KNOWN (sizeof knowns / sizeof knowns[0])

struct cls {
    uint64_t id;
    uint64_t calls;
    double total_s;
    bool timed;       /* at least one call had a Query_time */
    const char *text; /* fingerprint (pt's or dbperf's) */
    char *example;    /* dbperf: one statement of the class */
    uint64_t pt_id;   /* dbperf: id of pt-fingerprint's fingerprint of the example */
    int state;        /* 0 open, 1 agrees, 2 explained */
};

struct set {
    struct cls *v;
    size_t n, cap;
};

static struct cls *set_get(struct set *s, uint64_t id)
{
    for (size_t i = 0; i < s->n; i++)
        if (s->v[i].id == id)
            return &s->v[i];
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 16;
        s->v = realloc(s->v, s->cap * sizeof *s->v);
        if (!s->v)
            abort();
    }
    struct cls *c = &s->v[s->n++];
    memset(c, 0, sizeof *c);
    c->id = id;
    return c;
}

static uint64_t hex_id(const char *h)
{
    size_t n = strlen(h);
    if (n > 16)
        h += n - 16;
    return strtoull(h, NULL, 16);
}

static char *read_all(FILE *f, size_t *len)
{
    size_t cap = 1 << 16, n = 0, k;
    char *b = malloc(cap);
    while (b && (k = fread(b + n, 1, cap - n - 1, f)) > 0) {
        n += k;
        if (cap - n < 2) {
            cap *= 2;
            b = realloc(b, cap);
        }
    }
    if (!b)
        abort();
    b[n] = 0;
    *len = n;
    return b;
}

static bool ends_with(const char *s, const char *suf)
{
    size_t a = strlen(s), b = strlen(suf);
    return a >= b && strcmp(s + a - b, suf) == 0;
}

/*
 * Run pt-query-digest on path; fill pt. Returns 0 when it produced a report,
 * 1 when it reported nothing, -1 when it failed (why set to its first line).
 */
static int run_pt(const char *pt, const char *path, struct set *out, char *why, size_t whylen)
{
    if (strchr(path, '\'') || strchr(pt, '\'')) {
        snprintf(why, whylen, "path with a quote");
        return -1;
    }
    char errpath[] = "/tmp/slowlog-conf-XXXXXX";
    int fd = mkstemp(errpath);
    if (fd < 0) {
        snprintf(why, whylen, "mkstemp failed");
        return -1;
    }
    close(fd);
    char cmd[4096];
    const char *opts = "--no-version-check --output json --limit 100%:1000000";
    int w;
    if (ends_with(path, ".gz"))
        w = snprintf(cmd, sizeof cmd, "gzip -dc '%s' | '%s' %s 2>'%s'", path, pt, opts, errpath);
    else
        w = snprintf(cmd, sizeof cmd, "'%s' %s '%s' 2>'%s' </dev/null", pt, opts, path, errpath);
    if (w < 0 || (size_t)w >= sizeof cmd) {
        unlink(errpath);
        snprintf(why, whylen, "path too long");
        return -1;
    }
    FILE *p = popen(cmd, "r");
    if (!p) {
        unlink(errpath);
        snprintf(why, whylen, "cannot run %s", pt);
        return -1;
    }
    size_t len;
    char *json = read_all(p, &len);
    int st = pclose(p);
    FILE *ef = fopen(errpath, "r");
    size_t elen = 0;
    char *errs = ef ? read_all(ef, &elen) : NULL;
    if (ef)
        fclose(ef);
    unlink(errpath);
    int rc = 1;
    why[0] = 0;
    if (errs && elen) {
        char *nl = strchr(errs, '\n');
        if (nl)
            *nl = 0;
        snprintf(why, whylen, "%s", errs);
    }
    /* reading a pipe, pt says "Reading from STDIN ..." before the JSON */
    const char *brace = strchr(json, '{');
    cJSON *doc = brace ? cJSON_Parse(brace) : NULL;
    if (st != 0 || (elen && !doc)) {
        if (!why[0])
            snprintf(why, whylen, "exit status %d", st);
        rc = -1;
    } else if (doc) {
        rc = 0;
        cJSON *classes = cJSON_GetObjectItemCaseSensitive(doc, "classes");
        cJSON *c;
        cJSON_ArrayForEach(c, classes)
        {
            cJSON *ck = cJSON_GetObjectItemCaseSensitive(c, "checksum");
            cJSON *cnt = cJSON_GetObjectItemCaseSensitive(c, "query_count");
            cJSON *fp = cJSON_GetObjectItemCaseSensitive(c, "fingerprint");
            cJSON *m = cJSON_GetObjectItemCaseSensitive(c, "metrics");
            cJSON *qt = cJSON_GetObjectItemCaseSensitive(m, "Query_time");
            cJSON *sum = cJSON_GetObjectItemCaseSensitive(qt, "sum");
            if (!cJSON_IsString(ck) || !cJSON_IsNumber(cnt))
                continue;
            struct cls *k = set_get(out, hex_id(ck->valuestring));
            k->calls += (uint64_t)cnt->valuedouble;
            if (cJSON_IsString(sum)) {
                k->total_s += strtod(sum->valuestring, NULL);
                k->timed = true;
            }
            if (cJSON_IsString(fp) && !k->text)
                k->text = strdup(fp->valuestring);
        }
    } else if (len && strspn(json, " \t\r\n") != len) {
        snprintf(why, whylen, "output is not JSON");
        rc = -1;
    }
    cJSON_Delete(doc);
    free(json);
    free(errs);
    return rc;
}

/* Parse path with dbperf into per-fingerprint-id classes. */
static int run_dbperf(const char *path, struct set *out, uint64_t *entries, uint64_t *diags,
                      char *first_diag, size_t fdlen)
{
    struct dbp_reader *r = NULL;
    struct dbp_error err = {0};
    if (dbp_reader_open(path, &r, &err) != DBP_OK) {
        snprintf(first_diag, fdlen, "%s", err.message);
        return -1;
    }
    struct dbp_snapshot *snap = dbp_snapshot_new();
    struct dbp_source *src = dbp_snapshot_add_source(snap, path, "mysql-slow");
    struct dbp_parse_opts po = {0};
    int rc = dbp_my_slow_format.parse(r, &po, snap, src, &err);
    dbp_reader_close(r);
    for (size_t i = 0; i < snap->stmts.n; i++) {
        const struct dbp_stmt *st = snap->stmts.items[i];
        struct cls *k = set_get(out, st->fpid);
        k->calls += st->agg.calls;
        if (!isnan(st->agg.min_ms)) {
            k->total_s += st->agg.total_ms / 1000.0;
            k->timed = true;
        }
        if (!k->text)
            k->text = strdup(st->text);
        if (!k->example && st->example)
            k->example = strdup(st->example);
    }
    *entries = src->entries;
    *diags = snap->n_diags;
    first_diag[0] = 0;
    if (snap->diags.n)
        snprintf(first_diag, fdlen, "%s", (const char *)snap->diags.items[0]);
    dbp_snapshot_free(snap);
    return rc == DBP_ERR_IO ? -1 : 0;
}

static void set_free(struct set *s)
{
    for (size_t i = 0; i < s->n; i++) {
        free((char *)s->v[i].text);
        free(s->v[i].example);
    }
    free(s->v);
    memset(s, 0, sizeof *s);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every regular file of corpus/dir, sorted, appended to list as "dir/name". */
static void list_dir(const char *corpus, const char *dir, char ***list, size_t *n)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", corpus, dir);
    DIR *d = opendir(path);
    if (!d) {
        fprintf(stderr, "slowlog_conformance: cannot open %s\n", path);
        exit(2);
    }
    struct dirent *de;
    size_t start = *n;
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.' || strcmp(de->d_name, "LICENSE.upstream") == 0)
            continue;
        *list = realloc(*list, (*n + 1) * sizeof **list);
        size_t l = strlen(dir) + strlen(de->d_name) + 2;
        (*list)[*n] = malloc(l);
        snprintf((*list)[*n], l, "%s/%s", dir, de->d_name);
        (*n)++;
    }
    closedir(d);
    qsort(*list + start, *n - start, sizeof **list, cmp_str);
}

static bool time_agrees(double a, double b)
{
    double d = fabs(a - b);
    return d <= 1e-6 + 1e-9 || d <= 0.001 * fabs(b);
}

static const struct known *find_known(const char *file, char side, const struct cls *c, bool *used)
{
    for (size_t i = 0; i < N_KNOWN; i++) {
        const struct known *k = &knowns[i];
        if (k->side != side || strcmp(k->file, file) != 0)
            continue;
        bool hit;
        if (side == 'p')
            hit = hex_id(k->key) == c->id;
        else
            hit = dbp_fingerprint_id(k->key, strlen(k->key)) == c->id ||
                  (c->text && strcmp(c->text, k->key) == 0);
        if (hit) {
            used[i] = true;
            return k;
        }
    }
    return NULL;
}

/*
 * pt's fingerprint of one statement: `pt-fingerprint --query TEXT`, run
 * without a shell, or for a statement too long for one argument,
 * `pt-fingerprint FILE` on a file holding "TEXT;\n". Returns a heap string
 * (without the newline) or NULL.
 */
static char *pt_fingerprint(const char *tool, const char *query)
{
    char tmp[] = "/tmp/slowlog-fp-XXXXXX";
    bool use_file = strlen(query) > 100000;
    if (use_file) {
        int fd = mkstemp(tmp);
        if (fd < 0)
            return NULL;
        FILE *f = fdopen(fd, "w");
        if (!f) {
            close(fd);
            unlink(tmp);
            return NULL;
        }
        fputs(query, f);
        fputs(";\n", f);
        fclose(f);
    }
    int fds[2];
    if (pipe(fds) != 0) {
        if (use_file)
            unlink(tmp);
        return NULL;
    }
    pid_t pid = fork();
    if (pid == 0) {
        dup2(fds[1], 1);
        close(fds[0]);
        close(fds[1]);
        int null = open("/dev/null", O_RDWR);
        if (null >= 0) {
            dup2(null, 0);
            dup2(null, 2);
        }
        if (use_file) {
            char *const args[] = {(char *)tool, tmp, NULL};
            execv(tool, args);
        } else {
            char *const args[] = {(char *)tool, (char *)"--query", (char *)query, NULL};
            execv(tool, args);
        }
        _exit(127);
    }
    close(fds[1]);
    char *out = NULL;
    size_t len = 0;
    if (pid > 0) {
        FILE *f = fdopen(fds[0], "r");
        out = f ? read_all(f, &len) : NULL;
        if (f)
            fclose(f);
        else
            close(fds[0]);
        int st;
        waitpid(pid, &st, 0);
        /* pt-fingerprint 3.2 exits with 1 after printing the fingerprint: judge by output */
        if (out && (!WIFEXITED(st) || len == 0)) {
            free(out);
            out = NULL;
        }
    } else {
        close(fds[0]);
    }
    if (use_file)
        unlink(tmp);
    if (out && len && out[len - 1] == '\n')
        out[len - 1] = 0;
    return out;
}

static struct cls *find_cls(struct set *s, uint64_t id)
{
    for (size_t i = 0; i < s->n; i++)
        if (s->v[i].id == id)
            return &s->v[i];
    return NULL;
}

struct totals {
    size_t compared, not_read, classes, agree, fp_only, known, bad;
    uint64_t pt_calls, calls_agree;
};

/* one line of text, at most max characters, newlines shown as spaces */
static void show(char *dst, size_t cap, const char *s, size_t max)
{
    size_t i = 0;
    for (; s && s[i] && i < max && i + 1 < cap; i++)
        dst[i] = (s[i] == '\n' || s[i] == '\t' || s[i] == '\r') ? ' ' : s[i];
    dst[i] = 0;
}

/*
 * Compare one file. Order of judgement for a pt class: equal id, calls and
 * time -> agrees; else the dbperf classes whose examples pt-fingerprint maps
 * to it have its calls and time -> the parser agrees, only the fingerprint
 * text differs (listed; the fingerprint module owns that difference); else a
 * listed deliberate difference; else a disagreement.
 */
static void compare(const char *rel, struct set *ps, struct set *ds, const char *ptfp, bool *used,
                    struct totals *t, size_t *file_bad)
{
    char a[100], b[100];
    for (size_t i = 0; i < ps->n; i++) {
        struct cls *p = &ps->v[i];
        struct cls *d = find_cls(ds, p->id);
        t->classes++;
        t->pt_calls += p->calls;
        if (d && d->calls == p->calls && time_agrees(d->total_s, p->total_s)) {
            p->state = d->state = 1;
            t->agree++;
            t->calls_agree += p->calls;
        }
    }
    /* what pt would have called the classes left over */
    for (size_t j = 0; j < ds->n; j++) {
        struct cls *d = &ds->v[j];
        if (d->state || !d->example)
            continue;
        char *f = pt_fingerprint(ptfp, d->example);
        if (f) {
            d->pt_id = dbp_fingerprint_id(f, strlen(f));
            free(f);
        }
    }
    for (size_t i = 0; i < ps->n; i++) {
        struct cls *p = &ps->v[i];
        if (p->state)
            continue;
        uint64_t calls = 0;
        double total = 0;
        size_t nd = 0;
        for (size_t j = 0; j < ds->n; j++) {
            struct cls *d = &ds->v[j];
            if (!d->state && d->pt_id == p->id) {
                calls += d->calls;
                total += d->total_s;
                nd++;
            }
        }
        if (nd && calls == p->calls && time_agrees(total, p->total_s)) {
            show(a, sizeof a, p->text, 70);
            printf(
                "    fingerprint %016llX: pt \"%s\" %llu calls %.6f s; dbperf has the same calls "
                "and time under:\n",
                (unsigned long long)p->id, a, (unsigned long long)p->calls, p->total_s);
            for (size_t j = 0; j < ds->n; j++) {
                struct cls *d = &ds->v[j];
                if (!d->state && d->pt_id == p->id) {
                    show(b, sizeof b, d->text, 70);
                    printf("        %016llX \"%s\" %llu calls\n", (unsigned long long)d->id, b,
                           (unsigned long long)d->calls);
                    d->state = 2;
                }
            }
            p->state = 2;
            t->fp_only++;
            t->calls_agree += p->calls;
        }
    }
    for (size_t i = 0; i < ps->n; i++) {
        struct cls *p = &ps->v[i];
        if (p->state)
            continue;
        struct cls *d = find_cls(ds, p->id);
        const struct known *k = find_known(rel, 'p', p, used);
        show(a, sizeof a, p->text, 70);
        if (d)
            printf("    %s %016llX \"%s\": pt %llu calls %.6f s, dbperf %llu calls %.6f s\n",
                   k ? "known" : "DIFF ", (unsigned long long)p->id, a,
                   (unsigned long long)p->calls, p->total_s, (unsigned long long)d->calls,
                   d->total_s);
        else
            printf("    %s %016llX \"%s\": pt %llu calls %.6f s, not in dbperf\n",
                   k ? "known" : "DIFF ", (unsigned long long)p->id, a,
                   (unsigned long long)p->calls, p->total_s);
        if (d)
            d->state = k ? 2 : 3;
        if (k) {
            printf("          why: %s\n", k->why);
            t->known++;
        } else {
            (*file_bad)++;
        }
    }
    for (size_t j = 0; j < ds->n; j++) {
        struct cls *d = &ds->v[j];
        if (d->state)
            continue;
        const struct known *k = find_known(rel, 'd', d, used);
        show(a, sizeof a, d->text, 70);
        printf("    %s %016llX \"%s\": dbperf %llu calls %.6f s, not in pt's report\n",
               k || !d->timed ? "known" : "DIFF ", (unsigned long long)d->id, a,
               (unsigned long long)d->calls, d->total_s);
        if (k) {
            printf("          why: %s\n", k->why);
            t->known++;
        } else if (!d->timed) {
            printf("          why: none of its entries has a Query_time; pt-query-digest leaves "
                   "such classes out of its report\n");
            t->known++;
        } else {
            show(b, sizeof b, d->example, 90);
            printf("          dbperf's example: %s\n", b);
            (*file_bad)++;
        }
    }
}

/*
 * Second opinion, informational: go-mysql's own golden aggregates
 * (go-mysql/golden/<log>.golden, classes keyed "id;user;host;db;server",
 * summed per id here) against dbperf on go-mysql/slow-logs/<log>.log. go-mysql
 * is Percona's Go parser (PMM); where it and pt-query-digest disagree it shows
 * which choice another implementation made. Never fails the test.
 */
static void golden(const char *corpus, size_t *n_cls, size_t *n_agree)
{
    char **files = NULL;
    size_t nfiles = 0;
    list_dir(corpus, "go-mysql/golden", &files, &nfiles);
    printf("\ngo-mysql golden aggregates (informational):\n");
    for (size_t f = 0; f < nfiles; f++) {
        const char *base = strrchr(files[f], '/') + 1;
        char name[256], path[4096], gpath[4096];
        snprintf(name, sizeof name, "%.*s", (int)(strlen(base) - strlen(".golden")), base);
        char *ne = strstr(name, "-no-examples");
        if (ne)
            *ne = 0;
        if ((size_t)snprintf(path, sizeof path, "%s/go-mysql/slow-logs/%s.log", corpus, name) >=
                sizeof path ||
            (size_t)snprintf(gpath, sizeof gpath, "%s/%s", corpus, files[f]) >= sizeof gpath)
            continue;
        FILE *g = fopen(gpath, "r");
        if (!g)
            continue;
        size_t len;
        char *text = read_all(g, &len);
        fclose(g);
        cJSON *doc = cJSON_Parse(text);
        free(text);
        struct set gs = {0}, ds = {0};
        cJSON *c;
        cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(doc, "Class"))
        {
            cJSON *id = cJSON_GetObjectItemCaseSensitive(c, "Id");
            cJSON *tq = cJSON_GetObjectItemCaseSensitive(c, "TotalQueries");
            cJSON *m = cJSON_GetObjectItemCaseSensitive(c, "Metrics");
            cJSON *tm = cJSON_GetObjectItemCaseSensitive(m, "TimeMetrics");
            cJSON *qt = cJSON_GetObjectItemCaseSensitive(tm, "Query_time");
            cJSON *sum = cJSON_GetObjectItemCaseSensitive(qt, "Sum");
            cJSON *fp = cJSON_GetObjectItemCaseSensitive(c, "Fingerprint");
            if (!cJSON_IsString(id) || !cJSON_IsNumber(tq))
                continue;
            struct cls *k = set_get(&gs, hex_id(id->valuestring));
            k->calls += (uint64_t)tq->valuedouble;
            if (cJSON_IsNumber(sum)) {
                k->total_s += sum->valuedouble;
                k->timed = true;
            }
            if (!k->text && cJSON_IsString(fp))
                k->text = strdup(fp->valuestring);
        }
        cJSON_Delete(doc);
        uint64_t entries = 0, ndiags = 0;
        char diag[1024];
        run_dbperf(path, &ds, &entries, &ndiags, diag, sizeof diag);
        size_t agree = 0;
        char a[100];
        for (size_t i = 0; i < gs.n; i++) {
            struct cls *k = &gs.v[i];
            struct cls *d = find_cls(&ds, k->id);
            (*n_cls)++;
            if (d && d->calls == k->calls && time_agrees(d->total_s, k->total_s)) {
                agree++;
                (*n_agree)++;
                continue;
            }
            show(a, sizeof a, k->text, 60);
            printf("    %s %016llX \"%s\": go-mysql %llu calls %.6f s, dbperf %llu calls %.6f s\n",
                   files[f], (unsigned long long)k->id, a, (unsigned long long)k->calls, k->total_s,
                   d ? (unsigned long long)d->calls : 0ULL, d ? d->total_s : 0.0);
        }
        printf("  %s: %zu/%zu go-mysql classes agree with dbperf\n", files[f], agree, gs.n);
        set_free(&gs);
        set_free(&ds);
    }
    for (size_t i = 0; i < nfiles; i++)
        free(files[i]);
    free(files);
}

int main(int argc, char **argv)
{
    bool strict = false;
    if (argc > 1 && strcmp(argv[1], "--strict-fingerprint") == 0) {
        strict = true;
        argv++;
        argc--;
    }
    if (argc < 3) {
        fprintf(stderr, "usage: %s [--strict-fingerprint] CORPUS_DIR PT_QUERY_DIGEST [FILE...]\n",
                argv[0]);
        return 2;
    }
    const char *corpus = argv[1], *pt = argv[2];
    if (access(pt, X_OK) != 0) {
        fprintf(stderr, "slowlog_conformance: %s is not executable\n", pt);
        return 2;
    }
    /* pt-fingerprint sits beside pt-query-digest */
    char ptfp[4096];
    const char *slash = strrchr(pt, '/');
    int dl = slash ? (int)(slash - pt + 1) : 0;
    snprintf(ptfp, sizeof ptfp, "%.*spt-fingerprint", dl, pt);
    if (access(ptfp, X_OK) != 0) {
        fprintf(stderr, "slowlog_conformance: %s is not executable\n", ptfp);
        return 2;
    }
    char **files = NULL;
    size_t nfiles = 0;
    if (argc > 3) {
        for (int i = 3; i < argc; i++) {
            files = realloc(files, (nfiles + 1) * sizeof *files);
            files[nfiles++] = strdup(argv[i]);
        }
    } else {
        list_dir(corpus, "percona-toolkit/slowlogs", &files, &nfiles);
        list_dir(corpus, "go-mysql/slow-logs", &files, &nfiles);
    }
    bool used[N_KNOWN + 1] = {0};
    struct totals t = {0};
    for (size_t f = 0; f < nfiles; f++) {
        const char *rel = files[f];
        char path[4096];
        if ((size_t)snprintf(path, sizeof path, "%s/%s", corpus, rel) >= sizeof path)
            continue;
        struct set ps = {0}, ds = {0};
        char why[512], diag[1024];
        int prc = run_pt(pt, path, &ps, why, sizeof why);
        uint64_t entries = 0, ndiags = 0;
        int drc = run_dbperf(path, &ds, &entries, &ndiags, diag, sizeof diag);
        if (drc < 0) {
            printf("FAIL %s: dbperf could not read it: %s\n", rel, diag);
            t.bad++;
        } else if (prc < 0) {
            printf("skip %s: pt-query-digest cannot read it (%s); dbperf: %llu entries, "
                   "%llu diagnostics%s%s\n",
                   rel, why, (unsigned long long)entries, (unsigned long long)ndiags,
                   ndiags ? ", first: " : "", ndiags ? diag : "");
            t.not_read++;
        } else {
            t.compared++;
            size_t file_bad = 0, before = t.agree;
            printf("%s: pt %zu classes, dbperf %zu classes (%llu entries, %llu diagnostics)\n", rel,
                   ps.n, ds.n, (unsigned long long)entries, (unsigned long long)ndiags);
            if (why[0])
                printf("    pt-query-digest said: %s\n", why);
            compare(rel, &ps, &ds, ptfp, used, &t, &file_bad);
            if (ndiags)
                printf("    dbperf's first diagnostic: %s\n", diag);
            printf("  %s %zu/%zu pt classes agree\n", file_bad ? "FAIL" : "ok  ", t.agree - before,
                   ps.n);
            t.bad += file_bad;
        }
        set_free(&ps);
        set_free(&ds);
    }
    size_t g_cls = 0, g_agree = 0;
    if (argc == 3)
        golden(corpus, &g_cls, &g_agree);
    for (size_t i = 0; i < N_KNOWN; i++)
        if (!used[i] && argc == 3)
            printf("note: listed difference not seen any more: %s %c \"%s\"\n", knowns[i].file,
                   knowns[i].side, knowns[i].key);
    printf("\nsummary: %zu files compared, %zu not readable by pt-query-digest\n"
           "  %zu/%zu pt classes agree exactly (%.1f%%)\n"
           "  %zu differ only by fingerprint text (same calls and time when dbperf's examples "
           "are fingerprinted by pt-fingerprint)\n"
           "  %llu/%llu pt events counted alike\n"
           "  %zu listed deliberate differences, %zu unexplained disagreements\n"
           "  (fingerprint-text differences are src/fingerprint.c's deliberate choices where "
           "pt-fingerprint's regexes mangle text; see bench/RESULTS.md)\n"
           "  go-mysql golden aggregates, informational: %zu/%zu classes agree\n",
           t.compared, t.not_read, t.agree, t.classes,
           t.classes ? 100.0 * (double)t.agree / (double)t.classes : 0, t.fp_only,
           (unsigned long long)t.calls_agree, (unsigned long long)t.pt_calls, t.known, t.bad,
           g_agree, g_cls);
    for (size_t i = 0; i < nfiles; i++)
        free(files[i]);
    free(files);
    return t.bad || (strict && t.fp_only) ? 1 : 0;
}
