/* Helpers every command uses. */
#include "buf.h"
#include "cmd.h"
#include "err.h"
#include "pipeline.h"
#include "redact.h"
#include "source.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cmd_load_config(struct cmd_ctx *ctx, struct config *cfg)
{
	config_defaults(cfg);
	int rc = config_load(cfg, ctx->config_path);
	const char *why, *key = rc ? NULL : config_unused_key(cfg, &why);
	if (key)
		rc = err_set(CDC_EUSAGE, "%s: %s: %s; here it would be ignored: remove it",
			     ctx->config_path, key, why);
	return rc;
}

int cmd_once(const char *cmd, const char *opt, bool given)
{
	return given ? err_set(CDC_EUSAGE, "%s %s: given twice; give it once", cmd, opt) : 0;
}

int cmd_bad_arg(const char *cmd, const char *arg)
{
	return err_set(CDC_EUSAGE, "%s: unexpected argument '%s'; see 'cdcpack %s --help'", cmd,
		       arg, cmd);
}

int cmd_check_password_file(const char *cmd, const char *opt, const char *file, const char *url)
{
	if (!file || !url)
		return 0;
	const struct source_ops *ops = source_ops_for_url(url);
	err_clear(); /* a URL no driver answers is refused where it is opened */
	if (ops && ops->url->password)
		return 0;
	struct buf which = BUF_INIT;
	config_scheme_list(&which, URL_SOURCE, offsetof(struct url_scheme, prefix),
			   offsetof(struct url_scheme, password));
	int rc = err_set(CDC_EUSAGE, "%s %s: only a %s URL takes a password", cmd, opt,
			 buf_str(&which));
	buf_free(&which);
	return rc;
}

json_t *cmd_url_json(const char *url)
{
	if (!url)
		return json_null();
	char *shown = url_redact(url);
	json_t *j = json_string(shown);
	free(shown);
	return j;
}

void cmd_print(const struct cmd_ctx *ctx, const char *fmt, ...)
{
	/* With --json, stdout carries only the report. */
	FILE *out = ctx->json ? stderr : stdout;
	if (ctx->json)
		return;
	va_list ap;
	va_start(ap, fmt);
	vfprintf(out, fmt, ap);
	va_end(ap);
}

/* A reconcile's per-table counts: the report's "reconciled", one line each. */
static void cmd_report_reconcile(struct cmd_ctx *ctx, json_t *tables)
{
	json_object_set(ctx->report, "reconciled", tables);
	size_t i;
	json_t *t;
	json_array_foreach(tables, i, t)
	{
		const char *skipped = json_string_value(json_object_get(t, "skipped"));
		const char *name = json_string_value(json_object_get(t, "table"));
		if (skipped) {
			cmd_print(ctx, "reconcile %s: not compared (%s)\n", name, skipped);
			continue;
		}
		cmd_print(ctx,
			  "reconcile %s: rows=%lld inserted=%lld updated=%lld deleted=%lld "
			  "pending=%lld\n",
			  name, (long long)json_integer_value(json_object_get(t, "rows")),
			  (long long)json_integer_value(json_object_get(t, "inserted")),
			  (long long)json_integer_value(json_object_get(t, "updated")),
			  (long long)json_integer_value(json_object_get(t, "deleted")),
			  (long long)json_integer_value(json_object_get(t, "pending")));
	}
}

void cmd_report_run(struct cmd_ctx *ctx, const struct run_result *res)
{
	json_object_set_new(ctx->report, "batches", json_integer(res->batches));
	json_object_set_new(ctx->report, "recovered", json_integer(res->recovered));
	json_object_set_new(ctx->report, "rows", json_integer(res->rows));
	json_object_set_new(ctx->report, "bytes", json_integer(res->bytes));
	json_object_set_new(ctx->report, "published",
			    res->published ? json_incref(res->published) : json_array());
	size_t i;
	json_t *b;
	json_array_foreach(res->published, i, b)
	{
		cmd_print(ctx, "published %s  %s  rows=%lld\n",
			  json_string_value(json_object_get(b, "kind")),
			  json_string_value(json_object_get(b, "key")),
			  (long long)json_integer_value(json_object_get(b, "rows")));
	}
	if (res->batches == 0 && res->ok)
		cmd_print(ctx, "nothing to publish\n");
	if (res->reconciled)
		cmd_report_reconcile(ctx, res->reconciled);
}

int cmd_pipeline_tables(struct cmd_ctx *ctx, struct strv *tables,
			int (*work)(struct pipeline *p, const struct strv *tables,
				    struct run_result *res))
{
	struct config cfg;
	int rc = cmd_load_config(ctx, &cfg);
	struct pipeline p = {.lock_fd = -1};
	if (!rc)
		rc = pipeline_open(&p, &cfg);
	struct run_result res = {0};
	if (!rc)
		rc = work(&p, tables, &res);
	res.ok = rc == 0;
	cmd_report_run(ctx, &res);
	run_result_free(&res);
	if (p.st)
		pipeline_close(&p);
	strv_free(tables);
	config_free(&cfg);
	return rc;
}
