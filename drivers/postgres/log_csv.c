/*
 * log_csv.c -- the postgres-csv format: PostgreSQL's csvlog.
 *
 * One record per log message: log_time, user_name, database_name,
 * process_id, connection_from, session_id, session_line_num, command_tag,
 * session_start_time, virtual_transaction_id, transaction_id,
 * error_severity, sql_state_code, message, detail, ... (later columns vary
 * by version and are not needed). A quoted field may hold newlines, so a
 * record can span lines: quote parity tells when it ends. Fields are split
 * in place by a small quote-aware splitter; only the fields used are
 * unescaped ("" -> "), and only when they hold an escape.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <dbperf/arena.h>
#include <dbperf/buf.h>
#include <dbperf/driver.h>
#include <dbperf/error.h>
#include <dbperf/model.h>
#include <dbperf/reader.h>
#include <dbperf/scan.h>

#include "log_int.h"
#include "pg_int.h"

#define MAX_FIELDS 32
#define MAX_RECORD (64u << 20)

enum { F_TIME = 0, F_USER = 1, F_DB = 2, F_PID = 3, F_SESSION = 5, F_SEVERITY = 11,
       F_MESSAGE = 13, F_DETAIL = 14, F_MIN = 14 };

struct field {
    const char *p;
    size_t n;
    bool escaped; /* holds "" to unescape */
};

/*
 * Index of the first '"' in s[i..len), or len: 16 or 8 bytes at a time, inline
 * (quotes are dense in escaped plans, where a memchr call per quote costs
 * more than the scan).
 */
static inline size_t find_quote(const char *s, size_t i, size_t len)
{
    return dbp_find2(s, len, i, '"', '"');
}

/* Split one record into fields. Returns the count, or -1 if malformed. */
static int split(const char *s, size_t len, struct field *f, int max)
{
    size_t i = 0;
    int n = 0;
    for (;;) {
        if (n == max)
            return n; /* columns we do not read */
        struct field *x = &f[n++];
        x->escaped = false;
        if (i < len && s[i] == '"') {
            size_t b = ++i;
            for (;;) {
                i = find_quote(s, i, len);
                if (i == len)
                    return -1;
                if (i + 1 < len && s[i + 1] == '"') {
                    x->escaped = true;
                    i += 2;
                    continue;
                }
                break;
            }
            x->p = s + b;
            x->n = i - b;
            i++; /* closing quote */
            if (i == len)
                return n;
            if (s[i] != ',')
                return -1;
            i++;
        } else {
            /* inline: most fields of a csvlog record are empty or short */
            size_t e = dbp_find2(s, len, i, ',', ',');
            x->p = s + i;
            x->n = e - i;
            if (e == len)
                return n;
            i = e + 1;
        }
    }
}

/* The field's value, unescaped into b when needed. */
static void value(const struct field *f, struct dbp_buf *b, const char **p, size_t *n)
{
    if (!f->escaped) {
        *p = f->p;
        *n = f->n;
        return;
    }
    dbp_buf_clear(b);
    dbp_buf_reserve(b, f->n);
    for (size_t i = 0; i < f->n;) {
        size_t q = find_quote(f->p, i, f->n);
        size_t e = q < f->n ? q + 1 : q; /* keep one quote of a pair */
        memcpy(b->data + b->len, f->p + i, e - i);
        b->len += e - i;
        i = e;
        if (q < f->n && i < f->n && f->p[i] == '"')
            i++; /* the other quote of the pair */
    }
    b->data[b->len] = '\0';
    *p = b->data;
    *n = b->len;
}

/* Number of '"' in s[0..n). */
static inline size_t count_quotes(const char *s, size_t n)
{
    return dbp_count_byte(s, n, '"');
}

static bool is_severity(const char *s, size_t n)
{
    static const char *const sev[] = {"LOG",  "ERROR",   "FATAL", "PANIC", "WARNING",
                                      "NOTICE", "INFO",  "DEBUG1", "DEBUG2", "DEBUG3",
                                      "DEBUG4", "DEBUG5", "DEBUG"};
    for (size_t i = 0; i < sizeof sev / sizeof sev[0]; i++)
        if (strlen(sev[i]) == n && memcmp(s, sev[i], n) == 0)
            return true;
    return false;
}

/* A complete record: does it look like csvlog? */
static bool record_ok(const struct field *f, int n)
{
    if (n < F_MIN)
        return false;
    size_t used = 0;
    dbp_pglog_parse_ts(f[F_TIME].p, f[F_TIME].n, &used);
    return used > 0 && is_severity(f[F_SEVERITY].p, f[F_SEVERITY].n);
}

static int probe(const unsigned char *head, size_t len)
{
    const char *s = (const char *)head;
    size_t pos = 0, n = 0, ok = 0;
    struct field f[MAX_FIELDS];
    struct dbp_buf acc = {0};
    bool open = false;
    while (pos < len && n < 200) {
        const char *nl = memchr(s + pos, '\n', len - pos);
        if (!nl)
            break;
        size_t l = (size_t)(nl - s) - pos;
        if (!open)
            dbp_buf_clear(&acc);
        else
            dbp_buf_putc(&acc, '\n');
        dbp_buf_append(&acc, s + pos, l);
        pos += l + 1;
        open = (count_quotes(acc.data, acc.len) & 1) != 0;
        if (open)
            continue;
        if (acc.len == 0)
            continue;
        n++;
        int k = split(acc.data, acc.len, f, MAX_FIELDS);
        if (k > 0 && record_ok(f, k))
            ok++;
    }
    dbp_buf_free(&acc);
    if (ok == 0)
        return 0;
    if (ok * 2 < n)
        return 10;
    return (int)(45 + 50 * ok / n);
}

struct scratch {
    struct dbp_buf user, db, msg, detail, sev;
};

static void record(struct dbp_pglog *L, struct dbp_source *src, struct dbp_snapshot *snap,
                   struct scratch *sc, const char *s, size_t len, uint64_t lineno)
{
    struct field f[MAX_FIELDS];
    int n = split(s, len, f, MAX_FIELDS);
    if (n < 0 || !record_ok(f, n)) {
        dbp_pglog_malformed(L, lineno, "not a csvlog record");
        return;
    }
    struct dbp_pglog_rec rec = {.lineno = lineno, .detail_inline = true};
    size_t used = 0;
    rec.ts_us = dbp_pglog_parse_ts(f[F_TIME].p, f[F_TIME].n, &used);
    value(&f[F_SEVERITY], &sc->sev, &rec.severity, &rec.severity_len);
    value(&f[F_USER], &sc->user, &rec.user, &rec.user_len);
    value(&f[F_DB], &sc->db, &rec.db, &rec.db_len);
    if (f[F_SESSION].n) {
        rec.session = f[F_SESSION].p;
        rec.session_len = f[F_SESSION].n;
    } else {
        rec.session = f[F_PID].p;
        rec.session_len = f[F_PID].n;
    }
    value(&f[F_MESSAGE], &sc->msg, &rec.msg, &rec.msg_len);
    if (n > F_DETAIL)
        value(&f[F_DETAIL], &sc->detail, &rec.detail, &rec.detail_len);
    if (!src->server_version && rec.msg_len > 20 &&
        memcmp(rec.msg, "starting PostgreSQL ", 20) == 0) {
        const char *v = rec.msg + 20;
        const char *sp = memchr(v, ' ', rec.msg_len - 20);
        src->server_version =
            dbp_arena_strndup(snap->arena, v, sp ? (size_t)(sp - v) : rec.msg_len - 20);
    }
    dbp_pglog_record(L, &rec);
}

static int parse(struct dbp_reader *r, const struct dbp_parse_opts *o, struct dbp_snapshot *snap,
                 struct dbp_source *src, struct dbp_error *err)
{
    (void)o;
    struct dbp_pglog *L = dbp_pglog_new(snap, src, dbp_reader_name(r));
    dbp_pglog_set_chunk(L, o);
    struct scratch sc = {0};
    struct dbp_buf acc = {0};
    bool open = false;
    size_t quotes = 0;
    uint64_t first = 0;
    struct dbp_error rerr = {0}; /* set by the reader on errors only: not cleared per line */
    for (;;) {
        const char *line;
        size_t len;
        int rc = dbp_reader_line(r, &line, &len, &rerr);
        if (rc == 0)
            break;
        if (rc < 0) {
            if (open) {
                open = false;
                dbp_pglog_malformed(L, first, "csv record cut by an over-long line");
            }
            if (!dbp_pglog_reader_error(L, rc, &rerr))
                break;
            continue;
        }
        size_t q = count_quotes(line, len);
        if (!open) {
            if (len && line[len - 1] == '\r' && !(q & 1))
                len--;
            if (!(q & 1)) {
                if (len)
                    record(L, src, snap, &sc, line, len, dbp_reader_lineno(r));
                continue;
            }
            open = true;
            quotes = q;
            first = dbp_reader_lineno(r);
            dbp_buf_clear(&acc);
            dbp_buf_append(&acc, line, len);
            continue;
        }
        if (acc.len + len + 1 > MAX_RECORD) {
            open = false;
            dbp_pglog_malformed(L, first, "csv record longer than %u bytes", MAX_RECORD);
            continue;
        }
        dbp_buf_putc(&acc, '\n');
        dbp_buf_append(&acc, line, len);
        quotes += q;
        if (!(quotes & 1)) {
            open = false;
            size_t n = acc.len;
            if (n && acc.data[n - 1] == '\r')
                n--;
            record(L, src, snap, &sc, acc.data, n, first);
        }
    }
    if (open)
        dbp_pglog_malformed(L, first, "csv record not terminated at end of input");
    dbp_buf_free(&acc);
    dbp_buf_free(&sc.user);
    dbp_buf_free(&sc.db);
    dbp_buf_free(&sc.msg);
    dbp_buf_free(&sc.detail);
    dbp_buf_free(&sc.sev);
    return dbp_pglog_finish(L, r, err);
}

/*
 * A chunk may start at a line that opens a record: the log_time field, then a
 * comma within the time zone's reach. (A quoted statement with such a line
 * inside would be cut; the csv parser then reports the broken record.)
 */
static int split_ok(const char *line, size_t len, const char *prev, size_t prev_len)
{
    (void)prev;
    (void)prev_len;
    if (!dbp_pglog_ts_start(line, len))
        return 0;
    const char *c = memchr(line, ',', len < 40 ? len : 40);
    return c != NULL;
}

const struct dbp_format dbp_pg_csv_format = {
    .name = "postgres-csv",
    .summary = "PostgreSQL csvlog",
    .probe = probe,
    .parse = parse,
    .split_ok = split_ok,
};
