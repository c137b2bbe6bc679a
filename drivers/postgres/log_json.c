/*
 * log_json.c -- the postgres-json format: PostgreSQL 15+ jsonlog (one flat
 * JSON object per line), and the same record nested under "record" as
 * CloudNativePG writes it.
 *
 * A small dedicated scanner walks the object's members once: keys are
 * compared in place, nested values are skipped by bracket depth, and only
 * the string values used (timestamp, user, dbname, session_id,
 * error_severity, message, detail) are decoded, and only when they hold an
 * escape. No tree is built.
 */
#include <stdbool.h>
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

enum key { K_TS, K_USER, K_DB, K_PID, K_SESSION, K_SEVERITY, K_MESSAGE, K_DETAIL, K_COUNT };

struct span {
    const char *p;
    size_t n;
    bool escaped; /* a string holding backslash escapes */
    bool set;
};

struct jrec {
    struct span v[K_COUNT];
};

/* The member a key names, or -1: by length first, then memcmp of a known size (inlined). */
#define IS(lit) (memcmp(key, lit, sizeof lit - 1) == 0)
static int key_of(const char *key, size_t n)
{
    switch (n) {
    case 3:
        return IS("pid") ? K_PID : -1;
    case 4:
        return IS("user") ? K_USER : -1;
    case 6:
        return IS("dbname") ? K_DB : IS("detail") ? K_DETAIL : -1;
    case 7:
        return IS("message") ? K_MESSAGE : -1;
    case 8:
        return IS("log_time") ? K_TS : -1;
    case 9:
        return IS("timestamp") ? K_TS : IS("user_name") ? K_USER : -1;
    case 10:
        return IS("session_id") ? K_SESSION : IS("process_id") ? K_PID : -1;
    case 13:
        return IS("database_name") ? K_DB : -1;
    case 14:
        return IS("error_severity") ? K_SEVERITY : -1;
    default:
        return -1;
    }
}
#undef IS

/* bytes that end a bare value (number, true, false, null) */
static const bool bare_end[256] = {[','] = true, ['}'] = true, [']'] = true, [' '] = true};

static inline size_t ws(const char *s, size_t len, size_t i)
{
    return dbp_json_ws(s, len, i);
}

/* At s[i] == '"': the end of the string (index of the closing quote), or SIZE_MAX. */
static size_t string_end(const char *s, size_t len, size_t i, bool *escaped)
{
    return dbp_quoted_end(s, len, i, '"', escaped);
}

/* Skip one value at s[i]; returns the index after it, or SIZE_MAX. */
static size_t skip_value(const char *s, size_t len, size_t i)
{
    if (i >= len)
        return SIZE_MAX;
    if (s[i] == '"') {
        bool e;
        size_t k = string_end(s, len, i, &e);
        return k == SIZE_MAX ? k : k + 1;
    }
    if (s[i] == '{' || s[i] == '[') {
        int depth = 0;
        while (i < len) {
            char c = s[i];
            if (c == '"') {
                bool e;
                size_t k = string_end(s, len, i, &e);
                if (k == SIZE_MAX)
                    return k;
                i = k + 1;
                continue;
            }
            if (c == '{' || c == '[')
                depth++;
            else if (c == '}' || c == ']') {
                if (--depth == 0)
                    return i + 1;
            }
            i++;
        }
        return SIZE_MAX;
    }
    size_t b = i;
    while (i < len && !bare_end[(unsigned char)s[i]])
        i++;
    return i > b ? i : SIZE_MAX;
}

/* Scan an object at s[i] == '{' into r. Returns the index after it or SIZE_MAX. */
static size_t scan_object(const char *s, size_t len, size_t i, struct jrec *r, int depth)
{
    if (i >= len || s[i] != '{' || depth > 2)
        return SIZE_MAX;
    i = ws(s, len, i + 1);
    if (i < len && s[i] == '}')
        return i + 1;
    for (;;) {
        if (i >= len || s[i] != '"')
            return SIZE_MAX;
        bool kesc;
        size_t ke = string_end(s, len, i, &kesc);
        if (ke == SIZE_MAX)
            return SIZE_MAX;
        const char *key = s + i + 1;
        size_t kn = ke - i - 1;
        i = ws(s, len, ke + 1);
        if (i >= len || s[i] != ':')
            return SIZE_MAX;
        i = ws(s, len, i + 1);
        if (i >= len)
            return SIZE_MAX;
        int k = key_of(key, kn);
        size_t e;
        if (kn == 6 && memcmp(key, "record", 6) == 0 && s[i] == '{') {
            e = scan_object(s, len, i, r, depth + 1);
        } else if (k >= 0 && s[i] == '"') {
            bool esc;
            size_t q = string_end(s, len, i, &esc);
            if (q == SIZE_MAX)
                return SIZE_MAX;
            r->v[k] = (struct span){s + i + 1, q - i - 1, esc, true};
            e = q + 1;
        } else {
            e = skip_value(s, len, i);
            if (k >= 0 && e != SIZE_MAX)
                r->v[k] = (struct span){s + i, e - i, false, true};
        }
        if (e == SIZE_MAX)
            return SIZE_MAX;
        i = ws(s, len, e);
        if (i < len && s[i] == ',') {
            i = ws(s, len, i + 1);
            continue;
        }
        if (i < len && s[i] == '}')
            return i + 1;
        return SIZE_MAX;
    }
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static unsigned hex4(const char *p, size_t left, bool *ok)
{
    unsigned v = 0;
    *ok = left >= 4;
    for (size_t i = 0; *ok && i < 4; i++) {
        int h = hexval(p[i]);
        if (h < 0)
            *ok = false;
        v = v << 4 | (unsigned)(h < 0 ? 0 : h);
    }
    return v;
}

static void put_utf8(struct dbp_buf *b, unsigned cp)
{
    char o[4];
    size_t n;
    if (cp < 0x80) {
        o[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        o[0] = (char)(0xC0 | cp >> 6);
        o[1] = (char)(0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        o[0] = (char)(0xE0 | cp >> 12);
        o[1] = (char)(0x80 | (cp >> 6 & 0x3F));
        o[2] = (char)(0x80 | (cp & 0x3F));
        n = 3;
    } else {
        o[0] = (char)(0xF0 | cp >> 18);
        o[1] = (char)(0x80 | (cp >> 12 & 0x3F));
        o[2] = (char)(0x80 | (cp >> 6 & 0x3F));
        o[3] = (char)(0x80 | (cp & 0x3F));
        n = 4;
    }
    dbp_buf_append(b, o, n);
}

/* The value of a span, decoded into b when it holds escapes. */
static void value(const struct span *sp, struct dbp_buf *b, const char **p, size_t *n)
{
    if (!sp->set) {
        *p = NULL;
        *n = 0;
        return;
    }
    if (!sp->escaped) {
        *p = sp->p;
        *n = sp->n;
        return;
    }
    dbp_buf_clear(b);
    dbp_buf_reserve(b, sp->n);
    const char *s = sp->p;
    size_t len = sp->n;
    for (size_t i = 0; i < len; i++) {
        const char *bs = memchr(s + i, '\\', len - i);
        size_t e = bs ? (size_t)(bs - s) : len;
        if (e > i)
            dbp_buf_append(b, s + i, e - i);
        if (!bs)
            break;
        i = e + 1;
        if (i >= len)
            break;
        char c = s[i];
        switch (c) {
        case 'n':
            dbp_buf_putc(b, '\n');
            break;
        case 't':
            dbp_buf_putc(b, '\t');
            break;
        case 'r':
            dbp_buf_putc(b, '\r');
            break;
        case 'b':
            dbp_buf_putc(b, '\b');
            break;
        case 'f':
            dbp_buf_putc(b, '\f');
            break;
        case 'u': {
            bool ok;
            unsigned cp = hex4(s + i + 1, len - i - 1, &ok);
            if (!ok) {
                dbp_buf_putc(b, '?');
                break;
            }
            i += 4;
            if (cp >= 0xD800 && cp < 0xDC00 && i + 6 < len + 0 && s[i + 1] == '\\' &&
                s[i + 2] == 'u') {
                unsigned lo = hex4(s + i + 3, len - i - 3, &ok);
                if (ok && lo >= 0xDC00 && lo < 0xE000) {
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                    i += 6;
                }
            }
            if (cp >= 0xD800 && cp < 0xE000)
                cp = 0xFFFD;
            put_utf8(b, cp);
            break;
        }
        default: /* \" \\ \/ and anything else: the character itself */
            dbp_buf_putc(b, c);
            break;
        }
    }
    *p = b->data ? b->data : "";
    *n = b->len;
}

/* 1: a log record; 0: a JSON object of something else (another logger's line); -1: not JSON */
static int line_kind(const char *s, size_t len, struct jrec *r)
{
    memset(r, 0, sizeof *r);
    size_t i = ws(s, len, 0);
    size_t e = scan_object(s, len, i, r, 0);
    if (e == SIZE_MAX || ws(s, len, e) != len)
        return -1;
    return r->v[K_SEVERITY].set && r->v[K_MESSAGE].set ? 1 : 0;
}

static bool line_ok(const char *s, size_t len, struct jrec *r)
{
    return line_kind(s, len, r) == 1;
}

static int probe(const unsigned char *head, size_t len)
{
    const char *s = (const char *)head;
    size_t pos = 0, n = 0, ok = 0;
    struct jrec r;
    while (pos < len && n < 200) {
        const char *nl = memchr(s + pos, '\n', len - pos);
        if (!nl)
            break;
        size_t l = (size_t)(nl - s) - pos;
        const char *line = s + pos;
        pos += l + 1;
        if (l == 0)
            continue;
        n++;
        if (line_ok(line, l, &r))
            ok++;
    }
    if (ok == 0)
        return 0;
    if (ok * 2 < n)
        return 10;
    return (int)(45 + 50 * ok / n);
}

struct scratch {
    struct dbp_buf ts, user, db, sess, sev, msg, detail;
};

static int parse(struct dbp_reader *r, const struct dbp_parse_opts *o, struct dbp_snapshot *snap,
                 struct dbp_source *src, struct dbp_error *err)
{
    (void)o;
    struct dbp_pglog *L = dbp_pglog_new(snap, src, dbp_reader_name(r));
    dbp_pglog_set_chunk(L, o);
    struct scratch sc = {0};
    struct jrec jr;
    struct dbp_error rerr = {0}; /* set by the reader on errors only: not cleared per line */
    for (;;) {
        const char *line;
        size_t len;
        int rc = dbp_reader_line(r, &line, &len, &rerr);
        if (rc == 0)
            break;
        if (rc < 0) {
            if (!dbp_pglog_reader_error(L, rc, &rerr))
                break;
            continue;
        }
        size_t b = ws(line, len, 0);
        if (b == len)
            continue;
        uint64_t lineno = dbp_reader_lineno(r);
        int kind = line_kind(line, len, &jr);
        if (kind == 0)
            continue; /* well-formed but not a log record (CloudNativePG's operator lines) */
        if (kind < 0) {
            dbp_pglog_malformed(L, lineno, "not a jsonlog record");
            continue;
        }
        struct dbp_pglog_rec rec = {.lineno = lineno, .detail_inline = true};
        const char *ts;
        size_t tsn, used = 0;
        value(&jr.v[K_TS], &sc.ts, &ts, &tsn);
        if (ts)
            rec.ts_us = dbp_pglog_parse_ts(ts, tsn, &used);
        value(&jr.v[K_SEVERITY], &sc.sev, &rec.severity, &rec.severity_len);
        value(&jr.v[K_USER], &sc.user, &rec.user, &rec.user_len);
        value(&jr.v[K_DB], &sc.db, &rec.db, &rec.db_len);
        if (jr.v[K_SESSION].set)
            value(&jr.v[K_SESSION], &sc.sess, &rec.session, &rec.session_len);
        else
            value(&jr.v[K_PID], &sc.sess, &rec.session, &rec.session_len);
        if (rec.session_len && rec.session[0] == '"') { /* "pid":"600" kept raw */
            rec.session++;
            rec.session_len -= rec.session_len >= 2 ? 2 : 1;
        }
        value(&jr.v[K_MESSAGE], &sc.msg, &rec.msg, &rec.msg_len);
        value(&jr.v[K_DETAIL], &sc.detail, &rec.detail, &rec.detail_len);
        if (!src->server_version && rec.msg_len > 20 &&
            memcmp(rec.msg, "starting PostgreSQL ", 20) == 0) {
            const char *v = rec.msg + 20;
            const char *sp = memchr(v, ' ', rec.msg_len - 20);
            src->server_version =
                dbp_arena_strndup(snap->arena, v, sp ? (size_t)(sp - v) : rec.msg_len - 20);
        }
        dbp_pglog_record(L, &rec);
    }
    dbp_buf_free(&sc.ts);
    dbp_buf_free(&sc.user);
    dbp_buf_free(&sc.db);
    dbp_buf_free(&sc.sess);
    dbp_buf_free(&sc.sev);
    dbp_buf_free(&sc.msg);
    dbp_buf_free(&sc.detail);
    return dbp_pglog_finish(L, r, err);
}

/* One record per line: a chunk may start at any record. */
static int split_ok(const char *line, size_t len, const char *prev, size_t prev_len)
{
    (void)prev;
    (void)prev_len;
    return len > 0 && line[0] == '{';
}

const struct dbp_format dbp_pg_json_format = {
    .name = "postgres-json",
    .summary = "PostgreSQL jsonlog (15+; also CloudNativePG records)",
    .probe = probe,
    .parse = parse,
    .split_ok = split_ok,
};
