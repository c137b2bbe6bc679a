/*
 * sketch.c -- logarithmic-bucket quantile sketch (see include/dbperf/sketch.h).
 *
 * Bucket i holds values in (gamma^(i-1), gamma^i]; its representative value
 * 2 * gamma^i / (gamma + 1) is within alpha of every value in the bucket.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <dbperf/arena.h>
#include <dbperf/sketch.h>

#define GAMMA ((1.0 + DBP_SKETCH_ALPHA) / (1.0 - DBP_SKETCH_ALPHA))

/* 1 / ln(gamma); the compiler folds the constant */
static double inv_log_gamma(void)
{
    return 1.0 / log(GAMMA);
}

static int32_t bucket_of(double v, double ilg)
{
    return (int32_t)ceil(log(v) * ilg);
}

/* Make [idx] addressable, growing or folding the dense run. */
static uint32_t *slot(struct dbp_sketch *s, int32_t idx)
{
    if (s->n == 0) {
        if (s->cap == 0) {
            s->cap = 16;
            s->counts = dbp_xcalloc(s->cap, sizeof *s->counts);
        }
        s->lo = idx - 4; /* a little room below for the next smaller values */
        s->n = 5;
        memset(s->counts, 0, s->cap * sizeof *s->counts);
        return &s->counts[4];
    }
    if (idx < s->lo) {
        uint32_t grow = (uint32_t)(s->lo - idx);
        uint32_t n = s->n + grow;
        if (n > DBP_SKETCH_MAX_BUCKETS) {
            /* too wide: the smallest values fold into the lowest bucket */
            return &s->counts[0];
        }
        if (n > s->cap) {
            uint32_t cap = s->cap;
            while (cap < n)
                cap *= 2;
            s->counts = dbp_xrealloc(s->counts, cap * sizeof *s->counts);
            s->cap = cap;
        }
        memmove(s->counts + grow, s->counts, s->n * sizeof *s->counts);
        memset(s->counts, 0, grow * sizeof *s->counts);
        s->lo = idx;
        s->n = n;
        return &s->counts[0];
    }
    uint32_t off = (uint32_t)(idx - s->lo);
    if (off >= s->n) {
        uint32_t n = off + 1;
        if (n > DBP_SKETCH_MAX_BUCKETS) {
            /* fold the lowest buckets upward to make room at the top */
            uint32_t shift = n - DBP_SKETCH_MAX_BUCKETS;
            uint64_t folded = 0;
            for (uint32_t i = 0; i < shift && i < s->n; i++)
                folded += s->counts[i];
            if (shift < s->n) {
                memmove(s->counts, s->counts + shift, (s->n - shift) * sizeof *s->counts);
                s->n -= shift;
            } else {
                s->n = 0;
            }
            s->lo += (int32_t)shift;
            if (s->n == 0) {
                s->n = 1;
                s->counts[0] = 0;
            }
            s->counts[0] = (uint32_t)(s->counts[0] + folded);
            off = (uint32_t)(idx - s->lo);
            n = off + 1;
        }
        if (n > s->cap) {
            uint32_t cap = s->cap;
            while (cap < n)
                cap *= 2;
            s->counts = dbp_xrealloc(s->counts, cap * sizeof *s->counts);
            s->cap = cap;
        }
        memset(s->counts + s->n, 0, (n - s->n) * sizeof *s->counts);
        s->n = n;
    }
    return &s->counts[off];
}

void dbp_sketch_add_n(struct dbp_sketch *s, double v, uint64_t n)
{
    if (!(v >= 0) || n == 0)
        return;
    s->count += n;
    if (v <= DBP_SKETCH_MIN_MS) {
        s->zero_count += n;
        return;
    }
    if (v > 1e15)
        v = 1e15;
    uint32_t *c = slot(s, bucket_of(v, inv_log_gamma()));
    uint64_t sum = (uint64_t)*c + n;
    *c = sum > UINT32_MAX ? UINT32_MAX : (uint32_t)sum;
}

void dbp_sketch_add(struct dbp_sketch *s, double v)
{
    dbp_sketch_add_n(s, v, 1);
}

double dbp_sketch_quantile(const struct dbp_sketch *s, double q)
{
    if (s->count == 0)
        return NAN;
    if (q < 0)
        q = 0;
    if (q > 1)
        q = 1;
    /* rank of the value, 0-based, as the "lower" quantile definition */
    uint64_t rank = (uint64_t)floor(q * (double)(s->count - 1));
    if (rank < s->zero_count)
        return 0.0;
    uint64_t seen = s->zero_count;
    for (uint32_t i = 0; i < s->n; i++) {
        seen += s->counts[i];
        if (seen > rank) {
            double g = GAMMA;
            return 2.0 * pow(g, (double)(s->lo + (int32_t)i)) / (g + 1.0);
        }
    }
    /* saturated counters: answer the top bucket */
    return 2.0 * pow(GAMMA, (double)(s->lo + (int32_t)s->n - 1)) / (GAMMA + 1.0);
}

void dbp_sketch_merge(struct dbp_sketch *dst, const struct dbp_sketch *src)
{
    dst->zero_count += src->zero_count;
    dst->count += src->zero_count;
    for (uint32_t i = 0; i < src->n; i++) {
        if (!src->counts[i])
            continue;
        uint32_t *c = slot(dst, src->lo + (int32_t)i);
        uint64_t sum = (uint64_t)*c + src->counts[i];
        *c = sum > UINT32_MAX ? UINT32_MAX : (uint32_t)sum;
        dst->count += src->counts[i];
    }
}

void dbp_sketch_reset(struct dbp_sketch *s)
{
    if (!s)
        return;
    free(s->counts);
    memset(s, 0, sizeof *s);
}

uint64_t dbp_sketch_bytes(const struct dbp_sketch *s)
{
    return (uint64_t)s->cap * sizeof *s->counts;
}
