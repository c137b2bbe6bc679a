/*
 * mdoc.c -- a small parser for the documents MongoDB prints: relaxed and
 * canonical Extended JSON (JSON log, mongoexport, explain, $indexStats) and
 * the shell-like text of the 3.x-4.2 text log ({ a: 1.0, d: new Date(1),
 * o: ObjectId('..'), r: /^x/i }). One pass, nodes in an array reused across
 * documents, strings left in the input; no allocation per value.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <dbperf/arena.h>
#include <dbperf/buf.h>
#include <dbperf/scan.h>

#include "mongo_int.h"

#define MAX_DEPTH 128

struct P {
    struct dbp_mdoc *d;
    const char *s;
    size_t len, i;
    int depth;
};

static int32_t new_node(struct P *p, enum dbp_mdoc_type t)
{
    struct dbp_mdoc *d = p->d;
    if (d->len == d->cap) {
        d->cap = d->cap ? d->cap * 2 : 256;
        d->n = dbp_xrealloc(d->n, d->cap * sizeof *d->n);
    }
    struct dbp_mdoc_node *n = &d->n[d->len];
    memset(n, 0, sizeof *n);
    n->type = t;
    n->child = -1;
    n->next = -1;
    n->num = NAN;
    return (int32_t)d->len++;
}

static inline void ws(struct P *p)
{
    p->i = dbp_json_ws(p->s, p->len, p->i);
}

static int fail(struct P *p, const char *msg)
{
    p->d->error = msg;
    return -1;
}

/* At a quote: the contents' span; p->i after the closing quote. */
static int str_span(struct P *p, const char **v, size_t *n, bool *esc)
{
    size_t st = p->i + 1;
    size_t k = dbp_quoted_end(p->s, p->len, p->i, p->s[p->i], esc);
    if (k == SIZE_MAX)
        return fail(p, "unterminated string");
    *v = p->s + st;
    *n = k - st;
    p->i = k + 1;
    return 0;
}

static inline bool num_char(char c)
{
    return (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '+' || c == 'e' || c == 'E';
}

static bool ident_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '$' || c == '.';
}

/* Skip balanced parentheses starting at '(' (quotes respected). */
static int skip_parens(struct P *p)
{
    int depth = 0;
    while (p->i < p->len) {
        char c = p->s[p->i];
        if (c == '"' || c == '\'') {
            const char *v;
            size_t n;
            bool e;
            if (str_span(p, &v, &n, &e) < 0)
                return -1;
            continue;
        }
        p->i++;
        if (c == '(')
            depth++;
        else if (c == ')' && --depth == 0)
            return 0;
    }
    return fail(p, "unterminated constructor");
}

static double parse_number(const char *s, size_t n)
{
    /* fast path: optional '-' then digits */
    size_t i = 0;
    bool neg = false;
    if (i < n && s[i] == '-') {
        neg = true;
        i++;
    }
    if (i < n && n - i < 16) {
        uint64_t v = 0;
        size_t j;
        for (j = i; j < n && s[j] >= '0' && s[j] <= '9'; j++)
            v = v * 10 + (uint64_t)(s[j] - '0');
        if (j == n)
            return neg ? -(double)v : (double)v;
    }
    char tmp[64];
    if (n >= sizeof tmp)
        n = sizeof tmp - 1;
    memcpy(tmp, s, n);
    tmp[n] = 0;
    return strtod(tmp, NULL);
}

static const char *const ext_scalars[] = {
    "$oid",    "$binary",    "$timestamp", "$uuid", "$regularExpression", "$minKey",
    "$maxKey", "$undefined", "$symbol",    "$code", "$dbPointer",         "$numberDecimal"};

/* Turn an Extended JSON wrapper object into a scalar. */
static void ext_json(struct P *p, int32_t idx)
{
    struct dbp_mdoc_node *n = &p->d->n[idx];
    if (n->child < 0)
        return;
    struct dbp_mdoc_node *c = &p->d->n[n->child];
    if (c->key_len < 2 || c->key[0] != '$')
        return;
    bool single = c->next < 0;
    if (single && (dbp_mdoc_key_eq(c, "$numberInt") || dbp_mdoc_key_eq(c, "$numberLong") ||
                   dbp_mdoc_key_eq(c, "$numberDouble"))) {
        double v = dbp_mdoc_num(c);
        n->type = DBP_MD_NUM;
        n->num = v;
        return;
    }
    if (single && dbp_mdoc_key_eq(c, "$date")) {
        n->type = DBP_MD_DATE;
        if (c->type == DBP_MD_STR)
            n->num = (double)(dbp_mongo_parse_iso(c->val, c->val_len) / 1000);
        else
            n->num = dbp_mdoc_num(c);
        return;
    }
    for (size_t k = 0; k < sizeof ext_scalars / sizeof ext_scalars[0]; k++)
        if (dbp_mdoc_key_eq(c, ext_scalars[k])) {
            n->type = DBP_MD_OTHER;
            return;
        }
}

static int value(struct P *p, int32_t *out);

static int members(struct P *p, int32_t idx, bool obj)
{
    char close = obj ? '}' : ']';
    int32_t last = -1;
    uint32_t count = 0;
    p->i++;
    for (;;) {
        ws(p);
        if (p->i >= p->len)
            return fail(p, obj ? "unterminated object" : "unterminated array");
        if (p->s[p->i] == close) {
            p->i++;
            break;
        }
        if (count) {
            if (p->s[p->i] != ',')
                return fail(p, "expected ','");
            p->i++;
            ws(p);
            if (p->i < p->len && p->s[p->i] == close) { /* trailing comma */
                p->i++;
                break;
            }
        }
        const char *k = NULL;
        size_t kn = 0;
        bool kesc = false;
        if (obj) {
            if (p->i >= p->len)
                return fail(p, "unterminated object");
            if (p->s[p->i] == '"' || p->s[p->i] == '\'') {
                if (str_span(p, &k, &kn, &kesc) < 0)
                    return -1;
            } else {
                size_t st = p->i;
                while (p->i < p->len && p->s[p->i] != ':' && p->s[p->i] != ',' &&
                       p->s[p->i] != '}' && p->s[p->i] != ' ')
                    p->i++;
                k = p->s + st;
                kn = p->i - st;
                if (!kn)
                    return fail(p, "expected a member name");
            }
            ws(p);
            if (p->i >= p->len || p->s[p->i] != ':')
                return fail(p, "expected ':'");
            p->i++;
        }
        int32_t c;
        if (value(p, &c) < 0)
            return -1;
        struct dbp_mdoc_node *cn = &p->d->n[c];
        cn->key = k;
        cn->key_len = (uint32_t)kn;
        if (kesc)
            cn->escaped = true;
        if (last < 0)
            p->d->n[idx].child = c;
        else
            p->d->n[last].next = c;
        last = c;
        count++;
    }
    p->d->n[idx].n_children = count;
    return 0;
}

static int value(struct P *p, int32_t *out)
{
    ws(p);
    if (p->i >= p->len)
        return fail(p, "unexpected end of document");
    size_t st = p->i;
    char c = p->s[p->i];
    int32_t idx;
    if (c == '{' || c == '[') {
        if (++p->depth > MAX_DEPTH)
            return fail(p, "document nested too deeply");
        idx = new_node(p, c == '{' ? DBP_MD_OBJ : DBP_MD_ARR);
        if (members(p, idx, c == '{') < 0)
            return -1;
        p->depth--;
        if (c == '{')
            ext_json(p, idx);
    } else if (c == '"' || c == '\'') {
        const char *v;
        size_t n;
        bool e;
        if (str_span(p, &v, &n, &e) < 0)
            return -1;
        idx = new_node(p, DBP_MD_STR);
        p->d->n[idx].escaped = e;
        p->d->n[idx].val = v;
        p->d->n[idx].val_len = (uint32_t)n;
        *out = idx;
        return 0;
    } else if (c == '-' || c == '+' || c == '.' || (c >= '0' && c <= '9')) {
        while (p->i < p->len && num_char(p->s[p->i]))
            p->i++;
        if (p->i < p->len && ident_char(p->s[p->i])) { /* -inf, 1.#INF */
            while (p->i < p->len && ident_char(p->s[p->i]))
                p->i++;
            idx = new_node(p, DBP_MD_OTHER);
        } else {
            idx = new_node(p, DBP_MD_NUM);
            p->d->n[idx].num = parse_number(p->s + st, p->i - st);
        }
    } else if (c == '/') {
        p->i++;
        while (p->i < p->len && p->s[p->i] != '/') {
            if (p->s[p->i] == '\\')
                p->i++;
            p->i++;
        }
        if (p->i >= p->len)
            return fail(p, "unterminated regular expression");
        p->i++;
        while (p->i < p->len && ident_char(p->s[p->i]))
            p->i++;
        idx = new_node(p, DBP_MD_OTHER);
    } else if (ident_char(c)) {
        while (p->i < p->len && ident_char(p->s[p->i]))
            p->i++;
        size_t n = p->i - st;
        const char *w = p->s + st;
        if (n == 3 && memcmp(w, "new", 3) == 0) {
            ws(p);
            size_t s2 = p->i;
            while (p->i < p->len && ident_char(p->s[p->i]))
                p->i++;
            w = p->s + s2;
            n = p->i - s2;
        }
        size_t save = p->i;
        ws(p);
        if (p->i < p->len && p->s[p->i] == '(') {
            if (skip_parens(p) < 0)
                return -1;
            bool date =
                (n == 4 && memcmp(w, "Date", 4) == 0) || (n == 7 && memcmp(w, "ISODate", 7) == 0);
            bool numfn = (n == 10 && memcmp(w, "NumberLong", 10) == 0) ||
                         (n == 9 && memcmp(w, "NumberInt", 9) == 0);
            idx = new_node(p, date ? DBP_MD_DATE : numfn ? DBP_MD_NUM : DBP_MD_OTHER);
            if (numfn || date) {
                /* the argument: a number or a quoted number / date */
                const char *a = memchr(w, '(', (size_t)(p->s + p->i - w));
                if (a) {
                    a++;
                    while (*a == ' ' || *a == '"' || *a == '\'')
                        a++;
                    const char *e = a;
                    while (e < p->s + p->i && *e != ')' && *e != '"' && *e != '\'')
                        e++;
                    if (date && e > a && (*a < '0' || *a > '9' || memchr(a, '-', (size_t)(e - a))))
                        p->d->n[idx].num = (double)(dbp_mongo_parse_iso(a, (size_t)(e - a)) / 1000);
                    else if (e > a)
                        p->d->n[idx].num = parse_number(a, (size_t)(e - a));
                }
            }
        } else {
            p->i = save;
            if (n == 4 && memcmp(w, "true", 4) == 0) {
                idx = new_node(p, DBP_MD_BOOL);
                p->d->n[idx].num = 1;
            } else if (n == 5 && memcmp(w, "false", 5) == 0) {
                idx = new_node(p, DBP_MD_BOOL);
                p->d->n[idx].num = 0;
            } else if (n == 4 && memcmp(w, "null", 4) == 0) {
                idx = new_node(p, DBP_MD_NULL);
            } else {
                idx = new_node(p, DBP_MD_OTHER); /* MinKey, undefined, Timestamp 1|2 ... */
                if (n == 9 && memcmp(w, "Timestamp", 9) == 0) {
                    ws(p);
                    while (p->i < p->len && (ident_char(p->s[p->i]) || p->s[p->i] == '|'))
                        p->i++;
                }
            }
        }
    } else {
        return fail(p, "unexpected character");
    }
    p->d->n[idx].val = p->s + st;
    p->d->n[idx].val_len = (uint32_t)(p->i - st);
    *out = idx;
    return 0;
}

int dbp_mdoc_parse(struct dbp_mdoc *d, const char *s, size_t len, size_t *end)
{
    struct P p = {.d = d, .s = s, .len = len};
    d->len = 0;
    d->error = NULL;
    if (len > UINT32_MAX)
        return fail(&p, "document too large");
    int32_t root;
    if (value(&p, &root) < 0)
        return -1;
    if (end)
        *end = p.i;
    return root;
}

void dbp_mdoc_free(struct dbp_mdoc *d)
{
    if (!d)
        return;
    free(d->n);
    d->n = NULL;
    d->len = d->cap = 0;
}

double dbp_mdoc_num(const struct dbp_mdoc_node *n)
{
    if (!n)
        return NAN;
    switch (n->type) {
    case DBP_MD_NUM:
    case DBP_MD_BOOL:
    case DBP_MD_DATE:
        return n->num;
    case DBP_MD_STR:
        if (n->val_len && n->val_len < 40 &&
            ((n->val[0] >= '0' && n->val[0] <= '9') || n->val[0] == '-'))
            return parse_number(n->val, n->val_len);
        return NAN;
    default:
        return NAN;
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

void dbp_mdoc_str_append(struct dbp_buf *b, const char *s, size_t n, bool escaped)
{
    if (!escaped) {
        dbp_buf_append(b, s, n);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        if (s[i] != '\\' || i + 1 >= n) {
            dbp_buf_putc(b, s[i]);
            continue;
        }
        char c = s[++i];
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
            unsigned v = 0;
            int ok = i + 4 < n;
            for (int k = 1; ok && k <= 4; k++) {
                int h = hexval(s[i + (size_t)k]);
                if (h < 0)
                    ok = 0;
                else
                    v = v * 16 + (unsigned)h;
            }
            if (!ok) {
                dbp_buf_putc(b, 'u');
                break;
            }
            i += 4;
            if (v < 0x80) {
                dbp_buf_putc(b, (char)v);
            } else if (v < 0x800) {
                dbp_buf_putc(b, (char)(0xC0 | (v >> 6)));
                dbp_buf_putc(b, (char)(0x80 | (v & 0x3F)));
            } else {
                dbp_buf_putc(b, (char)(0xE0 | (v >> 12)));
                dbp_buf_putc(b, (char)(0x80 | ((v >> 6) & 0x3F)));
                dbp_buf_putc(b, (char)(0x80 | (v & 0x3F)));
            }
            break;
        }
        default:
            dbp_buf_putc(b, c);
        }
    }
}

static char *dup_decoded(struct dbp_arena *a, const char *s, size_t n, bool esc)
{
    if (!esc || !memchr(s, '\\', n))
        return dbp_arena_strndup(a, s, n);
    struct dbp_buf b = {0};
    dbp_mdoc_str_append(&b, s, n, true);
    char *r = dbp_arena_strndup(a, b.data ? b.data : "", b.len);
    dbp_buf_free(&b);
    return r;
}

char *dbp_mdoc_strdup(struct dbp_arena *a, const struct dbp_mdoc_node *n)
{
    if (!n)
        return NULL;
    return dup_decoded(a, n->val, n->val_len, n->type == DBP_MD_STR && n->escaped);
}

char *dbp_mdoc_keydup(struct dbp_arena *a, const struct dbp_mdoc_node *n)
{
    if (!n || !n->key)
        return NULL;
    return dup_decoded(a, n->key, n->key_len, n->escaped);
}

static int dig(const char *s, size_t n, size_t at, size_t cnt)
{
    int v = 0;
    if (at + cnt > n)
        return -1;
    for (size_t i = 0; i < cnt; i++) {
        char c = s[at + i];
        if (c < '0' || c > '9')
            return -1;
        v = v * 10 + (c - '0');
    }
    return v;
}

static int64_t days_civil(int y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

int64_t dbp_mongo_parse_iso(const char *s, size_t n)
{
    int y = dig(s, n, 0, 4), mo = dig(s, n, 5, 2), d = dig(s, n, 8, 2);
    int h = dig(s, n, 11, 2), mi = dig(s, n, 14, 2), se = dig(s, n, 17, 2);
    if (y < 0 || mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || mi < 0 || se < 0 || s[4] != '-' ||
        (s[10] != 'T' && s[10] != ' '))
        return 0;
    size_t i = 19;
    int64_t us = 0;
    if (i < n && s[i] == '.') {
        int64_t scale = 100000;
        i++;
        while (i < n && s[i] >= '0' && s[i] <= '9') {
            us += (s[i] - '0') * scale;
            scale /= 10;
            i++;
        }
    }
    int64_t off_s = 0;
    if (i < n && (s[i] == '+' || s[i] == '-')) {
        int sign = s[i] == '-' ? -1 : 1;
        int oh = dig(s, n, i + 1, 2), om;
        if (oh < 0)
            return 0;
        size_t j = i + 3;
        if (j < n && s[j] == ':')
            j++;
        om = dig(s, n, j, 2);
        if (om < 0)
            om = 0;
        off_s = sign * (oh * 3600 + om * 60);
    }
    int64_t secs = days_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se - off_s;
    return secs * 1000000 + us;
}
