/*
 * ddl.c -- engine-specific text for findings: identifier quoting, qualified
 * names, relation matching, CREATE/DROP INDEX statements, number formats
 * (see ddl.h). The only place where rules meet engine syntax.
 */
#include "ddl.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <dbperf/arena.h>
#include <dbperf/buf.h>

/* PostgreSQL keywords that cannot be a bare column, table or index name:
 * the RESERVED and TYPE_FUNC_NAME categories of kwlist.h. Sorted. */
/* clang-format off */
static const char *const pg_reserved[] = {
    "all",          "analyse",      "analyze",         "and",          "any",
    "array",        "as",           "asc",             "asymmetric",   "authorization",
    "binary",       "both",         "case",            "cast",         "check",
    "collate",      "collation",    "column",          "concurrently", "constraint",
    "create",       "cross",        "current_catalog", "current_date", "current_role",
    "current_schema", "current_time", "current_timestamp", "current_user", "default",
    "deferrable",   "desc",         "distinct",        "do",           "else",
    "end",          "except",       "false",           "fetch",        "for",
    "foreign",      "freeze",       "from",            "full",         "grant",
    "group",        "having",       "ilike",           "in",           "initially",
    "inner",        "intersect",    "into",            "is",           "isnull",
    "join",         "lateral",      "leading",         "left",         "like",
    "limit",        "localtime",    "localtimestamp",  "natural",      "not",
    "notnull",      "null",         "offset",          "on",           "only",
    "or",           "order",        "outer",           "overlaps",     "placing",
    "primary",      "references",   "returning",       "right",        "select",
    "session_user", "similar",      "some",            "symmetric",    "system_user",
    "table",        "tablesample",  "then",            "to",           "trailing",
    "true",         "union",        "unique",          "user",         "using",
    "variadic",     "verbose",      "when",            "where",        "window",
    "with"};
/* clang-format on */

/* MySQL/MariaDB reserved words likely to be used as names. Sorted. */
/* clang-format off */
static const char *const my_reserved[] = {
    "accessible", "add", "all", "alter", "analyze", "and", "as", "asc", "before", "between",
    "bigint", "binary", "blob", "both", "by", "call", "cascade", "case", "change", "char",
    "character", "check", "collate", "column", "condition", "constraint", "continue", "convert",
    "create", "cross", "cube", "current_date", "current_role", "current_time",
    "current_timestamp", "current_user", "cursor", "database", "databases", "dec", "decimal",
    "declare", "default", "delayed", "delete", "desc", "describe", "distinct", "div", "double",
    "drop", "dual", "each", "else", "elseif", "empty", "enclosed", "escaped", "except", "exists",
    "exit", "explain", "false", "fetch", "float", "for", "force", "foreign", "from", "fulltext",
    "function", "generated", "get", "grant", "group", "grouping", "groups", "having", "if",
    "ignore", "in", "index", "infile", "inner", "inout", "insert", "int", "integer", "interval",
    "into", "is", "iterate", "join", "key", "keys", "kill", "lag", "lateral", "lead", "leading",
    "leave", "left", "like", "limit", "linear", "lines", "load", "localtime", "localtimestamp",
    "lock", "long", "loop", "match", "maxvalue", "mod", "modifies", "natural", "not", "null",
    "numeric", "of", "offset", "on", "optimize", "option", "optionally", "or", "order", "out",
    "outer", "outfile", "over", "partition", "precision", "primary", "procedure", "purge",
    "range", "rank", "read", "reads", "real", "recursive", "references", "regexp", "release",
    "rename", "repeat", "replace", "require", "resignal", "restrict", "return", "returning",
    "revoke", "right", "rlike", "row", "rows", "schema", "schemas", "select", "sensitive",
    "separator", "set", "show", "signal", "smallint", "spatial", "specific", "sql",
    "sqlexception", "sqlstate", "sqlwarning", "ssl", "starting", "stored", "straight_join",
    "system", "table", "terminated", "then", "tinyint", "to", "trailing", "trigger", "true",
    "undo", "union", "unique", "unlock", "unsigned", "update", "usage", "use", "using", "values",
    "varchar", "varying", "virtual", "when", "where", "while", "window", "with", "write", "xor",
    "zerofill"};
/* clang-format on */

static int in_list(const char *const *list, size_t n, const char *s, int fold)
{
    for (size_t i = 0; i < n; i++)
        if ((fold ? strcasecmp(list[i], s) : strcmp(list[i], s)) == 0)
            return 1;
    return 0;
}

/* [A-Za-z_][A-Za-z0-9_]* (plus '$' after the first byte when dollar). */
static int plain_ident(const char *s, int lower_only, int dollar)
{
    if (!*s || isdigit((unsigned char)*s) || *s == '$')
        return 0;
    for (const char *p = s; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (c == '_' || isdigit(c) || (dollar && c == '$'))
            continue;
        if (lower_only ? (c >= 'a' && c <= 'z') : isalpha(c))
            continue;
        return 0;
    }
    return 1;
}

/* Append s to b enclosed in q, doubling q inside (SQL quoting). */
static void quote_sql(struct dbp_buf *b, const char *s, char q)
{
    dbp_buf_putc(b, q);
    for (const char *p = s; *p; p++) {
        if (*p == q)
            dbp_buf_putc(b, q);
        dbp_buf_putc(b, *p);
    }
    dbp_buf_putc(b, q);
}

/* Append s as a JSON/JavaScript double-quoted string. */
static void quote_js(struct dbp_buf *b, const char *s)
{
    dbp_buf_putc(b, '"');
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\') {
            dbp_buf_putc(b, '\\');
            dbp_buf_putc(b, (char)*p);
        } else if (*p < 0x20) {
            dbp_buf_printf(b, "\\u%04x", *p);
        } else {
            dbp_buf_putc(b, (char)*p);
        }
    }
    dbp_buf_putc(b, '"');
}

static void put_ident(struct dbp_buf *b, enum dbp_engine e, const char *name)
{
    switch (e) {
    case DBP_ENGINE_POSTGRES:
        if (plain_ident(name, 1, 1) &&
            !in_list(pg_reserved, sizeof pg_reserved / sizeof pg_reserved[0], name, 0))
            dbp_buf_puts(b, name);
        else
            quote_sql(b, name, '"');
        return;
    case DBP_ENGINE_MYSQL:
        if (plain_ident(name, 0, 1) &&
            !in_list(my_reserved, sizeof my_reserved / sizeof my_reserved[0], name, 1))
            dbp_buf_puts(b, name);
        else
            quote_sql(b, name, '`');
        return;
    case DBP_ENGINE_MONGODB:
        if (plain_ident(name, 0, 1))
            dbp_buf_puts(b, name);
        else
            quote_js(b, name);
        return;
    default:
        dbp_buf_puts(b, name);
        return;
    }
}

/* Copy the buffer into the arena and free it. */
static const char *finish(struct dbp_arena *a, struct dbp_buf *b)
{
    const char *s = dbp_arena_strndup(a, b->data ? b->data : "", b->len);
    dbp_buf_free(b);
    return s;
}

const char *dbp_ddl_ident(struct dbp_arena *a, enum dbp_engine e, const char *name)
{
    if (!name)
        return NULL;
    struct dbp_buf b = {0};
    put_ident(&b, e, name);
    return finish(a, &b);
}

static void put_relation(struct dbp_buf *b, enum dbp_engine e, const char *database,
                         const char *schema, const char *table)
{
    const char *qual = e == DBP_ENGINE_POSTGRES ? schema : (database ? database : schema);
    if (qual) {
        put_ident(b, e == DBP_ENGINE_MONGODB ? DBP_ENGINE_UNKNOWN : e, qual);
        dbp_buf_putc(b, '.');
    }
    put_ident(b, e == DBP_ENGINE_MONGODB ? DBP_ENGINE_UNKNOWN : e, table ? table : "?");
}

const char *dbp_ddl_relation(struct dbp_arena *a, enum dbp_engine e, const char *database,
                             const char *schema, const char *table)
{
    struct dbp_buf b = {0};
    put_relation(&b, e, database, schema, table);
    return finish(a, &b);
}

const char *dbp_ddl_index_relation(struct dbp_arena *a, const struct dbp_index *ix)
{
    return dbp_ddl_relation(a, ix->engine, ix->database, ix->schema, ix->table);
}

const char *dbp_ddl_index_object(struct dbp_arena *a, const struct dbp_index *ix)
{
    return dbp_arena_printf(a, "%s.%s", dbp_ddl_index_relation(a, ix),
                            ix->name ? ix->name : "(unnamed)");
}

const char *dbp_ddl_columns(struct dbp_arena *a, const struct dbp_index *ix)
{
    struct dbp_buf b = {0};
    dbp_buf_putc(&b, '(');
    for (size_t i = 0; i < ix->n_columns; i++)
        dbp_buf_printf(&b, "%s%s", i ? ", " : "", ix->columns[i]);
    dbp_buf_putc(&b, ')');
    return finish(a, &b);
}

const char **dbp_ddl_key_parts(struct dbp_arena *a, const struct dbp_index *ix)
{
    const char **out = dbp_arena_alloc(a, (ix->n_columns + 1) * sizeof *out);
    for (size_t i = 0; i < ix->n_columns; i++)
        out[i] = ix->columns[i];
    const char *d = ix->definition;
    if (ix->engine != DBP_ENGINE_POSTGRES || !d || strncasecmp(d, "CREATE ", 7) != 0)
        return out;
    /* CREATE [UNIQUE] INDEX name ON [ONLY] rel USING method (k1, k2, ...) [INCLUDE ...] */
    const char *u = strstr(d, " USING ");
    const char *p = u ? strchr(u, '(') : NULL;
    if (!p)
        return out;
    const char **parts = dbp_arena_alloc(a, (ix->n_columns + 1) * sizeof *parts);
    size_t n = 0;
    int depth = 0;
    char quote = 0;
    const char *start = p + 1;
    for (p = p + 1; *p; p++) {
        if (quote) {
            if (*p == quote)
                quote = 0;
            continue;
        }
        if (*p == '"' || *p == '\'') {
            quote = *p;
        } else if (*p == '(') {
            depth++;
        } else if ((*p == ',' && depth == 0) || (*p == ')' && depth-- == 0)) {
            const char *e = p;
            while (start < e && *start == ' ')
                start++;
            while (e > start && e[-1] == ' ')
                e--;
            if (n == ix->n_columns)
                return out; /* more keys than columns: not what we thought */
            parts[n++] = dbp_arena_strndup(a, start, (size_t)(e - start));
            start = p + 1;
            if (*p == ')')
                break;
        }
    }
    return n == ix->n_columns && *p == ')' ? parts : out;
}

static int same_opt(const char *x, const char *y)
{
    return !x || !y || strcmp(x, y) == 0;
}

int dbp_ddl_same_relation(enum dbp_engine e, const char *database, const char *schema,
                          const char *table, const struct dbp_table *t)
{
    if (!table || !t->name || t->engine != e || strcmp(table, t->name) != 0)
        return 0;
    if (e == DBP_ENGINE_POSTGRES)
        return same_opt(schema, t->schema) && same_opt(database, t->database);
    /* MySQL / MongoDB: the plan's schema is the database */
    const char *db = schema ? schema : database;
    const char *tdb = t->database ? t->database : t->schema;
    return same_opt(db, tdb);
}

const struct dbp_table *dbp_ddl_find_table(const struct dbp_snapshot *snap, enum dbp_engine e,
                                           const char *database, const char *schema,
                                           const char *table)
{
    const struct dbp_table *loose = NULL;
    for (size_t i = 0; i < snap->tables.n; i++) {
        const struct dbp_table *t = snap->tables.items[i];
        if (!dbp_ddl_same_relation(e, database, schema, table, t))
            continue;
        /* PostgreSQL without a schema: prefer public, the default search_path */
        if (e == DBP_ENGINE_POSTGRES && !schema && t->schema && strcmp(t->schema, "public")) {
            if (!loose)
                loose = t;
            continue;
        }
        return t;
    }
    return loose;
}

int dbp_ddl_index_on(const struct dbp_index *ix, const struct dbp_table *t)
{
    if (ix->engine == DBP_ENGINE_POSTGRES)
        return dbp_ddl_same_relation(ix->engine, ix->database, ix->schema, ix->table, t);
    return dbp_ddl_same_relation(ix->engine, ix->database ? ix->database : ix->schema, NULL,
                                 ix->table, t);
}

int dbp_ddl_same_index_relation(const struct dbp_index *ix, const struct dbp_index *other)
{
    if (ix->engine != other->engine || !ix->table || !other->table ||
        strcmp(ix->table, other->table) != 0)
        return 0;
    return same_opt(ix->database, other->database) && same_opt(ix->schema, other->schema);
}

/* Append s lower-cased with every other byte as '_', no runs of '_'. */
static void put_name_part(struct dbp_buf *b, const char *s)
{
    for (const char *p = s; *p; p++) {
        unsigned char c = (unsigned char)*p;
        char o = isalnum(c) && c < 0x80 ? (char)tolower(c) : '_';
        if (o == '_' && (b->len == 0 || b->data[b->len - 1] == '_'))
            continue;
        dbp_buf_putc(b, o);
    }
    if (b->len && b->data[b->len - 1] == '_')
        b->data[--b->len] = '\0';
}

/* The column of a key entry without a trailing " ASC"/" DESC": length; *desc set. */
static size_t key_column(const char *col, bool *desc)
{
    size_t n = strlen(col);
    *desc = false;
    if (n > 5 && strcasecmp(col + n - 5, " DESC") == 0) {
        *desc = true;
        n -= 5;
    } else if (n > 4 && strcasecmp(col + n - 4, " ASC") == 0) {
        n -= 4;
    }
    return n;
}

const char *dbp_ddl_index_name(struct dbp_arena *a, const struct dbp_index *candidate)
{
    struct dbp_buf b = {0};
    if (candidate->table)
        put_name_part(&b, candidate->table);
    for (size_t i = 0; i < candidate->n_columns; i++) {
        bool desc;
        size_t n = key_column(candidate->columns[i], &desc);
        char *col = dbp_arena_strndup(a, candidate->columns[i], n);
        dbp_buf_putc(&b, '_');
        put_name_part(&b, col);
    }
    /* keep room for "_idx" within PostgreSQL's 63 bytes (MySQL allows 64) */
    if (b.len > 59) {
        b.len = 59;
        while (b.len && b.data[b.len - 1] == '_')
            b.len--;
        b.data[b.len] = '\0';
    }
    if (b.len == 0 || isdigit((unsigned char)b.data[0]))
        dbp_buf_puts(&b, "idx");
    else
        dbp_buf_puts(&b, "_idx");
    return finish(a, &b);
}

/* A column of a SQL key list: identifier quoted, expressions as given. */
static void put_sql_key(struct dbp_buf *b, enum dbp_engine e, const char *col)
{
    bool desc;
    size_t n = key_column(col, &desc);
    char tmp[256];
    if (n < sizeof tmp && !memchr(col, '(', n)) {
        memcpy(tmp, col, n);
        tmp[n] = '\0';
        put_ident(b, e, tmp);
        if (desc)
            dbp_buf_puts(b, " DESC");
        return;
    }
    /* an expression key needs its own parentheses (PostgreSQL, MySQL 8 functional keys) */
    dbp_buf_putc(b, '(');
    dbp_buf_append(b, col, n);
    dbp_buf_putc(b, ')');
    if (desc)
        dbp_buf_puts(b, " DESC");
}

static int default_method(const char *m)
{
    return !m || strcasecmp(m, "btree") == 0;
}

static void put_mongo_coll(struct dbp_buf *b, const char *coll)
{
    static const char *const db_methods[] = {"getCollection", "getName", "getSiblingDB",
                                             "runCommand",    "stats",   "version",
                                             "auth",          "help"};
    if (plain_ident(coll, 0, 0) &&
        !in_list(db_methods, sizeof db_methods / sizeof db_methods[0], coll, 0)) {
        dbp_buf_printf(b, "db.%s", coll);
    } else {
        dbp_buf_puts(b, "db.getCollection(");
        quote_js(b, coll);
        dbp_buf_putc(b, ')');
    }
}

const char *dbp_ddl_create_index(struct dbp_arena *a, enum dbp_engine e, const struct dbp_index *c,
                                 const struct dbp_table *t)
{
    struct dbp_buf b = {0};
    const char *name = c->name ? c->name : dbp_ddl_index_name(a, c);
    if (e == DBP_ENGINE_MONGODB) {
        put_mongo_coll(&b, c->table ? c->table : "?");
        dbp_buf_puts(&b, ".createIndex({");
        for (size_t i = 0; i < c->n_columns; i++) {
            bool desc;
            size_t n = key_column(c->columns[i], &desc);
            if (i)
                dbp_buf_puts(&b, ", ");
            put_ident(&b, e, dbp_arena_strndup(a, c->columns[i], n));
            if (!default_method(c->method) && strcmp(c->method, "1") && strcmp(c->method, "-1"))
                dbp_buf_printf(&b, ": \"%s\"", c->method);
            else
                dbp_buf_puts(&b, desc ? ": -1" : ": 1");
        }
        dbp_buf_puts(&b, "})");
        return finish(a, &b);
    }
    if (e == DBP_ENGINE_MYSQL) {
        dbp_buf_puts(&b, "ALTER TABLE ");
        put_relation(&b, e, c->database, c->schema, c->table);
        dbp_buf_puts(&b, " ADD INDEX ");
        put_ident(&b, e, name);
        dbp_buf_puts(&b, " (");
        for (size_t i = 0; i < c->n_columns; i++) {
            if (i)
                dbp_buf_puts(&b, ", ");
            put_sql_key(&b, e, c->columns[i]);
        }
        dbp_buf_putc(&b, ')');
        if (!default_method(c->method))
            dbp_buf_printf(&b, " USING %s", c->method);
        dbp_buf_puts(&b, ", ALGORITHM=INPLACE, LOCK=NONE;");
        return finish(a, &b);
    }
    /* PostgreSQL (and the generic SQL form for unknown engines) */
    bool partitioned = t && (t->flags & DBP_TBL_PARTITIONED);
    dbp_buf_puts(&b, partitioned || e != DBP_ENGINE_POSTGRES ? "CREATE INDEX "
                                                             : "CREATE INDEX CONCURRENTLY ");
    put_ident(&b, e, name);
    dbp_buf_puts(&b, " ON ");
    put_relation(&b, e, c->database, c->schema, c->table);
    if (!default_method(c->method)) {
        dbp_buf_puts(&b, " USING ");
        put_ident(&b, e, c->method);
    }
    dbp_buf_puts(&b, " (");
    for (size_t i = 0; i < c->n_columns; i++) {
        if (i)
            dbp_buf_puts(&b, ", ");
        put_sql_key(&b, e, c->columns[i]);
    }
    dbp_buf_putc(&b, ')');
    if (c->predicate)
        dbp_buf_printf(&b, " WHERE %s", c->predicate);
    dbp_buf_putc(&b, ';');
    return finish(a, &b);
}

const char *dbp_ddl_create_index_note(struct dbp_arena *a, enum dbp_engine e,
                                      const struct dbp_index *c, const struct dbp_table *t)
{
    if (e == DBP_ENGINE_POSTGRES && t && (t->flags & DBP_TBL_PARTITIONED)) {
        const char *name = c->name ? c->name : dbp_ddl_index_name(a, c);
        const char *rel = dbp_ddl_relation(a, e, c->database, c->schema, c->table);
        return dbp_arena_printf(
            a,
            "%s is partitioned and CREATE INDEX CONCURRENTLY is refused on a partitioned "
            "table; the plain CREATE INDEX blocks writes to every partition while it builds. "
            "To avoid that: CREATE INDEX %s ON ONLY %s (...) (an invalid parent index), then "
            "CREATE INDEX CONCURRENTLY on each partition and ALTER INDEX %s ATTACH PARTITION "
            "each one; the parent index becomes valid when all are attached",
            rel, name, rel, name);
    }
    if (e == DBP_ENGINE_MYSQL)
        return "LOCK=NONE makes MySQL refuse rather than block writes if the build cannot be "
               "done online; run it on a replica first on large tables";
    if (e == DBP_ENGINE_MONGODB)
        return "on a replica set, build during low traffic: the index build holds an exclusive "
               "lock only at its start and end";
    return NULL;
}

const char *dbp_ddl_drop_index(struct dbp_arena *a, enum dbp_engine e, const struct dbp_index *ix,
                               const struct dbp_table *t)
{
    struct dbp_buf b = {0};
    const char *name = ix->name ? ix->name : "?";
    if (e == DBP_ENGINE_MONGODB) {
        put_mongo_coll(&b, ix->table ? ix->table : "?");
        dbp_buf_puts(&b, ".dropIndex(");
        quote_js(&b, name);
        dbp_buf_putc(&b, ')');
        return finish(a, &b);
    }
    if (e == DBP_ENGINE_MYSQL) {
        dbp_buf_puts(&b, "ALTER TABLE ");
        put_relation(&b, e, ix->database, ix->schema, ix->table);
        dbp_buf_puts(&b, " DROP INDEX ");
        put_ident(&b, e, name);
        dbp_buf_putc(&b, ';');
        return finish(a, &b);
    }
    bool partitioned = t && (t->flags & DBP_TBL_PARTITIONED);
    dbp_buf_puts(&b, partitioned || e != DBP_ENGINE_POSTGRES ? "DROP INDEX "
                                                             : "DROP INDEX CONCURRENTLY ");
    if (ix->schema) {
        put_ident(&b, e, ix->schema);
        dbp_buf_putc(&b, '.');
    }
    put_ident(&b, e, name);
    dbp_buf_putc(&b, ';');
    return finish(a, &b);
}

const char *dbp_ddl_bytes(struct dbp_arena *a, double bytes)
{
    static const char *const units[] = {"B", "kB", "MB", "GB", "TB", "PB"};
    if (!(bytes >= 0))
        return "?";
    size_t u = 0;
    while (bytes >= 1024 && u + 1 < sizeof units / sizeof units[0]) {
        bytes /= 1024;
        u++;
    }
    if (u == 0)
        return dbp_arena_printf(a, "%.0f B", bytes);
    if (bytes < 10)
        return dbp_arena_printf(a, "%.1f %s", bytes, units[u]);
    return dbp_arena_printf(a, "%.0f %s", bytes, units[u]);
}

const char *dbp_ddl_count(struct dbp_arena *a, double n)
{
    if (!(n >= 0))
        return "?";
    if (n >= 1e12)
        return dbp_arena_printf(a, "%.1fT", n / 1e12);
    if (n >= 1e9)
        return dbp_arena_printf(a, "%.1fG", n / 1e9);
    if (n >= 1e6)
        return dbp_arena_printf(a, "%.1fM", n / 1e6);
    unsigned long long v = (unsigned long long)llround(n);
    if (v >= 1000)
        return dbp_arena_printf(a, "%llu,%03llu", v / 1000, v % 1000);
    return dbp_arena_printf(a, "%llu", v);
}

const char *dbp_ddl_ms(struct dbp_arena *a, double ms)
{
    if (!(ms >= 0))
        return "?";
    if (ms < 1)
        return dbp_arena_printf(a, "%.2f ms", ms);
    if (ms < 10)
        return dbp_arena_printf(a, "%.1f ms", ms);
    if (ms < 1000)
        return dbp_arena_printf(a, "%.0f ms", ms);
    if (ms < 60000)
        return dbp_arena_printf(a, "%.1f s", ms / 1000);
    if (ms < 3600000)
        return dbp_arena_printf(a, "%.1f min", ms / 60000);
    return dbp_arena_printf(a, "%.1f h", ms / 3600000);
}

const char *dbp_ddl_snippet(struct dbp_arena *a, const char *text, size_t max_chars)
{
    if (!text)
        return "?";
    struct dbp_buf b = {0};
    size_t chars = 0;
    int space = 0, cut = 0;
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        if (isspace(*p)) {
            space = b.len > 0;
            continue;
        }
        /* count characters, not UTF-8 continuation bytes */
        if ((*p & 0xC0) != 0x80) {
            if (chars + space >= max_chars) {
                cut = 1;
                break;
            }
            chars += 1 + (size_t)space;
        }
        if (space)
            dbp_buf_putc(&b, ' ');
        space = 0;
        dbp_buf_putc(&b, (char)*p);
    }
    if (cut)
        dbp_buf_puts(&b, "...");
    return finish(a, &b);
}

const char *dbp_ddl_time(struct dbp_arena *a, int64_t us)
{
    if (us <= 0)
        return "?";
    time_t secs = (time_t)(us / 1000000);
    struct tm tm;
    if (!gmtime_r(&secs, &tm))
        return "?";
    return dbp_arena_printf(a, "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", tm.tm_year + 1900,
                            tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                            (int)(us % 1000000));
}

const char *dbp_ddl_fpid(struct dbp_arena *a, uint64_t fpid)
{
    return dbp_arena_printf(a, "%016llX", (unsigned long long)fpid);
}
