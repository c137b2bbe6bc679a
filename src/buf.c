/*
 * buf.c -- growable byte buffer (see include/dbperf/buf.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dbperf/arena.h>
#include <dbperf/buf.h>

void dbp_buf_reserve(struct dbp_buf *b, size_t extra)
{
    size_t need = b->len + extra + 1;
    if (need <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < need)
        cap *= 2;
    b->data = dbp_xrealloc(b->data, cap);
    b->cap = cap;
}

void dbp_buf_append(struct dbp_buf *b, const void *p, size_t n)
{
    dbp_buf_reserve(b, n);
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void dbp_buf_putc(struct dbp_buf *b, char c)
{
    dbp_buf_reserve(b, 1);
    b->data[b->len++] = c;
    b->data[b->len] = '\0';
}

void dbp_buf_puts(struct dbp_buf *b, const char *s)
{
    dbp_buf_append(b, s, strlen(s));
}

void dbp_buf_printf(struct dbp_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n <= 0)
        return;
    dbp_buf_reserve(b, (size_t)n);
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

void dbp_buf_clear(struct dbp_buf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

void dbp_buf_free(struct dbp_buf *b)
{
    if (!b)
        return;
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}
