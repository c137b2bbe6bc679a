/*
 * live_int.h -- internal to the live PostgreSQL collector (live.c,
 * live_collect.c, live_explain.c, live_qual.c, live_hypo.c): the session
 * context and the helpers the phases share. Integration tests include it to look at the
 * session (tests/integration/pg_live_test.c).
 */
#ifndef DBPERF_PG_LIVE_INT_H
#define DBPERF_PG_LIVE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libpq-fe.h>

#include <dbperf/buf.h>
#include <dbperf/model.h>

struct dbp_error;
struct dbp_config;

/* Default [postgres] hypo_min_improvement: keep a candidate index only when
 * hypopg shows the statement's estimated cost dropping by at least this
 * fraction (Dexter's 50%). */
#define DBP_PG_HYPO_MIN_IMPROVEMENT 0.5

/* One live session. Everything here is heap memory owned by the context
 * (freed by dbp_pg_disconnect), except stmts' elements, which belong to the
 * snapshot given to collect. */
struct dbp_pg_ctx {
    PGconn *conn;
    char *shown;          /* the target without its password (for messages) */
    char *instance;       /* host:port */
    char *cluster;        /* pg_control_system().system_identifier; NULL if unreadable */
    char *database;       /* current_database() */
    char *server_version; /* "15.18 (Debian ...)" */
    int server_version_num;
    bool in_recovery;
    bool read_only; /* default_transaction_read_only is on */
    int64_t postmaster_start_us;
    int64_t stats_reset_us; /* pg_stat_database.stats_reset of this database; 0 */
    int64_t pgss_reset_us;  /* pg_stat_statements_info.stats_reset; 0 */
    char *pgss_version;     /* extversion, NULL when not installed here */
    char *pgss_schema;      /* quoted schema of pg_stat_statements */
    char *hypopg_version;
    char *hypopg_schema; /* quoted */
    char *qualstats_version;
    /* pg_qualstats' schema (quoted), NULL when not installed here */
    char *qualstats_schema;
    /* options */
    int timeout_ms;
    int top_n;
    bool analyze;
    bool hypothetical;
    double hypo_min_improvement;
    /* statement classes taken from pg_stat_statements by the last collect, in
     * pgss order (most total time first); the snapshot owns the elements */
    struct dbp_stmt **stmts;
    size_t n_stmts;
    size_t cap_stmts;
    const struct dbp_snapshot *stmts_snap;
    bool generic_mode_set; /* plan_cache_mode = force_generic_plan sent (< 16) */
    /* what explain did (tests and diagnostics) */
    unsigned n_explain_tried;   /* top statements explain tried (at most top_n) */
    unsigned n_explain_sent;    /* EXPLAINs sent */
    unsigned n_explain_json;    /* EXPLAINs that returned a JSON document */
    unsigned n_plans_added;     /* plans parsed and attached to a statement */
    unsigned n_explain_skipped; /* top statements not explainable (utility, other db...) */
    size_t explain_json_bytes;  /* JSON bytes received */
    /* what pg_qualstats gave (tests and diagnostics) */
    unsigned n_qual_rows;  /* rows of qualstats.sql read */
    unsigned n_qual_nodes; /* plan nodes that received observed predicates */
};

/*
 * Run the query sql (the text of a sql/postgres/ file after @SCHEMA@ was
 * replaced, or a statement built from such a prefix) with nparams text
 * parameters, through the extended protocol (one statement only). On success
 * *out is the result (PGRES_TUPLES_OK or PGRES_COMMAND_OK), the caller clears
 * it. On failure *out is NULL and err says what the server (or a lost
 * connection: DBP_ERR_CONNECT) said, naming what: the file name or "EXPLAIN".
 */
int dbp_pg_exec(struct dbp_pg_ctx *c, const char *what, const char *sql, int nparams,
                const char *const *params, PGresult **out, struct dbp_error *err);

/* The same through the simple protocol (EXPLAIN (GENERIC_PLAN) of a text with
 * $n placeholders); the caller made sure sql is one statement. */
int dbp_pg_exec_simple(struct dbp_pg_ctx *c, const char *what, const char *sql, PGresult **out,
                       struct dbp_error *err);

/*
 * Append the text of sql/postgres/<name> to b: its leading "--" comment
 * lines left out, @SCHEMA@ replaced by schema (may be NULL when the file has
 * none), trailing blanks and ';' removed.
 * DBP_ERR_INTERNAL if the file was not embedded.
 */
int dbp_pg_sql(struct dbp_buf *b, const char *name, const char *schema, struct dbp_error *err);

/* A field as int64 / double; NULL gives dflt. */
int64_t dbp_pg_int(const PGresult *r, int row, int col, int64_t dflt);
double dbp_pg_double(const PGresult *r, int row, int col, double dflt);
/* A field copied into snap's arena; NULL stays NULL. */
const char *dbp_pg_arena_str(struct dbp_snapshot *snap, const PGresult *r, int row, int col);

/* Statement kinds by their first keyword. */
enum dbp_pg_stmt_kind {
    DBP_PG_STMT_OTHER = 0, /* utility and anything else: never explained */
    DBP_PG_STMT_SELECT,    /* SELECT, or WITH ... without INSERT/UPDATE/DELETE/MERGE */
    DBP_PG_STMT_DML        /* INSERT, UPDATE, DELETE, or WITH with one of them */
};

/*
 * What a statement text is: its kind, its highest $n placeholder (*max_param)
 * and whether it is a single statement (no ';' outside quotes and comments
 * other than trailing ones). Quotes ('', "", E'', $tag$...$tag$) and comments
 * are skipped.
 */
enum dbp_pg_stmt_kind dbp_pg_classify(const char *sql, int *max_param, bool *single);

/*
 * The names of the functions sql calls (identifiers followed by '('; keywords
 * such as IN or EXISTS included, harmlessly), lower-cased, appended to names
 * as the elements of a text[] literal: "f","g" (a comma first when names is
 * not empty; the caller adds the braces). Returns how many were appended.
 * Sets *quoted_call (never clears it) when a "Quoted"(...) or odd$name(...)
 * was called (not collected). Keeps EXPLAIN ANALYZE away from volatile
 * functions.
 */
size_t dbp_pg_called_names(const char *sql, struct dbp_buf *names, bool *quoted_call);

/*
 * EXPLAIN (FORMAT JSON) of text (a normalized pg_stat_statements text or any
 * statement): directly when it has no parameters, else a generic plan
 * (EXPLAIN (GENERIC_PLAN) on 16+, PREPARE + EXPLAIN EXECUTE with NULLs under
 * plan_cache_mode = force_generic_plan before). analyze requests EXPLAIN
 * ANALYZE inside a rolled-back transaction, honoured only for a SELECT without
 * parameters that calls no volatile function (*analyzed tells). The JSON document is appended to
 * json. DBP_ERR_UNSUPPORTED for a statement that is not explained (utility, several statements);
 * DBP_ERR_SERVER / DBP_ERR_CONNECT from the server.
 */
int dbp_pg_explain_text(struct dbp_pg_ctx *c, const char *text, bool analyze, struct dbp_buf *json,
                        bool *analyzed, struct dbp_error *err);

/*
 * When pg_qualstats is installed here: the columns each explained statement
 * (its pg_stat_statements queryid) compared in a filter after a scan while it
 * ran (qualstats.sql), attached to the plan nodes of snap that scan those
 * relations as observed_preds (observed_from "pg_qualstats"), for the
 * missing-index rule. Called by dbp_pg_explain once the plans are attached. A
 * query the server refuses is a diagnostic (DBP_OK); only a lost connection is
 * an error (DBP_ERR_CONNECT).
 */
int dbp_pg_qualstats(struct dbp_pg_ctx *c, struct dbp_snapshot *snap, struct dbp_error *err);

/* The root plan's "Total Cost" in an EXPLAIN (FORMAT JSON) document; NaN if absent. */
double dbp_pg_json_total_cost(const char *json, size_t len);

#endif
