/*
 * fuzz_my_slowlog.c -- fuzz target for the mysql-slow format: the probe on any
 * bytes, then the parser on a memory reader. Any bytes must give DBP_OK or
 * DBP_ERR_FORMAT (with a one-line "file:line: ..." message and as many
 * skipped entries as it reports), a consistent model (every class counted,
 * every plan attached to its class, bounded diagnostics), never a crash.
 */
#include <stdint.h>
#include <string.h>

#include <dbperf/driver.h>
#include <dbperf/error.h>
#include <dbperf/model.h>
#include <dbperf/reader.h>

#include "mysql/my_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void walk(const struct dbp_plan_node *n, int depth)
{
    if (!n || depth > 2 || n->kind >= DBP_NODE_KIND_COUNT || !n->engine_name)
        __builtin_trap();
    for (size_t i = 0; i < n->n_children; i++)
        walk(n->children[i], depth + 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int score = dbp_my_slow_format.probe(data, size);
    if (score < 0 || score > 100)
        __builtin_trap();
    struct dbp_snapshot *snap = dbp_snapshot_new();
    struct dbp_source *src = dbp_snapshot_add_source(snap, "fuzz", "mysql-slow");
    struct dbp_reader *r = dbp_reader_open_mem(data, size, "fuzz");
    struct dbp_error err = {0};
    struct dbp_parse_opts po = {0};
    int rc = dbp_my_slow_format.parse(r, &po, snap, src, &err);
    dbp_reader_close(r);
    dbp_snapshot_sessions_flush(snap);
    if (rc != DBP_OK && rc != DBP_ERR_FORMAT && rc != DBP_ERR_IO)
        __builtin_trap();
    /* a corrupt or truncated gzip stream stops the input: DBP_ERR_IO with a message */
    if (rc == DBP_ERR_IO && (err.code != DBP_ERR_IO || !strstr(err.message, "fuzz")))
        __builtin_trap();
    if (rc == DBP_OK && (err.code != DBP_OK || src->skipped != 0))
        __builtin_trap();
    if (rc == DBP_ERR_FORMAT && (err.code != DBP_ERR_FORMAT || !strstr(err.message, "fuzz:") ||
                                 src->skipped == 0 || strchr(err.message, '\n')))
        __builtin_trap();
    uint64_t calls = 0;
    for (size_t i = 0; i < snap->stmts.n; i++) {
        const struct dbp_stmt *st = snap->stmts.items[i];
        if (!st->text || st->agg.calls == 0 || st->engine != DBP_ENGINE_MYSQL)
            __builtin_trap();
        calls += st->agg.calls;
        if (st->plan && st->plan->stmt != st)
            __builtin_trap();
    }
    if (calls != src->entries)
        __builtin_trap();
    for (size_t i = 0; i < snap->plans.n; i++) {
        const struct dbp_plan *p = snap->plans.items[i];
        if (!p->stmt || p->stmt->plan != p)
            __builtin_trap();
        walk(p->root, 0);
    }
    if (snap->diags.n > DBP_MAX_DIAGS || snap->n_diags < snap->diags.n)
        __builtin_trap();
    dbp_snapshot_free(snap);
    return 0;
}
