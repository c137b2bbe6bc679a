/*
 * cmd_rules.c -- `dbperf rules [ID...]`: the rules, their thresholds (with the
 * effective values from the config file) and their explanations.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dbperf/config.h>
#include <dbperf/error.h>
#include <dbperf/rules.h>

#include "cmd.h"

static void usage(FILE *f)
{
    fprintf(f, "usage: dbperf rules [-c FILE] [ID...]\n\n"
               "List every rule with its default severity and one-line summary; with IDs,\n"
               "explain those rules and show their thresholds (as set in the config file).\n\n"
               "  -c, --config FILE  config file (default ~/.config/dbperf/dbperf.conf)\n"
               "  -h, --help         this help\n");
}

static void print_wrapped(const char *text, int indent, int width)
{
    int col = 0;
    const char *p = text;
    while (*p) {
        while (*p == ' ')
            p++;
        const char *w = p;
        while (*p && *p != ' ')
            p++;
        int len = (int)(p - w);
        if (len == 0)
            break;
        if (col == 0) {
            printf("%*s", indent, "");
            col = indent;
        } else if (col + 1 + len > width) {
            printf("\n%*s", indent, "");
            col = indent;
        } else {
            putchar(' ');
            col++;
        }
        printf("%.*s", len, w);
        col += len;
    }
    if (col)
        putchar('\n');
}

int dbp_cmd_rules(int argc, char **argv)
{
    static const struct option longopts[] = {{"config", required_argument, NULL, 'c'},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    const char *cpath = NULL;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "c:h", longopts, NULL)) != -1) {
        if (c == 'c') {
            cpath = optarg;
        } else if (c == 'h') {
            usage(stdout);
            return DBP_EXIT_OK;
        } else {
            usage(stderr);
            return DBP_EXIT_USAGE;
        }
    }
    struct dbp_error err = {0};
    struct dbp_config *config = NULL;
    char *def = cpath ? NULL : dbp_config_default_path();
    if (cpath || def) {
        if (dbp_config_load(cpath ? cpath : def, cpath != NULL, &config, &err) != DBP_OK) {
            fprintf(stderr, "dbperf rules: %s\n", err.message);
            free(def);
            return DBP_EXIT_USAGE;
        }
    }
    free(def);
    size_t n;
    const struct dbp_rule *const *rules = dbp_rules(&n);
    int rc = DBP_EXIT_OK;
    if (optind >= argc) {
        for (size_t i = 0; i < n; i++)
            printf("%-17s %-9s %s\n", rules[i]->id, dbp_severity_name(rules[i]->severity),
                   rules[i]->summary);
    }
    for (int a = optind; a < argc; a++) {
        const struct dbp_rule *r = dbp_rule_find(argv[a]);
        if (!r) {
            fprintf(stderr, "dbperf rules: no rule `%s` (see dbperf rules)\n", argv[a]);
            rc = DBP_EXIT_USAGE;
            continue;
        }
        printf("%s (default severity: %s)\n", r->id, dbp_severity_name(r->severity));
        print_wrapped(r->summary, 2, 78);
        putchar('\n');
        print_wrapped(r->explain, 2, 78);
        if (r->n_params)
            printf("\n  Thresholds ([rule.%s] in the config file):\n", r->id);
        for (size_t i = 0; i < r->n_params; i++) {
            const struct dbp_param *p = &r->params[i];
            double v = dbp_rule_param_lookup(config, r->id, p->name);
            printf("    %-20s = %-10.10g %-6s %s%s\n", p->name, v, p->unit, p->help,
                   v != p->value ? " (set in config)" : "");
        }
        if (a + 1 < argc)
            putchar('\n');
    }
    dbp_config_free(config);
    return rc;
}
