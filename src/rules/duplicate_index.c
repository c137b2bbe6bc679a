/*
 * rules/duplicate_index.c -- the duplicate-index rule: indexes another index
 * of the same table already provides.
 *
 * Two indexes of one relation and the same access method are compared by
 * their key columns: identical keys, or a key that is a left prefix of a
 * longer ordered (B-tree-like) key, which serves every lookup the shorter
 * one does. Of identical keys the one that enforces the strongest
 * constraint is kept (primary key, then unique/exclusion constraint, then a
 * unique index, then replica identity), then the most used, then the first
 * by name. A prefix that is itself unique is never redundant (the longer
 * key cannot enforce it). Partial indexes are compared only with partial
 * indexes of the same predicate. Each redundant index is reported once with
 * its size as the estimated waste; one that enforces a constraint itself is
 * info without a DROP. Replica copies of an index are counted once.
 * Largest first.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <dbperf/arena.h>
#include <dbperf/buf.h>
#include <dbperf/rules.h>

#include "../ddl.h"

#define ENFORCES                                                                                   \
    (DBP_IDX_PRIMARY | DBP_IDX_UNIQUE | DBP_IDX_CONSTRAINT | DBP_IDX_EXCLUSION |                   \
     DBP_IDX_REPLICA_IDENTITY)

struct dup {
    const struct dbp_index *ix;   /* redundant */
    const struct dbp_index *keep; /* the index that provides it */
    bool identical;
};

static int eq_opt(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static const char *cluster_of(const struct dbp_index *ix)
{
    return ix->cluster ? ix->cluster : ix->instance;
}

/* "btree" for the default ordered method of each engine. */
static const char *method_of(const struct dbp_index *ix)
{
    if (!ix->method || strcasecmp(ix->method, "btree") == 0 || strcmp(ix->method, "1") == 0 ||
        strcmp(ix->method, "-1") == 0)
        return "btree";
    return ix->method;
}

/* Column compare ignoring a trailing " ASC" (the default). */
static int same_key(const char *a, const char *b)
{
    size_t na = strlen(a), nb = strlen(b);
    if (na > 4 && strcasecmp(a + na - 4, " ASC") == 0)
        na -= 4;
    if (nb > 4 && strcasecmp(b + nb - 4, " ASC") == 0)
        nb -= 4;
    return na == nb && strncmp(a, b, na) == 0;
}

static int rank(const struct dbp_index *ix)
{
    if (ix->flags & DBP_IDX_PRIMARY)
        return 5;
    if (ix->flags & (DBP_IDX_CONSTRAINT | DBP_IDX_EXCLUSION))
        return 4;
    if (ix->flags & DBP_IDX_UNIQUE)
        return 3;
    if (ix->flags & DBP_IDX_REPLICA_IDENTITY)
        return 2;
    return 0;
}

/* 1 if x is better to keep than y among identical keys. */
static int keep_before(const struct dbp_index *x, const struct dbp_index *y)
{
    if (rank(x) != rank(y))
        return rank(x) > rank(y);
    if (x->scans != y->scans)
        return x->scans > y->scans;
    return strcmp(x->name, y->name) < 0;
}

/*
 * How y provides x: 2 identical keys (and y is the one to keep), 1 x is a
 * left prefix of y, 0 not at all.
 */
static int provides(const struct dbp_index *y, const char **yk, const struct dbp_index *x,
                    const char **xk)
{
    if (x == y || x->engine != y->engine || !eq_opt(cluster_of(x), cluster_of(y)) ||
        !dbp_ddl_same_index_relation(x, y))
        return 0;
    if ((x->flags | y->flags) & DBP_IDX_INVALID)
        return 0;
    if (!eq_opt(x->predicate, y->predicate))
        return 0;
    if (strcasecmp(method_of(x), method_of(y)) != 0)
        return 0;
    if (x->n_columns == 0 || x->n_columns > y->n_columns)
        return 0;
    for (size_t i = 0; i < x->n_columns; i++)
        if (!same_key(xk[i], yk[i]))
            return 0;
    if (x->n_columns == y->n_columns)
        return keep_before(y, x) ? 2 : 0;
    /* a strict prefix: only ordered keys serve their prefixes; a unique prefix is stronger */
    if (strcmp(method_of(x), "btree") != 0)
        return 0;
    if (x->flags & (DBP_IDX_PRIMARY | DBP_IDX_UNIQUE | DBP_IDX_CONSTRAINT | DBP_IDX_EXCLUSION))
        return 0;
    return 1;
}

static const char *enforce_text(unsigned flags)
{
    if (flags & DBP_IDX_PRIMARY)
        return "the primary key";
    if (flags & DBP_IDX_EXCLUSION)
        return "an exclusion constraint";
    if (flags & DBP_IDX_CONSTRAINT)
        return "a unique constraint";
    if (flags & DBP_IDX_UNIQUE)
        return "uniqueness";
    if (flags & DBP_IDX_REPLICA_IDENTITY)
        return "the replica identity";
    return NULL;
}

static int dup_cmp(const void *a, const void *b)
{
    const struct dup *x = a, *y = b;
    if (x->ix->size_bytes != y->ix->size_bytes)
        return x->ix->size_bytes > y->ix->size_bytes ? -1 : 1;
    return strcmp(x->ix->name, y->ix->name);
}

static void emit(struct dbp_rule_ctx *ctx, const struct dup *d)
{
    struct dbp_snapshot *snap = dbp_rule_snapshot(ctx);
    struct dbp_arena *a = snap->arena;
    const struct dbp_index *ix = d->ix, *k = d->keep;
    struct dbp_finding *f = dbp_rule_emit(ctx);
    f->engine = ix->engine;
    f->object = dbp_ddl_index_object(a, ix);

    struct dbp_buf m = {0};
    dbp_buf_printf(&m, "%s %s %s %s %s", f->object, dbp_ddl_columns(a, ix),
                   d->identical ? "is identical to" : "is a left prefix of", k->name,
                   dbp_ddl_columns(a, k));
    const char *kt = enforce_text(k->flags);
    if (kt)
        dbp_buf_printf(&m, " (which enforces %s)", kt);
    if (ix->size_bytes >= 0)
        dbp_buf_printf(&m, ": %s wasted", dbp_ddl_bytes(a, (double)ix->size_bytes));
    const char *own = enforce_text(ix->flags);
    if (own) {
        /* the redundant one enforces something itself: never a plain DROP */
        dbp_buf_printf(&m,
                       "; it enforces %s itself, so drop the duplicate constraint only if "
                       "nothing depends on it",
                       own);
        f->severity = DBP_SEV_INFO;
    } else {
        dbp_buf_printf(&m, "; %s serves its lookups", k->name);
        if (ix->scans > 0)
            dbp_buf_printf(&m, " (its %s scans will move there)",
                           dbp_ddl_count(a, (double)ix->scans));
        const struct dbp_table *t =
            dbp_ddl_find_table(snap, ix->engine, ix->database, ix->schema, ix->table);
        f->suggestion = dbp_ddl_drop_index(a, ix->engine, ix, t);
    }
    f->message = dbp_arena_strndup(a, m.data, m.len);
    dbp_buf_free(&m);

    dbp_finding_add_evidence(snap, f, "kind", NAN, d->identical ? "identical" : "left-prefix");
    dbp_finding_add_evidence(snap, f, "duplicate_of", NAN, dbp_ddl_index_object(a, k));
    if (ix->size_bytes >= 0)
        dbp_finding_add_evidence(snap, f, "wasted_bytes", (double)ix->size_bytes, NULL);
    if (ix->scans >= 0)
        dbp_finding_add_evidence(snap, f, "scans", (double)ix->scans, NULL);
    if (k->scans >= 0)
        dbp_finding_add_evidence(snap, f, "kept_scans", (double)k->scans, NULL);
    if (ix->definition)
        dbp_finding_add_evidence(snap, f, "definition", NAN, ix->definition);
    if (k->definition)
        dbp_finding_add_evidence(snap, f, "kept_definition", NAN, k->definition);
}

static int run(const struct dbp_snapshot *snap, struct dbp_rule_ctx *ctx, struct dbp_error *err)
{
    (void)err;
    double min_size = dbp_rule_param(ctx, "min_size_bytes");
    /* one row per index: a replica's copy only when the primary's is missing */
    const struct dbp_index **ixs = dbp_xcalloc(snap->indexes.n + 1, sizeof *ixs);
    size_t n = 0;
    for (size_t i = 0; i < snap->indexes.n; i++) {
        const struct dbp_index *ix = snap->indexes.items[i];
        if (!ix->name || !ix->table || !ix->columns)
            continue;
        size_t k;
        for (k = 0; k < n; k++)
            if (ixs[k]->engine == ix->engine && eq_opt(cluster_of(ixs[k]), cluster_of(ix)) &&
                dbp_ddl_same_index_relation(ixs[k], ix) && strcmp(ixs[k]->name, ix->name) == 0)
                break;
        if (k == n)
            ixs[n++] = ix;
        else if ((ixs[k]->flags & DBP_IDX_REPLICA) && !(ix->flags & DBP_IDX_REPLICA))
            ixs[k] = ix;
    }
    /* keys with their operator classes, collations and orderings where the engine says */
    const char ***keys = dbp_xcalloc(n + 1, sizeof *keys);
    for (size_t i = 0; i < n; i++)
        keys[i] = dbp_ddl_key_parts(dbp_rule_snapshot(ctx)->arena, ixs[i]);
    struct dup *dups = dbp_xcalloc(n + 1, sizeof *dups);
    size_t nd = 0;
    for (size_t i = 0; i < n; i++) {
        const struct dbp_index *x = ixs[i];
        if (x->size_bytes >= 0 && (double)x->size_bytes < min_size)
            continue;
        const struct dbp_index *best = NULL;
        int best_how = 0;
        for (size_t j = 0; j < n; j++) {
            int how = provides(ixs[j], keys[j], x, keys[i]);
            if (!how)
                continue;
            /* identical beats prefix; then the stronger / more used keeper */
            if (!best || how > best_how || (how == best_how && keep_before(ixs[j], best))) {
                best = ixs[j];
                best_how = how;
            }
        }
        if (best)
            dups[nd++] = (struct dup){x, best, best_how == 2};
    }
    /* point each at the index that stays: (a) identical to (a) that is itself a prefix of
     * (a, b) is served by (a, b) once both go */
    for (size_t i = 0; i < nd; i++) {
        for (size_t hops = 0; hops < nd; hops++) {
            size_t j;
            for (j = 0; j < nd; j++)
                if (dups[j].ix == dups[i].keep)
                    break;
            if (j == nd || dups[j].keep == dups[i].ix)
                break;
            dups[i].keep = dups[j].keep;
        }
        dups[i].identical = dups[i].keep->n_columns == dups[i].ix->n_columns;
    }
    qsort(dups, nd, sizeof *dups, dup_cmp);
    for (size_t i = 0; i < nd; i++)
        emit(ctx, &dups[i]);
    free(dups);
    free(keys);
    free(ixs);
    return 0;
}

static const struct dbp_param params[] = {
    {"min_size_bytes", 0, "bytes", "smaller redundant indexes are not reported"},
};

const struct dbp_rule dbp_rule_duplicate_index = {
    .id = "duplicate-index",
    .severity = DBP_SEV_WARNING,
    .summary = "identical indexes, and left prefixes of longer ones",
    .explain =
        "Two indexes on the same table with the same access method and the same key columns "
        "in the same order do the same work twice: every write maintains both and both compete "
        "for cache. An ordered (B-tree) index on (a) is also redundant next to one on (a, b), "
        "which serves every lookup and sort on a alone. This rule reports each redundant index "
        "once, with its size as the space wasted. Of identical keys it keeps the one that "
        "enforces the strongest constraint (primary key, unique or exclusion constraint, "
        "unique index, replica identity), then the most used. A unique prefix is never "
        "redundant: the longer index cannot enforce its uniqueness. Keys compare with "
        "their operator classes, collations and orderings where the index definition gives "
        "them (a text_pattern_ops index is not a duplicate of a plain one), expressions "
        "textually, partial indexes only with partial indexes of the same predicate. When the "
        "redundant index enforces a constraint itself (a unique constraint "
        "identical to the primary key), the finding is info and suggests no DROP: drop the "
        "constraint if nothing depends on it. A MySQL foreign key is served by the index that "
        "is kept. Indexes smaller than min_size_bytes are left out.",
    .params = params,
    .n_params = sizeof params / sizeof params[0],
    .run = run,
};
