/*
 * arena.c -- region allocator (see include/dbperf/arena.h).
 *
 * Blocks are chained; a request larger than a quarter of the block size gets
 * a block of its own so that big strings do not waste the current block.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dbperf/arena.h>

#define BLOCK_SIZE (64u * 1024u)
#define ALIGN      16u

struct block {
    struct block *next;
    size_t used;
    size_t size;
    _Alignas(16) unsigned char data[];
};

struct dbp_arena {
    struct block *head;
    size_t total;
};

static void oom(size_t n)
{
    fprintf(stderr, "dbperf: out of memory (%zu bytes)\n", n);
    abort();
}

void *dbp_xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        oom(n);
    return p;
}

void *dbp_xcalloc(size_t nmemb, size_t size)
{
    void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);
    if (!p)
        oom(nmemb * size);
    return p;
}

void *dbp_xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q)
        oom(n);
    return q;
}

char *dbp_xstrdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = dbp_xmalloc(n);
    memcpy(p, s, n);
    return p;
}

struct dbp_arena *dbp_arena_new(void)
{
    return dbp_xcalloc(1, sizeof(struct dbp_arena));
}

void dbp_arena_free(struct dbp_arena *a)
{
    if (!a)
        return;
    struct block *b = a->head;
    while (b) {
        struct block *next = b->next;
        free(b);
        b = next;
    }
    free(a);
}

static struct block *new_block(size_t size)
{
    struct block *b = dbp_xmalloc(sizeof(struct block) + size);
    b->next = NULL;
    b->used = 0;
    b->size = size;
    return b;
}

void *dbp_arena_alloc(struct dbp_arena *a, size_t n)
{
    size_t need = (n + ALIGN - 1) & ~(size_t)(ALIGN - 1);
    if (need == 0)
        need = ALIGN;
    a->total += need;
    struct block *b = a->head;
    if (need > BLOCK_SIZE / 4) {
        /* a block of its own, linked behind the current one */
        struct block *big = new_block(need);
        big->used = need;
        if (b) {
            big->next = b->next;
            b->next = big;
        } else {
            a->head = big;
        }
        memset(big->data, 0, need);
        return big->data;
    }
    if (!b || b->size - b->used < need) {
        b = new_block(BLOCK_SIZE);
        b->next = a->head;
        a->head = b;
    }
    void *p = b->data + b->used;
    b->used += need;
    memset(p, 0, need);
    return p;
}

char *dbp_arena_strndup(struct dbp_arena *a, const char *s, size_t n)
{
    char *p = dbp_arena_alloc(a, n + 1);
    if (n)
        memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *dbp_arena_strdup(struct dbp_arena *a, const char *s)
{
    if (!s)
        return NULL;
    return dbp_arena_strndup(a, s, strlen(s));
}

char *dbp_arena_printf(struct dbp_arena *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        n = 0;
    char *p = dbp_arena_alloc(a, (size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return p;
}

size_t dbp_arena_used(const struct dbp_arena *a)
{
    return a->total;
}

void dbp_arena_adopt(struct dbp_arena *dst, struct dbp_arena *src)
{
    if (!src)
        return;
    if (src->head) {
        struct block *tail = src->head;
        while (tail->next)
            tail = tail->next;
        if (dst->head) { /* behind dst's current block, which stays the one allocated from */
            tail->next = dst->head->next;
            dst->head->next = src->head;
        } else {
            dst->head = src->head;
        }
    }
    dst->total += src->total;
    free(src);
}
