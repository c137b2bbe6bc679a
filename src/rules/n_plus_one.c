/*
 * rules/n_plus_one.c -- PLACEHOLDER for the n-plus-one rule (not implemented yet).
 */
#include <dbperf/rules.h>

static int run(const struct dbp_snapshot *snap, struct dbp_rule_ctx *ctx, struct dbp_error *err)
{
    (void)snap;
    (void)ctx;
    (void)err;
    return 0;
}

const struct dbp_rule dbp_rule_n_plus_one = {
    .id = "n-plus-one",
    .severity = DBP_SEV_WARNING,
    .summary = "not implemented yet",
    .explain = "not implemented yet",
    .run = run,
};
