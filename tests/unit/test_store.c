/*
 * test_store.c -- the index-usage history store: the analyzer's rules (resets,
 * replicas, protected indexes, short history, dropped indexes, silent
 * instances), the SQLite backend end to end on a temporary file, and the
 * embedded migrations against their sql/store/ files.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <dbperf/arena.h>
#include <dbperf/error.h>
#include <dbperf/store.h>

#include "store_int.h"

#define DAY 86400000000LL
#define T0  1767225600000000LL /* 2026-01-01T00:00:00Z */

/* A sample of index `name` on `instance` at day `d` with counter `scans`. */
static struct dbp_store_sample smp(const char *instance, const char *name, int d, int64_t scans,
                                   int64_t since_us, unsigned flags)
{
    struct dbp_store_sample s = {0};
    s.taken_us = T0 + d * DAY;
    s.engine = DBP_ENGINE_POSTGRES;
    s.cluster = "shop";
    s.instance = instance;
    s.database = "bench";
    s.schema = "public";
    s.table = "orders";
    s.name = name;
    s.definition = "";
    s.columns = "a";
    s.method = "btree";
    s.flags = flags;
    s.size_bytes = 8192;
    s.scans = scans;
    s.counter_since_us = since_us;
    return s;
}

struct fixture {
    struct dbp_arena *a;
    struct dbp_store_analyzer *an;
    struct dbp_store_result r;
};

static void start(struct fixture *f, int now_day, double min_days)
{
    f->a = dbp_arena_new();
    f->an = dbp_store_analyzer_new(f->a, T0 + now_day * DAY, min_days);
}

static void add(struct fixture *f, struct dbp_store_sample s)
{
    dbp_store_analyzer_add(f->an, &s);
}

static void finish(struct fixture *f)
{
    dbp_store_analyzer_finish(f->an, &f->r);
    dbp_store_analyzer_free(f->an);
    f->an = NULL;
}

static const struct dbp_store_index *find(const struct fixture *f, const char *name)
{
    for (size_t i = 0; i < f->r.n; i++)
        if (strcmp(f->r.items[i]->name, name) == 0)
            return f->r.items[i];
    return NULL;
}

static void done(struct fixture *f)
{
    dbp_arena_free(f->a);
}

/* 0 scans over 31 days: unused; history starts at the first sample. */
static void test_unused_after_min_days(void **state)
{
    (void)state;
    struct fixture f;
    start(&f, 31, 30);
    add(&f, smp("p:1", "ix", 0, 0, 0, 0));
    add(&f, smp("p:1", "ix", 15, 0, 0, 0));
    add(&f, smp("p:1", "ix", 31, 0, 0, 0));
    finish(&f);
    const struct dbp_store_index *x = find(&f, "ix");
    assert_non_null(x);
    assert_int_equal(x->verdict, DBP_VERDICT_UNUSED);
    assert_true(x->unused_days > 30.99 && x->unused_days < 31.01);
    assert_int_equal(f.r.n_unused, 1);
    assert_int_equal(f.r.unused_bytes, 8192);
    done(&f);
}

/* Fewer days than min_days: pending, never unused, whatever the counter. */
static void test_short_history_pending(void **state)
{
    (void)state;
    struct fixture f;
    start(&f, 10, 30);
    add(&f, smp("p:1", "ix", 0, 0, 0, 0));
    add(&f, smp("p:1", "ix", 10, 0, 0, 0));
    finish(&f);
    assert_int_equal(find(&f, "ix")->verdict, DBP_VERDICT_PENDING);
    assert_int_equal(f.r.n_unused, 0);
    assert_true(f.r.history_days > 9.99 && f.r.history_days < 10.01);
    done(&f);
}

/* A counter that rose is a use: the run restarts there. */
static void test_rise_is_use(void **state)
{
    (void)state;
    struct fixture f;
    start(&f, 40, 30);
    add(&f, smp("p:1", "ix", 0, 3, 0, 0));
    add(&f, smp("p:1", "ix", 20, 4, 0, 0));
    add(&f, smp("p:1", "ix", 40, 4, 0, 0));
    finish(&f);
    const struct dbp_store_index *x = find(&f, "ix");
    assert_int_equal(x->verdict, DBP_VERDICT_USED);
    assert_int_equal(x->last_use_us, T0 + 20 * DAY);
    assert_true(x->unused_days > 19.99 && x->unused_days < 20.01);
    done(&f);
}

/* Counter 5, reset, counter 0: a reset, not a use; the index is unused after 31 days. The
 * naive difference (0 - 5) must not count, nor the absolute 5 after the reset. */
static void test_reset_down_is_not_use(void **state)
{
    (void)state;
    struct fixture f;
    start(&f, 31, 30);
    add(&f, smp("p:1", "ix", 0, 5, T0 - DAY, 0));
    add(&f, smp("p:1", "ix", 10, 0, T0 + 5 * DAY, 0));
    add(&f, smp("p:1", "ix", 31, 0, T0 + 5 * DAY, 0));
    finish(&f);
    const struct dbp_store_index *x = find(&f, "ix");
    assert_int_equal(x->n_resets, 1);
    /* the first sample showed uses before history started: the run starts at day 0 */
    assert_int_equal(x->verdict, DBP_VERDICT_UNUSED);
    /* days 0..5 (sample to reset) were not observed */
    assert_true(x->unobserved_days > 4.99 && x->unobserved_days < 5.01);
    done(&f);
}

/* Counter 5, reset, counter 2: uses after the reset (2 < 5 but > 0). */
static void test_reset_then_use(void **state)
{
    (void)state;
    struct fixture f;
    start(&f, 40, 30);
    add(&f, smp("p:1", "ix", 0, 5, 0, 0));
    add(&f, smp("p:1", "ix", 20, 2, 0, 0));
    add(&f, smp("p:1", "ix", 40, 2, 0, 0));
    finish(&f);
    const struct dbp_store_index *x = find(&f, "ix");
    assert_int_equal(x->verdict, DBP_VERDICT_USED);
    assert_int_equal(x->last_use_us, T0 + 20 * DAY);
    done(&f);
}

/* A restart (new counter start) after which the counter rose above its old value. */
static void test_restart_detected_by_start(void **state)
{
    (void)state;
    struct fixture f;
    start(&f, 40, 30);
    add(&f, smp("p:1", "ix", 0, 5, T0 - DAY, 0));
    add(&f, smp("p:1", "ix", 5, 5, T0 - DAY + 1000000, 0)); /* rounding of the start: same */
    add(&f, smp("p:1", "ix", 20, 5, T0 + 19 * DAY, 0));     /* restarted, 5 new uses */
    add(&f, smp("p:1", "ix", 40, 5, T0 + 19 * DAY, 0));
    finish(&f);
    const struct dbp_store_index *x = find(&f, "ix");
    assert_int_equal(x->n_resets, 1);
    assert_int_equal(x->verdict, DBP_VERDICT_USED);
    assert_int_equal(x->last_use_us, T0 + 20 * DAY);
    done(&f);
}

/* The primary never uses it, a replica does: used. */
static void test_replica_use_keeps_index(void **state)
{
    (void)state;
    struct fixture f;
    start(&f, 40, 30);
    add(&f, smp("p:1", "ix", 0, 0, 0, 0));
    add(&f, smp("p:1", "ix", 40, 0, 0, 0));
    add(&f, smp("r:2", "ix", 0, 0, 0, DBP_IDX_REPLICA));
    add(&f, smp("r:2", "ix", 35, 7, 0, DBP_IDX_REPLICA));
    add(&f, smp("r:2", "ix", 40, 7, 0, DBP_IDX_REPLICA));
    finish(&f);
    const struct dbp_store_index *x = find(&f, "ix");
    assert_int_equal(x->verdict, DBP_VERDICT_USED);
    assert_int_equal(x->n_instances, 2);
    assert_int_equal(x->n_replicas, 1);
    assert_string_equal(x->last_use_instance, "r:2");
    done(&f);
}

/* Unused on every instance for long enough, but the primary key: protected, with a reason. */
static void test_protected(void **state)
{
    (void)state;
    struct fixture f;
    start(&f, 40, 30);
    add(&f, smp("p:1", "pk", 0, 0, 0, DBP_IDX_PRIMARY | DBP_IDX_UNIQUE));
    add(&f, smp("p:1", "pk", 40, 0, 0, DBP_IDX_PRIMARY | DBP_IDX_UNIQUE));
    add(&f, smp("p:1", "fk", 0, 0, 0, DBP_IDX_FOREIGN_KEY));
    add(&f, smp("p:1", "fk", 40, 0, 0, DBP_IDX_FOREIGN_KEY));
    add(&f, smp("p:1", "ri", 0, 0, 0, DBP_IDX_REPLICA_IDENTITY));
    add(&f, smp("p:1", "ri", 40, 0, 0, DBP_IDX_REPLICA_IDENTITY));
    finish(&f);
    assert_int_equal(f.r.n_protected, 3);
    assert_int_equal(f.r.n_unused, 0);
    assert_string_equal(find(&f, "pk")->reason, "it backs the primary key");
    /* PostgreSQL does not require it, but dropping it makes parent deletes scan */
    assert_non_null(strstr(find(&f, "fk")->reason, "it serves a foreign key"));
    assert_string_equal(find(&f, "ri")->reason, "it is the table's replica identity");
    done(&f);
}

/* An index absent from its instance's latest snapshot was dropped: not reported. */
static void test_dropped_not_reported(void **state)
{
    (void)state;
    struct fixture f;
    start(&f, 40, 30);
    add(&f, smp("p:1", "gone", 0, 0, 0, 0));
    add(&f, smp("p:1", "gone", 35, 0, 0, 0));
    add(&f, smp("p:1", "kept", 0, 0, 0, 0));
    add(&f, smp("p:1", "kept", 35, 0, 0, 0));
    add(&f, smp("p:1", "kept", 40, 0, 0, 0));
    finish(&f);
    assert_null(find(&f, "gone"));
    assert_int_equal(find(&f, "kept")->verdict, DBP_VERDICT_UNUSED);
    done(&f);
}

/* An instance silent for more than min_days is left out; a replica added lately keeps the
 * verdict pending until it too has min_days of history. */
static void test_silent_and_new_instances(void **state)
{
    (void)state;
    struct fixture f;
    start(&f, 80, 30);
    add(&f, smp("old:3", "ix", 0, 0, 0, 0));
    add(&f, smp("old:3", "ix", 10, 9, 0, 0)); /* used, then never heard of again */
    add(&f, smp("p:1", "ix", 0, 0, 0, 0));
    add(&f, smp("p:1", "ix", 80, 0, 0, 0));
    add(&f, smp("r:2", "ix", 70, 0, 0, DBP_IDX_REPLICA));
    add(&f, smp("r:2", "ix", 80, 0, 0, DBP_IDX_REPLICA));
    finish(&f);
    const struct dbp_store_index *x = find(&f, "ix");
    assert_int_equal(f.r.n_instances_ignored, 1);
    assert_int_equal(x->n_instances, 2);
    assert_int_equal(x->verdict, DBP_VERDICT_PENDING);
    assert_true(x->unused_days > 9.99 && x->unused_days < 10.01);
    done(&f);
}

/* No counter from an instance: cannot tell. */
static void test_no_counter(void **state)
{
    (void)state;
    struct fixture f;
    start(&f, 40, 30);
    add(&f, smp("p:1", "ix", 0, -1, 0, 0));
    add(&f, smp("p:1", "ix", 40, -1, 0, 0));
    finish(&f);
    assert_int_equal(find(&f, "ix")->verdict, DBP_VERDICT_NO_COUNTER);
    done(&f);
}

/* ---- SQLite backend ---------------------------------------------------- */

static struct dbp_index mkix(const char *name, int64_t scans, unsigned flags)
{
    static const char *cols[] = {"a", "b DESC"};
    struct dbp_index ix = {0};
    ix.engine = DBP_ENGINE_POSTGRES;
    ix.instance = "127.0.0.1:5432";
    ix.database = "bench";
    ix.schema = "public";
    ix.table = "orders";
    ix.name = name;
    ix.columns = cols;
    ix.n_columns = 2;
    ix.method = "btree";
    ix.definition = "CREATE INDEX ... (a, b DESC)";
    ix.flags = flags;
    ix.size_bytes = 16384;
    ix.scans = scans;
    return ix;
}

static void test_sqlite_roundtrip(void **state)
{
    (void)state;
    char path[] = "/tmp/dbperf-test-store-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    unlink(path);
    struct dbp_error err = {0};
    struct dbp_store *s = NULL;
    assert_int_equal(dbp_store_open(path, &s, &err), DBP_OK);
    assert_string_equal(dbp_store_kind(s), "sqlite");
    int v = 0;
    assert_int_equal(dbp_store_schema_version(s, &v, &err), DBP_OK);
    assert_int_equal(v, DBP_STORE_SCHEMA_VERSION);
    int64_t counters[3][2] = {{0, 0}, {0, 4}, {0, 4}}; /* [day][index] */
    for (int d = 0; d < 3; d++) {
        struct dbp_index a = mkix("idle", counters[d][0], 0);
        struct dbp_index b = mkix("busy", counters[d][1], 0);
        struct dbp_index c = mkix("orders_pkey", 0, DBP_IDX_PRIMARY);
        struct dbp_index *v3[] = {&a, &b, &c};
        struct dbp_store_run run = {.taken_us = T0 + d * 20 * DAY,
                                    .engine = DBP_ENGINE_POSTGRES,
                                    .instance = "127.0.0.1:5432",
                                    .cluster = "shop",
                                    .source = "postgresql://u@h/bench",
                                    .tool_version = "test"};
        assert_int_equal(dbp_store_record(s, &run, v3, 3, &err), DBP_OK);
    }
    dbp_store_close(s);

    /* reopened: no second migration, everything there */
    s = NULL;
    assert_int_equal(dbp_store_open(path, &s, &err), DBP_OK);
    struct dbp_store_stats st;
    assert_int_equal(dbp_store_stats(s, &st, &err), DBP_OK);
    assert_int_equal(st.n_snapshots, 3);
    assert_int_equal(st.n_samples, 9);
    assert_int_equal(st.n_instances, 1);
    assert_int_equal(st.first_us, T0);
    assert_int_equal(st.last_us, T0 + 40 * DAY);
    struct dbp_arena *a = dbp_arena_new();
    struct dbp_store_result r;
    assert_int_equal(dbp_store_analyze(s, a, T0 + 40 * DAY, 30, &r, &err), DBP_OK);
    assert_int_equal(r.n, 3);
    assert_int_equal(r.n_unused, 1);
    assert_int_equal(r.n_protected, 1);
    assert_int_equal(r.n_used, 1);
    assert_string_equal(r.items[0]->name, "idle");
    assert_string_equal(r.items[0]->columns, "a, b DESC");
    assert_string_equal(r.items[0]->cluster, "shop");
    assert_int_equal(r.items[0]->size_bytes, 16384);
    dbp_arena_free(a);

    /* retention: the day-0 snapshot goes, with its samples; definitions still used stay */
    int64_t n_deleted = -1;
    assert_int_equal(dbp_store_prune(s, T0 + 20 * DAY, &n_deleted, &err), DBP_OK);
    assert_int_equal(n_deleted, 1);
    assert_int_equal(dbp_store_stats(s, &st, &err), DBP_OK);
    assert_int_equal(st.n_snapshots, 2);
    assert_int_equal(st.n_samples, 6);
    assert_int_equal(st.first_us, T0 + 20 * DAY);
    assert_int_equal(dbp_store_prune(s, T0 + 20 * DAY, &n_deleted, &err), DBP_OK);
    assert_int_equal(n_deleted, 0);
    dbp_store_close(s);
    unlink(path);
    char side[sizeof path + 8];
    snprintf(side, sizeof side, "%s-wal", path);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", path);
    unlink(side);
}

static void test_bad_store(void **state)
{
    (void)state;
    struct dbp_error err = {0};
    struct dbp_store *s = NULL;
    assert_int_not_equal(dbp_store_open("/nonexistent-dir/x/y.db", &s, &err), DBP_OK);
    assert_null(s);
    assert_non_null(strstr(err.message, "/nonexistent-dir/x/y.db"));
}

/* ---- migrations are the sql/store/ files ------------------------------- */

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = NULL;
    size_t n = 0, cap = 0;
    int c;
    while ((c = fgetc(f)) != EOF) {
        if (n + 2 > cap) {
            cap = cap ? cap * 2 : 4096;
            buf = dbp_xrealloc(buf, cap);
        }
        buf[n++] = (char)c;
    }
    fclose(f);
    if (!buf)
        buf = dbp_xcalloc(1, 1);
    buf[n] = '\0';
    return buf;
}

static void check_backend(const char *name)
{
    const struct dbp_store_backend *be = dbp_store_backend_find(name);
    assert_non_null(be);
    assert_int_equal(be->n_migrations, DBP_STORE_SCHEMA_VERSION);
    for (size_t i = 0; i < be->n_migrations; i++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/../../sql/store/%s", DBPERF_TEST_DATA,
                 be->migration_files[i]);
        char *text = slurp(path);
        assert_non_null(text);
        assert_string_equal(be->migrations[i], text);
        free(text);
    }
}

static void test_migrations_match_files(void **state)
{
    (void)state;
    check_backend("sqlite");
    if (dbp_store_backend_find("postgresql")) /* built with libpq */
        check_backend("postgresql");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_unused_after_min_days),
        cmocka_unit_test(test_short_history_pending),
        cmocka_unit_test(test_rise_is_use),
        cmocka_unit_test(test_reset_down_is_not_use),
        cmocka_unit_test(test_reset_then_use),
        cmocka_unit_test(test_restart_detected_by_start),
        cmocka_unit_test(test_replica_use_keeps_index),
        cmocka_unit_test(test_protected),
        cmocka_unit_test(test_dropped_not_reported),
        cmocka_unit_test(test_silent_and_new_instances),
        cmocka_unit_test(test_no_counter),
        cmocka_unit_test(test_sqlite_roundtrip),
        cmocka_unit_test(test_bad_store),
        cmocka_unit_test(test_migrations_match_files),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
