/*
 * rules/unused_index.c -- the unused-index rule: indexes no instance used.
 *
 * An index is the same on a primary and its replicas (struct dbp_index rows
 * sharing cluster, database, schema, table and name); it is unused only when
 * every instance read reports 0 scans, since an index used on any of them
 * is used. "Unused" is not "droppable": an index that backs a primary key,
 * enforces uniqueness, backs an exclusion constraint, is needed by a foreign
 * key or is the replica identity is reported as such (info, no DROP). The
 * counters' coverage (since the stats reset or server start) must be at
 * least min_coverage_days; otherwise the finding says so and is info
 * without a DROP too. Largest first.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <dbperf/arena.h>
#include <dbperf/buf.h>
#include <dbperf/rules.h>

#include "../ddl.h"

#define PROTECTED                                                                                  \
    (DBP_IDX_PRIMARY | DBP_IDX_UNIQUE | DBP_IDX_CONSTRAINT | DBP_IDX_EXCLUSION |                   \
     DBP_IDX_FOREIGN_KEY | DBP_IDX_REPLICA_IDENTITY)

struct group {
    const struct dbp_index *ix; /* representative: the primary's row when there is one */
    const char *cluster;
    unsigned flags;
    int64_t scans;        /* sum over instances with counters; -1 none known */
    int64_t size_bytes;   /* largest known; -1 */
    double coverage_days; /* shortest coverage among instances with counters; NaN unknown */
    bool coverage_unknown;
    size_t n_instances, n_replicas, n_no_counters;
};

static int eq_opt(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static const char *cluster_of(const struct dbp_index *ix)
{
    return ix->cluster ? ix->cluster : ix->instance;
}

static int same_index(const struct dbp_index *a, const struct dbp_index *b)
{
    return a->engine == b->engine && eq_opt(cluster_of(a), cluster_of(b)) &&
           eq_opt(a->database, b->database) && eq_opt(a->schema, b->schema) &&
           eq_opt(a->table, b->table) && eq_opt(a->name, b->name);
}

static const char *protect_reason(unsigned flags)
{
    if (flags & DBP_IDX_PRIMARY)
        return "it backs the primary key";
    if (flags & DBP_IDX_EXCLUSION)
        return "it backs an exclusion constraint";
    if (flags & DBP_IDX_CONSTRAINT)
        return "it backs a unique constraint";
    if (flags & DBP_IDX_UNIQUE)
        return "it enforces uniqueness";
    if (flags & DBP_IDX_REPLICA_IDENTITY)
        return "it is the table's replica identity";
    if (flags & DBP_IDX_FOREIGN_KEY)
        return "a foreign key needs it";
    return NULL;
}

/* A coverage in days for messages: "45.0 days", "1 day", "5.2 h", "9.0 s". */
static const char *span(struct dbp_arena *a, double days)
{
    if (days >= 1)
        return dbp_arena_printf(a, "%.1f day%s", days, days < 1.05 ? "" : "s");
    return dbp_ddl_ms(a, days * 86400000.0);
}

static int group_cmp(const void *x, const void *y)
{
    const struct group *a = x, *b = y;
    int pa = (a->flags & PROTECTED) != 0, pb = (b->flags & PROTECTED) != 0;
    if (pa != pb)
        return pa - pb;
    if (a->size_bytes != b->size_bytes)
        return a->size_bytes > b->size_bytes ? -1 : 1;
    return 0;
}

static void emit(struct dbp_rule_ctx *ctx, const struct group *g, double min_days)
{
    struct dbp_snapshot *snap = dbp_rule_snapshot(ctx);
    struct dbp_arena *a = snap->arena;
    const struct dbp_index *ix = g->ix;
    struct dbp_finding *f = dbp_rule_emit(ctx);
    f->engine = ix->engine;
    f->object = dbp_ddl_index_object(a, ix);

    struct dbp_buf m = {0};
    dbp_buf_printf(&m, "%s %s: 0 scans", f->object, dbp_ddl_columns(a, ix));
    if (g->coverage_days == g->coverage_days)
        dbp_buf_printf(&m, " in %s", span(a, g->coverage_days));
    else
        dbp_buf_puts(&m, " since an unknown counter start");
    size_t with = g->n_instances - g->n_no_counters;
    if (g->n_replicas)
        dbp_buf_printf(&m, " on %zu instances (%zu replica%s)", with, g->n_replicas,
                       g->n_replicas == 1 ? "" : "s");
    else
        dbp_buf_printf(&m, " on %zu instance%s", with, with == 1 ? "" : "s");
    if (g->size_bytes >= 0)
        dbp_buf_printf(&m, ", %s", dbp_ddl_bytes(a, (double)g->size_bytes));

    const char *reason = protect_reason(g->flags);
    bool short_cover = g->coverage_unknown || !(g->coverage_days >= min_days);
    if (reason) {
        dbp_buf_printf(&m, "; not droppable: %s", reason);
        if (g->flags & (DBP_IDX_UNIQUE | DBP_IDX_CONSTRAINT | DBP_IDX_EXCLUSION) &&
            !(g->flags & DBP_IDX_PRIMARY))
            dbp_buf_puts(&m, " (review whether the constraint is still needed)");
        f->severity = DBP_SEV_INFO;
    } else if (g->n_no_counters) {
        dbp_buf_printf(&m, "; no counters from %zu instance%s: check them before dropping",
                       g->n_no_counters, g->n_no_counters == 1 ? "" : "s");
        f->severity = DBP_SEV_INFO;
    } else if (short_cover) {
        if (g->coverage_unknown)
            dbp_buf_puts(&m, "; the counters' start is unknown, so this may only mean a "
                             "recent stats reset or restart");
        else
            dbp_buf_printf(&m,
                           "; counters cover only %s (< %g days): too short to call it "
                           "unused, look again later",
                           span(a, g->coverage_days), min_days);
        f->severity = DBP_SEV_INFO;
    } else {
        dbp_buf_puts(&m, "; it slows every write and takes cache for nothing");
        const struct dbp_table *t =
            dbp_ddl_find_table(snap, ix->engine, ix->database, ix->schema, ix->table);
        f->suggestion = dbp_ddl_drop_index(a, ix->engine, ix, t);
        if (g->n_replicas) {
            f->verified = DBP_VERIFY_COUNTERS;
            f->verify_note =
                dbp_arena_printf(a, "0 scans on all %zu instances read", g->n_instances);
        } else {
            f->verify_note = "counters of one instance only: an index used only on a replica "
                             "looks unused here; check every replica before dropping";
        }
    }
    f->message = dbp_arena_strndup(a, m.data, m.len);
    dbp_buf_free(&m);

    dbp_finding_add_evidence(snap, f, "scans", 0, NULL);
    if (g->coverage_days == g->coverage_days)
        dbp_finding_add_evidence(snap, f, "coverage_days", g->coverage_days, NULL);
    if (g->size_bytes >= 0)
        dbp_finding_add_evidence(snap, f, "size_bytes", (double)g->size_bytes, NULL);
    dbp_finding_add_evidence(snap, f, "instances", (double)g->n_instances, NULL);
    dbp_finding_add_evidence(snap, f, "replicas", (double)g->n_replicas, NULL);
    if (g->n_no_counters)
        dbp_finding_add_evidence(snap, f, "instances_without_counters", (double)g->n_no_counters,
                                 NULL);
    if (g->cluster)
        dbp_finding_add_evidence(snap, f, "cluster", NAN, g->cluster);
    if (reason)
        dbp_finding_add_evidence(snap, f, "not_droppable", NAN, reason);
    if (ix->definition)
        dbp_finding_add_evidence(snap, f, "definition", NAN, ix->definition);
}

static int run(const struct dbp_snapshot *snap, struct dbp_rule_ctx *ctx, struct dbp_error *err)
{
    (void)err;
    double min_days = dbp_rule_param(ctx, "min_coverage_days");
    double min_size = dbp_rule_param(ctx, "min_size_bytes");
    struct group *gs = dbp_xcalloc(snap->indexes.n + 1, sizeof *gs);
    size_t n = 0;
    for (size_t i = 0; i < snap->indexes.n; i++) {
        const struct dbp_index *ix = snap->indexes.items[i];
        if (!ix->name || !ix->table)
            continue;
        size_t k;
        for (k = 0; k < n; k++)
            if (same_index(gs[k].ix, ix))
                break;
        struct group *g = &gs[k];
        if (k == n) {
            n++;
            g->ix = ix;
            g->cluster = cluster_of(ix);
            g->scans = -1;
            g->size_bytes = -1;
            g->coverage_days = NAN;
        } else if ((g->ix->flags & DBP_IDX_REPLICA) && !(ix->flags & DBP_IDX_REPLICA)) {
            g->ix = ix; /* name the primary's copy */
        }
        g->flags |= ix->flags & ~DBP_IDX_REPLICA;
        g->n_instances++;
        if (ix->flags & DBP_IDX_REPLICA)
            g->n_replicas++;
        if (ix->size_bytes > g->size_bytes)
            g->size_bytes = ix->size_bytes;
        if (ix->scans < 0) {
            g->n_no_counters++;
            continue;
        }
        g->scans = (g->scans < 0 ? 0 : g->scans) + ix->scans;
        if (ix->counter_since_us > 0) {
            /* a start at or after the snapshot's own clock (a server started a moment ago,
             * or a server clock slightly ahead of ours) covers no time at all */
            double days = snap->created_us > ix->counter_since_us
                              ? (double)(snap->created_us - ix->counter_since_us) / 86400e6
                              : 0.0;
            if (g->coverage_days != g->coverage_days || days < g->coverage_days)
                g->coverage_days = days;
        } else {
            g->coverage_unknown = true;
        }
    }
    size_t kept = 0;
    for (size_t i = 0; i < n; i++) {
        struct group *g = &gs[i];
        if (g->scans != 0)
            continue; /* used somewhere, or no counters at all */
        if (g->flags & DBP_IDX_INVALID)
            continue; /* an unfinished build: not a usage question */
        if (g->size_bytes >= 0 && (double)g->size_bytes < min_size)
            continue;
        gs[kept++] = *g;
    }
    qsort(gs, kept, sizeof *gs, group_cmp);
    for (size_t i = 0; i < kept; i++)
        emit(ctx, &gs[i], min_days);
    free(gs);
    return 0;
}

static const struct dbp_param params[] = {
    {"min_coverage_days", 7, "days", "least time the usage counters must cover"},
    {"min_size_bytes", 1048576, "bytes", "smaller indexes are not reported"},
};

const struct dbp_rule dbp_rule_unused_index = {
    .id = "unused-index",
    .severity = DBP_SEV_WARNING,
    .summary = "indexes no instance used; a constraint's index is never droppable",
    .explain =
        "Every index costs on each INSERT, on UPDATEs of its columns and on DELETE, takes disk "
        "and cache, and lengthens vacuum and backups. An index whose usage counter (PostgreSQL "
        "idx_scan, MySQL performance_schema, MongoDB $indexStats) is 0 on every instance read "
        "is reported: counters of a primary and its replicas are combined, because an index "
        "used on any replica is used. The counters only cover the time since the last stats "
        "reset or server restart; the finding says how long that is, and when it is shorter "
        "than min_coverage_days (or unknown), or when an instance gave no counters, the "
        "finding is info and makes no DROP suggestion: month-end jobs and failovers use "
        "indexes that a quiet week does not. Unused is not droppable: an index that backs the "
        "primary key (MongoDB _id), enforces uniqueness, backs an exclusion constraint, is "
        "needed by a foreign key (MySQL requires one) or is the replica identity is reported "
        "as info with the reason and never with a DROP. Otherwise the suggestion is DROP INDEX "
        "CONCURRENTLY (PostgreSQL), ALTER TABLE ... DROP INDEX (MySQL) or dropIndex (MongoDB); "
        "with the counters of one instance only, check the replicas first. Indexes smaller "
        "than min_size_bytes are left out.",
    .params = params,
    .n_params = sizeof params / sizeof params[0],
    .run = run,
};
