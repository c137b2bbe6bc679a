/*
 * driver_registry.c -- the compiled-in drivers and the core's own formats,
 * format detection and target routing.
 */
#include <stdio.h>
#include <string.h>

#include <dbperf/arena.h>
#include <dbperf/driver.h>
#include <dbperf/report.h>

#ifdef DBPERF_WITH_PG
extern const struct dbp_driver dbp_pg_driver;
#endif
#ifdef DBPERF_WITH_MYSQL
extern const struct dbp_driver dbp_my_driver;
#endif
#ifdef DBPERF_WITH_MONGO
extern const struct dbp_driver dbp_mongo_driver;
#endif

static const struct dbp_driver *const drivers[] = {
#ifdef DBPERF_WITH_PG
    &dbp_pg_driver,
#endif
#ifdef DBPERF_WITH_MYSQL
    &dbp_my_driver,
#endif
#ifdef DBPERF_WITH_MONGO
    &dbp_mongo_driver,
#endif
    NULL};

/* formats that belong to no engine */
static const struct dbp_format *const core_formats[] = {&dbp_report_json_format};

const struct dbp_driver *const *dbp_drivers(size_t *n)
{
    *n = sizeof drivers / sizeof drivers[0] - 1;
    return drivers;
}

const struct dbp_format *dbp_format_find(const char *name, const struct dbp_driver **drv)
{
    if (drv)
        *drv = NULL;
    for (size_t i = 0; i < sizeof core_formats / sizeof core_formats[0]; i++)
        if (strcmp(core_formats[i]->name, name) == 0)
            return core_formats[i];
    for (size_t d = 0; drivers[d]; d++)
        for (size_t f = 0; f < drivers[d]->n_formats; f++)
            if (strcmp(drivers[d]->formats[f]->name, name) == 0) {
                if (drv)
                    *drv = drivers[d];
                return drivers[d]->formats[f];
            }
    return NULL;
}

const struct dbp_format *dbp_format_detect(const unsigned char *head, size_t len,
                                           const struct dbp_driver **drv)
{
    const struct dbp_format *best = NULL;
    int best_score = 0;
    if (drv)
        *drv = NULL;
    for (size_t i = 0; i < sizeof core_formats / sizeof core_formats[0]; i++) {
        int s = core_formats[i]->probe(head, len);
        if (s > best_score) {
            best_score = s;
            best = core_formats[i];
        }
    }
    for (size_t d = 0; drivers[d]; d++)
        for (size_t f = 0; f < drivers[d]->n_formats; f++) {
            int s = drivers[d]->formats[f]->probe(head, len);
            if (s > best_score) {
                best_score = s;
                best = drivers[d]->formats[f];
                if (drv)
                    *drv = drivers[d];
            }
        }
    return best;
}

const struct dbp_driver *dbp_driver_for_target(const char *target)
{
    for (size_t d = 0; drivers[d]; d++)
        if (drivers[d]->accepts_target && drivers[d]->accepts_target(target))
            return drivers[d];
    return NULL;
}

char *dbp_target_redact(struct dbp_arena *a, const char *t)
{
    /* URI form: scheme://user:password@host... -> scheme://user@host... */
    const char *scheme = strstr(t, "://");
    if (scheme) {
        const char *auth = scheme + 3;
        const char *at = NULL;
        for (const char *p = auth; *p && *p != '/' && *p != '?'; p++)
            if (*p == '@')
                at = p;
        const char *colon = NULL;
        if (at)
            for (const char *p = auth; p < at; p++)
                if (*p == ':') {
                    colon = p;
                    break;
                }
        char *out;
        if (colon)
            out = dbp_arena_printf(a, "%.*s%s", (int)(colon - t), t, at);
        else
            out = dbp_arena_strdup(a, t);
        /* ...?password=secret&... query parameters */
        char *q = strchr(out, '?');
        while (q) {
            char *p = strstr(q, "password=");
            if (!p)
                break;
            char *end = p + 9;
            while (*end && *end != '&')
                end++;
            memmove(p + 9 + 3, end, strlen(end) + 1);
            memcpy(p + 9, "***", 3);
            q = p + 12;
        }
        return out;
    }
    /* conninfo / key=value form: password=... (quoted or not) -> password=*** */
    size_t n = strlen(t);
    char *out = dbp_arena_alloc(a, n + n / 2 + 16); /* "password=" (9) grows to at most 12 */
    size_t o = 0;
    for (size_t i = 0; i < n;) {
        if ((i == 0 || t[i - 1] == ' ' || t[i - 1] == ';') && strncmp(t + i, "password", 8) == 0) {
            size_t j = i + 8;
            while (t[j] == ' ')
                j++;
            if (t[j] == '=') {
                j++;
                while (t[j] == ' ')
                    j++;
                if (t[j] == '\'') {
                    j++;
                    while (t[j] && t[j] != '\'') {
                        if (t[j] == '\\' && t[j + 1])
                            j++;
                        j++;
                    }
                    if (t[j])
                        j++;
                } else {
                    while (t[j] && t[j] != ' ' && t[j] != ';')
                        j++;
                }
                memcpy(out + o, "password=***", 12);
                o += 12;
                i = j;
                continue;
            }
        }
        out[o++] = t[i++];
    }
    out[o] = '\0';
    return out;
}
