/*
 * test_mongo_docs.c -- the MongoDB formats on the corpus (mongod 6.0 JSON
 * logs, 3.x-4.2 text logs, system.profile, explain, $indexStats) and on
 * small inline inputs: counts, aggregates, sessions and N+1 bursts, plans
 * (COLLSCAN nodes with predicates, SORT keys), indexes, diagnostics, and
 * what the engine-agnostic rules make of the model (seq-scan, missing-index
 * in ESR order with its createIndex suggestion, unused-index, duplicate-index).
 */
/* cmocka.h needs these first */
/* clang-format off */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
/* clang-format on */
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
#include <dbperf/rules.h>

#include "mongodb/mongo_int.h"

struct run {
    struct dbp_snapshot *snap;
    struct dbp_source *src;
    struct dbp_error err;
    int rc;
};

static void parse_with(struct run *r, const struct dbp_format *f, struct dbp_reader *rd)
{
    if (!r->snap)
        r->snap = dbp_snapshot_new();
    r->src = dbp_snapshot_add_source(r->snap, dbp_reader_name(rd), f->name);
    struct dbp_parse_opts po = {0};
    memset(&r->err, 0, sizeof r->err);
    r->rc = f->parse(rd, &po, r->snap, r->src, &r->err);
    dbp_reader_close(rd);
    dbp_snapshot_sessions_flush(r->snap);
}

static void parse_str(struct run *r, const struct dbp_format *f, const char *name, const char *s)
{
    parse_with(r, f, dbp_reader_open_mem(s, strlen(s), name));
}

static void parse_file(struct run *r, const struct dbp_format *f, const char *rel)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", DBPERF_CORPUS, rel);
    struct dbp_reader *rd = NULL;
    struct dbp_error err = {0};
    assert_int_equal(dbp_reader_open(path, &rd, &err), DBP_OK);
    parse_with(r, f, rd);
}

static struct dbp_stmt *find_stmt(struct run *r, const char *text)
{
    for (size_t i = 0; i < r->snap->stmts.n; i++) {
        struct dbp_stmt *st = r->snap->stmts.items[i];
        if (strcmp(st->text, text) == 0)
            return st;
    }
    return NULL;
}

static const struct dbp_finding *finding(struct run *r, const char *rule, const char *object_part)
{
    for (size_t i = 0; i < r->snap->findings.n; i++) {
        const struct dbp_finding *f = r->snap->findings.items[i];
        if (strcmp(f->rule, rule) == 0 &&
            (!object_part || (f->object && strstr(f->object, object_part))))
            return f;
    }
    return NULL;
}

static void done(struct run *r)
{
    dbp_snapshot_free(r->snap);
    r->snap = NULL;
}

/* ---- corpus ---------------------------------------------------------------- */

static void test_json_log_corpus(void **state)
{
    (void)state;
    struct run r = {0};
    parse_file(&r, &dbp_mongo_log_json_format,
               "mongodb/logs/hatchet-mongod-6.0.11-slowquery-sample.log");
    assert_int_equal(r.rc, DBP_OK);
    assert_int_equal(r.src->entries, 39);
    assert_int_equal(r.src->skipped, 0);
    uint64_t calls = 0;
    for (size_t i = 0; i < r.snap->stmts.n; i++)
        calls += ((struct dbp_stmt *)r.snap->stmts.items[i])->agg.calls;
    assert_int_equal(calls, 39);
    /* find vehicles {color: ?} sort {brand: -1}: durationMillis 90 + 190 */
    struct dbp_stmt *st = find_stmt(&r, "find vehicles {color: ?} sort {brand: -1} projection "
                                        "{_id: 0, color: 1, brand: 1}");
    assert_non_null(st);
    assert_string_equal(st->database, "testdb");
    assert_non_null(st->engine_id_text);
    done(&r);

    /* startup lines only: nothing taken, nothing skipped */
    parse_file(&r, &dbp_mongo_log_json_format,
               "mongodb/logs/hatchet-mongod-6.0.11-startup-head.log");
    assert_int_equal(r.rc, DBP_OK);
    assert_int_equal(r.src->entries, 0);
    assert_int_equal(r.src->skipped, 0);
    assert_non_null(r.src->server_version);
    assert_string_equal(r.src->server_version, "6.0.11");
    done(&r);

    parse_file(&r, &dbp_mongo_log_json_format,
               "mongodb/logs/hatchet-replica-rs1-mongod-6.0.14-slowquery-sample.log");
    assert_int_equal(r.rc, DBP_OK);
    assert_int_equal(r.src->entries, 76);
    done(&r);

    parse_file(&r, &dbp_mongo_log_json_format, "mongodb/logs/datadog-getLog-standalone-lines.log");
    assert_int_equal(r.rc, DBP_OK);
    assert_true(r.src->entries >= 2);
    uint64_t lines_entries = r.src->entries;
    size_t lines_classes = r.snap->stmts.n;
    done(&r);
    /* the same lines inside the getLog reply they came from */
    parse_file(&r, &dbp_mongo_log_json_format, "mongodb/logs/datadog-getLog-standalone.json");
    assert_int_equal(r.rc, DBP_OK);
    assert_int_equal(r.src->entries, lines_entries);
    assert_int_equal(r.snap->stmts.n, lines_classes);
    assert_int_equal(r.src->skipped, 0);
    done(&r);
}

static void test_text_log_corpus(void **state)
{
    (void)state;
    struct run r = {0};
    parse_file(&r, &dbp_mongo_log_text_format, "mtools/logfiles/mongod_4.0.10_slowoplogs.log");
    /* every line ending in "<n>ms" with an operation word is an entry */
    assert_true(r.src->entries > 900);
    assert_int_equal(r.src->skipped, 0);
    size_t with_plan = 0;
    for (size_t i = 0; i < r.snap->stmts.n; i++)
        with_plan += ((struct dbp_stmt *)r.snap->stmts.items[i])->plan != NULL;
    assert_true(with_plan > 0);
    done(&r);
    parse_file(&r, &dbp_mongo_log_text_format, "mtools/logfiles/collscans.log");
    assert_int_equal(r.src->entries, 687);
    struct dbp_stmt *st = find_stmt(&r, "find docs {foo: ?} sort {foo: -1}");
    assert_non_null(st);
    assert_int_equal(st->agg.rows_examined, 100000);
    assert_int_equal(st->agg.rows_returned, 1);
    done(&r);
}

static void test_profile_corpus(void **state)
{
    (void)state;
    struct run r = {0};
    parse_file(&r, &dbp_mongo_profile_format, "mongodb/profile/datadog-system.profile.json");
    assert_int_equal(r.rc, DBP_OK);
    assert_int_equal(r.src->entries, 4);
    size_t plans = 0;
    for (size_t i = 0; i < r.snap->stmts.n; i++) {
        struct dbp_stmt *st = r.snap->stmts.items[i];
        assert_int_equal(st->source, DBP_SRC_PROFILER);
        if (st->plan) {
            plans++;
            assert_true(st->plan->analyzed);
        }
    }
    assert_true(plans >= 2);
    done(&r);
    /* canonical Extended JSON ({"$numberInt": "2"}) */
    parse_file(&r, &dbp_mongo_profile_format, "percona-toolkit/mongo-profiles/find_3.6.2");
    assert_int_equal(r.src->entries, 1);
    struct dbp_stmt *st = find_stmt(&r, "find coll {k: ?}");
    assert_non_null(st);
    assert_int_equal(st->agg.rows_examined, 2);
    assert_int_equal(st->agg.rows_returned, 2);
    assert_true(fabs(st->agg.total_ms - 42) < 0.01);
    /* execStats FETCH > IXSCAN */
    assert_non_null(st->plan);
    assert_int_equal(st->plan->root->kind, DBP_NODE_FETCH);
    assert_int_equal(st->plan->root->children[0]->kind, DBP_NODE_INDEX_SCAN);
    done(&r);
}

static void test_explain_corpus(void **state)
{
    (void)state;
    struct run r = {0};
    parse_file(&r, &dbp_mongo_explain_format,
               "mongodb/explain/datadog-explain-standalone-6.0.15-collscan.json");
    assert_int_equal(r.rc, DBP_OK);
    assert_int_equal(r.src->entries, 1);
    assert_int_equal(r.snap->plans.n, 1);
    const struct dbp_plan *p = r.snap->plans.items[0];
    assert_true(p->analyzed);
    assert_int_equal(p->root->kind, DBP_NODE_FULL_SCAN);
    assert_string_equal(p->root->relation, "products");
    assert_string_equal(p->root->schema, "integration");
    assert_true(p->root->rows_examined == 721);
    assert_true(p->root->act_rows == 0);
    /* $and of data > x and message ~ /log/: a range and an unindexable regex */
    assert_int_equal(p->root->n_preds, 2);
    assert_string_equal(p->root->preds[0].column, "data");
    assert_int_equal(p->root->preds[0].op, DBP_PRED_RANGE);
    assert_string_equal(p->root->preds[1].column, "message");
    assert_int_equal(p->root->preds[1].op, DBP_PRED_OTHER);
    assert_non_null(p->stmt);
    assert_string_equal(p->stmt->text, "find products {data: {$gt: ?}, message: {$regex: ?}}");
    done(&r);
}

/* aggregate explain (4.4-6.0 classic engine: the query layer under stages[0].$cursor) with a
 * rejected plan and a $sort after it; synthesized from the documented layout (the corpus has no
 * aggregate explain with rejected plans) */
static void test_explain_aggregate(void **state)
{
    (void)state;
    const char *ex =
        "{\"explainVersion\":\"1\",\"stages\":[{\"$cursor\":{\"queryPlanner\":{\"namespace\":"
        "\"shop.orders\",\"parsedQuery\":{\"status\":{\"$eq\":\"A\"}},\"queryHash\":\"0F0F0F0F\","
        "\"winningPlan\":{\"stage\":\"PROJECTION_SIMPLE\",\"inputStage\":{\"stage\":\"COLLSCAN\","
        "\"filter\":{\"status\":{\"$eq\":\"A\"}},\"direction\":\"forward\"}},\"rejectedPlans\":"
        "[{\"stage\":\"FETCH\",\"inputStage\":{\"stage\":\"IXSCAN\",\"keyPattern\":{\"created\":1},"
        "\"indexName\":\"created_1\"}}]},\"executionStats\":{\"executionSuccess\":true,"
        "\"nReturned\":40,\"executionTimeMillis\":97,\"totalKeysExamined\":0,"
        "\"totalDocsExamined\":120000,\"executionStages\":{\"stage\":\"PROJECTION_SIMPLE\","
        "\"nReturned\":40,\"executionTimeMillisEstimate\":90,\"inputStage\":{\"stage\":"
        "\"COLLSCAN\",\"filter\":{\"status\":{\"$eq\":\"A\"}},\"nReturned\":40,"
        "\"executionTimeMillisEstimate\":88,\"docsExamined\":120000}}}}},{\"$sort\":{\"sortKey\":"
        "{\"created\":-1}},\"nReturned\":40},{\"$limit\":10}],\"command\":{\"aggregate\":"
        "\"orders\","
        "\"pipeline\":[{\"$match\":{\"status\":\"A\"}},{\"$sort\":{\"created\":-1}},{\"$limit\":10}"
        "],"
        "\"cursor\":{},\"$db\":\"shop\"},\"ok\":1}";
    struct run r = {0};
    parse_str(&r, &dbp_mongo_explain_format, "agg.json", ex);
    assert_int_equal(r.rc, DBP_OK);
    assert_int_equal(r.snap->plans.n, 1);
    const struct dbp_plan *p = r.snap->plans.items[0];
    assert_true(p->analyzed);
    assert_true(p->execution_ms == 97);
    assert_string_equal(p->stmt->text,
                        "aggregate orders [$match {status: ?}, $sort {created: -1}, $limit]");
    assert_int_equal(p->root->kind, DBP_NODE_SORT);
    assert_string_equal(p->root->sort_keys[0].column, "created");
    assert_true(p->root->sort_keys[0].desc);
    const struct dbp_plan_node *scan = p->root->children[0]->children[0];
    assert_int_equal(scan->kind, DBP_NODE_FULL_SCAN);
    assert_true(scan->rows_examined == 120000);
    assert_int_equal(scan->preds[0].op, DBP_PRED_EQ);
    /* the rejected plan is named */
    assert_true(r.snap->diags.n >= 1);
    assert_non_null(strstr(r.snap->diags.items[0], "1 rejected plan: FETCH > IXSCAN created_1"));
    /* ESR with the $sort above the scan: status, then created */
    assert_int_equal(dbp_rules_run(r.snap, NULL, NULL), DBP_OK);
    const struct dbp_finding *f = finding(&r, "missing-index", "orders");
    assert_non_null(f);
    assert_string_equal(f->suggestion, "db.orders.createIndex({status: 1, created: -1})");
    done(&r);
}

static void test_indexstats_corpus(void **state)
{
    (void)state;
    struct run r = {0};
    parse_file(&r, &dbp_mongo_indexstats_format, "mongodb/indexstats/datadog-indexStats-bar.json");
    parse_file(&r, &dbp_mongo_indexstats_format, "mongodb/indexstats/datadog-indexStats-foo.json");
    assert_true(r.snap->indexes.n >= 2);
    const struct dbp_index *id = NULL;
    for (size_t i = 0; i < r.snap->indexes.n; i++) {
        const struct dbp_index *ix = r.snap->indexes.items[i];
        if (strcmp(ix->name, "_id_") == 0 && strcmp(ix->table, "bar") == 0)
            id = ix;
    }
    assert_non_null(id);
    assert_true(id->flags & DBP_IDX_PRIMARY);
    assert_int_equal(id->scans, 12);
    assert_true(id->counter_since_us == (int64_t)1600262045088 * 1000);
    assert_string_equal(id->instance, "07611b1ad97a:27018");
    assert_int_equal(id->n_columns, 1);
    assert_string_equal(id->columns[0], "_id");
    done(&r);
}

static bool has_kind(const struct dbp_plan_node *n, enum dbp_node_kind k)
{
    if (!n)
        return false;
    if (n->kind == k)
        return true;
    for (size_t i = 0; i < n->n_children; i++)
        if (has_kind(n->children[i], k))
            return true;
    return false;
}

/* The numbers in a pt-mongodb-query-digest stats file: "Key": [n, ...] summed. */
static double pt_sum(const char *text, const char *key)
{
    char k[64];
    snprintf(k, sizeof k, "\"%s\": [", key);
    const char *p = strstr(text, k);
    if (!p)
        return NAN;
    p += strlen(k);
    double sum = 0;
    while (*p && *p != ']') {
        char *e;
        double v = strtod(p, &e);
        if (e == p)
            break;
        sum += v;
        p = e;
        while (*p == ',' || *p == ' ' || *p == '\n')
            p++;
    }
    return sum;
}

/* Count, QueryTime, NReturned, NScanned of pt-mongodb-query-digest's test suite (its real
 * output on these documents) against the class dbperf makes of each profile document. */
static void test_pt_stats(void **state)
{
    (void)state;
    DIR *dir = opendir(DBPERF_CORPUS "/percona-toolkit/mongo-stats-expected");
    assert_non_null(dir);
    struct dirent *de;
    int files = 0, time_ok = 0, ret_ok = 0, scan_ok = 0, scan_known = 0;
    int scan_flag_ok = 0, scan_flag_known = 0, scan_flag_no_summary = 0;
    while ((de = readdir(dir)) != NULL) {
        if (de->d_name[0] == '.')
            continue;
        char path[1024], rel[512];
        snprintf(path, sizeof path, DBPERF_CORPUS "/percona-toolkit/mongo-stats-expected/%s",
                 de->d_name);
        FILE *f = fopen(path, "r");
        assert_non_null(f);
        char text[8192];
        size_t n = fread(text, 1, sizeof text - 1, f);
        text[n] = 0;
        fclose(f);
        snprintf(rel, sizeof rel, "percona-toolkit/mongo-profiles/%s", de->d_name);
        struct run r = {0};
        parse_file(&r, &dbp_mongo_profile_format, rel);
        assert_int_equal(r.snap->stmts.n, 1);
        const struct dbp_stmt *st = r.snap->stmts.items[0];
        const char *c = strstr(text, "\"Count\": ");
        assert_non_null(c);
        assert_int_equal(st->agg.calls, atoi(c + 9));
        files++;
        if (fabs(st->agg.total_ms - pt_sum(text, "QueryTime")) < 0.001)
            time_ok++;
        else
            print_message("%s: QueryTime %g, dbperf %g\n", de->d_name, pt_sum(text, "QueryTime"),
                          st->agg.total_ms);
        if ((double)st->agg.rows_returned == pt_sum(text, "NReturned"))
            ret_ok++;
        else
            print_message("%s: NReturned %g, dbperf %llu\n", de->d_name, pt_sum(text, "NReturned"),
                          (unsigned long long)st->agg.rows_returned);
        /* TableScan: a COLLSCAN in the plan */
        const char *ts = strstr(text, "\"TableScan\": ");
        if (ts) {
            bool pt_scan = strncmp(ts + 13, "true", 4) == 0;
            bool ours = st->plan && has_kind(st->plan->root, DBP_NODE_FULL_SCAN);
            scan_flag_known++;
            if (pt_scan == ours) {
                scan_flag_ok++;
            } else {
                /* pt looks at planSummary only; a command profiled without one (count,
                 * findAndModify of 3.4+) still shows its COLLSCAN in execStats */
                char ppath[1024];
                snprintf(ppath, sizeof ppath, "%s/%s", DBPERF_CORPUS, rel);
                FILE *pf = fopen(ppath, "r");
                assert_non_null(pf);
                char ptext[16384];
                size_t pn = fread(ptext, 1, sizeof ptext - 1, pf);
                ptext[pn] = 0;
                fclose(pf);
                bool explained = !pt_scan && ours && !strstr(ptext, "\"planSummary\"") &&
                                 strstr(ptext, "\"COLLSCAN\"");
                if (explained)
                    scan_flag_no_summary++;
                print_message("%s: TableScan %d, dbperf full scan %d%s\n", de->d_name, pt_scan,
                              ours, explained ? " (no planSummary; COLLSCAN in execStats)" : "");
            }
        }
        if (st->agg.flags & DBP_AGG_ROWS_EXAMINED) {
            scan_known++;
            if ((double)st->agg.rows_examined == pt_sum(text, "NScanned"))
                scan_ok++;
            else
                print_message("%s: NScanned %g, dbperf docs examined %llu\n", de->d_name,
                              pt_sum(text, "NScanned"), (unsigned long long)st->agg.rows_examined);
        }
        done(&r);
    }
    closedir(dir);
    print_message("pt-mongodb-query-digest stats: %d profiles; Count equal in all, QueryTime in "
                  "%d, NReturned in %d, NScanned = docs examined in %d of %d known\n",
                  files, time_ok, ret_ok, scan_ok, scan_known);
    assert_int_equal(files, 95);
    assert_int_equal(time_ok, files);
    assert_int_equal(ret_ok, files);
    print_message("TableScan = a full-scan node in dbperf's plan: %d of %d (%d more where the "
                  "profile has no planSummary and execStats shows the COLLSCAN)\n",
                  scan_flag_ok, scan_flag_known, scan_flag_no_summary);
    assert_int_equal(scan_flag_ok + scan_flag_no_summary, scan_flag_known);
    assert_int_equal(scan_ok, scan_known);
    assert_true(scan_known >= 90);
}

/* ---- inline: sessions, N+1, malformed lines ----------------------------------- */

#define SLOW(ctx, ms, cmd)                                                                         \
    "{\"t\":{\"$date\":\"2024-01-01T00:00:0" ms "Z\"},\"s\":\"I\",\"c\":\"COMMAND\",\"id\":"       \
    "51803,\"ctx\":\"" ctx "\",\"msg\":\"Slow query\",\"attr\":{\"type\":\"command\",\"ns\":"      \
    "\"shop.items\",\"command\":" cmd ",\"planSummary\":\"IDHACK\",\"keysExamined\":1,"            \
    "\"docsExamined\":1,\"nreturned\":1,\"durationMillis\":" ms "}}\n"

static void test_sessions_n_plus_one(void **state)
{
    (void)state;
    const char *parent = "{\"find\":\"orders\",\"filter\":{\"user\":1}}";
    const char *child = "{\"find\":\"items\",\"filter\":{\"_id\":5}}";
    size_t cap = 200000;
    char *log = malloc(cap);
    int n = 0;
    n += snprintf(log + n, cap - (size_t)n, "%s",
                  "{\"t\":{\"$date\":\"2024-01-01T00:00:00Z\"},\"s\":\"I\",\"c\":\"COMMAND\","
                  "\"id\":51803,\"ctx\":\"conn7\",\"msg\":\"Slow query\",\"attr\":{\"type\":"
                  "\"command\",\"ns\":\"shop.orders\",\"command\":{\"find\":\"orders\",\"filter\""
                  ":{\"user\":1}},\"durationMillis\":3}}\n");
    (void)parent;
    for (int i = 0; i < 120; i++)
        n += snprintf(log + n, cap - (size_t)n, SLOW("conn7", "1", "%s"), child);
    n += snprintf(log + n, cap - (size_t)n, "%s",
                  "{\"t\":{\"$date\":\"2024-01-01T00:00:02Z\"},\"s\":\"I\",\"c\":\"NETWORK\","
                  "\"id\":22944,\"ctx\":\"conn7\",\"msg\":\"Connection ended\",\"attr\":{}}\n"
                  "not json at all\n"
                  "{\"t\":{\"$date\":\"2024-01-01T00:00:03Z\"},\"id\":51803,\"attr\":{\n");
    struct run r = {0};
    parse_str(&r, &dbp_mongo_log_json_format, "t.log", log);
    free(log);
    assert_int_equal(r.rc, DBP_ERR_FORMAT);
    assert_int_equal(r.src->entries, 121);
    assert_int_equal(r.src->skipped, 2);
    assert_true(r.snap->n_diags >= 1);
    assert_non_null(strstr(r.err.message, "t.log:123"));
    struct dbp_stmt *st = find_stmt(&r, "find items {_id: ?}");
    assert_non_null(st);
    assert_int_equal(st->agg.calls, 120);
    assert_int_equal(r.snap->bursts.n, 1);
    const struct dbp_burst *b = r.snap->bursts.items[0];
    assert_ptr_equal(b->child, st);
    assert_non_null(b->parent);
    assert_string_equal(b->parent->text, "find orders {user: ?}");
    assert_int_equal(b->calls, 120);
    /* the N+1 rule sees it */
    assert_int_equal(dbp_rules_run(r.snap, NULL, NULL), DBP_OK);
    assert_non_null(finding(&r, "n-plus-one", NULL));
    done(&r);
}

/* the 4.0 text log: sessions by [connN], ended by "end connection"; a run of 150 lookups
 * after one parent query is a burst, and a run cut by the end of its connection too */
static void test_text_log_sessions(void **state)
{
    (void)state;
    size_t cap = 200000;
    char *log = malloc(cap);
    int n = 0;
    n += snprintf(log + n, cap - (size_t)n,
                  "2019-06-18T12:00:00.000+0100 I COMMAND  [conn5] command shop.orders "
                  "appName: \"app\" command: find { find: \"orders\", filter: { user: 7.0 }, "
                  "$db: \"shop\" } planSummary: IXSCAN { user: 1 } keysExamined:3 "
                  "docsExamined:3 cursorExhausted:1 numYields:0 nreturned:3 reslen:300 "
                  "protocol:op_msg 2ms\n");
    for (int i = 0; i < 150; i++)
        n += snprintf(log + n, cap - (size_t)n,
                      "2019-06-18T12:00:00.%03d+0100 I COMMAND  [conn5] command shop.items "
                      "command: find { find: \"items\", filter: { _id: ObjectId('5d08f0a1%016d') "
                      "}, limit: 1, $db: \"shop\" } planSummary: IDHACK keysExamined:1 "
                      "docsExamined:1 cursorExhausted:1 numYields:0 nreturned:1 reslen:200 "
                      "protocol:op_msg 1ms\n",
                      i + 1, i);
    n += snprintf(log + n, cap - (size_t)n,
                  "2019-06-18T12:00:01.000+0100 I NETWORK  [conn5] end connection "
                  "127.0.0.1:50000 (3 connections now open)\n");
    struct run r = {0};
    parse_str(&r, &dbp_mongo_log_text_format, "t.log", log);
    free(log);
    assert_int_equal(r.rc, DBP_OK);
    assert_int_equal(r.src->entries, 151);
    struct dbp_stmt *st = find_stmt(&r, "find items {_id: ?}");
    assert_non_null(st);
    assert_int_equal(st->agg.calls, 150);
    assert_true(fabs(st->agg.total_ms - 150) < 0.01);
    assert_int_equal(st->agg.first_seen_us, (int64_t)1560855600001000);
    assert_int_equal(r.snap->bursts.n, 1);
    const struct dbp_burst *b = r.snap->bursts.items[0];
    assert_ptr_equal(b->child, st);
    assert_string_equal(b->parent->text, "find orders {user: ?}");
    assert_string_equal(b->example_session, "conn5");
    assert_int_equal(dbp_rules_run(r.snap, NULL, NULL), DBP_OK);
    assert_non_null(finding(&r, "n-plus-one", NULL));
    done(&r);
}

/* ---- inline: the rules on a COLLSCAN with sort ---------------------------------- */

static void test_rules_collscan_esr(void **state)
{
    (void)state;
    const char *log =
        "{\"t\":{\"$date\":\"2024-01-01T00:00:00.000+00:00\"},\"s\":\"I\",\"c\":\"COMMAND\","
        "\"id\":51803,\"ctx\":\"conn1\",\"msg\":\"Slow query\",\"attr\":{\"type\":\"command\","
        "\"ns\":\"shop.orders\",\"command\":{\"find\":\"orders\",\"filter\":{\"qty\":{\"$gt\":5},"
        "\"status\":\"A\"},\"sort\":{\"created\":-1},\"$db\":\"shop\"},\"planSummary\":"
        "\"COLLSCAN\",\"keysExamined\":0,\"docsExamined\":250000,\"hasSortStage\":true,"
        "\"nreturned\":12,\"queryHash\":\"1A2B3C4D\",\"durationMillis\":420}}\n";
    struct run r = {0};
    parse_str(&r, &dbp_mongo_log_json_format, "t.log", log);
    assert_int_equal(r.rc, DBP_OK);
    struct dbp_stmt *st =
        find_stmt(&r, "find orders {qty: {$gt: ?}, status: ?} sort {created: -1}");
    assert_non_null(st);
    assert_int_equal(st->engine_id, 0x1A2B3C4D);
    assert_non_null(st->plan);
    const struct dbp_plan_node *srt = st->plan->root;
    assert_int_equal(srt->kind, DBP_NODE_SORT);
    assert_int_equal(srt->n_sort_keys, 1);
    assert_string_equal(srt->sort_keys[0].column, "created");
    assert_true(srt->sort_keys[0].desc);
    const struct dbp_plan_node *scan = srt->children[0];
    assert_int_equal(scan->kind, DBP_NODE_FULL_SCAN);
    assert_string_equal(scan->relation, "orders");
    assert_string_equal(scan->schema, "shop");
    assert_true(scan->rows_examined == 250000);
    assert_int_equal(scan->n_preds, 2);
    assert_int_equal(dbp_rules_run(r.snap, NULL, NULL), DBP_OK);
    const struct dbp_finding *f = finding(&r, "seq-scan", "orders");
    assert_non_null(f);
    f = finding(&r, "missing-index", "orders");
    assert_non_null(f);
    /* ESR: equality (status), sort (created desc), range (qty) */
    assert_non_null(f->suggestion);
    assert_string_equal(f->suggestion, "db.orders.createIndex({status: 1, created: -1, qty: 1})");
    done(&r);
}

static void test_rules_indexes(void **state)
{
    (void)state;
    const char *stats =
        "[{\"name\":\"_id_\",\"key\":{\"_id\":1},\"host\":\"h1:27017\",\"accesses\":{\"ops\":0,"
        "\"since\":{\"$date\":\"2024-01-01T00:00:00Z\"}}},"
        "{\"name\":\"a_1\",\"key\":{\"a\":1},\"host\":\"h1:27017\",\"accesses\":{\"ops\":"
        "{\"$numberLong\":\"0\"},\"since\":{\"$date\":\"2024-01-01T00:00:00Z\"}}},"
        "{\"name\":\"a_1_b_-1\",\"key\":{\"a\":1,\"b\":-1},\"host\":\"h1:27017\",\"accesses\":"
        "{\"ops\":77,\"since\":{\"$date\":\"2024-01-01T00:00:00Z\"}}}]";
    struct run r = {0};
    parse_str(&r, &dbp_mongo_indexstats_format, "/tmp/indexStats-shop.orders.json", stats);
    assert_int_equal(r.rc, DBP_OK);
    assert_int_equal(r.snap->indexes.n, 3);
    const struct dbp_index *ab = r.snap->indexes.items[2];
    assert_string_equal(ab->database, "shop");
    assert_string_equal(ab->table, "orders");
    assert_int_equal(ab->n_columns, 2);
    assert_string_equal(ab->columns[1], "b DESC");
    assert_int_equal(ab->scans, 77);
    assert_int_equal(dbp_rules_run(r.snap, NULL, NULL), DBP_OK);
    const struct dbp_finding *u = finding(&r, "unused-index", "a_1");
    assert_non_null(u);
    /* _id_ is never droppable: at most an info line without a suggestion */
    const struct dbp_finding *idf = finding(&r, "unused-index", "_id_");
    assert_true(!idf || (!idf->suggestion && idf->severity == DBP_SEV_INFO));
    assert_non_null(u->suggestion);
    const struct dbp_finding *d = finding(&r, "duplicate-index", "a_1");
    assert_non_null(d);
    assert_non_null(d->suggestion);
    assert_non_null(strstr(d->suggestion, "db.orders.dropIndex(\"a_1\")"));
    done(&r);
}

static void test_probes(void **state)
{
    (void)state;
    const struct dbp_driver *drv = NULL;
    const char *json = "{\"t\":{\"$date\":\"2024-01-01T00:00:00Z\"},\"s\":\"I\"}";
    const struct dbp_format *f = dbp_format_detect((const unsigned char *)json, strlen(json), &drv);
    assert_ptr_equal(f, &dbp_mongo_log_json_format);
    const char *text = "2019-06-18T11:59:16.516+0100 I COMMAND  [conn1] command admin.$cmd";
    f = dbp_format_detect((const unsigned char *)text, strlen(text), &drv);
    assert_ptr_equal(f, &dbp_mongo_log_text_format);
    const char *expl = "{\"queryPlanner\":{\"winningPlan\":{\"stage\":\"COLLSCAN\"}}}";
    f = dbp_format_detect((const unsigned char *)expl, strlen(expl), &drv);
    assert_ptr_equal(f, &dbp_mongo_explain_format);
    assert_true(dbp_mongo_accepts_target("mongodb://h/"));
    assert_true(dbp_mongo_accepts_target("mongodb+srv://c.example.net/"));
    assert_false(dbp_mongo_accepts_target("postgres://h/"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_json_log_corpus),
        cmocka_unit_test(test_text_log_corpus),
        cmocka_unit_test(test_profile_corpus),
        cmocka_unit_test(test_explain_corpus),
        cmocka_unit_test(test_indexstats_corpus),
        cmocka_unit_test(test_sessions_n_plus_one),
        cmocka_unit_test(test_explain_aggregate),
        cmocka_unit_test(test_pt_stats),
        cmocka_unit_test(test_text_log_sessions),
        cmocka_unit_test(test_rules_collscan_esr),
        cmocka_unit_test(test_rules_indexes),
        cmocka_unit_test(test_probes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
