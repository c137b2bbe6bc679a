/*
 * log_text.c -- the mongodb-log-text format: mongod's text log before 4.4
 * (3.x, 4.0, 4.2; the 2.x layout is read as well).
 *
 *   2019-06-18T12:03:05.860+0100 I COMMAND  [conn2] command db.coll appName: "x"
 *     command: find { find: "coll", filter: { a: 1.0 } } planSummary: COLLSCAN
 *     keysExamined:0 docsExamined:1 ... nreturned:1 ... 1ms
 *   ... [conn10] query test.new query: { a: 1.0 } planSummary: EOF ... nreturned:0 0ms
 *   ... [conn3] end connection 127.0.0.1:50202 (3 connections now open)
 *
 * An operation line is one whose last token is a duration ("123ms") and
 * whose first word after the thread is command, query, update, remove,
 * getmore or insert. The command document is parsed by the shell-syntax
 * aware document parser (mdoc.c); the counters are the key:value tokens
 * after it.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <dbperf/arena.h>
#include <dbperf/buf.h>
#include <dbperf/driver.h>
#include <dbperf/model.h>

#include "mongo_int.h"
#include "mongo_log.h"

static bool digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Length of a leading timestamp (ISO 8601 or ctime "Wed Mar  5 17:14:54.474"), or 0. */
static size_t ts_len(const char *s, size_t n, int64_t *us)
{
    *us = 0;
    if (n >= 19 && digit(s[0]) && digit(s[3]) && s[4] == '-' && s[10] == 'T') {
        size_t i = 19;
        while (i < n && s[i] != ' ')
            i++;
        *us = dbp_mongo_parse_iso(s, i);
        return i;
    }
    static const char *const days[] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
    for (size_t d = 0; d < 7; d++)
        if (n >= 19 && memcmp(s, days[d], 3) == 0 && s[3] == ' ') {
            /* "Wed Mar  5 17:14:54[.474]" -- no year: the time stays unknown */
            size_t i = 4;
            int spaces = 0;
            while (i < n && spaces < 3) {
                if (s[i] == ' ' && s[i - 1] != ' ')
                    spaces++;
                if (spaces < 3)
                    i++;
            }
            return i;
        }
    return 0;
}

static const char *find(const char *s, size_t n, const char *lit)
{
    return memmem(s, n, lit, strlen(lit));
}

/* The number after " key:" in s, or NaN. */
static double counter(const char *s, size_t n, const char *key)
{
    size_t kl = strlen(key);
    const char *p = s;
    while ((p = memmem(p, n - (size_t)(p - s), key, kl)) != NULL) {
        if ((p == s || p[-1] == ' ') && (size_t)(p - s) + kl < n && p[kl] == ':') {
            const char *v = p + kl + 1;
            const char *e = s + n;
            if (v < e && *v == ' ')
                v++;
            double x = 0;
            bool any = false;
            while (v < e && digit(*v)) {
                x = x * 10 + (*v - '0');
                v++;
                any = true;
            }
            return any ? x : NAN;
        }
        p += kl;
    }
    return NAN;
}

static void line(struct dbp_mongo_log *L, const char *s, size_t n)
{
    int64_t ts;
    size_t i = ts_len(s, n, &ts);
    if (!i) {
        dbp_mongo_log_bad(L, "not a mongod text log line: skipped");
        return;
    }
    const char *lb = memchr(s + i, '[', n - i);
    if (!lb)
        return;
    const char *rb = memchr(lb, ']', n - (size_t)(lb - s));
    if (!rb)
        return;
    const char *thr = lb + 1;
    size_t thr_len = (size_t)(rb - thr);
    const char *p = rb + 1;
    size_t rest = n - (size_t)(p - s);
    if (rest && *p == ' ') {
        p++;
        rest--;
    }
    bool conn = thr_len > 4 && memcmp(thr, "conn", 4) == 0;
    if (rest >= 15 && memcmp(p, "end connection ", 15) == 0) {
        if (conn)
            dbp_snapshot_session_end(L->snap, thr, thr_len);
        return;
    }
    /* the operation word and the namespace */
    static const char *const ops[] = {"command ", "query ",   "update ",
                                      "remove ",  "getmore ", "insert "};
    size_t k;
    for (k = 0; k < sizeof ops / sizeof ops[0]; k++)
        if (rest > strlen(ops[k]) && memcmp(p, ops[k], strlen(ops[k])) == 0)
            break;
    if (k == sizeof ops / sizeof ops[0])
        return;
    /* the duration: the last token, "<digits>ms" */
    if (n < 3 || s[n - 1] != 's' || s[n - 2] != 'm' || !digit(s[n - 3]))
        return;
    size_t de = n - 2, ds = de;
    while (ds > 0 && digit(s[ds - 1]))
        ds--;
    double ms = 0;
    for (size_t j = ds; j < de; j++)
        ms = ms * 10 + (s[j] - '0');
    size_t opl = strlen(ops[k]) - 1;
    const char *ns = p + opl + 1;
    const char *nse = memchr(ns, ' ', n - (size_t)(ns - s));
    if (!nse)
        nse = s + n;
    struct dbp_mongo_entry e;
    memset(&e, 0, sizeof e);
    e.ts_us = ts;
    if (conn) {
        e.session = thr;
        e.session_len = thr_len;
    }
    e.ns = ns;
    e.ns_len = (size_t)(nse - ns);
    e.x.ms = ms;
    e.doc = &L->doc;
    const char *body = nse;
    size_t blen = n - (size_t)(body - s);
    /* the document: after "command: [name ]" or "query: " */
    const char *dstart = NULL;
    const char *name = NULL; /* the command's name when the log gives it */
    size_t name_len = 0;
    const char *c = find(body, blen, " command: ");
    if (c) {
        dstart = c + 10;
        e.type = k == 0 ? "command" : ops[k];
        e.type_len = k == 0 ? 7 : opl;
        /* "command: find { ... }": skip the command name */
        const char *q = dstart;
        while (q < s + n && *q != '{' && *q != ' ')
            q++;
        if (q < s + n && *q == ' ') {
            name = dstart;
            name_len = (size_t)(q - dstart);
            dstart = q + 1;
        }
    } else if ((c = find(body, blen, " query: ")) != NULL) {
        dstart = c + 8;
        e.type = k == 5 ? "insert" : k == 4 ? "getMore" : ops[k];
        e.type_len = k == 5 ? 6 : k == 4 ? 7 : opl;
    } else {
        e.type = ops[k];
        e.type_len = opl;
    }
    size_t after = (size_t)(body - s);
    if (dstart && dstart < s + n && *dstart == '{') {
        size_t end = 0;
        int root = dbp_mdoc_parse(&L->doc, dstart, n - (size_t)(dstart - s), &end);
        if (root < 0) {
            dbp_mongo_log_bad(L, "unreadable command document (%s): counted without its shape",
                              L->doc.error ? L->doc.error : "?");
            L->doc.len = 0;
            if (name) { /* "command: insert {...}" (a redacted log): the name is known */
                e.type = name;
                e.type_len = name_len;
            }
        } else {
            e.cmd = &L->doc.n[root];
            after = (size_t)(dstart - s) + end;
        }
    }
    const char *tail = s + after;
    size_t tlen = n - after;
    const char *oc = find(tail, tlen, "originatingCommand: {");
    if (oc && e.cmd) {
        /* parse it into the same node array, after the command's nodes */
        struct dbp_mdoc tmp = {0};
        size_t end = 0;
        if (dbp_mdoc_parse(&tmp, oc + 20, tlen - (size_t)(oc + 20 - tail), &end) >= 0) {
            /* re-parse both into one array: command first, then the originating command */
            size_t base = L->doc.len;
            for (size_t j = 0; j < tmp.len; j++) {
                struct dbp_mdoc_node nd = tmp.n[j];
                if (nd.child >= 0)
                    nd.child += (int32_t)base;
                if (nd.next >= 0)
                    nd.next += (int32_t)base;
                if (L->doc.len == L->doc.cap) {
                    L->doc.cap = L->doc.cap ? L->doc.cap * 2 : 256;
                    L->doc.n = dbp_xrealloc(L->doc.n, L->doc.cap * sizeof *L->doc.n);
                }
                L->doc.n[L->doc.len++] = nd;
            }
            e.cmd = &L->doc.n[0];
            e.orig = &L->doc.n[base];
            tail = oc + 20 + end;
            tlen = n - (size_t)(tail - s);
        }
        dbp_mdoc_free(&tmp);
    }
    const char *ps = find(tail, tlen, "planSummary: ");
    if (ps) {
        const char *v = ps + 13, *e2 = v;
        const char *lim = s + n;
        /* "IXSCAN { a: 1 }, IXSCAN { b: 1 }" up to the next " key:" outside braces */
        int depth = 0;
        while (e2 < lim) {
            if (*e2 == '{')
                depth++;
            else if (*e2 == '}')
                depth--;
            else if (*e2 == ' ' && depth == 0) {
                const char *w = e2 + 1;
                while (w < lim && ((*w >= 'a' && *w <= 'z') || (*w >= 'A' && *w <= 'Z')))
                    w++;
                if (w < lim && *w == ':' && w > e2 + 1 && e2[1] >= 'a' && e2[1] <= 'z')
                    break;
            }
            e2++;
        }
        e.x.plan_summary = v;
        e.x.plan_summary_len = (size_t)(e2 - v);
    }
    e.x.docs_examined = counter(tail, tlen, "docsExamined");
    if (e.x.docs_examined != e.x.docs_examined)
        e.x.docs_examined = counter(tail, tlen, "nscannedObjects");
    if (e.x.docs_examined != e.x.docs_examined) /* 2.x: nscanned counts documents of a scan */
        e.x.docs_examined = counter(tail, tlen, "nscanned");
    e.x.keys_examined = counter(tail, tlen, "keysExamined");
    if (e.x.keys_examined != e.x.keys_examined)
        e.x.keys_examined = counter(tail, tlen, "nscanned");
    e.x.nreturned = counter(tail, tlen, "nreturned");
    e.x.has_sort_stage =
        counter(tail, tlen, "hasSortStage") == 1 || counter(tail, tlen, "scanAndOrder") == 1;
    dbp_mongo_log_entry(L, &e);
}

static int probe(const unsigned char *head, size_t len)
{
    const char *s = (const char *)head;
    size_t n = len;
    const char *nl = memchr(s, '\n', n);
    if (nl)
        n = (size_t)(nl - s);
    int64_t ts;
    size_t i = ts_len(s, n, &ts);
    if (!i)
        return 0;
    /* "<ts> [thread]" (2.x) or "<ts> I COMMAND  [thread]" (3.0-4.2) */
    if (i < n && s[i] == ' ')
        i++;
    if (i + 2 < n && strchr("IWEFD", s[i]) && s[i + 1] == ' ') {
        i += 2;
        while (i < n && s[i] == ' ') /* 4.2: "I  COMMAND  [conn1]" */
            i++;
        while (i < n && ((s[i] >= 'A' && s[i] <= 'Z') || s[i] == '_' || s[i] == '-'))
            i++;
        while (i < n && s[i] == ' ')
            i++;
    }
    if (i >= n || s[i] != '[' || !memchr(s + i, ']', n - i))
        return 0;
    return 70;
}

static int parse(struct dbp_reader *r, const struct dbp_parse_opts *o, struct dbp_snapshot *snap,
                 struct dbp_source *src, struct dbp_error *err)
{
    (void)o;
    return dbp_mongo_log_run(r, snap, src, "mongodb-log-text", line, err);
}

const struct dbp_format dbp_mongo_log_text_format = {
    .name = "mongodb-log-text",
    .summary = "mongod text log (3.x, 4.0, 4.2): slow operations with their commands",
    .probe = probe,
    .parse = parse,
};
