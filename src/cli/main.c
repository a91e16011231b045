/* cdcpack: the command table, global options and exit codes. Everything else
 * lives in the commands (src/cli/cmd_*.c) and the pipeline they call. */
#include "buf.h"
#include "cmd.h"
#include "codec.h"
#include "err.h"
#include "fault.h"
#include "log.h"
#include "pipeline.h"
#include "report.h"
#include "stop.h"
#include "version.h"

#include <errno.h>
#include <jansson.h>
#include <locale.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const struct cmd_entry *const commands[] = {
	&cmd_init_entry,      &cmd_triggers_entry, &cmd_load_entry,   &cmd_run_entry,
	&cmd_reconcile_entry, &cmd_status_entry,   &cmd_ls_entry,     &cmd_show_entry,
	&cmd_apply_entry,     &cmd_diff_entry,	   &cmd_verify_entry,
};
#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static const char global_usage[] = "usage: cdcpack [-c FILE] [-v | -q] [--json] COMMAND [ARGS]\n"
				   "       cdcpack COMMAND --help | --help | --version\n";

static const char global_help[] =
	"\nGlobal options:\n"
	"  -c, --config FILE   config file (default: $CDCPACK_CONFIG, else ./cdcpack.conf)\n"
	"  -v, --verbose       more detail in the log (per table, per request)\n"
	"  -q, --quiet         log errors only\n"
	"      --json          print one JSON report of the outcome on stdout\n"
	"\nExit codes: 0 success, 1 differences found (diff, verify), 2 usage or\n"
	"configuration error, 3 runtime failure, 75 another run holds the lock,\n"
	"130/143 stopped by SIGINT/SIGTERM (cleaned up; run ends 0 between steps).\n";

static void print_overview(FILE *out)
{
	fputs(global_usage, out);
	fputs("\nCommands:\n", out);
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(out, "  %-10s %s\n", commands[i]->name, commands[i]->summary);
	fputs(global_help, out);
}

/* usage, summary, the options (from the command's table), then its prose. */
static void command_help(const struct cmd_entry *c, struct buf *out)
{
	buf_addf(out, "usage: cdcpack [GLOBAL OPTIONS] %s", c->name);
	if (c->args || c->opts) {
		buf_addc(out, ' ');
		cmd_usage(c, out, 80, 8);
	}
	buf_addf(out, "\n\n%s\n", c->summary);
	if (c->opts) {
		buf_adds(out, "\nOptions:\n");
		cmd_options_help(c, out);
	}
	if (c->help && *c->help)
		buf_addf(out, "\n%s", c->help);
}

static void print_command_help(const struct cmd_entry *c)
{
	struct buf b = {0};
	command_help(c, &b);
	fputs(b.data, stdout);
	buf_free(&b);
}

/* Text for roff: a backslash doubled, a line starting with . or ' guarded. */
static void man_text(const char *text)
{
	bool line_start = true;
	for (const char *p = text; *p; p++) {
		if (line_start && (*p == '.' || *p == '\''))
			fputs("\\&", stdout);
		if (*p == '\\')
			fputs("\\e", stdout);
		else if (*p == '-')
			fputs("\\-", stdout);
		else
			putchar(*p);
		line_start = *p == '\n';
	}
}

/* cdcpack.1, from the same strings as --help (docs/cdcpack.1 is this output;
 * a test checks they agree). */
static void print_man(void)
{
	printf(".TH CDCPACK 1 \"\" \"cdcpack %s\" \"User Commands\"\n", CDCPACK_VERSION);
	puts(".SH NAME\ncdcpack \\- change data capture from SQLite and MySQL into object storage");
	puts(".SH SYNOPSIS\n.nf");
	man_text(global_usage);
	puts(".fi\n.SH DESCRIPTION");
	puts("cdcpack copies every insert, update and delete made in a SQLite or MySQL/MariaDB "
	     "database into S3 or a local directory as compressed, dated archives in the file "
	     "layout AWS DMS writes, exactly once, even when killed. See the README for the "
	     "configuration file: make install puts it, docs/design.md and the examples in "
	     "share/doc/cdcpack of its prefix (/usr/local/share/doc/cdcpack/README).");
	puts(".SH COMMANDS");
	for (size_t i = 0; i < NCOMMANDS; i++) {
		struct buf b = {0};
		cmd_usage(commands[i], &b, SIZE_MAX, 0);
		printf(".SS \"%s ", commands[i]->name);
		man_text(b.data ? b.data : "");
		puts("\"");
		man_text(commands[i]->summary);
		puts("\n.nf");
		buf_reset(&b);
		if (commands[i]->opts)
			cmd_options_help(commands[i], &b);
		if (commands[i]->help && *commands[i]->help)
			buf_addf(&b, "%s%s", b.len ? "\n" : "", commands[i]->help);
		man_text(b.data ? b.data : "");
		puts(".fi");
		buf_free(&b);
	}
	puts(".SH OPTIONS\n.nf");
	man_text(global_help);
	puts(".fi\n.SH ENVIRONMENT\n.TP\nCDCPACK_CONFIG\nconfig file when -c is not given\n"
	     ".TP\nCDCPACK_SOURCE_PASSWORD\nthe source's MySQL password (or [source] "
	     "password_file); sent to the source only\n"
	     ".TP\nCDCPACK_REPLICA_PASSWORD\nthe MySQL password of apply --to and verify "
	     "--against (or their --password-file)\n"
	     ".TP\nCDCPACK_A_PASSWORD, CDCPACK_B_PASSWORD\nthe MySQL passwords of diff's "
	     "URL_A and URL_B (or --password-file-a/-b)\n"
	     ".TP\nAWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, "
	     "AWS_WEB_IDENTITY_TOKEN_FILE, AWS_ROLE_ARN, AWS_ROLE_SESSION_NAME, AWS_PROFILE, "
	     "AWS_SHARED_CREDENTIALS_FILE, AWS_CONFIG_FILE, "
	     "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI, "
	     "AWS_CONTAINER_CREDENTIALS_FULL_URI, AWS_CONTAINER_AUTHORIZATION_TOKEN(_FILE), "
	     "AWS_EC2_METADATA_SERVICE_ENDPOINT, AWS_EC2_METADATA_DISABLED\nS3 credentials, "
	     "the AWS SDKs' chain in that order (README: Credentials)\n"
	     ".TP\nAWS_REGION, AWS_DEFAULT_REGION, AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, "
	     "AWS_ENDPOINT_URL_STS, AWS_CA_BUNDLE\nthe S3 region and endpoint where [target] "
	     "does not say; STS's endpoint; the CA bundle of STS and the container endpoint\n"
	     ".TP\nCDCPACK_FAULT\ntests only: crash:POINT or delay:POINT:MS, POINT one of "
	     "after-capture,\nmid-stage-record (a batch recorded, not its ranges), after-stage,\n"
	     "mid-upload, mid-stream (S3: a part sent while the archive was\n"
	     "compressed, the batch not yet staged), after-upload,\n"
	     "before-final-copy (the final key checked,\n"
	     "not yet copied to), after-temp-delete (the temp object deleted,\n"
	     "\\(dqpublished\\(dq not yet recorded), after-publish, mid-ack-txn (inside\n"
	     "the source's ack transaction, before its commit), mid-ack (the\n"
	     "changelog rows deleted, the state not yet saying so), after-ack,\n"
	     "mid-load (load, after each table's first row), mid-diff (diff and\n"
	     "verify, after each table's first row), apply-before-commit (apply,\n"
	     "a batch applied and marked, not committed), mid-lake (the first of a\n"
	     "batch's lake objects published, the others not), after-lake");
}

/* Edit distance, to suggest the command a typo meant. */
static size_t distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la > 32 || lb > 32)
		return 99;
	size_t d[33][33];
	for (size_t i = 0; i <= la; i++)
		d[i][0] = i;
	for (size_t j = 0; j <= lb; j++)
		d[0][j] = j;
	for (size_t i = 1; i <= la; i++) {
		for (size_t j = 1; j <= lb; j++) {
			size_t sub = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
			size_t del = d[i - 1][j] + 1, ins = d[i][j - 1] + 1;
			d[i][j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
		}
	}
	return d[la][lb];
}

static const struct cmd_entry *find_command(const char *name)
{
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (strcmp(commands[i]->name, name) == 0)
			return commands[i];
	return NULL;
}

static int unknown_command(const char *name)
{
	const struct cmd_entry *best = NULL;
	size_t best_d = 3;
	for (size_t i = 0; i < NCOMMANDS; i++) {
		size_t d = distance(name, commands[i]->name);
		if (d < best_d) {
			best_d = d;
			best = commands[i];
		}
	}
	if (best)
		return err_set(CDC_EUSAGE, "'%s' is not a cdcpack command; did you mean '%s'?",
			       NAME_SHOWN_SHORT(name), best->name);
	return err_set(CDC_EUSAGE, "'%s' is not a cdcpack command; see 'cdcpack --help'",
		       NAME_SHOWN_SHORT(name));
}

static bool wants_help(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			return false;
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
			return true;
	}
	return false;
}

struct globals {
	const char *config;
	bool json;
	int verbosity;
};

/* A global option at argv[i] (-c FILE, --config=FILE, -v, -q, --json):
 * the number of arguments it takes (1 or 2), 0 when argv[i] is not one,
 * -1 with *status set when it is wrong. */
static int global_option(int argc, char **argv, int i, struct globals *g, int *status)
{
	const char *a = argv[i];
	bool config = strcmp(a, "-c") == 0 || strcmp(a, "--config") == 0;
	bool config_eq = strncmp(a, "--config=", 9) == 0;
	if ((config || config_eq) && g->config) {
		*status = err_set(CDC_EUSAGE, "%s: a config file given twice; give one", a);
		return -1;
	}
	if (config) {
		if (i + 1 >= argc) {
			*status = err_set(CDC_EUSAGE, "%s: needs a FILE argument", a);
			return -1;
		}
		g->config = argv[i + 1];
		return 2;
	}
	if (config_eq) {
		g->config = a + 9;
		return 1;
	}
	if (strcmp(a, "-v") == 0 || strcmp(a, "--verbose") == 0 || strcmp(a, "-q") == 0 ||
	    strcmp(a, "--quiet") == 0) {
		/* -v then -q (or -q then -v) would silently drop the first. */
		int want = a[1] == 'v' || a[2] == 'v' ? 1 : -1;
		if (g->verbosity && g->verbosity != want) {
			*status = err_set(CDC_EUSAGE, "-v and -q: give one of them");
			return -1;
		}
		g->verbosity = want;
		return 1;
	}
	if (strcmp(a, "--json") == 0) {
		g->json = true;
		return 1;
	}
	return 0;
}

/* --help, --man, --version before the command: prints, *status = 0. */
static bool info_option(const char *a, int *status)
{
	if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0)
		print_overview(stdout);
	else if (strcmp(a, "--man") == 0)
		print_man();
	else if (strcmp(a, "--version") == 0 || strcmp(a, "-V") == 0)
		printf("cdcpack %s\n", cdcpack_version());
	else
		return false;
	*status = 0;
	return true;
}

/* Parses options before the command; returns the index of the command, or -1 when done. */
static int parse_globals(int argc, char **argv, struct globals *g, int *status)
{
	int i = 1;
	while (i < argc && argv[i][0] == '-') {
		int n = global_option(argc, argv, i, g, status);
		if (n < 0 || (n == 0 && info_option(argv[i], status)))
			return -1;
		if (n == 0) {
			*status = err_set(CDC_EUSAGE, "%s: unknown option; see 'cdcpack --help'",
					  NAME_SHOWN_SHORT(argv[i]));
			return -1;
		}
		i += n;
	}
	if (i >= argc) {
		fputs(global_usage, stderr);
		*status = err_set(CDC_EUSAGE, "no command given; see 'cdcpack --help'");
		return -1;
	}
	return i;
}

/* Takes the global options given after the command (up to "--") out of
 * its arguments: `cdcpack status --json` is `cdcpack --json status`. */
static int take_globals(int *argc, char **argv, struct globals *g)
{
	int status = 0, out = 1, i = 1;
	for (; i < *argc && strcmp(argv[i], "--") != 0;) {
		int n = global_option(*argc, argv, i, g, &status);
		if (n < 0)
			return status;
		if (n == 0)
			argv[out++] = argv[i++];
		i += n;
	}
	while (i < *argc)
		argv[out++] = argv[i++];
	*argc = out;
	argv[out] = NULL;
	return 0;
}

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void finish_report(json_t *report, const char *command, int rc, int status, double started)
{
	bool ok = rc == 0 || rc == CDC_EDIFF;
	report_outcome_json(report, command, ok, status, (int64_t)(now_ms() - started),
			    ok ? NULL : err_msg());
	char *text = report_json_dump(report);
	if (text) {
		puts(text);
		free(text);
	}
}

/* Output that did not reach stdout (a full disk, ulimit -f) is a failure:
 * exit 3 saying so, never a success whose report nobody can read. */
static int check_stdout(int status)
{
	errno = 0;
	if (fflush(stdout) == 0 && !ferror(stdout))
		return status;
	log_error("stdout: write: %s", errno ? strerror(errno) : "failed");
	return status == 0 || status == err_exit_status(CDC_EDIFF) ? err_exit_status(CDC_ERUNTIME)
								   : status;
}

/* Every command but run (which ends a stopped run with 0 between steps)
 * ends a stopped command with 128 + the signal, having cleaned up. */
static int stopped(const struct cmd_entry *cmd, int rc)
{
	if (!stop_requested || strcmp(cmd->name, "run") == 0)
		return rc;
	const char *sig = stop_requested == SIGINT ? "SIGINT" : "SIGTERM";
	if (strcmp(cmd->name, "load") == 0)
		return err_set(CDC_EINTR,
			       "load stopped by %s; nothing partial was kept (a batch already "
			       "staged is finished by the next run)",
			       sig);
	return err_set(CDC_EINTR, "%s stopped by %s; nothing partial was kept", cmd->name, sig);
}

int main(int argc, char **argv)
{
	double started = now_ms();
	/* Table and column names are UTF-8 bytes: libarchive converts entry names
	 * from the locale's charset, which under plain "C" is ASCII and fails. */
	setlocale(LC_CTYPE, "C.UTF-8");
	/* A file-size rlimit (ulimit -f) must fail the write with EFBIG, which
	 * every writer reports as exit 3 naming the file, not kill the process
	 * half way through a step. */
	signal(SIGXFSZ, SIG_IGN);
	struct globals g = {0};
	int rc = 0;
	const struct cmd_entry *cmd = NULL;
	json_t *report = json_object();

	int at = parse_globals(argc, argv, &g, &rc);
	int cmd_argc = at > 0 ? argc - at : 0;
	if (at > 0 && !wants_help(cmd_argc, argv + at) &&
	    (rc = take_globals(&cmd_argc, argv + at, &g)) != 0)
		at = -1;
	if (at > 0 && (rc = fault_init()) != 0)
		at = -1;
	if (at > 0) {
		log_set_level(g.verbosity > 0 ? LOG_DEBUG : g.verbosity < 0 ? LOG_ERROR : LOG_INFO);
		cmd = find_command(argv[at]);
		if (!cmd) {
			rc = unknown_command(argv[at]);
		} else if (wants_help(cmd_argc, argv + at)) {
			print_command_help(cmd);
			json_decref(report);
			return 0;
		} else {
			const char *env = getenv("CDCPACK_CONFIG");
			struct cmd_ctx ctx = {
				.config_path = g.config	       ? g.config
					       : (env && *env) ? env
							       : "cdcpack.conf",
				.json = g.json,
				.report = report,
			};
			/* A stop unwinds through each command's cleanup (run's
			 * own handler lets its naps wake). */
			stop_catch(true);
			rc = cmd->exec(&ctx, cmd_argc, argv + at);
			rc = stopped(cmd, rc);
		}
	} else if (rc == 0) {
		json_decref(report);
		return 0;
	}

	if (rc != 0 && rc != CDC_EDIFF)
		log_error("%s", err_msg());
	int status = stop_requested && rc ? 128 + stop_requested : err_exit_status(rc);
	if (g.json)
		finish_report(report, cmd ? cmd->name : NULL, rc, status, started);
	json_decref(report);
	err_clear();
	return check_stdout(status);
}
