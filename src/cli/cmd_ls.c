/* cdcpack ls [--since DATE] */
#include "apply.h"
#include "cmd.h"
#include "err.h"

#include <string.h>

static int cmd_ls(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct moment since = {0};
	bool has_since = false;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--since") == 0 && i + 1 < argc) {
			int rc = cmd_once("ls", "--since", has_since);
			if (rc)
				return rc;
			if (moment_parse(argv[++i], &since) != 0)
				return err_set(CDC_EUSAGE,
					       "ls --since: '%s' is not a date like 2026-11-24",
					       argv[i]);
			has_since = true;
		} else {
			static const char *const takes_value[] = {"--since", NULL};
			return cmd_bad_arg("ls", argv[i], takes_value);
		}
	}
	struct config cfg;
	const struct target_ops *ops = NULL;
	struct target *tgt = NULL;
	struct published *v = NULL;
	size_t n = 0;
	int rc = cmd_load_config(ctx, &cfg);
	if (!rc)
		rc = target_open(&ops, &tgt, &cfg);
	if (!rc)
		rc = published_list(ops, tgt, &cfg, &v, &n);
	json_t *out = json_array();
	for (size_t i = 0; i < n && !rc; i++) {
		if (has_since && moment_cmp(v[i].created, since) < 0)
			continue;
		char when[MOMENT_ISO_LEN];
		moment_iso(v[i].created, when);
		cmd_print(ctx, "%08lld  %s  %10lld  %s\n", (long long)v[i].seq, when,
			  (long long)v[i].size, v[i].key);
		json_array_append_new(
			out, json_pack("{s:I, s:s, s:s, s:I}", "seq", (json_int_t)v[i].seq, "key",
				       v[i].key, "created", when, "bytes", (json_int_t)v[i].size));
	}
	json_object_set_new(ctx->report, "batches", out);
	published_free(v, n);
	if (ops)
		ops->close(tgt);
	config_free(&cfg);
	return rc;
}

const struct cmd_entry cmd_ls_entry = {
	.name = "ls",
	.usage = "[--since DATE]",
	.summary = "list the published batches at the target",
	.help = "\n"
		"  --since DATE   only batches created at or after DATE (UTC, 2026-11-24 or\n"
		"                 2026-11-24T10:00:00Z)\n"
		"\nOne line per batch: seq, creation time, bytes, key. Uses one LIST request.\n"
		"\nExample:\n"
		"  cdcpack ls --since 2026-11-01\n",
	.exec = cmd_ls,
};
