/*
 * error.h -- status codes and the one-line error record every fallible call fills.
 *
 * Functions that can fail return enum dbp_status (DBP_OK == 0) and take a
 * struct dbp_error *err as their last argument; err may be NULL. Library code
 * never prints and never exits: only main.c and the TUI show errors.
 */
#ifndef DBPERF_ERROR_H
#define DBPERF_ERROR_H

enum dbp_status {
    DBP_OK = 0,
    DBP_ERR_USAGE,       /* bad arguments or configuration */
    DBP_ERR_IO,          /* a file could not be opened or read */
    DBP_ERR_FORMAT,      /* input recognised but malformed (data skipped) */
    DBP_ERR_UNKNOWN_FMT, /* input not recognised as any supported format */
    DBP_ERR_CONNECT,     /* a server could not be reached or refused us */
    DBP_ERR_SERVER,      /* a server answered with an error */
    DBP_ERR_UNSUPPORTED, /* the driver or the server lacks a capability */
    DBP_ERR_INTERNAL
};

struct dbp_error {
    enum dbp_status code; /* DBP_OK == 0 */
    char sqlstate[6];     /* "" if none */
    char message[512];    /* one line, no trailing '\n' */
};

/*
 * Fill err (if not NULL) with code and a printf-style message. Newlines and
 * other control characters in the message become spaces, so the message is
 * always one line. Returns c, so callers can write `return dbp_error_set(...)`.
 */
int dbp_error_set(struct dbp_error *e, enum dbp_status c, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Reset err (if not NULL) to DBP_OK with an empty message. */
void dbp_error_clear(struct dbp_error *e);

/* A short English name for a status ("I/O error", ...). Never NULL. */
const char *dbp_status_name(enum dbp_status c);

#endif
