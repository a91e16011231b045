/* cdcpack reconcile [TABLE...] */
#include "cmd.h"
#include "err.h"
#include "pipeline.h"

#include <string.h>

static int cmd_reconcile(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct strv tables = {0};
	int rc = cmd_parse(&cmd_reconcile_entry, argc, argv, NULL, &tables);
	strv_dedup(&tables); /* a table named twice is reconciled once */
	if (rc) {
		strv_free(&tables);
		return rc;
	}
	return cmd_pipeline_tables(ctx, &tables, pipeline_reconcile);
}

const struct cmd_entry cmd_reconcile_entry = {
	.name = "reconcile",
	.args = "[TABLE...]",
	.summary = "compare the source with what was published and ship the difference",
	.help = ""
		"Trigger and binlog modes. Reads every captured table (or the named ones)\n"
		"in one consistent read, hashes each row and compares it with what the\n"
		"published chain gives consumers (kept in the state dir, built from the\n"
		"last load of each table); rows that differ ship as a batch of kind\n"
		"reconcile (I, U, D). Keys with changes waiting in the changelog (binlog\n"
		"mode: in the log after the last acknowledged position) are left to the\n"
		"next run. A non-zero count means capture missed changes (writes without\n"
		"triggers, a cascade, a REPLACE, a changelog row deleted; binlog mode:\n"
		"writes with sql_log_bin = 0): worth an alert.\n"
		"Needs [capture] reconcile = manual (or a duration, which also makes a run\n"
		"reconcile when the last one is older): only then is the published state\n"
		"kept; after setting it, run 'cdcpack load' once.\n"
		"\nExamples:\n"
		"  cdcpack reconcile\n"
		"  cdcpack --json reconcile Persons\n",
	.exec = cmd_reconcile,
};
