/* Helpers every command uses. */
#include "buf.h"
#include "cmd.h"
#include "err.h"
#include "pipeline.h"
#include "report.h"

#include <stdarg.h>
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
		       arg, cmd);
}

int cmd_check_password_file(const char *cmd, const char *opt, const char *file, const char *url)
{
	if (!file || !url || strncmp(url, "mysql://", 8) == 0)
		return 0;
	return err_set(CDC_EUSAGE, "%s %s: only a mysql:// URL takes a password", cmd, opt);
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
