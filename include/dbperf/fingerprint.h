/*
 * fingerprint.h -- statement fingerprints (normalized text) and their ids.
 *
 * A fingerprint is the statement's text with literals replaced, so that
 * executions differing only in values group into one statement class.
 *   DBP_FP_PT   reproduces pt-query-digest / pt-fingerprint (MySQL): lower
 *               case, literals -> ?, IN lists -> in(?+), VALUES lists
 *               collapsed, comments removed, whitespace collapsed.
 *   DBP_FP_PGSS reproduces pg_stat_statements' normalized query text:
 *               constants -> $1, $2, ... in order (after the highest $n
 *               already present), lists of constants in IN (...) / ARRAY[...]
 *               squashed as in PostgreSQL 18, everything else kept; leading
 *               comments, surrounding space and a single statement's final
 *               ';' dropped.
 * Both are tokenizers (no regular expressions), single pass, no allocation
 * beyond the output buffer.
 *
 * The id of a fingerprint is the same as pt-query-digest's query checksum:
 * the last 64 bits of the MD5 digest of the fingerprint text, read as a
 * big-endian integer (printed as 16 upper-case hex digits, it equals
 * pt-query-digest's "Query ID 0x..."). It depends only on the bytes of the
 * fingerprint, so it is stable across runs, machines and versions.
 */
#ifndef DBPERF_FINGERPRINT_H
#define DBPERF_FINGERPRINT_H

#include <stddef.h>
#include <stdint.h>

struct dbp_buf;

enum dbp_fp_style {
    DBP_FP_PT = 0, /* pt-fingerprint / pt-query-digest */
    DBP_FP_PGSS    /* pg_stat_statements */
};

/* "pt" / "pgss" -> style; returns -1 if unknown. */
int dbp_fp_style_parse(const char *name);

/*
 * Fingerprint the len bytes at sql into out (cleared first; NUL-terminated).
 * Any bytes are accepted (binary garbage gives some fingerprint, never a
 * crash); a NUL byte in the input comes out as '?', so the fingerprint is a
 * C string of out->len bytes. Returns out->len.
 */
size_t dbp_fingerprint(enum dbp_fp_style style, const char *sql, size_t len, struct dbp_buf *out);

/* Flags for dbp_fingerprint_ex (0 = the defaults of dbp_fingerprint). */
#define DBP_FP_MATCH_MD5_CHECKSUMS    0x1u /* pt: pt-fingerprint --match-md5-checksums */
#define DBP_FP_MATCH_EMBEDDED_NUMBERS 0x2u /* pt: pt-fingerprint --match-embedded-numbers */
/*
 * pgss: the grouping form instead of the display text. Statements that
 * pg_stat_statements counts under one queryid although their text differs
 * (whitespace, comments, LIMIT/OFFSET order, FETCH FIRST n ROWS ONLY vs LIMIT,
 * x = ANY (ARRAY[constants]) vs x IN (constants) where the types provably agree,
 * FOR UPDATE OF <every FROM relation in order> vs FOR UPDATE) get the same
 * grouping form. Hash it with dbp_fingerprint_id to group
 * statements; show the first-seen display text, as pg_stat_statements does.
 */
#define DBP_FP_PGSS_GROUP 0x4u

/* dbp_fingerprint with flags (DBP_FP_*); flags that do not apply to style are ignored. */
size_t dbp_fingerprint_ex(enum dbp_fp_style style, unsigned flags, const char *sql, size_t len,
                          struct dbp_buf *out);

/* The 64-bit id of a fingerprint text (see above). */
uint64_t dbp_fingerprint_id(const char *fp, size_t len);

/* MD5 of len bytes into digest[16] (RFC 1321). */
void dbp_md5(const void *data, size_t len, unsigned char digest[16]);

#endif
