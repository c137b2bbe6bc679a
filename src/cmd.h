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

struct dbp_parse_opts;
struct dbp_snapshot;

/*
 * Read the file source path ("-" = stdin) into snap as format type (NULL =
 * detect). Problems are printed on stderr, one line each, naming the source,
 * and recorded in snap->sources. Returns 0, or DBP_EXIT_SOURCE when the
 * source could not be read or data in it was skipped.
 */
int dbp_cmd_read_file(const char *path, const char *type, const struct dbp_parse_opts *po,
                      struct dbp_snapshot *snap);

/* Each takes argv with argv[0] the subcommand's name; returns the exit code. */
int dbp_cmd_audit(int argc, char **argv);
int dbp_cmd_fingerprint(int argc, char **argv);
int dbp_cmd_rules(int argc, char **argv);
int dbp_cmd_diff(int argc, char **argv);
int dbp_cmd_check_indexes(int argc, char **argv);
int dbp_cmd_tui(int argc, char **argv);

#endif
