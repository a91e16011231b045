#include "compare.h"

#include "buf.h"
#include "err.h"
#include "log.h"
#include "pipeline.h"
#include "source.h"
#include "spool.h"

#include <stdlib.h>
#include <string.h>

struct side {
	const struct source_ops *ops;
	struct source *db;
};

struct merge {
	const struct table_def *def;
	struct spool spool;
	int have; /* 1 when spool.row holds the next source row */
	int64_t only_a, only_b, differ;
};

static int key_cmp(const struct table_def *def, const struct value *a, const struct value *b)
{
	for (size_t i = 0; i < def->ncols; i++) {
		if (!def->cols[i].key)
			continue;
		int c = value_cmp(&a[i], &b[i]);
		if (c)
			return c;
	}
	return 0;
}

static void describe_key(struct buf *out, const struct table_def *def, const struct value *row)
{
	for (size_t i = 0; i < def->ncols; i++) {
		if (!def->cols[i].key)
			continue;
		const struct value *v = &row[i];
		buf_addf(out, " %s=", def->cols[i].name);
		if (v->type == VAL_INT)
			buf_addf(out, "%lld", (long long)v->i);
		else if (v->type == VAL_TEXT)
			buf_addf(out, "'%.*s'", (int)(v->n > 40 ? 40 : v->n), v->p);
		else
			buf_adds(out, v->type == VAL_NULL ? "NULL" : "...");
	}
}

static void note(const struct merge *m, const char *what, const struct value *row)
{
	if (log_get_level() < LOG_DEBUG)
		return;
	struct buf key = BUF_INIT;
	describe_key(&key, m->def, row);
	log_debug("difference table=%s %s%s", m->def->name, what, buf_str(&key));
	buf_free(&key);
}

static int on_replica_row(void *ctx, const struct value *row)
{
	struct merge *m = ctx;
	int c = -1;
	while (m->have == 1 && (c = key_cmp(m->def, m->spool.row, row)) < 0) {
		m->only_a++;
		note(m, "only-in-source", m->spool.row);
		m->have = spool_read(&m->spool);
	}
	if (m->have < 0)
		return m->have;
	if (m->have == 1 && c == 0) {
		for (size_t i = 0; i < m->def->ncols; i++) {
			if (!value_same(&m->spool.row[i], &row[i])) {
				m->differ++;
				note(m, "different", row);
				break;
			}
		}
		m->have = spool_read(&m->spool);
		return m->have < 0 ? m->have : 0;
	}
	m->only_b++;
	note(m, "only-in-replica", row);
	return 0;
}

static int spool_row(void *ctx, const struct value *row)
{
	return spool_write(ctx, row);
}

static int read_source(struct side *a, const struct table_def *def, struct spool *sp)
{
	int rc = a->ops->begin_read(a->db);
	if (!rc)
		rc = a->ops->scan(a->db, def, spool_row, sp);
	int end = a->ops->end_read(a->db);
	return rc ? rc : end;
}

static int compare_table(struct side *a, struct side *b, const char *table, json_t *out,
			 int64_t *diffs)
{
	struct table_def *def = NULL;
	struct merge m = {0};
	int rc = a->ops->describe(a->db, table, &def);
	if (!rc)
		rc = spool_open(&m.spool, def->ncols);
	if (!rc)
		rc = read_source(a, def, &m.spool);
	if (!rc)
		rc = spool_rewind(&m.spool);
	if (!rc) {
		m.def = def;
		m.have = spool_read(&m.spool);
		struct table_def *rdef = NULL;
		int found = b->ops->describe(b->db, table, &rdef);
		table_def_free(rdef);
		if (found == 0)
			rc = b->ops->scan(b->db, def, on_replica_row, &m);
		else if (found != CDC_ENOTFOUND)
			rc = found;
		while (!rc && m.have == 1) {
			m.only_a++;
			note(&m, "only-in-source", m.spool.row);
			m.have = spool_read(&m.spool);
		}
		if (!rc && m.have < 0)
			rc = m.have;
		if (!rc && found == CDC_ENOTFOUND)
			log_info("table %s is missing from the replica", table);
	}
	if (!rc) {
		json_array_append_new(out, json_pack("{s:s, s:I, s:I, s:I}", "name", table,
						     "only_in_source", (json_int_t)m.only_a,
						     "only_in_replica", (json_int_t)m.only_b,
						     "different", (json_int_t)m.differ));
		*diffs += m.only_a + m.only_b + m.differ;
	}
	spool_close(&m.spool);
	table_def_free(def);
	return rc ? err_prefix(rc, "verify table %s", table) : 0;
}

int compare_run(const struct config *cfg, const char *against, struct compare_result *res)
{
	memset(res, 0, sizeof(*res));
	res->tables = json_array();
	struct side a = {0}, b = {0};
	struct strv tables = {0};
	struct source_options opt = {.changelog = cfg->changelog,
				     .password_file = cfg->password_file,
				     .read_only = true};
	int rc = source_open(&a.ops, &a.db, cfg->source_url, &opt);
	if (!rc)
		rc = source_open(&b.ops, &b.db, against, &opt);
	if (!rc)
		rc = pipeline_resolve_tables(cfg, a.ops, a.db, &tables);
	for (size_t i = 0; i < tables.n && !rc; i++)
		rc = compare_table(&a, &b, tables.v[i], res->tables, &res->differences);
	strv_free(&tables);
	if (a.ops)
		a.ops->close(a.db);
	if (b.ops)
		b.ops->close(b.db);
	if (!rc && res->differences)
		rc = CDC_EDIFF;
	return rc;
}

void compare_result_free(struct compare_result *res)
{
	json_decref(res->tables);
	memset(res, 0, sizeof(*res));
}
