/*
 * cmd_fingerprint.c -- `dbperf fingerprint`: one statement per input line in,
 * one fingerprint per line out.
 *
 *   dbperf fingerprint [--style pt|pgss] [--id] [--match-md5-checksums]
 *                      [--match-embedded-numbers] [FILE...]
 *
 * Reads the FILEs (or standard input; "-" is standard input; gzip is inflated)
 * with the project's line reader. Blank lines are skipped; every other line
 * gives exactly one output line. As pt-fingerprint reads ";\n"-terminated
 * records, a trailing ';' (and '\r') is removed from each line first.
 * --id prefixes each fingerprint with its 64-bit id in 16 upper-case hex
 * digits and a tab (the id is pt-query-digest's checksum: the last 8 bytes of
 * the MD5 of the fingerprint). Exit status: 0, 2 for usage errors, 3 when a
 * file could not be read or a line was skipped (the other files are still
 * processed).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dbperf/buf.h>
#include <dbperf/error.h>
#include <dbperf/fingerprint.h>
#include <dbperf/reader.h>

#include "cmd.h"

static void usage(FILE *f)
{
    fprintf(f,
            "usage: dbperf fingerprint [--style pt|pgss] [--id] [--match-md5-checksums]\n"
            "                          [--match-embedded-numbers] [FILE...]\n\n"
            "Print the fingerprint of each statement, one statement per input line\n"
            "(standard input when no FILE is given, or for -).\n\n"
            "  --style pt      pt-query-digest / pt-fingerprint fingerprints (MySQL; default)\n"
            "  --style pgss    pg_stat_statements normalization ($1, $2, ...; PostgreSQL)\n"
            "  --id            prefix each line with the 16-hex-digit fingerprint id and a tab\n"
            "  --match-md5-checksums     pt: 32-hex-digit names (db.md5_tbl) -> ?\n"
            "  --match-embedded-numbers  pt: keep numbers inside words (tbl_5min)\n"
            "  -h, --help      show this help\n\n"
            "The id is the last 8 bytes of the MD5 of the fingerprint, big-endian (the\n"
            "same as pt-query-digest's query checksum). Exit status: 0 on success, 2 for\n"
            "usage errors, 3 when a file could not be read or a line was skipped.\n");
}

static void put_hex64(struct dbp_buf *b, uint64_t v)
{
    static const char hex[] = "0123456789ABCDEF";
    char t[17];
    for (int i = 15; i >= 0; i--) {
        t[i] = hex[v & 15];
        v >>= 4;
    }
    t[16] = '\t';
    dbp_buf_append(b, t, 17);
}

/* fingerprint every line of one input; returns 0, or DBP_EXIT_SOURCE on a problem */
static int run_input(const char *path, enum dbp_fp_style style, unsigned flags, int with_id,
                     struct dbp_buf *fp, struct dbp_buf *outb)
{
    struct dbp_error err;
    struct dbp_reader *r = NULL;
    int rc = 0;
    if (dbp_reader_open(path, &r, &err) != DBP_OK) {
        fprintf(stderr, "dbperf fingerprint: %s\n", err.message);
        return DBP_EXIT_SOURCE;
    }
    for (;;) {
        const char *line;
        size_t len;
        int k = dbp_reader_line(r, &line, &len, &err);
        if (k == 0)
            break;
        if (k < 0) {
            fprintf(stderr, "dbperf fingerprint: %s\n", err.message);
            rc = DBP_EXIT_SOURCE;
            if (k == -DBP_ERR_FORMAT)
                continue;
            break;
        }
        if (len && line[len - 1] == '\r')
            len--;
        if (len && line[len - 1] == ';')
            len--;
        size_t j = 0;
        while (j < len && (line[j] == ' ' || line[j] == '\t' || line[j] == '\f' || line[j] == '\v'))
            j++;
        if (j == len)
            continue;
        dbp_fingerprint_ex(style, flags, line, len, fp);
        if (with_id)
            put_hex64(outb, dbp_fingerprint_id(fp->data, fp->len));
        dbp_buf_append(outb, fp->data, fp->len);
        dbp_buf_putc(outb, '\n');
        if (outb->len >= (1u << 16)) {
            fwrite(outb->data, 1, outb->len, stdout);
            dbp_buf_clear(outb);
        }
    }
    dbp_reader_close(r);
    return rc;
}

int dbp_cmd_fingerprint(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"style", required_argument, NULL, 's'},
        {"id", no_argument, NULL, 'i'},
        {"match-md5-checksums", no_argument, NULL, 'm'},
        {"match-embedded-numbers", no_argument, NULL, 'e'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    enum dbp_fp_style style = DBP_FP_PT;
    unsigned flags = 0;
    int with_id = 0, c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "+h", longopts, NULL)) != -1) {
        switch (c) {
        case 's': {
            int st = dbp_fp_style_parse(optarg);
            if (st < 0) {
                fprintf(stderr, "dbperf fingerprint: unknown style `%s` (pt or pgss)\n", optarg);
                return DBP_EXIT_USAGE;
            }
            style = (enum dbp_fp_style)st;
            break;
        }
        case 'i':
            with_id = 1;
            break;
        case 'm':
            flags |= DBP_FP_MATCH_MD5_CHECKSUMS;
            break;
        case 'e':
            flags |= DBP_FP_MATCH_EMBEDDED_NUMBERS;
            break;
        case 'h':
            usage(stdout);
            return DBP_EXIT_OK;
        default:
            if (optopt)
                fprintf(stderr, "dbperf fingerprint: bad option `-%c`\n", optopt);
            else
                fprintf(stderr, "dbperf fingerprint: bad option `%s`\n", argv[optind - 1]);
            usage(stderr);
            return DBP_EXIT_USAGE;
        }
    }

    static char obuf[1 << 16];
    setvbuf(stdout, obuf, _IOFBF, sizeof obuf);
    struct dbp_buf fp = {0}, outb = {0};
    int rc = DBP_EXIT_OK;
    if (optind >= argc) {
        rc = run_input("-", style, flags, with_id, &fp, &outb);
    } else {
        for (int i = optind; i < argc; i++) {
            int k = run_input(argv[i], style, flags, with_id, &fp, &outb);
            if (k)
                rc = k;
        }
    }
    if (outb.len)
        fwrite(outb.data, 1, outb.len, stdout);
    fflush(stdout);
    dbp_buf_free(&fp);
    dbp_buf_free(&outb);
    return rc;
}
