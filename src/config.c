/*
 * config.c -- INI configuration file (see include/dbperf/config.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dbperf/arena.h>
#include <dbperf/config.h>
#include <dbperf/error.h>

struct entry {
    char *section;
    char *key;
    char *value;
    char *where; /* "path:line" */
};

struct dbp_config {
    struct entry *e;
    size_t n, cap;
};

struct dbp_config *dbp_config_empty(void)
{
    return dbp_xcalloc(1, sizeof(struct dbp_config));
}

void dbp_config_free(struct dbp_config *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->n; i++) {
        free(c->e[i].section);
        free(c->e[i].key);
        free(c->e[i].value);
        free(c->e[i].where);
    }
    free(c->e);
    free(c);
}

static char *trimmed(const char *s, size_t n)
{
    while (n && (*s == ' ' || *s == '\t')) {
        s++;
        n--;
    }
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
        n--;
    char *p = dbp_xmalloc(n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

static void set(struct dbp_config *c, const char *section, char *key, char *value, char *where)
{
    for (size_t i = 0; i < c->n; i++)
        if (strcmp(c->e[i].section, section) == 0 && strcmp(c->e[i].key, key) == 0) {
            free(c->e[i].value);
            free(c->e[i].where);
            free(key);
            c->e[i].value = value;
            c->e[i].where = where;
            return;
        }
    if (c->n == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 16;
        c->e = dbp_xrealloc(c->e, c->cap * sizeof *c->e);
    }
    c->e[c->n].section = dbp_xstrdup(section);
    c->e[c->n].key = key;
    c->e[c->n].value = value;
    c->e[c->n].where = where;
    c->n++;
}

int dbp_config_parse(const char *text, size_t len, const char *name, struct dbp_config **out,
                     struct dbp_error *err)
{
    *out = NULL;
    struct dbp_config *c = dbp_config_empty();
    char *section = dbp_xstrdup("");
    size_t lineno = 0;
    const char *p = text, *end = text + len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl ? nl : end;
        lineno++;
        char *line = trimmed(p, (size_t)(le - p));
        p = nl ? nl + 1 : end;
        if (line[0] == '\0' || line[0] == '#' || line[0] == ';') {
            free(line);
            continue;
        }
        if (line[0] == '[') {
            char *close = strchr(line, ']');
            if (!close || close[1] != '\0' || close == line + 1) {
                free(line);
                free(section);
                dbp_config_free(c);
                return dbp_error_set(err, DBP_ERR_USAGE, "%s:%zu: malformed section header",
                                     name, lineno);
            }
            free(section);
            section = trimmed(line + 1, (size_t)(close - line - 1));
            free(line);
            continue;
        }
        char *eq = strchr(line, '=');
        if (!eq || eq == line) {
            free(line);
            free(section);
            dbp_config_free(c);
            return dbp_error_set(err, DBP_ERR_USAGE, "%s:%zu: expected `key = value`", name,
                                 lineno);
        }
        char *key = trimmed(line, (size_t)(eq - line));
        char *value = trimmed(eq + 1, strlen(eq + 1));
        /* a value may be quoted to keep spaces or comment characters */
        size_t vl = strlen(value);
        if (vl >= 2 && (value[0] == '"' || value[0] == '\'') && value[vl - 1] == value[0]) {
            memmove(value, value + 1, vl - 2);
            value[vl - 2] = '\0';
        }
        size_t wl = strlen(name) + 24;
        char *where = dbp_xmalloc(wl);
        snprintf(where, wl, "%s:%zu", name, lineno);
        set(c, section, key, value, where);
        free(line);
    }
    free(section);
    *out = c;
    return DBP_OK;
}

int dbp_config_load(const char *path, bool must_exist, struct dbp_config **out,
                    struct dbp_error *err)
{
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f) {
        if (!must_exist && errno == ENOENT) {
            *out = dbp_config_empty();
            return DBP_OK;
        }
        return dbp_error_set(err, DBP_ERR_IO, "%s: %s", path, strerror(errno));
    }
    char *text = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        if (cap - len < 4096) {
            cap = cap ? cap * 2 : 8192;
            if (cap > (16u << 20)) {
                free(text);
                fclose(f);
                return dbp_error_set(err, DBP_ERR_USAGE, "%s: larger than 16 MiB", path);
            }
            text = dbp_xrealloc(text, cap);
        }
        size_t k = fread(text + len, 1, cap - len, f);
        len += k;
        if (k == 0)
            break;
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        free(text);
        return dbp_error_set(err, DBP_ERR_IO, "%s: read error", path);
    }
    int rc = dbp_config_parse(text ? text : "", len, path, out, err);
    free(text);
    return rc;
}

static const struct entry *lookup(const struct dbp_config *c, const char *section, const char *key)
{
    if (!c)
        return NULL;
    for (size_t i = 0; i < c->n; i++)
        if (strcmp(c->e[i].section, section) == 0 && strcmp(c->e[i].key, key) == 0)
            return &c->e[i];
    return NULL;
}

const char *dbp_config_get(const struct dbp_config *c, const char *section, const char *key)
{
    const struct entry *e = lookup(c, section, key);
    return e ? e->value : NULL;
}

const char *dbp_config_where(const struct dbp_config *c, const char *section, const char *key)
{
    const struct entry *e = lookup(c, section, key);
    return e ? e->where : NULL;
}

void dbp_config_each(const struct dbp_config *c, const char *section,
                     void (*fn)(void *arg, const char *key, const char *value, const char *where),
                     void *arg)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->n; i++)
        if (strcmp(c->e[i].section, section) == 0)
            fn(arg, c->e[i].key, c->e[i].value, c->e[i].where);
}

void dbp_config_walk(const struct dbp_config *c,
                     void (*fn)(void *arg, const char *section, const char *key,
                                const char *value, const char *where),
                     void *arg)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->n; i++)
        fn(arg, c->e[i].section, c->e[i].key, c->e[i].value, c->e[i].where);
}

char *dbp_config_default_path(void)
{
    const char *xdg = getenv("XDG_CONFIG_HOME");
    const char *home = getenv("HOME");
    char buf[4096];
    if (xdg && *xdg)
        snprintf(buf, sizeof buf, "%s/dbperf/dbperf.conf", xdg);
    else if (home && *home)
        snprintf(buf, sizeof buf, "%s/.config/dbperf/dbperf.conf", home);
    else
        return NULL;
    return dbp_xstrdup(buf);
}
