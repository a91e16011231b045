/* cdcpack load [TABLE...] */
#include "cmd.h"
#include "err.h"
#include "pipeline.h"

#include <string.h>

static int cmd_load(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct strv tables = {0};
	int rc = cmd_parse(&cmd_load_entry, argc, argv, NULL, &tables);
	/* Named twice, a table's rows would ship twice in the load. */
	for (size_t i = 0; i < tables.n && !rc; i++)
		for (size_t j = 0; j < i && !rc; j++)
			if (strcmp(tables.v[i], tables.v[j]) == 0)
				rc = err_set(CDC_EUSAGE, "load: table '%s' named twice",
					     tables.v[i]);
	if (rc) {
		strv_free(&tables);
		return rc;
	}
	return cmd_pipeline_tables(ctx, &tables, pipeline_load);
}

const struct cmd_entry cmd_load_entry = {
	.name = "load",
	.args = "[TABLE...]",
	.summary = "full load: one consistent snapshot of the tables as a load batch",
	.help = ""
		"Reads every captured table (or the named ones) in one consistent read and\n"
		"publishes them as a batch of kind load (LOAD00000001.csv files, as DMS's full\n"
		"load). Changes already in the changelog that the snapshot reflects are\n"
		"acknowledged with it, so the next run ships exactly the changes made after.\n"
		"\nExamples:\n"
		"  cdcpack triggers install && cdcpack load\n"
		"  cdcpack load Persons\n",
	.exec = cmd_load,
};
