/*
 * live.c -- the live PostgreSQL driver's session: which targets it takes, the
 * read-only libpq connection (application_name=dbperf, statement_timeout,
 * lock_timeout and default_transaction_read_only=on sent as connection
 * options, so they apply before the first query), the session facts every
 * phase needs, and the helpers to run the queries of sql/postgres/.
 *
 * Options the user gave (options=... in the target, or PGOPTIONS) are kept,
 * with dbperf's after them so that they win.
 *
 * The phases live beside it: live_collect.c (pg_stat_statements, tables,
 * indexes), live_explain.c (EXPLAIN of the top statements), live_qual.c
 * (pg_qualstats' predicate columns for those plans), live_hypo.c (hypopg
 * verification of index suggestions).
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libpq-fe.h>

#include <dbperf/arena.h>
#include <dbperf/buf.h>
#include <dbperf/config.h>
#include <dbperf/driver.h>
#include <dbperf/error.h>

#include "live_int.h"
#include "pg_int.h"

/* ---- targets ----------------------------------------------------------- */

/* 1 if s holds the conninfo keyword key (e.g. "host=") at a word start. */
static int has_keyword(const char *s, const char *key)
{
    for (const char *p = s; (p = strstr(p, key)) != NULL; p++)
        if (p == s || isspace((unsigned char)p[-1]))
            return 1;
    return 0;
}

int dbp_pg_accepts_target(const char *target)
{
    if (!target)
        return 0;
    if (strncasecmp(target, "postgresql://", 13) == 0 ||
        strncasecmp(target, "postgres://", 11) == 0)
        return 1;
    if (strstr(target, "://")) /* another scheme: mysql://, mongodb://... */
        return 0;
    static const char *const keys[] = {"host=", "hostaddr=", "dbname=", "service=", "port="};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if (has_keyword(target, keys[i]))
            return 1;
    return 0;
}

/* ---- messages ---------------------------------------------------------- */

/* msg as one line: runs of white space (libpq's newlines and tabs) become one
 * space, leading and trailing ones go. Heap string. */
static char *one_line(const char *msg)
{
    if (!msg)
        msg = "";
    size_t n = strlen(msg);
    char *out = dbp_xmalloc(n + 1);
    size_t o = 0;
    bool space = false;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)msg[i];
        if (isspace(ch) || iscntrl(ch)) {
            space = o > 0;
            continue;
        }
        if (space)
            out[o++] = ' ';
        space = false;
        out[o++] = (char)ch;
    }
    out[o] = '\0';
    return out;
}

static void copy_sqlstate(struct dbp_error *err, const PGresult *r)
{
    const char *st = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
    if (err && st) {
        size_t n = strlen(st);
        if (n >= sizeof err->sqlstate)
            n = sizeof err->sqlstate - 1;
        memcpy(err->sqlstate, st, n);
        err->sqlstate[n] = '\0';
    }
}

/* Turn a failed result (or none) into err; clears r. */
static int exec_error(struct dbp_pg_ctx *c, const char *what, PGresult *r, struct dbp_error *err)
{
    int rc;
    if (PQstatus(c->conn) == CONNECTION_BAD) {
        char *m = one_line(PQerrorMessage(c->conn));
        rc = dbp_error_set(err, DBP_ERR_CONNECT, "%s: connection to %s lost: %s", what, c->shown,
                           m[0] ? m : "server closed the connection");
        free(m);
    } else {
        const char *primary = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : NULL;
        char *m = one_line(primary ? primary
                           : r     ? PQresultErrorMessage(r)
                                   : PQerrorMessage(c->conn));
        rc = dbp_error_set(err, DBP_ERR_SERVER, "%s: %s", what, m[0] ? m : "query failed");
        free(m);
        copy_sqlstate(err, r);
    }
    PQclear(r);
    return rc;
}

/* Accept a result that returned rows or completed a command; anything else
 * (or no result) becomes err. */
static int check_result(struct dbp_pg_ctx *c, const char *what, PGresult *r, PGresult **out,
                        struct dbp_error *err)
{
    *out = NULL;
    if (!r)
        return exec_error(c, what, NULL, err);
    ExecStatusType st = PQresultStatus(r);
    if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK)
        return exec_error(c, what, r, err);
    *out = r;
    return DBP_OK;
}

int dbp_pg_exec(struct dbp_pg_ctx *c, const char *what, const char *sql, int nparams,
                const char *const *params, PGresult **out, struct dbp_error *err)
{
    PGresult *r = PQexecParams(c->conn, sql, nparams, NULL, params, NULL, NULL, 0);
    return check_result(c, what, r, out, err);
}

int dbp_pg_exec_simple(struct dbp_pg_ctx *c, const char *what, const char *sql, PGresult **out,
                       struct dbp_error *err)
{
    PGresult *r = PQexec(c->conn, sql);
    return check_result(c, what, r, out, err);
}

int dbp_pg_sql(struct dbp_buf *b, const char *name, const char *schema, struct dbp_error *err)
{
    char path[128];
    snprintf(path, sizeof path, "postgres/%s", name);
    const char *t = dbp_sql_get(path);
    if (!t)
        return dbp_error_set(err, DBP_ERR_INTERNAL, "sql/%s is not embedded in this build", path);
    size_t start = b->len;
    /* the file's header comment documents it; the server gets the statement */
    for (;;) {
        while (*t == ' ' || *t == '\t' || *t == '\n' || *t == '\r')
            t++;
        if (t[0] != '-' || t[1] != '-')
            break;
        while (*t && *t != '\n')
            t++;
    }
    for (const char *p = t; *p;) {
        const char *at = strstr(p, "@SCHEMA@");
        if (!at) {
            dbp_buf_puts(b, p);
            break;
        }
        dbp_buf_append(b, p, (size_t)(at - p));
        dbp_buf_puts(b, schema ? schema : "public");
        p = at + 8;
    }
    while (b->len > start &&
           (isspace((unsigned char)b->data[b->len - 1]) || b->data[b->len - 1] == ';'))
        b->len--;
    dbp_buf_reserve(b, 0);
    b->data[b->len] = '\0';
    return DBP_OK;
}

int64_t dbp_pg_int(const PGresult *r, int row, int col, int64_t dflt)
{
    if (col < 0 || PQgetisnull(r, row, col))
        return dflt;
    return strtoll(PQgetvalue(r, row, col), NULL, 10);
}

double dbp_pg_double(const PGresult *r, int row, int col, double dflt)
{
    if (col < 0 || PQgetisnull(r, row, col))
        return dflt;
    return strtod(PQgetvalue(r, row, col), NULL);
}

const char *dbp_pg_arena_str(struct dbp_snapshot *snap, const PGresult *r, int row, int col)
{
    if (col < 0 || PQgetisnull(r, row, col))
        return NULL;
    return dbp_arena_strndup(snap->arena, PQgetvalue(r, row, col),
                             (size_t)PQgetlength(r, row, col));
}

static char *heap_field(const PGresult *r, int col)
{
    if (col < 0 || PQntuples(r) < 1 || PQgetisnull(r, 0, col))
        return NULL;
    return dbp_xstrdup(PQgetvalue(r, 0, col));
}

/* ---- statement texts --------------------------------------------------- */

/* Skip white space and comments from p; returns the next token's start. */
static const char *skip_blank(const char *p)
{
    for (;;) {
        while (isspace((unsigned char)*p))
            p++;
        if (p[0] == '-' && p[1] == '-') {
            while (*p && *p != '\n')
                p++;
        } else if (p[0] == '/' && p[1] == '*') {
            int depth = 1;
            p += 2;
            while (*p && depth > 0) {
                if (p[0] == '/' && p[1] == '*') {
                    depth++;
                    p += 2;
                } else if (p[0] == '*' && p[1] == '/') {
                    depth--;
                    p += 2;
                } else {
                    p++;
                }
            }
        } else {
            return p;
        }
    }
}

static bool word_is(const char *p, size_t n, const char *w)
{
    return strlen(w) == n && strncasecmp(p, w, n) == 0;
}

static bool ident_char(char ch)
{
    return isalnum((unsigned char)ch) || ch == '_' || ch == '$';
}

/* What one pass over a statement text finds. */
struct scan_out {
    enum dbp_pg_stmt_kind kind;
    int max_param;
    bool single;
    struct dbp_buf *calls; /* NULL, or receives "f","g" for names called f(...) */
    size_t n_calls;
    bool quoted_call; /* a "Quoted"(...) or odd$name(...) call: not collected */
};

static void add_call(struct scan_out *o, const char *w, size_t n)
{
    if (!o->calls)
        return;
    if (memchr(w, '$', n)) { /* unusual name: treat as unknown */
        o->quoted_call = true;
        return;
    }
    dbp_buf_puts(o->calls, o->calls->len ? ",\"" : "\"");
    for (size_t i = 0; i < n; i++)
        dbp_buf_putc(o->calls, (char)tolower((unsigned char)w[i]));
    dbp_buf_putc(o->calls, '"');
    o->n_calls++;
}

static void scan(const char *sql, struct scan_out *o)
{
    bool first = true, with = false, with_dml = false;
    o->kind = DBP_PG_STMT_OTHER;
    o->max_param = 0;
    o->single = true;
    const char *p = sql;
    for (;;) {
        p = skip_blank(p);
        if (!*p)
            break;
        char ch = *p;
        if (ch == '\'' || ((ch == 'E' || ch == 'e') && p[1] == '\'')) {
            bool esc = ch != '\'';
            p += esc ? 2 : 1;
            while (*p) {
                if (esc && *p == '\\' && p[1]) {
                    p += 2;
                } else if (*p == '\'' && p[1] == '\'') {
                    p += 2;
                } else if (*p == '\'') {
                    p++;
                    break;
                } else {
                    p++;
                }
            }
            first = false;
        } else if (ch == '"') {
            p++;
            while (*p && !(*p == '"' && p[1] != '"'))
                p += (*p == '"') ? 2 : 1;
            if (*p)
                p++;
            if (*skip_blank(p) == '(')
                o->quoted_call = true;
            first = false;
        } else if (ch == '$' && isdigit((unsigned char)p[1])) {
            long n = strtol(p + 1, (char **)&p, 10);
            if (n > o->max_param && n < 65536)
                o->max_param = (int)n;
        } else if (ch == '$') {
            /* dollar quote $tag$ ... $tag$ */
            const char *q = p + 1;
            while (ident_char(*q) && *q != '$')
                q++;
            if (*q == '$') {
                size_t tl = (size_t)(q - p) + 1;
                const char *end = q + 1;
                while (*end && strncmp(end, p, tl) != 0)
                    end++;
                p = *end ? end + tl : end;
            } else {
                p++;
            }
        } else if (ch == ';') {
            const char *rest = skip_blank(p + 1);
            while (*rest == ';')
                rest = skip_blank(rest + 1);
            if (*rest)
                o->single = false;
            p = rest;
        } else if (isalpha((unsigned char)ch) || ch == '_') {
            const char *w = p;
            while (ident_char(*p))
                p++;
            size_t n = (size_t)(p - w);
            if (first) {
                if (word_is(w, n, "select") || word_is(w, n, "values") || word_is(w, n, "table"))
                    o->kind = DBP_PG_STMT_SELECT;
                else if (word_is(w, n, "insert") || word_is(w, n, "update") ||
                         word_is(w, n, "delete"))
                    o->kind = DBP_PG_STMT_DML;
                else if (word_is(w, n, "with"))
                    with = true;
                first = false;
            } else if (with && (word_is(w, n, "insert") || word_is(w, n, "update") ||
                                word_is(w, n, "delete") || word_is(w, n, "merge"))) {
                with_dml = true;
            }
            if (*skip_blank(p) == '(')
                add_call(o, w, n);
        } else if (ch == '(' && first) {
            p++; /* (SELECT ...) */
        } else {
            p++;
            first = false;
        }
    }
    if (with)
        o->kind = with_dml ? DBP_PG_STMT_DML : DBP_PG_STMT_SELECT;
}

enum dbp_pg_stmt_kind dbp_pg_classify(const char *sql, int *max_param, bool *single)
{
    struct scan_out o = {0};
    scan(sql, &o);
    *max_param = o.max_param;
    *single = o.single;
    return o.kind;
}

size_t dbp_pg_called_names(const char *sql, struct dbp_buf *names, bool *quoted_call)
{
    struct scan_out o = {0};
    o.calls = names;
    scan(sql, &o);
    if (o.quoted_call)
        *quoted_call = true;
    return o.n_calls;
}

/* ---- connect ----------------------------------------------------------- */

static void quiet_notices(void *arg, const char *message)
{
    (void)arg;
    (void)message; /* library code never prints */
}

/* The identifier quoted for SQL, heap; NULL stays NULL. */
static char *quote_ident(PGconn *conn, const char *id)
{
    if (!id)
        return NULL;
    char *q = PQescapeIdentifier(conn, id, strlen(id));
    if (!q)
        return NULL;
    char *out = dbp_xstrdup(q);
    PQfreemem(q);
    return out;
}

/* [postgres] hypo_min_improvement: a fraction ("0.5") or a percentage
 * ("50%") from 0 to 1; DBP_ERR_USAGE naming file:line otherwise. */
static int hypo_threshold(const struct dbp_config *config, double *out, struct dbp_error *err)
{
    *out = DBP_PG_HYPO_MIN_IMPROVEMENT;
    const char *v = dbp_config_get(config, "postgres", "hypo_min_improvement");
    if (!v)
        return DBP_OK;
    char *end = NULL;
    double d = strtod(v, &end);
    if (end != v) {
        while (isspace((unsigned char)*end))
            end++;
        if (*end == '%') {
            d /= 100.0;
            end++;
        }
        while (isspace((unsigned char)*end))
            end++;
    }
    if (end == v || *end || !(d >= 0.0) || d > 1.0)
        return dbp_error_set(err, DBP_ERR_USAGE,
                             "%s: [postgres] hypo_min_improvement must be a fraction from 0 to 1 "
                             "or a percentage, not '%s'",
                             dbp_config_where(config, "postgres", "hypo_min_improvement"), v);
    *out = d;
    return DBP_OK;
}

/* Read the session facts (session.sql, control.sql). */
static int read_session(struct dbp_pg_ctx *c, struct dbp_error *err)
{
    struct dbp_buf b = {0};
    PGresult *r = NULL;
    int rc = dbp_pg_sql(&b, "session.sql", NULL, err);
    if (rc == DBP_OK)
        rc = dbp_pg_exec(c, "session.sql", b.data, 0, NULL, &r, err);
    if (rc != DBP_OK)
        goto out;
    if (PQntuples(r) != 1) {
        rc = dbp_error_set(err, DBP_ERR_SERVER, "session.sql: %d rows", PQntuples(r));
        goto out;
    }
    c->server_version_num = (int)dbp_pg_int(r, 0, PQfnumber(r, "server_version_num"), 0);
    c->server_version = heap_field(r, PQfnumber(r, "server_version"));
    char *rec = heap_field(r, PQfnumber(r, "in_recovery"));
    c->in_recovery = rec && rec[0] == 't';
    free(rec);
    c->database = heap_field(r, PQfnumber(r, "datname"));
    char *ro = heap_field(r, PQfnumber(r, "read_only"));
    c->read_only = ro && strcmp(ro, "on") == 0;
    free(ro);
    c->postmaster_start_us = dbp_pg_int(r, 0, PQfnumber(r, "postmaster_start_us"), 0);
    c->stats_reset_us = dbp_pg_int(r, 0, PQfnumber(r, "stats_reset_us"), 0);
    c->pgss_version = heap_field(r, PQfnumber(r, "pgss_version"));
    c->hypopg_version = heap_field(r, PQfnumber(r, "hypopg_version"));
    c->qualstats_version = heap_field(r, PQfnumber(r, "qualstats_version"));
    char *s = heap_field(r, PQfnumber(r, "pgss_schema"));
    c->pgss_schema = quote_ident(c->conn, s);
    free(s);
    s = heap_field(r, PQfnumber(r, "hypopg_schema"));
    c->hypopg_schema = quote_ident(c->conn, s);
    free(s);
    s = heap_field(r, PQfnumber(r, "qualstats_schema"));
    c->qualstats_schema = quote_ident(c->conn, s);
    free(s);
    PQclear(r);
    r = NULL;
    if (!c->read_only) {
        rc = dbp_error_set(err, DBP_ERR_CONNECT,
                           "%s: the session is not read-only (default_transaction_read_only "
                           "is off despite the connection options): refusing to go on",
                           c->shown);
        goto out;
    }
    /* the cluster identity: may be refused to unprivileged roles (then NULL) */
    dbp_buf_clear(&b);
    struct dbp_error ignored = {0};
    if (dbp_pg_sql(&b, "control.sql", NULL, &ignored) == DBP_OK &&
        dbp_pg_exec(c, "control.sql", b.data, 0, NULL, &r, &ignored) == DBP_OK) {
        char *id = heap_field(r, 0);
        if (id) {
            size_t n = strlen(id) + 16;
            c->cluster = dbp_xmalloc(n);
            snprintf(c->cluster, n, "pg-sysid:%s", id);
            free(id);
        }
    } else if (PQstatus(c->conn) == CONNECTION_BAD) {
        rc = dbp_error_set(err, ignored.code, "%s", ignored.message);
        goto out;
    }
    PQclear(r);
    r = NULL;
    /* auto_explain would log our EXPLAINs (and trip hypopg): silence it if allowed */
    dbp_buf_clear(&b);
    if (dbp_pg_sql(&b, "quiet_auto_explain.sql", NULL, &ignored) == DBP_OK &&
        dbp_pg_exec(c, "quiet_auto_explain.sql", b.data, 0, NULL, &r, &ignored) != DBP_OK &&
        PQstatus(c->conn) == CONNECTION_BAD)
        rc = dbp_error_set(err, ignored.code, "%s", ignored.message);
out:
    PQclear(r);
    dbp_buf_free(&b);
    return rc;
}

/* The options the user asked for (the target's options=..., else PGOPTIONS),
 * followed by a space, into b: ours come after them and so win. */
static void user_options(const char *target, struct dbp_buf *b)
{
    char *msg = NULL;
    PQconninfoOption *opts = PQconninfoParse(target, &msg);
    const char *v = NULL;
    for (PQconninfoOption *p = opts; p && p->keyword; p++)
        if (strcmp(p->keyword, "options") == 0 && p->val && *p->val)
            v = p->val;
    if (!v)
        v = getenv("PGOPTIONS");
    if (v && *v) {
        dbp_buf_puts(b, v);
        dbp_buf_putc(b, ' ');
    }
    PQconninfoFree(opts);
    PQfreemem(msg);
}

int dbp_pg_connect(const struct dbp_conn_opts *o, void **ctxp, struct dbp_error *err)
{
    *ctxp = NULL;
    if (!o || !o->target)
        return dbp_error_set(err, DBP_ERR_USAGE, "no PostgreSQL target given");
    struct dbp_pg_ctx *c = dbp_xcalloc(1, sizeof *c);
    struct dbp_arena *a = dbp_arena_new();
    c->shown = dbp_xstrdup(dbp_target_redact(a, o->target));
    dbp_arena_free(a);
    c->timeout_ms = o->statement_timeout_ms > 0 ? o->statement_timeout_ms : 5000;
    c->top_n = o->top_n > 0 ? o->top_n : 20;
    c->analyze = o->analyze;
    c->hypothetical = o->hypothetical;
    int rc = hypo_threshold(o->config, &c->hypo_min_improvement, err);
    if (rc != DBP_OK)
        goto fail;

    /* later keywords override the target's own (expand_dbname): our
     * application_name and options always win; connect_timeout only
     * defaults, before the target */
    struct dbp_buf options = {0};
    user_options(o->target, &options);
    dbp_buf_printf(&options,
                   "-c default_transaction_read_only=on -c statement_timeout=%d -c lock_timeout=%d "
                   "-c idle_in_transaction_session_timeout=%d",
                   c->timeout_ms, c->timeout_ms < 2000 ? c->timeout_ms : 2000, 10 * c->timeout_ms);
    const char *keys[6], *vals[6];
    int k = 0;
    if (!getenv("PGCONNECT_TIMEOUT")) {
        keys[k] = "connect_timeout";
        vals[k++] = "10";
    }
    keys[k] = "dbname";
    vals[k++] = o->target;
    keys[k] = "application_name";
    vals[k++] = "dbperf";
    keys[k] = "options";
    vals[k++] = options.data;
    keys[k] = NULL;
    vals[k] = NULL;
    c->conn = PQconnectdbParams(keys, vals, 1);
    dbp_buf_free(&options);
    if (!c->conn) {
        rc = dbp_error_set(err, DBP_ERR_CONNECT, "cannot connect to %s: out of memory", c->shown);
        goto fail;
    }
    if (PQstatus(c->conn) != CONNECTION_OK) {
        char *m = one_line(PQerrorMessage(c->conn));
        /* a pooler (PgBouncer) that refuses startup options: dbperf needs them */
        const char *hint = strstr(m, "unsupported startup parameter")
                               ? " (dbperf sets read-only and timeouts through startup options: "
                                 "connect to PostgreSQL directly, not through the pooler)"
                               : "";
        rc = dbp_error_set(err, DBP_ERR_CONNECT, "cannot connect to %s: %s%s", c->shown,
                           m[0] ? m : "connection failed", hint);
        free(m);
        goto fail;
    }
    PQsetNoticeProcessor(c->conn, quiet_notices, NULL);
    const char *host = PQhost(c->conn), *port = PQport(c->conn);
    if (!host)
        host = "";
    if (!port)
        port = "";
    bool v6 = strchr(host, ':') != NULL && host[0] != '/'; /* [::1]:5432 */
    size_t n = strlen(host) + strlen(port) + 4;
    c->instance = dbp_xmalloc(n);
    snprintf(c->instance, n, v6 ? "[%s]:%s" : "%s:%s", host, port);
    rc = read_session(c, err);
    if (rc != DBP_OK)
        goto fail;
    *ctxp = c;
    return DBP_OK;
fail:
    dbp_pg_disconnect(c);
    return rc;
}

void dbp_pg_disconnect(void *ctx)
{
    struct dbp_pg_ctx *c = ctx;
    if (!c)
        return;
    if (c->conn)
        PQfinish(c->conn);
    free(c->shown);
    free(c->instance);
    free(c->cluster);
    free(c->database);
    free(c->server_version);
    free(c->pgss_version);
    free(c->pgss_schema);
    free(c->hypopg_version);
    free(c->hypopg_schema);
    free(c->qualstats_version);
    free(c->qualstats_schema);
    free(c->stmts);
    free(c);
}
