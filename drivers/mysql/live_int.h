/*
 * live_int.h -- internal to the live MySQL/MariaDB collector (live*.c): the
 * connection context, target parsing, the query helper, and test hooks.
 *
 * Only live*.c include <mysql.h>; this header keeps MYSQL behind a forward
 * declaration so tests can use the hooks without the client headers.
 */
#ifndef DBPERF_MY_LIVE_INT_H
#define DBPERF_MY_LIVE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <dbperf/driver.h>

struct dbp_error;
struct dbp_buf;
struct st_mysql;
struct st_mysql_res;

/* ---- targets ---------------------------------------------------------- */

/*
 * A parsed server target. Every string is heap memory owned by the struct
 * (dbp_my_target_free), NULL when the target does not give it: the client
 * library then takes it from the option files ([client] of /etc/my.cnf,
 * ~/.my.cnf...) or its defaults (MYSQL_PWD for the password).
 */
struct dbp_my_target {
    char *host;
    char *user;
    char *password;
    char *database;        /* also restricts what is collected to that schema */
    char *socket;          /* unix socket path */
    char *defaults_file;   /* read this option file instead of the default ones */
    unsigned port;         /* 0 = default */
    int connect_timeout_s; /* 0 = default (10) */
};

/*
 * Parse mysql://user:pass@host:port/db?socket=/path&connect_timeout=S&defaults-file=F
 * (also mariadb://; user, password and path parts percent-decoded) or a
 * key=value list separated by spaces or ';' that names a socket
 * ("socket=/run/mysqld/mysqld.sock user=app database=shop"). DBP_ERR_USAGE
 * for anything else or an unknown parameter; *t is then empty.
 */
int dbp_my_target_parse(const char *target, struct dbp_my_target *t, struct dbp_error *err);
void dbp_my_target_free(struct dbp_my_target *t); /* NULL-safe; leaves t zeroed */

/* ---- the connection --------------------------------------------------- */

/* A top statement class kept by collect for explain. */
struct dbp_my_digest {
    struct dbp_stmt *stmt;
    char digest[72];        /* DIGEST hex */
    uint64_t no_index_used; /* SUM_NO_INDEX_USED */
    uint64_t no_good_index; /* SUM_NO_GOOD_INDEX_USED */
    uint64_t calls;
};

struct dbp_my_live {
    struct st_mysql *conn;
    char *shown;    /* heap: the target with its password removed */
    char *schema;   /* heap: the target's database (collection restricted to it); NULL */
    char *instance; /* heap: @@hostname:@@port */
    char *version;  /* heap: VERSION() */
    bool mariadb;
    long version_num; /* major * 10000 + minor * 100 + patch */
    int timeout_ms;
    int top_n;
    bool analyze;       /* MariaDB: ANALYZE FORMAT=JSON of SELECT examples (runs them) */
    char *session_note; /* heap: a problem met while setting up the session; NULL */
    /* set by collect for explain */
    const struct dbp_snapshot *collected;
    struct dbp_my_digest *digests; /* heap, by total time, at most top candidates */
    size_t n_digests;
    /* counters for tests and diagnostics */
    size_t plans_fetched; /* EXPLAIN documents received */
    size_t plans_parsed;  /* attached to the snapshot */
    size_t examples_missing;
    char *last_plan_json; /* heap: the last EXPLAIN document received; NULL */
};

/* The text of sql/mysql/<name> (without the "mysql/" prefix); never NULL for a shipped file. */
const char *dbp_my_sql(const char *name);

/* A value bound into an embedded query's :name placeholder. */
enum dbp_my_bind_kind {
    DBP_MY_BIND_STR = 0, /* quoted and escaped; NULL value -> NULL */
    DBP_MY_BIND_RAW      /* inserted as is (numbers, or the statement to EXPLAIN) */
};
struct dbp_my_bind {
    const char *name; /* without the ':' */
    const char *value;
    enum dbp_my_bind_kind kind;
};

/*
 * Run sql/mysql/<file> with binds substituted and buffer its whole result
 * in *res (NULL for statements without one; the caller frees it with
 * mysql_free_result). A server error gives DBP_ERR_SERVER (sqlstate set), a
 * lost connection DBP_ERR_CONNECT; both messages name the server (without
 * its password) and the file.
 */
int dbp_my_query(struct dbp_my_live *c, const char *file, const struct dbp_my_bind *binds,
                 size_t n_binds, struct st_mysql_res **res, struct dbp_error *err);

/* 1 if the last error on c's connection means the connection is gone. */
int dbp_my_conn_lost(const struct dbp_my_live *c);

/* Parsing helpers for result cells (NULL-safe): unsigned, signed (-1 for NULL), double (NaN). */
uint64_t dbp_my_u64(const char *s);
int64_t dbp_my_i64(const char *s);
double dbp_my_f64(const char *s);

/* collect parts (live_collect.c) */
int dbp_my_collect_digests(struct dbp_my_live *c, struct dbp_snapshot *snap, struct dbp_source *src,
                           struct dbp_error *err);
/*
 * ps_state: 0 performance_schema off (or unknown), 1 on, 2 on but it lost
 * table statistics (an index it does not list has unknown usage).
 */
int dbp_my_collect_indexes(struct dbp_my_live *c, struct dbp_snapshot *snap, int64_t since_us,
                           int ps_state, struct dbp_error *err);

/* ---- test hooks ------------------------------------------------------- */

/*
 * Run one raw statement in the collector's session (tests only). The first
 * cell of its result (if any, "" for NULL) goes into out[0..out_len) when out
 * is not NULL; the rest is discarded.
 */
int dbp_my_live_exec(void *ctx, const char *sql, char *out, size_t out_len, struct dbp_error *err);
/* The server's id of the collector's session (CONNECTION_ID()). */
unsigned long dbp_my_live_thread_id(void *ctx);

#endif
