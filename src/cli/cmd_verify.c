/* cdcpack verify --against URL [--password-file FILE] */
#include "buf.h"
#include "cmd.h"
#include "compare.h"
#include "err.h"

#include <stddef.h>
#include <string.h>

/* "a, b" of a JSON array of strings. */
static void add_names(struct buf *b, const json_t *names)
{
	size_t i;
	const json_t *n;
	json_array_foreach(names, i, n)
	{
		buf_adds(b, i ? ", " : "");
		buf_adds(b, json_string_value(n));
	}
}

/* Why a table differs other than by rows: its presence, columns or key. */
static void print_table_reasons(const struct cmd_ctx *ctx, const json_t *t)
{
	const char *name = json_string_value(json_object_get(t, "name"));
	const char *status = json_string_value(json_object_get(t, "status"));
	const json_t *src_only = json_object_get(t, "columns_only_in_source");
	const json_t *rep_only = json_object_get(t, "columns_only_in_replica");
	const json_t *problem = json_object_get(t, "problem");
	struct buf b = BUF_INIT;
	if (status && strcmp(status, "only_in_a") == 0)
		cmd_print(ctx, "  table %s is missing in the replica\n", name);
	if (json_is_string(problem))
		cmd_print(ctx, "  table %s: %s; its rows were not compared\n", name,
			  json_string_value(problem));
	if (json_array_size(src_only)) {
		add_names(&b, src_only);
		cmd_print(ctx, "  table %s: columns only in the source: %s\n", name, b.data);
		buf_reset(&b);
	}
	if (json_array_size(rep_only)) {
		add_names(&b, rep_only);
		cmd_print(ctx,
			  "  table %s: columns only in the replica: %s (allowed: rows compare on "
			  "the source's columns)\n",
			  name, b.data);
	}
	buf_free(&b);
}

struct verify_args {
	const char *against, *password_file;
};

static const struct cmd_opt verify_opts[] = {
	{"--against", "URL", OPT_VALUE, offsetof(struct verify_args, against), true,
	 "the replica: sqlite:PATH or mysql://..."},
	{"--password-file", "FILE", OPT_VALUE, offsetof(struct verify_args, password_file), false,
	 "the mysql:// replica user's password (the file), else\n"
	 "CDCPACK_REPLICA_PASSWORD; the source's is never sent there"},
	{0},
};

static int cmd_verify(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct verify_args a = {0};
	int rc = cmd_parse(&cmd_verify_entry, argc, argv, &a, NULL);
	if (!rc)
		rc = cmd_check_password_file("verify", "--password-file", a.password_file,
					     a.against);
	if (rc)
		return rc;
	const char *against = a.against, *password_file = a.password_file;
	struct config cfg;
	rc = cmd_load_config(ctx, &cfg);
	struct compare_result res = {0};
	if (!rc)
		rc = compare_run(&cfg, against, password_file, &res);
	if (rc == 0 || rc == CDC_EDIFF) {
		size_t i;
		json_t *t;
		json_array_foreach(res.tables, i, t)
		{
			cmd_print(
				ctx,
				"%-24s only-in-source=%lld only-in-replica=%lld different=%lld\n",
				json_string_value(json_object_get(t, "name")),
				(long long)json_integer_value(json_object_get(t, "only_in_source")),
				(long long)json_integer_value(
					json_object_get(t, "only_in_replica")),
				(long long)json_integer_value(json_object_get(t, "different")));
			print_table_reasons(ctx, t);
		}
		cmd_print(ctx, rc ? "replica differs from the source (-v lists the keys)\n"
				  : "replica matches the source\n");
	}
	json_object_set_new(ctx->report, "against", cmd_url_json(against));
	json_object_set_new(ctx->report, "equal", json_boolean(rc == 0));
	json_object_set_new(ctx->report, "differences", json_integer(res.differences));
	json_object_set_new(ctx->report, "tables",
			    res.tables ? json_incref(res.tables) : json_array());
	compare_result_free(&res);
	config_free(&cfg);
	return rc;
}

const struct cmd_entry cmd_verify_entry = {
	.name = "verify",
	.opts = verify_opts,
	.summary = "compare the source with a replica, table by table, row by row",
	.help = "Exit 0 when every captured table holds the same rows, 1 when they differ\n"
		"(-v names each differing key), 2 or 3 on errors. A table missing in the\n"
		"replica, or lacking some of the source's columns, differs too; the columns\n"
		"are named per table (--json: columns_only_in_source, columns_only_in_replica).\n"
		"\nExample:\n"
		"  cdcpack verify --against sqlite:replica.db\n",
	.exec = cmd_verify,
};
