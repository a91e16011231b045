/* cdcpack status */
#include "buf.h"
#include "capture.h"
#include "cmd.h"
#include "err.h"
#include "pipeline.h"
#include "publish.h"
#include "naming.h"
#include "state.h"
#include "target.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static void report_batches(struct cmd_ctx *ctx, const struct config *cfg, struct batch *v, size_t n)
{
	int64_t count[4] = {0};
	const struct batch *last = NULL;
	for (size_t i = 0; i < n; i++) {
		count[v[i].state]++;
		if (v[i].state >= BATCH_PUBLISHED)
			last = &v[i];
	}
	json_t *states = json_object();
	cmd_print(ctx, "batches:");
	for (int s = 0; s < 4; s++) {
		cmd_print(ctx, " %s=%lld", batch_state_name((enum batch_state)s),
			  (long long)count[s]);
		json_object_set_new(states, batch_state_name((enum batch_state)s),
				    json_integer(count[s]));
	}
	cmd_print(ctx, "\n");
	json_object_set_new(ctx->report, "batches", states);
	if (!last) {
		cmd_print(ctx, "last published: none\n");
		json_object_set_new(ctx->report, "last_published", json_null());
		return;
	}
	char *key = publish_final_key(cfg, last);
	cmd_print(ctx, "last published: %s  %s  rows=%lld  at %s\n", last->id, key,
		  (long long)last->rows, last->published_at ? last->published_at : "?");
	json_object_set_new(ctx->report, "last_published",
			    json_pack("{s:s, s:s, s:I, s:s?, s:s}", "id", last->id, "key", key,
				      "rows", (json_int_t)last->rows, "published_at",
				      last->published_at, "created", last->created));
	free(key);
}

/* Lag: the age of the oldest change not yet shipped. */
static void report_lag(struct cmd_ctx *ctx, const char *oldest)
{
	struct moment then;
	if (!oldest[0] || moment_parse(oldest, &then) != 0) {
		cmd_print(ctx, "lag: none (nothing pending)\n");
		json_object_set_new(ctx->report, "lag_seconds", json_integer(0));
		json_object_set_new(ctx->report, "oldest_pending", json_null());
		return;
	}
	struct moment now = moment_now();
	double lag = (double)(now.sec - then.sec) + (now.ms - then.ms) / 1000.0;
	if (lag < 0)
		lag = 0;
	cmd_print(ctx, "lag: %.1f s (oldest pending change at %s)\n", lag, oldest);
	json_object_set_new(ctx->report, "lag_seconds", json_real(lag));
	json_object_set_new(ctx->report, "oldest_pending", json_string(oldest));
}

/* A mode without a changelog cannot count what waits without reading the
 * tables or the log: pending changes and lag are unknown here, and say so
 * (null, with why), never 0. */
static void report_unknown_pending(struct cmd_ctx *ctx, const char *why, const struct strv *tables,
				   json_t *out)
{
	for (size_t i = 0; i < tables->n; i++) {
		cmd_print(ctx, "  %-24s pending=unknown\n", tables->v[i]);
		json_array_append_new(out, json_pack("{s:s, s:n, s:n, s:n}", "name", tables->v[i],
						     "pending", "installed", "drift"));
	}
	cmd_print(ctx, "  (%s)\nlag: unknown\n", why);
	json_object_set_new(ctx->report, "pending", json_null());
	json_object_set_new(ctx->report, "pending_unknown", json_string(why));
	json_object_set_new(ctx->report, "lag_seconds", json_null());
	json_object_set_new(ctx->report, "oldest_pending", json_null());
}

static void report_target(struct cmd_ctx *ctx, const struct config *cfg)
{
	int rc = target_probe(cfg);
	cmd_print(ctx, "target: %s%s\n", rc ? "NOT reachable: " : "reachable", rc ? err_msg() : "");
	json_object_set_new(ctx->report, "target_reachable", json_boolean(rc == 0));
	json_object_set_new(ctx->report, "target_error", rc ? json_string(err_msg()) : json_null());
	err_clear();
}

/* A table out of capture whose triggers still write: its pending changes
 * ship all the same, so they count. */
static int report_stray(struct cmd_ctx *ctx, const struct source_ops *ops, struct source *src,
			const char *table, json_t *out, int64_t *total)
{
	struct table_def *def = NULL;
	struct trigger_status ts = {0};
	int rc = ops->read->describe(src, table, &def);
	if (!rc)
		rc = ops->changelog->triggers_status(src, def, &ts);
	if (!rc) {
		char *why = source_stray_warning(table);
		cmd_print(ctx, "  %-24s pending=%lld (not captured)\n  warning: %s\n", table,
			  (long long)ts.pending, why);
		json_array_append_new(out,
				      json_pack("{s:s, s:I, s:b, s:b, s:b, s:[s]}", "name", table,
						"pending", (json_int_t)ts.pending, "installed", 1,
						"drift", 0, "captured", 0, "warnings", why));
		*total += ts.pending;
		free(why);
	}
	trigger_status_free(&ts);
	table_def_free(def);
	return rc;
}

static int report_pending(struct cmd_ctx *ctx, const struct config *cfg)
{
	const struct source_ops *ops = NULL;
	struct source *src = NULL;
	struct strv tables = {0};
	struct source_options opt = {.changelog = cfg->changelog,
				     .password_file = cfg->password_file,
				     .read_only = true};
	json_t *out = json_array();
	int64_t total = 0;
	char oldest[40] = "";
	/* Only a mode that keeps a changelog can count what waits without a scan. */
	const char *unknown = capture_ops_for(cfg->mode)->pending_unknown;
	bool counts = !unknown;
	int rc = source_open(&ops, &src, cfg->source_url, &opt);
	if (!rc && counts)
		rc = source_need_role(ops, ROLE_CHANGELOG, cfg->path);
	if (!rc)
		rc = pipeline_resolve_tables(cfg, ops, src, &tables);
	for (size_t i = 0; i < tables.n && !rc && counts; i++) {
		struct table_def *def = NULL;
		struct trigger_status ts = {0};
		rc = ops->read->describe(src, tables.v[i], &def);
		if (!rc)
			rc = ops->changelog->triggers_status(src, def, &ts);
		if (!rc) {
			cmd_print(ctx, "  %-24s pending=%lld%s%s\n", tables.v[i],
				  (long long)ts.pending, ts.installed ? "" : " (no triggers)",
				  ts.drift ? " (drift)" : "");
			json_array_append_new(out, json_pack("{s:s, s:I, s:b, s:b}", "name",
							     tables.v[i], "pending",
							     (json_int_t)ts.pending, "installed",
							     ts.installed, "drift", ts.drift));
			total += ts.pending;
			if (ts.oldest[0] && (!oldest[0] || strcmp(ts.oldest, oldest) < 0))
				memcpy(oldest, ts.oldest, sizeof(oldest));
		}
		trigger_status_free(&ts);
		table_def_free(def);
	}
	struct strv stray = {0};
	if (!rc && counts)
		rc = source_stray_triggers(ops, src, &tables, &stray);
	for (size_t i = 0; i < stray.n && !rc; i++)
		rc = report_stray(ctx, ops, src, stray.v[i], out, &total);
	strv_free(&stray);
	json_object_set_new(ctx->report, "tables", out);
	if (!rc && !counts) {
		report_unknown_pending(ctx, unknown, &tables, out);
	} else {
		json_object_set_new(ctx->report, "pending", json_integer(total));
		json_object_set_new(ctx->report, "pending_unknown", json_null());
		report_lag(ctx, oldest);
	}
	if (ops)
		ops->close(src);
	strv_free(&tables);
	return rc;
}

/* The last reconcile: when, its batch, and what it repaired per table
 * (non-zero: capture missed changes). */
static int report_reconcile(struct cmd_ctx *ctx, struct state *st)
{
	json_t *last = NULL;
	int rc = st ? pipeline_last_reconcile(st, &last) : 0;
	if (rc || !last) {
		cmd_print(ctx, "last reconcile: none\n");
		json_object_set_new(ctx->report, "reconcile", json_null());
		return rc;
	}
	json_int_t repaired = 0;
	size_t i;
	json_t *t;
	json_array_foreach(json_object_get(last, "tables"), i, t)
	{
		repaired += json_integer_value(json_object_get(t, "inserted")) +
			    json_integer_value(json_object_get(t, "updated")) +
			    json_integer_value(json_object_get(t, "deleted"));
	}
	json_object_set_new(last, "repaired", json_integer(repaired));
	const char *batch = json_string_value(json_object_get(last, "batch"));
	cmd_print(ctx, "last reconcile: %s  repaired=%lld  batch %s\n",
		  json_string_value(json_object_get(last, "at")), (long long)repaired,
		  batch ? batch : "none (nothing to repair)");
	json_object_set_new(ctx->report, "reconcile", last);
	return 0;
}

static int cmd_status(struct cmd_ctx *ctx, int argc, char **argv)
{
	int rc = cmd_parse(&cmd_status_entry, argc, argv, NULL, NULL);
	if (rc)
		return rc;
	struct config cfg;
	rc = cmd_load_config(ctx, &cfg);
	struct state *st = NULL;
	struct batch *v = NULL;
	size_t n = 0;
	struct stat sb;
	if (!rc) {
		cmd_print(ctx, "source %s (%s, %s mode)  target %s\n", cfg.source_name,
			  cfg.source_url, config_mode_name(cfg.mode), cfg.target_url);
		json_object_set_new(ctx->report, "mode", json_string(config_mode_name(cfg.mode)));
		/* Reading status must not create a state dir that no run made. */
		if (stat(cfg.state_dir, &sb) == 0)
			rc = state_open(&st, cfg.state_dir, cfg.source_name);
	}
	if (!rc && st)
		rc = state_all(st, &v, &n);
	if (!rc) {
		cmd_print(ctx, "chain: %s\n", st ? state_chain(st) : "none yet (no state dir)");
		json_object_set_new(ctx->report, "chain",
				    st ? json_string(state_chain(st)) : json_null());
	}
	if (!rc)
		report_batches(ctx, &cfg, v, n);
	if (!rc)
		rc = report_reconcile(ctx, st);
	if (!rc) {
		cmd_print(ctx, "pending changes:\n");
		rc = report_pending(ctx, &cfg);
	}
	if (!rc)
		report_target(ctx, &cfg);
	batches_free(v, n);
	state_close(st);
	config_free(&cfg);
	return rc;
}

const struct cmd_entry cmd_status_entry = {
	.name = "status",
	.summary =
		"batches by state, pending changes, lag, last published batch, target reachability",
	.help = "Reads the state dir and the source; takes no lock, so it works while a run\n"
		"is going.\n"
		"\nExample:\n"
		"  cdcpack --json status\n",
	.exec = cmd_status,
};
