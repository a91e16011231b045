/* cdcpack triggers install|remove|status [TABLE...] */
#include "buf.h"
#include "cmd.h"
#include "err.h"
#include "log.h"
#include "pipeline.h"
#include "source.h"

#include <stdlib.h>
#include <string.h>

static int install_one(const struct source_ops *ops, struct source *src, const char *table,
		       json_t *entry, struct cmd_ctx *ctx)
{
	struct table_def *def = NULL;
	struct trigger_status ts = {0};
	int rc = ops->describe(src, table, &def);
	if (!rc)
		rc = ops->triggers_install(src, def);
	if (!rc)
		rc = ops->triggers_status(src, def, &ts);
	if (!rc) {
		cmd_print(ctx, "%s: triggers installed%s\n", table,
			  def->rowid_key ? " (no primary key: keyed by rowid)" : "");
		for (size_t i = 0; i < ts.warnings.n; i++) {
			log_warn("table %s: %s", table, ts.warnings.v[i]);
		}
		json_object_set_new(entry, "rowid_key", json_boolean(def->rowid_key));
	}
	trigger_status_free(&ts);
	table_def_free(def);
	return rc;
}

static int status_one(const struct source_ops *ops, struct source *src, const char *table,
		      json_t *entry, struct cmd_ctx *ctx)
{
	struct table_def *def = NULL;
	struct trigger_status ts = {0};
	int rc = ops->describe(src, table, &def);
	if (!rc)
		rc = ops->triggers_status(src, def, &ts);
	if (!rc) {
		cmd_print(ctx, "%-24s %-13s %-8s pending=%lld\n", table,
			  ts.installed ? "installed" : "not-installed",
			  ts.drift ? "DRIFT" : "no-drift", (long long)ts.pending);
		json_t *warnings = json_array();
		for (size_t i = 0; i < ts.warnings.n; i++) {
			cmd_print(ctx, "  warning: %s\n", ts.warnings.v[i]);
			json_array_append_new(warnings, json_string(ts.warnings.v[i]));
		}
		json_object_set_new(entry, "installed", json_boolean(ts.installed));
		json_object_set_new(entry, "drift", json_boolean(ts.drift));
		json_object_set_new(entry, "pending", json_integer(ts.pending));
		json_object_set_new(entry, "rowid_key", json_boolean(def->rowid_key));
		json_object_set_new(entry, "warnings", warnings);
	}
	trigger_status_free(&ts);
	table_def_free(def);
	return rc;
}

static int each_table(struct cmd_ctx *ctx, const char *action, const struct source_ops *ops,
		      struct source *src, const struct strv *tables, json_t *out)
{
	int rc = 0;
	/* A stop ends between tables: each is installed or removed whole. */
	for (size_t i = 0; i < tables->n && !rc && !(rc = pipeline_check_stop()); i++) {
		json_t *entry = json_pack("{s:s}", "name", tables->v[i]);
		if (strcmp(action, "install") == 0) {
			rc = install_one(ops, src, tables->v[i], entry, ctx);
		} else if (strcmp(action, "status") == 0) {
			rc = status_one(ops, src, tables->v[i], entry, ctx);
		} else {
			rc = ops->triggers_remove(src, tables->v[i]);
			if (!rc)
				cmd_print(ctx, "%s: triggers removed\n", tables->v[i]);
		}
		json_array_append_new(out, entry);
	}
	return rc;
}

/* Named tables must be captured ones; none named means all captured tables. */
static int pick_tables(const struct config *cfg, const struct strv *all, int argc, char **argv,
		       struct strv *out)
{
	for (int i = 0; i < argc; i++) {
		if (!strv_contains(all, argv[i]))
			return err_set(
				CDC_EUSAGE,
				"triggers: '%s' is not a captured table of %s (see [capture] "
				"tables and exclude)",
				argv[i], cfg->source_url);
		if (strv_contains(out, argv[i]))
			return err_set(CDC_EUSAGE, "triggers: table '%s' named twice", argv[i]);
		strv_push(out, argv[i]);
	}
	if (argc == 0)
		for (size_t i = 0; i < all->n; i++)
			strv_push(out, all->v[i]);
	return 0;
}

static int parse_args(int argc, char **argv, const char **action, bool *drop, struct strv *names)
{
	if (argc < 2)
		return err_set(CDC_EUSAGE, "triggers: say install, remove or status");
	*action = argv[1];
	if (strcmp(*action, "install") != 0 && strcmp(*action, "remove") != 0 &&
	    strcmp(*action, "status") != 0)
		return err_set(CDC_EUSAGE, "triggers: '%s' is not install, remove or status",
			       argv[1]);
	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--drop-changelog") == 0 && strcmp(*action, "remove") == 0)
			*drop = true;
		else if (argv[i][0] == '-')
			return err_set(CDC_EUSAGE, "triggers %s: unknown option %s", *action,
				       argv[i]);
		else
			strv_push(names, argv[i]);
	}
	if (strcmp(*action, "status") == 0 && names->n)
		return err_set(CDC_EUSAGE, "triggers status takes no table names");
	return 0;
}

static int cmd_triggers(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct config cfg;
	struct strv names = {0}, all = {0}, tables = {0};
	const char *action = NULL;
	bool drop = false;
	const struct source_ops *ops = NULL;
	struct source *src = NULL;
	int rc = parse_args(argc, argv, &action, &drop, &names);
	if (!rc)
		rc = cmd_load_config(ctx, &cfg);
	else
		config_defaults(&cfg);
	struct source_options opt = {.changelog = cfg.changelog,
				     .password_file = cfg.password_file};
	if (!rc && cfg.mode != CAPTURE_TRIGGER)
		rc = err_set(CDC_EUSAGE, "%s: [capture] mode is snapshot: triggers are not used",
			     cfg.path);
	if (!rc)
		rc = source_open(&ops, &src, cfg.source_url, &opt);
	if (!rc)
		rc = pipeline_resolve_tables(&cfg, ops, src, &all);
	if (!rc)
		rc = pick_tables(&cfg, &all, (int)names.n, names.v, &tables);
	json_t *out = json_array();
	if (!rc)
		rc = each_table(ctx, action, ops, src, &tables, out);
	if (!rc && drop) {
		rc = ops->drop_changelog(src);
		if (!rc)
			cmd_print(ctx, "changelog %s dropped\n", cfg.changelog);
	}
	json_object_set_new(ctx->report, "tables", out);
	if (ops)
		ops->close(src);
	strv_free(&names);
	strv_free(&all);
	strv_free(&tables);
	config_free(&cfg);
	return rc;
}

const struct cmd_entry cmd_triggers_entry = {
	.name = "triggers",
	.usage = "install|remove|status [TABLE...] [--drop-changelog]",
	.summary = "create, drop or inspect the audit triggers (trigger mode)",
	.help = "\n"
		"  install [TABLE...]   create the changelog table and AFTER INSERT/UPDATE/DELETE\n"
		"                       triggers; idempotent, rebuilds them when columns changed\n"
		"  remove [TABLE...]    drop the triggers; --drop-changelog also drops the\n"
		"                       changelog and its unshipped changes\n"
		"  status               per table: installed, schema drift, pending changes,\n"
		"                       and what the triggers cannot see\n"
		"\nWith no TABLE, every captured table ([capture] tables, less exclude).\n"
		"\nExamples:\n"
		"  cdcpack triggers install\n"
		"  cdcpack triggers status\n"
		"  cdcpack triggers remove Persons\n",
	.exec = cmd_triggers,
};
