/*
 * log_json.c -- the mongodb-log format: mongod's structured JSON log (4.4
 * and later), one document per line.
 *
 * Only "Slow query" entries (id 51803) become executions: the namespace,
 * the command (or the legacy update/remove operation), planSummary,
 * keysExamined, docsExamined, nreturned, durationMillis, queryHash and the
 * connection in ctx. "Connection ended" (id 22944) ends a session; "Build
 * Info" (id 23403) gives the server version. A getLog reply (the lines as
 * JSON strings in "log") is read the same way. Every other line is skipped
 * after a cheap substring test, before any parsing. Each line that is
 * taken is parsed once into a reusable node array (mdoc.c): no tree is
 * allocated per line.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dbperf/arena.h>
#include <dbperf/buf.h>
#include <dbperf/driver.h>
#include <dbperf/error.h>
#include <dbperf/fingerprint.h>
#include <dbperf/model.h>
#include <dbperf/reader.h>

#include "mongo_int.h"
#include "mongo_log.h"

static int probe(const unsigned char *head, size_t len)
{
    const char *s = (const char *)head;
    size_t i = 0;
    while (i < len && (s[i] == ' ' || s[i] == '\n' || s[i] == '\r'))
        i++;
    if (len - i >= 14 && memcmp(s + i, "{\"t\":{\"$date\":", 14) == 0)
        return 100;
    if (i < len && s[i] == '{' && memmem(s, len, "\"totalLinesWritten\"", 19) &&
        memmem(s, len, "\"log\"", 5))
        return 90; /* a getLog reply */
    if (i < len && s[i] == '{' && memmem(s, len, "\"ctx\":", 6) && memmem(s, len, "\"msg\":", 6) &&
        memmem(s, len, "\"id\":", 5))
        return 90;
    return 0;
}

static const struct dbp_mdoc_node *attr_get(const struct dbp_mdoc *d, const struct dbp_mdoc_node *o,
                                            const char *k)
{
    return dbp_mdoc_get(d, o, k);
}

/* One line of the log. */
static void line(struct dbp_mongo_log *L, const char *s, size_t n);

/*
 * A getLog reply ({"totalLinesWritten": n, "log": ["{\"t\":...}\n", ...], "ok": 1},
 * as db.adminCommand({getLog: "global"}) prints it, one string per line): each
 * string is a log line.
 */
static void getlog_line(struct dbp_mongo_log *L, const char *s, size_t n)
{
    size_t i = 0;
    while (i < n && (s[i] == ' ' || s[i] == '\t'))
        i++;
    if (i >= n || s[i] != '"' || i + 1 >= n || s[i + 1] != '{')
        return; /* the reply's own members and brackets */
    size_t e = n;
    while (e > i && s[e - 1] != '"')
        e--;
    if (e <= i + 1)
        return;
    dbp_buf_clear(&L->unq);
    dbp_mdoc_str_append(&L->unq, s + i + 1, e - 1 - (i + 1), true);
    size_t m = L->unq.len;
    while (m && (L->unq.data[m - 1] == '\n' || L->unq.data[m - 1] == '\r'))
        m--;
    line(L, L->unq.data, m);
}

static void line(struct dbp_mongo_log *L, const char *s, size_t n)
{
    if (!L->getlog && L->src->entries == 0 && memmem(s, n, "\"totalLinesWritten\"", 19))
        L->getlog = true;
    if (L->getlog && s != L->unq.data) {
        getlog_line(L, s, n);
        return;
    }
    const char *hit = memmem(s, n, "\"id\":", 5);
    if (!hit) {
        if (n && s[0] != '{' && !(n == 1 && s[0] == '\r'))
            dbp_mongo_log_bad(L, "not a JSON log line: skipped");
        return;
    }
    const char *v = hit + 5;
    size_t rest = n - (size_t)(v - s);
    bool slow = rest >= 5 && memcmp(v, "51803", 5) == 0;
    bool ended = rest >= 5 && memcmp(v, "22944", 5) == 0;
    bool build = rest >= 5 && memcmp(v, "23403", 5) == 0;
    if (!slow && !ended && !build)
        return;
    size_t end;
    if (dbp_mdoc_parse(&L->doc, s, n, &end) < 0 || L->doc.n[0].type != DBP_MD_OBJ) {
        dbp_mongo_log_bad(L, "malformed JSON log line (%s): skipped",
                          L->doc.error ? L->doc.error : "not an object");
        return;
    }
    const struct dbp_mdoc *d = &L->doc;
    const struct dbp_mdoc_node *root = &d->n[0];
    const struct dbp_mdoc_node *attr = dbp_mdoc_get(d, root, "attr");
    const struct dbp_mdoc_node *ctx = dbp_mdoc_get(d, root, "ctx");
    if (ended) {
        if (ctx && ctx->type == DBP_MD_STR)
            dbp_snapshot_session_end(L->snap, ctx->val, ctx->val_len);
        return;
    }
    if (build) {
        const struct dbp_mdoc_node *bi = attr_get(d, attr, "buildInfo");
        const struct dbp_mdoc_node *ver = attr_get(d, bi, "version");
        if (ver && ver->type == DBP_MD_STR && !L->src->server_version)
            L->src->server_version = dbp_mdoc_strdup(L->snap->arena, ver);
        return;
    }
    if (!attr || attr->type != DBP_MD_OBJ) {
        dbp_mongo_log_bad(L, "slow query entry without attr: skipped");
        return;
    }
    struct dbp_mongo_entry e;
    memset(&e, 0, sizeof e);
    const struct dbp_mdoc_node *t = dbp_mdoc_get(d, root, "t");
    if (t && t->type == DBP_MD_DATE && t->num == t->num)
        e.ts_us = (int64_t)(t->num * 1000.0);
    if (ctx && ctx->type == DBP_MD_STR && ctx->val_len > 4 && memcmp(ctx->val, "conn", 4) == 0) {
        e.session = ctx->val;
        e.session_len = ctx->val_len;
    }
    const struct dbp_mdoc_node *ns = attr_get(d, attr, "ns");
    if (ns && ns->type == DBP_MD_STR) {
        e.ns = ns->val;
        e.ns_len = ns->val_len;
    }
    const struct dbp_mdoc_node *type = attr_get(d, attr, "type");
    if (type && type->type == DBP_MD_STR) {
        e.type = type->val;
        e.type_len = type->val_len;
    }
    e.cmd = attr_get(d, attr, "command");
    e.orig = attr_get(d, attr, "originatingCommand");
    const struct dbp_mdoc_node *ps = attr_get(d, attr, "planSummary");
    if (ps && ps->type == DBP_MD_STR) {
        e.x.plan_summary = ps->val;
        e.x.plan_summary_len = ps->val_len;
    }
    e.x.docs_examined = dbp_mdoc_num(attr_get(d, attr, "docsExamined"));
    e.x.keys_examined = dbp_mdoc_num(attr_get(d, attr, "keysExamined"));
    e.x.nreturned = dbp_mdoc_num(attr_get(d, attr, "nreturned"));
    e.x.ms = dbp_mdoc_num(attr_get(d, attr, "durationMillis"));
    const struct dbp_mdoc_node *hs = attr_get(d, attr, "hasSortStage");
    e.x.has_sort_stage = hs && hs->num == 1;
    const struct dbp_mdoc_node *qh = attr_get(d, attr, "queryHash");
    if (qh && qh->type == DBP_MD_STR) {
        e.query_hash = qh->val;
        e.query_hash_len = qh->val_len;
    }
    e.doc = d;
    dbp_mongo_log_entry(L, &e);
}

static int parse(struct dbp_reader *r, const struct dbp_parse_opts *o, struct dbp_snapshot *snap,
                 struct dbp_source *src, struct dbp_error *err)
{
    (void)o;
    return dbp_mongo_log_run(r, snap, src, "mongodb-log", line, err);
}

/* One document per line: a chunk may start at any of them. */
static int split_ok(const char *line, size_t len, const char *prev, size_t prev_len)
{
    (void)prev;
    (void)prev_len;
    return len > 0 && line[0] == '{';
}

const struct dbp_format dbp_mongo_log_json_format = {
    .name = "mongodb-log",
    .summary = "mongod structured JSON log (4.4 and later): Slow query entries",
    .probe = probe,
    .parse = parse,
    .split_ok = split_ok,
};
