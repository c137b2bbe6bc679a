/*
 * error.c -- the one-line error record (see include/dbperf/error.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <dbperf/error.h>

int dbp_error_set(struct dbp_error *e, enum dbp_status c, const char *fmt, ...)
{
    if (!e)
        return c;
    e->code = c;
    e->sqlstate[0] = '\0';
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->message, sizeof e->message, fmt, ap);
    va_end(ap);
    /* one line: control characters (newlines from server messages) become spaces */
    size_t n = strlen(e->message);
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)e->message[i] < 0x20)
            e->message[i] = ' ';
    while (n > 0 && e->message[n - 1] == ' ')
        e->message[--n] = '\0';
    return c;
}

void dbp_error_clear(struct dbp_error *e)
{
    if (!e)
        return;
    e->code = DBP_OK;
    e->sqlstate[0] = '\0';
    e->message[0] = '\0';
}

const char *dbp_status_name(enum dbp_status c)
{
    switch (c) {
    case DBP_OK:
        return "ok";
    case DBP_ERR_USAGE:
        return "usage error";
    case DBP_ERR_IO:
        return "I/O error";
    case DBP_ERR_FORMAT:
        return "malformed input";
    case DBP_ERR_UNKNOWN_FMT:
        return "unknown format";
    case DBP_ERR_CONNECT:
        return "connection error";
    case DBP_ERR_SERVER:
        return "server error";
    case DBP_ERR_UNSUPPORTED:
        return "unsupported";
    case DBP_ERR_INTERNAL:
        return "internal error";
    }
    return "error";
}
