/*
 * live_collect.c -- what the live MySQL/MariaDB collector reads: statement
 * classes from performance_schema digests, index definitions (with the ones
 * foreign keys need), index usage (performance_schema, MariaDB userstat),
 * index sizes and tables.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <mysql.h>

#include <dbperf/arena.h>
#include <dbperf/buf.h>
#include <dbperf/error.h>

#include "live_int.h"
#include "my_int.h"

/* at most this many digests are read, by total time */
#define MAX_DIGESTS 2000

/*
 * dbp_my_query for a part the collection can do without: a server error
 * (missing privilege, unknown table on an older server) becomes a diagnostic
 * saying what is then unknown, *res NULL and DBP_OK; a lost connection is
 * returned as the error it is.
 */
static int soft_query(struct dbp_my_live *c, struct dbp_snapshot *snap, const char *file,
                      const struct dbp_my_bind *binds, size_t n_binds, MYSQL_RES **res,
                      const char *unknown, struct dbp_error *err)
{
    struct dbp_error e2 = {0};
    int rc = dbp_my_query(c, file, binds, n_binds, res, &e2);
    if (rc == DBP_OK)
        return DBP_OK;
    if (rc == DBP_ERR_SERVER && !dbp_my_conn_lost(c)) {
        dbp_snapshot_diag(snap, "%s; %s unknown", e2.message, unknown);
        *res = NULL;
        return DBP_OK;
    }
    if (err)
        *err = e2;
    return rc;
}

/* ---- statement classes ------------------------------------------------ */

/*
 * Worth an EXPLAIN: a SELECT (or UPDATE/DELETE) that reads a table, and not
 * a catalog query (ours among them) whose plan says nothing about the
 * application.
 */
static bool explainable(const char *text)
{
    while (*text == ' ' || *text == '(')
        text++;
    if (strncasecmp(text, "SELECT", 6) != 0 && strncasecmp(text, "WITH", 4) != 0 &&
        strncasecmp(text, "UPDATE", 6) != 0 && strncasecmp(text, "DELETE", 6) != 0)
        return false;
    if (strncasecmp(text, "SELECT", 6) == 0 && !strcasestr(text, "FROM"))
        return false; /* SELECT @@var, SELECT 1 */
    static const char *const catalogs[] = {
        "performance_schema", "information_schema", "`mysql` .", "`sys` .", "mysql.", "sys."};
    for (size_t i = 0; i < sizeof catalogs / sizeof catalogs[0]; i++)
        if (strcasestr(text, catalogs[i]))
            return false;
    return true;
}

static int64_t hex64(const char *s)
{
    uint64_t v = 0;
    for (int i = 0; i < 16 && s[i]; i++) {
        int ch = s[i], d;
        if (ch >= '0' && ch <= '9')
            d = ch - '0';
        else if (ch >= 'a' && ch <= 'f')
            d = ch - 'a' + 10;
        else if (ch >= 'A' && ch <= 'F')
            d = ch - 'A' + 10;
        else
            return 0;
        v = v << 4 | (uint64_t)d;
    }
    return (int64_t)v;
}

int dbp_my_collect_digests(struct dbp_my_live *c, struct dbp_snapshot *snap, struct dbp_source *src,
                           struct dbp_error *err)
{
    char limit[16];
    snprintf(limit, sizeof limit, "%d", MAX_DIGESTS);
    struct dbp_my_bind b[] = {{"schema", c->schema, DBP_MY_BIND_STR},
                              {"limit", limit, DBP_MY_BIND_RAW}};
    MYSQL_RES *r = NULL;
    int rc = soft_query(c, snap, "digests.sql", b, 2, &r, "statement statistics", err);
    if (rc != DBP_OK || !r)
        return rc;
    free(c->digests);
    c->digests = NULL;
    c->n_digests = 0;
    size_t cap = (size_t)c->top_n * 4 + 16, n_rows = 0;
    c->digests = dbp_xcalloc(cap, sizeof *c->digests);
    MYSQL_ROW row;
    while (r && (row = mysql_fetch_row(r)) != NULL) {
        unsigned long *lens = mysql_fetch_lengths(r);
        n_rows++;
        if (!row[1] || !row[2] || lens[2] == 0)
            continue;
        size_t before = snap->stmts.n;
        struct dbp_stmt *st =
            dbp_snapshot_stmt(snap, DBP_ENGINE_MYSQL, row[0], row[2], (size_t)lens[2]);
        if (snap->stmts.n != before) { /* a new class: its numbers are performance_schema's */
            st->source = DBP_SRC_PERFSCHEMA;
            st->engine_id_text = dbp_arena_strdup(snap->arena, row[1]);
            st->engine_id = hex64(row[1]);
        }
        struct dbp_agg *a = &st->agg;
        uint64_t calls = dbp_my_u64(row[3]);
        double total_ms = dbp_my_f64(row[4]) / 1e9; /* picoseconds */
        double min_ms = dbp_my_f64(row[5]) / 1e9;
        double max_ms = dbp_my_f64(row[6]) / 1e9;
        a->calls += calls;
        if (total_ms >= 0)
            a->total_ms += total_ms;
        if (calls > 0 && min_ms >= 0 && !(a->min_ms <= min_ms))
            a->min_ms = min_ms;
        if (calls > 0 && max_ms >= 0 && !(a->max_ms >= max_ms))
            a->max_ms = max_ms;
        a->rows_examined += dbp_my_u64(row[7]);
        a->rows_returned += dbp_my_u64(row[8]);
        a->flags |= DBP_AGG_ROWS_EXAMINED | DBP_AGG_ROWS_RETURNED;
        double first_s = dbp_my_f64(row[11]), last_s = dbp_my_f64(row[12]);
        if (first_s > 0) {
            int64_t us = (int64_t)llround(first_s * 1e6);
            if (a->first_seen_us == 0 || us < a->first_seen_us)
                a->first_seen_us = us;
        }
        if (last_s > 0) {
            int64_t us = (int64_t)llround(last_s * 1e6);
            if (us > a->last_seen_us)
                a->last_seen_us = us;
        }
        src->entries++;
        /* candidates for EXPLAIN, in order of total time */
        if (c->n_digests < cap && explainable(st->text)) {
            struct dbp_my_digest *d = &c->digests[c->n_digests++];
            d->stmt = st;
            snprintf(d->digest, sizeof d->digest, "%s", row[1]);
            d->no_index_used = dbp_my_u64(row[9]);
            d->no_good_index = dbp_my_u64(row[10]);
            d->calls = calls;
        }
    }
    mysql_free_result(r);
    if (n_rows >= MAX_DIGESTS)
        dbp_snapshot_diag(snap,
                          "%s: only the %d statement classes with the most total time were read",
                          c->shown, MAX_DIGESTS);
    return DBP_OK;
}

/* ---- indexes ---------------------------------------------------------- */

struct idx {
    struct dbp_index *ix;
    const char **plain; /* key columns without prefix/DESC; NULL for a prefix or expression */
};

static int idx_cmp3(const char *s1, const char *t1, const char *n1, const char *s2, const char *t2,
                    const char *n2)
{
    int d = strcmp(s1 ? s1 : "", s2 ? s2 : "");
    if (d)
        return d;
    d = strcmp(t1 ? t1 : "", t2 ? t2 : "");
    if (d)
        return d;
    return strcasecmp(n1 ? n1 : "", n2 ? n2 : ""); /* index names ignore case */
}

static int idx_sort(const void *a, const void *b)
{
    const struct idx *x = a, *y = b;
    return idx_cmp3(x->ix->database, x->ix->table, x->ix->name, y->ix->database, y->ix->table,
                    y->ix->name);
}

static struct idx *idx_find(struct idx *v, size_t n, const char *schema, const char *table,
                            const char *name)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int d =
            idx_cmp3(schema, table, name, v[mid].ix->database, v[mid].ix->table, v[mid].ix->name);
        if (d == 0)
            return &v[mid];
        if (d < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return NULL;
}

/* The first index of (schema, table) in the sorted array; n if none. */
static size_t idx_first_of_table(struct idx *v, size_t n, const char *schema, const char *table)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int d = strcmp(v[mid].ix->database, schema);
        if (d == 0)
            d = strcmp(v[mid].ix->table, table);
        if (d < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < n && strcmp(v[lo].ix->database, schema) == 0 && strcmp(v[lo].ix->table, table) == 0)
        return lo;
    return n;
}

/* Append `name` quoted with backquotes to b. */
static void put_ident(struct dbp_buf *b, const char *name)
{
    dbp_buf_putc(b, '`');
    for (const char *p = name; *p; p++) {
        if (*p == '`')
            dbp_buf_putc(b, '`');
        dbp_buf_putc(b, *p);
    }
    dbp_buf_putc(b, '`');
}

/* One index being assembled from its STATISTICS rows. */
struct build {
    struct dbp_index *ix;
    struct dbp_buf def_cols; /* `a`, `b`(10) DESC */
    const char **cols;
    const char **plain;
    size_t n, cap;
};

static void build_finish(struct dbp_snapshot *snap, struct build *b, struct idx **v, size_t *nv,
                         size_t *capv)
{
    if (!b->ix)
        return;
    struct dbp_index *ix = b->ix;
    ix->columns = dbp_arena_alloc(snap->arena, (b->n ? b->n : 1) * sizeof *ix->columns);
    const char **plain = dbp_arena_alloc(snap->arena, (b->n ? b->n : 1) * sizeof *plain);
    for (size_t i = 0; i < b->n; i++) {
        ix->columns[i] = b->cols[i];
        plain[i] = b->plain[i];
    }
    ix->n_columns = b->n;
    struct dbp_buf d = {0};
    if (ix->flags & DBP_IDX_PRIMARY) {
        dbp_buf_puts(&d, "ALTER TABLE ");
        put_ident(&d, ix->database);
        dbp_buf_putc(&d, '.');
        put_ident(&d, ix->table);
        dbp_buf_puts(&d, " ADD PRIMARY KEY (");
    } else {
        dbp_buf_puts(&d, "CREATE ");
        if (ix->flags & DBP_IDX_UNIQUE)
            dbp_buf_puts(&d, "UNIQUE ");
        else if (ix->method && strcasecmp(ix->method, "FULLTEXT") == 0)
            dbp_buf_puts(&d, "FULLTEXT ");
        else if (ix->method && strcasecmp(ix->method, "SPATIAL") == 0)
            dbp_buf_puts(&d, "SPATIAL ");
        dbp_buf_puts(&d, "INDEX ");
        put_ident(&d, ix->name);
        dbp_buf_puts(&d, " ON ");
        put_ident(&d, ix->database);
        dbp_buf_putc(&d, '.');
        put_ident(&d, ix->table);
        dbp_buf_puts(&d, " (");
    }
    dbp_buf_append(&d, b->def_cols.data ? b->def_cols.data : "", b->def_cols.len);
    dbp_buf_putc(&d, ')');
    if (ix->method && (strcasecmp(ix->method, "HASH") == 0))
        dbp_buf_puts(&d, " USING HASH");
    ix->definition = dbp_arena_strndup(snap->arena, d.data, d.len);
    dbp_buf_free(&d);

    if (*nv == *capv) {
        *capv = *capv ? *capv * 2 : 64;
        *v = dbp_xrealloc(*v, *capv * sizeof **v);
    }
    (*v)[(*nv)++] = (struct idx){ix, plain};
    dbp_buf_free(&b->def_cols);
    free(b->cols);
    free(b->plain);
    memset(b, 0, sizeof *b);
}

/*
 * Flag the one index a foreign key needs on (schema, table) for cols: among
 * the indexes whose leading columns are cols in order, the primary key, else
 * a unique one, else the longest (then first by name). Dropping every other
 * index leaves the key served, and the flagged one is never the left prefix of
 * another: the duplicate-index rule may then drop the shorter ones without
 * contradicting the foreign key.
 */
static void mark_fk(struct idx *v, size_t nv, const char *schema, const char *table,
                    const char **cols, size_t n)
{
    if (!schema || !table || n == 0)
        return;
    struct idx *best = NULL;
    for (size_t i = idx_first_of_table(v, nv, schema, table);
         i < nv && strcmp(v[i].ix->database, schema) == 0 && strcmp(v[i].ix->table, table) == 0;
         i++) {
        struct dbp_index *ix = v[i].ix;
        if (ix->n_columns < n)
            continue;
        size_t k;
        for (k = 0; k < n; k++)
            if (!v[i].plain[k] || !cols[k] || strcasecmp(v[i].plain[k], cols[k]) != 0)
                break;
        if (k < n)
            continue;
        if (!best) {
            best = &v[i];
            continue;
        }
        unsigned rank_new = ix->flags & DBP_IDX_PRIMARY ? 0 : ix->flags & DBP_IDX_UNIQUE ? 1 : 2;
        unsigned rank_old = best->ix->flags & DBP_IDX_PRIMARY  ? 0
                            : best->ix->flags & DBP_IDX_UNIQUE ? 1
                                                               : 2;
        if (rank_new < rank_old || (rank_new == rank_old && ix->n_columns > best->ix->n_columns))
            best = &v[i];
    }
    if (best)
        best->ix->flags |= DBP_IDX_FOREIGN_KEY;
}

static int read_foreign_keys(struct dbp_my_live *c, struct dbp_snapshot *snap, struct idx *v,
                             size_t nv, struct dbp_error *err)
{
    struct dbp_my_bind b[] = {{"schema", c->schema, DBP_MY_BIND_STR}};
    MYSQL_RES *r = NULL;
    int rc =
        soft_query(c, snap, "foreign_keys.sql", b, 1, &r, "which indexes foreign keys need", err);
    if (rc != DBP_OK || !r)
        return rc;
    /* rows come grouped by (schema, table, constraint) in key order */
    MYSQL_ROW row;
    char *key = NULL;
    const char **child = NULL, **parent = NULL;
    char *cs = NULL, *ct = NULL, *ps = NULL, *pt = NULL;
    size_t n = 0, cap = 0;
    for (;;) {
        row = r ? mysql_fetch_row(r) : NULL;
        char *k = NULL;
        if (row) {
            size_t kl = strlen(row[0] ? row[0] : "") + strlen(row[1] ? row[1] : "") +
                        strlen(row[2] ? row[2] : "") + 3;
            k = dbp_xmalloc(kl);
            snprintf(k, kl, "%s\x01%s\x01%s", row[0] ? row[0] : "", row[1] ? row[1] : "",
                     row[2] ? row[2] : "");
        }
        if (key && (!k || strcmp(k, key) != 0)) {
            mark_fk(v, nv, cs, ct, child, n);
            mark_fk(v, nv, ps, pt, parent, n);
            for (size_t i = 0; i < n; i++) {
                free((char *)child[i]);
                free((char *)parent[i]);
            }
            n = 0;
            free(key);
            free(cs);
            free(ct);
            free(ps);
            free(pt);
            key = cs = ct = ps = pt = NULL;
        }
        if (!row)
            break;
        if (!key) {
            key = k;
            cs = dbp_xstrdup(row[0] ? row[0] : "");
            ct = dbp_xstrdup(row[1] ? row[1] : "");
            ps = dbp_xstrdup(row[4] ? row[4] : "");
            pt = dbp_xstrdup(row[5] ? row[5] : "");
        } else {
            free(k);
        }
        if (n == cap) {
            cap = cap ? cap * 2 : 8;
            child = dbp_xrealloc(child, cap * sizeof *child);
            parent = dbp_xrealloc(parent, cap * sizeof *parent);
        }
        child[n] = row[3] ? dbp_xstrdup(row[3]) : NULL;
        parent[n] = row[6] ? dbp_xstrdup(row[6]) : NULL;
        n++;
    }
    free(child);
    free(parent);
    mysql_free_result(r);
    return DBP_OK;
}

/* One table's rows read without an index, from performance_schema. */
struct scan_row {
    char *schema, *table;
    int64_t rows_fetched;
};

static int scan_cmp(const void *a, const void *b)
{
    const struct scan_row *x = a, *y = b;
    int d = strcmp(x->schema, y->schema);
    return d ? d : strcmp(x->table, y->table);
}

int dbp_my_collect_indexes(struct dbp_my_live *c, struct dbp_snapshot *snap, int64_t since_us,
                           int ps_state, struct dbp_error *err)
{
    bool mysql8 = !c->mariadb && c->version_num >= 80013;
    struct dbp_my_bind b[] = {{"schema", c->schema, DBP_MY_BIND_STR}};
    MYSQL_RES *r = NULL;
    struct idx *v = NULL;
    size_t nv = 0, capv = 0;
    struct scan_row *scans = NULL;
    size_t n_scans = 0, cap_scans = 0;
    int rc = soft_query(c, snap, mysql8 ? "indexes_mysql8.sql" : "indexes.sql", b, 1, &r,
                        "index definitions", err);
    if (rc != DBP_OK)
        return rc;

    /* ---- definitions: rows grouped by (schema, table, index) in key order */
    struct build cur = {0};
    MYSQL_ROW row;
    while (r && (row = mysql_fetch_row(r)) != NULL) {
        if (!row[0] || !row[1] || !row[2])
            continue;
        if (!cur.ix || strcmp(cur.ix->database, row[0]) != 0 ||
            strcmp(cur.ix->table, row[1]) != 0 || strcmp(cur.ix->name, row[2]) != 0) {
            build_finish(snap, &cur, &v, &nv, &capv);
            struct dbp_index *ix = dbp_snapshot_add_index(snap);
            ix->engine = DBP_ENGINE_MYSQL;
            ix->instance = dbp_arena_strdup(snap->arena, c->instance);
            ix->database = dbp_arena_strdup(snap->arena, row[0]);
            ix->table = dbp_arena_strdup(snap->arena, row[1]);
            ix->name = dbp_arena_strdup(snap->arena, row[2]);
            ix->method = dbp_arena_strdup(snap->arena, row[7]);
            ix->counter_since_us = since_us;
            if (strcmp(row[2], "PRIMARY") == 0)
                ix->flags |= DBP_IDX_PRIMARY | DBP_IDX_UNIQUE | DBP_IDX_CONSTRAINT;
            else if (row[3] && strcmp(row[3], "0") == 0)
                ix->flags |= DBP_IDX_UNIQUE | DBP_IDX_CONSTRAINT;
            cur.ix = ix;
        }
        /* one key part */
        const char *col = row[5], *sub = row[6], *coll = row[8], *expr = row[9];
        bool desc = coll && strcmp(coll, "D") == 0;
        char *shown;
        const char *plain = NULL;
        if (cur.def_cols.len)
            dbp_buf_puts(&cur.def_cols, ", ");
        if (col) {
            shown = sub ? dbp_arena_printf(snap->arena, "%s(%s)%s", col, sub, desc ? " DESC" : "")
                        : dbp_arena_printf(snap->arena, "%s%s", col, desc ? " DESC" : "");
            if (!sub)
                plain = dbp_arena_strdup(snap->arena, col);
            put_ident(&cur.def_cols, col);
            if (sub)
                dbp_buf_printf(&cur.def_cols, "(%s)", sub);
        } else {
            const char *e = expr ? expr : "?";
            shown = dbp_arena_printf(snap->arena, "%s%s", e, desc ? " DESC" : "");
            cur.ix->flags |= DBP_IDX_EXPRESSION;
            dbp_buf_printf(&cur.def_cols, "(%s)", e);
        }
        if (desc)
            dbp_buf_puts(&cur.def_cols, " DESC");
        if (cur.n == cur.cap) {
            cur.cap = cur.cap ? cur.cap * 2 : 4;
            cur.cols = dbp_xrealloc(cur.cols, cur.cap * sizeof *cur.cols);
            cur.plain = dbp_xrealloc(cur.plain, cur.cap * sizeof *cur.plain);
        }
        cur.cols[cur.n] = shown;
        cur.plain[cur.n] = plain;
        cur.n++;
    }
    build_finish(snap, &cur, &v, &nv, &capv);
    mysql_free_result(r);
    r = NULL;
    if (nv)
        qsort(v, nv, sizeof *v, idx_sort);

    /* ---- foreign keys */
    rc = read_foreign_keys(c, snap, v, nv, err);
    if (rc != DBP_OK)
        goto out;

    /* ---- usage since the server started: performance_schema */
    if (ps_state >= 1) {
        rc = soft_query(c, snap, "index_usage.sql", b, 1, &r, "index usage", err);
        if (rc != DBP_OK)
            goto out;
        if (!r)
            ps_state = 0;
        while (r && (row = mysql_fetch_row(r)) != NULL) {
            if (!row[0] || !row[1])
                continue;
            if (!row[2]) { /* rows read without an index: full scans */
                if (n_scans == cap_scans) {
                    cap_scans = cap_scans ? cap_scans * 2 : 32;
                    scans = dbp_xrealloc(scans, cap_scans * sizeof *scans);
                }
                scans[n_scans++] = (struct scan_row){dbp_xstrdup(row[0]), dbp_xstrdup(row[1]),
                                                     (int64_t)dbp_my_u64(row[4])};
                continue;
            }
            struct idx *x = idx_find(v, nv, row[0], row[1], row[2]);
            if (!x)
                continue;
            int64_t n = (int64_t)dbp_my_u64(row[3]);
            if (n > x->ix->scans)
                x->ix->scans = n;
        }
        mysql_free_result(r);
        r = NULL;
        /* an index of a table performance_schema never saw was not used since the start */
        if (ps_state == 1)
            for (size_t i = 0; i < nv; i++)
                if (v[i].ix->scans < 0)
                    v[i].ix->scans = 0;
    }

    if (n_scans)
        qsort(scans, n_scans, sizeof *scans, scan_cmp);

    /* ---- MariaDB / Percona user statistics */
    {
        struct dbp_error e2 = {0};
        int lost = 0, on = -1;
        if (dbp_my_query(c, "userstat.sql", NULL, 0, &r, &e2) == DBP_OK) {
            MYSQL_ROW u = r ? mysql_fetch_row(r) : NULL;
            on = u && u[0] && (strcmp(u[0], "1") == 0 || strcasecmp(u[0], "ON") == 0);
        } else {
            lost = dbp_my_conn_lost(c);
        }
        mysql_free_result(r);
        r = NULL;
        if (lost) {
            if (err)
                *err = e2;
            rc = e2.code;
            goto out;
        }
        if (on == 1) {
            rc = soft_query(c, snap, "index_statistics.sql", b, 1, &r, "index usage (userstat)",
                            err);
            if (rc != DBP_OK)
                goto out;
            if (!r)
                on = 0;
            while (r && (row = mysql_fetch_row(r)) != NULL) {
                struct idx *x =
                    row[0] && row[1] && row[2] ? idx_find(v, nv, row[0], row[1], row[2]) : NULL;
                if (!x)
                    continue;
                int64_t n = (int64_t)dbp_my_u64(row[3]);
                if (n > x->ix->scans)
                    x->ix->scans = n;
            }
            mysql_free_result(r);
            r = NULL;
            /* an index userstat never saw read had no reads */
            for (size_t i = 0; on == 1 && i < nv; i++)
                if (v[i].ix->scans < 0)
                    v[i].ix->scans = 0;
        }
    }
    for (size_t i = 0; i < nv; i++)
        if (v[i].ix->scans < 0)
            v[i].ix->counter_since_us = 0;

    /* ---- sizes (InnoDB persistent statistics; needs SELECT on mysql.innodb_index_stats) */
    rc = soft_query(c, snap, "index_sizes.sql", b, 1, &r, "index sizes", err);
    if (rc != DBP_OK)
        goto out;
    while (r && (row = mysql_fetch_row(r)) != NULL) {
        struct idx *x = row[0] && row[1] && row[2] ? idx_find(v, nv, row[0], row[1], row[2]) : NULL;
        if (x && row[3])
            x->ix->size_bytes = (int64_t)dbp_my_f64(row[3]);
    }
    mysql_free_result(r);
    r = NULL;

    /* ---- tables */
    rc = soft_query(c, snap, "tables.sql", b, 1, &r, "table sizes", err);
    if (rc != DBP_OK)
        goto out;
    while (r && (row = mysql_fetch_row(r)) != NULL) {
        if (!row[0] || !row[1])
            continue;
        struct dbp_table *t = dbp_snapshot_add_table(snap);
        t->engine = DBP_ENGINE_MYSQL;
        t->instance = dbp_arena_strdup(snap->arena, c->instance);
        t->database = dbp_arena_strdup(snap->arena, row[0]);
        t->name = dbp_arena_strdup(snap->arena, row[1]);
        t->rows = row[2] ? dbp_my_i64(row[2]) : -1;
        t->size_bytes = row[3] ? (int64_t)dbp_my_f64(row[3]) : -1;
        if (row[4] && strcasestr(row[4], "partitioned"))
            t->flags |= DBP_TBL_PARTITIONED;
        struct scan_row key = {row[0], row[1], 0};
        const struct scan_row *sr =
            n_scans ? bsearch(&key, scans, n_scans, sizeof *scans, scan_cmp) : NULL;
        if (sr)
            t->seq_rows_read = sr->rows_fetched;
        if (t->seq_rows_read < 0 && ps_state == 1)
            t->seq_rows_read = 0;
    }
    rc = DBP_OK;
out:
    mysql_free_result(r);
    for (size_t i = 0; i < n_scans; i++) {
        free(scans[i].schema);
        free(scans[i].table);
    }
    free(scans);
    free(v);
    return rc;
}
