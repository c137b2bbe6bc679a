/*
 * main.c -- the dbperf command line: global options and subcommand dispatch.
 */
#include <stdio.h>
#include <string.h>

#include "cmd.h"

struct command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
};

static const struct command commands[] = {
    {"audit", dbp_cmd_audit, "analyse servers, logs and plans; report findings"},
    {"fingerprint", dbp_cmd_fingerprint, "print the fingerprint of each statement (one per line)"},
    {"diff", dbp_cmd_diff, "compare two audits: what got faster, what got slower"},
    {"tui", dbp_cmd_tui, "browse statements, findings, indexes and plans; live refresh"},
    {"rules", dbp_cmd_rules, "list the rules, their thresholds and what they mean"},
    {"check-indexes", dbp_cmd_check_indexes, "report indexes unused for days (history store)"},
};

static void usage(FILE *f)
{
    fprintf(f, "usage: dbperf COMMAND [OPTIONS] [ARGS]\n"
               "       dbperf --help | --version\n\n"
               "Database query performance analyzer for PostgreSQL, MySQL/MariaDB and MongoDB.\n\n"
               "Commands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(f, "  %-13s %s\n", commands[i].name, commands[i].summary);
    fprintf(f, "\nRun `dbperf COMMAND --help` for a command's options; `man dbperf` for more.\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return DBP_EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        usage(stdout);
        return DBP_EXIT_OK;
    }
    if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "-V") == 0 || strcmp(cmd, "version") == 0) {
        printf("dbperf %s\n", DBPERF_VERSION);
        return DBP_EXIT_OK;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(cmd, commands[i].name) == 0)
            return commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "dbperf: unknown command `%s` (see dbperf --help)\n", cmd);
    return DBP_EXIT_USAGE;
}
