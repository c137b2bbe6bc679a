/*
 * reader.c -- streaming line reader (see include/dbperf/reader.h).
 *
 * One buffer holds [start, end) of unconsumed content. A line is found with
 * memchr and returned in place; when no newline is in the buffer, the rest is
 * moved to the front and more is read (or inflated) behind it. The buffer
 * grows only for long lines, up to DBP_READER_MAX_LINE; a longer line is
 * skipped to its newline without being kept.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zlib.h>

#include <dbperf/arena.h>
#include <dbperf/error.h>
#include <dbperf/reader.h>

#define INITIAL_CAP (1u << 20)
#define RAW_CAP     (256u << 10)
#define HEAD_MAX    (64u << 10)

struct dbp_reader {
    char *name;
    int fd;          /* -1 for memory input */
    bool own_fd;
    bool eof;        /* no more content can arrive */
    bool gzip;
    bool gz_done;    /* inflate reached the end of the last member */
    z_stream zs;
    unsigned char *raw; /* compressed input (gzip) */
    const unsigned char *mem;
    size_t mem_len, mem_pos;
    char *buf;
    size_t cap, start, end;
    size_t scan;     /* bytes after start already searched for '\n' */
    uint64_t lineno;
    uint64_t consumed;
    uint64_t limit;  /* bytes of the file left to read (a range); UINT64_MAX: to its end */
    char *slurped;
    int io_errno;
    bool z_error;
};

static int read_raw(struct dbp_reader *r, void *dst, size_t n, size_t *got)
{
    if (r->fd < 0) {
        size_t left = r->mem_len - r->mem_pos;
        if (n > left)
            n = left;
        memcpy(dst, r->mem + r->mem_pos, n);
        r->mem_pos += n;
        *got = n;
        return 0;
    }
    if (n > r->limit)
        n = (size_t)r->limit;
    if (n == 0) {
        *got = 0;
        return 0;
    }
    for (;;) {
        ssize_t k = read(r->fd, dst, n);
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0) {
            r->io_errno = errno;
            return -1;
        }
        *got = (size_t)k;
        r->limit -= (uint64_t)k;
        return 0;
    }
}

/* Append more content at buf[end..cap). Returns bytes added; 0 at EOF or error. */
static size_t fill(struct dbp_reader *r)
{
    if (r->eof || r->end == r->cap)
        return 0;
    size_t room = r->cap - r->end;
    if (!r->gzip) {
        size_t got = 0;
        if (read_raw(r, r->buf + r->end, room, &got) < 0 || got == 0) {
            r->eof = true;
            return 0;
        }
        r->end += got;
        return got;
    }
    r->zs.next_out = (unsigned char *)r->buf + r->end;
    r->zs.avail_out = (uInt)(room > (1u << 30) ? (1u << 30) : room);
    size_t before = r->zs.avail_out;
    while (r->zs.avail_out == before) {
        if (r->zs.avail_in == 0) {
            size_t got = 0;
            if (read_raw(r, r->raw, RAW_CAP, &got) < 0 || got == 0) {
                if (!r->gz_done)
                    r->z_error = true; /* truncated gzip stream */
                r->eof = true;
                break;
            }
            r->zs.next_in = r->raw;
            r->zs.avail_in = (uInt)got;
        }
        if (r->gz_done) {
            /* concatenated gzip members (as `cat a.gz b.gz` makes) */
            if (r->zs.avail_in >= 2 && r->zs.next_in[0] == 0x1f && r->zs.next_in[1] == 0x8b) {
                inflateReset(&r->zs);
                r->gz_done = false;
            } else {
                r->eof = true; /* trailing garbage after the last member is ignored */
                break;
            }
        }
        int rc = inflate(&r->zs, Z_NO_FLUSH);
        if (rc == Z_STREAM_END) {
            r->gz_done = true;
        } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
            r->z_error = true;
            r->eof = true;
            break;
        }
    }
    size_t got = before - r->zs.avail_out;
    r->end += got;
    return got;
}

static void compact(struct dbp_reader *r)
{
    if (r->start == 0)
        return;
    size_t n = r->end - r->start;
    memmove(r->buf, r->buf + r->start, n);
    r->start = 0;
    r->end = n;
}

static void grow(struct dbp_reader *r, size_t want)
{
    if (want <= r->cap)
        return;
    size_t cap = r->cap;
    while (cap < want)
        cap *= 2;
    r->buf = dbp_xrealloc(r->buf, cap);
    r->cap = cap;
}

static struct dbp_reader *reader_new(const char *name)
{
    struct dbp_reader *r = dbp_xcalloc(1, sizeof *r);
    r->name = dbp_xstrdup(name);
    r->fd = -1;
    r->limit = UINT64_MAX;
    r->cap = INITIAL_CAP;
    r->buf = dbp_xmalloc(r->cap);
    return r;
}

/* Look at the first bytes: switch to inflating if they are a gzip header. */
static void sniff(struct dbp_reader *r)
{
    unsigned char *magic = (unsigned char *)r->buf; /* cap >= 1 MiB */
    size_t got = 0, total = 0;
    while (total < 2) {
        if (read_raw(r, magic + total, 2 - total, &got) < 0 || got == 0)
            break;
        total += got;
    }
    if (total == 2 && magic[0] == 0x1f && magic[1] == 0x8b) {
        r->gzip = true;
        r->raw = dbp_xmalloc(RAW_CAP);
        r->raw[0] = magic[0];
        r->raw[1] = magic[1];
        r->zs.next_in = r->raw;
        r->zs.avail_in = 2;
        inflateInit2(&r->zs, 15 + 16);
        return;
    }
    r->end = total;
    if (total < 2)
        r->eof = true;
}

int dbp_reader_open(const char *path, struct dbp_reader **out, struct dbp_error *err)
{
    *out = NULL;
    int fd;
    if (strcmp(path, "-") == 0) {
        fd = STDIN_FILENO;
    } else {
        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            return dbp_error_set(err, DBP_ERR_IO, "%s: %s", path, strerror(errno));
        struct stat st;
        if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
            close(fd);
            return dbp_error_set(err, DBP_ERR_IO, "%s: is a directory", path);
        }
#ifdef POSIX_FADV_SEQUENTIAL
        posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
#endif
    }
    struct dbp_reader *r = reader_new(strcmp(path, "-") == 0 ? "<stdin>" : path);
    r->fd = fd;
    r->own_fd = fd != STDIN_FILENO;
    sniff(r);
    if (r->io_errno) {
        int e = r->io_errno;
        dbp_reader_close(r);
        return dbp_error_set(err, DBP_ERR_IO, "%s: %s", path, strerror(e));
    }
    *out = r;
    return DBP_OK;
}

int dbp_reader_open_range(const char *path, uint64_t offset, uint64_t len,
                          struct dbp_reader **out, struct dbp_error *err)
{
    *out = NULL;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return dbp_error_set(err, DBP_ERR_IO, "%s: %s", path, strerror(errno));
    if (lseek(fd, (off_t)offset, SEEK_SET) < 0) {
        int e = errno;
        close(fd);
        return dbp_error_set(err, DBP_ERR_IO, "%s: %s", path, strerror(e));
    }
#ifdef POSIX_FADV_SEQUENTIAL
    posix_fadvise(fd, (off_t)offset, (off_t)len, POSIX_FADV_SEQUENTIAL);
#endif
    struct dbp_reader *r = reader_new(path);
    r->fd = fd;
    r->own_fd = true;
    r->limit = len;
    if (len == 0)
        r->eof = true;
    *out = r;
    return DBP_OK;
}

int dbp_reader_is_gzip(const struct dbp_reader *r)
{
    return r->gzip;
}

struct dbp_reader *dbp_reader_open_mem(const void *data, size_t len, const char *name)
{
    struct dbp_reader *r = reader_new(name);
    r->mem = data;
    r->mem_len = len;
    sniff(r);
    return r;
}

void dbp_reader_close(struct dbp_reader *r)
{
    if (!r)
        return;
    if (r->own_fd && r->fd >= 0)
        close(r->fd);
    if (r->gzip)
        inflateEnd(&r->zs);
    free(r->raw);
    free(r->buf);
    free(r->slurped);
    free(r->name);
    free(r);
}

const unsigned char *dbp_reader_head(struct dbp_reader *r, size_t *len)
{
    while (r->end - r->start < HEAD_MAX && !r->eof) {
        if (r->end == r->cap)
            compact(r);
        if (r->end == r->cap)
            break;
        if (fill(r) == 0 && !r->eof)
            break;
    }
    size_t n = r->end - r->start;
    *len = n < HEAD_MAX ? n : HEAD_MAX;
    return (const unsigned char *)r->buf + r->start;
}

static int stream_error(struct dbp_reader *r, struct dbp_error *err)
{
    if (r->io_errno)
        return -dbp_error_set(err, DBP_ERR_IO, "%s: read error after line %llu: %s", r->name,
                              (unsigned long long)r->lineno, strerror(r->io_errno));
    return -dbp_error_set(err, DBP_ERR_IO, "%s: corrupt or truncated gzip data after line %llu",
                          r->name, (unsigned long long)r->lineno);
}

int dbp_reader_line(struct dbp_reader *r, const char **line, size_t *len, struct dbp_error *err)
{
    for (;;) {
        char *nl = NULL;
        if (r->end > r->start + r->scan)
            nl = memchr(r->buf + r->start + r->scan, '\n', r->end - r->start - r->scan);
        if (nl) {
            *line = r->buf + r->start;
            *len = (size_t)(nl - *line);
            r->consumed += *len + 1;
            r->start = (size_t)(nl - r->buf) + 1;
            r->scan = 0;
            r->lineno++;
            return 1;
        }
        r->scan = r->end - r->start;
        if (r->eof) {
            if (r->io_errno || r->z_error) {
                int rc = stream_error(r, err);
                r->io_errno = 0;
                r->z_error = false;
                r->start = r->end;
                r->scan = 0;
                return rc;
            }
            if (r->end == r->start)
                return 0;
            /* last line without a newline */
            *line = r->buf + r->start;
            *len = r->end - r->start;
            r->consumed += *len;
            r->start = r->end;
            r->scan = 0;
            r->lineno++;
            return 1;
        }
        compact(r);
        if (r->end == r->cap) {
            if (r->cap >= DBP_READER_MAX_LINE) {
                /* over-long line: drop it up to and including its newline */
                uint64_t skipped = r->end;
                r->start = r->end = r->scan = 0;
                for (;;) {
                    if (fill(r) == 0) {
                        if (r->eof)
                            break;
                        continue;
                    }
                    char *q = memchr(r->buf, '\n', r->end);
                    if (q) {
                        r->start = (size_t)(q - r->buf) + 1;
                        skipped += r->start;
                        break;
                    }
                    skipped += r->end;
                    r->end = 0;
                }
                r->consumed += skipped;
                r->lineno++;
                return -dbp_error_set(err, DBP_ERR_FORMAT,
                                      "%s:%llu: line of %llu bytes is longer than the %u MiB "
                                      "limit; skipped",
                                      r->name, (unsigned long long)r->lineno,
                                      (unsigned long long)skipped, DBP_READER_MAX_LINE >> 20);
            }
            grow(r, r->cap * 2);
        }
        fill(r);
    }
}

int dbp_reader_slurp(struct dbp_reader *r, size_t max, const char **data, size_t *len,
                     struct dbp_error *err)
{
    compact(r);
    while (!r->eof) {
        if (r->end == r->cap) {
            if (r->cap >= max + 1)
                return dbp_error_set(err, DBP_ERR_FORMAT, "%s: larger than %zu bytes", r->name,
                                     max);
            grow(r, r->cap * 2);
        }
        fill(r);
    }
    if (r->io_errno || r->z_error) {
        int rc = -stream_error(r, err);
        return rc;
    }
    size_t n = r->end - r->start;
    if (n > max)
        return dbp_error_set(err, DBP_ERR_FORMAT, "%s: larger than %zu bytes", r->name, max);
    free(r->slurped);
    r->slurped = dbp_xmalloc(n + 1);
    memcpy(r->slurped, r->buf + r->start, n);
    r->slurped[n] = '\0';
    r->consumed += n;
    r->start = r->end;
    *data = r->slurped;
    *len = n;
    return DBP_OK;
}

uint64_t dbp_reader_lineno(const struct dbp_reader *r)
{
    return r->lineno;
}

uint64_t dbp_reader_bytes(const struct dbp_reader *r)
{
    return r->consumed;
}

const char *dbp_reader_name(const struct dbp_reader *r)
{
    return r->name;
}
