/* cdcpack ls [--since DATE] */
#include "apply.h"
#include "cmd.h"
#include "err.h"

#include <stddef.h>
#include <string.h>

struct ls_args {
	const char *since;
};

static const struct cmd_opt ls_opts[] = {
	{"--since", "DATE", OPT_VALUE, offsetof(struct ls_args, since), false,
	 "only batches created at or after DATE (UTC, 2026-11-24 or\n"
	 "2026-11-24T10:00:00Z)"},
	{0},
};

static int parse_args(int argc, char **argv, struct moment *since, bool *has_since)
{
	struct ls_args a = {0};
	int rc = cmd_parse(&cmd_ls_entry, argc, argv, &a, NULL);
	if (!rc && a.since && moment_parse(a.since, since) != 0)
		rc = err_set(CDC_EUSAGE, "ls --since: '%s' is not a date like 2026-11-24", a.since);
	*has_since = a.since != NULL;
	return rc;
}

static int cmd_ls(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct moment since = {0};
	bool has_since = false;
	int rc = parse_args(argc, argv, &since, &has_since);
	if (rc)
		return rc;
	struct config cfg;
	const struct target_ops *ops = NULL;
	struct target *tgt = NULL;
	struct published *v = NULL;
	size_t n = 0;
	rc = cmd_load_config(ctx, &cfg);
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
	.opts = ls_opts,
	.summary = "list the published batches at the target",
	.help = "One line per batch: seq, creation time, bytes, key. On S3 it lists the\n"
		"source's prefix: one LIST request per 1,000 keys.\n"
		"\nExample:\n"
		"  cdcpack ls --since 2026-11-01\n",
	.exec = cmd_ls,
};
