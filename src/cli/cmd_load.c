/* cdcpack load [TABLE...] */
#include "cmd.h"
#include "err.h"
#include "pipeline.h"

static int cmd_load(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct config cfg;
	struct strv tables = {0};
	for (int i = 1; i < argc; i++) {
		if (argv[i][0] == '-')
			return err_set(CDC_EUSAGE, "load: unknown option %s", argv[i]);
		/* Named twice, a table's rows would ship twice in the load. */
		if (strv_contains(&tables, argv[i])) {
			strv_free(&tables);
			return err_set(CDC_EUSAGE, "load: table '%s' named twice", argv[i]);
		}
		strv_push(&tables, argv[i]);
	}
	int rc = cmd_load_config(ctx, &cfg);
	struct pipeline p = {.lock_fd = -1};
	if (!rc)
		rc = pipeline_open(&p, &cfg);
	struct run_result res = {0};
	if (!rc)
		rc = pipeline_load(&p, &tables, &res);
	res.ok = rc == 0;
	cmd_report_run(ctx, &res);
	run_result_free(&res);
	if (p.st)
		pipeline_close(&p);
	strv_free(&tables);
	config_free(&cfg);
	return rc;
}

const struct cmd_entry cmd_load_entry = {
	.name = "load",
	.usage = "[TABLE...]",
	.summary = "full load: one consistent snapshot of the tables as a load batch",
	.help = "\n"
		"Reads every captured table (or the named ones) in one consistent read and\n"
		"publishes them as a batch of kind load (LOAD00000001.csv files, as DMS's full\n"
		"load). Changes already in the changelog that the snapshot reflects are\n"
		"acknowledged with it, so the next run ships exactly the changes made after.\n"
		"\nExamples:\n"
		"  cdcpack triggers install && cdcpack load\n"
		"  cdcpack load Persons\n",
	.exec = cmd_load,
};
