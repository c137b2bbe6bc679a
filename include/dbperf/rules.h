/*
 * rules.h -- the rule engine: engine-agnostic checks from model to findings.
 *
 * A rule is a const struct in its own file under src/rules/, listed in the
 * table of src/rules.c. It reads the snapshot (never a server), and emits
 * findings through its context. Thresholds have defaults here and can be
 * overridden in the config file's [rule.<id>] section, as can `severity`
 * and `enabled`.
 */
#ifndef DBPERF_RULES_H
#define DBPERF_RULES_H

#include <stddef.h>

#include <dbperf/model.h>

struct dbp_config;
struct dbp_error;
struct dbp_rule_ctx; /* private: src/rules.c */

struct dbp_param {
    const char *name;  /* "min_rows" */
    double value;      /* default */
    const char *unit;  /* "rows", "ms", "ratio", "count", "bytes", "days" */
    const char *help;  /* one line */
};

struct dbp_rule {
    const char *id;                 /* "seq-scan" */
    enum dbp_severity severity;     /* default severity */
    const char *summary;            /* one line */
    const char *explain;            /* a paragraph for users (dbperf rules --explain) */
    const struct dbp_param *params; /* thresholds with defaults */
    size_t n_params;
    /* Emit findings for snap through ctx. */
    int (*run)(const struct dbp_snapshot *snap, struct dbp_rule_ctx *ctx, struct dbp_error *err);
};

/* Every rule, in report order. */
const struct dbp_rule *const *dbp_rules(size_t *n);
/* The rule with that id, or NULL. */
const struct dbp_rule *dbp_rule_find(const char *id);

/*
 * Check the config's [rule.*] sections (unknown rules, unknown keys and bad
 * numbers are DBP_ERR_USAGE naming file:line), then run every enabled rule on
 * snap, appending to snap->findings (sorted by severity, then rule order).
 */
int dbp_rules_run(struct dbp_snapshot *snap, const struct dbp_config *config,
                  struct dbp_error *err);

/* The value of a threshold for the running rule: config if set, else its default. */
double dbp_rule_param(const struct dbp_rule_ctx *ctx, const char *name);

/* A new finding for the running rule (rule id and severity filled in). */
struct dbp_finding *dbp_rule_emit(struct dbp_rule_ctx *ctx);

/* The snapshot's arena, for strings in findings. */
struct dbp_snapshot *dbp_rule_snapshot(struct dbp_rule_ctx *ctx);

/*
 * A threshold's effective value for rule id outside a run (the audit command
 * uses it to configure the N+1 session tracker). Returns the default if
 * unset; NaN if the rule or param does not exist.
 */
double dbp_rule_param_lookup(const struct dbp_config *config, const char *rule_id,
                             const char *name);

#endif
