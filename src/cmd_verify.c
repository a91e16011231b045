/* cdcpack verify --against URL [--password-file FILE] */
#include "cmd.h"
#include "compare.h"
#include "err.h"

#include <string.h>

static int cmd_verify(struct cmd_ctx *ctx, int argc, char **argv)
{
	const char *against = NULL, *password_file = NULL;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--against") == 0 && i + 1 < argc)
			against = argv[++i];
		else if (strcmp(argv[i], "--password-file") == 0 && i + 1 < argc)
			password_file = argv[++i];
		else {
			static const char *const takes_value[] = {"--against", "--password-file",
								  NULL};
			return cmd_bad_arg("verify", argv[i], takes_value);
		}
	}
	if (!against)
		return err_set(CDC_EUSAGE, "verify: --against URL is required");
	int rc = cmd_check_password_file("verify", "--password-file", password_file, against);
	if (rc)
		return rc;
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
	.usage = "--against URL [--password-file FILE]",
	.summary = "compare the source with a replica, table by table, row by row",
	.help = "\n"
		"  --against URL         the replica: sqlite:PATH or mysql://...\n"
		"  --password-file FILE  the mysql:// replica user's password (the file), else\n"
		"                        CDCPACK_REPLICA_PASSWORD; the source's is never sent "
		"there\n"
		"\n"
		"Exit 0 when every captured table holds the same rows, 1 when they differ\n"
		"(-v names each differing key), 2 or 3 on errors.\n"
		"\nExample:\n"
		"  cdcpack verify --against sqlite:replica.db\n",
	.exec = cmd_verify,
};
