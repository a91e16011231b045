/* Command table entries (in the manner of tmux's cmd_entry): each command's
 * usage and help live next to its code in src/cmd_<name>.c. */
#ifndef CDCPACK_CMD_H
#define CDCPACK_CMD_H

#include "buf.h"
#include "config.h"
#include "strv.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

/* What main hands every command. */
struct cmd_ctx {
	const char *config_path; /* -c, else CDCPACK_CONFIG, else ./cdcpack.conf */
	bool json;		 /* print the report on stdout instead of human text */
	json_t *report;		 /* owned by main: commands add their fields */
};

/* How an option's value is kept in the command's argument struct. */
enum cmd_opt_type {
	OPT_FLAG,  /* bool; given at most once */
	OPT_VALUE, /* const char *, pointing into argv; given at most once */
	OPT_LIST,  /* struct strv: each time it is given */
};

/* One option of a command, declared once: cmd_parse reads it ("--name
 * VALUE" or "--name=VALUE"), the usage line, --help and the man page show
 * it. A table ends with an entry whose name is NULL. */
struct cmd_opt {
	const char *name; /* "--to" */
	const char *arg;  /* "URL"; NULL for a flag */
	enum cmd_opt_type type;
	size_t offset; /* offsetof() its field in the command's argument struct */
	bool required;
	const char *help; /* its text in --help: lines end with \n but the last */
};

struct cmd_entry {
	const char *name;
	const char *args;	    /* positional arguments' synopsis ("URL_A URL_B"), or NULL */
	const struct cmd_opt *opts; /* NULL when it has none */
	const char *summary;	    /* one line for `cdcpack --help` */
	const char *help; /* after the options in `cdcpack NAME --help`: prose, examples */
	int (*exec)(struct cmd_ctx *ctx, int argc, char **argv);
};

/* Parses argv[1..argc) by c's option table into args; other arguments go
 * to positional in order (NULL: the command takes none). "--" ends the
 * options. Global options were taken out by main. Refuses (CDC_EUSAGE) an
 * unknown option, a missing value, a single-valued option given twice, a
 * flag given a value, and a required option left out. */
int cmd_parse(const struct cmd_entry *c, int argc, char **argv, void *args,
	      struct strv *positional);
/* The synopsis after the command's name: positional arguments, then the
 * options; lines broken before width, continued after indent spaces. */
void cmd_usage(const struct cmd_entry *c, struct buf *out, size_t width, size_t indent);
/* The options' lines of --help: "  --to URL      text", aligned. */
void cmd_options_help(const struct cmd_entry *c, struct buf *out);

/* Loads ctx's config file into cfg (exit-2 errors name file:line: key). */
int cmd_load_config(struct cmd_ctx *ctx, struct config *cfg);
/* The usage error for an argument the command does not take. */
int cmd_bad_arg(const char *cmd, const char *arg);
/* A single-valued option (given already set) given twice: the first value
 * would be silently dropped, so it is refused. */
int cmd_once(const char *cmd, const char *opt, bool given);
/* A --password-file option (named opt) belongs with a URL whose driver takes
 * a password (mysql://) only. */
int cmd_check_password_file(const char *cmd, const char *opt, const char *file, const char *url);
/* A source where [capture] tables and exclude select no table (an empty
 * database, the wrong one, or everything excluded): warns naming both, as
 * the commands that act on every table would otherwise do nothing silently. */
void cmd_warn_no_tables(const struct config *cfg, const struct strv *tables);
/* Human output goes to stdout unless --json asked for the report there. */
void cmd_print(const struct cmd_ctx *ctx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* text (a report's lines) as cmd_print prints. */
void cmd_print_text(const struct cmd_ctx *ctx, const struct buf *text);

struct run_result;
/* The outcome of run or load: report fields and one line per published batch. */
void cmd_report_run(struct cmd_ctx *ctx, const struct run_result *res);
struct pipeline;
/* load and reconcile: ctx's config loaded, the pipeline opened, work done
 * on tables, reported as a run is. */
int cmd_pipeline_tables(struct cmd_ctx *ctx, struct strv *tables,
			int (*work)(struct pipeline *p, const struct strv *tables,
				    struct run_result *res));

extern const struct cmd_entry cmd_init_entry, cmd_triggers_entry, cmd_load_entry, cmd_run_entry,
	cmd_reconcile_entry, cmd_status_entry, cmd_ls_entry, cmd_show_entry, cmd_apply_entry,
	cmd_verify_entry, cmd_diff_entry;

#endif
