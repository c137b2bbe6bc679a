/*
 * fingerprint_conformance.c -- dbp_fingerprint against every input/expected
 * pair of the peer corpus (../shared/corpus, see its SOURCES.md).
 *
 * pt style (pt-query-digest / pt-fingerprint):
 *   percona-toolkit/fingerprints/QueryRewriter.fingerprint.tsv  (options column:
 *     match_md5_checksums / match_embedded_numbers map to pt-fingerprint's flags;
 *     prefixes=1 is the extra { prefixes => 1 } argument that QueryRewriter.t
 *     passes and QueryRewriter::fingerprint ignores, so it means the defaults;
 *     any other option is counted as a mismatch; @file rows read the named
 *     sample, "(tail -n K)" its last K lines)
 *   go-mysql/fingerprint.tsv, rows whose function is Fingerprint (go-mysql's
 *     ReplaceNumbersInWords=true, in TestFingerprintWithNumberInDbName, is pt's
 *     default; its default, false, is pt's --match-embedded-numbers); rows
 *     whose function is Id check dbp_fingerprint_id
 *   percona-toolkit/pt-fingerprint/queryNNN with queryNNN.fingerprint, split
 *     into records as pt-fingerprint does (";\n"-terminated, # lines dropped)
 * pgss style (pg_stat_statements):
 *   pg_stat_statements/normalized_pairs.tsv: the expected text is what the
 *     pg_stat_statements view showed in PostgreSQL's regression tests, i.e.
 *     the text stored for the statement's entry, which is the first-seen
 *     variant of its queryid. The test keeps such an entry store, as
 *     pg_stat_statements does: entries keyed by the DBP_FP_PGSS_GROUP form,
 *     holding the first display text; it is emptied when the source file of
 *     the rows changes (each regression file resets the view). The stateless
 *     ratio is printed as well.
 *   libpg_query/normalize.tsv: pg_query_normalize, stateless.
 *
 * Prints "pt: N/M match (X%)" and "pgss: N/M match (X%)", every mismatch with
 * input, expected and got, and fails below 95% for either style, or on any
 * id mismatch.
 */
#include <dirent.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dbperf/arena.h>
#include <dbperf/buf.h>
#include <dbperf/error.h>
#include <dbperf/fingerprint.h>
#include <dbperf/reader.h>

#ifndef DBPERF_CORPUS
#define DBPERF_CORPUS "../shared/corpus"
#endif

static const char *corpus = DBPERF_CORPUS;

struct tally {
    const char *name;
    int ok, total;
};

/* the whole content of a corpus file (gzip inflated), or NULL; caller frees */
static char *load(const char *rel, size_t *len)
{
    char path[4096];
    struct dbp_error err;
    struct dbp_reader *r = NULL;
    const char *data;
    snprintf(path, sizeof path, "%s/%s", corpus, rel);
    if (dbp_reader_open(path, &r, &err) != DBP_OK) {
        fprintf(stderr, "cannot read %s: %s\n", path, err.message);
        return NULL;
    }
    if (dbp_reader_slurp(r, (size_t)1 << 30, &data, len, &err) != DBP_OK) {
        fprintf(stderr, "cannot read %s: %s\n", path, err.message);
        dbp_reader_close(r);
        return NULL;
    }
    char *copy = dbp_xmalloc(*len + 1);
    memcpy(copy, data, *len);
    copy[*len] = '\0';
    dbp_reader_close(r);
    return copy;
}

/* TSV unescape in place (\n \t \\); returns the new length */
static size_t unescape(char *s)
{
    size_t w = 0;
    for (size_t r = 0; s[r]; r++) {
        if (s[r] == '\\' && (s[r + 1] == 'n' || s[r + 1] == 't' || s[r + 1] == '\\')) {
            r++;
            s[w++] = s[r] == 'n' ? '\n' : s[r] == 't' ? '\t' : '\\';
        } else
            s[w++] = s[r];
    }
    s[w] = '\0';
    return w;
}

/* split a TSV line into at most max fields (in place) */
static int split(char *line, char **f, int max)
{
    int k = 0;
    f[k++] = line;
    for (char *p = line; *p && k < max; p++)
        if (*p == '\t') {
            *p = '\0';
            f[k++] = p + 1;
        }
    return k;
}

/* print s escaped and shortened to one line */
static void show(const char *label, const char *s, size_t n)
{
    printf("  %s: ", label);
    size_t lim = n > 400 ? 300 : n;
    for (size_t i = 0; i < lim; i++) {
        if (s[i] == '\n')
            fputs("\\n", stdout);
        else if (s[i] == '\t')
            fputs("\\t", stdout);
        else
            putchar(s[i]);
    }
    if (lim < n)
        printf("... (%zu bytes)", n);
    putchar('\n');
}

static void check(struct tally *t, const char *where, const char *in, size_t inlen,
                  const char *expected, const char *got, size_t gotlen)
{
    t->total++;
    if (strlen(expected) == gotlen && memcmp(expected, got, gotlen) == 0) {
        t->ok++;
        return;
    }
    printf("MISMATCH %s (%s)\n", t->name, where);
    show("input   ", in, inlen);
    show("expected", expected, strlen(expected));
    show("got     ", got, gotlen);
}

/* read every line of a corpus TSV file; calls fn for data rows */
static int each_row(const char *rel, void (*fn)(char **f, int nf, void *ctx), void *ctx)
{
    size_t len;
    char *data = load(rel, &len);
    if (!data)
        return -1;
    char *line = data;
    while (line < data + len) {
        char *nl = memchr(line, '\n', (size_t)(data + len - line));
        if (nl)
            *nl = '\0';
        if (line[0] != '#' && line[0] != '\0') {
            char *f[8];
            int nf = split(line, f, 8);
            fn(f, nf, ctx);
        }
        if (!nl)
            break;
        line = nl + 1;
    }
    free(data);
    return 0;
}

struct ctx {
    struct tally *t;
    struct tally *ids;
    struct dbp_buf fp;
    int failed_load;
    /* pgss entry store */
    char source[256];
    int nstore;
    uint64_t keys[512];
    char *texts[512];
    int stateless_ok;
};

/* the input of a QueryRewriter @file row, or NULL */
static char *file_input(const char *spec, size_t *len)
{
    /* @file:t/lib/samples/NAME [(tail -n K)] */
    const char *p = spec + strlen("@file:t/lib/samples/");
    char name[512], rel[600];
    size_t k = 0;
    while (p[k] && p[k] != ' ' && k + 1 < sizeof name) {
        name[k] = p[k];
        k++;
    }
    name[k] = '\0';
    if (strncmp(name, "slowlogs/", 9) == 0)
        snprintf(rel, sizeof rel, "percona-toolkit/%s", name);
    else
        snprintf(rel, sizeof rel, "percona-toolkit/fingerprints/%s", name);
    char *data = load(rel, len);
    if (!data)
        return NULL;
    const char *tail = strstr(spec, "(tail -n ");
    if (tail) {
        int want = atoi(tail + 9);
        size_t end = *len;
        if (end && data[end - 1] == '\n')
            end--;
        size_t start = end;
        int lines = 0;
        while (start > 0) {
            if (data[start - 1] == '\n' && ++lines == want)
                break;
            start--;
        }
        *len = *len - start;
        memmove(data, data + start, *len);
        data[*len] = '\0';
    }
    return data;
}

static void qr_row(char **f, int nf, void *vctx)
{
    struct ctx *c = vctx;
    if (nf < 3)
        return;
    unsigned flags = 0;
    int unsupported = 0;
    if (strcmp(f[2], "-") != 0) {
        char opts[256];
        snprintf(opts, sizeof opts, "%s", f[2]);
        for (char *o = opts; o && *o;) {
            char *comma = strchr(o, ',');
            if (comma)
                *comma = '\0';
            if (strcmp(o, "match_md5_checksums=1") == 0)
                flags |= DBP_FP_MATCH_MD5_CHECKSUMS;
            else if (strcmp(o, "match_embedded_numbers=1") == 0)
                flags |= DBP_FP_MATCH_EMBEDDED_NUMBERS;
            else if (strcmp(o, "prefixes=1") == 0)
                ; /* ignored by QueryRewriter::fingerprint: defaults */
            else
                unsupported = 1;
            o = comma ? comma + 1 : NULL;
        }
    }
    unescape(f[1]);
    char *in = NULL;
    size_t inlen;
    if (strncmp(f[0], "@file:", 6) == 0) {
        in = file_input(f[0], &inlen);
        if (!in) {
            c->failed_load = 1;
            return;
        }
    } else {
        in = dbp_xstrdup(f[0]);
        inlen = unescape(in);
    }
    if (unsupported) {
        c->t->total++;
        printf("MISMATCH %s (QueryRewriter: %s): unsupported option %s\n", c->t->name,
               nf > 3 ? f[3] : "", f[2]);
    } else {
        dbp_fingerprint_ex(DBP_FP_PT, flags, in, inlen, &c->fp);
        check(c->t, nf > 3 ? f[3] : "QueryRewriter", in, inlen, f[1], c->fp.data, c->fp.len);
    }
    free(in);
}

static void go_row(char **f, int nf, void *vctx)
{
    struct ctx *c = vctx;
    if (nf < 3)
        return;
    size_t inlen = unescape(f[0]);
    unescape(f[1]);
    if (strcmp(f[2], "Id") == 0) {
        char hex[17];
        snprintf(hex, sizeof hex, "%016" PRIX64, dbp_fingerprint_id(f[0], inlen));
        check(c->ids, "go-mysql TestId", f[0], inlen, f[1], hex, 16);
        return;
    }
    if (strcmp(f[2], "Fingerprint") != 0)
        return;
    unsigned flags = (nf > 3 && strstr(f[3], "TestFingerprintWithNumberInDbName"))
                         ? 0
                         : DBP_FP_MATCH_EMBEDDED_NUMBERS;
    dbp_fingerprint_ex(DBP_FP_PT, flags, f[0], inlen, &c->fp);
    check(c->t, nf > 3 ? f[3] : "go-mysql", f[0], inlen, f[1], c->fp.data, c->fp.len);
}

/* pt-fingerprint's samples: records end with ";\n", # lines are dropped */
static void pt_samples(struct ctx *c)
{
    char dirpath[4096];
    snprintf(dirpath, sizeof dirpath, "%s/percona-toolkit/pt-fingerprint", corpus);
    DIR *d = opendir(dirpath);
    if (!d) {
        c->failed_load = 1;
        return;
    }
    char names[64][64];
    int nn = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL && nn < 64) {
        size_t nlen = strlen(de->d_name);
        if (strncmp(de->d_name, "query", 5) == 0 && !strchr(de->d_name, '.') && nlen < 64) {
            memcpy(names[nn], de->d_name, nlen + 1);
            nn++;
        }
    }
    closedir(d);
    for (int i = 0; i < nn; i++) {
        char rel[4200];
        size_t len, elen;
        snprintf(rel, sizeof rel, "percona-toolkit/pt-fingerprint/%s", names[i]);
        char *q = load(rel, &len);
        snprintf(rel, sizeof rel, "percona-toolkit/pt-fingerprint/%s.fingerprint", names[i]);
        char *exp = load(rel, &elen);
        if (!q || !exp) {
            c->failed_load = 1;
            free(q);
            free(exp);
            continue;
        }
        char *ep = exp;
        char *rec = q;
        while (*rec) {
            char *endrec = strstr(rec, ";\n");
            char *next = endrec ? endrec + 2 : rec + strlen(rec);
            if (endrec)
                *endrec = '\0';
            /* drop # lines, leading space; skip records not starting with \w */
            char *w = rec;
            for (char *r = rec; *r;) {
                char *nl = strchr(r, '\n');
                size_t l = nl ? (size_t)(nl - r) + 1 : strlen(r);
                if (r[0] == '#' && l > 1 && r[1] != '\n') {
                    if (nl) {
                        r = nl; /* keep the newline, as s/^#.+$//mg does */
                        continue;
                    }
                    break;
                }
                memmove(w, r, l);
                w += l;
                r += l;
            }
            *w = '\0';
            while (*rec == ' ' || *rec == '\t' || *rec == '\n' || *rec == '\r')
                rec++;
            if (*rec == '_' || (*rec >= '0' && *rec <= '9') || (*rec >= 'a' && *rec <= 'z') ||
                (*rec >= 'A' && *rec <= 'Z')) {
                char *enl = strchr(ep, '\n');
                if (enl)
                    *enl = '\0';
                dbp_fingerprint(DBP_FP_PT, rec, strlen(rec), &c->fp);
                check(c->t, names[i], rec, strlen(rec), ep, c->fp.data, c->fp.len);
                ep = enl ? enl + 1 : ep + strlen(ep);
            }
            rec = next;
        }
        free(q);
        free(exp);
    }
}

static void store_clear(struct ctx *c)
{
    for (int i = 0; i < c->nstore; i++)
        free(c->texts[i]);
    c->nstore = 0;
}

static void pgss_row(char **f, int nf, void *vctx)
{
    struct ctx *c = vctx;
    if (nf < 3)
        return;
    size_t inlen = unescape(f[0]);
    unescape(f[1]);
    /* the source file (before '@') changes: a new regression file, a reset view */
    char src[256];
    snprintf(src, sizeof src, "%s", f[2]);
    char *at = strchr(src, '@');
    if (at)
        *at = '\0';
    if (strcmp(src, c->source) != 0) {
        store_clear(c);
        snprintf(c->source, sizeof c->source, "%s", src);
    }
    dbp_fingerprint(DBP_FP_PGSS, f[0], inlen, &c->fp);
    if (strlen(f[1]) == c->fp.len && memcmp(f[1], c->fp.data, c->fp.len) == 0)
        c->stateless_ok++;
    char *text = dbp_xstrdup(c->fp.data);
    dbp_fingerprint_ex(DBP_FP_PGSS, DBP_FP_PGSS_GROUP, f[0], inlen, &c->fp);
    uint64_t key = dbp_fingerprint_id(c->fp.data, c->fp.len);
    const char *shown = text;
    int found = 0;
    for (int i = 0; i < c->nstore; i++)
        if (c->keys[i] == key) {
            shown = c->texts[i];
            found = 1;
            break;
        }
    if (!found && c->nstore < 512) {
        c->keys[c->nstore] = key;
        c->texts[c->nstore++] = text;
        text = NULL;
    }
    check(c->t, nf > 3 && f[3][0] ? f[3] : "pg_stat_statements", f[0], inlen, f[1], shown,
          strlen(shown));
    free(text);
}

static void pgq_row(char **f, int nf, void *vctx)
{
    struct ctx *c = vctx;
    if (nf < 2)
        return;
    size_t inlen = unescape(f[0]);
    unescape(f[1]);
    dbp_fingerprint(DBP_FP_PGSS, f[0], inlen, &c->fp);
    if (strlen(f[1]) == c->fp.len && memcmp(f[1], c->fp.data, c->fp.len) == 0)
        c->stateless_ok++;
    check(c->t, "libpg_query normalize", f[0], inlen, f[1], c->fp.data, c->fp.len);
}

static int report(const struct tally *t)
{
    double pct = t->total ? 100.0 * t->ok / t->total : 0.0;
    printf("%s: %d/%d match (%.1f%%)\n", t->name, t->ok, t->total, pct);
    return t->total > 0 && t->ok * 100 >= t->total * 95;
}

int main(int argc, char **argv)
{
    if (argc > 1)
        corpus = argv[1];
    struct tally pt = {"pt", 0, 0}, pgss = {"pgss", 0, 0}, ids = {"pt id", 0, 0};
    struct ctx c;
    memset(&c, 0, sizeof c);
    c.ids = &ids;

    c.t = &pt;
    if (each_row("percona-toolkit/fingerprints/QueryRewriter.fingerprint.tsv", qr_row, &c) ||
        each_row("go-mysql/fingerprint.tsv", go_row, &c))
        c.failed_load = 1;
    pt_samples(&c);

    c.t = &pgss;
    c.stateless_ok = 0;
    if (each_row("pg_stat_statements/normalized_pairs.tsv", pgss_row, &c) ||
        each_row("libpg_query/normalize.tsv", pgq_row, &c))
        c.failed_load = 1;
    store_clear(&c);

    printf("\n");
    int good = report(&pt);
    good &= report(&pgss);
    printf("pgss without the pg_stat_statements entry store: %d/%d match\n", c.stateless_ok,
           pgss.total);
    printf("%s: %d/%d match\n", ids.name, ids.ok, ids.total);
    if (ids.total == 0 || ids.ok != ids.total)
        good = 0;
    if (c.failed_load) {
        printf("some corpus files could not be read\n");
        good = 0;
    }
    dbp_buf_free(&c.fp);
    return good ? 0 : 1;
}
