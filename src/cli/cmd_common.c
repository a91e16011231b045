/* Helpers every command uses. */
#include "buf.h"
#include "cmd.h"
#include "codec.h"
#include "err.h"
#include "log.h"
#include "pipeline.h"
#include "report.h"
#include "source.h"
#include "stop.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
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
		       NAME_SHOWN_SHORT(arg), cmd);
}

void cmd_warn_no_tables(const struct config *cfg, const struct strv *tables)
{
	if (tables->n)
		return;
	log_warn("no table to capture in %s: [capture] tables and exclude in %s select none "
		 "(is it the right database?); nothing is captured",
		 cfg->source_url_shown, cfg->path_shown);
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

void cmd_print_text(const struct cmd_ctx *ctx, const struct buf *text)
{
	if (text->len)
		cmd_print(ctx, "%s", buf_str(text));
}

void cmd_report_run(struct cmd_ctx *ctx, const struct run_result *res)
{
	report_run_json(ctx->report, res);
	struct buf text = BUF_INIT;
	report_run_text(&text, res);
	cmd_print_text(ctx, &text);
	buf_free(&text);
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
	/* A stopped load or reconcile returns 0 having kept nothing: it did
	 * not find "nothing to publish" (main says it stopped, exit 128+sig). */
	res.ok = rc == 0 && !stop_requested;
	cmd_report_run(ctx, &res);
	run_result_free(&res);
	if (p.st)
		pipeline_close(&p);
	strv_free(tables);
	config_free(&cfg);
	return rc;
}
