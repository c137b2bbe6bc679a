/*
 * report_json.c -- the JSON report, written through the emitter.
 *
 * The document follows docs/report.schema.json (version DBP_REPORT_VERSION);
 * docs/report-format.md describes every field. Unknown values are null:
 * NaN measures, -1 counts, 0 timestamps, rows whose DBP_AGG_ROWS_* flag is
 * not set. Literals are masked unless o->show_literals: statements carry
 * their normalized text, "example" is null, and plan conditions have their
 * constants replaced by $n.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include <dbperf/buf.h>
#include <dbperf/error.h>
#include <dbperf/model.h>
#include <dbperf/report.h>

#include "report_int.h"

/* Plan trees deeper than this are cut (children_omitted says how many were left out). */
#define PLAN_MAX_DEPTH 100

static void prop_time(struct dbp_emit *w, const char *name, int64_t us)
{
    if (!us) {
        dbp_emit_prop_null(w, name);
        return;
    }
    char t[32];
    dbp_report_iso8601(us, t);
    dbp_emit_prop_text(w, name, t);
}

static void prop_fpid(struct dbp_emit *w, const char *name, uint64_t fpid)
{
    if (!fpid) {
        dbp_emit_prop_null(w, name);
        return;
    }
    char hex[17];
    dbp_report_fpid_hex(fpid, hex);
    dbp_emit_prop_text(w, name, hex);
}

static const char *status_token(int status)
{
    static const char *const names[] = {"ok",      "usage",   "io",          "format",  "unknown-format",
                                        "connect", "server",  "unsupported", "internal"};
    return status >= 0 && (size_t)status < sizeof names / sizeof names[0] ? names[status]
                                                                           : "internal";
}

static void emit_preds(struct dbp_emit *w, const char *name, const struct dbp_pred *p, size_t n)
{
    static const char *const ops[] = {"eq", "in", "range", "other"};
    dbp_emit_open_group(w, name, true);
    for (size_t i = 0; i < n; i++) {
        dbp_emit_open_group(w, NULL, false);
        dbp_emit_prop_text(w, "column", p[i].column);
        dbp_emit_prop_text(w, "op", (unsigned)p[i].op < 4 ? ops[p[i].op] : "other");
        dbp_emit_close_group(w);
    }
    dbp_emit_close_group(w);
}

static void emit_node(struct dbp_emit *w, const struct dbp_plan_node *n, int depth,
                      enum dbp_engine engine, const struct dbp_report_opts *o,
                      struct dbp_buf *tmp)
{
    dbp_emit_open_group(w, "root", false);
    dbp_emit_prop_text(w, "kind", dbp_node_kind_name(n->kind));
    dbp_emit_prop_text(w, "engine_name", n->engine_name);
    dbp_emit_prop_text(w, "relation", n->relation);
    dbp_emit_prop_text(w, "schema", n->schema);
    dbp_emit_prop_text(w, "alias", n->alias);
    dbp_emit_prop_text(w, "index", n->index);
    dbp_emit_prop_text(w, "condition", dbp_report_mask(n->condition, engine, o->show_literals, tmp));
    emit_preds(w, "preds", n->preds, n->n_preds);
    emit_preds(w, "index_preds", n->index_preds, n->n_index_preds);
    if (n->n_observed_preds) { /* only where a driver saw them: older reports stay as they were */
        emit_preds(w, "observed_preds", n->observed_preds, n->n_observed_preds);
        dbp_emit_prop_text(w, "observed_from", n->observed_from);
    }
    dbp_emit_open_group(w, "sort_keys", true);
    for (size_t i = 0; i < n->n_sort_keys; i++) {
        dbp_emit_open_group(w, NULL, false);
        dbp_emit_prop_text(w, "column", n->sort_keys[i].column);
        dbp_emit_prop_bool(w, "desc", n->sort_keys[i].desc);
        dbp_emit_close_group(w);
    }
    dbp_emit_close_group(w);
    dbp_emit_prop_num(w, "est_rows", n->est_rows);
    dbp_emit_prop_num(w, "act_rows", n->act_rows);
    dbp_emit_prop_num(w, "loops", n->loops);
    dbp_emit_prop_num(w, "startup_cost", n->startup_cost);
    dbp_emit_prop_num(w, "total_cost", n->total_cost);
    dbp_emit_prop_num(w, "actual_ms", n->actual_ms);
    dbp_emit_prop_num(w, "rows_examined", n->rows_examined);
    dbp_emit_open_group(w, "children", true);
    if (depth < PLAN_MAX_DEPTH)
        for (size_t i = 0; i < n->n_children; i++)
            if (n->children[i])
                emit_node(w, n->children[i], depth + 1, engine, o, tmp);
    dbp_emit_close_group(w);
    if (depth >= PLAN_MAX_DEPTH && n->n_children)
        dbp_emit_prop_uint(w, "children_omitted", n->n_children);
    dbp_emit_close_group(w);
}

static void emit_plan(struct dbp_emit *w, const char *name, const struct dbp_plan *p,
                      const struct dbp_report_opts *o, struct dbp_buf *tmp)
{
    if (!p) {
        dbp_emit_prop_null(w, name);
        return;
    }
    dbp_emit_open_group(w, name, false);
    prop_fpid(w, "fingerprint", p->stmt ? p->stmt->fpid : 0);
    dbp_emit_prop_text(w, "engine", dbp_engine_name(p->engine));
    dbp_emit_prop_text(w, "format", p->format);
    dbp_emit_prop_text(w, "origin", p->origin);
    dbp_emit_prop_bool(w, "analyzed", p->analyzed);
    dbp_emit_prop_num(w, "planning_ms", p->planning_ms);
    dbp_emit_prop_num(w, "execution_ms", p->execution_ms);
    if (p->root)
        emit_node(w, p->root, 0, p->engine, o, tmp);
    else
        dbp_emit_prop_null(w, "root");
    dbp_emit_close_group(w);
}

static void emit_stmt(struct dbp_emit *w, const struct dbp_stmt *st,
                      const struct dbp_report_opts *o, struct dbp_buf *tmp)
{
    const struct dbp_agg *a = &st->agg;
    dbp_emit_open_group(w, NULL, false);
    char hex[17];
    dbp_report_fpid_hex(st->fpid, hex);
    dbp_emit_prop_text(w, "fingerprint", hex);
    dbp_emit_prop_text(w, "engine", dbp_engine_name(st->engine));
    dbp_emit_prop_text(w, "database", st->database);
    dbp_emit_prop_text(w, "user", st->user);
    dbp_emit_prop_text(w, "source", dbp_stmt_source_name(st->source));
    dbp_emit_prop_text(w, "text", st->text ? st->text : "");
    dbp_emit_prop_text(w, "example", o->show_literals ? st->example : NULL);
    dbp_emit_prop_num(w, "example_ms", o->show_literals && st->example ? st->example_ms : NAN);
    dbp_emit_prop_uint(w, "calls", a->calls);
    dbp_emit_prop_num(w, "total_ms", a->calls ? a->total_ms : NAN);
    dbp_emit_prop_num(w, "mean_ms", dbp_agg_mean_ms(a));
    dbp_emit_prop_num(w, "min_ms", a->min_ms);
    dbp_emit_prop_num(w, "max_ms", a->max_ms);
    dbp_emit_prop_num(w, "p50_ms", dbp_agg_quantile_ms(a, 0.5));
    dbp_emit_prop_num(w, "p95_ms", dbp_agg_quantile_ms(a, 0.95));
    dbp_emit_prop_num(w, "p99_ms", dbp_agg_quantile_ms(a, 0.99));
    if (a->flags & DBP_AGG_ROWS_EXAMINED)
        dbp_emit_prop_uint(w, "rows_examined", a->rows_examined);
    else
        dbp_emit_prop_null(w, "rows_examined");
    if (a->flags & DBP_AGG_ROWS_RETURNED)
        dbp_emit_prop_uint(w, "rows_returned", a->rows_returned);
    else
        dbp_emit_prop_null(w, "rows_returned");
    prop_time(w, "first_seen", a->first_seen_us);
    prop_time(w, "last_seen", a->last_seen_us);
    if (st->engine_id) {
        char id[32];
        snprintf(id, sizeof id, "%lld", (long long)st->engine_id);
        dbp_emit_prop_text(w, "engine_id", id);
    } else {
        dbp_emit_prop_null(w, "engine_id");
    }
    dbp_emit_prop_text(w, "engine_id_text", st->engine_id_text);
    emit_plan(w, "plan", st->plan, o, tmp);
    dbp_emit_close_group(w);
}

static void emit_index(struct dbp_emit *w, const char *name, const struct dbp_index *ix)
{
    dbp_emit_open_group(w, name, false);
    dbp_emit_prop_text(w, "engine", dbp_engine_name(ix->engine));
    dbp_emit_prop_text(w, "instance", ix->instance);
    dbp_emit_prop_text(w, "cluster", ix->cluster);
    dbp_emit_prop_text(w, "database", ix->database);
    dbp_emit_prop_text(w, "schema", ix->schema);
    dbp_emit_prop_text(w, "table", ix->table);
    dbp_emit_prop_text(w, "name", ix->name);
    dbp_emit_open_group(w, "columns", true);
    for (size_t i = 0; i < ix->n_columns; i++)
        dbp_emit_prop_text(w, NULL, ix->columns[i] ? ix->columns[i] : "");
    dbp_emit_close_group(w);
    dbp_emit_prop_text(w, "method", ix->method);
    dbp_emit_prop_text(w, "definition", ix->definition);
    dbp_emit_prop_text(w, "predicate", ix->predicate);
    dbp_emit_open_group(w, "flags", true);
    for (unsigned b = 0; b < DBP_REPORT_INDEX_FLAG_BITS; b++)
        if (ix->flags & (1u << b))
            dbp_emit_prop_text(w, NULL, dbp_report_index_flag_name(b));
    dbp_emit_close_group(w);
    dbp_emit_prop_int(w, "size_bytes", ix->size_bytes);
    dbp_emit_prop_int(w, "scans", ix->scans);
    prop_time(w, "counters_since", ix->counter_since_us);
    dbp_emit_close_group(w);
}

static void emit_finding(struct dbp_emit *w, const struct dbp_finding *f)
{
    dbp_emit_open_group(w, NULL, false);
    dbp_emit_prop_text(w, "rule", f->rule);
    dbp_emit_prop_text(w, "severity", dbp_severity_name(f->severity));
    dbp_emit_prop_text(w, "engine", dbp_engine_name(f->engine));
    dbp_emit_prop_text(w, "object", f->object);
    dbp_emit_prop_text(w, "message", f->message);
    dbp_emit_open_group(w, "evidence", true);
    for (size_t i = 0; i < f->n_evidence; i++) {
        const struct dbp_evidence *e = &f->evidence[i];
        dbp_emit_open_group(w, NULL, false);
        dbp_emit_prop_text(w, "key", e->key ? e->key : "");
        if (e->text)
            dbp_emit_prop_text(w, "value", e->text);
        else
            dbp_emit_prop_num(w, "value", e->value);
        dbp_emit_close_group(w);
    }
    dbp_emit_close_group(w);
    dbp_emit_prop_text(w, "suggestion", f->suggestion);
    dbp_emit_prop_num(w, "benefit", f->benefit);
    dbp_emit_prop_text(w, "verified", dbp_verification_name(f->verified));
    dbp_emit_prop_text(w, "verify_note", f->verify_note);
    prop_fpid(w, "fingerprint", f->fpid);
    if (f->candidate)
        emit_index(w, "candidate", f->candidate);
    else
        dbp_emit_prop_null(w, "candidate");
    prop_fpid(w, "candidate_fingerprint", f->candidate_stmt ? f->candidate_stmt->fpid : 0);
    dbp_emit_close_group(w);
}

int dbp_report_write_json(struct dbp_buf *out, FILE *sink, const struct dbp_snapshot *snap,
                          const struct dbp_report_opts *o)
{
    struct dbp_emit w;
    struct dbp_buf tmp = {0};
    dbp_emit_init(&w, DBP_EMIT_JSON, out);
    w.sink = sink;
    dbp_emit_open_group(&w, NULL, false);
    dbp_emit_prop_text(&w, "tool", "dbperf");
    dbp_emit_prop_int(&w, "version", DBP_REPORT_VERSION);
    dbp_emit_prop_text(&w, "tool_version", o->tool_version);
    prop_time(&w, "generated_at", dbp_report_now_us(o));
    dbp_emit_prop_bool(&w, "literals_shown", o->show_literals);

    /* totals for CI checks that do not want to walk the arrays */
    uint64_t calls = 0, sev[4] = {0};
    double total_ms = 0;
    for (size_t i = 0; i < snap->stmts.n; i++) {
        const struct dbp_stmt *st = snap->stmts.items[i];
        calls += st->agg.calls;
        total_ms += st->agg.total_ms;
    }
    for (size_t i = 0; i < snap->findings.n; i++) {
        const struct dbp_finding *f = snap->findings.items[i];
        if ((unsigned)f->severity <= DBP_SEV_CRITICAL)
            sev[f->severity]++;
    }
    dbp_emit_open_group(&w, "summary", false);
    dbp_emit_prop_uint(&w, "statements", snap->stmts.n);
    dbp_emit_prop_uint(&w, "calls", calls);
    dbp_emit_prop_num(&w, "total_ms", total_ms);
    dbp_emit_prop_uint(&w, "critical", sev[DBP_SEV_CRITICAL]);
    dbp_emit_prop_uint(&w, "warning", sev[DBP_SEV_WARNING]);
    dbp_emit_prop_uint(&w, "info", sev[DBP_SEV_INFO]);
    dbp_emit_close_group(&w);

    dbp_emit_open_group(&w, "sources", true);
    for (size_t i = 0; i < snap->sources.n; i++) {
        const struct dbp_source *s = snap->sources.items[i];
        dbp_emit_open_group(&w, NULL, false);
        dbp_emit_prop_text(&w, "name", s->name);
        dbp_emit_prop_text(&w, "type", s->type);
        dbp_emit_prop_text(&w, "engine", dbp_engine_name(s->engine));
        dbp_emit_prop_text(&w, "server_version", s->server_version);
        prop_time(&w, "counters_since", s->counters_since_us);
        dbp_emit_prop_uint(&w, "bytes", s->bytes);
        dbp_emit_prop_uint(&w, "entries", s->entries);
        dbp_emit_prop_uint(&w, "skipped", s->skipped);
        dbp_emit_prop_text(&w, "status", status_token(s->status));
        dbp_emit_prop_text(&w, "error", s->error);
        dbp_emit_close_group(&w);
    }
    dbp_emit_close_group(&w);

    size_t n_top;
    const struct dbp_stmt **top = dbp_report_top_stmts(snap, o, &n_top);
    dbp_emit_prop_uint(&w, "statements_total", snap->stmts.n);
    dbp_emit_open_group(&w, "statements", true);
    for (size_t i = 0; i < n_top; i++)
        emit_stmt(&w, top[i], o, &tmp);
    dbp_emit_close_group(&w);
    free(top);

    dbp_emit_open_group(&w, "plans", true);
    for (size_t i = 0; i < snap->plans.n; i++) {
        const struct dbp_plan *p = snap->plans.items[i];
        if (!p->stmt)
            emit_plan(&w, NULL, p, o, &tmp);
    }
    dbp_emit_close_group(&w);

    dbp_emit_open_group(&w, "findings", true);
    for (size_t i = 0; i < snap->findings.n; i++)
        emit_finding(&w, snap->findings.items[i]);
    dbp_emit_close_group(&w);

    dbp_emit_open_group(&w, "indexes", true);
    for (size_t i = 0; i < snap->indexes.n; i++)
        emit_index(&w, NULL, snap->indexes.items[i]);
    dbp_emit_close_group(&w);

    dbp_emit_open_group(&w, "tables", true);
    for (size_t i = 0; i < snap->tables.n; i++) {
        const struct dbp_table *t = snap->tables.items[i];
        dbp_emit_open_group(&w, NULL, false);
        dbp_emit_prop_text(&w, "engine", dbp_engine_name(t->engine));
        dbp_emit_prop_text(&w, "instance", t->instance);
        dbp_emit_prop_text(&w, "database", t->database);
        dbp_emit_prop_text(&w, "schema", t->schema);
        dbp_emit_prop_text(&w, "name", t->name);
        dbp_emit_prop_bool(&w, "partitioned", (t->flags & DBP_TBL_PARTITIONED) != 0);
        dbp_emit_prop_int(&w, "rows", t->rows);
        dbp_emit_prop_int(&w, "size_bytes", t->size_bytes);
        dbp_emit_prop_int(&w, "seq_scans", t->seq_scans);
        dbp_emit_prop_int(&w, "seq_rows_read", t->seq_rows_read);
        dbp_emit_prop_int(&w, "idx_scans", t->idx_scans);
        dbp_emit_close_group(&w);
    }
    dbp_emit_close_group(&w);

    dbp_emit_open_group(&w, "bursts", true);
    for (size_t i = 0; i < snap->bursts.n; i++) {
        const struct dbp_burst *b = snap->bursts.items[i];
        dbp_emit_open_group(&w, NULL, false);
        prop_fpid(&w, "parent", b->parent ? b->parent->fpid : 0);
        prop_fpid(&w, "child", b->child ? b->child->fpid : 0);
        dbp_emit_prop_text(&w, "parent_text", b->parent ? b->parent->text : NULL);
        dbp_emit_prop_text(&w, "child_text", b->child ? b->child->text : NULL);
        dbp_emit_prop_uint(&w, "runs", b->runs);
        dbp_emit_prop_uint(&w, "calls", b->calls);
        dbp_emit_prop_uint(&w, "max_run", b->max_run);
        dbp_emit_prop_num(&w, "total_ms", b->total_ms);
        dbp_emit_prop_num(&w, "max_call_ms", b->max_call_ms);
        dbp_emit_prop_int(&w, "max_rows", b->max_rows);
        dbp_emit_prop_text(&w, "example_session", b->example_session);
        prop_time(&w, "example_start", b->example_ts_us);
        dbp_emit_close_group(&w);
    }
    dbp_emit_close_group(&w);

    dbp_emit_prop_uint(&w, "diagnostics_total", snap->n_diags);
    dbp_emit_open_group(&w, "diagnostics", true);
    for (size_t i = 0; i < snap->diags.n; i++)
        dbp_emit_prop_text(&w, NULL, snap->diags.items[i]);
    dbp_emit_close_group(&w);

    dbp_emit_close_group(&w);
    dbp_buf_free(&tmp);
    return w.sink_failed ? DBP_ERR_IO : DBP_OK;
}
