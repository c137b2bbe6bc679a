/*
 * sketch.h -- streaming latency quantiles with bounded relative error.
 *
 * A logarithmic-bucket sketch (the DDSketch construction): a value v > 0 goes
 * to bucket ceil(log_gamma(v)) with gamma = (1 + a) / (1 - a), a = 0.01, so
 * any quantile it returns is within 1% of a value that was actually at that
 * rank. Buckets are kept as one dense run of counters between the lowest and
 * highest index seen; the run never exceeds DBP_SKETCH_MAX_BUCKETS (when it
 * would, the lowest buckets are folded together, which only affects the
 * smallest values). Values <= DBP_SKETCH_MIN_MS count as zero.
 */
#ifndef DBPERF_SKETCH_H
#define DBPERF_SKETCH_H

#include <stdint.h>

#define DBP_SKETCH_ALPHA       0.01
#define DBP_SKETCH_MAX_BUCKETS 2048
#define DBP_SKETCH_MIN_MS      1e-6

struct dbp_sketch {
    uint32_t *counts;    /* heap (dbp_xmalloc); owned by the sketch; NULL when empty */
    int32_t lo;          /* bucket index of counts[0] */
    uint32_t n;          /* counters in use */
    uint32_t cap;        /* counters allocated */
    uint64_t zero_count; /* values <= DBP_SKETCH_MIN_MS */
    uint64_t count;      /* all values added */
};

/* Add one value (milliseconds). Negative values and NaN are ignored. */
void dbp_sketch_add(struct dbp_sketch *s, double v_ms);

/* Add n copies of one value. */
void dbp_sketch_add_n(struct dbp_sketch *s, double v_ms, uint64_t n);

/*
 * Value at quantile q in [0, 1]; NaN when the sketch is empty. The answer is
 * within DBP_SKETCH_ALPHA relative error of the true rank-q value.
 */
double dbp_sketch_quantile(const struct dbp_sketch *s, double q);

/* Add every value of src to dst. */
void dbp_sketch_merge(struct dbp_sketch *dst, const struct dbp_sketch *src);

/* Release the counters; the sketch is empty afterwards. NULL-safe. */
void dbp_sketch_reset(struct dbp_sketch *s);

/* Bytes of heap memory the sketch holds. */
uint64_t dbp_sketch_bytes(const struct dbp_sketch *s);

#endif
