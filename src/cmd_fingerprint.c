/*
 * cmd_fingerprint.c -- PLACEHOLDER: `dbperf fingerprint` lands with the fingerprint module.
 */
#include <stdio.h>

#include "cmd.h"

int dbp_cmd_fingerprint(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "dbperf fingerprint: not implemented yet\n");
    return DBP_EXIT_USAGE;
}
