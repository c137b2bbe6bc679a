/*
 * arena.h -- region allocator that owns everything parsed into a snapshot.
 *
 * An arena hands out memory that lives until dbp_arena_free() releases all of
 * it at once (PostgreSQL's memory-context idea, passed explicitly). Nothing
 * allocated here is freed piecemeal. Running out of memory aborts the process
 * (dbp_xmalloc and friends): dbperf is an application, and dbp_error is kept
 * for database, I/O and parse errors.
 */
#ifndef DBPERF_ARENA_H
#define DBPERF_ARENA_H

#include <stddef.h>

struct dbp_arena;

/* Allocation helpers that abort on failure. Returned memory is the caller's (free()). */
void *dbp_xmalloc(size_t n);
void *dbp_xcalloc(size_t nmemb, size_t size);
void *dbp_xrealloc(void *p, size_t n);
char *dbp_xstrdup(const char *s);

/* A new, empty arena. Free with dbp_arena_free(). Never NULL. */
struct dbp_arena *dbp_arena_new(void);

/* Release every block of the arena and the arena itself. NULL-safe. */
void dbp_arena_free(struct dbp_arena *a);

/* n bytes aligned for any type; zero-filled. n == 0 returns a valid unique pointer. */
void *dbp_arena_alloc(struct dbp_arena *a, size_t n);

/* Copy of s (NULL gives NULL), NUL-terminated, owned by the arena. */
char *dbp_arena_strdup(struct dbp_arena *a, const char *s);

/* Copy of the first n bytes of s plus a NUL, owned by the arena. */
char *dbp_arena_strndup(struct dbp_arena *a, const char *s, size_t n);

/* printf into the arena. */
char *dbp_arena_printf(struct dbp_arena *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Move every allocation of src into dst (they now live until dst is freed); frees src. */
void dbp_arena_adopt(struct dbp_arena *dst, struct dbp_arena *src);

/* Bytes handed out so far (for memory accounting in tests and benchmarks). */
size_t dbp_arena_used(const struct dbp_arena *a);

#endif
