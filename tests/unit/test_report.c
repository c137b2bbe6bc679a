/*
 * test_report.c -- report writers (text, JSON, Markdown) and the dbperf-json
 * loader.
 *
 * A snapshot built by hand (statements with aggregates, plans, findings with
 * evidence and suggestions, indexes, a table, a burst, diagnostics) is written
 * in each format and compared with tests/data/report/<case>.{txt,json,md}.
 * DBPERF_UPDATE_GOLDEN=1 rewrites the golden files instead (review the diff);
 * DBPERF_REPORT_OUT=<dir> also saves every JSON report written, for the
 * schema validation test in tests/report.cmake.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <cjson/cJSON.h>

#include <dbperf/arena.h>
#include <dbperf/buf.h>
#include <dbperf/driver.h>
#include <dbperf/error.h>
#include <dbperf/reader.h>
#include <dbperf/report.h>

#include "report_int.h"

#define SECRET "sk_live_SECRET123"
#define NOW_US (INT64_C(1700000000) * 1000000)

/* ---- fixtures --------------------------------------------------------- */

static struct dbp_plan_node *node(struct dbp_snapshot *snap, enum dbp_node_kind k,
                                  const char *name, const char *rel)
{
    struct dbp_plan_node *n = dbp_plan_node_new(snap);
    n->kind = k;
    n->engine_name = dbp_arena_strdup(snap->arena, name);
    n->relation = dbp_arena_strdup(snap->arena, rel);
    return n;
}

/*
 * The golden snapshot. Plan conditions here hold no constants, so the golden
 * files do not depend on the fingerprint module; literal masking is tested
 * separately (t_no_literal_leaks).
 */
static struct dbp_snapshot *make_snapshot(bool invalid_utf8)
{
    struct dbp_snapshot *snap = dbp_snapshot_new();
    struct dbp_arena *A = snap->arena;

    struct dbp_source *src = dbp_snapshot_add_source(snap, "/var/log/postgresql/postgresql-15-main.log",
                                                     "postgres-stderr");
    src->engine = DBP_ENGINE_POSTGRES;
    src->server_version = "15.4";
    src->bytes = 1234567;
    src->entries = 1200;
    src->skipped = 2;
    src = dbp_snapshot_add_source(snap, "mysql-slow.log", "mysql-slow");
    src->engine = DBP_ENGINE_MYSQL;
    src->bytes = 900;
    src->entries = 3;
    src->status = DBP_ERR_FORMAT;
    src->error = "mysql-slow.log:17: malformed \"# Time:\" header";

    /* a log statement: every call known (quantiles from the sketch) */
    const char *t1 = "SELECT * FROM orders WHERE customer_id = $1 AND status = $2 ORDER BY "
                     "created_at DESC";
    struct dbp_stmt *s1 = dbp_snapshot_stmt(snap, DBP_ENGINE_POSTGRES, "shop", t1, strlen(t1));
    s1->source = DBP_SRC_LOG;
    s1->user = "app";
    for (int i = 1; i <= 40; i++)
        dbp_agg_add(&s1->agg, 2.5 * i, 1000 + i, i % 3, NOW_US - INT64_C(3600000000) + i * 1000000);
    const char *ex1 = "SELECT * FROM orders WHERE customer_id = 42 AND status = '" SECRET
                      "' ORDER BY created_at DESC";
    dbp_stmt_offer_example(snap, s1, ex1, strlen(ex1), 100.0);

    /* pg_stat_statements-like: no per-call data, quantiles as reported */
    const char *t2 = "select * from users where email = ?";
    struct dbp_stmt *s2 = dbp_snapshot_stmt(snap, DBP_ENGINE_MYSQL, "crm", t2, strlen(t2));
    s2->source = DBP_SRC_PERFSCHEMA;
    s2->agg.calls = 5000;
    s2->agg.total_ms = 2500.5;
    s2->agg.min_ms = 0.125;
    s2->agg.max_ms = 12;
    s2->agg.fixed_q_ms[0] = 0.4;
    s2->agg.fixed_q_ms[1] = 1.5;
    s2->agg.fixed_q_ms[2] = 3.25;
    s2->engine_id_text = "3E0A6B9C1D2F4A5B6C7D8E9F00112233";
    s2->engine_id = -1234567890123456789;

    /* text needing escapes: pipes, backticks, a tab, a newline, UTF-8, an invalid byte */
    const char *t3 = invalid_utf8
                         ? "SELECT `a|b`, \"naïve\"\tFROM t_with_a_rather_long_name_that_will_not_fit\n"
                           "WHERE x = $1 OR y <> $2 \xff /* * _ [ ] */"
                         : "SELECT `a|b`, \"naïve\"\tFROM t_with_a_rather_long_name_that_will_not_fit\n"
                           "WHERE x = $1 OR y <> $2 /* * _ [ ] */";
    struct dbp_stmt *s3 = dbp_snapshot_stmt(snap, DBP_ENGINE_POSTGRES, NULL, t3, strlen(t3));
    dbp_agg_add(&s3->agg, 0.75, -1, 7, 0);

    /* s1's plan: Sort over a Seq Scan with a filter */
    struct dbp_plan *p = dbp_arena_alloc(A, sizeof *p);
    p->engine = DBP_ENGINE_POSTGRES;
    p->format = "postgres-json";
    p->origin = "postgresql-15-main.log:812";
    p->analyzed = true;
    p->planning_ms = 0.25;
    p->execution_ms = 98.5;
    p->stmt = s1;
    struct dbp_plan_node *sort = node(snap, DBP_NODE_SORT, "Sort", NULL);
    sort->sort_keys = dbp_arena_alloc(A, sizeof *sort->sort_keys);
    sort->sort_keys[0].column = "created_at";
    sort->sort_keys[0].desc = true;
    sort->n_sort_keys = 1;
    sort->est_rows = 12;
    sort->act_rows = 10;
    sort->loops = 1;
    sort->startup_cost = 1234.5;
    sort->total_cost = 1234.75;
    sort->actual_ms = 98.1;
    struct dbp_plan_node *scan = node(snap, DBP_NODE_FULL_SCAN, "Seq Scan", "orders");
    scan->schema = "public";
    scan->alias = "o";
    scan->condition = "((customer_id = $1) AND (status = $2))";
    scan->preds = dbp_arena_alloc(A, 2 * sizeof *scan->preds);
    scan->preds[0].column = "customer_id";
    scan->preds[0].op = DBP_PRED_EQ;
    scan->preds[1].column = "status";
    scan->preds[1].op = DBP_PRED_IN;
    scan->n_preds = 2;
    /* what pg_qualstats saw the statement filter on */
    scan->observed_preds = dbp_arena_alloc(A, 2 * sizeof *scan->observed_preds);
    scan->observed_preds[0].column = "customer_id";
    scan->observed_preds[0].op = DBP_PRED_EQ;
    scan->observed_preds[1].column = "created_at";
    scan->observed_preds[1].op = DBP_PRED_RANGE;
    scan->n_observed_preds = 2;
    scan->observed_from = "pg_qualstats";
    scan->est_rows = 12;
    scan->act_rows = 10;
    scan->loops = 1;
    scan->total_cost = 1200;
    scan->actual_ms = 97.75;
    scan->rows_examined = 1200000;
    dbp_plan_node_add_child(snap, sort, scan);
    p->root = sort;
    dbp_snapshot_add_plan(snap, p);

    /* a bare plan (no statement) */
    struct dbp_plan *bp = dbp_arena_alloc(A, sizeof *bp);
    bp->engine = DBP_ENGINE_MYSQL;
    bp->format = "mysql-json";
    bp->origin = "explain.json";
    bp->planning_ms = bp->execution_ms = NAN;
    struct dbp_plan_node *all = node(snap, DBP_NODE_FULL_SCAN, "ALL", "users");
    all->index_preds = dbp_arena_alloc(A, sizeof *all->index_preds);
    all->index_preds[0].column = "email";
    all->index_preds[0].op = DBP_PRED_RANGE;
    all->n_index_preds = 1;
    all->est_rows = 50000;
    bp->root = all;
    dbp_snapshot_add_plan(snap, bp);

    /* indexes and a table */
    struct dbp_index *pk = dbp_snapshot_add_index(snap);
    pk->engine = DBP_ENGINE_POSTGRES;
    pk->instance = "db1:5432";
    pk->database = "shop";
    pk->schema = "public";
    pk->table = "orders";
    pk->name = "orders_pkey";
    pk->columns = dbp_arena_alloc(A, sizeof *pk->columns);
    pk->columns[0] = "id";
    pk->n_columns = 1;
    pk->method = "btree";
    pk->definition = "CREATE UNIQUE INDEX orders_pkey ON public.orders USING btree (id)";
    pk->flags = DBP_IDX_PRIMARY | DBP_IDX_UNIQUE | DBP_IDX_CONSTRAINT;
    pk->size_bytes = 16384;
    pk->scans = 1234;
    pk->counter_since_us = NOW_US - INT64_C(86400000000) * 30;
    struct dbp_index *old = dbp_snapshot_add_index(snap);
    old->engine = DBP_ENGINE_POSTGRES;
    old->instance = "db1:5432";
    old->database = "shop";
    old->schema = "public";
    old->table = "orders";
    old->name = "orders_status_old_idx";
    old->columns = dbp_arena_alloc(A, 2 * sizeof *old->columns);
    old->columns[0] = "status";
    old->columns[1] = "created_at DESC";
    old->n_columns = 2;
    old->method = "btree";
    old->predicate = "(archived = false)";
    old->flags = DBP_IDX_PARTIAL;
    old->size_bytes = 8 * 1024 * 1024;
    old->scans = 0;
    struct dbp_table *tb = dbp_snapshot_add_table(snap);
    tb->engine = DBP_ENGINE_POSTGRES;
    tb->instance = "db1:5432";
    tb->database = "shop";
    tb->schema = "public";
    tb->name = "orders";
    tb->rows = 1200000;
    tb->size_bytes = 250 * 1024 * 1024;
    tb->seq_scans = 4000;
    tb->seq_rows_read = 4800000000;
    tb->idx_scans = 1234;

    /* findings */
    struct dbp_finding *f = dbp_snapshot_add_finding(snap);
    f->rule = "seq-scan";
    f->severity = DBP_SEV_CRITICAL;
    f->engine = DBP_ENGINE_POSTGRES;
    f->object = "public.orders";
    f->message = "Full scan of public.orders (1.2M rows) in the statement taking 95% of the time";
    dbp_finding_add_evidence(snap, f, "rows_examined", 1200000, NULL);
    dbp_finding_add_evidence(snap, f, "share_of_time", 0.9512, NULL);
    dbp_finding_add_evidence(snap, f, "node", NAN, "Seq Scan");
    f->suggestion = "CREATE INDEX CONCURRENTLY ON public.orders (customer_id, status);";
    f->benefit = 0.87;
    f->verified = DBP_VERIFY_HYPOPG;
    f->verify_note = "cost 1234.75 -> 160.5 with a hypothetical index";
    f->fpid = s1->fpid;
    f->candidate = dbp_arena_alloc(A, sizeof *f->candidate);
    f->candidate->engine = DBP_ENGINE_POSTGRES;
    f->candidate->schema = "public";
    f->candidate->table = "orders";
    f->candidate->columns = dbp_arena_alloc(A, 2 * sizeof *f->candidate->columns);
    f->candidate->columns[0] = "customer_id";
    f->candidate->columns[1] = "status";
    f->candidate->n_columns = 2;
    f->candidate->size_bytes = -1;
    f->candidate->scans = -1;
    f->candidate_stmt = s1;
    f = dbp_snapshot_add_finding(snap);
    f->rule = "unused-index";
    f->severity = DBP_SEV_WARNING;
    f->engine = DBP_ENGINE_POSTGRES;
    f->object = "public.orders_status_old_idx";
    f->message = "Index never scanned in 30 days (8.0 MB)";
    dbp_finding_add_evidence(snap, f, "scans", 0, NULL);
    dbp_finding_add_evidence(snap, f, "size_bytes", 8388608, NULL);
    f->suggestion = "DROP INDEX CONCURRENTLY public.orders_status_old_idx;";
    f->verified = DBP_VERIFY_COUNTERS;
    f = dbp_snapshot_add_finding(snap);
    f->rule = "n-plus-one";
    f->severity = DBP_SEV_INFO;
    f->engine = DBP_ENGINE_MYSQL;
    f->object = "9F86D081884C7D65";
    f->message = "The same query ran 120 times in a row in one session right after another "
                 "query, a pattern typical of an ORM loading a collection row by row; "
                 "consider one query with IN (...) or a JOIN";
    dbp_finding_add_evidence(snap, f, "max_run", 120, NULL);
    f->fpid = s2->fpid;

    /* an N+1 burst and diagnostics */
    struct dbp_burst *b = dbp_arena_alloc(A, sizeof *b);
    b->parent = s1;
    b->child = s2;
    b->runs = 3;
    b->calls = 360;
    b->max_run = 120;
    b->total_ms = 180.25;
    b->max_call_ms = 2.5;
    b->max_rows = 1;
    b->example_session = "6543a1b2.4d2";
    b->example_ts_us = NOW_US - 60000000;
    dbp_vec_push(&snap->bursts, b);
    dbp_snapshot_diag(snap, "postgresql-15-main.log:12: line not in the log_line_prefix format");
    dbp_snapshot_diag(snap, "mysql-slow.log:17: malformed \"# Time:\" header");
    snap->n_diags = 9; /* 7 more than kept */
    return snap;
}

static struct dbp_snapshot *golden_snapshot(void)
{
    return make_snapshot(true);
}

static struct dbp_report_opts opts(enum dbp_report_format f)
{
    struct dbp_report_opts o = {0};
    o.format = f;
    o.tool_version = "0.1.0-test";
    o.generated_us = NOW_US;
    return o;
}

/* ---- helpers ---------------------------------------------------------- */

/* The report as a heap string (free()). */
static char *render(const struct dbp_snapshot *snap, const struct dbp_report_opts *o)
{
    char *data = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&data, &len);
    assert_non_null(f);
    struct dbp_error err = {0};
    assert_int_equal(dbp_report_write(f, snap, o, &err), DBP_OK);
    fclose(f);
    return data;
}

static char *slurp_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    struct dbp_buf b = {0};
    char tmp[4096];
    size_t k;
    while ((k = fread(tmp, 1, sizeof tmp, f)) > 0)
        dbp_buf_append(&b, tmp, k);
    fclose(f);
    if (!b.data)
        dbp_buf_puts(&b, "");
    return b.data;
}

static void write_file(const char *path, const char *s)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs(s, f);
    fclose(f);
}

/* Save a JSON report for the schema test when DBPERF_REPORT_OUT is set. */
static void save_for_schema(const char *name, const char *json)
{
    const char *dir = getenv("DBPERF_REPORT_OUT");
    if (!dir || !*dir)
        return;
    char path[1024];
    snprintf(path, sizeof path, "%s/%s.json", dir, name);
    write_file(path, json);
}

static void check_golden(const char *got, const char *name)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/report/%s", DBPERF_TEST_DATA, name);
    const char *upd = getenv("DBPERF_UPDATE_GOLDEN");
    if (upd && *upd == '1') {
        write_file(path, got);
        return;
    }
    char *want = slurp_file(path);
    if (!want)
        fail_msg("%s: missing golden file (DBPERF_UPDATE_GOLDEN=1 writes it)", path);
    if (strcmp(got, want) != 0) {
        /* show the first differing line */
        size_t line = 1, i = 0;
        while (got[i] && got[i] == want[i]) {
            if (got[i] == '\n')
                line++;
            i++;
        }
        size_t s = i;
        while (s > 0 && got[s - 1] != '\n')
            s--;
        print_error("%s differs at line %zu:\n got: %.100s\nwant: %.100s\n", path, line, got + s,
                    want + s);
        free(want);
        fail();
    }
    free(want);
}

/* Load a JSON report through the dbperf-json format into a new snapshot. */
static struct dbp_snapshot *load(const char *json, int *rc, struct dbp_error *err)
{
    struct dbp_snapshot *snap = dbp_snapshot_new();
    struct dbp_reader *r = dbp_reader_open_mem(json, strlen(json), "saved.json");
    struct dbp_source *src = dbp_snapshot_add_source(snap, "saved.json", "dbperf-json");
    struct dbp_parse_opts po = {0};
    *rc = dbp_report_json_format.parse(r, &po, snap, src, err);
    dbp_reader_close(r);
    return snap;
}

/* Display columns of one line: UTF-8 code points, ANSI escape sequences excluded. */
static size_t line_cols(const char *s, size_t len)
{
    size_t cols = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '\033') {
            while (i < len && s[i] != 'm')
                i++;
            continue;
        }
        if (((unsigned char)s[i] & 0xC0) != 0x80)
            cols++;
    }
    return cols;
}

static void assert_lines_fit(const char *text, size_t width)
{
    const char *p = text;
    size_t lineno = 1;
    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        size_t cols = line_cols(p, len);
        if (cols > width)
            fail_msg("line %zu has %zu columns (> %zu): %.*s", lineno, cols, width, (int)len, p);
        p += len + (nl ? 1 : 0);
        lineno++;
    }
}

/* ---- golden tests ----------------------------------------------------- */

static void t_golden_json(void **state)
{
    (void)state;
    struct dbp_snapshot *snap = golden_snapshot();
    struct dbp_report_opts o = opts(DBP_REPORT_JSON);
    char *out = render(snap, &o);
    check_golden(out, "basic.json");
    save_for_schema("basic", out);
    free(out);
    o.show_literals = true;
    o.top = 1;
    out = render(snap, &o);
    check_golden(out, "top1-literals.json");
    save_for_schema("top1-literals", out);
    free(out);
    dbp_snapshot_free(snap);
}

static void t_golden_text(void **state)
{
    (void)state;
    struct dbp_snapshot *snap = golden_snapshot();
    struct dbp_report_opts o = opts(DBP_REPORT_TEXT);
    char *out = render(snap, &o);
    check_golden(out, "basic.txt");
    assert_lines_fit(out, 80);
    assert_null(strchr(out, '\033'));
    free(out);
    o.color = true;
    out = render(snap, &o);
    check_golden(out, "basic-color.txt");
    assert_lines_fit(out, 80);
    assert_non_null(strstr(out, "\033[1;31mCRITICAL\033[0m"));
    assert_non_null(strstr(out, "\033[1;33mWARNING\033[0m"));
    assert_non_null(strstr(out, "\033[1;36mINFO\033[0m"));
    free(out);
    dbp_snapshot_free(snap);
}

static void t_golden_md(void **state)
{
    (void)state;
    struct dbp_snapshot *snap = golden_snapshot();
    struct dbp_report_opts o = opts(DBP_REPORT_MARKDOWN);
    char *out = render(snap, &o);
    check_golden(out, "basic.md");
    /* no raw pipe or backtick from the statement text survives unescaped */
    assert_non_null(strstr(out, "\\`a\\|b\\`"));
    free(out);
    dbp_snapshot_free(snap);
}

/* ---- properties ------------------------------------------------------- */

static void t_json_valid_and_complete(void **state)
{
    (void)state;
    struct dbp_snapshot *snap = golden_snapshot();
    struct dbp_report_opts o = opts(DBP_REPORT_JSON);
    char *out = render(snap, &o);
    cJSON *root = cJSON_Parse(out);
    assert_non_null(root);
    assert_string_equal(cJSON_GetObjectItem(root, "tool")->valuestring, "dbperf");
    assert_int_equal(cJSON_GetObjectItem(root, "version")->valueint, DBP_REPORT_VERSION);
    assert_string_equal(cJSON_GetObjectItem(root, "generated_at")->valuestring,
                        "2023-11-14T22:13:20Z");
    cJSON *stmts = cJSON_GetObjectItem(root, "statements");
    assert_int_equal(cJSON_GetArraySize(stmts), 3);
    /* sorted by total time: s2 (2500.5 ms), s1 (2050 ms), s3 */
    cJSON *s0 = cJSON_GetArrayItem(stmts, 0);
    assert_string_equal(cJSON_GetObjectItem(s0, "engine")->valuestring, "mysql");
    assert_true(cJSON_IsNull(cJSON_GetObjectItem(s0, "rows_examined")));
    assert_true(cJSON_GetObjectItem(s0, "p95_ms")->valuedouble == 1.5);
    cJSON *s1 = cJSON_GetArrayItem(stmts, 1);
    assert_true(cJSON_GetObjectItem(s1, "total_ms")->valuedouble == 2050);
    assert_true(cJSON_GetObjectItem(s1, "rows_examined")->valuedouble == 40820);
    char hex[17];
    struct dbp_stmt *st1 = snap->stmts.items[0];
    dbp_report_fpid_hex(st1->fpid, hex);
    assert_string_equal(cJSON_GetObjectItem(s1, "fingerprint")->valuestring, hex);
    assert_int_equal(strlen(hex), 16);
    /* s3's text: tab/newline escaped, invalid byte replaced by U+FFFD */
    cJSON *s2 = cJSON_GetArrayItem(stmts, 2);
    const char *t3 = cJSON_GetObjectItem(s2, "text")->valuestring;
    assert_non_null(strstr(t3, "\"na\xC3\xAFve\"\tFROM"));
    assert_non_null(strstr(t3, "$2 \xEF\xBF\xBD /*"));
    assert_non_null(strstr(out, "\\tFROM"));
    assert_non_null(strstr(out, "\\nWHERE"));
    /* every field the issue requires */
    static const char *const stmt_fields[] = {
        "fingerprint", "engine",  "database", "text",          "calls",        "total_ms",
        "mean_ms",     "p95_ms",  "rows_examined", "rows_returned", "plan",    "first_seen"};
    for (size_t i = 0; i < sizeof stmt_fields / sizeof *stmt_fields; i++)
        assert_non_null(cJSON_GetObjectItem(s1, stmt_fields[i]));
    static const char *const fnd_fields[] = {"rule",    "severity", "engine",    "object",
                                             "message", "evidence", "suggestion", "benefit",
                                             "verified", "verify_note", "fingerprint", "candidate"};
    cJSON *f0 = cJSON_GetArrayItem(cJSON_GetObjectItem(root, "findings"), 0);
    for (size_t i = 0; i < sizeof fnd_fields / sizeof *fnd_fields; i++)
        assert_non_null(cJSON_GetObjectItem(f0, fnd_fields[i]));
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(root, "indexes")), 2);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(root, "plans")), 1);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(root, "bursts")), 1);
    assert_int_equal(cJSON_GetObjectItem(root, "diagnostics_total")->valueint, 9);
    cJSON_Delete(root);
    free(out);
    dbp_snapshot_free(snap);
}

static void t_json_escaping(void **state)
{
    (void)state;
    struct dbp_buf b = {0};
    /* control characters, quotes, backslash, valid 2/3/4-byte UTF-8, then invalid
     * sequences: lone continuation, overlong, surrogate, truncated at the end */
    dbp_json_quote(&b, "a\"b\\c\x01\x1f\n\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80"
                       "\x80|\xC0\xAF|\xED\xA0\x80|\xE2\x82");
    assert_string_equal(b.data, "\"a\\\"b\\\\c\\u0001\\u001f\\n\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80"
                                "\xEF\xBF\xBD|\xEF\xBF\xBD\xEF\xBF\xBD|\xEF\xBF\xBD\xEF\xBF\xBD"
                                "\xEF\xBF\xBD|\xEF\xBF\xBD\xEF\xBF\xBD\"");
    dbp_buf_free(&b);

    /* numbers: NaN -> null, -1 counts -> null, exact round trip */
    struct dbp_emit w;
    dbp_emit_init(&w, DBP_EMIT_JSON, &b);
    dbp_emit_open_group(&w, NULL, false);
    dbp_emit_prop_num(&w, "nan", NAN);
    dbp_emit_prop_num(&w, "inf", INFINITY);
    dbp_emit_prop_int(&w, "unknown", -1);
    dbp_emit_prop_num(&w, "third", 1.0 / 3);
    dbp_emit_prop_num(&w, "tenth", 0.1);
    dbp_emit_open_group(&w, "empty", true);
    dbp_emit_close_group(&w);
    dbp_emit_close_group(&w);
    assert_string_equal(b.data, "{\n  \"nan\": null,\n  \"inf\": null,\n  \"unknown\": null,\n"
                                "  \"third\": 0.3333333333333333,\n  \"tenth\": 0.1,\n"
                                "  \"empty\": []\n}\n");
    dbp_buf_free(&b);

    /* the text backend of the same emitter */
    dbp_emit_init(&w, DBP_EMIT_TEXT, &b);
    dbp_emit_open_group(&w, NULL, false);
    dbp_emit_prop_text(&w, "kind", "full-scan");
    dbp_emit_open_group(&w, "children", true);
    dbp_emit_prop_text(&w, NULL, "a\nb");
    dbp_emit_close_group(&w);
    dbp_emit_prop_int(&w, "rows", -1);
    dbp_emit_close_group(&w);
    assert_string_equal(b.data, "kind: full-scan\nchildren:\n  - a b\nrows: -\n");
    dbp_buf_free(&b);
}

static void t_iso8601(void **state)
{
    (void)state;
    char t[32];
    int64_t us;
    dbp_report_iso8601(NOW_US, t);
    assert_string_equal(t, "2023-11-14T22:13:20Z");
    dbp_report_iso8601(NOW_US + 1500, t);
    assert_string_equal(t, "2023-11-14T22:13:20.001500Z");
    assert_int_equal(dbp_report_parse_iso8601(t, &us), 0);
    assert_true(us == NOW_US + 1500);
    assert_int_equal(dbp_report_parse_iso8601("2023-11-14T22:13:20.5+00:00", &us), 0);
    assert_true(us == NOW_US + 500000);
    dbp_report_iso8601(INT64_MIN, t);
    assert_string_equal(t, "1970-01-01T00:00:00Z");
    dbp_report_iso8601(INT64_MAX, t);
    assert_string_equal(t, "1970-01-01T00:00:00Z");
    dbp_report_iso8601(-1, t);
    assert_string_equal(t, "1969-12-31T23:59:59.999999Z");
    assert_int_equal(dbp_report_parse_iso8601("2023-11-14", &us), -1);
    assert_int_equal(dbp_report_parse_iso8601("2023-13-14T22:13:20Z", &us), -1);
    assert_int_equal(dbp_report_parse_iso8601("2023-11-14T22:13:20Zjunk", &us), -1);
}

/* A snapshot of the same shape with secret-looking literals in the example and in
 * a plan condition: they appear only with show_literals. */
static void t_no_literal_leaks(void **state)
{
    (void)state;
    struct dbp_snapshot *snap = golden_snapshot();
    struct dbp_stmt *s1 = snap->stmts.items[0];
    struct dbp_plan_node *scan = s1->plan->root->children[0];
    scan->condition = "((customer_id = 42) AND (status = '" SECRET "'::text))";
    static const enum dbp_report_format fmts[] = {DBP_REPORT_TEXT, DBP_REPORT_JSON,
                                                  DBP_REPORT_MARKDOWN};
    for (size_t i = 0; i < 3; i++) {
        struct dbp_report_opts o = opts(fmts[i]);
        char *out = render(snap, &o);
        if (strstr(out, SECRET))
            fail_msg("format %d leaks a literal without --show-literals", (int)fmts[i]);
        if (fmts[i] == DBP_REPORT_JSON) {
            assert_non_null(strstr(out, "\"example\": null"));
            assert_non_null(strstr(out, "\"condition\": \"((customer_id = $1) AND (status = $2"));
        }
        free(out);
    }
    struct dbp_report_opts o = opts(DBP_REPORT_JSON);
    o.show_literals = true;
    char *out = render(snap, &o);
    assert_non_null(strstr(out, "\"example\": \"SELECT * FROM orders WHERE customer_id = 42 AND "
                                "status = '" SECRET "'"));
    assert_non_null(strstr(out, "(status = '" SECRET "'::text)"));
    free(out);
    dbp_snapshot_free(snap);
}

static void t_mask_conditions(void **state)
{
    (void)state;
    struct dbp_buf b = {0};
    static const struct {
        enum dbp_engine engine;
        const char *in, *want;
    } cases[] = {
        {DBP_ENGINE_POSTGRES, "((customer_id = 42) AND (status = 'x'::text))",
         "((customer_id = $1) AND (status = $2::text))"},
        {DBP_ENGINE_MYSQL, "(`shop`.`users`.`email` = 'bob@example.com')",
         "(`shop`.`users`.`email` = $1)"},
        {DBP_ENGINE_POSTGRES, "(\"Order\".\"Total\" > 100.5)", "(\"Order\".\"Total\" > $1)"},
        {DBP_ENGINE_MONGODB, "{ \"email\": { \"$eq\": \"a@b.c\" }, \"age\": { \"$gt\": 30 } }",
         "{ \"email\": { \"$eq\": ? }, \"age\": { \"$gt\": ? } }"},
        {DBP_ENGINE_MONGODB, "{ a1: { $in: [ 'x', -2.5e3, 7 ] }, b: ObjectId('65ab') }",
         "{ a1: { $in: [ ?, ?, ? ] }, b: ObjectId(?) }"},
        {DBP_ENGINE_UNKNOWN, " {\"k\": \"unterminated", " {\"k\": ?"},
        {DBP_ENGINE_MONGODB, "", ""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        const char *got = dbp_report_mask(cases[i].in, cases[i].engine, false, &b);
        if (strcmp(got, cases[i].want) != 0)
            fail_msg("mask(%s) = %s, want %s", cases[i].in, got, cases[i].want);
        assert_ptr_equal(dbp_report_mask(cases[i].in, cases[i].engine, true, &b), cases[i].in);
    }
    assert_null(dbp_report_mask(NULL, DBP_ENGINE_POSTGRES, false, &b));
    dbp_buf_free(&b);
}

/* Long everything: every text line still fits the width. */
static void t_text_width(void **state)
{
    (void)state;
    struct dbp_snapshot *snap = golden_snapshot();
    struct dbp_buf long_text = {0};
    for (int i = 0; i < 40; i++)
        dbp_buf_printf(&long_text, "col_%d_\xC3\xA9t\xC3\xA9, ", i);
    dbp_buf_puts(&long_text, "x_without_any_space_");
    for (int i = 0; i < 30; i++)
        dbp_buf_puts(&long_text, "abcdefghij");
    struct dbp_stmt *st =
        dbp_snapshot_stmt(snap, DBP_ENGINE_POSTGRES, "db", long_text.data, long_text.len);
    st->agg.calls = 123456789012ULL;
    st->agg.total_ms = 9.87654321e12;
    st->agg.rows_returned = 98765432109876ULL;
    st->agg.flags |= DBP_AGG_ROWS_RETURNED;
    struct dbp_finding *f = dbp_snapshot_add_finding(snap);
    f->rule = "missing-index";
    f->severity = DBP_SEV_WARNING;
    f->object = long_text.data;
    f->message = long_text.data;
    f->suggestion = long_text.data;
    f->verify_note = long_text.data;
    dbp_finding_add_evidence(snap, f, long_text.data, 1e300, NULL);
    struct dbp_source *src = dbp_snapshot_add_source(snap, long_text.data, long_text.data);
    src->error = long_text.data;
    src->bytes = UINT64_MAX;
    dbp_snapshot_diag(snap, "%s", long_text.data);
    static const int widths[] = {0, 60, 100, 132, 20};
    for (size_t i = 0; i < sizeof widths / sizeof *widths; i++) {
        struct dbp_report_opts o = opts(DBP_REPORT_TEXT);
        o.width = widths[i];
        o.color = i % 2 == 1;
        char *out = render(snap, &o);
        size_t w = widths[i] == 0 ? 80 : widths[i] < 60 ? 60 : (size_t)widths[i];
        assert_lines_fit(out, w);
        assert_non_null(strstr(out, "..."));
        free(out);
    }
    dbp_buf_free(&long_text);
    dbp_snapshot_free(snap);
}

/* Many classes: the JSON writer flushes as it goes and the result is still one document;
 * a write error is reported as DBP_ERR_IO. */
static void t_large_and_write_error(void **state)
{
    (void)state;
    struct dbp_snapshot *snap = dbp_snapshot_new();
    char text[64];
    for (int i = 0; i < 3000; i++) {
        int n = snprintf(text, sizeof text, "SELECT c%d FROM t WHERE id = $1", i);
        struct dbp_stmt *st = dbp_snapshot_stmt(snap, DBP_ENGINE_POSTGRES, "db", text, (size_t)n);
        dbp_agg_add(&st->agg, (double)(i % 97) + 0.5, 10, 1, NOW_US + i);
    }
    struct dbp_report_opts o = opts(DBP_REPORT_JSON);
    char *out = render(snap, &o);
    assert_true(strlen(out) > (1u << 20));
    cJSON *root = cJSON_Parse(out);
    assert_non_null(root);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(root, "statements")), 3000);
    cJSON_Delete(root);
    free(out);
    FILE *full = fopen("/dev/full", "w");
    assert_non_null(full);
    struct dbp_error err = {0};
    for (int f = DBP_REPORT_TEXT; f <= DBP_REPORT_MARKDOWN; f++) {
        o.format = (enum dbp_report_format)f;
        setvbuf(full, NULL, _IONBF, 0);
        assert_int_equal(dbp_report_write(full, snap, &o, &err), DBP_ERR_IO);
        assert_non_null(strstr(err.message, "writing the report failed"));
        clearerr(full);
    }
    fclose(full);
    dbp_snapshot_free(snap);
}

/* ---- reading back ----------------------------------------------------- */

/* Drop the fields a reload legitimately changes ("source" becomes "report"). */
static cJSON *comparable(const char *json, const char *section)
{
    cJSON *root = cJSON_Parse(json);
    assert_non_null(root);
    cJSON *arr = cJSON_DetachItemFromObject(root, section);
    assert_non_null(arr);
    cJSON *e;
    cJSON_ArrayForEach(e, arr)
    {
        cJSON_DeleteItemFromObject(e, "source");
    }
    cJSON_Delete(root);
    return arr;
}

/* Invalid UTF-8 cannot survive JSON (it becomes U+FFFD, a different text and
 * fingerprint), so the round trip starts from valid text. */
static void round_trip(bool show_literals)
{
    struct dbp_snapshot *snap = make_snapshot(false);
    struct dbp_report_opts o = opts(DBP_REPORT_JSON);
    o.show_literals = show_literals;
    char *first = render(snap, &o);
    struct dbp_error err = {0};
    int rc;
    struct dbp_snapshot *back = load(first, &rc, &err);
    assert_int_equal(rc, DBP_OK);
    struct dbp_source *src = back->sources.items[0];
    assert_int_equal(src->entries, 3);
    assert_int_equal(src->skipped, 0);
    assert_int_equal(src->engine, DBP_ENGINE_UNKNOWN); /* postgres and mysql mixed */
    assert_int_equal(back->findings.n, 0);             /* findings are recomputed */
    char *second = render(back, &o);
    save_for_schema(show_literals ? "reloaded-literals" : "reloaded", second);
    static const char *const sections[] = {"statements", "plans", "indexes", "tables"};
    for (size_t i = 0; i < 4; i++) {
        cJSON *a = comparable(first, sections[i]);
        cJSON *b = comparable(second, sections[i]);
        if (!cJSON_Compare(a, b, true)) {
            char *x = cJSON_Print(a), *y = cJSON_Print(b);
            print_error("%s differ after a round trip:\n%s\n---\n%s\n", sections[i], x, y);
            free(x);
            free(y);
            fail();
        }
        cJSON_Delete(a);
        cJSON_Delete(b);
    }
    /* restored aggregates, as the model holds them */
    struct dbp_stmt *st = dbp_snapshot_find_fpid(back, ((struct dbp_stmt *)snap->stmts.items[0])->fpid);
    assert_non_null(st);
    assert_int_equal(st->source, DBP_SRC_REPORT);
    assert_int_equal(st->agg.calls, 40);
    assert_true(st->agg.flags & DBP_AGG_ROWS_EXAMINED);
    assert_false(st->agg.flags & DBP_AGG_QUANTILES);
    assert_non_null(st->plan);
    assert_string_equal(st->plan->root->children[0]->relation, "orders");
    const struct dbp_plan_node *scan = st->plan->root->children[0];
    assert_int_equal(scan->n_observed_preds, 2);
    assert_string_equal(scan->observed_preds[1].column, "created_at");
    assert_int_equal(scan->observed_preds[1].op, DBP_PRED_RANGE);
    assert_string_equal(scan->observed_from, "pg_qualstats");
    if (show_literals)
        assert_non_null(st->example);
    else
        assert_null(st->example);
    free(first);
    free(second);
    dbp_snapshot_free(back);
    dbp_snapshot_free(snap);
}

static void t_round_trip(void **state)
{
    (void)state;
    round_trip(false);
    round_trip(true);
}

static void t_probe(void **state)
{
    (void)state;
    int (*probe)(const unsigned char *, size_t) = dbp_report_json_format.probe;
#define P(s) probe((const unsigned char *)(s), sizeof(s) - 1)
    assert_int_equal(P("{\n  \"tool\": \"dbperf\",\n  \"version\": 1\n}"), 90);
    assert_int_equal(P("\xEF\xBB\xBF {\"version\":1,\"tool\":\"dbperf\"}"), 90);
    assert_int_equal(P("{\"tool\": \"pgbadger\", \"version\": 1}"), 0);
    assert_int_equal(P("{\"tool\": \"dbperf\"}"), 0);
    assert_int_equal(P("[{\"Plan\": {\"Node Type\": \"Seq Scan\"}}]"), 0);
    assert_int_equal(P("2024-01-01 00:00:00 UTC LOG:  duration: 1.0 ms"), 0);
    assert_int_equal(P("{\"tool\""), 0);
    assert_int_equal(probe((const unsigned char *)"", 0), 0);
    unsigned char junk[256];
    for (int i = 0; i < 256; i++)
        junk[i] = (unsigned char)(i * 37 + 11);
    assert_int_equal(probe(junk, sizeof junk), 0);
#undef P
    /* detection through the registry picks it */
    const char *head = "{\"tool\": \"dbperf\", \"version\": 1, \"statements\": []}";
    const struct dbp_driver *drv = NULL;
    assert_ptr_equal(dbp_format_detect((const unsigned char *)head, strlen(head), &drv),
                     &dbp_report_json_format);
}

static void t_load_errors(void **state)
{
    (void)state;
    struct dbp_error err = {0};
    int rc;
    struct dbp_snapshot *s = load("{\"tool\": \"dbperf\", \"version\": 1, \"statements\": [}", &rc,
                                  &err);
    assert_int_equal(rc, DBP_ERR_FORMAT);
    assert_non_null(strstr(err.message, "saved.json"));
    assert_non_null(strstr(err.message, "byte 48"));
    dbp_snapshot_free(s);

    s = load("{\"tool\": \"dbperf\", \"version\": 2, \"statements\": []}", &rc, &err);
    assert_int_equal(rc, DBP_ERR_UNSUPPORTED);
    assert_non_null(strstr(err.message, "saved.json"));
    assert_non_null(strstr(err.message, "version 2"));
    dbp_snapshot_free(s);

    s = load("{\"tool\": \"other\", \"version\": 1}", &rc, &err);
    assert_int_equal(rc, DBP_ERR_FORMAT);
    assert_non_null(strstr(err.message, "not a dbperf report"));
    dbp_snapshot_free(s);

    s = load("", &rc, &err);
    assert_int_equal(rc, DBP_ERR_FORMAT);
    dbp_snapshot_free(s);

    s = load("{\"tool\": \"dbperf\", \"version\": 1} {", &rc, &err);
    assert_int_equal(rc, DBP_ERR_FORMAT);
    assert_non_null(strstr(err.message, "after the report"));
    dbp_snapshot_free(s);

    /* bad entries are skipped with a diagnostic; good ones and unknown fields load */
    s = load("{\"tool\": \"dbperf\", \"version\": 1, \"future_field\": {\"x\": [1]},"
             " \"statements\": [42, {\"calls\": 3}, {\"text\": \"SELECT $1\", \"engine\": "
             "\"postgres\", \"calls\": 3, \"total_ms\": 1.5, \"new_metric\": 7,"
             " \"rows_examined\": null, \"rows_returned\": 9, \"p95_ms\": \"junk\","
             " \"plan\": {\"root\": {\"kind\": \"index-scan\", \"children\": [7, {}]}}}]}",
             &rc, &err);
    assert_int_equal(rc, DBP_ERR_FORMAT);
    assert_non_null(strstr(err.message, "statements[0]"));
    assert_int_equal(s->stmts.n, 1);
    assert_int_equal(s->n_diags, 2);
    struct dbp_source *src = s->sources.items[0];
    assert_int_equal(src->skipped, 2);
    assert_int_equal(src->entries, 1);
    assert_int_equal(src->engine, DBP_ENGINE_POSTGRES);
    struct dbp_stmt *st = s->stmts.items[0];
    assert_int_equal(st->agg.calls, 3);
    assert_int_equal(st->agg.flags, DBP_AGG_ROWS_RETURNED);
    assert_true(isnan(dbp_agg_quantile_ms(&st->agg, 0.95)));
    assert_int_equal(st->plan->root->kind, DBP_NODE_INDEX_SCAN);
    assert_int_equal(st->plan->root->n_children, 1);
    dbp_snapshot_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_golden_json),      cmocka_unit_test(t_golden_text),
        cmocka_unit_test(t_golden_md),        cmocka_unit_test(t_json_valid_and_complete),
        cmocka_unit_test(t_json_escaping),    cmocka_unit_test(t_iso8601),
        cmocka_unit_test(t_no_literal_leaks), cmocka_unit_test(t_text_width),
        cmocka_unit_test(t_round_trip),       cmocka_unit_test(t_probe),
        cmocka_unit_test(t_load_errors),      cmocka_unit_test(t_large_and_write_error),
        cmocka_unit_test(t_mask_conditions),
    };
    /* for the schema test: only the tests that save reports (the rest run as unit tests) */
    const struct CMUnitTest dump[] = {cmocka_unit_test(t_golden_json),
                                      cmocka_unit_test(t_round_trip)};
    const char *out = getenv("DBPERF_REPORT_OUT");
    if (out && *out)
        return cmocka_run_group_tests(dump, NULL, NULL);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
