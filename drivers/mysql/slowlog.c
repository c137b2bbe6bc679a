/*
 * slowlog.c -- the "mysql-slow" format: slow query logs of MySQL 5.0-8.x,
 * Percona Server (extended fields) and MariaDB (log_slow_verbosity with
 * "# explain:" lines), streamed line by line into the model.
 *
 * An entry is a block of "# Key: value" header lines (# Time, # User@Host,
 * # Thread_id / Schema, # Query_time ... and the vendors' extra lines), then
 * optional meta lines ("use db;", "SET timestamp=...;"), then the statement
 * text, which MySQL always ends with ";\n". As in pt-query-digest, a line
 * starting with '#' that follows a line ending in ';' closes the entry; a
 * '#' line elsewhere is part of the statement (a comment) or of the header.
 * "# administrator command: Quit;" is an entry's statement (fingerprint
 * "administrator command: Quit"). The lines a server writes when it starts or
 * reopens the log ("..., Version: ... started with:", "Tcp port: ...",
 * "Time Id Command Argument") give the server version and are skipped.
 *
 * Deliberate differences from pt-query-digest's parser (the conformance test
 * lists them): an entry whose statement is a USE (a "use db;" line after
 * "SET timestamp=", with no other statement) counts as "use db" instead of
 * pt's "No query" placeholder or pt taking the next entry's header lines as the
 * statement; text before the first header is skipped with a diagnostic;
 * a line ending in ';' followed by a '#' line that is not a header field
 * ("# a comment") does not split the statement, and "# Time:",
 * "# User@Host:" or "# Query_time:" start a new entry even when the previous
 * statement lacks its final ';'.
 *
 * Per entry: fingerprint once (DBP_FP_PT) -> statement class (database from
 * Schema:, else the entry's "use", else the last database the log named:
 * MySQL writes "use" only when the database differs from the previous
 * entry's) -> aggregate (Query_time, Rows_examined, Rows_sent, start time)
 * -> example -> user -> session event keyed by the thread id. MariaDB
 * "# explain:" rows become a plan (one node per table row) for the slowest
 * entry of a class only, rebuilt in place so memory does not grow with the
 * log (est_rows = rows, rows_examined = r_rows, act_rows = r_rows * r_filtered
 * / 100, as the ANALYZE FORMAT=JSON parser maps them). The alias a row names
 * is resolved to its table from the statement's FROM/JOIN clauses, and a
 * "Using where" row gets the WHERE clause's columns as predicates.
 *
 * Hot path: lines come zero-copy from the reader; header fields are parsed by
 * hand-written scanners; the statement's lines are gathered in one reusable
 * buffer; nothing is allocated per entry except when a class, a user or a
 * slower example is first seen.
 */
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <dbperf/arena.h>
#include <dbperf/buf.h>
#include <dbperf/driver.h>
#include <dbperf/error.h>
#include <dbperf/fingerprint.h>
#include <dbperf/model.h>
#include <dbperf/reader.h>

#include "my_int.h"
#include "predicate.h"

static const char plan_format[] = "mariadb-slowlog-explain";

/* ---- small scanners ------------------------------------------------------ */

/* character classes by table: the header scanners test every byte of every "# ..." line */
enum { CC_SP = 1, CC_DIGIT = 2, CC_ALPHA = 4, CC_KEY = 8 /* a field name: alnum _ @ */ };
#define CC_D(c) [c] = CC_DIGIT | CC_KEY
#define CC_A(c) [c] = CC_ALPHA | CC_KEY
#define CC_A8(c) CC_A(c), CC_A(c + 1), CC_A(c + 2), CC_A(c + 3), CC_A(c + 4), CC_A(c + 5), \
                 CC_A(c + 6), CC_A(c + 7)
static const unsigned char cclass[256] = {
    [' '] = CC_SP, ['\t'] = CC_SP, ['_'] = CC_KEY, ['@'] = CC_KEY,
    CC_D('0'), CC_D('1'), CC_D('2'), CC_D('3'), CC_D('4'),
    CC_D('5'), CC_D('6'), CC_D('7'), CC_D('8'), CC_D('9'),
    CC_A8('a'), CC_A8('i'), CC_A8('q'), CC_A('y'), CC_A('z'),
    CC_A8('A'), CC_A8('I'), CC_A8('Q'), CC_A('Y'), CC_A('Z'),
};
#undef CC_A8
#undef CC_A
#undef CC_D

static inline bool is_sp(char c)
{
    return cclass[(unsigned char)c] & CC_SP;
}

static inline bool is_digit(char c)
{
    return cclass[(unsigned char)c] & CC_DIGIT;
}

static inline bool is_alpha(char c)
{
    return cclass[(unsigned char)c] & CC_ALPHA;
}

static inline bool is_key(char c)
{
    return cclass[(unsigned char)c] & CC_KEY;
}

static bool starts(const char *s, size_t n, const char *lit, size_t litn)
{
    return n >= litn && memcmp(s, lit, litn) == 0;
}
#define STARTS(s, n, lit) starts((s), (n), lit, sizeof lit - 1)

static bool ends(const char *s, size_t n, const char *lit, size_t litn)
{
    return n >= litn && memcmp(s + n - litn, lit, litn) == 0;
}
#define ENDS(s, n, lit) ends((s), (n), lit, sizeof lit - 1)

/* length of s[0..n) without trailing blanks */
static size_t rtrim(const char *s, size_t n)
{
    while (n > 0 && (is_sp(s[n - 1]) || s[n - 1] == '\r' || s[n - 1] == '\n'))
        n--;
    return n;
}

/* last non-blank character is ';' */
static bool ends_stmt(const char *s, size_t n)
{
    n = rtrim(s, n);
    return n > 0 && s[n - 1] == ';';
}

/*
 * Parse a whole token of the form digits[.digits] into *out. Returns false if
 * the token holds anything else (empty, a sign, a second '.', letters).
 */
static bool parse_decimal(const char *s, size_t n, double *out)
{
    static const double p10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8, 1e9,
                                 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18};
    size_t i = 0;
    uint64_t ip = 0;
    size_t nd = 0;
    double big = 0;
    while (i < n && is_digit(s[i])) {
        if (nd < 18)
            ip = ip * 10 + (uint64_t)(s[i] - '0');
        else
            big = (big == 0 ? (double)ip : big) * 10 + (s[i] - '0');
        nd++;
        i++;
    }
    double v = nd > 18 ? big : (double)ip;
    if (i < n && s[i] == '.') {
        i++;
        uint64_t fp = 0;
        size_t nf = 0, taken = 0;
        while (i < n && is_digit(s[i])) {
            if (taken < 18) {
                fp = fp * 10 + (uint64_t)(s[i] - '0');
                taken++;
            }
            nf++;
            i++;
        }
        if (nf == 0 && nd == 0)
            return false;
        if (taken)
            v += (double)fp / p10[taken];
    } else if (nd == 0) {
        return false;
    }
    if (i != n)
        return false;
    *out = v;
    return true;
}

/* A whole token of digits into an int64; -1 if not digits or too large. */
static int64_t parse_count(const char *s, size_t n)
{
    if (n == 0 || n > 18)
        return -1;
    int64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        if (!is_digit(s[i]))
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

/* n digits at s into *v; false unless all are digits */
static bool digits(const char *s, size_t n, int *v)
{
    int x = 0;
    for (size_t i = 0; i < n; i++) {
        if (!is_digit(s[i]))
            return false;
        x = x * 10 + (s[i] - '0');
    }
    *v = x;
    return true;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (civil calendar). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* Optional ".ffffff" at s (advanced) into microseconds. */
static int64_t frac_us(const char **sp, const char *end)
{
    const char *s = *sp;
    int64_t us = 0;
    if (s < end && *s == '.') {
        s++;
        int k = 0;
        while (s < end && is_digit(*s)) {
            if (k < 6) {
                us = us * 10 + (*s - '0');
                k++;
            }
            s++;
        }
        while (k++ < 6)
            us *= 10;
    }
    *sp = s;
    return us;
}

/*
 * The value of a "# Time:" line, in microseconds since the epoch:
 *   YYMMDD H:MM:SS[.f]                 MySQL <= 5.6, MariaDB, Percona (server local time)
 *   YYYY-MM-DDTHH:MM:SS[.f][Z|+hh:mm]  MySQL >= 5.7
 * *iso is set for the second form (an absolute time). 0 if unparseable.
 */
static int64_t parse_time(const char *s, const char *end, bool *iso)
{
    int y, mo, d, h, mi, se;
    *iso = false;
    while (s < end && is_sp(*s))
        s++;
    size_t n = (size_t)(end - s);
    if (n >= 19 && s[4] == '-' && s[7] == '-' && (s[10] == 'T' || s[10] == ' ') && s[13] == ':' &&
        s[16] == ':' && digits(s, 4, &y) && digits(s + 5, 2, &mo) && digits(s + 8, 2, &d) &&
        digits(s + 11, 2, &h) && digits(s + 14, 2, &mi) && digits(s + 17, 2, &se)) {
        const char *p = s + 19;
        int64_t us = frac_us(&p, end);
        int64_t off_s = 0;
        if (p + 6 <= end && (*p == '+' || *p == '-') && p[3] == ':') {
            int oh, om;
            if (digits(p + 1, 2, &oh) && digits(p + 4, 2, &om))
                off_s = (*p == '+' ? 1 : -1) * (oh * 3600 + om * 60);
        }
        if (mo < 1 || mo > 12 || d < 1 || d > 31)
            return 0;
        *iso = true;
        int64_t t = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se - off_s;
        return t * 1000000 + us;
    }
    /* YYMMDD then blanks then H:MM:SS (hour may be one digit) */
    if (n < 13 || !digits(s, 6, &y))
        return 0;
    mo = y / 100 % 100;
    d = y % 100;
    y = 2000 + y / 10000;
    const char *p = s + 6;
    while (p < end && is_sp(*p))
        p++;
    h = 0;
    int k = 0;
    while (p < end && is_digit(*p) && k < 2) {
        h = h * 10 + (*p++ - '0');
        k++;
    }
    if (k == 0 || p + 6 > end || p[0] != ':' || p[3] != ':' || !digits(p + 1, 2, &mi) ||
        !digits(p + 4, 2, &se))
        return 0;
    p += 6;
    int64_t us = frac_us(&p, end);
    if (mo < 1 || mo > 12 || d < 1 || d > 31)
        return 0;
    int64_t t = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se;
    return t * 1000000 + us;
}

/* ---- restart header ------------------------------------------------------ */

/*
 * 1 for "<path>mysqld, Version: <v> (<comment>). started with:" (also
 * mariadbd, and the embedded library's variant), 2 for "Tcp port: ..." and
 * "Time   Id Command   Argument"; 0 otherwise.
 */
static int restart_line(const char *s, size_t n)
{
    if (n >= 9 && (s[0] == 'T' || s[0] == 't')) {
        if ((s[1] | 0x20) == 'c' && (s[2] | 0x20) == 'p' && s[3] == ' ' && (s[4] | 0x20) == 'p' &&
            memcmp(s + 5, "ort:", 4) == 0)
            return 2;
        if (memcmp(s, "Time", 4) == 0 && is_sp(s[4])) { /* MariaDB pads with tabs */
            size_t i = 5;
            while (i < n && is_sp(s[i]))
                i++;
            if (STARTS(s + i, n - i, "Id") && i + 2 < n && is_sp(s[i + 2]))
                return 2;
        }
    }
    size_t m = rtrim(s, n);
    if ((ENDS(s, m, "started with:") || ENDS(s, m, "embedded library")) &&
        memmem(s, m, ", Version: ", 11) != NULL)
        return 1;
    return 0;
}

/* ---- the parser ---------------------------------------------------------- */

enum state { S_OUT, S_HEAD, S_STMT };

/* What one entry's header and meta lines said. Buffers are reused. */
struct entry {
    uint64_t line;     /* first line */
    double query_s;    /* Query_time; NaN if absent */
    bool bad_qt;       /* Query_time present but malformed */
    bool has_qt_line;  /* a "# Query_time:" line was seen */
    bool has_uh;       /* a User@Host line was seen */
    int64_t rows_sent; /* -1 */
    int64_t rows_examined;
    int64_t time_us; /* "# Time:"; 0 if absent */
    bool time_iso;
    int64_t set_ts_us;  /* SET timestamp=; 0 if absent */
    bool admin;         /* the statement is an administrator command */
    bool last_meta_use; /* the last meta line was "use db;" */
    struct dbp_buf user;
    struct dbp_buf thread;
    struct dbp_buf schema;
    struct dbp_buf use_db;
    struct dbp_buf use_stmt; /* the last "use ..." line without its ';' */
    struct dbp_buf stmt;
    struct dbp_buf explain; /* "# explain:" rows, '\n'-separated */
};

struct slow {
    struct dbp_snapshot *snap;
    struct dbp_source *src;
    const char *name;
    struct dbp_error *err;
    int rc;
    enum state state;
    bool boundary; /* the last non-blank line ended with ';' */
    bool garbage;  /* inside a run of skipped lines (one diagnostic per run) */
    uint64_t lineno;
    struct entry e;
    struct dbp_buf db;  /* database inherited from earlier entries */
    int64_t last_ts_us; /* time inherited from earlier entries */
    int chunk;          /* a chunk of a split input: its number (audit -j) */
    struct dbp_buf fp;
};

static void problem(struct slow *p, uint64_t line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* One diagnostic "file:line: message"; the first one becomes err. */
static void problem(struct slow *p, uint64_t line, const char *fmt, ...)
{
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    dbp_snapshot_diag(p->snap, "%s:%llu: %s", p->name, (unsigned long long)line, msg);
    if (p->rc == DBP_OK)
        p->rc = dbp_error_set(p->err, DBP_ERR_FORMAT, "%s:%llu: %s", p->name,
                              (unsigned long long)line, msg);
}

static void entry_reset(struct entry *e, uint64_t line)
{
    e->line = line;
    e->query_s = NAN;
    e->bad_qt = false;
    e->has_qt_line = false;
    e->has_uh = false;
    e->rows_sent = -1;
    e->rows_examined = -1;
    e->time_us = 0;
    e->time_iso = false;
    e->set_ts_us = 0;
    e->admin = false;
    e->last_meta_use = false;
    dbp_buf_clear(&e->user);
    dbp_buf_clear(&e->thread);
    dbp_buf_clear(&e->schema);
    dbp_buf_clear(&e->use_db);
    dbp_buf_clear(&e->use_stmt);
    dbp_buf_clear(&e->stmt);
    dbp_buf_clear(&e->explain);
}

static void entry_free(struct entry *e)
{
    dbp_buf_free(&e->user);
    dbp_buf_free(&e->thread);
    dbp_buf_free(&e->schema);
    dbp_buf_free(&e->use_db);
    dbp_buf_free(&e->use_stmt);
    dbp_buf_free(&e->stmt);
    dbp_buf_free(&e->explain);
}

/* "root[root] @ localhost [1.2.3.4]  Id: 3": user and thread id. */
static void parse_user_host(struct entry *e, const char *s, const char *end)
{
    e->has_uh = true;
    while (s < end && is_sp(*s))
        s++;
    if (s >= end)
        return;
    const char *b = memchr(s, '[', (size_t)(end - s));
    const char *u = s, *ue = b ? b : end;
    while (ue > u && is_sp(ue[-1]))
        ue--;
    if (ue == u && b) { /* "[SQL_SLAVE] @ []": the name is in the brackets */
        u = b + 1;
        const char *c = memchr(u, ']', (size_t)(end - u));
        ue = c ? c : u;
    }
    /* a user name has no blanks; stop at the first one */
    for (const char *q = u; q < ue; q++)
        if (is_sp(*q)) {
            ue = q;
            break;
        }
    dbp_buf_clear(&e->user);
    if (ue > u)
        dbp_buf_append(&e->user, u, (size_t)(ue - u));
    /* "Id: N" after the host (MySQL >= 5.6) */
    for (const char *q = s; q + 3 < end; q++) {
        if (q[0] == 'I' && q[1] == 'd' && q[2] == ':' && (q == s || is_sp(q[-1]))) {
            const char *v = q + 3;
            while (v < end && is_sp(*v))
                v++;
            const char *ve = v;
            while (ve < end && is_digit(*ve))
                ve++;
            if (ve > v) {
                dbp_buf_clear(&e->thread);
                dbp_buf_append(&e->thread, v, (size_t)(ve - v));
            }
            break;
        }
    }
}

/*
 * "Key: value  Key: value" pairs of a header line (after the '#'). Only the
 * fields dbperf uses are kept; the rest (Lock_time, Percona's and MariaDB's
 * extra counters, MySQL 8's log_slow_extra fields) are skipped.
 */
static void parse_fields(struct entry *e, const char *s, const char *end)
{
    while (s < end) {
        while (s < end && !is_alpha(*s))
            s++;
        const char *k = s;
        while (s < end && is_key(*s))
            s++;
        size_t kl = (size_t)(s - k);
        if (kl == 0 || s >= end || *s != ':')
            continue;
        s++;
        if (s < end && !is_sp(*s))
            continue; /* "host:port" is not a field */
        while (s < end && is_sp(*s))
            s++;
        const char *v = s;
        while (s < end && !is_sp(*s))
            s++;
        size_t vl = (size_t)(s - v);
        switch (kl) {
        case 10:
            if (memcmp(k, "Query_time", 10) == 0) {
                double q;
                e->has_qt_line = true;
                if (parse_decimal(v, vl, &q)) {
                    e->query_s = q;
                    e->bad_qt = false;
                } else {
                    e->query_s = NAN;
                    e->bad_qt = true;
                }
            }
            break;
        case 9:
            if (memcmp(k, "Rows_sent", 9) == 0) {
                e->rows_sent = parse_count(v, vl);
            } else if (memcmp(k, "Thread_id", 9) == 0) {
                int64_t t = parse_count(v, vl);
                if (t >= 0) {
                    dbp_buf_clear(&e->thread);
                    dbp_buf_append(&e->thread, v, vl);
                }
            } else if (memcmp(k, "User@Host", 9) == 0) {
                parse_user_host(e, v, end);
                return;
            }
            break;
        case 13:
            if (memcmp(k, "Rows_examined", 13) == 0)
                e->rows_examined = parse_count(v, vl);
            break;
        case 6:
            if (memcmp(k, "Schema", 6) == 0) {
                dbp_buf_clear(&e->schema);
                if (vl > 0 && v[vl - 1] == ':') {
                    s = v; /* "Schema:  Last_errno: 0": empty, rescan the next key */
                } else if (vl > 0) {
                    dbp_buf_append(&e->schema, v, vl);
                }
            }
            break;
        case 4:
            if (memcmp(k, "User", 4) == 0) { /* "# User: name[name] @ [ip]" */
                parse_user_host(e, v, end);
                return;
            }
            break;
        default:
            break;
        }
    }
}

/*
 * A '#' line that starts an entry or belongs to a header: "# Word: ..." with
 * one or more blanks after the '#' (pt-query-digest's notion of a property line).
 */
static bool header_like(const char *s, size_t n)
{
    if (n < 4 || s[0] != '#' || !is_sp(s[1]))
        return false;
    size_t i = 1;
    while (i < n && is_sp(s[i]))
        i++;
    if (i >= n || !is_alpha(s[i]))
        return false;
    while (i < n && is_key(s[i]))
        i++;
    return i + 1 < n && s[i] == ':' && is_sp(s[i + 1]);
}

/* ---- MariaDB "# explain:" -> plan ------------------------------------------ */

enum {
    X_ID,
    X_SELECT_TYPE,
    X_TABLE,
    X_TYPE,
    X_KEY,
    X_ROWS,
    X_R_ROWS,
    X_R_FILTERED,
    X_EXTRA,
    X_NCOLS
};

static int explain_col(const char *s, size_t n)
{
    static const char *const names[X_NCOLS] = {"id",   "select_type", "table",      "type", "key",
                                               "rows", "r_rows",      "r_filtered", "Extra"};
    for (int i = 0; i < X_NCOLS; i++)
        if (strlen(names[i]) == n && memcmp(names[i], s, n) == 0)
            return i;
    return -1;
}

/* a cell, or NULL for an empty cell and the text NULL */
static const char *cell(struct dbp_snapshot *snap, const char *s, size_t n)
{
    if (n == 0 || (n == 4 && memcmp(s, "NULL", 4) == 0))
        return NULL;
    return dbp_arena_strndup(snap->arena, s, n);
}

static double cell_num(const char *s, size_t n)
{
    double v;
    return parse_decimal(s, n, &v) ? v : NAN;
}

static enum dbp_node_kind access_kind(const char *type, const char *extra)
{
    if (!type)
        return DBP_NODE_OTHER;
    if (strncmp(type, "hash_", 5) == 0) /* MariaDB hash join: hash_ALL, hash_range... */
        type += 5;
    if (strcmp(type, "ALL") == 0)
        return DBP_NODE_FULL_SCAN;
    static const char *const idx[] = {"ref",         "eq_ref",          "range",         "index",
                                      "ref_or_null", "index_merge",     "const",         "system",
                                      "fulltext",    "unique_subquery", "index_subquery"};
    for (size_t i = 0; i < sizeof idx / sizeof idx[0]; i++) {
        if (strcmp(type, idx[i]) == 0) {
            const char *u = extra ? strstr(extra, "Using index") : NULL;
            if (u && strncmp(u, "Using index condition", 21) != 0)
                return DBP_NODE_INDEX_ONLY_SCAN;
            return DBP_NODE_INDEX_SCAN;
        }
    }
    return DBP_NODE_OTHER;
}

/*
 * Build the plan of the tabular EXPLAIN in text (header row then one row per
 * table, tab-separated). Returns the root, or NULL if there is no data row.
 */
static struct dbp_plan_node *explain_tree(struct dbp_snapshot *snap, const char *text, size_t len,
                                          bool *analyzed)
{
    int map[64];
    int ncols = 0;
    struct dbp_plan_node *root = NULL, *first = NULL;
    size_t nrows = 0;
    const char *s = text, *end = text + len;
    bool header = true;
    while (s < end) {
        const char *nl = memchr(s, '\n', (size_t)(end - s));
        const char *le = nl ? nl : end;
        const char *c[X_NCOLS] = {0};
        size_t cl[X_NCOLS] = {0};
        int col = 0;
        const char *f = s;
        for (;;) {
            const char *tab = memchr(f, '\t', (size_t)(le - f));
            const char *fe = tab ? tab : le;
            if (header) {
                if (col < 64)
                    map[col] = explain_col(f, (size_t)(fe - f));
            } else if (col < ncols && map[col] >= 0) {
                c[map[col]] = f;
                cl[map[col]] = (size_t)(fe - f);
            }
            col++;
            if (!tab)
                break;
            f = tab + 1;
        }
        if (header) {
            ncols = col < 64 ? col : 64;
            header = false;
        } else if (col > 1) {
            struct dbp_plan_node *n = dbp_plan_node_new(snap);
            const char *type = c[X_TYPE] ? cell(snap, c[X_TYPE], cl[X_TYPE]) : NULL;
            const char *extra = c[X_EXTRA] ? cell(snap, c[X_EXTRA], cl[X_EXTRA]) : NULL;
            n->relation = c[X_TABLE] ? cell(snap, c[X_TABLE], cl[X_TABLE]) : NULL;
            n->index = c[X_KEY] ? cell(snap, c[X_KEY], cl[X_KEY]) : NULL;
            n->kind = access_kind(type, extra);
            if (!type && !n->relation)
                n->kind = DBP_NODE_RESULT; /* "No tables used" */
            n->engine_name = type ? type : (extra ? extra : "NULL");
            n->condition = extra; /* for attach_plan; replaced by the WHERE text or NULL */
            if (c[X_ROWS])
                n->est_rows = cell_num(c[X_ROWS], cl[X_ROWS]);
            if (c[X_R_ROWS]) {
                /* as for ANALYZE FORMAT=JSON (plan_json.c): r_rows are the rows read per
                 * loop, r_filtered the share the attached condition kept */
                n->rows_examined = cell_num(c[X_R_ROWS], cl[X_R_ROWS]);
                if (!isnan(n->rows_examined)) {
                    double kept =
                        c[X_R_FILTERED] ? cell_num(c[X_R_FILTERED], cl[X_R_FILTERED]) : NAN;
                    n->act_rows = isnan(kept) ? n->rows_examined : n->rows_examined * kept / 100.0;
                    *analyzed = true;
                    n->loops = 1;
                }
            }
            if (nrows == 0) {
                first = n;
            } else {
                if (nrows == 1) {
                    root = dbp_plan_node_new(snap);
                    root->kind = DBP_NODE_JOIN;
                    root->engine_name = "nested loop";
                    dbp_plan_node_add_child(snap, root, first);
                }
                dbp_plan_node_add_child(snap, root, n);
            }
            nrows++;
        }
        s = nl ? nl + 1 : end;
    }
    return nrows > 1 ? root : first;
}

/* ---- what the tabular EXPLAIN leaves out, from the statement itself ------- */

/*
 * The tabular EXPLAIN names a table by its alias and says only "Using where"
 * for a filter. A small tokenizer over the statement (comments and quoted
 * strings skipped, no regular expressions) recovers the tables behind the
 * aliases (FROM / JOIN clauses) and the text of the top-level WHERE clause,
 * whose columns become the node's predicates (dbp_preds_from_condition).
 */
enum { T_END, T_WORD, T_STR, T_PUNCT };

struct tok {
    const char *s;
    size_t n;
    int kind;
};

static int next_tok(const char **sp, const char *end, struct tok *t)
{
    const char *s = *sp;
    for (;;) {
        while (s < end && (is_sp(*s) || *s == '\n' || *s == '\r'))
            s++;
        if (s + 1 < end && ((s[0] == '-' && s[1] == '-') || s[0] == '#')) {
            while (s < end && *s != '\n')
                s++;
            continue;
        }
        if (s < end && s[0] == '#') {
            while (s < end && *s != '\n')
                s++;
            continue;
        }
        if (s + 1 < end && s[0] == '/' && s[1] == '*') {
            const char *c = s + 2;
            while (c + 1 < end && !(c[0] == '*' && c[1] == '/'))
                c++;
            s = c + 1 < end ? c + 2 : end;
            continue;
        }
        break;
    }
    t->s = s;
    if (s >= end) {
        t->n = 0;
        *sp = s;
        return t->kind = T_END;
    }
    char c = *s;
    if (c == '\'' || c == '"' || c == '`') {
        const char *q = s + 1;
        while (q < end && *q != c) {
            if (*q == '\\' && c != '`' && q + 1 < end)
                q++;
            q++;
        }
        q = q < end ? q + 1 : end;
        t->n = (size_t)(q - s);
        *sp = q;
        return t->kind = c == '`' ? T_WORD : T_STR;
    }
    if (is_alpha(c) || is_digit(c) || c == '_' || c == '$' || (unsigned char)c >= 0x80) {
        const char *q = s;
        while (q < end && (is_alpha(*q) || is_digit(*q) || *q == '_' || *q == '$' ||
                           (unsigned char)*q >= 0x80))
            q++;
        t->n = (size_t)(q - s);
        *sp = q;
        return t->kind = T_WORD;
    }
    t->n = 1;
    *sp = s + 1;
    return t->kind = T_PUNCT;
}

static bool tok_is(const struct tok *t, const char *kw)
{
    size_t n = strlen(kw);
    if (t->kind != T_WORD || t->n != n)
        return false;
    for (size_t i = 0; i < n; i++)
        if ((t->s[i] | 0x20) != kw[i])
            return false;
    return true;
}

/* words after a table name that are not its alias */
static bool clause_word(const struct tok *t)
{
    static const char *const kw[] = {
        "where",  "join",   "inner",  "left",  "right",  "cross",     "straight_join", "natural",
        "on",     "using",  "group",  "order", "limit",  "having",    "union",         "for",
        "lock",   "set",    "window", "use",   "force",  "ignore",    "partition",     "into",
        "values", "select", "outer",  "full",  "except", "intersect", "returning",     "procedure"};
    for (size_t i = 0; i < sizeof kw / sizeof kw[0]; i++)
        if (tok_is(t, kw[i]))
            return true;
    return false;
}

#define MAX_ALIASES 32

struct sql_info {
    struct tok alias[MAX_ALIASES], table[MAX_ALIASES], schema[MAX_ALIASES];
    size_t n;
    const char *where; /* top-level WHERE clause text, NULL if none */
    size_t where_len;
};

static void unquote(const struct tok *t, const char **s, size_t *n)
{
    *s = t->s;
    *n = t->n;
    if (*n >= 2 && **s == '`' && (*s)[*n - 1] == '`') {
        (*s)++;
        *n -= 2;
    }
}

static void sql_scan(const char *sql, size_t len, struct sql_info *info)
{
    const char *s = sql, *end = sql + len;
    struct tok t;
    int depth = 0;
    memset(info, 0, sizeof *info);
    const char *where_start = NULL;
    while (next_tok(&s, end, &t) != T_END) {
        if (t.kind == T_PUNCT) {
            if (*t.s == '(')
                depth++;
            else if (*t.s == ')')
                depth--;
            else if (*t.s == ';' && depth == 0 && where_start) {
                info->where = where_start;
                info->where_len = (size_t)(t.s - where_start);
                where_start = NULL;
            }
            continue;
        }
        if (depth == 0 && where_start &&
            (tok_is(&t, "group") || tok_is(&t, "order") || tok_is(&t, "limit") ||
             tok_is(&t, "having") || tok_is(&t, "union") || tok_is(&t, "for") ||
             tok_is(&t, "lock") || tok_is(&t, "window") || tok_is(&t, "into"))) {
            info->where = where_start;
            info->where_len = (size_t)(t.s - where_start);
            where_start = NULL;
            continue;
        }
        if (depth == 0 && !info->where && !where_start && tok_is(&t, "where")) {
            where_start = s;
            continue;
        }
        if (!tok_is(&t, "from") && !tok_is(&t, "join") && !tok_is(&t, "update") &&
            !tok_is(&t, "straight_join"))
            continue;
        /* table [AS] alias {, table [AS] alias} */
        for (;;) {
            const char *save = s;
            struct tok a, b, c;
            if (next_tok(&s, end, &a) != T_WORD || clause_word(&a)) {
                s = save;
                break;
            }
            struct tok tab = a, sch = {0};
            save = s;
            if (next_tok(&s, end, &b) == T_PUNCT && *b.s == '.') {
                if (next_tok(&s, end, &c) != T_WORD)
                    break;
                sch = a;
                tab = c;
            } else {
                s = save;
            }
            struct tok al = tab;
            save = s;
            if (next_tok(&s, end, &b) == T_WORD && tok_is(&b, "as"))
                next_tok(&s, end, &b);
            if (b.kind == T_WORD && !clause_word(&b)) {
                al = b;
                save = s;
            } else {
                s = save;
            }
            if (info->n < MAX_ALIASES) {
                info->alias[info->n] = al;
                info->table[info->n] = tab;
                info->schema[info->n] = sch;
                info->n++;
            }
            if (next_tok(&s, end, &b) != T_PUNCT || *b.s != ',') {
                s = save;
                break;
            }
        }
    }
    if (where_start) {
        info->where = where_start;
        info->where_len = (size_t)(end - where_start);
    }
}

/* Put the table behind the node's alias and the WHERE clause's columns on the node. */
static void enrich_node(struct dbp_snapshot *snap, struct dbp_plan_node *n,
                        const struct sql_info *info, const char *where, const char *extra)
{
    const char *name = n->relation;
    if (name && name[0] == '<') { /* <derived2>, <subquery3>, <union1,2>: no table */
        n->alias = name;
        n->relation = NULL;
        return;
    }
    if (!name)
        return;
    size_t nl = strlen(name);
    for (size_t i = 0; i < info->n; i++) {
        const char *a, *t, *d;
        size_t al, tl, dl;
        unquote(&info->alias[i], &a, &al);
        if (al != nl || strncasecmp(a, name, nl) != 0)
            continue;
        unquote(&info->table[i], &t, &tl);
        if (tl != nl || memcmp(t, name, nl) != 0) {
            n->alias = name;
            n->relation = dbp_arena_strndup(snap->arena, t, tl);
        }
        if (info->schema[i].n) {
            unquote(&info->schema[i], &d, &dl);
            n->schema = dbp_arena_strndup(snap->arena, d, dl);
        }
        break;
    }
    if (where && extra && strstr(extra, "Using where")) {
        n->condition = where;
        n->n_preds =
            dbp_preds_from_condition(snap->arena, where, n->alias ? n->alias : name, &n->preds);
    }
}

static void attach_plan(struct slow *p, struct dbp_stmt *st, double ms, const char *sql,
                        size_t sql_len)
{
    struct entry *e = &p->e;
    bool analyzed = false;
    struct dbp_plan_node *root = explain_tree(p->snap, e->explain.data, e->explain.len, &analyzed);
    if (!root)
        return;
    struct sql_info info;
    sql_scan(sql, sql_len, &info);
    const char *where =
        info.where_len ? dbp_arena_strndup(p->snap->arena, info.where, info.where_len) : NULL;
    if (root->kind == DBP_NODE_JOIN) {
        for (size_t i = 0; i < root->n_children; i++)
            enrich_node(p->snap, root->children[i], &info, where, root->children[i]->condition);
    } else {
        enrich_node(p->snap, root, &info, where, root->condition);
    }
    /* the Extra column rode in condition until now; the WHERE text replaces it */
    if (root->kind == DBP_NODE_JOIN) {
        for (size_t i = 0; i < root->n_children; i++)
            if (root->children[i]->condition != where)
                root->children[i]->condition = NULL;
    } else if (root->condition != where) {
        root->condition = NULL;
    }
    struct dbp_plan *plan = st->plan;
    bool fresh = !plan || plan->format != plan_format;
    if (fresh)
        plan = dbp_arena_alloc(p->snap->arena, sizeof *plan);
    plan->engine = DBP_ENGINE_MYSQL;
    plan->format = plan_format;
    plan->origin =
        dbp_arena_printf(p->snap->arena, "%s:%llu", p->name, (unsigned long long)e->line);
    plan->analyzed = analyzed;
    plan->planning_ms = NAN;
    plan->execution_ms = ms;
    plan->root = root;
    plan->stmt = st;
    if (fresh)
        dbp_snapshot_add_plan(p->snap, plan);
}

/* ---- entries ------------------------------------------------------------- */

/* Strip "use " and ';' and backquotes: the database a "use" line names. */
static void use_line(struct entry *e, const char *s, size_t n)
{
    n = rtrim(s, n);
    if (n && s[n - 1] == ';')
        n--;
    dbp_buf_clear(&e->use_stmt);
    dbp_buf_append(&e->use_stmt, s, n);
    const char *d = s + 4, *de = s + n;
    while (d < de && is_sp(*d))
        d++;
    while (de > d && is_sp(de[-1]))
        de--;
    if (de - d >= 2 && *d == '`' && de[-1] == '`') {
        d++;
        de--;
    }
    if (!e->use_db.len && de > d) /* the first one names the entry's database */
        dbp_buf_append(&e->use_db, d, (size_t)(de - d));
    e->last_meta_use = true;
}

/* "SET timestamp=N;" possibly among other assignments ("insert_id=1,timestamp=N") */
static void set_line(struct entry *e, const char *s, size_t n)
{
    const char *t = STARTS(s + 4, n - 4, "timestamp=") ? s + 4 : memmem(s, n, "timestamp=", 10);
    if (!t)
        return;
    const char *v = t + 10, *end = s + n;
    int64_t sec = 0;
    int k = 0;
    while (v < end && is_digit(*v) && k < 12) {
        sec = sec * 10 + (*v++ - '0');
        k++;
    }
    /* no digits, or more than 12 (beyond year 33000: sec * 1000000 would overflow) */
    if (k == 0 || (v < end && is_digit(*v)))
        return;
    int64_t us = frac_us(&v, end);
    e->set_ts_us = sec * 1000000 + us;
}

/*
 * The entry is complete: count it into the model. at_eof and the absence of a
 * statement decide between a USE statement, a diagnostic and nothing.
 */
static void finish_entry(struct slow *p, bool at_eof)
{
    struct entry *e = &p->e;
    enum state was = p->state;
    p->state = S_OUT;
    p->boundary = false;
    if (was == S_OUT)
        return;
    size_t n = rtrim(e->stmt.data ? e->stmt.data : "", e->stmt.len);
    if (n > 0 && e->stmt.data[n - 1] == ';')
        n = rtrim(e->stmt.data, n - 1);
    const char *text = e->stmt.data;
    if (n == 0 && e->last_meta_use && e->use_stmt.len) {
        /* "use db;" was the statement itself (it came last, nothing followed) */
        text = e->use_stmt.data;
        n = e->use_stmt.len;
    } else if (n == 0) {
        p->src->skipped++;
        problem(p, e->line, "slow log entry without a statement%s: skipped",
                at_eof ? " (truncated at end of input)" : "");
        return;
    }
    if (e->bad_qt) {
        p->src->skipped++;
        problem(p, e->line, "malformed Query_time: entry skipped");
        return;
    }

    /* time of the entry: an absolute # Time (5.7+), else SET timestamp, else
     * the server-local # Time read as UTC, else the last one seen */
    int64_t ts = 0;
    if (e->time_iso)
        ts = e->time_us;
    else if (e->set_ts_us)
        ts = e->set_ts_us;
    else if (e->time_us)
        ts = e->time_us;
    else
        ts = p->last_ts_us;
    if (!ts && p->chunk > 0) /* its time is the previous chunk's last one */
        p->src->chunk_open |= DBP_CHUNK_HEAD_OPEN;
    if (e->time_us)
        p->last_ts_us = e->time_us;
    if (e->set_ts_us && !e->time_iso)
        p->last_ts_us = e->set_ts_us;

    /* database: Schema:, else the entry's use, else the last one named */
    const char *db = NULL;
    if (e->schema.len) {
        db = e->schema.data;
    } else if (e->use_db.len) {
        db = e->use_db.data;
    } else if (p->db.len) {
        db = p->db.data;
    }
    if (db && db != p->db.data) {
        dbp_buf_clear(&p->db);
        dbp_buf_puts(&p->db, db);
    }

    dbp_fingerprint(DBP_FP_PT, text, n, &p->fp);
    struct dbp_stmt *st =
        dbp_snapshot_stmt(p->snap, DBP_ENGINE_MYSQL, db, p->fp.data ? p->fp.data : "", p->fp.len);
    double ms = e->query_s * 1000.0;
    int64_t rows_ex = e->rows_examined, rows_sent = e->rows_sent;
    if (e->admin) { /* as pt-query-digest: row counts of admin commands are zero */
        if (rows_ex > 0)
            rows_ex = 0;
        if (rows_sent > 0)
            rows_sent = 0;
    }
    dbp_agg_add(&st->agg, ms, rows_ex, rows_sent, ts);
    bool slowest = !st->example || ms > st->example_ms;
    dbp_stmt_offer_example(p->snap, st, text, n, ms);
    if (!st->user && e->user.len)
        st->user = dbp_arena_strndup(p->snap->arena, e->user.data, e->user.len);
    if (e->explain.len && slowest)
        attach_plan(p, st, ms, text, n);
    if (e->thread.len) {
        struct dbp_session_event ev = {
            .session = e->thread.data,
            .session_len = e->thread.len,
            .ts_us = ts,
            .stmt = st,
            .duration_ms = ms,
            .rows = rows_sent,
        };
        dbp_snapshot_session_event(p->snap, &ev);
        if (e->admin && n == 27 && memcmp(text, "administrator command: Quit", 27) == 0)
            dbp_snapshot_session_end(p->snap, e->thread.data, e->thread.len);
    }
    p->src->entries++;
}

static void start_entry(struct slow *p)
{
    entry_reset(&p->e, p->lineno);
    p->state = S_HEAD;
    p->boundary = false;
    p->garbage = false;
}

/* A header line ('#' first) of the current entry. */
static void header_line(struct slow *p, const char *s, size_t n)
{
    struct entry *e = &p->e;
    const char *end = s + n;
    const char *q = s + 1;
    while (q < end && is_sp(*q))
        q++;
    size_t m = (size_t)(end - q);
    if (STARTS(q, m, "Time:")) {
        const char *v = q + 5;
        /* old servers write "# Time: ... # User@Host: ..." on one line */
        const char *h = memchr(v, '#', (size_t)(end - v));
        const char *uh = h ? memmem(h, (size_t)(end - h), "# User@Host:", 12) : NULL;
        e->time_us = parse_time(v, uh ? uh : end, &e->time_iso);
        if (uh)
            parse_user_host(e, uh + 12, end);
        return;
    }
    if (STARTS(q, m, "User@Host:")) {
        parse_user_host(e, q + 10, end);
        return;
    }
    if (STARTS(q, m, "explain:")) {
        const char *v = q + 8;
        if (v < end && *v == ' ')
            v++;
        if (e->explain.len)
            dbp_buf_putc(&e->explain, '\n');
        dbp_buf_append(&e->explain, v, (size_t)(end - v));
        return;
    }
    if (m && (is_alpha(*q)))
        parse_fields(e, q, end);
}

/* "# administrator command: Quit;" -> statement "administrator command: Quit" */
static void admin_line(struct slow *p, const char *s, size_t n)
{
    struct entry *e = &p->e;
    const char *q = s + 1;
    while ((size_t)(q - s) < n && is_sp(*q))
        q++;
    dbp_buf_clear(&e->stmt);
    dbp_buf_append(&e->stmt, q, n - (size_t)(q - s));
    e->admin = true;
    p->state = S_STMT;
    p->boundary = ends_stmt(s, n);
}

static bool admin_like(const char *s, size_t n)
{
    const char *q = s + 1, *end = s + n;
    while (q < end && is_sp(*q))
        q++;
    return STARTS(q, (size_t)(end - q), "administrator command:");
}

/*
 * Does a '#' header line of this kind open a new entry even though the
 * current one has no statement yet? Yes when the current header already had
 * its Query_time (the previous entry lost its statement: a truncated write).
 */
static bool opens_entry(const struct entry *e, const char *s, size_t n)
{
    if (!e->has_qt_line)
        return false;
    const char *q = s + 1, *end = s + n;
    while (q < end && is_sp(*q))
        q++;
    size_t m = (size_t)(end - q);
    return STARTS(q, m, "Time:") || STARTS(q, m, "User@Host:") || STARTS(q, m, "Query_time:");
}

/*
 * "# Time: ", "# User@Host: ", "# Query_time: ": lines no statement holds,
 * so they open a new entry even when the previous statement did not end with
 * ';' (a truncated write, or text between entries). pt-query-digest would
 * glue such entries together.
 */
static bool strong_header(const char *s, size_t n)
{
    return STARTS(s, n, "# Time: ") || STARTS(s, n, "# User@Host: ") ||
           STARTS(s, n, "# Query_time: ");
}

static void process_line(struct slow *p, const char *s, size_t n)
{
    if (n && s[n - 1] == '\r')
        n--;
    if (n && s[0] == '#') {
        switch (p->state) {
        case S_STMT:
            if ((p->boundary && (header_like(s, n) || admin_like(s, n))) || strong_header(s, n)) {
                finish_entry(p, false);
                break; /* opens the next entry below */
            }
            dbp_buf_putc(&p->e.stmt, '\n');
            dbp_buf_append(&p->e.stmt, s, n);
            p->boundary = ends_stmt(s, n);
            return;
        case S_HEAD:
            if (admin_like(s, n)) {
                admin_line(p, s, n);
                return;
            }
            if (p->boundary) {
                /* after "use db;" / "SET timestamp=...;": a new entry, or a
                 * statement that starts with a '#' comment */
                if (header_like(s, n)) {
                    finish_entry(p, false);
                    break;
                }
                p->state = S_STMT;
                dbp_buf_append(&p->e.stmt, s, n);
                p->boundary = ends_stmt(s, n);
                return;
            }
            if (opens_entry(&p->e, s, n)) {
                finish_entry(p, false);
                break;
            }
            header_line(p, s, n);
            return;
        case S_OUT:
            break;
        }
        /* S_OUT: a header field or an admin command opens an entry */
        if (header_like(s, n)) {
            start_entry(p);
            header_line(p, s, n);
        } else if (admin_like(s, n)) {
            start_entry(p);
            admin_line(p, s, n);
        } else if (!p->garbage) {
            p->garbage = true;
            p->src->skipped++;
            problem(p, p->lineno, "text outside a slow log entry: skipped up to the next entry");
        }
        return;
    }

    /* not a '#' line */
    if (n) {
        int h = restart_line(s, n);
        if (h) {
            if (p->state != S_OUT)
                finish_entry(p, false);
            if (h == 1) {
                const char *v = memmem(s, n, ", Version: ", 11) + 11;
                const char *ve = v;
                while (ve < s + n && !is_sp(*ve))
                    ve++;
                const char *cur = p->src->server_version;
                size_t vl = (size_t)(ve - v);
                if (vl && (!cur || strlen(cur) != vl || memcmp(cur, v, vl) != 0))
                    p->src->server_version = dbp_arena_strndup(p->snap->arena, v, vl);
                /* a new server process (or a reopened log): nothing carries over */
                dbp_buf_clear(&p->db);
                dbp_snapshot_sessions_flush(p->snap);
            }
            p->garbage = false;
            return;
        }
    }
    switch (p->state) {
    case S_OUT:
        if (rtrim(s, n) == 0)
            return;
        if (!p->garbage) {
            p->garbage = true;
            p->src->skipped++;
            problem(p, p->lineno, "text outside a slow log entry: skipped up to the next entry");
        }
        return;
    case S_HEAD:
        if (n >= 4 && memcmp(s, "use ", 4) == 0 && ends_stmt(s, n)) {
            use_line(&p->e, s, n);
            p->boundary = true;
            return;
        }
        if (n >= 4 && memcmp(s, "SET ", 4) == 0 &&
            (STARTS(s + 4, n - 4, "timestamp") || STARTS(s + 4, n - 4, "insert_id") ||
             STARTS(s + 4, n - 4, "last_insert_id"))) {
            set_line(&p->e, s, n);
            p->e.last_meta_use = false;
            p->boundary = ends_stmt(s, n);
            return;
        }
        if (rtrim(s, n) == 0)
            return;
        p->state = S_STMT;
        dbp_buf_append(&p->e.stmt, s, n);
        p->boundary = ends_stmt(s, n);
        return;
    case S_STMT:
        dbp_buf_putc(&p->e.stmt, '\n');
        dbp_buf_append(&p->e.stmt, s, n);
        if (rtrim(s, n))
            p->boundary = ends_stmt(s, n);
        return;
    }
}

static int parse(struct dbp_reader *r, const struct dbp_parse_opts *o, struct dbp_snapshot *snap,
                 struct dbp_source *src, struct dbp_error *err)
{
    struct slow p = {
        .snap = snap,
        .src = src,
        .name = dbp_reader_name(r),
        .err = err,
        .rc = DBP_OK,
        .state = S_OUT,
    };
    dbp_error_clear(err);
    if (o && o->chunk > 0) { /* a later chunk: the database current here is the previous one's */
        dbp_buf_puts(&p.db, DBP_CHUNK_UNKNOWN_DB);
        p.chunk = o->chunk;
    }
    int io = DBP_OK;
    for (;;) {
        const char *line;
        size_t len;
        struct dbp_error rerr;
        int rc = dbp_reader_line(r, &line, &len, &rerr);
        if (rc == 0)
            break;
        p.lineno = dbp_reader_lineno(r);
        if (rc == -DBP_ERR_FORMAT) {
            /* an over-long line: the entry it belonged to is lost */
            dbp_snapshot_diag(snap, "%s", rerr.message);
            if (p.rc == DBP_OK)
                p.rc = dbp_error_set(err, DBP_ERR_FORMAT, "%s", rerr.message);
            src->skipped++;
            p.state = S_OUT;
            p.garbage = true;
            continue;
        }
        if (rc < 0) {
            io = -rc;
            dbp_snapshot_diag(snap, "%s", rerr.message);
            finish_entry(&p, true);
            dbp_error_set(err, io, "%s", rerr.message);
            break;
        }
        process_line(&p, line, len);
    }
    if (io == DBP_OK)
        finish_entry(&p, true);
    src->bytes = dbp_reader_bytes(r);
    src->carry_db = p.db.len ? dbp_arena_strndup(snap->arena, p.db.data, p.db.len) : NULL;
    entry_free(&p.e);
    dbp_buf_free(&p.db);
    dbp_buf_free(&p.fp);
    return io != DBP_OK ? io : p.rc;
}

/* ---- probe --------------------------------------------------------------- */

static int probe(const unsigned char *head, size_t len)
{
    const char *s = (const char *)head, *end = s + len;
    int score = 0;
    int lines = 0;
    while (s < end && lines < 400) {
        const char *nl = memchr(s, '\n', (size_t)(end - s));
        const char *le = nl ? nl : end;
        size_t n = (size_t)(le - s);
        if (n && s[n - 1] == '\r')
            n--;
        if (STARTS(s, n, "# Query_time: "))
            return 95;
        if (STARTS(s, n, "# User@Host: ") || STARTS(s, n, "# Time: "))
            score = score < 85 ? 85 : score;
        else if (restart_line(s, n) == 1)
            score = score < 60 ? 60 : score;
        lines++;
        s = nl ? nl + 1 : end;
    }
    return score;
}

/* A chunk may start at an entry's first header line: "# Time:", or "# User@Host:" without one. */
static int split_ok(const char *line, size_t len, const char *prev, size_t prev_len)
{
    if (len >= 7 && memcmp(line, "# Time:", 7) == 0)
        return 1;
    return len >= 12 && memcmp(line, "# User@Host:", 12) == 0 &&
           !(prev_len >= 7 && memcmp(prev, "# Time:", 7) == 0);
}

const struct dbp_format dbp_my_slow_format = {
    .name = "mysql-slow",
    .summary = "MySQL / Percona Server / MariaDB slow query log",
    .probe = probe,
    .parse = parse,
    .split_ok = split_ok,
};
