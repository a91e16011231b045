/* cdcpack apply --to URL [--until TIME] [--password-file FILE] */
#include "apply.h"
#include "cmd.h"
#include "err.h"
#include "report.h"

#include <stddef.h>
#include <string.h>

/* The command line as given; parse_args turns it into apply_options. */
struct apply_args {
	const char *to, *until, *password_file;
};

static const struct cmd_opt apply_opts[] = {
	{"--to", "URL", OPT_VALUE, offsetof(struct apply_args, to), true,
	 "the replica: sqlite:PATH (created when missing) or\n"
	 "mysql://USER@HOST/DB"},
	{"--until", "TIME", OPT_VALUE, offsetof(struct apply_args, until), false,
	 "stop before the first batch created after TIME (UTC,\n"
	 "ISO 8601)"},
	{"--password-file", "FILE", OPT_VALUE, offsetof(struct apply_args, password_file), false,
	 "the mysql:// replica user's password (the file), else\n"
	 "CDCPACK_REPLICA_PASSWORD; the source's password is\n"
	 "never sent to the replica"},
	{0},
};

static int parse_args(int argc, char **argv, struct apply_options *o)
{
	struct apply_args a = {0};
	int rc = cmd_parse(&cmd_apply_entry, argc, argv, &a, NULL);
	if (rc)
		return rc;
	o->to_url = a.to;
	o->password_file = a.password_file;
	if (a.until && moment_parse(a.until, &o->until) != 0)
		return err_set(CDC_EUSAGE,
			       "apply --until: '%s' is not a UTC time like 2026-11-24T10:11:12Z",
			       a.until);
	o->has_until = a.until != NULL;
	return cmd_check_password_file("apply", "--password-file", o->password_file, o->to_url);
}

static int cmd_apply(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct apply_options o = {0};
	struct config cfg;
	int rc = parse_args(argc, argv, &o);
	if (rc)
		return rc;
	rc = cmd_load_config(ctx, &cfg);
	struct apply_result res = {0};
	if (!rc)
		rc = apply_run(&cfg, &o, &res);
	report_apply_json(ctx->report, o.to_url, &res);
	struct buf text = BUF_INIT;
	if (!rc)
		report_apply_text(&text, &res);
	cmd_print_text(ctx, &text);
	buf_free(&text);
	apply_result_free(&res);
	config_free(&cfg);
	return rc;
}

const struct cmd_entry cmd_apply_entry = {
	.name = "apply",
	.opts = apply_opts,
	.summary = "replay published batches onto a replica (load, then cdc, in chain order)",
	.help = "Each batch is checked (checksums, chain) and applied in one transaction; the\n"
		"replica records applied batch ids in cdcpack_applied, so running apply again\n"
		"applies only what is new. A gap in the chain stops it with exit 3.\n"
		"\nExamples:\n"
		"  cdcpack apply --to sqlite:replica.db\n"
		"  cdcpack apply --to sqlite:asof.db --until 2026-11-24T12:00:00Z\n",
	.exec = cmd_apply,
};
