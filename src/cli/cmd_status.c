/* cdcpack status */
#include "buf.h"
#include "cmd.h"
#include "report.h"
#include "status.h"

static int cmd_status(struct cmd_ctx *ctx, int argc, char **argv)
{
	int rc = cmd_parse(&cmd_status_entry, argc, argv, NULL, NULL);
	if (rc)
		return rc;
	struct config cfg;
	rc = cmd_load_config(ctx, &cfg);
	if (!rc) {
		struct status_result res;
		rc = status_run(&cfg, &res);
		report_status_json(ctx->report, &cfg, &res);
		struct buf text = BUF_INIT;
		report_status_text(&text, &cfg, &res);
		cmd_print_text(ctx, &text);
		buf_free(&text);
		status_result_free(&res);
	}
	config_free(&cfg);
	return rc;
}

const struct cmd_entry cmd_status_entry = {
	.name = "status",
	.summary =
		"batches by state, pending changes, lag, last published batch, target reachability",
	.help = "Reads the state dir and the source; takes no lock, so it works while a run\n"
		"is going. Names the cdcpack build that last wrote the state dir (\"state\n"
		"written by\", state_written_by in --json), the one to run after a failed\n"
		"upgrade or downgrade.\n"
		"\nExample:\n"
		"  cdcpack --json status\n",
	.exec = cmd_status,
};
