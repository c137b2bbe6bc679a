/*
 * log_common.c -- what the MongoDB log parsers share: one execution into
 * the snapshot (statement class by query shape, aggregate, example, plan
 * from planSummary when the execution is the class's slowest, session event
 * for N+1 detection) and the read loop with its diagnostics.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dbperf/arena.h>
#include <dbperf/buf.h>
#include <dbperf/driver.h>
#include <dbperf/error.h>
#include <dbperf/model.h>
#include <dbperf/reader.h>

#include "mongo_log.h"

static int64_t count_of(double v)
{
    return v == v && v >= 0 ? (int64_t)v : -1;
}

static int64_t hex_id(const char *s, size_t n)
{
    uint64_t v = 0;
    for (size_t i = 0; i < n && i < 16; i++) {
        char c = s[i];
        int h = c >= '0' && c <= '9'   ? c - '0'
                : c >= 'A' && c <= 'F' ? c - 'A' + 10
                : c >= 'a' && c <= 'f' ? c - 'a' + 10
                                       : -1;
        if (h < 0)
            return 0;
        v = v * 16 + (uint64_t)h;
    }
    return (int64_t)v;
}

void dbp_mongo_log_entry(struct dbp_mongo_log *L, const struct dbp_mongo_entry *e)
{
    struct dbp_snapshot *snap = L->snap;
    struct dbp_mongo_op op;
    const char *dot = e->ns ? memchr(e->ns, '.', e->ns_len) : NULL;
    dbp_buf_clear(&L->db);
    dbp_buf_clear(&L->coll);
    if (e->ns) {
        size_t dl = dot ? (size_t)(dot - e->ns) : e->ns_len;
        dbp_buf_append(&L->db, e->ns, dl);
        if (dot)
            dbp_buf_append(&L->coll, dot + 1, e->ns_len - dl - 1);
    }
    /* "db.$cmd": the collection is the command's argument ({"update": "dealers"}) */
    if (e->cmd && (!L->coll.len || strcmp(L->coll.data, "$cmd") == 0)) {
        const struct dbp_mdoc_node *f = dbp_mongo_cmd_coll(e->doc, e->cmd);
        if (f && !f->escaped) {
            dbp_buf_clear(&L->coll);
            dbp_buf_append(&L->coll, f->val, f->val_len);
        }
    }
    dbp_mongo_op_from_command(&op, e->doc, e->cmd, e->orig, e->type, e->type_len);
    op.db = L->db.len ? L->db.data : NULL;
    op.coll = L->coll.len ? L->coll.data : NULL;
    if (op.op && strcmp(op.op, "command") == 0 && e->type && e->type_len &&
        !(e->type_len == 7 && memcmp(e->type, "command", 7) == 0)) {
        /* a legacy operation without a document: its type */
        op.op = dbp_arena_strndup(snap->arena, e->type, e->type_len);
    }
    if (!e->cmd && e->type && !(e->type_len == 7 && memcmp(e->type, "command", 7) == 0)) {
        /* no document (unreadable, or none logged): the operation and the collection */
        dbp_buf_clear(&L->shape);
        dbp_buf_append(&L->shape, e->type, e->type_len);
        dbp_buf_putc(&L->shape, ' ');
        dbp_buf_puts(&L->shape, op.coll ? op.coll : "?");
    } else {
        dbp_mongo_shape(&op, &L->shape);
    }
    struct dbp_stmt *st = dbp_snapshot_stmt(snap, DBP_ENGINE_MONGODB, op.db,
                                            L->shape.data ? L->shape.data : "", L->shape.len);
    st->source = DBP_SRC_LOG;
    if (e->query_hash && !st->engine_id_text) {
        st->engine_id_text = dbp_arena_strndup(snap->arena, e->query_hash, e->query_hash_len);
        st->engine_id = hex_id(e->query_hash, e->query_hash_len);
    }
    double ms = e->x.ms;
    bool slowest = !st->example || ms > st->example_ms;
    if (slowest && e->x.plan_summary) {
        dbp_buf_clear(&L->origin);
        dbp_buf_printf(&L->origin, "%s:%llu", L->name, (unsigned long long)L->lineno);
        op.db = st->database;
        op.coll = op.coll ? dbp_arena_strdup(snap->arena, op.coll) : NULL;
        struct dbp_plan *p =
            dbp_mongo_plan_from_summary(snap, &op, &e->x, L->format, L->origin.data);
        if (p) {
            p->stmt = st;
            dbp_snapshot_add_plan(snap, p);
        }
    }
    int64_t rows = count_of(e->x.nreturned);
    int64_t examined = count_of(e->x.docs_examined);
    dbp_agg_add(&st->agg, ms, examined, rows, e->ts_us);
    if (e->cmd && e->cmd->val)
        dbp_stmt_offer_example(snap, st, e->cmd->val, e->cmd->val_len, ms);
    else
        dbp_stmt_offer_example(snap, st, st->text, strlen(st->text), ms);
    if (e->session) {
        struct dbp_session_event ev = {
            .session = e->session,
            .session_len = e->session_len,
            .ts_us = e->ts_us,
            .stmt = st,
            .duration_ms = ms,
            .rows = rows,
        };
        dbp_snapshot_session_event(snap, &ev);
    }
    L->src->entries++;
    L->bad_run = false;
}

void dbp_mongo_log_bad(struct dbp_mongo_log *L, const char *fmt, ...)
{
    L->src->skipped++;
    if (L->bad_run)
        return;
    L->bad_run = true;
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    dbp_snapshot_diag(L->snap, "%s:%llu: %s", L->name, (unsigned long long)L->lineno, msg);
    if (L->first.code == DBP_OK)
        dbp_error_set(&L->first, DBP_ERR_FORMAT, "%s:%llu: %s", L->name,
                      (unsigned long long)L->lineno, msg);
}

void dbp_mongo_prune_plans(struct dbp_snapshot *snap, size_t first)
{
    size_t k = first;
    for (size_t i = first; i < snap->plans.n; i++) {
        struct dbp_plan *p = snap->plans.items[i];
        if (p->stmt && p->stmt->plan != p)
            continue;
        snap->plans.items[k++] = p;
    }
    snap->plans.n = k;
}

int dbp_mongo_log_run(struct dbp_reader *r, struct dbp_snapshot *snap, struct dbp_source *src,
                      const char *format, dbp_mongo_line_fn fn, struct dbp_error *err)
{
    struct dbp_mongo_log L;
    memset(&L, 0, sizeof L);
    L.snap = snap;
    L.src = src;
    L.name = dbp_reader_name(r);
    L.format = format;
    L.first_plan = snap->plans.n;
    src->engine = DBP_ENGINE_MONGODB;
    int status = DBP_OK;
    for (;;) {
        const char *s;
        size_t n;
        struct dbp_error rerr = {0};
        int rc = dbp_reader_line(r, &s, &n, &rerr);
        if (rc == 0)
            break;
        L.lineno = dbp_reader_lineno(r);
        if (rc == -DBP_ERR_FORMAT) {
            src->skipped++;
            dbp_snapshot_diag(snap, "%s", rerr.message);
            if (L.first.code == DBP_OK)
                L.first = rerr;
            continue;
        }
        if (rc < 0) {
            dbp_snapshot_diag(snap, "%s", rerr.message);
            if (err)
                *err = rerr;
            status = DBP_ERR_IO;
            break;
        }
        if (n && s[n - 1] == '\r')
            n--;
        if (!n)
            continue;
        fn(&L, s, n);
    }
    dbp_snapshot_sessions_flush(snap);
    dbp_mongo_prune_plans(snap, L.first_plan);
    src->bytes = dbp_reader_bytes(r);
    if (status == DBP_OK && L.first.code != DBP_OK) {
        status = DBP_ERR_FORMAT;
        if (err)
            *err = L.first;
    }
    dbp_mdoc_free(&L.doc);
    dbp_buf_free(&L.shape);
    dbp_buf_free(&L.db);
    dbp_buf_free(&L.coll);
    dbp_buf_free(&L.origin);
    dbp_buf_free(&L.unq);
    return status;
}
