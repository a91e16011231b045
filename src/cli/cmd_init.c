/* cdcpack init */
#include "buf.h"
#include "capture.h"
#include "cmd.h"
#include "codec.h"
#include "coltype.h"
#include "err.h"
#include "lakekey.h"
#include "log.h"
#include "naming.h"
#include "pipeline.h"
#include "state.h"
#include "target.h"
#include "value.h"

#include <stdlib.h>

/* The plan's tables that triggers install, load and run will refuse (exit
 * 2: a MySQL table without a key, a name or column type no archive can
 * carry), each said now, so the first refusal is not a step later. */
static int warn_uncapturable(const struct source_ops *ops, struct source *src,
			     const struct strv *tables)
{
	for (size_t i = 0; i < tables->n; i++) {
		struct table_def *def = NULL;
		int rc = ops->read->describe(src, tables->v[i], &def);
		if (!rc)
			rc = coltype_check_capturable(ops->driver, def);
		table_def_free(def);
		if (rc && rc != CDC_EUSAGE)
			return rc;
		if (rc)
			log_warn("%s", err_msg());
		err_clear();
	}
	return 0;
}

static int cmd_init(struct cmd_ctx *ctx, int argc, char **argv)
{
	int rc = cmd_parse(&cmd_init_entry, argc, argv, NULL, NULL);
	if (rc)
		return rc;
	struct config cfg;
	struct state *st = NULL;
	const struct source_ops *ops = NULL;
	struct source *src = NULL;
	struct strv tables = {0};
	struct source_options opt = {.changelog = NULL};
	rc = cmd_load_config(ctx, &cfg);
	opt.changelog = cfg.changelog;
	opt.password_file = cfg.password_file;
	if (!rc)
		rc = source_open(&ops, &src, cfg.source_url, &opt);
	const struct capture_ops *cops = capture_ops_for(cfg.mode);
	if (!rc && cops->uses_changelog)
		rc = source_check_own_tables(ops, src, cfg.changelog);
	if (!rc)
		rc = pipeline_resolve_tables(&cfg, ops, src, &tables);
	if (!rc && cops->check_source)
		rc = cops->check_source(ops, src, &tables, cfg.reconcile_kept);
	if (!rc)
		rc = target_probe(&cfg);
	/* Made once source and target answer: an init that fails leaves no
	 * state dir behind (docs/design.md §2). */
	if (!rc)
		rc = state_open(&st, cfg.state_dir, cfg.source_name);
	if (!rc)
		cmd_warn_no_tables(&cfg, &tables);
	if (!rc)
		rc = warn_uncapturable(ops, src, &tables);
	if (!rc) {
		char *key = batch_key(cfg.source_name, 1, moment_now(), cfg.compression);
		cmd_print(ctx, "config     %s\nsource     %s (%s, name %s)\nmode       %s\n",
			  cfg.path_shown, cfg.source_url_shown, ops->driver, cfg.source_name,
			  cops->name);
		cmd_print(ctx, "tables     %zu:", tables.n);
		json_t *names = json_array();
		for (size_t i = 0; i < tables.n; i++) {
			char *shown = name_shown(tables.v[i]);
			cmd_print(ctx, " %s", shown);
			free(shown);
			json_array_append_new(names, json_text(tables.v[i]));
		}
		cmd_print(ctx, "\nstate dir  %s\ntarget     %s (reachable)\nkeys like  %s%s\n",
			  cfg.state_dir, cfg.target_url, cfg.final_prefix, key);
		if (cfg.lake_prefix) {
			struct lake_layout l = lakekey_layout(&cfg);
			char *load = lakekey_load(&l, "<table>", 1);
			cmd_print(ctx, "lake keys  %s\n", load);
			free(load);
		}
		cmd_print(ctx, "next       %s\n",
			  cops->uses_changelog ? "cdcpack triggers install, then cdcpack load"
					       : "cdcpack run");
		json_object_set_new(ctx->report, "tables", names);
		json_object_set_new(ctx->report, "source", json_string(cfg.source_name));
		json_object_set_new(ctx->report, "driver", json_string(ops->driver));
		json_object_set_new(ctx->report, "example_key", json_string(key));
		free(key);
	}
	strv_free(&tables);
	if (ops)
		ops->close(src);
	state_close(st);
	config_free(&cfg);
	return rc;
}

const struct cmd_entry cmd_init_entry = {
	.name = "init",
	.summary =
		"check the config, reach source and target, create the state dir, print the plan",
	.help = "Example:\n"
		"  cdcpack -c shop.conf init\n",
	.exec = cmd_init,
};
