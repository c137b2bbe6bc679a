/*
 * report.c -- the report entry point (dbp_report_write), the structured
 * emitter shared by the writers (JSON and indented text backends, selected by
 * a switch on the emitter's format), and helpers every writer uses: ISO 8601
 * times, fingerprint ids in hex, the top-statements order and the masking of
 * literals in plan conditions.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include <dbperf/arena.h>
#include <dbperf/buf.h>
#include <dbperf/error.h>
#include <dbperf/fingerprint.h>
#include <dbperf/report.h>

#include "report_int.h"

/* The writers, one per format (the same const-table pattern as drivers and rules). */
struct report_writer {
    enum dbp_report_format format;
    const char *name;
    const char *alias; /* NULL */
    int (*write)(struct dbp_buf *out, FILE *sink, const struct dbp_snapshot *snap,
                 const struct dbp_report_opts *o);
};

static const struct report_writer writers[] = {
    {DBP_REPORT_TEXT, "text", NULL, dbp_report_write_text},
    {DBP_REPORT_JSON, "json", NULL, dbp_report_write_json},
    {DBP_REPORT_MARKDOWN, "markdown", "md", dbp_report_write_md},
};

int dbp_report_format_parse(const char *name)
{
    for (size_t i = 0; name && i < sizeof writers / sizeof writers[0]; i++)
        if (strcmp(name, writers[i].name) == 0 ||
            (writers[i].alias && strcmp(name, writers[i].alias) == 0))
            return (int)writers[i].format;
    return -1;
}

/*
 * The report is built in a buffer and written with fwrite (the JSON writer
 * flushes it every 64 KiB, so a report of every class does not have to fit
 * in memory twice); a write error (full disk, closed pipe) is reported once.
 */
int dbp_report_write(FILE *out, const struct dbp_snapshot *snap, const struct dbp_report_opts *o,
                     struct dbp_error *err)
{
    const struct report_writer *wr = NULL;
    for (size_t i = 0; i < sizeof writers / sizeof writers[0]; i++)
        if (writers[i].format == o->format)
            wr = &writers[i];
    if (!wr)
        return dbp_error_set(err, DBP_ERR_USAGE, "unknown report format %d", (int)o->format);
    struct dbp_buf b = {0};
    int rc = wr->write(&b, out, snap, o);
    if (rc == DBP_ERR_IO)
        rc = dbp_error_set(err, DBP_ERR_IO, "writing the report failed: %s", strerror(errno));
    if (rc == DBP_OK && b.len > 0 && fwrite(b.data, 1, b.len, out) != b.len)
        rc = dbp_error_set(err, DBP_ERR_IO, "writing the report failed: %s", strerror(errno));
    if (rc == DBP_OK && ferror(out))
        rc = dbp_error_set(err, DBP_ERR_IO, "writing the report failed");
    dbp_buf_free(&b);
    return rc;
}

/* ---- JSON strings and numbers ----------------------------------------- */

/* Length of the valid UTF-8 sequence at s (1..4), or 0 if it is not valid. */
static size_t utf8_valid(const unsigned char *s)
{
    unsigned c = s[0];
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF)
        return (s[1] & 0xC0) == 0x80 ? 2 : 0;
    if (c >= 0xE0 && c <= 0xEF) {
        unsigned lo = c == 0xE0 ? 0xA0 : 0x80, hi = c == 0xED ? 0x9F : 0xBF;
        if (s[1] < lo || s[1] > hi || (s[2] & 0xC0) != 0x80)
            return 0;
        return 3;
    }
    if (c >= 0xF0 && c <= 0xF4) {
        unsigned lo = c == 0xF0 ? 0x90 : 0x80, hi = c == 0xF4 ? 0x8F : 0xBF;
        if (s[1] < lo || s[1] > hi || (s[2] & 0xC0) != 0x80 || (s[3] & 0xC0) != 0x80)
            return 0;
        return 4;
    }
    return 0;
}

void dbp_json_quote(struct dbp_buf *b, const char *str)
{
    const unsigned char *s = (const unsigned char *)str;
    dbp_buf_putc(b, '"');
    while (*s) {
        unsigned c = *s;
        if (c == '"' || c == '\\') {
            dbp_buf_putc(b, '\\');
            dbp_buf_putc(b, (char)c);
            s++;
        } else if (c < 0x20) {
            switch (c) {
            case '\n':
                dbp_buf_puts(b, "\\n");
                break;
            case '\t':
                dbp_buf_puts(b, "\\t");
                break;
            case '\r':
                dbp_buf_puts(b, "\\r");
                break;
            case '\b':
                dbp_buf_puts(b, "\\b");
                break;
            case '\f':
                dbp_buf_puts(b, "\\f");
                break;
            default:
                dbp_buf_printf(b, "\\u%04x", c);
            }
            s++;
        } else if (c < 0x80) {
            dbp_buf_putc(b, (char)c);
            s++;
        } else {
            /* the NUL terminator stops every continuation check, so this never over-reads */
            size_t n = utf8_valid(s);
            if (n) {
                dbp_buf_append(b, s, n);
                s += n;
            } else {
                dbp_buf_puts(b, "\xEF\xBF\xBD"); /* U+FFFD */
                s++;
            }
        }
    }
    dbp_buf_putc(b, '"');
}

/* The shortest of %.15g..%.17g that reads back as exactly v, into out[40]. */
static void format_double(double v, char out[40])
{
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(out, 40, "%.*g", prec, v);
        if (strtod(out, NULL) == v)
            break;
    }
}

/* ---- the emitter ------------------------------------------------------ */

void dbp_emit_init(struct dbp_emit *w, enum dbp_emit_format format, struct dbp_buf *out)
{
    memset(w, 0, sizeof *w);
    w->format = format;
    w->out = out;
    w->indent = 2;
    w->first[0] = true;
}

static void put_indent(struct dbp_emit *w, int depth)
{
    for (int i = 0; i < depth * w->indent; i++)
        dbp_buf_putc(w->out, ' ');
}

/* Separator, indentation and name before a value at the current depth. */
static void begin_value(struct dbp_emit *w, const char *name)
{
    switch (w->format) {
    case DBP_EMIT_JSON:
        if (w->depth > 0) {
            if (!w->first[w->depth])
                dbp_buf_putc(w->out, ',');
            dbp_buf_putc(w->out, '\n');
            put_indent(w, w->depth);
        }
        if (name && !w->array[w->depth]) {
            dbp_json_quote(w->out, name);
            dbp_buf_puts(w->out, ": ");
        }
        break;
    case DBP_EMIT_TEXT:
        put_indent(w, w->depth > 0 ? w->depth - 1 : 0);
        if (w->array[w->depth])
            dbp_buf_puts(w->out, "- ");
        if (name)
            dbp_buf_printf(w->out, "%s: ", name);
        break;
    }
    w->first[w->depth] = false;
}

void dbp_emit_open_group(struct dbp_emit *w, const char *name, bool array)
{
    switch (w->format) {
    case DBP_EMIT_JSON:
        begin_value(w, name);
        dbp_buf_putc(w->out, array ? '[' : '{');
        break;
    case DBP_EMIT_TEXT:
        /* a named group is a header line; an object inside a list is just deeper */
        if (name) {
            begin_value(w, NULL);
            dbp_buf_printf(w->out, "%s:\n", name);
        }
        break;
    }
    if (w->depth < DBP_EMIT_MAX_DEPTH) {
        w->depth++;
        w->first[w->depth] = true;
        w->array[w->depth] = array;
    }
}

/* Write what is buffered to the sink once it is large (JSON reports of every class). */
static void maybe_flush(struct dbp_emit *w)
{
    if (!w->sink || w->out->len < (64u << 10))
        return;
    if (!w->sink_failed && fwrite(w->out->data, 1, w->out->len, w->sink) != w->out->len)
        w->sink_failed = true;
    dbp_buf_clear(w->out);
}

void dbp_emit_close_group(struct dbp_emit *w)
{
    if (w->depth == 0)
        return;
    bool array = w->array[w->depth];
    bool empty = w->first[w->depth];
    w->depth--;
    switch (w->format) {
    case DBP_EMIT_JSON:
        if (!empty) {
            dbp_buf_putc(w->out, '\n');
            put_indent(w, w->depth);
        }
        dbp_buf_putc(w->out, array ? ']' : '}');
        if (w->depth == 0)
            dbp_buf_putc(w->out, '\n');
        break;
    case DBP_EMIT_TEXT:
        break;
    }
    if (w->depth <= 2)
        maybe_flush(w);
}

/* Write one scalar already formatted as JSON (lit) or as text (txt). */
static void scalar(struct dbp_emit *w, const char *name, const char *json_lit, const char *txt)
{
    begin_value(w, name);
    switch (w->format) {
    case DBP_EMIT_JSON:
        dbp_buf_puts(w->out, json_lit);
        break;
    case DBP_EMIT_TEXT:
        dbp_buf_puts(w->out, txt);
        dbp_buf_putc(w->out, '\n');
        break;
    }
}

void dbp_emit_prop_text(struct dbp_emit *w, const char *name, const char *value)
{
    if (!value) {
        dbp_emit_prop_null(w, name);
        return;
    }
    begin_value(w, name);
    switch (w->format) {
    case DBP_EMIT_JSON:
        dbp_json_quote(w->out, value);
        break;
    case DBP_EMIT_TEXT:
        for (const char *p = value; *p; p++)
            dbp_buf_putc(w->out, (unsigned char)*p < 0x20 ? ' ' : *p);
        dbp_buf_putc(w->out, '\n');
        break;
    }
}

void dbp_emit_prop_num(struct dbp_emit *w, const char *name, double value)
{
    if (!isfinite(value)) {
        dbp_emit_prop_null(w, name);
        return;
    }
    char tmp[40];
    format_double(value, tmp);
    scalar(w, name, tmp, tmp);
}

void dbp_emit_prop_int(struct dbp_emit *w, const char *name, int64_t value)
{
    if (value < 0) {
        dbp_emit_prop_null(w, name);
        return;
    }
    char tmp[32];
    snprintf(tmp, sizeof tmp, "%lld", (long long)value);
    scalar(w, name, tmp, tmp);
}

void dbp_emit_prop_uint(struct dbp_emit *w, const char *name, uint64_t value)
{
    char tmp[32];
    snprintf(tmp, sizeof tmp, "%llu", (unsigned long long)value);
    scalar(w, name, tmp, tmp);
}

void dbp_emit_prop_bool(struct dbp_emit *w, const char *name, bool value)
{
    scalar(w, name, value ? "true" : "false", value ? "yes" : "no");
}

void dbp_emit_prop_null(struct dbp_emit *w, const char *name)
{
    scalar(w, name, "null", "-");
}

/* ---- helpers ---------------------------------------------------------- */

void dbp_report_iso8601(int64_t us, char out[32])
{
    /* beyond year 9999 either way: not a time any source produces */
    if (us > INT64_C(253402300799999999) || us < -INT64_C(62135596800000000)) {
        snprintf(out, 32, "1970-01-01T00:00:00Z");
        return;
    }
    time_t sec = (time_t)(us >= 0 ? us / 1000000 : (us - 999999) / 1000000);
    long frac = (long)(us - (int64_t)sec * 1000000);
    struct tm tm;
    if (!gmtime_r(&sec, &tm)) {
        snprintf(out, 32, "1970-01-01T00:00:00Z");
        return;
    }
    size_t n = strftime(out, 32, "%Y-%m-%dT%H:%M:%S", &tm);
    if (frac)
        snprintf(out + n, 32 - n, ".%06ldZ", frac);
    else
        snprintf(out + n, 32 - n, "Z");
}

static int digits(const char *s, int n, int *v)
{
    *v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        *v = *v * 10 + (s[i] - '0');
    }
    return 0;
}

int dbp_report_parse_iso8601(const char *s, int64_t *us)
{
    int y, mo, d, h, mi, se;
    if (!s || strlen(s) < 19 || digits(s, 4, &y) || s[4] != '-' || digits(s + 5, 2, &mo) ||
        s[7] != '-' || digits(s + 8, 2, &d) || (s[10] != 'T' && s[10] != ' ') ||
        digits(s + 11, 2, &h) || s[13] != ':' || digits(s + 14, 2, &mi) || s[16] != ':' ||
        digits(s + 17, 2, &se))
        return -1;
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60)
        return -1;
    const char *p = s + 19;
    int64_t frac = 0;
    if (*p == '.') {
        p++;
        int n = 0;
        while (*p >= '0' && *p <= '9') {
            if (n < 6) {
                frac = frac * 10 + (*p - '0');
                n++;
            }
            p++;
        }
        if (n == 0)
            return -1;
        while (n++ < 6)
            frac *= 10;
    }
    if (!(strcmp(p, "Z") == 0 || strcmp(p, "+00:00") == 0 || strcmp(p, "+0000") == 0 ||
          *p == '\0'))
        return -1;
    struct tm tm = {0};
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = se;
    time_t t = timegm(&tm);
    *us = (int64_t)t * 1000000 + frac;
    return 0;
}

void dbp_report_fpid_hex(uint64_t fpid, char out[17])
{
    snprintf(out, 17, "%016llX", (unsigned long long)fpid);
}

int64_t dbp_report_now_us(const struct dbp_report_opts *o)
{
    if (o->generated_us)
        return o->generated_us;
    const char *env = getenv("DBPERF_NOW");
    if (env && *env) {
        int64_t us;
        if (dbp_report_parse_iso8601(env, &us) == 0)
            return us;
        char *end;
        long long sec = strtoll(env, &end, 10);
        if (*end == '\0' && sec >= 0)
            return (int64_t)sec * 1000000;
    }
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return (int64_t)tv.tv_sec * 1000000 + tv.tv_usec;
}

static int by_total_desc(const void *a, const void *b)
{
    const struct dbp_stmt *x = *(const struct dbp_stmt *const *)a;
    const struct dbp_stmt *y = *(const struct dbp_stmt *const *)b;
    if (x->agg.total_ms > y->agg.total_ms)
        return -1;
    if (x->agg.total_ms < y->agg.total_ms)
        return 1;
    if (x->agg.calls != y->agg.calls)
        return x->agg.calls > y->agg.calls ? -1 : 1;
    return x->index < y->index ? -1 : x->index > y->index;
}

const struct dbp_stmt **dbp_report_top_stmts(const struct dbp_snapshot *snap,
                                             const struct dbp_report_opts *o, size_t *n)
{
    size_t total = snap->stmts.n;
    const struct dbp_stmt **v = dbp_xmalloc((total ? total : 1) * sizeof *v);
    for (size_t i = 0; i < total; i++)
        v[i] = snap->stmts.items[i];
    qsort(v, total, sizeof *v, by_total_desc);
    *n = o->top && o->top < total ? o->top : total;
    return v;
}

/*
 * Mask the values of a MongoDB-style filter document ({ "a": { "$gt": 5 } },
 * { a: "x" }): every quoted string that is not a key (not followed by ':') and
 * every number that starts a token become '?'. Keys and operators stay.
 */
static void mask_document(const char *s, struct dbp_buf *out)
{
    dbp_buf_clear(out);
    size_t n = strlen(s);
    for (size_t i = 0; i < n;) {
        char c = s[i];
        if (c == '"' || c == '\'') {
            size_t j = i + 1;
            while (j < n && s[j] != c) {
                if (s[j] == '\\' && j + 1 < n)
                    j++;
                j++;
            }
            if (j < n)
                j++; /* closing quote */
            size_t k = j;
            while (k < n && (s[k] == ' ' || s[k] == '\t'))
                k++;
            if (k < n && s[k] == ':')
                dbp_buf_append(out, s + i, j - i); /* a key */
            else
                dbp_buf_putc(out, '?');
            i = j;
            continue;
        }
        bool starts_token = i == 0 || !(isalnum((unsigned char)s[i - 1]) || s[i - 1] == '_' ||
                                        s[i - 1] == '$' || s[i - 1] == '.');
        if (starts_token && (isdigit((unsigned char)c) ||
                             ((c == '-' || c == '.') && i + 1 < n && isdigit((unsigned char)s[i + 1])))) {
            size_t j = i + 1;
            while (j < n && (isalnum((unsigned char)s[j]) || s[j] == '.' || s[j] == '+' ||
                             (s[j] == '-' && (s[j - 1] == 'e' || s[j - 1] == 'E'))))
                j++;
            dbp_buf_putc(out, '?');
            i = j;
            continue;
        }
        dbp_buf_putc(out, c);
        i++;
    }
    if (!out->data)
        dbp_buf_puts(out, "");
}

const char *dbp_report_mask(const char *cond, enum dbp_engine engine, bool show_literals,
                            struct dbp_buf *tmp)
{
    if (!cond)
        return NULL;
    if (show_literals)
        return cond;
    const char *p = cond;
    while (*p == ' ' || *p == '\t' || *p == '\n')
        p++;
    if (engine == DBP_ENGINE_MONGODB || *p == '{') {
        mask_document(cond, tmp);
        return tmp->data;
    }
    dbp_fingerprint(DBP_FP_PGSS, cond, strlen(cond), tmp);
    return tmp->data ? tmp->data : "";
}

const char *dbp_report_index_flag_name(unsigned bit)
{
    static const char *const names[DBP_REPORT_INDEX_FLAG_BITS] = {
        "primary", "unique",  "constraint", "exclusion", "foreign-key",
        "replica-identity", "partial", "expression", "invalid", "replica"};
    return bit < DBP_REPORT_INDEX_FLAG_BITS ? names[bit] : NULL;
}
