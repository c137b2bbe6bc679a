/*
 * cmd.h -- internal: the subcommands of the dbperf binary, one file each
 * (src/cmd_<name>.c), dispatched from main.c.
 */
#ifndef DBPERF_CMD_H
#define DBPERF_CMD_H

/* Exit codes shared by every subcommand (DESIGN.md, docs/dbperf.1). */
#define DBP_EXIT_OK       0 /* nothing reached --fail-on */
#define DBP_EXIT_FINDINGS 1 /* something reached --fail-on */
#define DBP_EXIT_USAGE    2 /* bad command line or configuration */
#define DBP_EXIT_SOURCE   3 /* a source could not be read, or data in it was skipped */

/* Each takes argv with argv[0] the subcommand's name; returns the exit code. */
int dbp_cmd_audit(int argc, char **argv);
int dbp_cmd_fingerprint(int argc, char **argv);
int dbp_cmd_rules(int argc, char **argv);

#endif
