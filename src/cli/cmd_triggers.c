/* cdcpack triggers install|remove|status [TABLE...] */
#include "buf.h"
#include "capture.h"
#include "cmd.h"
#include "codec.h"
#include "coltype.h"
#include "err.h"
#include "log.h"
#include "pipeline.h"
#include "source.h"
#include "stop.h"
#include "value.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

static int install_one(const struct source_ops *ops, struct source *src, const char *table,
		       json_t *entry, struct cmd_ctx *ctx)
{
	struct table_def *def = NULL;
	struct trigger_status was = {0}, ts = {0};
	int rc = ops->read->describe(src, table, &def);
	if (!rc)
		rc = coltype_check_capturable(ops->driver, def);
	if (!rc)
		rc = ops->changelog->triggers_status(src, def, &was);
	if (!rc)
		rc = ops->changelog->triggers_install(src, def);
	if (!rc)
		rc = ops->changelog->triggers_status(src, def, &ts);
	if (!rc) {
		char *shown = name_shown(table);
		cmd_print(ctx, "%s: triggers installed%s\n", shown,
			  def->rowid_key ? " (no primary key: keyed by rowid)" : "");
		/* Triggers see changes from now on, never the rows already there. */
		if (!was.installed) {
			char *word = name_for_shell(table);
			cmd_print(ctx,
				  "%s: rows it already holds reach replicas with a load: "
				  "cdcpack load %s%s\n",
				  shown, word, name_shell_note(table));
			free(word);
		}
		for (size_t i = 0; i < ts.warnings.n; i++) {
			log_warn("table %s: %s", shown, ts.warnings.v[i]);
		}
		free(shown);
		json_object_set_new(entry, "rowid_key", json_boolean(def->rowid_key));
	}
	trigger_status_free(&was);
	trigger_status_free(&ts);
	table_def_free(def);
	return rc;
}

static int status_one(const struct source_ops *ops, struct source *src, const char *table,
		      json_t *entry, struct cmd_ctx *ctx)
{
	struct table_def *def = NULL;
	struct trigger_status ts = {0};
	int rc = source_trigger_status(ops, src, table, &def, &ts);
	if (!rc) {
		char *shown = name_shown(table);
		cmd_print(ctx, "%-24s %-13s %-8s pending=%lld\n", shown,
			  ts.installed ? "installed" : "not-installed",
			  ts.drift ? "DRIFT" : "no-drift", (long long)ts.pending);
		free(shown);
		json_t *warnings = json_array();
		for (size_t i = 0; i < ts.warnings.n; i++) {
			cmd_print(ctx, "  warning: %s\n", ts.warnings.v[i]);
			json_array_append_new(warnings, json_text(ts.warnings.v[i]));
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
	for (size_t i = 0; i < tables->n && !rc && !(rc = stop_check()); i++) {
		/* any bytes SQLite allows in a name (docs/design.md §2) */
		json_t *entry = json_named(tables->v[i], json_object());
		if (strcmp(action, "install") == 0) {
			rc = install_one(ops, src, tables->v[i], entry, ctx);
		} else if (strcmp(action, "status") == 0) {
			rc = status_one(ops, src, tables->v[i], entry, ctx);
		} else {
			rc = ops->changelog->triggers_remove(src, tables->v[i]);
			char *shown = name_shown(tables->v[i]);
			if (!rc)
				cmd_print(ctx, "%s: triggers removed\n", shown);
			free(shown);
		}
		json_array_append_new(out, entry);
	}
	return rc;
}

/* Named tables must be captured ones (or, to remove, tables whose triggers
 * outlived their capture: stray); none named means all captured tables. */
static int pick_tables(const struct config *cfg, const struct strv *all, const struct strv *stray,
		       int argc, char **argv, struct strv *out)
{
	for (int i = 0; i < argc; i++) {
		/* stray first: a table of a reserved name may have triggers from
		 * before its name was reserved, and removing them must work */
		if (!strv_contains(stray, argv[i]) && source_reserved_name(cfg->changelog, argv[i]))
			return source_reserved_error("triggers", argv[i], cfg->changelog);
		if (!strv_contains(all, argv[i]) && !strv_contains(stray, argv[i]))
			return err_set(
				CDC_EUSAGE,
				"triggers: '%s' is not a captured table of %s (see [capture] "
				"tables and exclude)",
				NAME_SHOWN_SHORT(argv[i]), cfg->source_url_shown);
		if (strv_contains(out, argv[i]))
			return err_set(CDC_EUSAGE, "triggers: table '%s' named twice",
				       NAME_SHOWN_SHORT(argv[i]));
		strv_push(out, argv[i]);
	}
	if (argc == 0)
		for (size_t i = 0; i < all->n; i++)
			strv_push(out, all->v[i]);
	return 0;
}

/* The changelog goes only when no trigger will write to it any more: the
 * triggers of other tables would lose their unshipped changes and fail
 * every write of the application with "no such table". */
static int check_drop(const struct source_ops *ops, struct source *src, const char *changelog,
		      const struct strv *removing)
{
	struct strv users = {0};
	int rc = source_stray_triggers(ops, src, removing, &users);
	if (!rc && users.n) {
		struct buf names = BUF_INIT, words = BUF_INIT;
		const char *note = "";
		for (size_t i = 0; i < users.n; i++) {
			char *word = name_for_shell(users.v[i]);
			buf_addf(&names, "%s%s", i ? ", " : "", NAME_SHOWN_SHORT(users.v[i]));
			buf_addf(&words, " %s", word);
			free(word);
			if (!*note)
				note = name_shell_note(users.v[i]);
		}
		rc = err_set(CDC_EUSAGE,
			     "triggers remove --drop-changelog: the triggers of %s still write to "
			     "the changelog %s (dropping it would lose their unshipped changes and "
			     "fail every write to them); remove their triggers first (`cdcpack "
			     "triggers remove%s`%s), or keep the changelog",
			     names.data, NAME_SHOWN_SHORT(changelog), words.data, note);
		buf_free(&words);
		buf_free(&names);
	}
	strv_free(&users);
	return rc;
}

/* status: tables out of capture whose triggers still write. */
static void report_stray(struct cmd_ctx *ctx, const struct strv *stray, json_t *out)
{
	for (size_t i = 0; i < stray->n; i++) {
		char *why = source_stray_warning(stray->v[i]), *shown = name_shown(stray->v[i]);
		cmd_print(ctx, "%-24s %-13s\n  warning: %s\n", shown, "not-captured", why);
		free(shown);
		json_array_append_new(
			out, json_named(stray->v[i],
					json_pack("{s:b, s:b, s:[o]}", "installed", 1, "captured",
						  0, "warnings", json_text(why))));
		free(why);
	}
}

/* alter TABLE "ALTER TABLE ...": one table, one ALTER TABLE statement. */
static int check_alter_args(const struct strv *names)
{
	if (names->n != 2)
		return err_set(CDC_EUSAGE,
			       "triggers alter: want TABLE \"ALTER TABLE ...\" (%zu "
			       "argument(s) given)",
			       names->n);
	const char *ddl = names->v[1] + strspn(names->v[1], " \t\n");
	if (strncasecmp(ddl, "ALTER", 5) != 0 || !strchr(" \t\n", ddl[5]) ||
	    strncasecmp(ddl + 5 + strspn(ddl + 5, " \t\n"), "TABLE", 5) != 0)
		return err_set(CDC_EUSAGE,
			       "triggers alter %s: '%s' is not an ALTER TABLE statement",
			       names->v[0], names->v[1]);
	return 0;
}

/* Runs the ALTER and rebuilds the triggers as one step (see source.h). */
static int alter_one(struct cmd_ctx *ctx, const struct source_ops *ops, struct source *src,
		     const char *table, const char *ddl, json_t *out)
{
	int rc = ops->changelog->triggers_alter(src, table, ddl);
	if (!rc) {
		char *shown = name_shown(table);
		cmd_print(ctx, "%s: altered, triggers rebuilt\n", shown);
		free(shown);
		json_array_append_new(out, json_named(table, json_pack("{s:b}", "altered", 1)));
	}
	return rc;
}

struct triggers_args {
	bool drop_changelog;
};

static const struct cmd_opt triggers_opts[] = {
	{"--drop-changelog", NULL, OPT_FLAG, offsetof(struct triggers_args, drop_changelog), false,
	 "with remove: also drop the changelog and its unshipped\n"
	 "changes, once no other table's triggers write to it"},
	{0},
};

/* The action (argv's first positional argument) and its table names. */
static int parse_args(int argc, char **argv, char **action, bool *drop, struct strv *names)
{
	struct triggers_args a = {0};
	int rc = cmd_parse(&cmd_triggers_entry, argc, argv, &a, names);
	if (rc)
		return rc;
	if (!names->n)
		return err_set(CDC_EUSAGE, "triggers: say install, remove, status or alter");
	*action = names->v[0];
	memmove(names->v, names->v + 1, --names->n * sizeof(*names->v));
	if (strcmp(*action, "install") != 0 && strcmp(*action, "remove") != 0 &&
	    strcmp(*action, "status") != 0 && strcmp(*action, "alter") != 0)
		return err_set(CDC_EUSAGE, "triggers: '%s' is not install, remove, status or alter",
			       *action);
	if (a.drop_changelog && strcmp(*action, "remove") != 0)
		return err_set(CDC_EUSAGE, "triggers %s --drop-changelog: only remove takes it",
			       *action);
	*drop = a.drop_changelog;
	if (strcmp(*action, "alter") == 0)
		return check_alter_args(names);
	if (strcmp(*action, "status") == 0 && names->n)
		return err_set(CDC_EUSAGE, "triggers status takes no table names");
	return 0;
}

static int cmd_triggers(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct config cfg;
	struct strv names = {0}, all = {0}, tables = {0}, stray = {0};
	const struct strv none = {0};
	char *action = NULL; /* owned */
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
	if (!rc && !capture_ops_for(cfg.mode)->uses_changelog)
		rc = err_set(CDC_EUSAGE, "%s: [capture] mode is %s: triggers are not used",
			     cfg.path_shown, config_mode_name(cfg.mode));
	if (!rc)
		rc = source_open(&ops, &src, cfg.source_url, &opt);
	if (!rc)
		rc = source_need_role(ops, ROLE_CHANGELOG, cfg.path_shown);
	if (!rc)
		rc = source_check_own_tables(ops, src, cfg.changelog);
	if (!rc)
		rc = pipeline_resolve_tables(&cfg, ops, src, &all);
	if (!rc)
		rc = source_stray_triggers(ops, src, &all, &stray);
	/* alter names one table; its second argument is the ALTER (as
	 * check_alter_args made sure) */
	bool alter = !rc && strcmp(action, "alter") == 0;
	if (!rc && alter && names.n < 2)
		rc = err_set(CDC_EUSAGE, "triggers alter: want TABLE and an ALTER TABLE statement");
	if (!rc)
		rc = pick_tables(&cfg, &all, strcmp(action, "remove") == 0 ? &stray : &none,
				 alter ? 1 : (int)names.n, names.v, &tables);
	if (!rc && drop)
		rc = check_drop(ops, src, cfg.changelog, &tables);
	if (!rc && !alter)
		cmd_warn_no_tables(&cfg, &tables);
	json_t *out = json_array();
	if (!rc && alter)
		rc = alter_one(ctx, ops, src, names.v[0], names.v[1], out);
	else if (!rc)
		rc = each_table(ctx, action, ops, src, &tables, out);
	if (!rc && strcmp(action, "status") == 0)
		report_stray(ctx, &stray, out);
	if (!rc && drop) {
		rc = ops->changelog->drop(src);
		if (!rc)
			cmd_print(ctx, "changelog %s dropped\n", NAME_SHOWN_SHORT(cfg.changelog));
	}
	json_object_set_new(ctx->report, "tables", out);
	if (ops)
		ops->close(src);
	strv_free(&names);
	strv_free(&all);
	strv_free(&tables);
	strv_free(&stray);
	free(action);
	config_free(&cfg);
	return rc;
}

const struct cmd_entry cmd_triggers_entry = {
	.name = "triggers",
	.args = "ACTION [TABLE...]",
	.opts = triggers_opts,
	.summary = "create, drop or inspect the audit triggers (trigger mode)",
	.help = "ACTION is one of:\n"
		"  install [TABLE...]   create the changelog table and AFTER INSERT/UPDATE/DELETE\n"
		"                       triggers; idempotent, rebuilds them when columns changed\n"
		"  remove [TABLE...]    drop the triggers (also of a table no longer captured)\n"
		"  status               per table: installed, schema drift, pending changes,\n"
		"                       and what the triggers cannot see\n"
		"  alter TABLE SQL      run SQL (an ALTER TABLE of TABLE) and rebuild the\n"
		"                       table's triggers in one step, under the table's lock:\n"
		"                       the way to drop or rename a column on MySQL/MariaDB,\n"
		"                       where a trigger naming a dropped column fails every\n"
		"                       write to the table until it is rebuilt\n"
		"\nWith no TABLE, every captured table ([capture] tables, less exclude).\n"
		"\nExamples:\n"
		"  cdcpack triggers install\n"
		"  cdcpack triggers status\n"
		"  cdcpack triggers remove Persons\n"
		"  cdcpack triggers alter Persons \"ALTER TABLE Persons DROP COLUMN City\"\n",
	.exec = cmd_triggers,
};
