/* cdcpack apply --to URL [--until TIME] [--password-file FILE] */
#include "apply.h"
#include "cmd.h"
#include "err.h"

#include <string.h>

static int parse_args(int argc, char **argv, struct apply_options *o)
{
	for (int i = 1; i < argc; i++) {
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		int rc = 0;
		if (strcmp(argv[i], "--to") == 0 && v) {
			if ((rc = cmd_once("apply", "--to", o->to_url)) != 0)
				return rc;
			o->to_url = v;
			i++;
		} else if (strcmp(argv[i], "--password-file") == 0 && v) {
			if ((rc = cmd_once("apply", "--password-file", o->password_file)) != 0)
				return rc;
			o->password_file = v;
			i++;
		} else if (strcmp(argv[i], "--until") == 0 && v) {
			if ((rc = cmd_once("apply", "--until", o->has_until)) != 0)
				return rc;
			if (moment_parse(v, &o->until) != 0)
				return err_set(CDC_EUSAGE,
					       "apply --until: '%s' is not a UTC time like "
					       "2026-11-24T10:11:12Z",
					       v);
			o->has_until = true;
			i++;
		} else {
			static const char *const takes_value[] = {"--to", "--until",
								  "--password-file", NULL};
			return cmd_bad_arg("apply", argv[i], takes_value);
		}
	}
	if (!o->to_url)
		return err_set(CDC_EUSAGE,
			       "apply: --to URL is required (like --to sqlite:replica.db)");
	return cmd_check_password_file("apply", "--password-file", o->password_file, o->to_url);
}

static int cmd_apply(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct apply_options o = {0};
	struct config cfg;
	int rc = parse_args(argc, argv, &o);
	if (rc)
		return rc;
	rc = cmd_load_config(ctx, &cfg);
	struct apply_result res = {0};
	if (!rc)
		rc = apply_run(&cfg, &o, &res);
	json_object_set_new(ctx->report, "replica", cmd_url_json(o.to_url));
	json_object_set_new(ctx->report, "batches", json_integer(res.batches));
	json_object_set_new(ctx->report, "rows", json_integer(res.rows));
	json_object_set_new(ctx->report, "last_seq", json_integer(res.last_seq));
	json_object_set_new(ctx->report, "applied",
			    res.applied ? json_incref(res.applied) : json_array());
	json_object_set_new(ctx->report, "warnings",
			    res.warnings ? json_incref(res.warnings) : json_array());
	if (!rc)
		cmd_print(ctx, "applied %d batch(es), %lld row(s); replica is at batch %lld\n",
			  res.batches, (long long)res.rows, (long long)res.last_seq);
	apply_result_free(&res);
	config_free(&cfg);
	return rc;
}

const struct cmd_entry cmd_apply_entry = {
	.name = "apply",
	.usage = "--to URL [--until TIME] [--password-file FILE]",
	.summary = "replay published batches onto a replica (load, then cdc, in chain order)",
	.help = "\n"
		"  --to URL       the replica: sqlite:PATH (created when missing) or mysql://...\n"
		"  --until TIME   stop before the first batch created after TIME (UTC, ISO 8601)\n"
		"  --password-file FILE\n"
		"                 the mysql:// replica user's password (the file), else\n"
		"                 CDCPACK_REPLICA_PASSWORD; the source's password is never sent\n"
		"                 to the replica\n"
		"\nEach batch is checked (checksums, chain) and applied in one transaction; the\n"
		"replica records applied batch ids in cdcpack_applied, so running apply again\n"
		"applies only what is new. A gap in the chain stops it with exit 3.\n"
		"\nExamples:\n"
		"  cdcpack apply --to sqlite:replica.db\n"
		"  cdcpack apply --to sqlite:asof.db --until 2026-11-24T12:00:00Z\n",
	.exec = cmd_apply,
};
