/* cdcpack verify --against URL [--password-file FILE] */
#include "buf.h"
#include "cmd.h"
#include "compare.h"
#include "err.h"
#include "report.h"

#include <stddef.h>
#include <string.h>

struct verify_args {
	const char *against, *password_file;
};

static const struct cmd_opt verify_opts[] = {
	{"--against", "URL", OPT_VALUE, offsetof(struct verify_args, against), true,
	 "the replica: sqlite:PATH or mysql://..."},
	{"--password-file", "FILE", OPT_VALUE, offsetof(struct verify_args, password_file), false,
	 "the mysql:// replica user's password (the file), else\n"
	 "CDCPACK_REPLICA_PASSWORD; the source's is never sent there"},
	{0},
};

static int cmd_verify(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct verify_args a = {0};
	int rc = cmd_parse(&cmd_verify_entry, argc, argv, &a, NULL);
	if (!rc)
		rc = cmd_check_password_file("verify", "--password-file", a.password_file,
					     a.against);
	if (rc)
		return rc;
	const char *against = a.against, *password_file = a.password_file;
	struct config cfg;
	rc = cmd_load_config(ctx, &cfg);
	struct compare_result res = {0};
	if (!rc)
		rc = compare_run(&cfg, against, password_file, &res);
	struct buf text = BUF_INIT;
	if (rc == 0 || rc == CDC_EDIFF)
		report_verify_text(&text, rc == 0, &res);
	cmd_print_text(ctx, &text);
	buf_free(&text);
	report_verify_json(ctx->report, against, rc == 0, &res);
	compare_result_free(&res);
	config_free(&cfg);
	return rc;
}

const struct cmd_entry cmd_verify_entry = {
	.name = "verify",
	.opts = verify_opts,
	.summary = "compare the source with a replica, table by table, row by row",
	.help = "Exit 0 when every captured table holds the same rows, 1 when they differ\n"
		"(-v names each differing key), 2 or 3 on errors. A table missing in the\n"
		"replica, or lacking some of the source's columns, differs too; the columns\n"
		"are named per table (--json: columns_only_in_source, columns_only_in_replica).\n"
		"\nExample:\n"
		"  cdcpack verify --against sqlite:replica.db\n",
	.exec = cmd_verify,
};
