/* Command table entries (in the manner of tmux's cmd_entry): each command's
 * usage and help live next to its code in src/cmd_<name>.c. */
#ifndef CDCPACK_CMD_H
#define CDCPACK_CMD_H

#include "config.h"

#include <jansson.h>
#include <stdbool.h>

/* What main hands every command. */
struct cmd_ctx {
	const char *config_path; /* -c, else CDCPACK_CONFIG, else ./cdcpack.conf */
	bool json;		 /* print the report on stdout instead of human text */
	json_t *report;		 /* owned by main: commands add their fields */
};

struct cmd_entry {
	const char *name;
	const char *usage;   /* the argument synopsis after the name */
	const char *summary; /* one line for `cdcpack --help` */
	const char *help;    /* options and examples for `cdcpack NAME --help` */
	int (*exec)(struct cmd_ctx *ctx, int argc, char **argv);
};

/* Loads ctx's config file into cfg (exit-2 errors name file:line: key). */
int cmd_load_config(struct cmd_ctx *ctx, struct config *cfg);
/* Refuses arguments a command does not take, naming the first one. */
int cmd_no_more_args(const char *cmd, int argc, char **argv, int first);
/* The usage error for an argument a command's parser did not take: an
 * option from takes_value (NULL-terminated) given last lacks its value;
 * anything else is unexpected. */
int cmd_bad_arg(const char *cmd, const char *arg, const char *const *takes_value);
/* The "needs a value" error of cmd_bad_arg when arg is one of takes_value,
 * else 0. */
int cmd_missing_value(const char *cmd, const char *arg, const char *const *takes_value);
/* A single-valued option (given already set) given twice: the first value
 * would be silently dropped, so it is refused. */
int cmd_once(const char *cmd, const char *opt, bool given);
/* A --password-file option (named opt) belongs with a mysql:// URL only. */
int cmd_check_password_file(const char *cmd, const char *opt, const char *file, const char *url);
/* A URL for a report: redacted (redact.h), or null. */
json_t *cmd_url_json(const char *url);
/* Human output goes to stdout unless --json asked for the report there. */
void cmd_print(const struct cmd_ctx *ctx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

struct run_result;
/* The outcome of run or load: report fields and one line per published batch. */
void cmd_report_run(struct cmd_ctx *ctx, const struct run_result *res);

extern const struct cmd_entry cmd_init_entry, cmd_triggers_entry, cmd_load_entry, cmd_run_entry,
	cmd_status_entry, cmd_ls_entry, cmd_show_entry, cmd_apply_entry, cmd_verify_entry,
	cmd_diff_entry;

#endif
