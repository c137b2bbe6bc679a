/*
 * test_sketch.c -- the quantile sketch keeps its 1% relative-error promise,
 * bounds its memory, and merges exactly.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <math.h>
#include <stdlib.h>

#include <dbperf/sketch.h>

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* a deterministic generator, so a failure reproduces */
static uint64_t rng_state = 88172645463325252ull;
static double uniform(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (double)(rng_state >> 11) / 9007199254740992.0;
}

/* exact rank-q value with the sketch's rank convention: floor(q * (n - 1)) */
static double exact(const double *sorted, size_t n, double q)
{
    return sorted[(size_t)floor(q * (double)(n - 1))];
}

static void check_distribution(double (*gen)(void), size_t n)
{
    struct dbp_sketch s = {0};
    double *v = malloc(n * sizeof *v);
    for (size_t i = 0; i < n; i++) {
        v[i] = gen();
        dbp_sketch_add(&s, v[i]);
    }
    qsort(v, n, sizeof *v, cmp_double);
    static const double qs[] = {0, 0.01, 0.25, 0.5, 0.9, 0.95, 0.99, 0.999, 1};
    for (size_t i = 0; i < sizeof qs / sizeof qs[0]; i++) {
        double want = exact(v, n, qs[i]);
        double got = dbp_sketch_quantile(&s, qs[i]);
        if (want <= DBP_SKETCH_MIN_MS) {
            assert_true(got == 0.0);
            continue;
        }
        double rel = fabs(got - want) / want;
        if (rel > DBP_SKETCH_ALPHA + 1e-9)
            fail_msg("q=%g want %g got %g (rel %g)", qs[i], want, got, rel);
    }
    assert_int_equal(s.count, n);
    assert_true(s.n <= DBP_SKETCH_MAX_BUCKETS);
    free(v);
    dbp_sketch_reset(&s);
}

static double lognormal(void)
{
    /* Box-Muller: latencies spread over several decades around 5 ms */
    double u1 = uniform(), u2 = uniform();
    if (u1 < 1e-300)
        u1 = 1e-300;
    double z = sqrt(-2 * log(u1)) * cos(2 * M_PI * u2);
    return exp(log(5.0) + 2.0 * z);
}

static double bimodal(void)
{
    return uniform() < 0.9 ? 0.2 + uniform() * 0.1 : 800 + uniform() * 400;
}

static double with_zeros(void)
{
    return uniform() < 0.3 ? 0.0 : uniform() * 10;
}

static void t_lognormal(void **state)
{
    (void)state;
    check_distribution(lognormal, 200000);
}

static void t_bimodal(void **state)
{
    (void)state;
    check_distribution(bimodal, 100000);
}

static void t_zeros(void **state)
{
    (void)state;
    check_distribution(with_zeros, 50000);
}

static void t_empty_and_single(void **state)
{
    (void)state;
    struct dbp_sketch s = {0};
    assert_true(isnan(dbp_sketch_quantile(&s, 0.5)));
    dbp_sketch_add(&s, NAN);
    dbp_sketch_add(&s, -1);
    assert_int_equal(s.count, 0);
    dbp_sketch_add(&s, 42.0);
    double got = dbp_sketch_quantile(&s, 0.99);
    assert_true(fabs(got - 42.0) / 42.0 <= DBP_SKETCH_ALPHA);
    dbp_sketch_reset(&s);
    assert_int_equal(s.count, 0);
}

/* values over 15 decades: memory stays bounded, the top quantiles stay accurate */
static void t_bounded_memory(void **state)
{
    (void)state;
    struct dbp_sketch s = {0};
    for (int e = -9; e <= 9; e++)
        for (int k = 1; k < 1000; k++)
            dbp_sketch_add(&s, pow(10, e) * (1 + k / 1000.0));
    assert_true(s.n <= DBP_SKETCH_MAX_BUCKETS);
    assert_true(dbp_sketch_bytes(&s) <= 4 * 2 * DBP_SKETCH_MAX_BUCKETS);
    double p99 = dbp_sketch_quantile(&s, 0.99);
    /* rank 0.99 of 19 decades x 999 values lies in the top decade */
    assert_true(p99 > 1e9 && p99 < 2.1e9);
    dbp_sketch_reset(&s);
}

static void t_merge(void **state)
{
    (void)state;
    struct dbp_sketch a = {0}, b = {0}, all = {0};
    for (int i = 0; i < 20000; i++) {
        double v = lognormal();
        dbp_sketch_add(i % 2 ? &a : &b, v);
        dbp_sketch_add(&all, v);
    }
    dbp_sketch_merge(&a, &b);
    assert_int_equal(a.count, all.count);
    for (double q = 0; q <= 1.0; q += 0.05)
        assert_true(dbp_sketch_quantile(&a, q) == dbp_sketch_quantile(&all, q));
    dbp_sketch_reset(&a);
    dbp_sketch_reset(&b);
    dbp_sketch_reset(&all);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_lognormal),        cmocka_unit_test(t_bimodal),
        cmocka_unit_test(t_zeros),            cmocka_unit_test(t_empty_and_single),
        cmocka_unit_test(t_bounded_memory),   cmocka_unit_test(t_merge),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
