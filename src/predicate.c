/*
 * predicate.c -- turn a plan node's condition text into the columns it
 * constrains (see predicate.h).
 *
 * Two passes: a tokenizer that understands the lexical shapes both
 * PostgreSQL's deparsed expressions and MySQL/MariaDB's printed conditions
 * use (quoted and back-quoted identifiers, '' strings, ::casts, $n
 * parameters, <cache>(...) wrappers), then a small recursive descent over
 * token ranges: split on top-level OR, then on top-level AND (skipping the
 * AND of BETWEEN), then classify each remaining comparison. Nesting is
 * bounded so that hostile input cannot exhaust the stack.
 */
#include "predicate.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <dbperf/arena.h>

#define MAX_DEPTH 64

enum tok_type {
    T_IDENT,  /* bare word */
    T_QIDENT, /* "quoted" or `back-quoted` identifier (text without quotes) */
    T_STRING, /* '...' (text without quotes) */
    T_NUMBER,
    T_PARAM, /* $1, ? */
    T_OP,    /* run of operator characters */
    T_CAST,  /* :: */
    T_LPAREN,
    T_RPAREN,
    T_LBRACK,
    T_RBRACK,
    T_COMMA,
    T_DOT,
    T_AFUNC, /* MySQL <cache>, <in_optimizer>...: acts as a function name */
    T_OTHER
};

struct tok {
    enum tok_type type;
    const char *p;
    size_t len;
};

struct col {
    const char *name;
    size_t len;
    enum dbp_pred_op op;
};

struct pctx {
    struct tok *t;
    size_t n;
    long *match; /* index of the matching bracket, or -1 */
    const char *qual;
    struct col *cols;
    size_t n_cols, cap_cols;
};

/* ---- tokenizer ---------------------------------------------------------- */

static bool is_ident_start(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
}

static bool is_ident_char(unsigned char c)
{
    return is_ident_start(c) || (c >= '0' && c <= '9') || c == '$';
}

static bool is_op_char(unsigned char c)
{
    return c && strchr("=<>!~*+-/%&|^#@?", c) != NULL;
}

static void push_tok(struct tok **t, size_t *n, size_t *cap, enum tok_type type, const char *p,
                     size_t len)
{
    if (*n == *cap) {
        *cap = *cap ? *cap * 2 : 32;
        *t = dbp_xrealloc(*t, *cap * sizeof **t);
    }
    (*t)[*n].type = type;
    (*t)[*n].p = p;
    (*t)[*n].len = len;
    (*n)++;
}

/* Tokenize s; returns a heap array (free()) of *n tokens. */
static struct tok *tokenize(const char *s, size_t *n)
{
    struct tok *t = NULL;
    size_t cap = 0;
    *n = 0;
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        unsigned char c = *p;
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
            p++;
        } else if (c == '\'' || c == '"' || c == '`') {
            const unsigned char *start = ++p;
            while (*p) {
                if (*p == c) {
                    if (p[1] == c) { /* doubled quote */
                        p += 2;
                        continue;
                    }
                    break;
                }
                if (*p == '\\' && c == '\'' && p[1]) { /* MySQL escapes */
                    p += 2;
                    continue;
                }
                p++;
            }
            push_tok(&t, n, &cap, c == '\'' ? T_STRING : T_QIDENT, (const char *)start,
                     (size_t)(p - start));
            if (*p)
                p++;
        } else if (c >= '0' && c <= '9') {
            const unsigned char *start = p;
            while ((*p >= '0' && *p <= '9') || *p == '.' || *p == 'e' || *p == 'E' ||
                   ((*p == '+' || *p == '-') && (p[-1] == 'e' || p[-1] == 'E'))) {
                if (*p == '.' && p[1] == '.')
                    break;
                p++;
            }
            push_tok(&t, n, &cap, T_NUMBER, (const char *)start, (size_t)(p - start));
        } else if (c == '$' && p[1] >= '0' && p[1] <= '9') {
            const unsigned char *start = p++;
            while (*p >= '0' && *p <= '9')
                p++;
            push_tok(&t, n, &cap, T_PARAM, (const char *)start, (size_t)(p - start));
        } else if (is_ident_start(c)) {
            const unsigned char *start = p;
            while (is_ident_char(*p))
                p++;
            push_tok(&t, n, &cap, T_IDENT, (const char *)start, (size_t)(p - start));
        } else if (c == ':' && p[1] == ':') {
            push_tok(&t, n, &cap, T_CAST, (const char *)p, 2);
            p += 2;
        } else if (c == '(' || c == ')' || c == '[' || c == ']' || c == ',' || c == '.') {
            enum tok_type ty = c == '(' ? T_LPAREN
                               : c == ')' ? T_RPAREN
                               : c == '[' ? T_LBRACK
                               : c == ']' ? T_RBRACK
                               : c == ',' ? T_COMMA
                                          : T_DOT;
            push_tok(&t, n, &cap, ty, (const char *)p, 1);
            p++;
        } else if (c == '<' && is_ident_start(p[1])) {
            /* <cache>( ... ): MySQL's internal wrappers */
            const unsigned char *q = p + 1;
            while (is_ident_char(*q))
                q++;
            if (*q == '>' && q[1] == '(') {
                push_tok(&t, n, &cap, T_AFUNC, (const char *)p + 1, (size_t)(q - p - 1));
                p = q + 1;
            } else {
                push_tok(&t, n, &cap, T_OP, (const char *)p, 1);
                p++;
            }
        } else if (c == '?' && !is_op_char(p[1])) {
            push_tok(&t, n, &cap, T_PARAM, (const char *)p, 1);
            p++;
        } else if (is_op_char(c)) {
            const unsigned char *start = p;
            while (is_op_char(*p))
                p++;
            push_tok(&t, n, &cap, T_OP, (const char *)start, (size_t)(p - start));
        } else {
            push_tok(&t, n, &cap, T_OTHER, (const char *)p, 1);
            p++;
        }
    }
    return t;
}

/* ---- helpers ------------------------------------------------------------ */

static bool tok_is(const struct tok *t, const char *word)
{
    size_t l = strlen(word);
    return t->type == T_IDENT && t->len == l && strncasecmp(t->p, word, l) == 0;
}

static bool tok_op(const struct tok *t, const char *op)
{
    size_t l = strlen(op);
    return t->type == T_OP && t->len == l && memcmp(t->p, op, l) == 0;
}

static const char *const keywords[] = {
    "and", "or", "not", "null", "true", "false", "is", "in", "any", "some", "all", "like",
    "ilike", "between", "case", "when", "then", "else", "end", "array", "as", "distinct",
    "from", "exists", "similar", "escape", "regexp", "rlike", "collate", "subplan", "initplan",
    "hashed", "returns", "interval", "current_date", "current_time", "current_timestamp",
    "localtime", "localtimestamp", "div", "mod", "xor", "binary", "unknown", "to", "sounds",
    "using", "over", "partition", "by", "order", "asc", "desc", "nulls", "first", "last",
    "default", "row", "date", "timestamp", "time", "with", "without", "zone", NULL};

static bool is_keyword(const struct tok *t)
{
    if (t->type != T_IDENT)
        return false;
    for (size_t i = 0; keywords[i]; i++)
        if (tok_is(t, keywords[i]))
            return true;
    return false;
}

static bool is_name(const struct tok *t)
{
    return (t->type == T_IDENT && !is_keyword(t)) || t->type == T_QIDENT;
}

static void add_col(struct pctx *c, const struct tok *name, const struct tok *qual,
                    enum dbp_pred_op op)
{
    if (name->len == 0)
        return;
    if (c->qual && qual) {
        size_t ql = strlen(c->qual);
        if (qual->len != ql || strncasecmp(qual->p, c->qual, ql) != 0)
            return;
    }
    for (size_t i = 0; i < c->n_cols; i++) {
        if (c->cols[i].len == name->len && strncasecmp(c->cols[i].name, name->p, name->len) == 0) {
            if (op < c->cols[i].op)
                c->cols[i].op = op;
            return;
        }
    }
    if (c->n_cols == c->cap_cols) {
        c->cap_cols = c->cap_cols ? c->cap_cols * 2 : 8;
        c->cols = dbp_xrealloc(c->cols, c->cap_cols * sizeof *c->cols);
    }
    c->cols[c->n_cols].name = name->p;
    c->cols[c->n_cols].len = name->len;
    c->cols[c->n_cols].op = op;
    c->n_cols++;
}

/* Skip a type name after "::" starting at i; returns the index after it. */
static size_t skip_type(const struct pctx *c, size_t i, size_t hi)
{
    if (i < hi && (c->t[i].type == T_IDENT || c->t[i].type == T_QIDENT))
        i++;
    while (i < hi && c->t[i].type == T_DOT && i + 1 < hi &&
           (c->t[i + 1].type == T_IDENT || c->t[i + 1].type == T_QIDENT))
        i += 2; /* schema-qualified type */
    while (i < hi && (tok_is(&c->t[i], "varying") || tok_is(&c->t[i], "precision") ||
                      tok_is(&c->t[i], "with") || tok_is(&c->t[i], "without") ||
                      tok_is(&c->t[i], "time") || tok_is(&c->t[i], "zone")))
        i++;
    if (i < hi && c->t[i].type == T_LPAREN && c->match[i] > 0 && (size_t)c->match[i] < hi)
        i = (size_t)c->match[i] + 1;
    while (i + 1 < hi && c->t[i].type == T_LBRACK && c->t[i + 1].type == T_RBRACK)
        i += 2;
    return i;
}

/* Every column referenced in [lo, hi), with op. */
static void all_columns(struct pctx *c, size_t lo, size_t hi, enum dbp_pred_op op)
{
    size_t i = lo;
    while (i < hi) {
        const struct tok *t = &c->t[i];
        if (t->type == T_CAST) {
            i = skip_type(c, i + 1, hi);
            continue;
        }
        if (tok_is(t, "interval") && i + 2 < hi && c->t[i + 2].type == T_IDENT &&
            (c->t[i + 1].type == T_NUMBER || c->t[i + 1].type == T_STRING)) {
            i += 3; /* MySQL: interval 30 day */
            continue;
        }
        if ((tok_is(t, "as") || tok_is(t, "collate")) && i + 1 < hi) {
            i += 2; /* cast(x as type), collate name */
            continue;
        }
        if (!is_name(t) || (tok_is(t, "multiple") && i + 2 < hi && tok_is(&c->t[i + 1], "equal") &&
                            c->t[i + 2].type == T_LPAREN)) {
            i++;
            continue;
        }
        /* a function name, or a string introducer (_utf8mb4'x') */
        if (i + 1 < hi && (c->t[i + 1].type == T_LPAREN ||
                           (c->t[i + 1].type == T_STRING && t->type == T_IDENT))) {
            i++;
            continue;
        }
        /* chain a.b.c: the column is the last part */
        size_t j = i;
        while (j + 2 < hi && c->t[j + 1].type == T_DOT && is_name(&c->t[j + 2]))
            j += 2;
        if (j + 1 < hi && c->t[j + 1].type == T_LPAREN) { /* schema.func( */
            i = j + 1;
            continue;
        }
        add_col(c, &c->t[j], j > i ? &c->t[j - 2] : NULL, op);
        i = j + 1;
    }
}

/*
 * If [lo, hi) is a plain column -- a.b.c, optionally parenthesized and cast,
 * "((s.id)::text)" -- return the index of its name token, else -1; *qual is
 * the index of its qualifier or -1.
 */
static long simple_column(const struct pctx *c, size_t lo, size_t hi, long *qual)
{
    while (lo < hi && c->t[lo].type == T_LPAREN && c->match[lo] == (long)(hi - 1)) {
        lo++;
        hi--;
    }
    if (lo >= hi)
        return -1;
    long name = -1;
    size_t i = lo;
    if (c->t[i].type == T_LPAREN) {
        if (c->match[i] < 0 || (size_t)c->match[i] >= hi)
            return -1;
        name = simple_column(c, i + 1, (size_t)c->match[i], qual);
        if (name < 0)
            return -1;
        i = (size_t)c->match[i] + 1;
    } else {
        if (!is_name(&c->t[i]))
            return -1;
        size_t j = i;
        while (j + 2 < hi && c->t[j + 1].type == T_DOT && is_name(&c->t[j + 2]))
            j += 2;
        name = (long)j;
        *qual = j > i ? (long)(j - 2) : -1;
        i = j + 1;
    }
    while (i < hi && c->t[i].type == T_CAST)
        i = skip_type(c, i + 1, hi);
    return i == hi ? name : -1;
}

static void add_simple(struct pctx *c, long name, long qual, enum dbp_pred_op op)
{
    add_col(c, &c->t[name], qual >= 0 ? &c->t[qual] : NULL, op);
}

/* The first character of a LIKE pattern on the right side, or 0. */
static char like_first(const struct pctx *c, size_t lo, size_t hi)
{
    while (lo < hi && c->t[lo].type == T_LPAREN)
        lo++;
    /* MySQL introducer: _utf8mb4'ab%' */
    if (lo + 1 < hi && c->t[lo].type == T_IDENT && c->t[lo + 1].type == T_STRING)
        lo++;
    if (lo < hi && c->t[lo].type == T_STRING)
        return c->t[lo].len ? c->t[lo].p[0] : '%';
    return 0;
}

static bool is_cmp_op(const struct tok *t)
{
    return t->type == T_OP;
}

/* One comparison term (no top-level AND/OR left). */
static void atom(struct pctx *c, size_t lo, size_t hi, bool in_and)
{
    while (lo < hi && c->t[lo].type == T_LPAREN && c->match[lo] == (long)(hi - 1)) {
        lo++;
        hi--;
    }
    if (lo >= hi)
        return;
    if (!in_and || tok_is(&c->t[lo], "not")) {
        all_columns(c, lo, hi, DBP_PRED_OTHER);
        return;
    }
    /* MySQL: multiple equal(a, b, c) -- every column equal to the others */
    if (lo + 2 < hi && tok_is(&c->t[lo], "multiple") && tok_is(&c->t[lo + 1], "equal") &&
        c->t[lo + 2].type == T_LPAREN && c->match[lo + 2] == (long)(hi - 1)) {
        all_columns(c, lo + 3, hi - 1, DBP_PRED_EQ);
        return;
    }
    /* find the top-level operator */
    size_t k = lo;
    for (; k < hi; k++) {
        const struct tok *t = &c->t[k];
        if ((t->type == T_LPAREN || t->type == T_LBRACK) && c->match[k] > 0) {
            k = (size_t)c->match[k];
            continue;
        }
        if (k > lo && (is_cmp_op(t) || tok_is(t, "is") || tok_is(t, "in") ||
                       tok_is(t, "between") || tok_is(t, "like") || tok_is(t, "ilike") ||
                       tok_is(t, "not") || tok_is(t, "regexp") || tok_is(t, "rlike") ||
                       tok_is(t, "similar")))
            break;
    }
    long qual = -1;
    if (k >= hi) { /* a bare boolean column, or a function call */
        long name = simple_column(c, lo, hi, &qual);
        if (name >= 0)
            add_simple(c, name, qual, DBP_PRED_EQ);
        else
            all_columns(c, lo, hi, DBP_PRED_OTHER);
        return;
    }
    const struct tok *op = &c->t[k];
    size_t rlo = k + 1;
    enum dbp_pred_op pop = DBP_PRED_OTHER;
    bool symmetric = false; /* the column may stand on either side */
    if (tok_op(op, "=") || tok_op(op, "==") || tok_op(op, "<=>")) {
        if (rlo < hi && (tok_is(&c->t[rlo], "any") || tok_is(&c->t[rlo], "some"))) {
            pop = DBP_PRED_IN;
        } else {
            pop = DBP_PRED_EQ;
            symmetric = true;
        }
    } else if (tok_op(op, "<") || tok_op(op, "<=") || tok_op(op, ">") || tok_op(op, ">=")) {
        pop = DBP_PRED_RANGE;
        symmetric = true;
    } else if (tok_is(op, "is")) {
        if (rlo < hi && tok_is(&c->t[rlo], "not"))
            pop = DBP_PRED_OTHER;
        else
            pop = DBP_PRED_EQ;
    } else if (tok_is(op, "in")) {
        pop = DBP_PRED_IN;
    } else if (tok_is(op, "between")) {
        pop = DBP_PRED_RANGE;
    } else if (tok_is(op, "like") || tok_op(op, "~~")) {
        char f = like_first(c, rlo, hi);
        pop = (f && f != '%' && f != '_') ? DBP_PRED_RANGE : DBP_PRED_OTHER;
    }
    long lname = simple_column(c, lo, k, &qual);
    if (lname >= 0 && pop != DBP_PRED_OTHER) {
        add_simple(c, lname, qual, pop);
        long rq = -1;
        long rname = symmetric ? simple_column(c, rlo, hi, &rq) : -1;
        if (rname >= 0)
            add_simple(c, rname, rq, pop); /* join: a.x = b.y */
        else
            all_columns(c, rlo, hi, DBP_PRED_OTHER);
        return;
    }
    if (symmetric) {
        long rname = simple_column(c, rlo, hi, &qual);
        if (rname >= 0) {
            all_columns(c, lo, k, DBP_PRED_OTHER);
            add_simple(c, rname, qual, pop);
            return;
        }
    }
    all_columns(c, lo, hi, DBP_PRED_OTHER);
}

/* A boolean expression over [lo, hi): split on OR, then AND. */
static void expr(struct pctx *c, size_t lo, size_t hi, bool in_and, int depth)
{
    while (lo < hi && c->t[lo].type == T_LPAREN && c->match[lo] == (long)(hi - 1)) {
        lo++;
        hi--;
    }
    if (lo >= hi)
        return;
    if (depth > MAX_DEPTH) {
        all_columns(c, lo, hi, DBP_PRED_OTHER);
        return;
    }
    /* top-level OR */
    bool has_or = false;
    for (size_t k = lo; k < hi; k++) {
        if ((c->t[k].type == T_LPAREN || c->t[k].type == T_LBRACK) && c->match[k] > 0) {
            k = (size_t)c->match[k];
            continue;
        }
        if (tok_is(&c->t[k], "or")) {
            /* not "||": string concatenation in PostgreSQL (MySQL prints "or") */
            has_or = true;
            break;
        }
    }
    if (has_or) {
        size_t start = lo;
        for (size_t k = lo; k <= hi; k++) {
            if (k < hi && (c->t[k].type == T_LPAREN || c->t[k].type == T_LBRACK) &&
                c->match[k] > 0) {
                k = (size_t)c->match[k];
                continue;
            }
            if (k == hi || tok_is(&c->t[k], "or")) {
                expr(c, start, k, false, depth + 1);
                start = k + 1;
            }
        }
        return;
    }
    /* top-level AND (not the AND of BETWEEN) */
    size_t start = lo;
    bool between = false, split = false;
    for (size_t k = lo; k <= hi; k++) {
        if (k < hi && (c->t[k].type == T_LPAREN || c->t[k].type == T_LBRACK) && c->match[k] > 0) {
            k = (size_t)c->match[k];
            continue;
        }
        if (k < hi && tok_is(&c->t[k], "between")) {
            between = true;
            continue;
        }
        if (k < hi && tok_is(&c->t[k], "and") && between) {
            between = false;
            continue;
        }
        if (k == hi || tok_is(&c->t[k], "and")) {
            if (k == hi && !split) {
                atom(c, lo, hi, in_and);
                return;
            }
            split = true;
            expr(c, start, k, in_and, depth + 1);
            start = k + 1;
        }
    }
}

size_t dbp_preds_from_condition(struct dbp_arena *a, const char *cond, const char *qualifier,
                                struct dbp_pred **out)
{
    *out = NULL;
    if (!cond || !*cond)
        return 0;
    struct pctx c = {0};
    c.qual = qualifier && *qualifier ? qualifier : NULL;
    c.t = tokenize(cond, &c.n);
    if (c.n == 0) {
        free(c.t);
        return 0;
    }
    /* matching brackets */
    c.match = dbp_xmalloc(c.n * sizeof *c.match);
    size_t *stack = dbp_xmalloc(c.n * sizeof *stack);
    size_t sp = 0;
    for (size_t i = 0; i < c.n; i++) {
        c.match[i] = -1;
        enum tok_type ty = c.t[i].type;
        if (ty == T_LPAREN || ty == T_LBRACK) {
            stack[sp++] = i;
        } else if (ty == T_RPAREN || ty == T_RBRACK) {
            enum tok_type want = ty == T_RPAREN ? T_LPAREN : T_LBRACK;
            if (sp > 0 && c.t[stack[sp - 1]].type == want) {
                size_t o = stack[--sp];
                c.match[o] = (long)i;
                c.match[i] = (long)o;
            }
        }
    }
    free(stack);
    expr(&c, 0, c.n, true, 0);
    size_t n = c.n_cols;
    if (n > 0) {
        struct dbp_pred *p = dbp_arena_alloc(a, n * sizeof *p);
        for (size_t i = 0; i < n; i++) {
            p[i].column = dbp_arena_strndup(a, c.cols[i].name, c.cols[i].len);
            p[i].op = c.cols[i].op;
        }
        *out = p;
    }
    free(c.cols);
    free(c.match);
    free(c.t);
    return n;
}

size_t dbp_preds_merge(struct dbp_arena *a, struct dbp_pred **preds, size_t n,
                       const struct dbp_pred *add, size_t n_add)
{
    if (n_add == 0)
        return n;
    struct dbp_pred *p = dbp_arena_alloc(a, (n + n_add) * sizeof *p);
    if (n)
        memcpy(p, *preds, n * sizeof *p);
    size_t m = n;
    for (size_t i = 0; i < n_add; i++) {
        if (!add[i].column)
            continue;
        size_t j = 0;
        for (; j < m; j++)
            if (strcasecmp(p[j].column, add[i].column) == 0)
                break;
        if (j < m) {
            if (add[i].op < p[j].op)
                p[j].op = add[i].op;
        } else {
            p[m++] = add[i];
        }
    }
    *preds = p;
    return m;
}

/* ---- sort keys ---------------------------------------------------------- */

static bool ends_with_word(const char *s, size_t *len, const char *word)
{
    size_t l = strlen(word);
    if (*len < l + 1 || strncasecmp(s + *len - l, word, l) != 0 || s[*len - l - 1] != ' ')
        return false;
    *len -= l + 1;
    while (*len > 0 && s[*len - 1] == ' ')
        (*len)--;
    return true;
}

static void one_sortkey(struct dbp_arena *a, const char *s, size_t len, struct dbp_sortkey *k)
{
    while (len > 0 && (*s == ' ' || *s == '\t')) {
        s++;
        len--;
    }
    while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
        len--;
    if (ends_with_word(s, &len, "FIRST") || ends_with_word(s, &len, "LAST"))
        (void)ends_with_word(s, &len, "NULLS");
    k->desc = false;
    if (ends_with_word(s, &len, "DESC"))
        k->desc = true;
    else
        (void)ends_with_word(s, &len, "ASC");
    char *copy = dbp_arena_strndup(a, s, len);
    k->column = copy;
    struct pctx c = {0};
    c.t = tokenize(copy, &c.n);
    if (c.n > 0 && c.n < 4096) {
        c.match = dbp_xmalloc(c.n * sizeof *c.match);
        size_t *stack = dbp_xmalloc(c.n * sizeof *stack);
        size_t sp = 0;
        for (size_t i = 0; i < c.n; i++) {
            c.match[i] = -1;
            if (c.t[i].type == T_LPAREN) {
                stack[sp++] = i;
            } else if (c.t[i].type == T_RPAREN && sp > 0) {
                size_t o = stack[--sp];
                c.match[o] = (long)i;
                c.match[i] = (long)o;
            }
        }
        free(stack);
        long qual = -1;
        long name = simple_column(&c, 0, c.n, &qual);
        if (name >= 0)
            k->column = dbp_arena_strndup(a, c.t[name].p, c.t[name].len);
        free(c.match);
    }
    free(c.t);
}

size_t dbp_sortkeys_parse(struct dbp_arena *a, const char *list, size_t len,
                          struct dbp_sortkey **out)
{
    *out = NULL;
    if (!list || len == 0)
        return 0;
    /* count top-level commas (outside brackets and quotes) */
    size_t n = 1;
    int depth = 0;
    char q = 0;
    for (size_t i = 0; i < len; i++) {
        char ch = list[i];
        if (q) {
            if (ch == q)
                q = 0;
        } else if (ch == '\'' || ch == '"' || ch == '`') {
            q = ch;
        } else if (ch == '(' || ch == '[') {
            depth++;
        } else if ((ch == ')' || ch == ']') && depth > 0) {
            depth--;
        } else if (ch == ',' && depth == 0) {
            n++;
        }
    }
    struct dbp_sortkey *k = dbp_arena_alloc(a, n * sizeof *k);
    size_t m = 0, start = 0;
    depth = 0;
    q = 0;
    for (size_t i = 0; i <= len; i++) {
        char ch = i < len ? list[i] : ',';
        if (i < len && q) {
            if (ch == q)
                q = 0;
            continue;
        }
        if (i < len && (ch == '\'' || ch == '"' || ch == '`')) {
            q = ch;
        } else if (i < len && (ch == '(' || ch == '[')) {
            depth++;
        } else if (i < len && (ch == ')' || ch == ']') && depth > 0) {
            depth--;
        } else if (ch == ',' && (depth == 0 || i == len) && m < n) {
            size_t l = i - start;
            const char *s = list + start;
            size_t t = 0;
            while (t < l && (s[t] == ' ' || s[t] == '\t'))
                t++;
            if (t < l) {
                one_sortkey(a, s, l, &k[m]);
                m++;
            }
            start = i + 1;
        }
    }
    *out = m ? k : NULL;
    return m;
}
