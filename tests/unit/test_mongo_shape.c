/*
 * test_mongo_shape.c -- MongoDB query shapes: value replacement, operators,
 * sort directions, mongod's normalisations; consistency with queryHash on
 * the 27,429 slow queries of hatchet's 6.0 log; hatchet's and mtools'
 * expectations; grouping against pt-mongodb-query-digest's fingerprints.
 */
/* cmocka.h needs these first */
/* clang-format off */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
/* clang-format on */
#include <ctype.h>
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dbperf/buf.h>
#include <dbperf/driver.h>
#include <dbperf/error.h>
#include <dbperf/model.h>
#include <dbperf/reader.h>

#include "mongodb/mongo_int.h"

/* Shape of a command document text (JSON or shell syntax) on db.coll. */
static char *shape_of(const char *cmd, const char *type)
{
    struct dbp_mdoc d = {0};
    size_t end;
    int root = dbp_mdoc_parse(&d, cmd, strlen(cmd), &end);
    assert_int_equal(root, 0);
    struct dbp_mongo_op op;
    dbp_mongo_op_from_command(&op, &d, &d.n[0], NULL, type, type ? strlen(type) : 0);
    op.db = "test";
    op.coll = "orders";
    struct dbp_buf b = {0};
    dbp_mongo_shape(&op, &b);
    char *r = strdup(b.data ? b.data : "");
    dbp_buf_free(&b);
    dbp_mdoc_free(&d);
    return r;
}

static void expect_shape(const char *cmd, const char *type, const char *want)
{
    char *got = shape_of(cmd, type);
    if (strcmp(got, want))
        fail_msg("shape of %s\n  got  %s\n  want %s", cmd, got, want);
    free(got);
}

static void test_values_replaced(void **state)
{
    (void)state;
    expect_shape("{\"find\":\"orders\",\"filter\":{\"status\":\"A\",\"qty\":{\"$gt\":5}},"
                 "\"sort\":{\"created\":-1},\"$db\":\"test\"}",
                 NULL, "find orders {qty: {$gt: ?}, status: ?} sort {created: -1}");
    /* canonical Extended JSON, other values: the same shape */
    expect_shape("{\"find\":\"orders\",\"filter\":{\"qty\":{\"$gt\":{\"$numberInt\":\"9\"}},"
                 "\"status\":{\"$oid\":\"5f1\"}},\"sort\":{\"created\":{\"$numberInt\":\"-1\"}}}",
                 NULL, "find orders {qty: {$gt: ?}, status: ?} sort {created: -1}");
    /* shell syntax of the text log */
    expect_shape("{ find: \"orders\", filter: { qty: { $gt: 5.0 }, status: ObjectId('5f1') }, "
                 "sort: { created: -1.0 } }",
                 NULL, "find orders {qty: {$gt: ?}, status: ?} sort {created: -1}");
    expect_shape("{\"find\":\"orders\",\"filter\":{\"s\":{\"$in\":[1,2,3]}},"
                 "\"projection\":{\"a\":1,\"_id\":0}}",
                 NULL, "find orders {s: {$in: [?]}} projection {a: 1, _id: 0}");
    expect_shape("{\"find\":\"orders\"}", NULL, "find orders {}");
    expect_shape("{\"find\":\"orders\",\"filter\":{\"d\":new Date(12),\"r\":/^ab/i,\"n\":null}}",
                 NULL, "find orders {d: ?, n: ?, r: ?}");
}

static void test_normalisations(void **state)
{
    (void)state;
    /* $eq, one-value $in, top-level $and, member order: as mongod canonicalises */
    expect_shape("{\"find\":\"orders\",\"filter\":{\"$and\":[{\"b\":{\"$eq\":1}},{\"a\":2}]}}",
                 NULL, "find orders {a: ?, b: ?}");
    expect_shape("{\"find\":\"orders\",\"filter\":{\"b\":{\"$in\":[1]},\"a\":{\"$lt\":2,"
                 "\"$gte\":0}}}",
                 NULL, "find orders {a: {$gte: ?, $lt: ?}, b: ?}");
    expect_shape("{\"find\":\"orders\",\"filter\":{\"$or\":[{\"y\":1},{\"x\":{\"$gt\":1}}]}}", NULL,
                 "find orders {$or: [{x: {$gt: ?}}, {y: ?}]}");
    expect_shape("{\"find\":\"orders\",\"filter\":{\"tags\":{\"$elemMatch\":{\"k\":1,\"v\":"
                 "{\"$gt\":2}}}}}",
                 NULL, "find orders {tags: {$elemMatch: {k: ?, v: {$gt: ?}}}}");
    /* a subdocument is a value */
    expect_shape("{\"find\":\"orders\",\"filter\":{\"addr\":{\"city\":\"x\",\"zip\":1}}}", NULL,
                 "find orders {addr: ?}");
}

static void test_commands(void **state)
{
    (void)state;
    expect_shape("{\"aggregate\":\"orders\",\"pipeline\":[{\"$match\":{\"status\":{\"$in\":"
                 "[\"a\",\"b\"]}}},{\"$group\":{\"_id\":\"$x\"}},{\"$sort\":{\"n\":-1}},"
                 "{\"$lookup\":{\"from\":\"items\",\"as\":\"i\"}}],\"cursor\":{}}",
                 NULL,
                 "aggregate orders [$match {status: {$in: [?]}}, $group, $sort {n: -1}, "
                 "$lookup items]");
    expect_shape("{\"count\":\"orders\",\"query\":{\"a\":1}}", NULL, "count orders {a: ?}");
    expect_shape("{\"distinct\":\"orders\",\"key\":\"color\",\"query\":{}}", NULL,
                 "distinct orders color {}");
    expect_shape("{\"update\":\"orders\",\"updates\":[{\"q\":{\"_id\":7},\"u\":{\"$set\":"
                 "{\"a\":1}}}]}",
                 NULL, "update orders {_id: ?}");
    expect_shape("{\"q\":{\"_id\":7},\"u\":{\"$set\":{\"a\":1}},\"multi\":false}", "update",
                 "update orders {_id: ?}");
    expect_shape("{\"q\":{\"a\":7},\"limit\":1}", "remove", "delete orders {a: ?}");
    expect_shape("{\"delete\":\"orders\",\"deletes\":[{\"q\":{\"a\":1},\"limit\":0}]}", NULL,
                 "delete orders {a: ?}");
    expect_shape("{\"insert\":\"orders\",\"documents\":[{\"a\":1}]}", NULL, "insert orders");
    expect_shape("{\"findAndModify\":\"orders\",\"query\":{\"a\":1},\"sort\":{\"b\":1}}", NULL,
                 "findAndModify orders {a: ?} sort {b: 1}");
    expect_shape("{\"hello\":1,\"$db\":\"admin\"}", NULL, "hello");
    expect_shape("{\"listIndexes\":\"orders\"}", NULL, "listIndexes orders");
    expect_shape("{ query: { foo: 33.0 }, orderby: { foo: -1.0 } }", "query",
                 "find orders {foo: ?} sort {foo: -1}");
    expect_shape("{ $query: { a: 1.0 }, $orderby: { b: 1.0 } }", "query",
                 "find orders {a: ?} sort {b: 1}");
}

static void test_getmore(void **state)
{
    (void)state;
    const char *cmd = "{\"getMore\":123,\"collection\":\"orders\"}";
    const char *orig = "{\"find\":\"orders\",\"filter\":{\"a\":{\"$gt\":1}}}";
    struct dbp_mdoc d1 = {0}, d2 = {0};
    size_t end;
    char both[512];
    snprintf(both, sizeof both, "[%s,%s]", cmd, orig);
    assert_int_equal(dbp_mdoc_parse(&d1, both, strlen(both), &end), 0);
    const struct dbp_mdoc_node *c = dbp_mdoc_child(&d1, &d1.n[0]);
    const struct dbp_mdoc_node *o = dbp_mdoc_next(&d1, c);
    struct dbp_mongo_op op;
    dbp_mongo_op_from_command(&op, &d1, c, o, NULL, 0);
    op.db = "t";
    op.coll = "orders";
    struct dbp_buf b = {0};
    dbp_mongo_shape(&op, &b);
    assert_string_equal(b.data, "getMore find orders {a: {$gt: ?}}");
    dbp_buf_free(&b);
    dbp_mdoc_free(&d1);
    dbp_mdoc_free(&d2);
}

static void test_parser_edges(void **state)
{
    (void)state;
    struct dbp_mdoc d = {0};
    size_t end;
    const char *bad[] = {"{",           "{\"a\":", "{\"a\" 1}", "[1,2",
                         "{\"a\":\"x}", "",        "}",         "{a: ObjectId('x'}"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(dbp_mdoc_parse(&d, bad[i], strlen(bad[i]), &end), -1);
    /* deep nesting is refused, not a stack overflow */
    char deep[4000];
    memset(deep, '[', sizeof deep);
    assert_int_equal(dbp_mdoc_parse(&d, deep, sizeof deep, &end), -1);
    const char *ok = "{\"a\":\"x\\\"y\",\"b\":[1,-2.5e3,true,false,null],\"c\":{\"$date\":"
                     "\"2023-09-23T16:25:03.588-04:00\"}} tail";
    assert_int_equal(dbp_mdoc_parse(&d, ok, strlen(ok), &end), 0);
    assert_int_equal(end, strlen(ok) - 5);
    const struct dbp_mdoc_node *c = dbp_mdoc_get(&d, &d.n[0], "c");
    assert_int_equal(c->type, DBP_MD_DATE);
    assert_true(fabs(c->num - 1695500703588.0) < 0.5);
    const struct dbp_mdoc_node *b = dbp_mdoc_get(&d, &d.n[0], "b");
    assert_int_equal(b->n_children, 5);
    assert_true(dbp_mdoc_num(dbp_mdoc_next(&d, dbp_mdoc_child(&d, b))) == -2500);
    dbp_mdoc_free(&d);
}

/* ---- queryHash consistency on hatchet's full 6.0 log ------------------------ */

struct qh {
    char key[160]; /* ns + queryHash */
    char *shape;
    double cursorid; /* NaN */
    unsigned n;
};

/* The shape after its operation words ("update c {a: ?}" -> "c {a: ?}"). */
static const char *query_part(const char *shape)
{
    if (strncmp(shape, "getMore ", 8) == 0)
        shape += 8;
    const char *sp = strchr(shape, ' ');
    return sp ? sp + 1 : shape;
}

static void test_queryhash_consistency(void **state)
{
    (void)state;
    struct dbp_reader *r = NULL;
    struct dbp_error err = {0};
    assert_int_equal(dbp_reader_open(DBPERF_CORPUS "/hatchet/logs/sample-mongod.log.gz", &r, &err),
                     DBP_OK);
    struct qh *v = NULL;
    size_t n = 0, cap = 0, lines = 0, with_hash = 0, conflicts = 0, same_query = 0, copied = 0;
    struct dbp_mdoc d = {0};
    struct dbp_buf b = {0};
    const char *s;
    size_t len;
    while (dbp_reader_line(r, &s, &len, &err) == 1) {
        if (!memmem(s, len, "\"id\":51803", 10))
            continue;
        lines++;
        size_t end;
        assert_int_equal(dbp_mdoc_parse(&d, s, len, &end), 0);
        const struct dbp_mdoc_node *attr = dbp_mdoc_get(&d, &d.n[0], "attr");
        const struct dbp_mdoc_node *qh = dbp_mdoc_get(&d, attr, "queryHash");
        const struct dbp_mdoc_node *ns = dbp_mdoc_get(&d, attr, "ns");
        const struct dbp_mdoc_node *type = dbp_mdoc_get(&d, attr, "type");
        if (!qh || !ns)
            continue;
        with_hash++;
        struct dbp_mongo_op op;
        dbp_mongo_op_from_command(&op, &d, dbp_mdoc_get(&d, attr, "command"),
                                  dbp_mdoc_get(&d, attr, "originatingCommand"),
                                  type ? type->val : NULL, type ? type->val_len : 0);
        op.db = "db";
        op.coll = "c";
        dbp_mongo_shape(&op, &b);
        char key[160];
        snprintf(key, sizeof key, "%.*s %.*s", (int)ns->val_len, ns->val, (int)qh->val_len,
                 qh->val);
        size_t i;
        for (i = 0; i < n; i++)
            if (strcmp(v[i].key, key) == 0)
                break;
        if (i == n) {
            if (n == cap) {
                cap = cap ? cap * 2 : 64;
                v = realloc(v, cap * sizeof *v);
            }
            snprintf(v[n].key, sizeof v[n].key, "%s", key);
            v[n].shape = strdup(b.data);
            v[n].cursorid = dbp_mdoc_num(dbp_mdoc_get(&d, attr, "cursorid"));
            v[n++].n = 0;
        } else if (strcmp(v[i].shape, b.data) != 0) {
            /* queryHash covers the query (filter, sort, projection), not the operation: a
             * find, an update and a delete with one filter share it, and so does the
             * getMore of a query. Compare what follows the operation word(s). */
            const char *x = query_part(b.data), *y = query_part(v[i].shape);
            double cid = dbp_mdoc_num(dbp_mdoc_get(&d, attr, "cursorid"));
            if (strcmp(x, y) == 0) {
                same_query++;
            } else if (cid == cid && cid == v[i].cursorid) {
                /* two different queries cannot share one open cursor: a log line whose
                 * attributes were copied from another (hatchet's sample is partly generated) */
                copied++;
                print_message("copied attributes (cursorid %.0f): '%s' vs '%s'\n", cid, v[i].shape,
                              b.data);
            } else {
                conflicts++;
                print_message("queryHash %s: '%s' vs '%s'\n", key, v[i].shape, b.data);
            }
        }
        v[i].n++;
    }
    print_message("hatchet 6.0 log: %zu slow queries, %zu with queryHash, %zu (ns, queryHash) "
                  "groups, %zu conflicts, %zu entries share a hash with another operation on "
                  "the same query, %zu with copied attributes\n",
                  lines, with_hash, n, conflicts, same_query, copied);
    assert_true(copied <= 4);
    assert_int_equal(lines, 27429);
    assert_true(with_hash > 5000);
    assert_int_equal(conflicts, 0);
    for (size_t i = 0; i < n; i++)
        free(v[i].shape);
    free(v);
    dbp_buf_free(&b);
    dbp_mdoc_free(&d);
    dbp_reader_close(r);
}

/* ---- the same on the corpus's own replica-set and standalone samples ---------- */

/* The snapshot of one corpus file parsed with format f. */
static struct dbp_snapshot *parse_file(const struct dbp_format *f, const char *path,
                                       struct dbp_source **srcp)
{
    struct dbp_snapshot *snap = dbp_snapshot_new();
    struct dbp_source *src = dbp_snapshot_add_source(snap, path, f->name);
    struct dbp_reader *r = NULL;
    struct dbp_error err = {0};
    assert_int_equal(dbp_reader_open(path, &r, &err), DBP_OK);
    struct dbp_parse_opts po = {0};
    f->parse(r, &po, snap, src, &err);
    dbp_reader_close(r);
    if (srcp)
        *srcp = src;
    return snap;
}

/* ---- hatchet's expectations (slowops_test.go / legacy_test.go) ------------------ */

static void test_hatchet_expectations(void **state)
{
    (void)state;
    FILE *f = fopen(DBPERF_CORPUS "/hatchet/slowop_pattern_expectations.tsv", "r");
    assert_non_null(f);
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    int rows = 0, checked = 0;
    struct dbp_mdoc d = {0};
    struct dbp_buf b = {0};
    while ((len = getline(&line, &cap, f)) > 0) {
        if (line[0] == '#')
            continue;
        if (line[len - 1] == '\n')
            line[--len] = 0;
        char *cols[4] = {0};
        char *p = line;
        for (int i = 0; i < 4 && p; i++) {
            cols[i] = p;
            p = strchr(p, '\t');
            if (p)
                *p++ = 0;
        }
        assert_non_null(cols[3]);
        rows++;
        size_t end;
        assert_int_equal(dbp_mdoc_parse(&d, cols[2], strlen(cols[2]), &end), 0);
        const struct dbp_mdoc_node *attr = dbp_mdoc_get(&d, &d.n[0], "attr");
        const struct dbp_mdoc_node *type = dbp_mdoc_get(&d, attr, "type");
        struct dbp_mongo_op op;
        dbp_mongo_op_from_command(&op, &d, dbp_mdoc_get(&d, attr, "command"),
                                  dbp_mdoc_get(&d, attr, "originatingCommand"),
                                  type ? type->val : NULL, type ? type->val_len : 0);
        op.db = "db";
        op.coll = "c";
        dbp_mongo_shape(&op, &b);
        const char *exp = cols[3];
        /* "QueryPattern contains X ; QueryPattern contains Y", "QueryPattern == {...}",
         * "Op == aggregate" */
        char buf[512];
        snprintf(buf, sizeof buf, "%s", exp);
        for (char *tok = buf; tok && *tok;) {
            char *semi = strstr(tok, " ; ");
            if (semi)
                *semi = 0;
            const char *w;
            if ((w = strstr(tok, "QueryPattern contains ")) != NULL) {
                w += 22;
                if (!strstr(b.data, w))
                    fail_msg("%s: shape '%s' lacks %s", cols[1], b.data, w);
                checked++;
            } else if ((w = strstr(tok, "QueryPattern == ")) != NULL) {
                /* hatchet's { status:{ $in:[...] } }: the same fields and operators */
                w += 16;
                for (const char *q = w; *q;) {
                    while (*q && !(isalnum((unsigned char)*q) || *q == '$' || *q == '_'))
                        q++;
                    const char *e = q;
                    while (*e &&
                           (isalnum((unsigned char)*e) || *e == '$' || *e == '_' || *e == '.'))
                        e++;
                    if (e > q) {
                        char word[128];
                        snprintf(word, sizeof word, "%.*s", (int)(e - q), q);
                        if (!strstr(b.data, word))
                            fail_msg("%s: shape '%s' lacks %s", cols[1], b.data, word);
                    }
                    q = e;
                }
                checked++;
            } else if ((w = strstr(tok, "Op == ")) != NULL) {
                w += 6;
                assert_int_equal(strncmp(b.data, w, strlen(w)), 0);
                checked++;
            }
            tok = semi ? semi + 3 : NULL;
        }
    }
    print_message("hatchet: %d lines parsed, %d pattern expectations checked\n", rows, checked);
    assert_int_equal(rows, 18);
    assert_true(checked >= 7);
    free(line);
    fclose(f);
    dbp_buf_free(&b);
    dbp_mdoc_free(&d);
}

/* ---- mtools' logevent expectations (text logs 2.4-4.0) ------------------------ */

static void test_mtools_expectations(void **state)
{
    (void)state;
    FILE *f = fopen(DBPERF_CORPUS "/mtools/logevent_fields.tsv", "r");
    assert_non_null(f);
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    int rows = 0, checked = 0, not_applicable = 0;
    while ((len = getline(&line, &cap, f)) > 0) {
        if (line[0] == '#')
            continue;
        if (line[len - 1] == '\n')
            line[--len] = 0;
        char *cols[4] = {0};
        char *p = line;
        for (int i = 0; i < 4 && p; i++) {
            cols[i] = p;
            p = strchr(p, '\t');
            if (p)
                *p++ = 0;
        }
        rows++;
        const char *field = cols[1], *want = cols[2];
        struct dbp_source *src;
        struct dbp_snapshot *snap = dbp_snapshot_new();
        src = dbp_snapshot_add_source(snap, "t.log", "mongodb-log-text");
        char buf[4096];
        snprintf(buf, sizeof buf, "%s\n", cols[0]);
        struct dbp_reader *r = dbp_reader_open_mem(buf, strlen(buf), "t.log");
        struct dbp_parse_opts po = {0};
        struct dbp_error err = {0};
        dbp_mongo_log_text_format.parse(r, &po, snap, src, &err);
        dbp_reader_close(r);
        struct dbp_stmt *st = snap->stmts.n ? snap->stmts.items[0] : NULL;
        bool op_line = st != NULL;
        if (strcmp(field, "duration") == 0 && strcmp(want, "None") != 0) {
            assert_non_null(st);
            assert_true(fabs(st->agg.total_ms - atof(want)) < 0.5);
            checked++;
        } else if (strcmp(field, "nreturned") == 0 && strcmp(want, "None") != 0) {
            assert_non_null(st);
            assert_int_equal(st->agg.rows_returned, atoi(want));
            checked++;
        } else if ((strcmp(field, "pattern") == 0 || strcmp(field, "sort_pattern") == 0) &&
                   op_line) {
            /* mtools' {"a": 1} / {"b": 1}: the same field names in the shape's part */
            const char *part = st->text;
            if (strcmp(field, "sort_pattern") == 0) {
                const char *sp = strstr(st->text, " sort ");
                if (strcmp(want, "None") == 0) {
                    assert_null(sp);
                    checked++;
                    dbp_snapshot_free(snap);
                    continue;
                }
                assert_non_null(sp);
                part = sp;
            }
            for (const char *q = want; *q; q++)
                if (*q == '"') {
                    const char *e = strchr(q + 1, '"');
                    char word[128];
                    snprintf(word, sizeof word, "%.*s", (int)(e - q - 1), q + 1);
                    if (!strstr(part, word))
                        fail_msg("%s: '%s' lacks %s", cols[0], st->text, word);
                    q = e;
                }
            checked++;
        } else if (strcmp(field, "namespace") == 0 && op_line) {
            const char *dot = strchr(want, '.');
            assert_non_null(st->database);
            assert_int_equal(strncmp(st->database, want, (size_t)(dot - want)), 0);
            checked++;
        } else if (strcmp(field, "command") == 0 && op_line && strcmp(want, "None") != 0) {
            /* mtools lower-cases the command name */
            assert_int_equal(strncasecmp(st->text, want, strlen(want)), 0);
            checked++;
        } else if (strcmp(field, "planSummary") == 0 && op_line && strcmp(want, "None") != 0) {
            assert_non_null(st->plan);
            const char *sp = want;
            size_t wl = strcspn(sp, " ");
            const struct dbp_plan_node *n = st->plan->root;
            while (n && n->n_children && strncmp(n->engine_name, sp, wl) != 0)
                n = n->children[0];
            assert_non_null(n);
            assert_int_equal(strncmp(n->engine_name, sp, wl), 0);
            checked++;
        } else if (strcmp(want, "None") == 0 &&
                   (strcmp(field, "namespace") == 0 || strcmp(field, "duration") == 0 ||
                    strcmp(field, "operation") == 0 || strcmp(field, "pattern") == 0)) {
            /* not an operation line: no statement */
            assert_null(st);
            checked++;
        } else if ((strcmp(field, "actual_query") == 0 || strcmp(field, "actual_sort") == 0) &&
                   op_line && strcmp(want, "None") != 0) {
            /* the example keeps the document as logged */
            assert_non_null(strstr(st->example, want));
            checked++;
        } else if (strcmp(field, "operation") == 0 && op_line) {
            assert_int_equal(strncasecmp(st->text, want, strlen(want)), 0);
            checked++;
        } else {
            not_applicable++;
            print_message("mtools n/a: %s = %s\n", field, want);
        }
        dbp_snapshot_free(snap);
    }
    print_message("mtools: %d rows, %d checked, %d not applicable (datetime formats, "
                  "thread/operation names, actual_* raw values, numYields, lock fields)\n",
                  rows, checked, not_applicable);
    assert_true(checked >= 25);
    free(line);
    fclose(f);
}

/* ---- pt-mongodb-query-digest fingerprints -------------------------------------- */

struct ptrow {
    char name[260];
    char pt[128];
    char *shape;
};

static void test_pt_fingerprint_grouping(void **state)
{
    (void)state;
    DIR *dir = opendir(DBPERF_CORPUS "/percona-toolkit/mongo-profiles");
    assert_non_null(dir);
    struct ptrow rows[200];
    size_t n = 0;
    struct dirent *de;
    while ((de = readdir(dir)) != NULL && n < 200) {
        if (de->d_name[0] == '.')
            continue;
        char path[1024];
        snprintf(path, sizeof path, DBPERF_CORPUS "/percona-toolkit/mongo-fingerprints-expected/%s",
                 de->d_name);
        FILE *f = fopen(path, "r");
        if (!f)
            continue;
        char line[512];
        rows[n].pt[0] = 0;
        while (fgets(line, sizeof line, f)) {
            char *k = strstr(line, "\"Fingerprint\": \"");
            if (k) {
                k += 16;
                char *e = strchr(k, '"');
                snprintf(rows[n].pt, sizeof rows[n].pt, "%.*s", (int)(e - k), k);
            }
        }
        fclose(f);
        snprintf(path, sizeof path, DBPERF_CORPUS "/percona-toolkit/mongo-profiles/%s", de->d_name);
        struct dbp_source *src;
        struct dbp_snapshot *snap = parse_file(&dbp_mongo_profile_format, path, &src);
        if (src->entries != 1 || snap->stmts.n != 1)
            fail_msg("%s: %llu entries", de->d_name, (unsigned long long)src->entries);
        snprintf(rows[n].name, sizeof rows[n].name, "%s", de->d_name);
        rows[n].shape = strdup(((struct dbp_stmt *)snap->stmts.items[0])->text);
        dbp_snapshot_free(snap);
        n++;
    }
    closedir(dir);
    assert_int_equal(n, 95);
    /* our shapes must never merge documents pt keeps apart; where pt merges documents
     * that we keep apart, list them (pt drops operators, values' structure, sort) */
    size_t merged_apart = 0, split = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++) {
            bool same_pt = strcmp(rows[i].pt, rows[j].pt) == 0;
            bool same_shape = strcmp(rows[i].shape, rows[j].shape) == 0;
            if (same_shape && !same_pt) {
                merged_apart++;
                print_message("MERGED: %s '%s' / %s '%s' -> '%s'\n", rows[i].name, rows[i].pt,
                              rows[j].name, rows[j].pt, rows[i].shape);
            }
            if (same_pt && !same_shape) {
                split++;
                print_message("split: pt '%s': %s '%s' vs %s '%s'\n", rows[i].pt, rows[i].name,
                              rows[i].shape, rows[j].name, rows[j].shape);
            }
        }
    print_message("pt-mongodb-query-digest: %zu profile documents, %zu pairs merged that pt "
                  "separates, %zu pairs pt merges that dbperf separates\n",
                  n, merged_apart, split);
    assert_int_equal(merged_apart, 0);
    for (size_t i = 0; i < n; i++)
        free(rows[i].shape);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_values_replaced),
        cmocka_unit_test(test_normalisations),
        cmocka_unit_test(test_commands),
        cmocka_unit_test(test_getmore),
        cmocka_unit_test(test_parser_edges),
        cmocka_unit_test(test_queryhash_consistency),
        cmocka_unit_test(test_hatchet_expectations),
        cmocka_unit_test(test_mtools_expectations),
        cmocka_unit_test(test_pt_fingerprint_grouping),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
