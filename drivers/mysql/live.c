/*
 * live.c -- the live MySQL/MariaDB collector: targets (mysql:// and
 * mariadb:// URIs, socket= lists, option files), a read-only session with a
 * statement timeout, the query helper every embedded query goes through, and
 * collect's top level. The queries themselves are the files of sql/mysql/; the
 * statement, index and table readers are live_collect.c, EXPLAIN is
 * live_explain.c.
 */
#include <ctype.h>
#include <errmsg.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>

#include <mysql.h>

#include <dbperf/arena.h>
#include <dbperf/buf.h>
#include <dbperf/error.h>

#include "live_int.h"
#include "my_int.h"

#define DEFAULT_CONNECT_TIMEOUT_S 10

/* ---- targets ---------------------------------------------------------- */

void dbp_my_target_free(struct dbp_my_target *t)
{
    if (!t)
        return;
    free(t->host);
    free(t->user);
    free(t->password);
    free(t->database);
    free(t->socket);
    free(t->defaults_file);
    memset(t, 0, sizeof *t);
}

static int hexval(int ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F')
        return ch - 'A' + 10;
    return -1;
}

/* Heap copy of s[0..n) with %XX decoded (when decode); NULL if n == 0 or %XX is malformed. */
static char *dup_part(const char *s, size_t n, bool decode, bool *bad)
{
    if (n == 0)
        return NULL;
    char *out = dbp_xmalloc(n + 1);
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        if (decode && s[i] == '%') {
            int hi = i + 2 < n ? hexval((unsigned char)s[i + 1]) : -1;
            int lo = i + 2 < n ? hexval((unsigned char)s[i + 2]) : -1;
            if (hi < 0 || lo < 0) {
                *bad = true;
                free(out);
                return NULL;
            }
            out[o++] = (char)(hi * 16 + lo);
            i += 2;
            continue;
        }
        out[o++] = s[i];
    }
    out[o] = '\0';
    return out;
}

static int parse_uint(const char *s, size_t n, unsigned long max, unsigned long *out)
{
    if (n == 0 || n > 10)
        return -1;
    unsigned long v = 0;
    for (size_t i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i]))
            return -1;
        v = v * 10 + (unsigned long)(s[i] - '0');
    }
    if (v > max)
        return -1;
    *out = v;
    return 0;
}

/* One key=value of a URI query or a socket= list into t. */
static int set_param(struct dbp_my_target *t, const char *k, size_t kn, const char *v, size_t vn,
                     bool decode, struct dbp_error *err)
{
    bool bad = false;
    char **slot = NULL;
#define KEY_IS(s) (kn == sizeof(s) - 1 && strncasecmp(k, s, kn) == 0)
    if (KEY_IS("socket"))
        slot = &t->socket;
    else if (KEY_IS("host"))
        slot = &t->host;
    else if (KEY_IS("user"))
        slot = &t->user;
    else if (KEY_IS("password"))
        slot = &t->password;
    else if (KEY_IS("database") || KEY_IS("dbname") || KEY_IS("db"))
        slot = &t->database;
    else if (KEY_IS("defaults-file") || KEY_IS("defaults_file"))
        slot = &t->defaults_file;
    if (slot) {
        free(*slot);
        *slot = dup_part(v, vn, decode, &bad);
        if (bad)
            return dbp_error_set(err, DBP_ERR_USAGE, "bad %%-escape in the %.*s parameter", (int)kn,
                                 k);
        return DBP_OK;
    }
    unsigned long n;
    if (KEY_IS("port")) {
        if (parse_uint(v, vn, 65535, &n) != 0 || n == 0)
            return dbp_error_set(err, DBP_ERR_USAGE, "port must be a number from 1 to 65535");
        t->port = (unsigned)n;
        return DBP_OK;
    }
    if (KEY_IS("connect_timeout") || KEY_IS("connect-timeout")) {
        if (parse_uint(v, vn, 3600, &n) != 0 || n == 0)
            return dbp_error_set(err, DBP_ERR_USAGE,
                                 "connect_timeout must be seconds from 1 to 3600");
        t->connect_timeout_s = (int)n;
        return DBP_OK;
    }
#undef KEY_IS
    return dbp_error_set(err, DBP_ERR_USAGE,
                         "unknown MySQL target parameter `%.*s` (known: socket, host, port, user, "
                         "password, database, defaults-file, connect_timeout)",
                         (int)(kn > 40 ? 40 : kn), k);
}

static int parse_uri(const char *rest, struct dbp_my_target *t, struct dbp_error *err)
{
    bool bad = false;
    const char *auth_end = rest + strcspn(rest, "/?");
    const char *at = NULL;
    for (const char *p = rest; p < auth_end; p++)
        if (*p == '@')
            at = p;
    const char *hp = rest;
    if (at) {
        const char *colon = memchr(rest, ':', (size_t)(at - rest));
        const char *uend = colon ? colon : at;
        t->user = dup_part(rest, (size_t)(uend - rest), true, &bad);
        if (colon) {
            t->password = dup_part(colon + 1, (size_t)(at - colon - 1), true, &bad);
            if (!t->password && !bad)
                t->password = dbp_xstrdup(""); /* user:@host is an empty password */
        }
        hp = at + 1;
    }
    const char *port = NULL;
    const char *hend = auth_end;
    if (*hp == '[') {
        const char *close = memchr(hp, ']', (size_t)(auth_end - hp));
        if (!close)
            return dbp_error_set(err, DBP_ERR_USAGE, "unterminated [ in the host");
        t->host = dup_part(hp + 1, (size_t)(close - hp - 1), false, &bad);
        if (close + 1 < auth_end) {
            if (close[1] != ':')
                return dbp_error_set(err, DBP_ERR_USAGE, "junk after ] in the host");
            port = close + 2;
        }
    } else {
        const char *colon = NULL;
        for (const char *p = hp; p < auth_end; p++)
            if (*p == ':')
                colon = p;
        if (colon) {
            port = colon + 1;
            hend = colon;
        }
        t->host = dup_part(hp, (size_t)(hend - hp), true, &bad);
    }
    if (port) {
        unsigned long n;
        if (parse_uint(port, (size_t)(auth_end - port), 65535, &n) != 0 || n == 0)
            return dbp_error_set(err, DBP_ERR_USAGE, "port must be a number from 1 to 65535");
        t->port = (unsigned)n;
    }
    const char *p = auth_end;
    if (*p == '/') {
        const char *dend = p + 1 + strcspn(p + 1, "?");
        t->database = dup_part(p + 1, (size_t)(dend - p - 1), true, &bad);
        p = dend;
    }
    if (bad)
        return dbp_error_set(err, DBP_ERR_USAGE, "bad %%-escape in the target");
    if (*p == '?') {
        p++;
        while (*p) {
            size_t n = strcspn(p, "&");
            const char *eq = memchr(p, '=', n);
            if (n > 0) {
                if (!eq)
                    return dbp_error_set(err, DBP_ERR_USAGE,
                                         "target parameter `%.*s` needs a value",
                                         (int)(n > 40 ? 40 : n), p);
                int rc =
                    set_param(t, p, (size_t)(eq - p), eq + 1, n - (size_t)(eq - p) - 1, true, err);
                if (rc != DBP_OK)
                    return rc;
            }
            p += n;
            if (*p == '&')
                p++;
        }
    }
    return DBP_OK;
}

static int parse_kv(const char *s, struct dbp_my_target *t, bool *has_socket, struct dbp_error *err)
{
    *has_socket = false;
    const char *p = s;
    while (*p) {
        while (*p == ' ' || *p == '\t' || *p == ';')
            p++;
        if (!*p)
            break;
        size_t n = strcspn(p, " \t;");
        const char *eq = memchr(p, '=', n);
        if (!eq)
            return dbp_error_set(err, DBP_ERR_USAGE, "`%.*s` is not key=value",
                                 (int)(n > 40 ? 40 : n), p);
        size_t kn = (size_t)(eq - p);
        if (kn == 6 && strncasecmp(p, "socket", 6) == 0)
            *has_socket = true;
        int rc = set_param(t, p, kn, eq + 1, n - kn - 1, false, err);
        if (rc != DBP_OK)
            return rc;
        p += n;
    }
    return DBP_OK;
}

static const char *uri_rest(const char *target)
{
    if (strncasecmp(target, "mysql://", 8) == 0)
        return target + 8;
    if (strncasecmp(target, "mariadb://", 10) == 0)
        return target + 10;
    return NULL;
}

int dbp_my_target_parse(const char *target, struct dbp_my_target *t, struct dbp_error *err)
{
    memset(t, 0, sizeof *t);
    const char *rest = uri_rest(target);
    int rc;
    if (rest) {
        rc = parse_uri(rest, t, err);
    } else {
        bool has_socket;
        rc = parse_kv(target, t, &has_socket, err);
        if (rc == DBP_OK && !has_socket)
            rc = dbp_error_set(err, DBP_ERR_USAGE,
                               "not a MySQL target: use mysql://user@host:port/db or socket=PATH");
    }
    if (rc != DBP_OK)
        dbp_my_target_free(t);
    return rc;
}

int dbp_my_accepts_target(const char *target)
{
    if (!target)
        return 0;
    if (uri_rest(target))
        return 1;
    /* a key=value list naming a socket (PostgreSQL conninfo has no socket key) */
    for (const char *p = target; *p;) {
        while (*p == ' ' || *p == '\t' || *p == ';')
            p++;
        if (strncasecmp(p, "socket=", 7) == 0)
            return 1;
        p += strcspn(p, " \t;");
    }
    return 0;
}

/* ---- queries ---------------------------------------------------------- */

const char *dbp_my_sql(const char *name)
{
    char path[128];
    snprintf(path, sizeof path, "mysql/%s", name);
    return dbp_sql_get(path);
}

int dbp_my_conn_lost(const struct dbp_my_live *c)
{
    unsigned e = mysql_errno(c->conn);
    return e == CR_SERVER_LOST || e == CR_SERVER_GONE_ERROR || e == CR_CONNECTION_ERROR ||
           e == CR_CONN_HOST_ERROR || e == CR_COMMANDS_OUT_OF_SYNC || e == CR_MALFORMED_PACKET ||
           e == CR_UNKNOWN_ERROR;
}

static int query_error(struct dbp_my_live *c, const char *file, struct dbp_error *err)
{
    unsigned e = mysql_errno(c->conn);
    const char *msg = mysql_error(c->conn);
    if (dbp_my_conn_lost(c))
        return dbp_error_set(err, DBP_ERR_CONNECT, "%s: connection lost during %s: %s (%u)",
                             c->shown, file, msg && *msg ? msg : "no answer", e);
    int rc = dbp_error_set(err, DBP_ERR_SERVER, "%s: %s failed: %s (%u)", c->shown, file, msg, e);
    if (err) {
        snprintf(err->sqlstate, sizeof err->sqlstate, "%s", mysql_sqlstate(c->conn));
    }
    return rc;
}

/*
 * Copy tmpl into out with :name placeholders replaced. Placeholders are
 * recognised outside quotes, backquotes and -- comments only.
 */
static int bind_sql(struct dbp_my_live *c, const char *tmpl, const struct dbp_my_bind *binds,
                    size_t n_binds, struct dbp_buf *out, struct dbp_error *err)
{
    const char *p = tmpl;
    char quote = 0;
    while (*p) {
        char ch = *p;
        if (quote) {
            dbp_buf_putc(out, ch);
            if (ch == '\\' && p[1] && quote != '`') {
                dbp_buf_putc(out, p[1]);
                p += 2;
                continue;
            }
            if (ch == quote)
                quote = 0;
            p++;
            continue;
        }
        if (ch == '\'' || ch == '"' || ch == '`') {
            quote = ch;
            dbp_buf_putc(out, ch);
            p++;
            continue;
        }
        if (ch == '-' && p[1] == '-') {
            size_t n = strcspn(p, "\n");
            dbp_buf_append(out, p, n);
            p += n;
            continue;
        }
        if (ch == ':' && (isalpha((unsigned char)p[1]) || p[1] == '_')) {
            const char *s = p + 1;
            size_t n = 0;
            while (isalnum((unsigned char)s[n]) || s[n] == '_')
                n++;
            size_t i;
            for (i = 0; i < n_binds; i++)
                if (strlen(binds[i].name) == n && memcmp(binds[i].name, s, n) == 0)
                    break;
            if (i == n_binds)
                return dbp_error_set(err, DBP_ERR_INTERNAL, "unbound :%.*s", (int)n, s);
            const struct dbp_my_bind *b = &binds[i];
            if (b->kind == DBP_MY_BIND_RAW) {
                dbp_buf_puts(out, b->value ? b->value : "NULL");
            } else if (!b->value) {
                dbp_buf_puts(out, "NULL");
            } else {
                size_t vl = strlen(b->value);
                dbp_buf_reserve(out, vl * 2 + 3);
                out->data[out->len++] = '\'';
                out->len += mysql_real_escape_string(c->conn, out->data + out->len, b->value,
                                                     (unsigned long)vl);
                out->data[out->len++] = '\'';
                out->data[out->len] = '\0';
            }
            p = s + n;
            continue;
        }
        dbp_buf_putc(out, ch);
        p++;
    }
    return DBP_OK;
}

int dbp_my_query(struct dbp_my_live *c, const char *file, const struct dbp_my_bind *binds,
                 size_t n_binds, MYSQL_RES **res, struct dbp_error *err)
{
    *res = NULL;
    const char *tmpl = dbp_my_sql(file);
    if (!tmpl)
        return dbp_error_set(err, DBP_ERR_INTERNAL, "sql/mysql/%s is not embedded", file);
    struct dbp_buf q = {0};
    int rc = bind_sql(c, tmpl, binds, n_binds, &q, err);
    if (rc != DBP_OK) {
        dbp_buf_free(&q);
        return rc;
    }
    if (mysql_real_query(c->conn, q.data, (unsigned long)q.len) != 0) {
        dbp_buf_free(&q);
        return query_error(c, file, err);
    }
    dbp_buf_free(&q);
    MYSQL_RES *r = mysql_store_result(c->conn);
    /* a result cut short (the server went away mid-way) leaves an error, with or without r */
    if ((!r && mysql_field_count(c->conn) != 0) || mysql_errno(c->conn) != 0) {
        mysql_free_result(r);
        return query_error(c, file, err);
    }
    *res = r;
    return DBP_OK;
}

uint64_t dbp_my_u64(const char *s)
{
    if (!s)
        return 0;
    /* counters may come back as decimals ("12.0000") from arithmetic */
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    return (uint64_t)v;
}

int64_t dbp_my_i64(const char *s)
{
    if (!s)
        return -1;
    return (int64_t)strtoll(s, NULL, 10);
}

double dbp_my_f64(const char *s)
{
    if (!s)
        return NAN;
    char *end;
    double v = strtod(s, &end);
    return end == s ? NAN : v;
}

/* ---- connect ---------------------------------------------------------- */

static void live_free(struct dbp_my_live *c)
{
    if (!c)
        return;
    if (c->conn)
        mysql_close(c->conn);
    free(c->shown);
    free(c->schema);
    free(c->instance);
    free(c->version);
    free(c->session_note);
    free(c->digests);
    free(c->last_plan_json);
    free(c);
}

static void add_note(struct dbp_my_live *c, const char *msg)
{
    if (c->session_note)
        return;
    c->session_note = dbp_xstrdup(msg);
}

static long parse_version(const char *v)
{
    long part[3] = {0, 0, 0};
    const char *p = v;
    for (int i = 0; i < 3; i++) {
        char *end;
        part[i] = strtol(p, &end, 10);
        if (end == p)
            break;
        p = end;
        if (*p != '.')
            break;
        p++;
    }
    return part[0] * 10000 + part[1] * 100 + part[2];
}

/* Version, instance name; the read-only session and the statement timeout. */
static int setup_session(struct dbp_my_live *c, struct dbp_error *err)
{
    MYSQL_RES *r = NULL;
    int rc = dbp_my_query(c, "server_info.sql", NULL, 0, &r, err);
    if (rc != DBP_OK)
        return rc;
    MYSQL_ROW row = r ? mysql_fetch_row(r) : NULL;
    if (!row) {
        mysql_free_result(r);
        return dbp_error_set(err, DBP_ERR_SERVER, "%s: server_info.sql returned no row", c->shown);
    }
    c->version = dbp_xstrdup(row[0] ? row[0] : "");
    c->mariadb =
        strstr(c->version, "MariaDB") != NULL || (row[1] && strstr(row[1], "MariaDB") != NULL);
    c->version_num = parse_version(c->version);
    char inst[300];
    snprintf(inst, sizeof inst, "%s:%s", row[2] ? row[2] : "?", row[3] ? row[3] : "?");
    c->instance = dbp_xstrdup(inst);
    mysql_free_result(r);
    r = NULL;

    /* every later transaction read-only; refuse to go on without it */
    rc = dbp_my_query(c, "session_read_only.sql", NULL, 0, &r, err);
    mysql_free_result(r);
    r = NULL;
    if (rc != DBP_OK)
        return rc;
    bool mysql8 = !c->mariadb && c->version_num >= 50720;
    rc = dbp_my_query(c, mysql8 ? "session_check_mysql8.sql" : "session_check.sql", NULL, 0, &r,
                      err);
    if (rc != DBP_OK)
        return rc;
    row = r ? mysql_fetch_row(r) : NULL;
    bool ro = row && row[0] && strcmp(row[0], "1") == 0;
    mysql_free_result(r);
    r = NULL;
    if (!ro)
        return dbp_error_set(err, DBP_ERR_UNSUPPORTED,
                             "%s: the session could not be made read-only; nothing collected",
                             c->shown);

    /* the server aborts anything of ours that runs too long */
    if (c->timeout_ms > 0) {
        char num[32];
        struct dbp_my_bind b;
        const char *file;
        if (c->mariadb) {
            snprintf(num, sizeof num, "%.3f", c->timeout_ms / 1000.0);
            b = (struct dbp_my_bind){"timeout_s", num, DBP_MY_BIND_RAW};
            file = "session_timeout_mariadb.sql";
        } else {
            snprintf(num, sizeof num, "%d", c->timeout_ms);
            b = (struct dbp_my_bind){"timeout_ms", num, DBP_MY_BIND_RAW};
            file = "session_timeout_mysql.sql";
        }
        struct dbp_error e2 = {0};
        rc = dbp_my_query(c, file, &b, 1, &r, &e2);
        mysql_free_result(r);
        r = NULL;
        if (rc != DBP_OK) {
            if (dbp_my_conn_lost(c)) {
                if (err)
                    *err = e2;
                return rc;
            }
            add_note(c, e2.message);
        }
        int lw = (c->timeout_ms + 999) / 1000;
        snprintf(num, sizeof num, "%d", lw < 1 ? 1 : lw);
        b = (struct dbp_my_bind){"lock_wait_s", num, DBP_MY_BIND_RAW};
        rc = dbp_my_query(c, "session_lock_wait.sql", &b, 1, &r, &e2);
        mysql_free_result(r);
        if (rc != DBP_OK) {
            if (dbp_my_conn_lost(c)) {
                if (err)
                    *err = e2;
                return rc;
            }
            add_note(c, e2.message);
        }
    }
    return DBP_OK;
}

static char *redact_heap(const char *target)
{
    struct dbp_arena *a = dbp_arena_new();
    char *s = dbp_xstrdup(dbp_target_redact(a, target));
    dbp_arena_free(a);
    return s;
}

int dbp_my_connect(const struct dbp_conn_opts *o, void **ctx, struct dbp_error *err)
{
    *ctx = NULL;
    struct dbp_my_target t;
    struct dbp_my_live *c = dbp_xcalloc(1, sizeof *c);
    c->shown = redact_heap(o->target);
    c->timeout_ms = o->statement_timeout_ms;
    c->top_n = o->top_n > 0 ? o->top_n : 20;
    c->analyze = o->analyze;
    struct dbp_error perr = {0};
    if (dbp_my_target_parse(o->target, &t, &perr) != DBP_OK) {
        int rc = dbp_error_set(err, perr.code, "%s: %s", c->shown, perr.message);
        live_free(c);
        return rc;
    }
    if (t.database)
        c->schema = dbp_xstrdup(t.database);

    c->conn = mysql_init(NULL);
    if (!c->conn) {
        dbp_my_target_free(&t);
        live_free(c);
        return dbp_error_set(err, DBP_ERR_INTERNAL, "mysql_init failed");
    }
    /* [client] (and [client-server], [client-mariadb]) of the usual option files */
    mysql_options(c->conn, MYSQL_READ_DEFAULT_GROUP, "client");
    if (t.defaults_file)
        mysql_options(c->conn, MYSQL_READ_DEFAULT_FILE, t.defaults_file);
    unsigned int ct =
        (unsigned)(t.connect_timeout_s > 0 ? t.connect_timeout_s : DEFAULT_CONNECT_TIMEOUT_S);
    /* the server's own timeout ends our statements; the read timeout catches a dead peer */
    unsigned int rt = c->timeout_ms > 0 ? (unsigned)(c->timeout_ms / 1000 + 10) : 300;
    mysql_options(c->conn, MYSQL_OPT_CONNECT_TIMEOUT, &ct);
    mysql_options(c->conn, MYSQL_OPT_READ_TIMEOUT, &rt);
    mysql_options(c->conn, MYSQL_OPT_WRITE_TIMEOUT, &rt);
    /* never reconnect silently: a new session would not be read-only */
#ifdef MARIADB_PACKAGE_VERSION
    my_bool reconnect = 0; /* MariaDB Connector/C */
#else
    bool reconnect = false; /* libmysqlclient 8 */
#endif
    mysql_options(c->conn, MYSQL_OPT_RECONNECT, &reconnect);
    mysql_options(c->conn, MYSQL_SET_CHARSET_NAME, "utf8mb4");
    mysql_options4(c->conn, MYSQL_OPT_CONNECT_ATTR_ADD, "program_name", "dbperf");

    if (!mysql_real_connect(c->conn, t.host, t.user, t.password, t.database, t.port, t.socket, 0)) {
        int rc = dbp_error_set(err, DBP_ERR_CONNECT, "cannot connect to %s: %s (%u)", c->shown,
                               mysql_error(c->conn), mysql_errno(c->conn));
        if (err)
            snprintf(err->sqlstate, sizeof err->sqlstate, "%s", mysql_sqlstate(c->conn));
        dbp_my_target_free(&t);
        live_free(c);
        return rc;
    }
    dbp_my_target_free(&t);
    int rc = setup_session(c, err);
    if (rc != DBP_OK) {
        live_free(c);
        return rc;
    }
    *ctx = c;
    return DBP_OK;
}

void dbp_my_disconnect(void *ctx)
{
    live_free(ctx);
}

/* ---- collect ---------------------------------------------------------- */

static int64_t now_us(void)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return (int64_t)tv.tv_sec * 1000000 + tv.tv_usec;
}

/* A server variable as 1/0, -1 when the server does not know it. */
static int flag_query(struct dbp_my_live *c, const char *file, struct dbp_error *err, int *lost)
{
    MYSQL_RES *r = NULL;
    *lost = 0;
    if (dbp_my_query(c, file, NULL, 0, &r, err) != DBP_OK) {
        *lost = dbp_my_conn_lost(c);
        return -1;
    }
    MYSQL_ROW row = r ? mysql_fetch_row(r) : NULL;
    int v = row && row[0] ? (strcmp(row[0], "1") == 0 || strcasecmp(row[0], "ON") == 0) : -1;
    mysql_free_result(r);
    return v;
}

int dbp_my_collect(void *ctx, struct dbp_snapshot *snap, struct dbp_source *src,
                   struct dbp_error *err)
{
    struct dbp_my_live *c = ctx;
    if (!c)
        return dbp_error_set(err, DBP_ERR_INTERNAL, "live MySQL: not connected");
    src->engine = DBP_ENGINE_MYSQL;
    src->server_version =
        dbp_arena_printf(snap->arena, "%s%s", c->version,
                         c->mariadb && !strstr(c->version, "MariaDB") ? " (MariaDB)" : "");
    if (c->session_note)
        dbp_snapshot_diag(snap, "%s: session setup: %s", c->shown, c->session_note);

    /* the counters' start: server start, from the server's own clock */
    MYSQL_RES *r = NULL;
    int rc = dbp_my_query(c, "server_info.sql", NULL, 0, &r, err);
    if (rc != DBP_OK)
        return rc;
    MYSQL_ROW row = r ? mysql_fetch_row(r) : NULL;
    double server_now_s = row ? dbp_my_f64(row[4]) : NAN;
    mysql_free_result(r);
    r = NULL;
    rc = dbp_my_query(c, "global_status.sql", NULL, 0, &r, err);
    if (rc != DBP_OK)
        return rc;
    double uptime_s = NAN;
    uint64_t digest_lost = 0, tables_lost = 0;
    while (r && (row = mysql_fetch_row(r)) != NULL) {
        if (!row[0])
            continue;
        if (strcasecmp(row[0], "Uptime") == 0)
            uptime_s = dbp_my_f64(row[1]);
        else if (strcasecmp(row[0], "Performance_schema_digest_lost") == 0)
            digest_lost = dbp_my_u64(row[1]);
        else if (strcasecmp(row[0], "Performance_schema_table_instances_lost") == 0 ||
                 strcasecmp(row[0], "Performance_schema_table_handles_lost") == 0)
            tables_lost += dbp_my_u64(row[1]);
    }
    mysql_free_result(r);
    r = NULL;
    int64_t since_us = 0;
    if (uptime_s >= 0) {
        double now_s = server_now_s > 0 ? server_now_s : now_us() / 1e6;
        since_us = (int64_t)llround((now_s - uptime_s) * 1e6);
    }
    src->counters_since_us = since_us;

    int lost = 0;
    struct dbp_error e2 = {0};
    int ps_on = flag_query(c, "performance_schema.sql", &e2, &lost);
    if (lost) {
        if (err)
            *err = e2;
        return e2.code;
    }
    if (ps_on != 1) {
        dbp_snapshot_diag(snap,
                          "%s: performance_schema is off: no statement statistics or index usage "
                          "(set performance_schema=ON in the server's configuration and restart)",
                          c->shown);
    } else {
        if (digest_lost > 0)
            dbp_snapshot_diag(snap,
                              "%s: %llu statement executions were not digested because the "
                              "digest table was full (raise performance_schema_digests_size)",
                              c->shown, (unsigned long long)digest_lost);
        rc = dbp_my_collect_digests(c, snap, src, err);
        if (rc != DBP_OK)
            return rc;
    }
    if (tables_lost > 0) {
        dbp_snapshot_diag(snap,
                          "%s: performance_schema lost statistics of %llu tables: index usage of "
                          "tables it does not list is unknown",
                          c->shown, (unsigned long long)tables_lost);
        ps_on = ps_on == 1 ? 2 : ps_on; /* on, but absence proves nothing */
    }
    rc = dbp_my_collect_indexes(c, snap, since_us, ps_on, err);
    if (rc != DBP_OK)
        return rc;
    c->collected = snap;
    return DBP_OK;
}

/* ---- test hooks ------------------------------------------------------- */

int dbp_my_live_exec(void *ctx, const char *sql, char *out, size_t out_len, struct dbp_error *err)
{
    struct dbp_my_live *c = ctx;
    if (out && out_len)
        out[0] = '\0';
    if (mysql_real_query(c->conn, sql, (unsigned long)strlen(sql)) != 0)
        return query_error(c, "test statement", err);
    MYSQL_RES *r = mysql_store_result(c->conn);
    if ((!r && mysql_field_count(c->conn) != 0) || mysql_errno(c->conn) != 0) {
        mysql_free_result(r);
        return query_error(c, "test statement", err);
    }
    MYSQL_ROW row = r ? mysql_fetch_row(r) : NULL;
    if (row && out && out_len)
        snprintf(out, out_len, "%s", row[0] ? row[0] : "");
    mysql_free_result(r);
    return DBP_OK;
}

unsigned long dbp_my_live_thread_id(void *ctx)
{
    struct dbp_my_live *c = ctx;
    return mysql_thread_id(c->conn);
}
