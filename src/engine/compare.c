#include "compare.h"

#include "buf.h"
#include "codec.h"
#include "err.h"
#include "log.h"
#include "pipeline.h"
#include "redact.h"

#include <stdlib.h>
#include <string.h>

/* -v names each differing key: source = A, replica = B. */
static int note_row(void *ctx, const struct dbdiff_table *t, char op, const struct value *b_row,
		    const struct keyrec *a)
{
	(void)ctx;
	const struct diff_plan *p = t->plan;
	struct value *keys = xcalloc(p->nkeys, sizeof(*keys));
	if (b_row)
		for (size_t k = 0; k < p->nkeys; k++)
			keys[k] = b_row[p->b_keys[k]];
	else
		keyrec_decode(a, keys, NULL, p->nkeys);
	struct buf key = BUF_INIT;
	keyrec_describe(&key, keys, p->key_names, p->nkeys);
	log_debug("difference table=%s %s %s", NAME_SHOWN_SHORT(t->name),
		  op == 'D'   ? "only-in-source"
		  : op == 'I' ? "only-in-replica"
			      : "different",
		  buf_str(&key));
	buf_free(&key);
	free(keys);
	return 0;
}

int compare_run(const struct config *cfg, const char *against, const char *password_file,
		struct compare_result *res)
{
	memset(res, 0, sizeof(*res));
	struct dbdiff_side a = {0}, b = {0};
	struct dbdiff_result dr = {0};
	struct strv tables = {0};
	struct source_options opt = {.changelog = cfg->changelog,
				     .password_file = cfg->password_file,
				     .read_only = true};
	struct source_options replica_opt = {.changelog = cfg->changelog,
					     .password_file = password_file,
					     .password_env = REPLICA_PASSWORD_ENV,
					     .read_only = true};
	struct dbdiff_sink sink = {.row = log_get_level() >= LOG_DEBUG ? note_row : NULL};
	int rc = dbdiff_open(&a, cfg->source_url, &opt);
	if (!rc)
		rc = dbdiff_open(&b, against, &replica_opt);
	b.extra_columns_ok = true;
	if (!rc)
		rc = pipeline_resolve_tables(cfg, a.ops, a.db, &tables);
	if (!rc)
		rc = dbdiff_run(&a, &b, &tables, &sink, &dr);
	if (rc == 0 || rc == CDC_EDIFF) {
		res->diff = dr; /* the result takes the tables */
		dr = (struct dbdiff_result){0};
	}
	dbdiff_result_free(&dr);
	strv_free(&tables);
	dbdiff_close(&a);
	dbdiff_close(&b);
	if (rc && rc != CDC_EDIFF) {
		char *shown = url_redact(against);
		rc = err_prefix(rc, "verify against %s", shown);
		free(shown);
	}
	return rc;
}

void compare_result_free(struct compare_result *res)
{
	dbdiff_result_free(&res->diff);
}
