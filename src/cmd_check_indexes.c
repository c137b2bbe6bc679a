/*
 * cmd_check_indexes.c -- `dbperf check-indexes TARGET... --store STORE`:
 * record a snapshot of every index's usage counter, size and definition per
 * instance into the history store, then report the indexes with no recorded
 * use for --min-days on every instance of their database (primary and
 * replicas), each with its size and a commented-out DROP statement that
 * dbperf never runs. Meant for cron or a systemd timer: exit 0 when there is
 * nothing to report, 1 when unused indexes were found, 2 on a usage error,
 * 3 when a target (or the store) could not be read -- the other targets are
 * still recorded.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <dbperf/arena.h>
#include <dbperf/buf.h>
#include <dbperf/driver.h>
#include <dbperf/error.h>
#include <dbperf/report.h>
#include <dbperf/store.h>

#include "cmd.h"
#include "ddl.h"
#include "report_int.h"

#define US_PER_DAY 86400000000.0

enum out_format { OUT_TEXT = 0, OUT_JSON, OUT_PROM };

struct target_result {
    const char *shown; /* redacted */
    const char *instance;
    const char *cluster;
    const char *engine;
    size_t n_indexes;
    const char *error; /* NULL when recorded */
};

static void usage(FILE *f)
{
    fprintf(f, "usage: dbperf check-indexes --store STORE [OPTIONS] [TARGET...]\n\n"
               "Record every index's usage counter, size and definition of each TARGET (a live\n"
               "server: postgresql://..., mysql://..., mongodb://...) into a history store, then\n"
               "report the indexes with no recorded use for --min-days on every instance of their\n"
               "database (primary and replicas), with a commented-out DROP statement that dbperf\n"
               "never runs. Counter resets (pg_stat_reset, restarts, failovers) are recognised.\n"
               "Without a TARGET, only reports from the store.\n\n"
               "Options:\n"
               "  -s, --store STORE     history store: a SQLite file (created if missing), or\n"
               "                        postgresql://... (a database of your own, shared by a\n"
               "                        fleet; the one database dbperf writes to)\n"
               "      --min-days N      days without recorded use before an index is reported\n"
               "                        (default 30)\n"
               "      --keep-days N     delete snapshots older than N days (at least --min-days;\n"
               "                        default: keep everything)\n"
               "      --cluster NAME    the instances of this run are one database (a primary and\n"
               "                        its replicas): group their counters under NAME\n"
               "  -f, --format FMT      text (default), json, or prometheus (node_exporter's\n"
               "                        textfile collector)\n"
               "  -o, --output FILE     write there (atomically: a temporary file, then rename)\n"
               "      --now TIME        pretend the time is TIME (ISO 8601 UTC or epoch seconds):\n"
               "                        a testing aid, as is DBPERF_NOW\n"
               "      --statement-timeout MS  per query sent to a target (default 5000)\n"
               "  -h, --help            this help\n\n"
               "Exit status: 0 nothing to report, 1 unused indexes found, 2 usage error,\n"
               "3 a target or the store could not be read (other targets are still recorded).\n");
}

/* Collect one target and record it. Returns 0 or DBP_EXIT_SOURCE (res->error set). */
static int record_target(const char *target, struct dbp_store *store, const char *cluster,
                         int64_t now_us, int timeout_ms, struct dbp_arena *a,
                         struct target_result *res)
{
    res->shown = dbp_target_redact(a, target);
    const struct dbp_driver *drv = dbp_driver_for_target(target);
    if (!drv) {
        res->error = "not a server target this dbperf can read (postgresql://, mysql://, "
                     "mongodb://, or a conninfo string)";
        return DBP_EXIT_SOURCE;
    }
    res->engine = drv->name;
    struct dbp_error err = {0};
    struct dbp_conn_opts co = {.target = target, .statement_timeout_ms = timeout_ms, .top_n = 1};
    void *ctx = NULL;
    struct dbp_snapshot *snap = dbp_snapshot_new();
    struct dbp_source *src = dbp_snapshot_add_source(snap, res->shown, drv->name);
    int rc = drv->connect(&co, &ctx, &err);
    if (rc == DBP_OK)
        rc = drv->collect(ctx, snap, src, &err);
    if (ctx)
        drv->disconnect(ctx);
    if (rc == DBP_OK) {
        const char *instance = NULL, *drv_cluster = NULL;
        for (size_t i = 0; i < snap->indexes.n; i++) {
            struct dbp_index *ix = snap->indexes.items[i];
            if (!instance && ix->instance)
                instance = ix->instance;
            if (!drv_cluster && ix->cluster)
                drv_cluster = ix->cluster;
        }
        if (!instance)
            instance = res->shown;
        struct dbp_store_run run = {
            .taken_us = now_us,
            .engine = drv->engine,
            .instance = instance,
            .cluster = cluster       ? cluster
                       : drv_cluster ? drv_cluster
                                     : instance,
            .source = res->shown,
            .tool_version = DBPERF_VERSION,
        };
        res->instance = dbp_arena_strdup(a, instance);
        res->cluster = dbp_arena_strdup(a, run.cluster);
        res->n_indexes = snap->indexes.n;
        rc = dbp_store_record(store, &run, (struct dbp_index *const *)snap->indexes.items,
                              snap->indexes.n, &err);
        if (rc != DBP_OK)
            res->error = dbp_arena_printf(a, "not recorded: %s", err.message);
    } else {
        res->error = dbp_target_redact(a, err.message);
    }
    dbp_snapshot_free(snap);
    return rc == DBP_OK ? 0 : DBP_EXIT_SOURCE;
}

/* "schema.table" (or "db.table") of a stored index, as the engine writes it. */
static struct dbp_index as_index(const struct dbp_store_index *x)
{
    struct dbp_index ix = {0};
    ix.engine = x->engine;
    ix.cluster = x->cluster;
    ix.database = x->database;
    ix.schema = x->schema;
    ix.table = x->table;
    ix.name = x->name;
    ix.definition = x->definition;
    ix.size_bytes = x->size_bytes;
    ix.scans = -1;
    return ix;
}

/* The DROP statement, commented out: dbperf never runs it. */
static const char *drop_comment(struct dbp_arena *a, const struct dbp_store_index *x)
{
    struct dbp_index ix = as_index(x);
    const char *stmt = dbp_ddl_drop_index(a, x->engine, &ix, NULL);
    return dbp_arena_printf(a, "%s %s", x->engine == DBP_ENGINE_MONGODB ? "//" : "--", stmt);
}

static const char *span(struct dbp_arena *a, double days)
{
    return dbp_arena_printf(a, "%.1f day%s", days, days == 1.0 ? "" : "s");
}

static const char *iso(struct dbp_arena *a, int64_t us)
{
    char b[32];
    if (us <= 0)
        return "?";
    dbp_report_iso8601(us, b);
    return dbp_arena_strdup(a, b);
}

/* What the history can and cannot tell yet (one paragraph), or NULL when it covers min_days. */
static const char *history_note(struct dbp_arena *a, const struct dbp_store_result *r)
{
    if (r->history_first_us && r->history_days >= r->min_days)
        return NULL;
    if (!r->history_first_us)
        return dbp_arena_printf(a,
                                "the store holds no snapshot yet: nothing can be concluded; "
                                "run this regularly (daily) for at least %g days",
                                r->min_days);
    int64_t ready = r->history_first_us + (int64_t)(r->min_days * US_PER_DAY);
    return dbp_arena_printf(
        a,
        "the store holds %s of history (since %s), less than --min-days %g: it can already "
        "tell which indexes were used in that time (%zu), but cannot yet call any index "
        "unused; the earliest verdicts come on %s if snapshots continue",
        span(a, r->history_days), iso(a, r->history_first_us), r->min_days, r->n_used,
        iso(a, ready));
}

static const char *where(struct dbp_arena *a, const struct dbp_store_index *x)
{
    struct dbp_index ix = as_index(x);
    return dbp_arena_printf(a, "%s %s (%s)", dbp_ddl_index_relation(a, &ix),
                            dbp_ddl_ident(a, x->engine, x->name), x->columns ? x->columns : "?");
}

static const char *instances_text(struct dbp_arena *a, const struct dbp_store_index *x)
{
    if (x->n_replicas)
        return dbp_arena_printf(a, "%zu instance%s (%zu replica%s)", x->n_instances,
                                x->n_instances == 1 ? "" : "s", x->n_replicas,
                                x->n_replicas == 1 ? "" : "s");
    return dbp_arena_printf(a, "%zu instance%s", x->n_instances, x->n_instances == 1 ? "" : "s");
}

static void write_text(struct dbp_buf *b, struct dbp_arena *a, struct dbp_store *store,
                       const struct dbp_store_stats *st, const struct dbp_store_result *r,
                       const struct target_result *tr, size_t n_tr, int64_t pruned)
{
    int version = 0;
    dbp_store_schema_version(store, &version, NULL);
    dbp_buf_printf(b,
                   "dbperf check-indexes at %s: %s store (schema %d), %lld snapshot%s of %lld "
                   "instance%s",
                   iso(a, r->now_us), dbp_store_kind(store), version, (long long)st->n_snapshots,
                   st->n_snapshots == 1 ? "" : "s", (long long)st->n_instances,
                   st->n_instances == 1 ? "" : "s");
    if (st->first_us)
        dbp_buf_printf(b, ", %s .. %s", iso(a, st->first_us), iso(a, st->last_us));
    dbp_buf_puts(b, "\n");
    for (size_t i = 0; i < n_tr; i++) {
        if (tr[i].error)
            dbp_buf_printf(b, "  target %s: NOT RECORDED: %s\n", tr[i].shown, tr[i].error);
        else
            dbp_buf_printf(b, "  target %s: recorded %zu indexes of %s (cluster %s)\n", tr[i].shown,
                           tr[i].n_indexes, tr[i].instance, tr[i].cluster);
    }
    if (pruned)
        dbp_buf_printf(b, "  pruned %lld snapshot%s older than --keep-days\n", (long long)pruned,
                       pruned == 1 ? "" : "s");
    const char *note = history_note(a, r);
    if (note)
        dbp_buf_printf(b, "\nNote: %s.\n", note);
    if (r->n_instances_ignored)
        dbp_buf_printf(b,
                       "\nNote: %zu instance/database pair%s sent nothing for more than %g days "
                       "and %s left out (gone?).\n",
                       r->n_instances_ignored, r->n_instances_ignored == 1 ? "" : "s", r->min_days,
                       r->n_instances_ignored == 1 ? "is" : "are");

    dbp_buf_printf(b, "\nUnused: no recorded use for at least %g days on every instance (%zu",
                   r->min_days, r->n_unused);
    if (r->n_unused)
        dbp_buf_printf(b, ", %s", dbp_ddl_bytes(a, (double)r->unused_bytes));
    dbp_buf_puts(b, ")\n");
    if (!r->n_unused)
        dbp_buf_puts(b, "  none\n");
    for (size_t i = 0; i < r->n; i++) {
        const struct dbp_store_index *x = r->items[i];
        if (x->verdict != DBP_VERDICT_UNUSED)
            continue;
        dbp_buf_printf(b, "  %s  [%s, cluster %s, database %s]\n", where(a, x),
                       dbp_engine_name(x->engine), x->cluster, x->database);
        dbp_buf_printf(b, "    no recorded use for %s on %s; %s", span(a, x->unused_days),
                       instances_text(a, x),
                       x->size_bytes >= 0 ? dbp_ddl_bytes(a, (double)x->size_bytes)
                                          : "size unknown");
        dbp_buf_puts(b, "\n");
        if (x->last_use_us || x->n_resets) {
            dbp_buf_puts(b, "    ");
            if (x->last_use_us)
                dbp_buf_printf(b, "last use recorded %s on %s", iso(a, x->last_use_us),
                               x->last_use_instance);
            if (x->n_resets)
                dbp_buf_printf(b,
                               "%s%u counter reset%s (%s between a snapshot and a reset not "
                               "seen)",
                               x->last_use_us ? "; " : "", x->n_resets, x->n_resets == 1 ? "" : "s",
                               span(a, x->unobserved_days));
            dbp_buf_puts(b, "\n");
        }
        dbp_buf_printf(b, "    %s  (dbperf never runs this)\n", drop_comment(a, x));
    }
    if (r->n_protected) {
        dbp_buf_printf(b, "\nUnused but never proposed for dropping (%zu)\n", r->n_protected);
        for (size_t i = 0; i < r->n; i++) {
            const struct dbp_store_index *x = r->items[i];
            if (x->verdict == DBP_VERDICT_PROTECTED)
                dbp_buf_printf(b, "  %s: no recorded use for %s, but %s\n", where(a, x),
                               span(a, x->unused_days), x->reason);
        }
    }
    if (r->n_pending) {
        dbp_buf_printf(b, "\nNo recorded use yet, but observed for less than %g days (%zu)\n",
                       r->min_days, r->n_pending);
        for (size_t i = 0; i < r->n; i++) {
            const struct dbp_store_index *x = r->items[i];
            if (x->verdict == DBP_VERDICT_PENDING)
                dbp_buf_printf(b, "  %s: %s so far on %s%s%s\n", where(a, x),
                               span(a, x->unused_days), instances_text(a, x),
                               x->reason ? "; would not be proposed: " : "",
                               x->reason ? x->reason : "");
        }
    }
    if (r->n_no_counter) {
        dbp_buf_printf(b, "\nNo usage counter from an instance: cannot tell (%zu)\n",
                       r->n_no_counter);
        for (size_t i = 0; i < r->n; i++) {
            const struct dbp_store_index *x = r->items[i];
            if (x->verdict == DBP_VERDICT_NO_COUNTER)
                dbp_buf_printf(b, "  %s: no counter on %s\n", where(a, x), x->no_counter_instance);
        }
    }
    dbp_buf_printf(b, "\n%zu unused, %zu protected, %zu pending, %zu used, %zu without counter\n",
                   r->n_unused, r->n_protected, r->n_pending, r->n_used, r->n_no_counter);
}

/* ---- JSON -------------------------------------------------------------- */

static void json_str(struct dbp_buf *b, const char *s)
{
    if (!s) {
        dbp_buf_puts(b, "null");
        return;
    }
    dbp_buf_putc(b, '"');
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\') {
            dbp_buf_putc(b, '\\');
            dbp_buf_putc(b, (char)*p);
        } else if (*p == '\n') {
            dbp_buf_puts(b, "\\n");
        } else if (*p == '\t') {
            dbp_buf_puts(b, "\\t");
        } else if (*p < 0x20) {
            dbp_buf_printf(b, "\\u%04x", *p);
        } else {
            dbp_buf_putc(b, (char)*p);
        }
    }
    dbp_buf_putc(b, '"');
}

static void json_key(struct dbp_buf *b, const char *k, bool first)
{
    if (!first)
        dbp_buf_putc(b, ',');
    json_str(b, k);
    dbp_buf_putc(b, ':');
}

static void json_time(struct dbp_buf *b, struct dbp_arena *a, int64_t us)
{
    if (us > 0)
        json_str(b, iso(a, us));
    else
        dbp_buf_puts(b, "null");
}

static void write_json(struct dbp_buf *b, struct dbp_arena *a, struct dbp_store *store,
                       const struct dbp_store_stats *st, const struct dbp_store_result *r,
                       const struct target_result *tr, size_t n_tr, int64_t pruned)
{
    int version = 0;
    dbp_store_schema_version(store, &version, NULL);
    dbp_buf_puts(b, "{\"version\":1,\"tool\":");
    json_str(b, "dbperf " DBPERF_VERSION);
    json_key(b, "generated_at", false);
    json_time(b, a, r->now_us);
    json_key(b, "min_days", false);
    dbp_buf_printf(b, "%g", r->min_days);
    json_key(b, "store", false);
    dbp_buf_puts(b, "{\"kind\":");
    json_str(b, dbp_store_kind(store));
    dbp_buf_printf(b,
                   ",\"schema_version\":%d,\"snapshots\":%lld,\"samples\":%lld,"
                   "\"instances\":%lld,\"first\":",
                   version, (long long)st->n_snapshots, (long long)st->n_samples,
                   (long long)st->n_instances);
    json_time(b, a, st->first_us);
    json_key(b, "last", false);
    json_time(b, a, st->last_us);
    json_key(b, "history_days", false);
    dbp_buf_printf(b, "%.3f", r->history_days);
    json_key(b, "pruned_snapshots", false);
    dbp_buf_printf(b, "%lld}", (long long)pruned);
    json_key(b, "conclusive", false);
    const char *note = history_note(a, r);
    dbp_buf_puts(b, note ? "false" : "true");
    json_key(b, "note", false);
    json_str(b, note);
    json_key(b, "instances_ignored", false);
    dbp_buf_printf(b, "%zu", r->n_instances_ignored);
    json_key(b, "targets", false);
    dbp_buf_putc(b, '[');
    for (size_t i = 0; i < n_tr; i++) {
        if (i)
            dbp_buf_putc(b, ',');
        dbp_buf_puts(b, "{\"target\":");
        json_str(b, tr[i].shown);
        json_key(b, "recorded", false);
        dbp_buf_puts(b, tr[i].error ? "false" : "true");
        json_key(b, "engine", false);
        json_str(b, tr[i].engine);
        json_key(b, "instance", false);
        json_str(b, tr[i].instance);
        json_key(b, "cluster", false);
        json_str(b, tr[i].cluster);
        json_key(b, "indexes", false);
        dbp_buf_printf(b, "%zu", tr[i].n_indexes);
        json_key(b, "error", false);
        json_str(b, tr[i].error);
        dbp_buf_putc(b, '}');
    }
    dbp_buf_putc(b, ']');
    json_key(b, "summary", false);
    dbp_buf_printf(b,
                   "{\"unused\":%zu,\"unused_bytes\":%lld,\"protected\":%zu,\"pending\":%zu,"
                   "\"used\":%zu,\"no_counter\":%zu}",
                   r->n_unused, (long long)r->unused_bytes, r->n_protected, r->n_pending, r->n_used,
                   r->n_no_counter);
    /* every index but the used ones (counted in the summary) */
    json_key(b, "indexes", false);
    dbp_buf_putc(b, '[');
    bool first = true;
    for (size_t i = 0; i < r->n; i++) {
        const struct dbp_store_index *x = r->items[i];
        if (x->verdict == DBP_VERDICT_USED)
            continue;
        if (!first)
            dbp_buf_putc(b, ',');
        first = false;
        dbp_buf_puts(b, "{\"verdict\":");
        json_str(b, dbp_idx_verdict_name(x->verdict));
        json_key(b, "engine", false);
        json_str(b, dbp_engine_name(x->engine));
        json_key(b, "cluster", false);
        json_str(b, x->cluster);
        json_key(b, "database", false);
        json_str(b, x->database);
        json_key(b, "schema", false);
        json_str(b, x->schema);
        json_key(b, "table", false);
        json_str(b, x->table);
        json_key(b, "index", false);
        json_str(b, x->name);
        json_key(b, "columns", false);
        json_str(b, x->columns);
        json_key(b, "definition", false);
        json_str(b, x->definition);
        json_key(b, "size_bytes", false);
        if (x->size_bytes >= 0)
            dbp_buf_printf(b, "%lld", (long long)x->size_bytes);
        else
            dbp_buf_puts(b, "null");
        json_key(b, "instances", false);
        dbp_buf_printf(b, "%zu", x->n_instances);
        json_key(b, "replicas", false);
        dbp_buf_printf(b, "%zu", x->n_replicas);
        json_key(b, "unused_days", false);
        dbp_buf_printf(b, "%.3f", x->unused_days);
        json_key(b, "unused_since", false);
        json_time(b, a, x->unused_since_us);
        json_key(b, "last_use", false);
        json_time(b, a, x->last_use_us);
        json_key(b, "last_use_instance", false);
        json_str(b, x->last_use_instance);
        json_key(b, "resets", false);
        dbp_buf_printf(b, "%u", x->n_resets);
        json_key(b, "unobserved_days", false);
        dbp_buf_printf(b, "%.3f", x->unobserved_days);
        json_key(b, "not_droppable_because", false);
        json_str(b, x->reason);
        json_key(b, "drop_statement", false);
        json_str(b, x->verdict == DBP_VERDICT_UNUSED ? drop_comment(a, x) : NULL);
        dbp_buf_putc(b, '}');
    }
    dbp_buf_puts(b, "]}\n");
}

/* ---- Prometheus text exposition format --------------------------------- */

static void prom_label(struct dbp_buf *b, const char *k, const char *v, bool first)
{
    if (!first)
        dbp_buf_putc(b, ',');
    dbp_buf_printf(b, "%s=\"", k);
    for (const char *p = v ? v : ""; *p; p++) {
        if (*p == '\\' || *p == '"')
            dbp_buf_putc(b, '\\');
        if (*p == '\n') {
            dbp_buf_puts(b, "\\n");
            continue;
        }
        dbp_buf_putc(b, *p);
    }
    dbp_buf_putc(b, '"');
}

static void prom_index_labels(struct dbp_buf *b, const struct dbp_store_index *x)
{
    dbp_buf_putc(b, '{');
    prom_label(b, "engine", dbp_engine_name(x->engine), true);
    prom_label(b, "cluster", x->cluster, false);
    prom_label(b, "database", x->database, false);
    prom_label(b, "schema", x->schema, false);
    prom_label(b, "table", x->table, false);
    prom_label(b, "index", x->name, false);
    prom_label(b, "verdict", dbp_idx_verdict_name(x->verdict), false);
    dbp_buf_putc(b, '}');
}

static void prom_head(struct dbp_buf *b, const char *name, const char *help)
{
    dbp_buf_printf(b, "# HELP %s %s\n# TYPE %s gauge\n", name, help, name);
}

static void write_prom(struct dbp_buf *b, const struct dbp_store_stats *st,
                       const struct dbp_store_result *r, const struct target_result *tr,
                       size_t n_tr)
{
    prom_head(b, "dbperf_check_indexes_last_run_timestamp_seconds",
              "When dbperf check-indexes last ran.");
    dbp_buf_printf(b, "dbperf_check_indexes_last_run_timestamp_seconds %.3f\n",
                   (double)r->now_us / 1e6);
    prom_head(b, "dbperf_check_indexes_target_up",
              "1 if the target was read and recorded into the store, 0 if not.");
    for (size_t i = 0; i < n_tr; i++) {
        dbp_buf_puts(b, "dbperf_check_indexes_target_up{");
        prom_label(b, "target", tr[i].shown, true);
        dbp_buf_printf(b, "} %d\n", tr[i].error ? 0 : 1);
    }
    prom_head(b, "dbperf_check_indexes_history_days", "Days of history in the store.");
    dbp_buf_printf(b, "dbperf_check_indexes_history_days %.3f\n", r->history_days);
    prom_head(b, "dbperf_check_indexes_snapshots", "Snapshots in the store.");
    dbp_buf_printf(b, "dbperf_check_indexes_snapshots %lld\n", (long long)st->n_snapshots);
    prom_head(b, "dbperf_check_indexes_min_days", "The --min-days threshold.");
    dbp_buf_printf(b, "dbperf_check_indexes_min_days %g\n", r->min_days);
    prom_head(b, "dbperf_unused_indexes",
              "Indexes with no recorded use for --min-days on every instance, droppable.");
    dbp_buf_printf(b, "dbperf_unused_indexes %zu\n", r->n_unused);
    prom_head(b, "dbperf_unused_index_bytes", "Total size of the droppable unused indexes.");
    dbp_buf_printf(b, "dbperf_unused_index_bytes %lld\n", (long long)r->unused_bytes);
    prom_head(b, "dbperf_index_unused_days",
              "Days with no recorded use on every instance (indexes not in use: verdict "
              "unused, protected or pending).");
    for (size_t i = 0; i < r->n; i++) {
        const struct dbp_store_index *x = r->items[i];
        if (x->verdict != DBP_VERDICT_UNUSED && x->verdict != DBP_VERDICT_PROTECTED &&
            x->verdict != DBP_VERDICT_PENDING)
            continue;
        dbp_buf_puts(b, "dbperf_index_unused_days");
        prom_index_labels(b, x);
        dbp_buf_printf(b, " %.3f\n", x->unused_days);
    }
    prom_head(b, "dbperf_index_size_bytes", "Size of each index not in use (largest instance).");
    for (size_t i = 0; i < r->n; i++) {
        const struct dbp_store_index *x = r->items[i];
        if ((x->verdict != DBP_VERDICT_UNUSED && x->verdict != DBP_VERDICT_PROTECTED &&
             x->verdict != DBP_VERDICT_PENDING) ||
            x->size_bytes < 0)
            continue;
        dbp_buf_puts(b, "dbperf_index_size_bytes");
        prom_index_labels(b, x);
        dbp_buf_printf(b, " %lld\n", (long long)x->size_bytes);
    }
}

/*
 * Write data to path atomically: a temporary file in the same directory,
 * flushed, then renamed over path, so a reader (node_exporter) never sees a
 * half-written file. Returns 0 or -1 with errno.
 */
static int write_atomic(const char *path, const char *data, size_t len)
{
    size_t n = strlen(path) + 32;
    char *tmp = dbp_xmalloc(n);
    snprintf(tmp, n, "%s.tmp.%ld", path, (long)getpid());
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        free(tmp);
        return -1;
    }
    size_t off = 0;
    while (off < len) {
        ssize_t w = write(fd, data + off, len - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            goto fail;
        off += (size_t)w;
    }
    if (fsync(fd) != 0 || close(fd) != 0) {
        fd = -1;
        goto fail;
    }
    fd = -1;
    if (rename(tmp, path) != 0)
        goto fail;
    free(tmp);
    return 0;
fail : {
    int e = errno;
    if (fd >= 0)
        close(fd);
    unlink(tmp);
    free(tmp);
    errno = e;
    return -1;
}
}

int dbp_cmd_check_indexes(int argc, char **argv)
{
    enum { OPT_MIN_DAYS = 256, OPT_CLUSTER, OPT_NOW, OPT_TIMEOUT, OPT_KEEP_DAYS };
    static const struct option longopts[] = {
        {"store", required_argument, NULL, 's'},
        {"min-days", required_argument, NULL, OPT_MIN_DAYS},
        {"keep-days", required_argument, NULL, OPT_KEEP_DAYS},
        {"cluster", required_argument, NULL, OPT_CLUSTER},
        {"format", required_argument, NULL, 'f'},
        {"output", required_argument, NULL, 'o'},
        {"now", required_argument, NULL, OPT_NOW},
        {"statement-timeout", required_argument, NULL, OPT_TIMEOUT},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    const char *store_spec = NULL, *cluster = NULL, *output = NULL, *now_arg = NULL;
    double min_days = 30, keep_days = 0;
    int timeout_ms = 5000;
    enum out_format fmt = OUT_TEXT;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "s:f:o:h", longopts, NULL)) != -1) {
        switch (c) {
        case 's':
            store_spec = optarg;
            break;
        case OPT_MIN_DAYS: {
            char *end;
            double v = strtod(optarg, &end);
            if (end == optarg || *end || !(v > 0) || v > 36500) {
                fprintf(stderr, "dbperf check-indexes: --min-days needs a number of days "
                                "above 0 (at most 36500)\n");
                return DBP_EXIT_USAGE;
            }
            min_days = v;
            break;
        }
        case OPT_KEEP_DAYS: {
            char *end;
            double v = strtod(optarg, &end);
            if (end == optarg || *end || !(v > 0) || v > 36500) {
                fprintf(stderr, "dbperf check-indexes: --keep-days needs a number of days "
                                "above 0 (at most 36500)\n");
                return DBP_EXIT_USAGE;
            }
            keep_days = v;
            break;
        }
        case OPT_CLUSTER:
            if (!*optarg) {
                fprintf(stderr, "dbperf check-indexes: --cluster needs a name\n");
                return DBP_EXIT_USAGE;
            }
            cluster = optarg;
            break;
        case 'f':
            if (strcmp(optarg, "text") == 0)
                fmt = OUT_TEXT;
            else if (strcmp(optarg, "json") == 0)
                fmt = OUT_JSON;
            else if (strcmp(optarg, "prometheus") == 0 || strcmp(optarg, "prom") == 0)
                fmt = OUT_PROM;
            else {
                fprintf(stderr,
                        "dbperf check-indexes: --format must be text, json or prometheus\n");
                return DBP_EXIT_USAGE;
            }
            break;
        case 'o':
            output = optarg;
            break;
        case OPT_NOW:
            now_arg = optarg;
            break;
        case OPT_TIMEOUT: {
            char *end;
            long v = strtol(optarg, &end, 10);
            if (*end || v <= 0 || v > 3600000) {
                fprintf(stderr, "dbperf check-indexes: --statement-timeout needs milliseconds "
                                "(1..3600000)\n");
                return DBP_EXIT_USAGE;
            }
            timeout_ms = (int)v;
            break;
        }
        case 'h':
            usage(stdout);
            return DBP_EXIT_OK;
        default:
            fprintf(stderr, "Try `dbperf check-indexes --help`.\n");
            return DBP_EXIT_USAGE;
        }
    }
    if (!store_spec) {
        fprintf(stderr, "dbperf check-indexes: --store is required (a SQLite file or "
                        "postgresql://...)\n");
        return DBP_EXIT_USAGE;
    }
    if (keep_days > 0 && keep_days < min_days) {
        fprintf(stderr,
                "dbperf check-indexes: --keep-days %g is shorter than --min-days %g: no index "
                "could ever be found unused\n",
                keep_days, min_days);
        return DBP_EXIT_USAGE;
    }
    /* the store is the user's own database, written to: never one of the audited targets */
    for (int i = optind; i < argc; i++)
        if (strcmp(argv[i], store_spec) == 0) {
            fprintf(stderr,
                    "dbperf check-indexes: the store must not be an audited target: keep the "
                    "history in a database of its own\n");
            return DBP_EXIT_USAGE;
        }
    int64_t now_us;
    if (now_arg) {
        char *end;
        long long sec = strtoll(now_arg, &end, 10);
        if (dbp_report_parse_iso8601(now_arg, &now_us) != 0) {
            if (end == now_arg || *end || sec < 0) {
                fprintf(stderr, "dbperf check-indexes: --now needs ISO 8601 UTC "
                                "(2026-01-31T00:00:00Z) or seconds since the epoch\n");
                return DBP_EXIT_USAGE;
            }
            now_us = (int64_t)sec * 1000000;
        }
    } else {
        struct dbp_report_opts ro = {0};
        now_us = dbp_report_now_us(&ro); /* DBPERF_NOW, else the clock */
    }

    struct dbp_error err = {0};
    struct dbp_store *store = NULL;
    if (dbp_store_open(store_spec, &store, &err) != DBP_OK) {
        fprintf(stderr, "dbperf check-indexes: %s\n", err.message);
        return err.code == DBP_ERR_USAGE ? DBP_EXIT_USAGE : DBP_EXIT_SOURCE;
    }
    struct dbp_arena *a = dbp_arena_new();
    int exit_code = DBP_EXIT_OK;
    size_t n_tr = (size_t)(argc - optind);
    struct target_result *tr = dbp_arena_alloc(a, (n_tr + 1) * sizeof *tr);
    for (size_t i = 0; i < n_tr; i++) {
        if (record_target(argv[optind + (int)i], store, cluster, now_us, timeout_ms, a, &tr[i])) {
            fprintf(stderr, "dbperf check-indexes: %s: %s\n", tr[i].shown, tr[i].error);
            exit_code = DBP_EXIT_SOURCE;
        }
    }

    struct dbp_store_stats st = {0};
    struct dbp_store_result res = {0};
    int rc = DBP_OK;
    int64_t pruned = 0;
    if (keep_days > 0)
        rc = dbp_store_prune(store, now_us - (int64_t)(keep_days * US_PER_DAY), &pruned, &err);
    if (rc == DBP_OK)
        rc = dbp_store_stats(store, &st, &err);
    if (rc == DBP_OK)
        rc = dbp_store_analyze(store, a, now_us, min_days, &res, &err);
    if (rc != DBP_OK) {
        fprintf(stderr, "dbperf check-indexes: %s\n", err.message);
        dbp_store_close(store);
        dbp_arena_free(a);
        return DBP_EXIT_SOURCE;
    }
    struct dbp_buf out = {0};
    if (fmt == OUT_JSON)
        write_json(&out, a, store, &st, &res, tr, n_tr, pruned);
    else if (fmt == OUT_PROM)
        write_prom(&out, &st, &res, tr, n_tr);
    else
        write_text(&out, a, store, &st, &res, tr, n_tr, pruned);
    dbp_store_close(store);

    if (output) {
        if (write_atomic(output, out.data ? out.data : "", out.len) != 0) {
            fprintf(stderr, "dbperf check-indexes: %s: %s\n", output, strerror(errno));
            exit_code = DBP_EXIT_SOURCE;
        }
    } else if (out.len) {
        fwrite(out.data, 1, out.len, stdout);
        fflush(stdout);
    }
    if (exit_code == DBP_EXIT_OK && res.n_unused)
        exit_code = DBP_EXIT_FINDINGS;
    dbp_buf_free(&out);
    dbp_arena_free(a);
    return exit_code;
}
