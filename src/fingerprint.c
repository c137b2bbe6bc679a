/*
 * fingerprint.c -- statement fingerprints: pt-query-digest style (MySQL) and
 * pg_stat_statements style (PostgreSQL), and their 64-bit ids.
 *
 * Both styles are hand-written tokenizers over the raw bytes: one pass from
 * left to right, writing straight into the output buffer, no regular
 * expressions and no allocation beyond that buffer. Where a decision needs
 * the end of a construct (is this IN list all literals? is this ARRAY[...]
 * squashable?), the tokens are written as usual and the output is cut back to
 * a remembered mark when the construct closes. Any bytes are accepted: a
 * string or comment that never ends runs to the end of the input.
 *
 * pt style (pt-fingerprint / QueryRewriter::fingerprint): comments removed
 * (but not MySQL version comments, slash-star-bang), whitespace collapsed, lower case, every
 * literal (number, string, hex/bit, NULL, TRUE/FALSE) -> ?, IN and VALUES lists
 * of literals -> in(?+) / values(?+), the VALUES rows of INSERT/REPLACE
 * collapsed, the first top-level LIMIT n[, m | OFFSET m] -> limit ?, ASC
 * dropped after ORDER BY, repeated UNION [ALL] of one SELECT collapsed, and
 * pt's special cases (mysqldump, percona-toolkit checksum queries,
 * "administrator command:", CALL, USE). Numbers inside identifiers (tbl_12)
 * become ? unless DBP_FP_MATCH_EMBEDDED_NUMBERS. Where pt's regexes mangle
 * text that a tokenizer sees correctly (a - b, `table-1`, unterminated
 * constructs), we follow percona/go-mysql, the Go port of the same function.
 *
 * pgss style (pg_stat_statements): the text is kept as written; each constant
 * (number, with its unary minus; string in any of PostgreSQL's quotings;
 * dollar-quoted string; TRUE/FALSE/NULL) becomes $n, numbered in order of
 * appearance after the highest $n already in the text. Not constants: integer
 * positions in ORDER BY / GROUP BY, type modifiers (varchar(50)), FETCH/MOVE
 * counts. Lists of two or more constants in IN (...) and ARRAY[...] are
 * squashed to "$n, followed by a comma-ellipsis comment" (PostgreSQL 18). Leading comments and
 * surrounding whitespace and semicolons are dropped. A GROUP BY item that
 * repeats a select-list item reuses that item's numbers (as libpg_query does,
 * keeping the normalized query valid).
 */
#include <stddef.h>
#include <string.h>

#include <dbperf/buf.h>
#include <dbperf/fingerprint.h>

/* ------------------------------------------------------------------------ */
/* character classes                                                        */

enum {
    C_SPACE = 1,  /* whitespace */
    C_DIGIT = 2,  /* 0-9 */
    C_ALPHA = 4,  /* A-Z a-z _ and bytes >= 0x80: may start an identifier */
    C_IDENT = 8,  /* may continue an identifier: alpha, digit, $ */
    C_HEX = 16,   /* 0-9 a-f A-F */
    C_WORD = 32   /* perl's \w: A-Z a-z 0-9 _ */
};

static const unsigned char cclass[256] = {
    ['\t'] = C_SPACE, ['\n'] = C_SPACE, ['\v'] = C_SPACE, ['\f'] = C_SPACE, ['\r'] = C_SPACE,
    [' '] = C_SPACE,
#define D(c) [c] = C_DIGIT | C_IDENT | C_HEX | C_WORD
    D('0'), D('1'), D('2'), D('3'), D('4'), D('5'), D('6'), D('7'), D('8'), D('9'),
#undef D
#define H(c) [c] = C_ALPHA | C_IDENT | C_HEX | C_WORD
    H('a'), H('b'), H('c'), H('d'), H('e'), H('f'), H('A'), H('B'), H('C'), H('D'), H('E'), H('F'),
#undef H
#define A(c) [c] = C_ALPHA | C_IDENT | C_WORD
    A('g'), A('h'), A('i'), A('j'), A('k'), A('l'), A('m'), A('n'), A('o'), A('p'), A('q'),
    A('r'), A('s'), A('t'), A('u'), A('v'), A('w'), A('x'), A('y'), A('z'), A('G'), A('H'),
    A('I'), A('J'), A('K'), A('L'), A('M'), A('N'), A('O'), A('P'), A('Q'), A('R'), A('S'),
    A('T'), A('U'), A('V'), A('W'), A('X'), A('Y'), A('Z'), A('_'),
#undef A
    ['$'] = C_IDENT,
#define X(c) [c] = C_ALPHA | C_IDENT
#define X8(c) X(c), X(c + 1), X(c + 2), X(c + 3), X(c + 4), X(c + 5), X(c + 6), X(c + 7)
#define X64(c) X8(c), X8(c + 8), X8(c + 16), X8(c + 24), X8(c + 32), X8(c + 40), X8(c + 48), X8(c + 56)
    X64(0x80), X64(0xC0),
#undef X64
#undef X8
#undef X
};

#define IS(c, k) (cclass[(unsigned char)(c)] & (k))

static inline unsigned char lower(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') ? (unsigned char)(c + 32) : c;
}

/* case-insensitive compare of n bytes at s with the lower-case word w */
static int ci_eq(const unsigned char *s, const char *w, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (lower(s[i]) != (unsigned char)w[i])
            return 0;
    return 1;
}

/* is the word s[0..n) (any case) equal to the lower-case string literal w? */
#define word_is(s, n, w) ((n) == sizeof(w) - 1 && ci_eq((s), (w), sizeof(w) - 1))

/* the same for a word list entry */
struct kw {
    const char *w;
    size_t n;
};
#define KW(w) {w, sizeof(w) - 1}

static int kw_in(const unsigned char *s, size_t n, const struct kw *list, size_t count)
{
    for (size_t k = 0; k < count; k++)
        if (list[k].n == n && ci_eq(s, list[k].w, n))
            return 1;
    return 0;
}

static size_t skip_space(const unsigned char *s, size_t n, size_t i)
{
    while (i < n && IS(s[i], C_SPACE))
        i++;
    return i;
}

/* ------------------------------------------------------------------------ */
/* output helpers (the only allocation: growing out)                        */

static inline void put(struct dbp_buf *b, char c)
{
    if (b->len + 2 > b->cap)
        dbp_buf_reserve(b, 1);
    b->data[b->len++] = c;
}

static inline void putn(struct dbp_buf *b, const void *p, size_t n)
{
    if (b->len + n + 1 > b->cap)
        dbp_buf_reserve(b, n);
    memcpy(b->data + b->len, p, n);
    b->len += n;
}

static void put_uint(struct dbp_buf *b, unsigned long v)
{
    char tmp[24];
    size_t k = sizeof tmp;
    do {
        tmp[--k] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    putn(b, tmp + k, sizeof tmp - k);
}

static void finish(struct dbp_buf *b)
{
    if (b->len + 1 > b->cap)
        dbp_buf_reserve(b, 0);
    b->data[b->len] = '\0';
    /* a NUL byte of the input (binary garbage) must not cut the text short downstream */
    for (char *z = b->len ? memchr(b->data, '\0', b->len) : NULL; z;
         z = memchr(z, '\0', (size_t)(b->data + b->len - z)))
        *z = '?';
}

/* ------------------------------------------------------------------------ */
/* shared lexing of strings, comments, numbers                              */

/*
 * End of a quoted run starting at s[i] (the quote q). bs: backslash escapes
 * the next byte. A doubled quote is part of the text. Unterminated: n.
 */
static size_t skip_quoted(const unsigned char *s, size_t n, size_t i, unsigned char q, int bs)
{
    i++;
    while (i < n) {
        unsigned char c = s[i];
        if (c == '\\' && bs) {
            i += 2;
            continue;
        }
        if (c == q) {
            if (i + 1 < n && s[i + 1] == q) {
                i += 2;
                continue;
            }
            return i + 1;
        }
        i++;
    }
    return n;
}

/* End of a C-style comment starting at s[i] ("/ *"); nested if nest. */
static size_t skip_block_comment(const unsigned char *s, size_t n, size_t i, int nest)
{
    int level = 1;
    i += 2;
    while (i < n) {
        if (s[i] == '*' && i + 1 < n && s[i + 1] == '/') {
            i += 2;
            if (--level == 0 || !nest)
                return i;
            continue;
        }
        if (nest && s[i] == '/' && i + 1 < n && s[i + 1] == '*') {
            level++;
            i += 2;
            continue;
        }
        i++;
    }
    return n;
}

/* End of a line comment starting at s[i], including its newline. */
static size_t skip_line_comment(const unsigned char *s, size_t n, size_t i)
{
    const unsigned char *nl = memchr(s + i, '\n', n - i);
    return nl ? (size_t)(nl - s) + 1 : n;
}

/*
 * A numeric literal at s[i] (a digit, or '.' before a digit): decimal with
 * fraction and exponent, 0x.. hex, 0b.. binary. Returns its end, or 0 when the
 * digits run into identifier characters (123abc is an identifier).
 */
static size_t scan_number(const unsigned char *s, size_t n, size_t i)
{
    size_t j = i;
    if (s[j] == '0' && j + 2 < n + 0 && (s[j + 1] == 'x' || s[j + 1] == 'X' || s[j + 1] == 'b' ||
                                         s[j + 1] == 'B')) {
        int hex = s[j + 1] == 'x' || s[j + 1] == 'X';
        size_t k = j + 2;
        while (k < n && (hex ? IS(s[k], C_HEX) : (s[k] == '0' || s[k] == '1')))
            k++;
        if (k > j + 2 && (k >= n || !IS(s[k], C_IDENT)))
            return k;
    }
    while (j < n && IS(s[j], C_DIGIT))
        j++;
    if (j < n && s[j] == '.') {
        j++;
        while (j < n && IS(s[j], C_DIGIT))
            j++;
    }
    if (j < n && (s[j] == 'e' || s[j] == 'E')) {
        size_t k = j + 1;
        if (k < n && (s[k] == '+' || s[k] == '-'))
            k++;
        if (k < n && IS(s[k], C_DIGIT)) {
            while (k < n && IS(s[k], C_DIGIT))
                k++;
            j = k;
        }
    }
    if (j < n && IS(s[j], C_IDENT) && s[j - 1] != '.')
        return 0;
    return j;
}

/* ------------------------------------------------------------------------ */
/* pt style                                                                 */

enum tok { T_NONE, T_WORD, T_LIT, T_PUNCT, T_CLOSE };

#define PT_MAX_LISTS 32

struct pt {
    const unsigned char *s;
    size_t n, i;
    struct dbp_buf *o;
    unsigned flags;
    int space;      /* pending separator: 0 none, 1 whitespace, 2 comment */
    int prev;       /* enum tok of the last token written */
    int prev_expr;  /* the last token expects an operand after it (unary +/-) */
    int depth;      /* parenthesis depth */
    int is_insert;  /* statement starts with INSERT or REPLACE */
    int values_done;
    int limit_state; /* 0 none yet, 1 just wrote top-level "limit", 2 done */
    int order_by;    /* 1 after "order", 2 after "order by" */
    int saw_union;
    int list_kw;       /* 1 in, 2 values: the last word, if '(' follows */
    size_t list_kw_at; /* output offset where that word starts */
    size_t list_kw_len;
    struct {
        int depth, kind, all_lit, items;
        size_t mark, kw_len;
    } lists[PT_MAX_LISTS];
    int nlists;
};

/* write the pending separator before a token whose first byte is c */
static void pt_sep(struct pt *p, unsigned char c)
{
    if (p->o->len == 0) {
        p->space = 0;
        return;
    }
    if (p->space == 1 ||
        (p->space == 2 && IS(p->o->data[p->o->len - 1], C_WORD) && IS(c, C_WORD)))
        put(p->o, ' ');
    p->space = 0;
}

/* a token other than a literal or a comma: lists around it are not all literals */
static void pt_not_lit(struct pt *p)
{
    if (p->nlists)
        p->lists[p->nlists - 1].all_lit = 0;
    p->list_kw = 0;
    if (p->limit_state == 1)
        p->limit_state = 2;
}

/* is the literal at s[j] (number, ?, quoted string)? returns its end or 0 */
static size_t pt_lit_at(const struct pt *p, size_t j)
{
    const unsigned char *s = p->s;
    size_t n = p->n;
    if (j >= n)
        return 0;
    if (s[j] == '?')
        return j + 1;
    if (s[j] == '\'' || s[j] == '"')
        return skip_quoted(s, n, j, s[j], 1);
    if ((s[j] == '+' || s[j] == '-') && j + 1 < n && IS(s[j + 1], C_DIGIT))
        j++;
    if (IS(s[j], C_DIGIT))
        return scan_number(s, n, j);
    return 0;
}

static void pt_literal(struct pt *p)
{
    pt_sep(p, '?');
    put(p->o, '?');
    p->prev = T_LIT;
    p->prev_expr = 0;
    p->list_kw = 0;
    if (p->nlists)
        p->lists[p->nlists - 1].items++;
    if (p->limit_state == 1) {
        /* pt: limit ?, ? and limit ? offset ? -> limit ? (first LIMIT only) */
        const unsigned char *s = p->s;
        size_t n = p->n, i = p->i, e;
        p->limit_state = 2;
        if (i < n && s[i] == ',') {
            if ((e = pt_lit_at(p, skip_space(s, n, i + 1))) != 0)
                p->i = e;
        } else if (i < n && IS(s[i], C_SPACE)) {
            size_t j = skip_space(s, n, i);
            if (j + 6 < n && ci_eq(s + j, "offset", 6) && IS(s[j + 6], C_SPACE) &&
                (e = pt_lit_at(p, skip_space(s, n, j + 6))) != 0)
                p->i = e;
        }
    }
}

/* words after which a + or - starts a signed number rather than an operator */
static int expr_keyword(const unsigned char *w, size_t n)
{
    static const struct kw kw[] = {
        KW("select"), KW("where"), KW("and"), KW("or"), KW("not"), KW("on"), KW("in"),
        KW("then"), KW("else"), KW("when"), KW("like"), KW("between"), KW("is"), KW("set"),
        KW("values"), KW("value"), KW("limit"), KW("offset"), KW("by"), KW("having"),
        KW("return"), KW("case"), KW("interval"), KW("xor"), KW("div"), KW("mod"),
        KW("regexp"), KW("rlike"), KW("using"), KW("if")};
    if (n < 2 || n > 8)
        return 0;
    return kw_in(w, n, kw, sizeof kw / sizeof kw[0]);
}

/* copy an identifier lower-cased; digits inside it become ? unless embedded numbers are kept */
static void pt_put_ident(struct pt *p, size_t a, size_t b)
{
    const unsigned char *s = p->s;
    struct dbp_buf *o = p->o;
    int md5 = (p->flags & DBP_FP_MATCH_MD5_CHECKSUMS) != 0;
    int keep = (p->flags & DBP_FP_MATCH_EMBEDDED_NUMBERS) != 0;
    if (o->len + (b - a) + 2 > o->cap)
        dbp_buf_reserve(o, b - a + 1);
    for (size_t k = a; k < b;) {
        unsigned char c = s[k];
        if (md5 && IS(c, C_HEX) && !(c >= 'A' && c <= 'F') && k > 0 &&
            (s[k - 1] == '.' || s[k - 1] == '_' || s[k - 1] == '-') && b - k >= 32) {
            size_t m = 0;
            while (m < 32 && IS(s[k + m], C_HEX) && !(s[k + m] >= 'A' && s[k + m] <= 'F'))
                m++;
            if (m == 32) {
                o->data[o->len++] = '?';
                k += 32;
                continue;
            }
        }
        if (!keep && IS(c, C_DIGIT) && k > a && (IS(s[k - 1], C_ALPHA) || s[k - 1] == '_') &&
            !(k - a >= 1 && IS(s[a], C_DIGIT))) {
            while (k < b && IS(s[k], C_DIGIT))
                k++;
            o->data[o->len++] = '?';
            continue;
        }
        o->data[o->len++] = (char)lower(c);
        k++;
    }
}

/* INSERT/REPLACE ... VALUES (...), (...): skip all rows, write values(?+) */
static void pt_values_rows(struct pt *p, size_t kw_a, size_t kw_b, size_t j)
{
    const unsigned char *s = p->s;
    size_t n = p->n;
    int empty = 1, first = 1;
    for (;;) {
        /* s[j] == '(' */
        int level = 0;
        size_t k = j;
        while (k < n) {
            unsigned char c = s[k];
            if (c == '\'' || c == '"' || c == '`') {
                k = skip_quoted(s, n, k, c, c != '`');
                if (first)
                    empty = 0;
                continue;
            }
            if (c == '(')
                level++;
            else if (c == ')') {
                if (--level == 0) {
                    k++;
                    break;
                }
            } else if (first && !IS(c, C_SPACE))
                empty = 0;
            k++;
        }
        first = 0;
        size_t t = skip_space(s, n, k);
        if (t < n && s[t] == ',') {
            size_t u = skip_space(s, n, t + 1);
            if (u < n && s[u] == '(') {
                j = u;
                continue;
            }
        }
        p->i = k;
        break;
    }
    /* pt cuts multi-row inserts after the rows: a final ';' goes with them */
    size_t t = skip_space(s, n, p->i);
    if (t < n && s[t] == ';' && skip_space(s, n, t + 1) == n)
        p->i = n;
    pt_sep(p, 'v');
    for (size_t k = kw_a; k < kw_b; k++)
        put(p->o, (char)lower(s[k]));
    if (empty)
        putn(p->o, "()", 2);
    else
        putn(p->o, "(?+)", 4);
    p->prev = T_CLOSE;
    p->prev_expr = 0;
}

static void pt_word(struct pt *p)
{
    const unsigned char *s = p->s;
    size_t n = p->n, a = p->i, b = a;
    while (b < n && IS(s[b], C_IDENT))
        b++;
    size_t len = b - a;
    /* x'..' b'..' hex and bit strings */
    if (len == 1 && b < n && s[b] == '\'' &&
        (s[a] == 'x' || s[a] == 'X' || s[a] == 'b' || s[a] == 'B')) {
        p->i = skip_quoted(s, n, b, '\'', 1);
        pt_literal(p);
        return;
    }
    p->i = b;
    if (word_is(s + a, len, "null") || word_is(s + a, len, "true") ||
        word_is(s + a, len, "false")) {
        pt_literal(p);
        return;
    }
    if (p->order_by == 2 && word_is(s + a, len, "asc")) {
        p->space = 0; /* drop "\s+asc" */
        return;
    }
    int first = p->o->len == 0;
    pt_not_lit(p);
    pt_sep(p, s[a]);
    size_t at = p->o->len;
    pt_put_ident(p, a, b);
    p->prev = T_WORD;
    p->prev_expr = expr_keyword(s + a, len);

    if (first)
        p->is_insert = word_is(s + a, len, "insert") || word_is(s + a, len, "replace");
    if (word_is(s + a, len, "order"))
        p->order_by = p->order_by == 2 ? 2 : 1;
    else if (p->order_by == 1)
        p->order_by = word_is(s + a, len, "by") ? 2 : 0;
    if (p->limit_state == 0 && p->depth == 0 && word_is(s + a, len, "limit"))
        p->limit_state = 1;
    if (word_is(s + a, len, "union"))
        p->saw_union = 1;
    int in = word_is(s + a, len, "in");
    int values = word_is(s + a, len, "values") || word_is(s + a, len, "value");
    if (in || values) {
        size_t j = skip_space(s, n, b);
        if (j < n && s[j] == '(') {
            if (values && p->is_insert && !p->values_done && p->depth == 0) {
                p->values_done = 1;
                p->o->len = at;
                pt_values_rows(p, a, b, j);
                return;
            }
            p->list_kw = in ? 1 : 2;
            p->list_kw_at = at;
            p->list_kw_len = len;
            if (in)
                p->i = j; /* go-mysql: in(...) without the space */
        }
    }
}

static void pt_open(struct pt *p)
{
    int kw = p->list_kw;
    pt_not_lit(p);
    pt_sep(p, '(');
    put(p->o, '(');
    p->depth++;
    p->prev = T_PUNCT;
    p->prev_expr = 1;
    if (kw && p->nlists < PT_MAX_LISTS) {
        p->lists[p->nlists].depth = p->depth;
        p->lists[p->nlists].kind = kw;
        p->lists[p->nlists].all_lit = 1;
        p->lists[p->nlists].items = 0;
        p->lists[p->nlists].mark = p->list_kw_at;
        p->lists[p->nlists].kw_len = p->list_kw_len;
        p->nlists++;
        if (kw == 1) {
            /* in( select ... ) -> in(select ...) */
            p->i = skip_space(p->s, p->n, p->i);
        }
    }
}

static void pt_close(struct pt *p)
{
    if (p->nlists && p->lists[p->nlists - 1].depth == p->depth) {
        int l = --p->nlists;
        if (p->lists[l].all_lit && p->lists[l].items > 0) {
            p->o->len = p->lists[l].mark + p->lists[l].kw_len;
            putn(p->o, "(?+)", 4);
            p->space = 0;
            p->depth--;
            p->prev = T_CLOSE;
            p->prev_expr = 0;
            if (p->nlists)
                p->lists[p->nlists - 1].all_lit = 0;
            return;
        }
        if (p->lists[l].kind == 1)
            p->space = 0;
    }
    pt_not_lit(p);
    pt_sep(p, ')');
    put(p->o, ')');
    if (p->depth > 0)
        p->depth--;
    p->prev = T_CLOSE;
    p->prev_expr = 0;
}

/*
 * pt's UNION collapse, on the finished text: "select X union select X union
 * select X" -> "select X" plus a repeat-union comment (X the shortest that repeats).
 */
static void pt_collapse_union(struct dbp_buf *o)
{
    size_t n = o->len, r = 0, w = 0;
    /* read from a copy in the buffer's upper half, write the result below it */
    dbp_buf_reserve(o, n);
    memcpy(o->data + n, o->data, n);
    const char *t = o->data + n;
    char *dst = o->data;
    /* bounded work: hostile text full of selects and unions stays linear */
    size_t budget = 64 * n + 4096;
    while (r < n) {
        if (budget > 0 && r + 7 <= n && memcmp(t + r, "select", 6) == 0 && t[r + 6] == ' ' &&
            (r == 0 || !IS(t[r - 1], C_WORD))) {
            size_t best_end = 0, best_x = 0;
            int best_all = 0;
            for (size_t e = r + 7; e + 6 <= n && budget > 0; e++) {
                budget--;
                if (t[e] != ' ' || memcmp(t + e, " union", 6) != 0)
                    continue;
                size_t xl = e - r, q = e, end = 0;
                budget = budget > xl ? budget - xl : 0;
                int all = 0;
                for (;;) {
                    size_t k = q + 6;
                    int a = 0;
                    if (k + 4 <= n && memcmp(t + k, " all", 4) == 0)
                        k += 4, a = 1;
                    /* try with " all" first, then without (regex backtracking) */
                    if (k < n && t[k] == ' ' && k + 1 + xl <= n && memcmp(t + k + 1, t + r, xl) == 0) {
                        end = k + 1 + xl;
                        all = a;
                    } else if (a && q + 6 < n && t[q + 6] == ' ' && q + 7 + xl <= n &&
                               memcmp(t + q + 7, t + r, xl) == 0) {
                        end = q + 7 + xl;
                        all = 0;
                    } else
                        break;
                    q = end;
                    if (!(q + 6 <= n && memcmp(t + q, " union", 6) == 0))
                        break;
                }
                if (end) {
                    best_end = end;
                    best_x = xl;
                    best_all = all;
                    break;
                }
            }
            if (best_end) {
                memmove(dst + w, t + r, best_x);
                w += best_x;
                const char *tag = best_all ? " /*repeat union all*/" : " /*repeat union*/";
                size_t tl = strlen(tag);
                memcpy(dst + w, tag, tl);
                w += tl;
                r = best_end;
                continue;
            }
        }
        dst[w++] = t[r++];
    }
    o->len = w;
}

/* pt's checksum-query comment (slash-star word.word:digit/digit star-slash) anywhere */
static int pt_checksum_comment(const unsigned char *s, size_t n)
{
    for (size_t i = 0; i + 1 < n; i++) {
        if (s[i] != '/' || s[i + 1] != '*')
            continue;
        size_t j = i + 2, k;
        for (k = j; k < n && IS(s[k], C_WORD); k++)
            ;
        if (k == j || k >= n || s[k] != '.')
            continue;
        j = k + 1;
        for (k = j; k < n && IS(s[k], C_WORD); k++)
            ;
        if (k == j || k + 5 > n || s[k] != ':' || !IS(s[k + 1], C_DIGIT) || s[k + 2] != '/' ||
            !IS(s[k + 3], C_DIGIT) || s[k + 4] != '*' || k + 5 >= n || s[k + 5] != '/')
            continue;
        return 1;
    }
    return 0;
}

/* the statements pt fingerprints specially; returns 1 when out is final */
static int pt_special(const unsigned char *s, size_t n, struct dbp_buf *o)
{
    static const char dump[] = "SELECT /*!40001 SQL_NO_CACHE */ * FROM `";
    static const char admin[] = "administrator command: ";
    if (n >= sizeof dump - 1 && memcmp(s, dump, sizeof dump - 1) == 0) {
        putn(o, "mysqldump", 9);
        return 1;
    }
    if (pt_checksum_comment(s, n)) {
        putn(o, "percona-toolkit", 15);
        return 1;
    }
    if (n >= sizeof admin - 1 && memcmp(s, admin, sizeof admin - 1) == 0) {
        putn(o, s, n);
        return 1;
    }
    /* \A\s*(call\s+\S+)\( -> lc($1); \S+ ends at the last '(' of its run */
    size_t i = skip_space(s, n, 0);
    if (i + 4 < n && ci_eq(s + i, "call", 4) && IS(s[i + 4], C_SPACE)) {
        size_t j = skip_space(s, n, i + 4), k = j, paren = 0;
        while (k < n && !IS(s[k], C_SPACE)) {
            if (s[k] == '(' && k > j)
                paren = k;
            k++;
        }
        if (paren) {
            for (size_t m = i; m < paren; m++)
                put(o, (char)lower(s[m]));
            return 1;
        }
    }
    /* \Ause \S+\Z -> use ? */
    if (n > 4 && ci_eq(s, "use ", 4)) {
        size_t e = n;
        if (s[e - 1] == '\n')
            e--;
        size_t k = 4;
        while (k < e && !IS(s[k], C_SPACE))
            k++;
        if (k == e && e > 4) {
            putn(o, "use ?", 5);
            return 1;
        }
    }
    return 0;
}

static void fp_pt(unsigned flags, const unsigned char *s, size_t n, struct dbp_buf *o)
{
    if (pt_special(s, n, o))
        return;
    struct pt p;
    memset(&p, 0, sizeof p);
    p.s = s;
    p.n = n;
    p.o = o;
    p.flags = flags;
    dbp_buf_reserve(o, n + 16);
    while (p.i < n) {
        unsigned char c = s[p.i];
        if (IS(c, C_SPACE)) {
            p.i++;
            p.space = 1;
            continue;
        }
        switch (c) {
        case '/':
            if (p.i + 1 < n && s[p.i + 1] == '*') {
                if (p.i + 2 < n && s[p.i + 2] == '!') {
                    pt_not_lit(&p);
                    pt_sep(&p, '/');
                    putn(o, "/*!", 3);
                    p.i += 3;
                    p.prev = T_PUNCT;
                    continue;
                }
                p.i = skip_block_comment(s, n, p.i, 0);
                if (!p.space)
                    p.space = 2;
                continue;
            }
            break;
        case '-':
            if (p.i + 1 < n && s[p.i + 1] == '-') {
                p.i = skip_line_comment(s, n, p.i);
                if (!p.space)
                    p.space = 2;
                continue;
            }
            /* fall through */
        case '+':
            if ((p.prev == T_NONE || (p.prev != T_CLOSE && p.prev != T_LIT && p.prev_expr) ||
                 p.prev == T_PUNCT) &&
                p.i + 1 < n &&
                (IS(s[p.i + 1], C_DIGIT) ||
                 (s[p.i + 1] == '.' && p.i + 2 < n && IS(s[p.i + 2], C_DIGIT)))) {
                size_t e = scan_number(s, n, p.i + 1);
                if (e) {
                    p.i = e;
                    pt_literal(&p);
                    continue;
                }
            }
            break;
        case '#':
            p.i = skip_line_comment(s, n, p.i);
            if (!p.space)
                p.space = 2;
            continue;
        case '\'':
        case '"':
            p.i = skip_quoted(s, n, p.i, c, 1);
            pt_literal(&p);
            continue;
        case '`': {
            size_t e = skip_quoted(s, n, p.i, '`', 0);
            pt_not_lit(&p);
            pt_sep(&p, '`');
            pt_put_ident(&p, p.i, e);
            p.i = e;
            p.prev = T_WORD;
            p.prev_expr = 0;
            continue;
        }
        case '?':
            p.i++;
            pt_literal(&p);
            continue;
        case '(':
            p.i++;
            pt_open(&p);
            continue;
        case ')':
            p.i++;
            pt_close(&p);
            continue;
        case ',':
            p.list_kw = 0;
            if (p.limit_state == 1)
                p.limit_state = 2;
            pt_sep(&p, ',');
            put(o, ',');
            p.i++;
            p.prev = T_PUNCT;
            p.prev_expr = 1;
            continue;
        default:
            break;
        }
        if (IS(c, C_DIGIT) || (c == '.' && p.i + 1 < n && IS(s[p.i + 1], C_DIGIT) &&
                               p.prev != T_WORD)) {
            size_t e = scan_number(s, n, p.i);
            if (e) {
                p.i = e;
                pt_literal(&p);
                continue;
            }
            /*
             * 123abc: an identifier that starts with digits. pt's number regex
             * takes its leading [0-9a-f.xb] run (123foo -> ?oo); with embedded
             * numbers kept it stays as written (go-mysql).
             */
            size_t b = p.i, a = p.i;
            while (b < n && IS(s[b], C_IDENT))
                b++;
            if (b == p.i) { /* ".5e" then letters: the dot is punctuation */
                pt_not_lit(&p);
                pt_sep(&p, c);
                put(o, (char)c);
                p.i++;
                p.prev = T_PUNCT;
                p.prev_expr = 1;
                continue;
            }
            pt_not_lit(&p);
            pt_sep(&p, c);
            if (!(flags & DBP_FP_MATCH_EMBEDDED_NUMBERS)) {
                while (a < b && (IS(s[a], C_HEX) || s[a] == 'x' || s[a] == 'X' || s[a] == 'b' ||
                                 s[a] == 'B'))
                    a++;
                put(o, '?');
            }
            p.i = a;
            pt_put_ident(&p, a, b);
            p.i = b;
            p.prev = T_WORD;
            p.prev_expr = 0;
            continue;
        }
        if (IS(c, C_ALPHA)) {
            pt_word(&p);
            continue;
        }
        /* any other byte is punctuation, copied as is */
        pt_not_lit(&p);
        pt_sep(&p, c);
        put(o, (char)c);
        p.i++;
        p.prev = T_PUNCT;
        p.prev_expr = 1;
    }
    if (p.saw_union)
        pt_collapse_union(o);
}

/* ------------------------------------------------------------------------ */
/* pgss style: see fp_pgss below                                            */

static void fp_pgss(unsigned flags, const unsigned char *s, size_t n, struct dbp_buf *o);

/* ------------------------------------------------------------------------ */
/* public API                                                               */

int dbp_fp_style_parse(const char *name)
{
    if (strcmp(name, "pt") == 0)
        return DBP_FP_PT;
    if (strcmp(name, "pgss") == 0)
        return DBP_FP_PGSS;
    return -1;
}

size_t dbp_fingerprint_ex(enum dbp_fp_style style, unsigned flags, const char *sql, size_t len,
                          struct dbp_buf *out)
{
    dbp_buf_clear(out);
    if (sql == NULL) {
        sql = "";
        len = 0;
    }
    if (style == DBP_FP_PGSS)
        fp_pgss(flags, (const unsigned char *)sql, len, out);
    else
        fp_pt(flags, (const unsigned char *)sql, len, out);
    finish(out);
    return out->len;
}

size_t dbp_fingerprint(enum dbp_fp_style style, const char *sql, size_t len, struct dbp_buf *out)
{
    return dbp_fingerprint_ex(style, 0, sql, len, out);
}

/*
 * The id: the last 8 bytes of the MD5 digest of the fingerprint, big-endian,
 * as pt-query-digest's checksum (make_checksum: substr(md5_hex, -16)).
 */
uint64_t dbp_fingerprint_id(const char *fp, size_t len)
{
    unsigned char d[16];
    dbp_md5(fp, len, d);
    uint64_t id = 0;
    for (int i = 8; i < 16; i++)
        id = id << 8 | d[i];
    return id;
}


/* ------------------------------------------------------------------------ */
/* pgss style                                                               */

enum pgtok {
    P_END,
    P_SPACE,
    P_COMMENT,
    P_CONST,  /* number, string in any quoting, dollar-quoted string */
    P_PARAM,  /* $n */
    P_IDENT,  /* identifier or keyword */
    P_QIDENT, /* "quoted identifier" */
    P_LPAREN,
    P_RPAREN,
    P_LBRACK,
    P_RBRACK,
    P_COMMA,
    P_SEMI,
    P_CAST, /* :: */
    P_OP    /* operator or other punctuation */
};

/* operator characters of PostgreSQL's lexer */
static int pg_opchar(unsigned char c)
{
    return c && strchr("+-*/<>=~!@#%^&|`?", c) != NULL;
}

/* pg_token for every token it does not read itself (below) */
static enum pgtok pg_token_other(const unsigned char *s, size_t n, size_t i, size_t *end)
{
    unsigned char c = s[i];
    size_t j;
    switch (c) {
    case '-':
        if (i + 1 < n && s[i + 1] == '-') {
            const unsigned char *nl = memchr(s + i, '\n', n - i);
            *end = nl ? (size_t)(nl - s) : n;
            return P_COMMENT;
        }
        break;
    case '/':
        if (i + 1 < n && s[i + 1] == '*') {
            *end = skip_block_comment(s, n, i, 1);
            return P_COMMENT;
        }
        break;
    case '\'':
        *end = skip_quoted(s, n, i, '\'', 0);
        return P_CONST;
    case '"':
        *end = skip_quoted(s, n, i, '"', 0);
        return P_QIDENT;
    case '$':
        j = i + 1;
        if (j < n && IS(s[j], C_DIGIT)) {
            while (j < n && IS(s[j], C_DIGIT))
                j++;
            *end = j;
            return P_PARAM;
        }
        /* $tag$ ... $tag$ */
        while (j < n && IS(s[j], C_IDENT) && s[j] != '$')
            j++;
        if (j < n && s[j] == '$' && (j == i + 1 || !IS(s[i + 1], C_DIGIT))) {
            size_t tl = j + 1 - i, k = j + 1;
            for (;;) {
                const unsigned char *d = k < n ? memchr(s + k, '$', n - k) : NULL;
                if (!d) {
                    *end = n;
                    break;
                }
                k = (size_t)(d - s);
                if (n - k >= tl && memcmp(s + k, s + i, tl) == 0) {
                    *end = k + tl;
                    break;
                }
                k++;
            }
            return P_CONST;
        }
        *end = i + 1;
        return P_OP;
    case '[':
        *end = i + 1;
        return P_LBRACK;
    case ']':
        *end = i + 1;
        return P_RBRACK;
    case ';':
        *end = i + 1;
        return P_SEMI;
    case ':':
        if (i + 1 < n && s[i + 1] == ':') {
            *end = i + 2;
            return P_CAST;
        }
        *end = i + 1;
        return P_OP;
    default:
        break;
    }
    if (IS(c, C_DIGIT) || (c == '.' && i + 1 < n && IS(s[i + 1], C_DIGIT))) {
        j = scan_number(s, n, i);
        if (j) {
            /* PostgreSQL 16 allows 1_000_000 */
            while (j + 1 < n && s[j] == '_' && IS(s[j + 1], C_DIGIT)) {
                j++;
                while (j < n && IS(s[j], C_DIGIT))
                    j++;
            }
            *end = j;
            return P_CONST;
        }
        j = i;
        while (j < n && IS(s[j], C_IDENT))
            j++;
        if (j == i) { /* ".5e" then letters: the dot alone */
            *end = i + 1;
            return P_OP;
        }
        *end = j;
        return P_IDENT;
    }
    if (IS(c, C_ALPHA)) {
        /* E'..' B'..' X'..' N'..' U&'..' */
        if (i + 1 < n && s[i + 1] == '\'' && strchr("eEbBxXnN", c)) {
            *end = skip_quoted(s, n, i + 1, '\'', c == 'e' || c == 'E');
            return P_CONST;
        }
        if ((c == 'u' || c == 'U') && i + 2 < n && s[i + 1] == '&' && s[i + 2] == '\'') {
            *end = skip_quoted(s, n, i + 2, '\'', 0);
            return P_CONST;
        }
        j = i + 1;
        while (j < n && IS(s[j], C_IDENT))
            j++;
        *end = j;
        return P_IDENT;
    }
    if (pg_opchar(c)) {
        j = i + 1;
        while (j < n && pg_opchar(s[j]) && !(s[j] == '-' && j + 1 < n && s[j + 1] == '-') &&
               !(s[j] == '/' && j + 1 < n && s[j + 1] == '*'))
            j++;
        /* a multi-char operator cannot end in + or - unless it has ~!@#%^&|`? */
        if (j - i > 1 && (s[j - 1] == '+' || s[j - 1] == '-')) {
            int special = 0;
            for (size_t k = i; k < j; k++)
                if (strchr("~!@#%^&|`?", s[k]))
                    special = 1;
            if (!special)
                while (j - i > 1 && (s[j - 1] == '+' || s[j - 1] == '-'))
                    j--;
        }
        *end = j;
        return P_OP;
    }
    /* '.', ':' and any other byte */
    *end = i + 1;
    return P_OP;
}

/*
 * The token at s[i]; *end receives its end. The common tokens -- white space, an
 * identifier or keyword (not E'..', B'..', U&'..'), ( ) , -- are read inline, the
 * rest by pg_token_other: the call and its register saves were a third of the
 * tokenizer's instructions in fp_pgss's loop (callgrind).
 */
static inline __attribute__((always_inline)) enum pgtok pg_token(const unsigned char *s, size_t n,
                                                                 size_t i, size_t *end)
{
    unsigned char c = s[i];
    size_t j = i + 1;
    if (IS(c, C_SPACE)) {
        while (j < n && IS(s[j], C_SPACE))
            j++;
        *end = j;
        return P_SPACE;
    }
    if (IS(c, C_ALPHA) && !(j < n && (s[j] == '\'' || s[j] == '&'))) {
        while (j < n && IS(s[j], C_IDENT))
            j++;
        *end = j;
        return P_IDENT;
    }
    switch (c) {
    case '(':
        *end = j;
        return P_LPAREN;
    case ')':
        *end = j;
        return P_RPAREN;
    case ',':
        *end = j;
        return P_COMMA;
    default:
        return pg_token_other(s, n, i, end);
    }
}

/* the next significant token at or after i (skips space and comments) */
static enum pgtok pg_peek(const unsigned char *s, size_t n, size_t i, size_t *at, size_t *end)
{
    while (i < n) {
        enum pgtok t = pg_token(s, n, i, end);
        if (t != P_SPACE && t != P_COMMENT) {
            *at = i;
            return t;
        }
        i = *end;
    }
    *at = *end = n;
    return P_END;
}

/* type names whose parenthesized arguments are type modifiers, not constants */
static int pg_typmod_type(const unsigned char *w, size_t n)
{
    static const struct kw t[] = {
        KW("varchar"), KW("char"), KW("character"), KW("varying"), KW("numeric"),
        KW("decimal"), KW("dec"), KW("bit"), KW("varbit"), KW("time"), KW("timestamp"),
        KW("timestamptz"), KW("timetz"), KW("interval"), KW("float"), KW("nchar"), KW("bpchar")};
    return kw_in(w, n, t, sizeof t / sizeof t[0]);
}

/* words that end an ORDER BY / GROUP BY list */
static int pg_clause_end(const unsigned char *w, size_t n)
{
    static const struct kw t[] = {
        KW("having"), KW("limit"), KW("offset"), KW("fetch"), KW("window"), KW("for"),
        KW("union"), KW("except"), KW("intersect"), KW("returning"), KW("order"),
        KW("group"), KW("into"), KW("from"), KW("where"), KW("on")};
    return kw_in(w, n, t, sizeof t / sizeof t[0]);
}

#define PG_MAX_LISTS   16
#define PG_MAX_TARGETS 32
#define PG_MAX_REFS    16

struct pg_list {
    int depth;      /* bracket depth inside the list */
    int elems;      /* elements finished */
    int bad;        /* some element is not a lone constant */
    int type_clash; /* elements cast to different types */
    int cur_consts; /* constants in the current element */
    int cur_other;  /* disqualifying tokens in the current element */
    int in_cast;    /* after :: in the current element */
    size_t type_a, type_b;     /* current element's cast type (input span) */
    size_t ftype_a, ftype_b;   /* the first cast type seen */
    int have_ftype;
    int first_num;             /* $n of the first constant */
    size_t first_in;           /* input offset of the first element */
    size_t out_mark;           /* output offset where the first element starts */
    size_t key_mark;           /* group form: output offset of "= any (" */
    int any_form;              /* group form: the list is x = ANY (ARRAY[...]) */
    int any_left_const;
    size_t last_end;           /* input end of the last token of the last element */
};

struct pg_target {
    uint64_t shape;
    int nrefs, used;
    int refs[PG_MAX_REFS];
};

struct pg {
    const unsigned char *s;
    size_t n;
    struct dbp_buf *o;
    int group;     /* DBP_FP_PGSS_GROUP */
    size_t copied; /* display: input copied to the output so far */
    int next;      /* next $n */
    int depth;
    /* previous significant token */
    enum pgtok prev;
    size_t prev_a, prev_b;
    enum pgtok prev2;
    size_t prev2_a, prev2_b;
    int prev_const; /* the previous significant token was a constant */
    int prev2_const;
    int no_consts; /* FETCH / MOVE statements */
    int typmod_depth; /* inside varchar( ... ): depth, or 0 */
    /* ORDER BY / GROUP BY */
    int by_state;  /* 1 after order/group, 2 in the list */
    int by_group;  /* the list is GROUP BY */
    int by_depth;
    int by_item_start;
    /* select list of the top-level SELECT, for GROUP BY items (libpg_query) */
    int tl_state; /* 1 in the select list */
    int ntargets;
    struct pg_target cur; /* item being read (target or group item) */
    int cur_alias;        /* after AS in a target */
    size_t g_in, g_out;   /* group item: input start, output mark */
    int g_next;           /* next $n when the group item started */
    int g_nconsts;
    int g_active;
    /* squashable lists */
    int nlists;
    int pending_list; /* the next ( or [ opens an IN / ARRAY list */
    int pending_any;  /* group form: "= any (" seen; the next ARRAY[ may convert */
    size_t pending_any_mark;
    int pending_any_left_const;
    /* group form: LIMIT/OFFSET/FETCH canonical order */
    /* group form: relations of the top-level FROM clause, by reference name */
    int nrels;
    int in_from;
    /*
     * The arrays come last: fp_pgss zeroes only the fields above (clearing
     * these ~3 KB per statement was 17% of its time); each element is written
     * before it is read (below ntargets, g_nconsts, nlists, nrels).
     */
    struct pg_target targets[PG_MAX_TARGETS];
    size_t g_const_a[PG_MAX_REFS], g_const_b[PG_MAX_REFS];
    struct pg_list lists[PG_MAX_LISTS];
    size_t rel_a[16], rel_b[16];
};

static uint64_t fnv_add(uint64_t h, const unsigned char *p, size_t n, int fold)
{
    for (size_t k = 0; k < n; k++) {
        h ^= fold ? lower(p[k]) : p[k];
        h *= 1099511628211ULL;
    }
    h ^= 0xff;
    h *= 1099511628211ULL;
    return h;
}

/* display: copy input up to a */
static void pg_flush(struct pg *p, size_t a)
{
    if (!p->group && a > p->copied) {
        putn(p->o, p->s + p->copied, a - p->copied);
        p->copied = a;
    }
}

/* group form: append a token (lower-cased if fold) separated by one space */
static void pg_key(struct pg *p, const unsigned char *t, size_t n, int fold)
{
    if (p->o->len)
        put(p->o, ' ');
    if (p->o->len + n + 2 > p->o->cap)
        dbp_buf_reserve(p->o, n + 1);
    for (size_t k = 0; k < n; k++)
        p->o->data[p->o->len++] = (char)(fold ? lower(t[k]) : t[k]);
}

/* write $num for a constant at input [a, b) */
static void pg_put_const(struct pg *p, size_t a, size_t b, int num)
{
    if (p->group) {
        pg_key(p, (const unsigned char *)"?", 1, 0);
        return;
    }
    pg_flush(p, a);
    put(p->o, '$');
    put_uint(p->o, (unsigned long)num);
    p->copied = b;
}

/* is the previous significant token the keyword w (a string literal)? */
#define pg_is_kw(p, w) \
    ((p)->prev == P_IDENT && word_is((p)->s + (p)->prev_a, (p)->prev_b - (p)->prev_a, w))

/* does the previous token end an operand (so a following '-' is binary)? */
static int pg_prev_operand(const struct pg *p)
{
    switch (p->prev) {
    case P_CONST:
    case P_PARAM:
    case P_QIDENT:
    case P_RPAREN:
    case P_RBRACK:
        return 1;
    case P_IDENT:
        return !expr_keyword(p->s + p->prev_a, p->prev_b - p->prev_a);
    default:
        return 0;
    }
}

static void pg_target_add(struct pg *p, int ref)
{
    if (p->cur.nrefs < PG_MAX_REFS)
        p->cur.refs[p->cur.nrefs] = ref;
    p->cur.nrefs++;
}

/* end of a select-list item */
static void pg_target_end(struct pg *p)
{
    if (p->ntargets < PG_MAX_TARGETS && p->cur.nrefs <= PG_MAX_REFS)
        p->targets[p->ntargets++] = p->cur;
    memset(&p->cur, 0, sizeof p->cur);
    p->cur.shape = 1469598103934665603ULL;
    p->cur_alias = 0;
}

static void pg_group_start(struct pg *p, size_t in_at)
{
    memset(&p->cur, 0, sizeof p->cur);
    p->cur.shape = 1469598103934665603ULL;
    p->g_in = in_at;
    pg_flush(p, in_at);
    p->g_out = p->o->len;
    p->g_next = p->next;
    p->g_nconsts = 0;
    p->g_active = 1;
}

/*
 * End of a GROUP BY item: if it has the shape of a select-list item, give its
 * constants that item's numbers (libpg_query), rewriting what was written.
 */
static void pg_group_end(struct pg *p)
{
    if (!p->g_active)
        return;
    p->g_active = 0;
    if (p->group || p->cur.nrefs == 0 || p->g_nconsts != p->cur.nrefs ||
        p->g_nconsts > PG_MAX_REFS)
        return;
    for (int t = 0; t < p->ntargets; t++) {
        struct pg_target *tg = &p->targets[t];
        if (tg->used || tg->shape != p->cur.shape || tg->nrefs != p->cur.nrefs)
            continue;
        tg->used = 1;
        size_t end = p->copied;
        p->o->len = p->g_out;
        size_t pos = p->g_in;
        for (int k = 0; k < p->g_nconsts; k++) {
            putn(p->o, p->s + pos, p->g_const_a[k] - pos);
            put(p->o, '$');
            put_uint(p->o, (unsigned long)tg->refs[k]);
            pos = p->g_const_b[k];
        }
        if (end > pos)
            putn(p->o, p->s + pos, end - pos);
        p->next = p->g_next;
        return;
    }
}

/* a token inside the current list element that is neither a constant nor allowed */
static void pg_list_other(struct pg *p)
{
    if (p->nlists)
        p->lists[p->nlists - 1].cur_other = 1;
}

static void pg_list_elem_end(struct pg *p, struct pg_list *l)
{
    if (l->cur_consts != 1 || l->cur_other)
        l->bad = 1;
    if (l->type_b > l->type_a) {
        if (!l->have_ftype) {
            l->have_ftype = 1;
            l->ftype_a = l->type_a;
            l->ftype_b = l->type_b;
        } else if (l->type_b - l->type_a != l->ftype_b - l->ftype_a) {
            l->type_clash = 1;
        } else {
            for (size_t k = 0; k < l->type_b - l->type_a; k++)
                if (lower(p->s[l->type_a + k]) != lower(p->s[l->ftype_a + k]))
                    l->type_clash = 1;
        }
    }
    l->elems++;
    l->cur_consts = 0;
    l->cur_other = 0;
    l->in_cast = 0;
    l->type_a = l->type_b = 0;
}

static void pg_list_open(struct pg *p, size_t after_bracket, int any)
{
    if (p->nlists >= PG_MAX_LISTS)
        return;
    struct pg_list *l = &p->lists[p->nlists++];
    memset(l, 0, sizeof *l);
    l->depth = p->depth;
    l->first_num = -1;
    l->first_in = after_bracket;
    l->any_form = any;
    if (any) {
        l->key_mark = p->pending_any_mark;
        l->any_left_const = p->pending_any_left_const;
    }
}

/* close the innermost list at bracket position close_at; squash it if it qualifies */
static void pg_list_close(struct pg *p, size_t close_at)
{
    struct pg_list *l = &p->lists[--p->nlists];
    if (l->cur_consts || l->cur_other)
        pg_list_elem_end(p, l);
    int squash = !l->bad && !l->type_clash && l->elems >= 2 && l->first_num > 0;
    if (p->nlists) /* the enclosing element holds these constants */
        p->lists[p->nlists - 1].cur_consts += squash ? 1 : 2;
    if (!squash)
        return;
    if (p->group) {
        /* group form: the list is "?*" whatever its length */
        size_t m = l->out_mark;
        p->o->len = m;
        pg_key(p, (const unsigned char *)"?*", 2, 0);
        if (l->any_form && (l->have_ftype || l->any_left_const)) {
            /* x = ANY (ARRAY[c, ...]) groups with x IN (c, ...): ANY's ')' follows */
            p->o->len = l->key_mark;
            pg_key(p, (const unsigned char *)"in ( ?*", 7, 0);
        } else
            pg_key(p, p->s + close_at, 1, 0);
        return;
    }
    p->o->len = l->out_mark;
    put(p->o, '$');
    put_uint(p->o, (unsigned long)l->first_num);
    putn(p->o, " /*, ... */", 11);
    p->copied = l->last_end;
    p->next = l->first_num + 1;
}

/* words that cannot be a table alias after a FROM item */
static int pg_not_alias(const unsigned char *w, size_t n)
{
    static const struct kw t[] = {
        KW("join"), KW("inner"), KW("left"), KW("right"), KW("full"), KW("cross"),
        KW("natural"), KW("on"), KW("using"), KW("where"), KW("group"), KW("order"),
        KW("limit"), KW("offset"), KW("for"), KW("union"), KW("except"), KW("intersect"),
        KW("window"), KW("having"), KW("lateral"), KW("fetch"), KW("tablesample"), KW("outer")};
    return kw_in(w, n, t, sizeof t / sizeof t[0]);
}

/*
 * Group form: FROM/JOIN relation names, so that FOR UPDATE OF <all of them, in
 * order> groups with plain FOR UPDATE (the same row marks in the query tree).
 * Called for an identifier after FROM, JOIN or a FROM-list comma; records the
 * alias if one follows, else the last part of the (qualified) name.
 */
static void pg_from_item(struct pg *p, size_t i, size_t e)
{
    const unsigned char *s = p->s;
    size_t n = p->n, at, ne, ra = i, rb = e;
    enum pgtok t;
    while ((t = pg_peek(s, n, rb, &at, &ne)) == P_OP && ne == at + 1 && s[at] == '.') {
        if (pg_peek(s, n, ne, &at, &ne) != P_IDENT && t != P_QIDENT)
            break;
        ra = at;
        rb = ne;
    }
    t = pg_peek(s, n, rb, &at, &ne);
    if (t == P_IDENT && word_is(s + at, ne - at, "as"))
        t = pg_peek(s, n, ne, &at, &ne);
    if ((t == P_IDENT && !pg_not_alias(s + at, ne - at)) || t == P_QIDENT) {
        ra = at;
        rb = ne;
    }
    if (p->nrels < 16) {
        p->rel_a[p->nrels] = ra;
        p->rel_b[p->nrels] = rb;
    }
    p->nrels++;
}

/* Group form: after FOR UPDATE/SHARE, is "OF a, b" all FROM relations in order? returns its end */
static size_t pg_of_all_rels(const struct pg *p, size_t e)
{
    const unsigned char *s = p->s;
    size_t n = p->n, at, ne, pos = e;
    int k = 0;
    if (p->nrels == 0 || p->nrels > 16)
        return 0;
    for (;;) {
        enum pgtok t = pg_peek(s, n, pos, &at, &ne);
        if ((t != P_IDENT && t != P_QIDENT) || k >= p->nrels)
            return 0;
        /* names compare case-insensitively (quoted ones too: close enough) */
        size_t l = ne - at;
        if (l != p->rel_b[k] - p->rel_a[k])
            return 0;
        for (size_t m = 0; m < l; m++)
            if (lower(s[at + m]) != lower(s[p->rel_a[k] + m]))
                return 0;
        k++;
        pos = ne;
        if (pg_peek(s, n, pos, &at, &ne) != P_COMMA)
            break;
        pos = ne;
    }
    return k == p->nrels ? pos : 0;
}

static void fp_pgss(unsigned flags, const unsigned char *s, size_t n, struct dbp_buf *o)
{
    struct pg p;
    memset(&p, 0, offsetof(struct pg, targets));
    p.s = s;
    p.o = o;
    p.group = (flags & DBP_FP_PGSS_GROUP) != 0;
    p.prev = p.prev2 = P_END;
    memset(&p.cur, 0, sizeof p.cur);
    p.cur.shape = 1469598103934665603ULL;

    /* drop leading space and comments, trailing space and semicolons */
    size_t a = 0, e;
    while (a < n) {
        enum pgtok t = pg_token(s, n, a, &e);
        if (t != P_SPACE && t != P_COMMENT)
            break;
        a = e;
    }
    while (n > a && IS(s[n - 1], C_SPACE))
        n--;
    p.n = n;
    p.copied = a;
    dbp_buf_reserve(o, n - a + 16);

    /* numbering continues after the highest $n in the text */
    int maxparam = 0;
    if (n > a && memchr(s + a, '$', n - a)) {
        for (size_t i = a; i < n; i = e) {
            if (pg_token(s, n, i, &e) == P_PARAM) {
                unsigned long v = 0;
                for (size_t k = i + 1; k < e && v < 100000000; k++)
                    v = v * 10 + (unsigned long)(s[k] - '0');
                if ((int)v > maxparam)
                    maxparam = (int)v;
            }
        }
    }
    p.next = maxparam + 1;

    /* FETCH / MOVE: the count is not a constant */
    {
        size_t we = a;
        while (we < n && IS(s[we], C_IDENT))
            we++;
        if (word_is(s + a, we - a, "fetch") || word_is(s + a, we - a, "move"))
            p.no_consts = 1;
    }
    int first_word = 1;
    int dealloc = 0;
    int nsemi = 0;
    size_t last_semi = 0, last_tok_end = a;

    for (size_t i = a; i < n; i = e) {
        enum pgtok t = pg_token(s, n, i, &e);
        if (t == P_SPACE || t == P_COMMENT)
            continue;
        struct pg_list *L = p.nlists ? &p.lists[p.nlists - 1] : NULL;
        int is_const = 0;
        size_t ca = i; /* constant span start (includes a unary minus) */

        if (t == P_OP && e == i + 1 && s[i] == '-' && !pg_prev_operand(&p)) {
            size_t at, ne;
            if (pg_peek(s, n, e, &at, &ne) == P_CONST && IS(s[at], C_DIGIT | C_DIGIT) &&
                (IS(s[at], C_DIGIT) || s[at] == '.')) {
                ca = i;
                i = at;
                e = ne;
                t = P_CONST;
            }
        }
        if (t == P_IDENT) {
            size_t wl = e - i;
            if (word_is(s + i, wl, "null") || word_is(s + i, wl, "true") ||
                word_is(s + i, wl, "false")) {
                /* IS [NOT] NULL/TRUE/FALSE and NOT NULL are syntax, not constants */
                if (!(pg_is_kw(&p, "is") || pg_is_kw(&p, "not")))
                    t = P_CONST;
            }
        }
        if (t == P_CONST) {
            is_const = 1;
            if (p.no_consts || p.typmod_depth)
                is_const = 0;
            /* ORDER BY 1 / GROUP BY 1: a position, not a constant */
            if (is_const && p.by_state == 2 && p.by_item_start && p.depth == p.by_depth &&
                IS(s[i], C_DIGIT) && ca == i) {
                int digits = 1;
                for (size_t k = i; k < e; k++)
                    if (!IS(s[k], C_DIGIT))
                        digits = 0;
                size_t at, ne;
                enum pgtok nt = pg_peek(s, n, e, &at, &ne);
                if (digits && (nt == P_COMMA || nt == P_RPAREN || nt == P_SEMI || nt == P_END ||
                               nt == P_IDENT))
                    is_const = 0;
            }
        }

        /* group form: FOR UPDATE OF <every FROM relation> is FOR UPDATE */
        if (p.group && t == P_IDENT && p.depth == 0 && word_is(s + i, e - i, "of") &&
            (pg_is_kw(&p, "update") || pg_is_kw(&p, "share"))) {
            size_t end = pg_of_all_rels(&p, e);
            if (end) {
                e = end;
                continue;
            }
        }
        if (p.group && p.depth == 0 && (t == P_IDENT || t == P_QIDENT)) {
            if (t == P_IDENT && word_is(s + i, e - i, "from")) {
                p.in_from = 1;
            } else if (p.in_from && (p.prev == P_COMMA || pg_is_kw(&p, "from") ||
                                     pg_is_kw(&p, "join"))) {
                if (!(t == P_IDENT && word_is(s + i, e - i, "lateral")))
                    pg_from_item(&p, i, e);
            } else if (t == P_IDENT && (word_is(s + i, e - i, "where") ||
                                        word_is(s + i, e - i, "group") ||
                                        word_is(s + i, e - i, "order") ||
                                        word_is(s + i, e - i, "for") ||
                                        word_is(s + i, e - i, "limit")))
                p.in_from = 0;
        }

        /* group form: LIMIT/OFFSET/FETCH in canonical order */
        if (p.group && t == P_IDENT &&
            (word_is(s + i, e - i, "limit") || word_is(s + i, e - i, "offset") ||
             word_is(s + i, e - i, "fetch"))) {
            int have_limit = 0, have_offset = 0, ok = 1;
            size_t j = i, at, ne;
            for (;;) {
                enum pgtok nt = pg_peek(s, n, j, &at, &ne);
                if (nt != P_IDENT)
                    break;
                if (word_is(s + at, ne - at, "limit")) {
                    enum pgtok vt = pg_peek(s, n, ne, &at, &ne);
                    if (vt != P_CONST && vt != P_PARAM && !(vt == P_IDENT && word_is(s + at, ne - at, "all"))) {
                        ok = 0;
                        break;
                    }
                    have_limit = 1;
                    j = ne;
                } else if (word_is(s + at, ne - at, "offset")) {
                    enum pgtok vt = pg_peek(s, n, ne, &at, &ne);
                    if (vt != P_CONST && vt != P_PARAM) {
                        ok = 0;
                        break;
                    }
                    have_offset = 1;
                    j = ne;
                    size_t a2, e2;
                    if (pg_peek(s, n, j, &a2, &e2) == P_IDENT &&
                        (word_is(s + a2, e2 - a2, "row") || word_is(s + a2, e2 - a2, "rows")))
                        j = e2;
                } else if (word_is(s + at, ne - at, "fetch")) {
                    size_t k = ne;
                    enum pgtok vt = pg_peek(s, n, k, &at, &ne);
                    if (vt != P_IDENT ||
                        !(word_is(s + at, ne - at, "first") || word_is(s + at, ne - at, "next"))) {
                        ok = 0;
                        break;
                    }
                    k = ne;
                    vt = pg_peek(s, n, k, &at, &ne);
                    if (vt == P_CONST || vt == P_PARAM) {
                        k = ne;
                        vt = pg_peek(s, n, k, &at, &ne);
                    }
                    if (vt != P_IDENT ||
                        !(word_is(s + at, ne - at, "row") || word_is(s + at, ne - at, "rows"))) {
                        ok = 0;
                        break;
                    }
                    vt = pg_peek(s, n, ne, &at, &ne);
                    if (vt != P_IDENT || !word_is(s + at, ne - at, "only")) {
                        ok = 0;
                        break;
                    }
                    have_limit = 1;
                    j = ne;
                } else
                    break;
            }
            if (ok && (have_limit || have_offset)) {
                if (have_offset)
                    pg_key(&p, (const unsigned char *)"offset ?", 8, 0);
                if (have_limit)
                    pg_key(&p, (const unsigned char *)"limit ?", 7, 0);
                e = j;
                p.prev2 = p.prev;
                p.prev = P_CONST;
                p.prev_a = p.prev_b = j;
                continue;
            }
        }

        /* list bookkeeping for the current element */
        if (L && p.depth >= L->depth) {
            if (t == P_COMMA && p.depth == L->depth) {
                pg_list_elem_end(&p, L);
            } else if (is_const) {
                if (L->first_num < 0 && L->elems == 0 && L->cur_consts == 0) {
                    L->first_num = p.next;
                }
                L->cur_consts++;
            } else if (t == P_CAST) {
                L->in_cast = 1;
                L->type_a = L->type_b = 0;
            } else if (t == P_IDENT && L->in_cast) {
                if (L->type_b == 0)
                    L->type_a = i;
                L->type_b = e;
            } else if (t == P_IDENT) {
                size_t at, ne;
                if (pg_peek(s, n, e, &at, &ne) != P_LPAREN)
                    L->cur_other = 1; /* a column, not a function call */
            } else if (t == P_LPAREN || t == P_RPAREN || (t == P_CONST && !is_const)) {
                /* function call parentheses, type modifiers */
            } else if (!(t == P_RBRACK && p.depth == L->depth)) {
                pg_list_other(&p);
            }
            if (t != P_COMMA && !(t == P_RPAREN || t == P_RBRACK))
                L->last_end = e;
            else if (t == P_RPAREN && p.depth > L->depth)
                L->last_end = e;
        }

        /* select list and GROUP BY items (shape and numbers) */
        if (p.tl_state == 1 && p.depth == 0) {
            if (t == P_COMMA) {
                pg_target_end(&p);
                goto emit;
            }
            if (t == P_IDENT && (word_is(s + i, e - i, "from") || word_is(s + i, e - i, "into") ||
                                 word_is(s + i, e - i, "where") || word_is(s + i, e - i, "group") ||
                                 word_is(s + i, e - i, "order") || word_is(s + i, e - i, "limit") ||
                                 word_is(s + i, e - i, "union"))) {
                pg_target_end(&p);
                p.tl_state = 2;
            } else if (t == P_IDENT && word_is(s + i, e - i, "as"))
                p.cur_alias = 1;
        }

        /* write the token */
        if (is_const) {
            int num = p.next++;
            if (L && L->first_num == num && L->elems == 0 && L->cur_consts == 1 &&
                !p.group) {
                pg_flush(&p, L->first_in);
                /* skip space between the bracket and the first element */
                size_t fs = L->first_in;
                while (fs < ca && IS(s[fs], C_SPACE))
                    fs++;
                pg_flush(&p, fs);
                L->out_mark = p.o->len;
            } else if (L && L->first_num == num && p.group) {
                L->out_mark = p.o->len;
            }
            if (p.g_active) {
                if (p.g_nconsts < PG_MAX_REFS) {
                    p.g_const_a[p.g_nconsts] = ca;
                    p.g_const_b[p.g_nconsts] = e;
                }
                p.g_nconsts++;
            }
            if ((p.tl_state == 1 || p.g_active) && !p.cur_alias) {
                pg_target_add(&p, num);
                p.cur.shape = fnv_add(p.cur.shape, (const unsigned char *)"$", 1, 0);
            }
            pg_put_const(&p, ca, e, num);
            if (dealloc)
                dealloc = 0;
        } else {
            if (dealloc && t == P_IDENT && !word_is(s + i, e - i, "prepare") &&
                !word_is(s + i, e - i, "all")) {
                /* DEALLOCATE name: the name is normalized (PostgreSQL 18) */
                pg_put_const(&p, i, e, p.next++);
                dealloc = 0;
                goto track;
            }
            if (t == P_PARAM && (p.tl_state == 1 || p.g_active) && !p.cur_alias) {
                unsigned long v = 0;
                for (size_t k = i + 1; k < e && v < 100000000; k++)
                    v = v * 10 + (unsigned long)(s[k] - '0');
                pg_target_add(&p, (int)v);
                p.cur.shape = fnv_add(p.cur.shape, (const unsigned char *)"$", 1, 0);
            } else if ((p.tl_state == 1 || p.g_active) && !p.cur_alias &&
                       !(t == P_COMMA && p.depth == 0)) {
                p.cur.shape = fnv_add(p.cur.shape, s + i, e - i, t == P_IDENT);
            }
            if (p.group) {
                {
                    int fold = t == P_IDENT;
                    size_t before = p.o->len;
                    pg_key(&p, s + i, e - i, fold);
                    if (t == P_IDENT && word_is(s + i, e - i, "any") && p.prev == P_OP &&
                        p.prev_b - p.prev_a == 1 && s[p.prev_a] == '=') {
                        size_t at, ne, at2, ne2;
                        if (pg_peek(s, n, e, &at, &ne) == P_LPAREN &&
                            pg_peek(s, n, ne, &at2, &ne2) == P_IDENT &&
                            word_is(s + at2, ne2 - at2, "array")) {
                            p.pending_any = 1;
                            /* the mark is before "=" */
                            p.pending_any_mark = before >= 2 ? before - 2 : 0;
                            p.pending_any_left_const = p.prev2_const;
                        }
                    }
                }
            }
        }
    track:
        /* structure */
        switch (t) {
        case P_LPAREN:
        case P_LBRACK:
            p.depth++;
            if (p.pending_list) {
                pg_list_open(&p, e, p.pending_list == 2 && p.pending_any);
                if (p.pending_list == 2)
                    p.pending_any = 0;
            }
            if (t == P_LPAREN && p.prev == P_IDENT &&
                pg_typmod_type(s + p.prev_a, p.prev_b - p.prev_a) && !p.typmod_depth)
                p.typmod_depth = p.depth;
            break;
        case P_RPAREN:
        case P_RBRACK:
            if (p.nlists && p.lists[p.nlists - 1].depth == p.depth)
                pg_list_close(&p, i);
            if (p.typmod_depth == p.depth)
                p.typmod_depth = 0;
            if (p.depth > 0)
                p.depth--;
            if (p.by_state == 2 && p.depth < p.by_depth) {
                pg_group_end(&p);
                p.by_state = 0;
            }
            break;
        case P_SEMI:
            nsemi++;
            last_semi = i;
            p.by_state = 0;
            pg_group_end(&p);
            p.tl_state = 0;
            p.ntargets = 0;
            first_word = 1;
            p.prev2 = p.prev = P_END;
            p.prev_const = p.prev2_const = 0;
            p.typmod_depth = 0;
            goto emit;
        default:
            break;
        }
        p.pending_list = 0;
        if (t == P_IDENT) {
            size_t wl = e - i;
            if (first_word && word_is(s + i, wl, "deallocate"))
                dealloc = 1;
            if (word_is(s + i, wl, "in")) {
                size_t at, ne;
                if (pg_peek(s, n, e, &at, &ne) == P_LPAREN)
                    p.pending_list = 1;
            } else if (word_is(s + i, wl, "array")) {
                size_t at, ne;
                if (pg_peek(s, n, e, &at, &ne) == P_LBRACK)
                    p.pending_list = 2;
            }
            if (p.depth == 0 && word_is(s + i, wl, "select") && p.tl_state == 0) {
                p.tl_state = 1;
                memset(&p.cur, 0, sizeof p.cur);
                p.cur.shape = 1469598103934665603ULL;
                p.cur_alias = 0;
            }
            /* ORDER BY / GROUP BY lists */
            if (word_is(s + i, wl, "by") && (pg_is_kw(&p, "order") || pg_is_kw(&p, "group"))) {
                p.by_state = 2;
                p.by_group = pg_is_kw(&p, "group") && p.depth == 0;
                p.by_depth = p.depth;
                p.by_item_start = 1;
                if (p.by_group) {
                    size_t at, ne;
                    pg_peek(s, n, e, &at, &ne);
                    pg_group_start(&p, at);
                }
                goto shift;
            }
            if (p.by_state == 2 && p.depth == p.by_depth && pg_clause_end(s + i, wl)) {
                pg_group_end(&p);
                p.by_state = 0;
            }
            first_word = 0;
        }
        if (p.by_state == 2 && p.depth == p.by_depth) {
            if (t == P_COMMA) {
                p.by_item_start = 1;
                if (p.by_group) {
                    pg_group_end(&p);
                    size_t at, ne;
                    pg_peek(s, n, e, &at, &ne);
                    pg_group_start(&p, at);
                }
                goto shift;
            }
        }
        p.by_item_start = 0;
    shift:
        last_tok_end = e;
        p.prev2 = p.prev;
        p.prev2_a = p.prev_a;
        p.prev2_b = p.prev_b;
        p.prev2_const = p.prev_const;
        p.prev = is_const ? P_CONST : t;
        p.prev_a = i;
        p.prev_b = e;
        p.prev_const = is_const;
        continue;
    emit:
        p.pending_list = 0;
        goto shift;
    }
    pg_group_end(&p);
    /*
     * One statement: its terminating semicolon is not part of it (as in
     * pg_stat_statements). Several: the text is normalized whole, as
     * pg_query_normalize does.
     */
    if (nsemi == 1 && last_tok_end == last_semi + 1) {
        size_t m = last_semi;
        while (m > a && IS(s[m - 1], C_SPACE))
            m--;
        if (p.group) {
            if (o->len >= 2 && o->data[o->len - 1] == ';')
                o->len -= 2;
        } else if (p.copied <= m)
            pg_flush(&p, m);
        return;
    }
    pg_flush(&p, n);
}
