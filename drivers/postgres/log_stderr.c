/*
 * log_stderr.c -- the postgres-stderr format: PostgreSQL's stderr log with
 * any log_line_prefix.
 *
 * Each line either starts a message (prefix, then "SEVERITY:  message") or,
 * when it starts with a tab, continues the previous one (PostgreSQL prefixes
 * every embedded newline of a message with a tab). The prefix is matched by
 * a small compiled pattern: given with --log-prefix (struct
 * dbp_parse_opts.log_prefix), or else chosen from common prefixes by how
 * many lines of the first 64 KiB it matches, or else a generic matcher
 * (timestamp first, severity found by search, [pid], session id, user= and
 * db= or user@db taken where seen). Messages go to log_common.c.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <dbperf/arena.h>
#include <dbperf/buf.h>
#include <dbperf/driver.h>
#include <dbperf/error.h>
#include <dbperf/model.h>
#include <dbperf/reader.h>

#include "log_int.h"
#include "pg_int.h"

/* ---- prefix patterns -------------------------------------------------- */

enum op_kind { OP_LIT, OP_TS, OP_EPOCH, OP_NUM, OP_SESSION, OP_STR, OP_Q };

struct op {
    enum op_kind kind;
    char esc;        /* the escape letter */
    size_t lit;      /* OP_LIT: offset of its bytes in struct prefix.text */
    size_t lit_len;
    uint64_t lit8, mask8; /* OP_LIT of up to 8 bytes: its bytes and a mask, as 8 loaded bytes */
};

#define MAX_OPS 64

struct prefix {
    struct op ops[MAX_OPS];
    size_t n;
    char text[512]; /* literal bytes */
    bool generic;   /* no pattern: heuristic matcher */
};

/* The fields a line's prefix gave. */
struct fields {
    const char *session;
    size_t session_len;
    const char *pid;
    size_t pid_len;
    const char *user;
    size_t user_len;
    const char *db;
    size_t db_len;
    int64_t ts_us;
};

static const char *const known_prefixes[] = {
    "%m [%p] %c %l user=%u,db=%d,app=%a,client=%h ",
    "%t [%p]: [%l-1] user=%u,db=%d,app=%a,client=%h ",
    "%t [%p]: [%l-1] user=%u,db=%d,host=%h,app=%a ",
    "%t [%p]: [%l-1] user=%u,db=%d ",
    "%t [%p]: [%l-1] db=%d,user=%u,app=%a,client=%h ",
    "%t [%p]: db=%d,user=%u,app=%a,client=%h ",
    "%t [%p]: [%l-1] ",
    "%m [%p] user=%u,db=%d,app=%a,client=%h ",
    "%m [%p] user=%u,db=%d ",
    "%m [%p] %q%u@%d ",
    "%m [%p] %q[%u@%d] ",
    "%t [%p] %q%u@%d ",
    "%t:%r:%u@%d:[%p]:",
    "%t:%h:%u@%d:[%p]:",
    "%m [%p] ",
    "%t [%p] ",
    "%m [%p]: ",
    "%t [%p]: ",
};

/* Compile a log_line_prefix. Returns false if it is too long. */
static bool prefix_compile(struct prefix *p, const char *spec)
{
    memset(p, 0, sizeof *p);
    size_t tn = 0;
    for (const char *s = spec; *s; s++) {
        if (p->n + 1 >= MAX_OPS)
            return false;
        char c = *s;
        if (c == '%' && s[1] && s[1] != '%') {
            char e = *++s;
            struct op *o = &p->ops[p->n++];
            o->esc = e;
            switch (e) {
            case 'm':
            case 't':
            case 's':
                o->kind = OP_TS;
                break;
            case 'n':
                o->kind = OP_EPOCH;
                break;
            case 'p':
            case 'l':
            case 'x':
            case 'P':
            case 'Q':
                o->kind = OP_NUM;
                break;
            case 'c':
                o->kind = OP_SESSION;
                break;
            case 'q':
                o->kind = OP_Q;
                break;
            default: /* u d a h r i b v e and anything unknown */
                o->kind = OP_STR;
                break;
            }
            continue;
        }
        if (c == '%' && s[1] == '%')
            s++;
        if (tn + 1 >= sizeof p->text)
            return false;
        if (p->n > 0 && p->ops[p->n - 1].kind == OP_LIT &&
            p->ops[p->n - 1].lit + p->ops[p->n - 1].lit_len == tn) {
            p->ops[p->n - 1].lit_len++;
        } else {
            struct op *o = &p->ops[p->n++];
            o->kind = OP_LIT;
            o->lit = tn;
            o->lit_len = 1;
        }
        p->text[tn++] = c;
    }
    /* short literals are compared as one 8-byte load (prefix_match), whatever the byte order */
    for (size_t k = 0; k < p->n; k++) {
        struct op *o = &p->ops[k];
        if (o->kind != OP_LIT || o->lit_len > 8)
            continue;
        unsigned char v[8] = {0}, m[8] = {0};
        memcpy(v, p->text + o->lit, o->lit_len);
        memset(m, 0xFF, o->lit_len);
        memcpy(&o->lit8, v, 8);
        memcpy(&o->mask8, m, 8);
    }
    return true;
}

static bool is_upper(char c)
{
    return c >= 'A' && c <= 'Z';
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool is_hex(char c)
{
    return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static bool known_severity(const char *w, size_t n)
{
    switch (n) {
    case 3:
        return memcmp(w, "LOG", 3) == 0;
    case 4:
        return memcmp(w, "INFO", 4) == 0 || memcmp(w, "HINT", 4) == 0;
    case 5:
        return memcmp(w, "ERROR", 5) == 0 || memcmp(w, "FATAL", 5) == 0 ||
               memcmp(w, "PANIC", 5) == 0 || memcmp(w, "QUERY", 5) == 0 ||
               memcmp(w, "DEBUG", 5) == 0;
    case 6:
        return memcmp(w, "DETAIL", 6) == 0 || memcmp(w, "NOTICE", 6) == 0 ||
               (memcmp(w, "DEBUG", 5) == 0 && is_digit(w[5]));
    case 7:
        return memcmp(w, "WARNING", 7) == 0 || memcmp(w, "CONTEXT", 7) == 0;
    case 8:
        return memcmp(w, "LOCATION", 8) == 0;
    case 9:
        return memcmp(w, "STATEMENT", 9) == 0;
    default:
        return false;
    }
}

/*
 * At s[i]: "SEVERITY:" followed by spaces. Sets the severity span and the
 * message start. Returns false if not there.
 */
static bool severity_at(const char *s, size_t len, size_t i, size_t *sev_len, size_t *msg)
{
    size_t k = i;
    while (k < len && k - i < 10 && (is_upper(s[k]) || is_digit(s[k])))
        k++;
    if (k == i || k >= len || s[k] != ':' || !known_severity(s + i, k - i))
        return false;
    *sev_len = k - i;
    k++;
    while (k < len && k - i < 16 && s[k] == ' ')
        k++;
    *msg = k;
    return true;
}

/* The first position >= from where a severity starts, preceded by a non-word byte. */
static bool find_severity(const char *s, size_t len, size_t from, size_t *pos, size_t *sev_len,
                          size_t *msg)
{
    size_t i = from;
    while (i < len) {
        const char *c = memchr(s + i, ':', len - i);
        if (!c)
            return false;
        size_t k = (size_t)(c - s);
        size_t b = k;
        while (b > from && (is_upper(s[b - 1]) || is_digit(s[b - 1])))
            b--;
        if (b < k && (b == from || !(is_upper(s[b - 1]) || (s[b - 1] >= 'a' && s[b - 1] <= 'z'))) &&
            severity_at(s, len, b, sev_len, msg)) {
            *pos = b;
            return true;
        }
        i = k + 1;
    }
    return false;
}

/* memmem for the short literals of a prefix: memchr on the first byte, then compare */
static const char *find_lit(const char *s, size_t len, const char *lit, size_t n)
{
    const char *end = s + len;
    while ((size_t)(end - s) >= n) {
        const char *c = memchr(s, lit[0], (size_t)(end - s) - n + 1);
        if (!c)
            return NULL;
        if (n == 1 || memcmp(c + 1, lit + 1, n - 1) == 0)
            return c;
        s = c + 1;
    }
    return NULL;
}

static void fields_reset(struct fields *f)
{
    memset(f, 0, sizeof *f);
}

/* Match the compiled prefix at the start of line. Returns the end position, or SIZE_MAX. */
static size_t prefix_match(const struct prefix *p, const char *s, size_t len, struct fields *f)
{
    size_t pos = 0;
    size_t qpos = SIZE_MAX;
    for (size_t k = 0; k < p->n; k++) {
        const struct op *o = &p->ops[k];
        switch (o->kind) {
        case OP_LIT:
            if (o->lit_len <= 8 && len - pos >= 8) {
                uint64_t w;
                memcpy(&w, s + pos, 8);
                if ((w & o->mask8) != o->lit8)
                    goto fail;
            } else if (len - pos < o->lit_len ||
                       memcmp(s + pos, p->text + o->lit, o->lit_len) != 0)
                goto fail;
            pos += o->lit_len;
            break;
        case OP_Q:
            qpos = pos;
            break;
        case OP_TS: {
            size_t used = 0;
            int64_t t = dbp_pglog_parse_ts(s + pos, len - pos, &used);
            if (!used)
                goto fail;
            if (o->esc != 's')
                f->ts_us = t;
            pos += used;
            break;
        }
        case OP_EPOCH: {
            size_t b = pos;
            int64_t sec = 0, us = 0, scale = 100000;
            while (pos < len && is_digit(s[pos]))
                sec = sec * 10 + (s[pos++] - '0');
            if (pos == b)
                goto fail;
            if (pos < len && s[pos] == '.') {
                pos++;
                while (pos < len && is_digit(s[pos])) {
                    us += (s[pos++] - '0') * scale;
                    scale /= 10;
                }
            }
            f->ts_us = sec * 1000000 + us;
            break;
        }
        case OP_NUM: {
            size_t b = pos;
            if (pos < len && s[pos] == '-' && o->esc == 'Q')
                pos++;
            while (pos < len && is_digit(s[pos]))
                pos++;
            if (pos == b)
                goto fail;
            if (o->esc == 'p') {
                f->pid = s + b;
                f->pid_len = pos - b;
            }
            break;
        }
        case OP_SESSION: {
            size_t b = pos;
            while (pos < len && is_hex(s[pos]))
                pos++;
            if (pos == b || pos >= len || s[pos] != '.')
                goto fail;
            pos++;
            while (pos < len && is_hex(s[pos]))
                pos++;
            f->session = s + b;
            f->session_len = pos - b;
            break;
        }
        case OP_STR: {
            size_t b = pos, e;
            const struct op *next = k + 1 < p->n ? &p->ops[k + 1] : NULL;
            if (next && next->kind == OP_LIT) {
                const char *hit = find_lit(s + pos, len - pos, p->text + next->lit, next->lit_len);
                if (!hit)
                    goto fail;
                e = (size_t)(hit - s);
            } else {
                size_t sl, m;
                if (!find_severity(s, len, pos, &e, &sl, &m))
                    goto fail;
                while (e > b && s[e - 1] == ' ')
                    e--;
            }
            if (o->esc == 'u') {
                f->user = s + b;
                f->user_len = e - b;
            } else if (o->esc == 'd') {
                f->db = s + b;
                f->db_len = e - b;
            }
            pos = e;
            break;
        }
        }
    }
    return pos;
fail:
    if (qpos != SIZE_MAX) {
        f->user = f->db = NULL;
        f->user_len = f->db_len = 0;
        return qpos;
    }
    return SIZE_MAX;
}

/* value after key (e.g. "user=") inside [b, e), up to ',', ' ' or ']' */
static void kv(const char *s, size_t b, size_t e, const char *key, const char **v, size_t *vl)
{
    size_t kl = strlen(key);
    const char *hit = memmem(s + b, e - b, key, kl);
    while (hit && hit > s + b && ((hit[-1] >= 'a' && hit[-1] <= 'z') || hit[-1] == '_'))
        hit = memmem(hit + 1, (size_t)(s + e - hit - 1), key, kl);
    if (!hit)
        return;
    size_t i = (size_t)(hit - s) + kl, j = i;
    while (j < e && s[j] != ',' && s[j] != ' ' && s[j] != ']')
        j++;
    *v = s + i;
    *vl = j - i;
}

/*
 * The generic matcher: a timestamp first, the severity found by search;
 * [pid], a session id, user=/db= or user@db picked out of what lies between.
 * Returns the severity position or SIZE_MAX.
 */
static size_t generic_match(const char *s, size_t len, struct fields *f)
{
    size_t used = 0;
    int64_t t = dbp_pglog_parse_ts(s, len, &used);
    if (!used)
        return SIZE_MAX;
    f->ts_us = t;
    size_t sev, sl, m;
    if (!find_severity(s, len, used, &sev, &sl, &m))
        return SIZE_MAX;
    /* [pid] */
    for (size_t i = used; i < sev; i++) {
        if (s[i] == '[' && i + 1 < sev && is_digit(s[i + 1])) {
            size_t j = i + 1;
            while (j < sev && is_digit(s[j]))
                j++;
            if (j < sev && s[j] == ']') {
                f->pid = s + i + 1;
                f->pid_len = j - i - 1;
                break;
            }
        }
    }
    /* session id: hex.hex as a whole token */
    for (size_t i = used; i < sev; i++) {
        if (!is_hex(s[i]) || (i > used && s[i - 1] != ' ' && s[i - 1] != '[' && s[i - 1] != ':'))
            continue;
        size_t j = i;
        while (j < sev && is_hex(s[j]))
            j++;
        if (j < sev && s[j] == '.' && j - i >= 6) {
            size_t k = j + 1;
            while (k < sev && is_hex(s[k]))
                k++;
            if (k > j + 1 && (k == sev || s[k] == ' ' || s[k] == ']' || s[k] == ':')) {
                f->session = s + i;
                f->session_len = k - i;
                break;
            }
        }
    }
    kv(s, used, sev, "user=", &f->user, &f->user_len);
    if (!f->user)
        kv(s, used, sev, "usr=", &f->user, &f->user_len);
    kv(s, used, sev, "db=", &f->db, &f->db_len);
    if (!f->db)
        kv(s, used, sev, "database=", &f->db, &f->db_len);
    if (!f->user && !f->db) {
        const char *at = memchr(s + used, '@', sev - used);
        if (at) {
            size_t a = (size_t)(at - s), b = a, e = a + 1;
            while (b > used && s[b - 1] != ' ' && s[b - 1] != ':' && s[b - 1] != '[')
                b--;
            while (e < sev && s[e] != ' ' && s[e] != ':' && s[e] != ']')
                e++;
            f->user = s + b;
            f->user_len = a - b;
            f->db = s + a + 1;
            f->db_len = e - a - 1;
        }
    }
    return sev;
}

/* Match a line: the prefix and the severity after it. */
static bool line_match(const struct prefix *p, const char *s, size_t len, struct fields *f,
                       size_t *sev, size_t *sev_len, size_t *msg)
{
    fields_reset(f);
    size_t e = p->generic ? generic_match(s, len, f) : prefix_match(p, s, len, f);
    if (e == SIZE_MAX)
        return false;
    if (!severity_at(s, len, e, sev_len, msg))
        return false;
    *sev = e;
    if (!f->session) {
        f->session = f->pid;
        f->session_len = f->pid_len;
    }
    return true;
}

/* Score a prefix on the head: lines matched, out of *total message-like lines. */
static size_t score_prefix(const struct prefix *p, const unsigned char *head, size_t len,
                           size_t *total)
{
    const char *s = (const char *)head;
    size_t pos = 0, hits = 0, n = 0;
    while (pos < len && n < 400) {
        const char *nl = memchr(s + pos, '\n', len - pos);
        if (!nl)
            break; /* a last partial line is not judged */
        size_t l = (size_t)(nl - s) - pos;
        const char *line = s + pos;
        pos += l + 1;
        if (l == 0 || line[0] == '\t')
            continue;
        n++;
        struct fields f;
        size_t a, b, c;
        if (line_match(p, line, l, &f, &a, &b, &c))
            hits++;
    }
    if (n == 0 && len > 0 && len < (64u << 10)) {
        /* one unterminated line */
        struct fields f;
        size_t a, b, c;
        n = 1;
        if (s[0] != '\t' && line_match(p, s, len, &f, &a, &b, &c))
            hits = 1;
    }
    *total = n;
    return hits;
}

/* Choose the prefix for an input: given, else the best known, else generic. */
static void prefix_choose(struct prefix *p, const char *given, const unsigned char *head,
                          size_t len)
{
    if (given && prefix_compile(p, given))
        return;
    struct prefix cand;
    size_t best = 0, total = 0;
    struct prefix gen;
    memset(&gen, 0, sizeof gen);
    gen.generic = true;
    size_t gen_hits = score_prefix(&gen, head, len, &total);
    *p = gen;
    for (size_t i = 0; i < sizeof known_prefixes / sizeof known_prefixes[0]; i++) {
        if (!prefix_compile(&cand, known_prefixes[i]))
            continue;
        size_t hits = score_prefix(&cand, head, len, &total);
        /* a known prefix must explain (nearly) every line the generic matcher does */
        if (hits > best && hits * 100 >= gen_hits * 98) {
            best = hits;
            *p = cand;
        }
    }
}

/* ---- the format ------------------------------------------------------- */

static int probe(const unsigned char *head, size_t len)
{
    if (len == 0)
        return 0;
    struct prefix gen;
    memset(&gen, 0, sizeof gen);
    gen.generic = true;
    size_t total = 0;
    size_t hits = score_prefix(&gen, head, len, &total);
    /* a few matching lines among many others (another program's log that happens to
     * hold "WARNING: "): not this format */
    if (hits == 0 || total == 0 || hits * 5 < total)
        return 0;
    if (hits * 2 < total)
        return 10;
    return (int)(40 + 50 * hits / total);
}

/* The message being assembled (a line and its tab continuations). */
struct cur {
    bool active;
    bool keep; /* a message worth keeping (LOG / ERROR...) */
    struct dbp_buf session, user, db, sev, msg;
    int64_t ts_us;
    uint64_t lineno;
};

static void emit(struct dbp_pglog *L, struct cur *c)
{
    if (!c->active || !c->keep) {
        c->active = false;
        return;
    }
    struct dbp_pglog_rec rec = {
        .session = c->session.data,
        .session_len = c->session.len,
        .ts_us = c->ts_us,
        .user = c->user.data,
        .user_len = c->user.len,
        .db = c->db.data,
        .db_len = c->db.len,
        .severity = c->sev.data,
        .severity_len = c->sev.len,
        .msg = c->msg.data ? c->msg.data : "",
        .msg_len = c->msg.len,
        .lineno = c->lineno,
    };
    dbp_pglog_record(L, &rec);
    c->active = false;
}

static void set(struct dbp_buf *b, const char *s, size_t n)
{
    dbp_buf_clear(b);
    if (s && n)
        dbp_buf_append(b, s, n);
}

static int parse(struct dbp_reader *r, const struct dbp_parse_opts *o, struct dbp_snapshot *snap,
                 struct dbp_source *src, struct dbp_error *err)
{
    size_t hl = 0;
    const unsigned char *head = dbp_reader_head(r, &hl);
    struct prefix *p = dbp_xmalloc(sizeof *p);
    if (o && o->head) /* a chunk of a split file: detect on the file's own start */
        prefix_choose(p, o->log_prefix, o->head, o->head_len);
    else
        prefix_choose(p, o ? o->log_prefix : NULL, head, hl);
    struct dbp_pglog *L = dbp_pglog_new(snap, src, dbp_reader_name(r));
    dbp_pglog_set_chunk(L, o);
    struct cur c;
    memset(&c, 0, sizeof c);
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
        if (len && line[len - 1] == '\r')
            len--;
        if (len && line[0] == '\t') {
            if (c.active && c.keep) {
                /* "\n" + the line without its tab, in one copy */
                dbp_buf_reserve(&c.msg, len);
                c.msg.data[c.msg.len] = '\n';
                memcpy(c.msg.data + c.msg.len + 1, line + 1, len - 1);
                c.msg.len += len;
                c.msg.data[c.msg.len] = '\0';
            }
            continue;
        }
        if (len == 0)
            continue;
        if (line[0] == ' ' && c.active) {
            /* a continuation whose tab became spaces (an editor, a copy): kept, as
             * pgbadger does, when it cannot start a message */
            if (c.keep) {
                dbp_buf_putc(&c.msg, '\n');
                dbp_buf_append(&c.msg, line, len);
            }
            continue;
        }
        struct fields f;
        size_t sev, sev_len, msg;
        if (!line_match(p, line, len, &f, &sev, &sev_len, &msg)) {
            emit(L, &c);
            dbp_pglog_malformed(L, dbp_reader_lineno(r), "line does not match the log_line_prefix");
            continue;
        }
        emit(L, &c);
        c.active = true;
        c.lineno = dbp_reader_lineno(r);
        const char *sv = line + sev;
        c.keep = (sev_len == 3 && memcmp(sv, "LOG", 3) == 0) ||
                 (sev_len == 5 && memcmp(sv, "ERROR", 5) == 0) ||
                 (sev_len == 5 && memcmp(sv, "FATAL", 5) == 0) ||
                 (sev_len == 5 && memcmp(sv, "PANIC", 5) == 0) ||
                 (sev_len == 6 && memcmp(sv, "DETAIL", 6) == 0 &&
                  ((len - msg >= 12 && memcmp(line + msg, "parameters: ", 12) == 0) ||
                   (len - msg >= 9 && memcmp(line + msg, "prepare: ", 9) == 0)));
        if (!c.keep)
            continue;
        set(&c.sev, sv, sev_len);
        set(&c.session, f.session, f.session_len);
        set(&c.user, f.user, f.user_len);
        set(&c.db, f.db, f.db_len);
        set(&c.msg, line + msg, len - msg);
        c.ts_us = f.ts_us;
        if (!src->server_version && len - msg > 20 &&
            memcmp(line + msg, "starting PostgreSQL ", 20) == 0) {
            const char *v = line + msg + 20;
            const char *sp = memchr(v, ' ', len - msg - 20);
            src->server_version =
                dbp_arena_strndup(snap->arena, v, sp ? (size_t)(sp - v) : len - msg - 20);
        }
    }
    emit(L, &c);
    dbp_buf_free(&c.session);
    dbp_buf_free(&c.user);
    dbp_buf_free(&c.db);
    dbp_buf_free(&c.sev);
    dbp_buf_free(&c.msg);
    free(p);
    return dbp_pglog_finish(L, r, err);
}

/*
 * A chunk may start at a LOG message whose prefix opens with a timestamp
 * (other prefixes are read in one pass), after a line that is not a
 * continuation: never between a message and its DETAIL, and never inside a
 * multi-line statement or plan.
 */
static int split_ok(const char *line, size_t len, const char *prev, size_t prev_len)
{
    if (!dbp_pglog_ts_start(line, len) || (prev_len > 0 && prev[0] == '\t'))
        return 0;
    size_t n = len < 512 ? len : 512;
    for (size_t i = 0; i + 6 <= n; i++)
        if (line[i] == 'L' && memcmp(line + i, "LOG:  ", 6) == 0)
            return 1;
    return 0;
}

const struct dbp_format dbp_pg_stderr_format = {
    .name = "postgres-stderr",
    .summary = "PostgreSQL stderr log (any log_line_prefix; --log-prefix or detected)",
    .probe = probe,
    .parse = parse,
    .split_ok = split_ok,
};
