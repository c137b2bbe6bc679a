/*
 * live_hypo.c -- verify a missing-index suggestion with hypopg: EXPLAIN the
 * statement the candidate should help (its generic plan when it has
 * parameters), create the candidate as a hypothetical index (session-local,
 * nothing is written), EXPLAIN again, drop every hypothetical index
 * (hypopg_reset) and record the estimated costs before and after.
 *
 * The threshold: a suggestion is kept only when the estimated cost drops by
 * at least [postgres] hypo_min_improvement of the config file (a fraction,
 * "0.5", or a percentage, "50%"; default 0.5, as Dexter does). Without
 * hypopg, or with hypothetical indexes turned off, the finding is kept and
 * says that it is unverified.
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include <dbperf/arena.h>
#include <dbperf/buf.h>
#include <dbperf/error.h>

#include "live_int.h"
#include "pg_int.h"

/* Append an identifier: as is when it is a plain lower-case name, quoted when
 * it has capitals (the parser that produced it dropped the quotes). */
static void put_ident(PGconn *conn, struct dbp_buf *b, const char *id)
{
    bool plain = id[0] && !isdigit((unsigned char)id[0]), lower = true;
    for (const char *p = id; *p; p++) {
        if (!(isalnum((unsigned char)*p) || *p == '_'))
            plain = false;
        if (isupper((unsigned char)*p))
            lower = false;
    }
    if (plain && lower) {
        dbp_buf_puts(b, id);
        return;
    }
    char *q = PQescapeIdentifier(conn, id, strlen(id));
    dbp_buf_puts(b, q ? q : id);
    PQfreemem(q);
}

/* The CREATE INDEX statement for the candidate. */
static void candidate_sql(PGconn *conn, const struct dbp_index *ix, struct dbp_buf *b)
{
    dbp_buf_puts(b, "CREATE INDEX ON ");
    if (ix->schema) {
        put_ident(conn, b, ix->schema);
        dbp_buf_putc(b, '.');
    }
    put_ident(conn, b, ix->table);
    dbp_buf_puts(b, " USING ");
    if (ix->method && *ix->method) {
        for (const char *p = ix->method; *p; p++)
            dbp_buf_putc(b, (char)tolower((unsigned char)*p));
    } else {
        dbp_buf_puts(b, "btree");
    }
    dbp_buf_puts(b, " (");
    for (size_t i = 0; i < ix->n_columns; i++) {
        const char *col = ix->columns[i];
        if (i)
            dbp_buf_puts(b, ", ");
        bool simple = true;
        for (const char *p = col; *p; p++)
            if (!(isalnum((unsigned char)*p) || *p == '_'))
                simple = false;
        if (simple)
            put_ident(conn, b, col);
        else
            dbp_buf_puts(b, col); /* "b DESC", "lower(x)", a quoted name */
    }
    dbp_buf_putc(b, ')');
    if (ix->predicate && *ix->predicate) {
        dbp_buf_puts(b, " WHERE ");
        dbp_buf_puts(b, ix->predicate);
    }
}

/* Estimated total cost of text's plan in this session. */
static int plan_cost(struct dbp_pg_ctx *c, const char *text, double *cost, struct dbp_error *err)
{
    struct dbp_buf json = {0};
    *cost = NAN;
    int rc = dbp_pg_explain_text(c, text, false, &json, NULL, err);
    if (rc == DBP_OK) {
        *cost = dbp_pg_json_total_cost(json.data, json.len);
        if (isnan(*cost))
            rc = dbp_error_set(err, DBP_ERR_FORMAT, "EXPLAIN gave no Total Cost");
    }
    dbp_buf_free(&json);
    return rc;
}

static int hypo_reset(struct dbp_pg_ctx *c, struct dbp_error *err)
{
    struct dbp_buf q = {0};
    PGresult *r = NULL;
    int rc = dbp_pg_sql(&q, "hypo_reset.sql", c->hypopg_schema, err);
    if (rc == DBP_OK)
        rc = dbp_pg_exec(c, "hypo_reset.sql", q.data, 0, NULL, &r, err);
    PQclear(r);
    dbp_buf_free(&q);
    return rc;
}

static int hypo_create(struct dbp_pg_ctx *c, const char *create, struct dbp_error *err)
{
    struct dbp_buf q = {0};
    PGresult *r = NULL;
    int rc = dbp_pg_sql(&q, "hypo_create.sql", c->hypopg_schema, err);
    if (rc == DBP_OK)
        rc = dbp_pg_exec(c, "hypo_create.sql", q.data, 1, &create, &r, err);
    if (rc == DBP_OK && PQntuples(r) < 1)
        rc = dbp_error_set(err, DBP_ERR_SERVER, "hypopg_create_index created nothing");
    PQclear(r);
    dbp_buf_free(&q);
    return rc;
}

/* A failure that leaves the finding unverified (kept); a lost connection is
 * returned as an error. */
static int unverified(struct dbp_pg_ctx *c, struct dbp_snapshot *snap, struct dbp_finding *f,
                      const char *what, const struct dbp_error *e, struct dbp_error *err)
{
    f->verify_note = dbp_arena_printf(snap->arena, "unverified: %s: %s", what, e->message);
    if (e->code == DBP_ERR_CONNECT)
        return dbp_error_set(err, e->code, "%s", e->message);
    (void)c;
    return DBP_OK;
}

int dbp_pg_verify(void *ctx, struct dbp_snapshot *snap, struct dbp_finding *f, bool *keep,
                  struct dbp_error *err)
{
    struct dbp_pg_ctx *c = ctx;
    *keep = true;
    if (!c || !c->conn)
        return dbp_error_set(err, DBP_ERR_USAGE, "PostgreSQL: not connected");
    if (!f || !f->candidate || !f->candidate->table || f->candidate->n_columns == 0)
        return DBP_OK; /* nothing to verify */
    if (!c->hypothetical) {
        f->verify_note = "unverified: hypothetical indexes are turned off (--no-hypothetical)";
        return DBP_OK;
    }
    if (!c->hypopg_version) {
        f->verify_note = dbp_arena_printf(snap->arena,
                                          "unverified: hypopg is not installed in database %s "
                                          "(CREATE EXTENSION hypopg)",
                                          c->database);
        return DBP_OK;
    }
    struct dbp_stmt *st = f->candidate_stmt;
    if (!st || !st->text) {
        f->verify_note = "unverified: no statement to compare plans with";
        return DBP_OK;
    }
    if (st->database && c->database && strcmp(st->database, c->database) != 0) {
        f->verify_note = dbp_arena_printf(snap->arena,
                                          "unverified: the statement runs in database %s, "
                                          "dbperf is connected to %s",
                                          st->database, c->database);
        return DBP_OK;
    }
    struct dbp_buf create = {0};
    struct dbp_error e = {0};
    int rc = DBP_OK;
    double before = NAN, after = NAN;
    candidate_sql(c->conn, f->candidate, &create);
    /* start clean: a hypothetical index left by anything else would skew "before" */
    if (hypo_reset(c, &e) != DBP_OK) {
        rc = unverified(c, snap, f, "hypopg_reset", &e, err);
        goto out;
    }
    if (plan_cost(c, st->text, &before, &e) != DBP_OK) {
        rc = unverified(c, snap, f, "EXPLAIN before", &e, err);
        goto out;
    }
    if (hypo_create(c, create.data, &e) != DBP_OK) {
        rc = unverified(c, snap, f, "hypopg_create_index", &e, err);
        goto out;
    }
    int rc_after = plan_cost(c, st->text, &after, &e);
    struct dbp_error e2 = {0};
    int rc_reset = hypo_reset(c, &e2);
    if (rc_after != DBP_OK) {
        rc = unverified(c, snap, f, "EXPLAIN with the hypothetical index", &e, err);
        goto out;
    }
    if (rc_reset != DBP_OK && e2.code == DBP_ERR_CONNECT) {
        rc = dbp_error_set(err, e2.code, "%s", e2.message);
        goto out;
    }
    double improvement = before > 0 ? 1.0 - after / before : 0.0;
    dbp_finding_add_evidence(snap, f, "cost_before", before, NULL);
    dbp_finding_add_evidence(snap, f, "cost_after", after, NULL);
    dbp_finding_add_evidence(snap, f, "improvement", improvement, NULL);
    dbp_finding_add_evidence(snap, f, "hypothetical_index", NAN,
                             dbp_arena_strdup(snap->arena, create.data));
    f->verified = DBP_VERIFY_HYPOPG;
    f->benefit = improvement < 0 ? 0 : improvement > 1 ? 1 : improvement;
    *keep = improvement >= c->hypo_min_improvement;
    f->verify_note = dbp_arena_printf(
        snap->arena, "hypopg: estimated cost %.2f -> %.2f (%.1f%% lower)%s", before, after,
        100.0 * improvement,
        *keep ? ""
              : dbp_arena_printf(snap->arena, ", below hypo_min_improvement (%.0f%%)",
                                 100.0 * c->hypo_min_improvement));
out:
    dbp_buf_free(&create);
    return rc;
}
