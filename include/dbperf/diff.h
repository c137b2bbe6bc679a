/*
 * diff.h -- comparing statement classes before and after a change
 * (`dbperf diff BASE.json NEW.json`, `dbperf audit --baseline BASE.json`).
 *
 * Classes are matched by engine, database and fingerprint id. A class has
 * regressed when its mean or p95 latency grew by more than a threshold (and by
 * at least min_delta_ms in absolute terms), with
 * at least min_calls calls on both sides, and -- when both sides carry a
 * latency distribution (log sources) -- a one-sided Mann-Whitney rank test on
 * the two sketches says "slower" at significance alpha. Improvements are the
 * mirror image. Counters from pg_stat_statements / performance_schema have no
 * distribution: there the mean and the call counts decide.
 */
#ifndef DBPERF_DIFF_H
#define DBPERF_DIFF_H

#include <stddef.h>

#include <dbperf/model.h>

enum dbp_verdict {
    DBP_VERDICT_SAME = 0,     /* no change beyond the threshold (or not significant) */
    DBP_VERDICT_REGRESSED,
    DBP_VERDICT_IMPROVED,
    DBP_VERDICT_TOO_FEW,      /* fewer than min_calls on a side: no verdict */
    DBP_VERDICT_NEW,          /* only after */
    DBP_VERDICT_GONE          /* only before */
};
/* "same", "regressed", "improved", "too-few-calls", "new", "gone" */
const char *dbp_verdict_name(enum dbp_verdict v);

struct dbp_compare_opts {
    double threshold; /* relative growth, 0.2 = 20% */
    double min_calls; /* on each side */
    double alpha;     /* significance of the rank test, e.g. 0.01 */
    double min_delta_ms; /* the mean (or p95) must also move by this much: 0.05 -> 0.07 ms is noise */
};

struct dbp_stmt_change {
    const struct dbp_stmt *before; /* NULL for a new class */
    const struct dbp_stmt *after;  /* NULL for a class that is gone */
    double mean_change;            /* (after - before) / before; NaN if unknown */
    double p95_change;
    double total_change;
    double p_slower;  /* one-sided p-value that after is slower; NaN without distributions */
    double p_faster;  /* one-sided p-value that after is faster */
    enum dbp_verdict verdict;
};

/* Compare one class (either side may be NULL). */
void dbp_compare_stmt(const struct dbp_stmt *before, const struct dbp_stmt *after,
                      const struct dbp_compare_opts *o, struct dbp_stmt_change *out);

/*
 * Mann-Whitney U test on two sketches, ties within a bucket counted as half:
 * returns the one-sided p-value (normal approximation with tie correction)
 * that values of b tend to be larger than values of a. NaN if either is empty.
 */
double dbp_sketch_mann_whitney(const struct dbp_sketch *a, const struct dbp_sketch *b);

/* The class in snap matching st (engine, database, fpid), or NULL. */
struct dbp_stmt *dbp_snapshot_match(const struct dbp_snapshot *snap, const struct dbp_stmt *st);

/*
 * Every class of before and after, compared; heap array (free()) of *n items,
 * regressions first (largest mean growth first), then improvements, new, gone, same.
 */
struct dbp_stmt_change *dbp_compare_snapshots(const struct dbp_snapshot *before,
                                              const struct dbp_snapshot *after,
                                              const struct dbp_compare_opts *o, size_t *n);

/*
 * Replace the aggregates of every class in after by the difference after -
 * before (counters since reset -> a measurement window): calls, total_ms,
 * rows; min/max become unknown. Classes without calls in the window are
 * removed from after->stmts. Returns the number of classes kept.
 */
size_t dbp_snapshot_subtract(struct dbp_snapshot *after, const struct dbp_snapshot *before);

#endif
