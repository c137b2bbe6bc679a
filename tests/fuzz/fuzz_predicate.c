/*
 * fuzz_predicate.c -- fuzz target for the condition-to-predicates extractor
 * and the sort key parser: any bytes (cut at the first NUL for the condition,
 * whole for the sort keys), with and without a qualifier. Every result must
 * name a column and a valid op; never a crash, never unbounded recursion.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <dbperf/arena.h>
#include <dbperf/model.h>

#include "predicate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    memcpy(s, data, size);
    s[size] = '\0';
    struct dbp_arena *a = dbp_arena_new();
    static const char *const quals[] = {NULL, "t", "o"};
    for (size_t q = 0; q < sizeof quals / sizeof quals[0]; q++) {
        struct dbp_pred *p = NULL;
        size_t n = dbp_preds_from_condition(a, s, quals[q], &p);
        if ((n == 0) != (p == NULL))
            __builtin_trap();
        for (size_t i = 0; i < n; i++)
            if (!p[i].column || p[i].op > DBP_PRED_OTHER)
                __builtin_trap();
        struct dbp_pred *m = NULL;
        size_t k = dbp_preds_merge(a, &m, 0, p, n);
        if (k > n)
            __builtin_trap();
    }
    struct dbp_sortkey *k = NULL;
    size_t nk = dbp_sortkeys_parse(a, (const char *)data, size, &k);
    for (size_t i = 0; i < nk; i++)
        if (!k[i].column)
            __builtin_trap();
    dbp_arena_free(a);
    free(s);
    return 0;
}
