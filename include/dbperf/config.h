/*
 * config.h -- the dbperf configuration file.
 *
 * An INI file: `[section]` headers, `key = value` lines, `#` or `;`
 * comments. Rule thresholds live in `[rule.<id>]` sections, for example
 *     [rule.seq-scan]
 *     min_rows = 50000
 *     severity = critical
 *     enabled = false
 * Default path: $XDG_CONFIG_HOME/dbperf/dbperf.conf, else
 * ~/.config/dbperf/dbperf.conf.
 */
#ifndef DBPERF_CONFIG_H
#define DBPERF_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

struct dbp_error;
struct dbp_config;

/*
 * Parse path into *out. A missing file is an error only if must_exist
 * (then DBP_ERR_IO); an empty config results otherwise. Syntax errors give
 * DBP_ERR_USAGE naming path:line. *out is NULL on failure; free with
 * dbp_config_free.
 */
int dbp_config_load(const char *path, bool must_exist, struct dbp_config **out,
                    struct dbp_error *err);

/* Parse text (for tests and fuzzing). name is used in messages. */
int dbp_config_parse(const char *text, size_t len, const char *name, struct dbp_config **out,
                     struct dbp_error *err);

/* An empty configuration (every default). Never NULL. */
struct dbp_config *dbp_config_empty(void);

void dbp_config_free(struct dbp_config *c); /* NULL-safe */

/* The value of key in section, or NULL. The config owns it. c may be NULL. */
const char *dbp_config_get(const struct dbp_config *c, const char *section, const char *key);

/* "path:line" where key was set (for messages), or the path. Never NULL when the key exists. */
const char *dbp_config_where(const struct dbp_config *c, const char *section, const char *key);

/* Call fn for every key of section, in file order. */
void dbp_config_each(const struct dbp_config *c, const char *section,
                     void (*fn)(void *arg, const char *key, const char *value, const char *where),
                     void *arg);

/* Call fn for every entry of every section, in file order. */
void dbp_config_walk(const struct dbp_config *c,
                     void (*fn)(void *arg, const char *section, const char *key,
                                const char *value, const char *where),
                     void *arg);

/* The default path (heap string, caller frees), or NULL if HOME is unset. */
char *dbp_config_default_path(void);

#endif
