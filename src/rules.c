/*
 * rules.c -- the rule registry and the engine that runs rules on a snapshot
 * (see include/dbperf/rules.h). Each rule lives in src/rules/<id>.c.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dbperf/arena.h>
#include <dbperf/config.h>
#include <dbperf/error.h>
#include <dbperf/rules.h>

extern const struct dbp_rule dbp_rule_seq_scan;
extern const struct dbp_rule dbp_rule_missing_index;
extern const struct dbp_rule dbp_rule_n_plus_one;
extern const struct dbp_rule dbp_rule_unused_index;
extern const struct dbp_rule dbp_rule_duplicate_index;
extern const struct dbp_rule dbp_rule_regression;

static const struct dbp_rule *const rules[] = {
    &dbp_rule_seq_scan,     &dbp_rule_missing_index,    &dbp_rule_n_plus_one,
    &dbp_rule_unused_index, &dbp_rule_duplicate_index,  &dbp_rule_regression, NULL};

struct dbp_rule_ctx {
    const struct dbp_rule *rule;
    const struct dbp_config *config;
    struct dbp_snapshot *snap;
    enum dbp_severity severity;
};

const struct dbp_rule *const *dbp_rules(size_t *n)
{
    *n = sizeof rules / sizeof rules[0] - 1;
    return rules;
}

const struct dbp_rule *dbp_rule_find(const char *id)
{
    for (size_t i = 0; rules[i]; i++)
        if (strcmp(rules[i]->id, id) == 0)
            return rules[i];
    return NULL;
}

static const struct dbp_param *param_def(const struct dbp_rule *r, const char *name)
{
    for (size_t i = 0; i < r->n_params; i++)
        if (strcmp(r->params[i].name, name) == 0)
            return &r->params[i];
    return NULL;
}

/* Config value as a number: accepts a plain number, with an optional unit suffix
 * for durations (ms, s, min, h, d) and sizes (kB, MB, GB); returns 0 if bad. */
static int parse_number(const char *s, const char *unit, double *out)
{
    char *end;
    double v = strtod(s, &end);
    if (end == s || v != v)
        return 0;
    while (*end == ' ')
        end++;
    if (*end) {
        static const struct {
            const char *suffix;
            const char *unit;
            double mul;
        } sfx[] = {{"ms", "ms", 1},         {"s", "ms", 1000},           {"min", "ms", 60000},
                   {"h", "ms", 3600000},    {"d", "days", 1},            {"kB", "bytes", 1024},
                   {"MB", "bytes", 1048576}, {"GB", "bytes", 1073741824.0}, {"%", "ratio", 0.01}};
        size_t i;
        for (i = 0; i < sizeof sfx / sizeof sfx[0]; i++)
            if (strcmp(end, sfx[i].suffix) == 0 && unit && strcmp(unit, sfx[i].unit) == 0) {
                v *= sfx[i].mul;
                break;
            }
        if (i == sizeof sfx / sizeof sfx[0])
            return 0;
    }
    *out = v;
    return 1;
}

static const char *section_rule_id(const char *section)
{
    return strncmp(section, "rule.", 5) == 0 ? section + 5 : NULL;
}

struct check {
    struct dbp_error *err;
    int rc;
};

static void check_entry(void *arg, const char *section, const char *key, const char *value,
                        const char *where)
{
    struct check *c = arg;
    if (c->rc)
        return;
    const char *id = section_rule_id(section);
    if (!id)
        return;
    const struct dbp_rule *r = dbp_rule_find(id);
    if (!r) {
        c->rc = dbp_error_set(c->err, DBP_ERR_USAGE, "%s: unknown rule `%s`", where, id);
        return;
    }
    if (strcmp(key, "enabled") == 0) {
        if (strcmp(value, "true") && strcmp(value, "false") && strcmp(value, "yes") &&
            strcmp(value, "no") && strcmp(value, "1") && strcmp(value, "0"))
            c->rc = dbp_error_set(c->err, DBP_ERR_USAGE, "%s: enabled must be true or false",
                                  where);
        return;
    }
    if (strcmp(key, "severity") == 0) {
        if (dbp_severity_parse(value) < DBP_SEV_INFO)
            c->rc = dbp_error_set(c->err, DBP_ERR_USAGE,
                                  "%s: severity must be info, warning or critical", where);
        return;
    }
    const struct dbp_param *p = param_def(r, key);
    if (!p) {
        c->rc = dbp_error_set(c->err, DBP_ERR_USAGE, "%s: rule %s has no threshold `%s`", where,
                              id, key);
        return;
    }
    double v;
    if (!parse_number(value, p->unit, &v))
        c->rc = dbp_error_set(c->err, DBP_ERR_USAGE, "%s: %s.%s: `%s` is not a number (%s)",
                              where, id, key, value, p->unit);
}

static int enabled(const struct dbp_config *config, const struct dbp_rule *r)
{
    char section[96];
    snprintf(section, sizeof section, "rule.%s", r->id);
    const char *v = dbp_config_get(config, section, "enabled");
    return !v || !(strcmp(v, "false") == 0 || strcmp(v, "no") == 0 || strcmp(v, "0") == 0);
}

double dbp_rule_param_lookup(const struct dbp_config *config, const char *rule_id,
                             const char *name)
{
    const struct dbp_rule *r = dbp_rule_find(rule_id);
    if (!r)
        return NAN;
    const struct dbp_param *p = param_def(r, name);
    if (!p)
        return NAN;
    char section[96];
    snprintf(section, sizeof section, "rule.%s", rule_id);
    const char *v = dbp_config_get(config, section, name);
    double out;
    if (v && parse_number(v, p->unit, &out))
        return out;
    return p->value;
}

double dbp_rule_param(const struct dbp_rule_ctx *ctx, const char *name)
{
    double v = dbp_rule_param_lookup(ctx->config, ctx->rule->id, name);
    if (v != v) {
        fprintf(stderr, "dbperf: internal error: rule %s has no parameter %s\n", ctx->rule->id,
                name);
        abort();
    }
    return v;
}

struct dbp_finding *dbp_rule_emit(struct dbp_rule_ctx *ctx)
{
    struct dbp_finding *f = dbp_snapshot_add_finding(ctx->snap);
    f->rule = ctx->rule->id;
    f->severity = ctx->severity;
    return f;
}

struct dbp_snapshot *dbp_rule_snapshot(struct dbp_rule_ctx *ctx)
{
    return ctx->snap;
}

static size_t rule_rank(const char *id)
{
    for (size_t i = 0; rules[i]; i++)
        if (strcmp(rules[i]->id, id) == 0)
            return i;
    return SIZE_MAX;
}

struct ranked {
    struct dbp_finding *f;
    size_t rule;
    size_t seq; /* emission order: rules emit their worst first */
};

static int finding_cmp(const void *a, const void *b)
{
    const struct ranked *x = a, *y = b;
    if (x->f->severity != y->f->severity)
        return x->f->severity > y->f->severity ? -1 : 1;
    if (x->rule != y->rule)
        return x->rule < y->rule ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

int dbp_rules_run(struct dbp_snapshot *snap, const struct dbp_config *config,
                  struct dbp_error *err)
{
    struct check c = {err, DBP_OK};
    dbp_config_walk(config, check_entry, &c);
    if (c.rc)
        return c.rc;
    size_t first = snap->findings.n;
    for (size_t i = 0; rules[i]; i++) {
        const struct dbp_rule *r = rules[i];
        if (!enabled(config, r))
            continue;
        struct dbp_rule_ctx ctx = {r, config, snap, r->severity};
        char section[96];
        snprintf(section, sizeof section, "rule.%s", r->id);
        const char *sev = dbp_config_get(config, section, "severity");
        if (sev)
            ctx.severity = (enum dbp_severity)dbp_severity_parse(sev);
        int rc = r->run(snap, &ctx, err);
        if (rc)
            return rc;
    }
    size_t n = snap->findings.n - first;
    struct ranked *r = dbp_xcalloc(n ? n : 1, sizeof *r);
    for (size_t i = 0; i < n; i++) {
        r[i].f = snap->findings.items[first + i];
        r[i].rule = rule_rank(r[i].f->rule);
        r[i].seq = i;
    }
    qsort(r, n, sizeof *r, finding_cmp);
    for (size_t i = 0; i < n; i++)
        snap->findings.items[first + i] = r[i].f;
    free(r);
    return DBP_OK;
}
