/*
 * buf.h -- a growable byte buffer, reused across calls in hot loops.
 *
 * data is heap memory owned by the buffer (freed by dbp_buf_free) and always
 * NUL-terminated after any append, so it can be used as a C string.
 */
#ifndef DBPERF_BUF_H
#define DBPERF_BUF_H

#include <stddef.h>

struct dbp_buf {
    char *data; /* NULL until the first append */
    size_t len;
    size_t cap;
};

/* Make room for at least extra more bytes (plus the NUL). Aborts on OOM. */
void dbp_buf_reserve(struct dbp_buf *b, size_t extra);
void dbp_buf_append(struct dbp_buf *b, const void *p, size_t n);
void dbp_buf_putc(struct dbp_buf *b, char c);
void dbp_buf_puts(struct dbp_buf *b, const char *s);
void dbp_buf_printf(struct dbp_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* len = 0, keeps the memory. */
void dbp_buf_clear(struct dbp_buf *b);
/* Releases the memory; the buffer is empty and reusable. NULL-safe. */
void dbp_buf_free(struct dbp_buf *b);

#endif
