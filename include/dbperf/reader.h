/*
 * reader.h -- streaming line reader over files, stdin, gzip and memory.
 *
 * Lines are returned without their '\n' (a trailing '\r' is kept) as
 * pointers into the reader's buffer, valid until the next call. gzip input
 * is detected by its magic bytes and inflated on the fly (zlib). A line longer
 * than the limit is skipped whole and reported as DBP_ERR_FORMAT with its
 * line number; reading can continue after it.
 */
#ifndef DBPERF_READER_H
#define DBPERF_READER_H

#include <stddef.h>
#include <stdint.h>

struct dbp_error;
struct dbp_reader;

#define DBP_READER_MAX_LINE (64u << 20) /* 64 MiB */

/*
 * Open path ("-" is standard input). Fails with DBP_ERR_IO for a missing or
 * unreadable file and for a directory. *out is NULL on failure.
 */
int dbp_reader_open(const char *path, struct dbp_reader **out, struct dbp_error *err);

/*
 * A reader over bytes [offset, offset + len) of the plain (never inflated)
 * file at path: one chunk of a split input. Line numbers count from the
 * chunk's first line.
 */
int dbp_reader_open_range(const char *path, uint64_t offset, uint64_t len,
                          struct dbp_reader **out, struct dbp_error *err);

/* 1 if the content is being inflated from gzip. */
int dbp_reader_is_gzip(const struct dbp_reader *r);

/* A reader over len bytes at data (not copied; must outlive the reader). name is for messages. */
struct dbp_reader *dbp_reader_open_mem(const void *data, size_t len, const char *name);

/* Close and free. NULL-safe. */
void dbp_reader_close(struct dbp_reader *r);

/*
 * The first bytes of the (decompressed) content, up to 64 KiB, without
 * consuming them: for format detection. *len may be 0 for an empty input.
 */
const unsigned char *dbp_reader_head(struct dbp_reader *r, size_t *len);

/*
 * Next line. Returns 1 with *line and *len set, 0 at end of input, or a negative
 * value: -DBP_ERR_FORMAT when an over-long line was skipped (err names the
 * line; call again to go on), -DBP_ERR_IO on a read or decompression error
 * (err says which; the input cannot continue).
 */
int dbp_reader_line(struct dbp_reader *r, const char **line, size_t *len, struct dbp_error *err);

/*
 * Read everything left, up to max bytes, into one buffer owned by the reader
 * (valid until close). DBP_ERR_FORMAT if the input is larger than max.
 */
int dbp_reader_slurp(struct dbp_reader *r, size_t max, const char **data, size_t *len,
                     struct dbp_error *err);

/* Number of the line last returned (1-based). */
uint64_t dbp_reader_lineno(const struct dbp_reader *r);
/* Bytes of (decompressed) content consumed so far. */
uint64_t dbp_reader_bytes(const struct dbp_reader *r);
/* The name given at open ("-" shows as "<stdin>"). */
const char *dbp_reader_name(const struct dbp_reader *r);

#endif
