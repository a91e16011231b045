#include "dbdiff.h"

#include "codec.h"
#include "err.h"
#include "fault.h"
#include "log.h"
#include "recqueue.h"
#include "stop.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

int dbdiff_open(struct dbdiff_side *s, const char *url, const struct source_options *opt)
{
	s->url = url;
	return source_open(&s->ops, &s->db, url, opt);
}

void dbdiff_close(struct dbdiff_side *s)
{
	if (s->ops)
		s->ops->close(s->db);
	s->ops = NULL;
	s->db = NULL;
}

void dbdiff_result_free(struct dbdiff_result *res)
{
	for (size_t i = 0; i < res->ntables; i++) {
		struct dbdiff_table_result *t = &res->tables[i];
		free(t->name);
		strv_free(&t->only_a);
		strv_free(&t->only_b);
		free(t->problem);
	}
	free(res->tables);
	memset(res, 0, sizeof(*res));
}

static size_t count_case_insensitive(const struct strv *list, const char *name)
{
	size_t n = 0;
	for (size_t i = 0; i < list->n; i++)
		n += strcasecmp(list->v[i], name) == 0;
	return n;
}

/* name as list spells it: exactly, else the one case-insensitive match
 * (SQLite ignores case in table names, MySQL on Linux does not), but only
 * one nothing else claims: other, the list name comes from, holds neither
 * that spelling nor another name in some case (F39: MySQL's t and T beside
 * SQLite's t paired both with t, or left T out unsaid). */
static const char *find_name(const struct strv *list, const char *name, const struct strv *other)
{
	const char *found = NULL;
	int matches = 0;
	for (size_t i = 0; i < list->n; i++) {
		if (strcmp(list->v[i], name) == 0)
			return list->v[i];
		if (strcasecmp(list->v[i], name) == 0) {
			found = list->v[i];
			matches++;
		}
	}
	if (matches != 1 || strv_contains(other, found) || count_case_insensitive(other, name) > 1)
		return NULL;
	return found;
}

static int resolve_tables(const struct strv *in_a, const struct strv *in_b,
			  const struct strv *wanted, struct strv *out)
{
	for (size_t i = 0; i < wanted->n; i++) {
		if (!find_name(in_a, wanted->v[i], in_b) && !find_name(in_b, wanted->v[i], in_a))
			return err_set(CDC_EUSAGE, "--table %s: no such table on either side",
				       wanted->v[i]);
		strv_push(out, wanted->v[i]);
	}
	if (wanted->n)
		return 0;
	for (size_t i = 0; i < in_a->n; i++)
		strv_push(out, in_a->v[i]);
	for (size_t i = 0; i < in_b->n; i++)
		if (!find_name(in_a, in_b->v[i], in_b))
			strv_push(out, in_b->v[i]);
	return 0;
}

static int count_row(void *ctx, const struct value *row)
{
	(void)row;
	(*(int64_t *)ctx)++;
	return 0;
}

struct relay {
	const struct dbdiff_sink *sink;
	const struct dbdiff_table *t;
	struct diff_merge *m;
};

static int relay_row(void *ctx, char op, const struct value *b_row, const struct keyrec *a)
{
	struct relay *r = ctx;
	return r->sink->row(r->sink->ctx, r->t, op, b_row, a);
}

/* B's rows into the merge, telling the sink how far it has come. */
static int scan_row(void *ctx, const struct value *row)
{
	struct relay *r = ctx;
	if (r->m->rows_b == 0)
		fault_point("mid-diff");
	int rc = stop_check();
	if (!rc)
		rc = diff_merge_row(r->m, row);
	if (!rc && r->sink && r->sink->progress && (r->m->rows_b & 0xffff) == 0)
		r->sink->progress(r->sink->progress_ctx, r->t, r->m->rows_b);
	return rc;
}

static int merge_rows(struct dbdiff_side *a, struct dbdiff_side *b, struct dbdiff_table *t,
		      const struct dbdiff_sink *sink)
{
	struct rec_queue *q = NULL;
	struct relay r = {sink, t, NULL};
	int rc = rec_queue_start(&q, a->ops, a->db, t->a, t->plan, a->url);
	if (rc)
		return rc;
	struct diff_merge m = {
		.plan = t->plan,
		.table = t->name,
		.a_label = a->url,
		.b_label = b->url,
		.a = rec_queue_source(q),
		.a_checked = true,
		.emit = sink && sink->row ? relay_row : NULL,
		.ctx = &r,
	};
	r.m = &m;
	rc = diff_merge_start(&m);
	if (!rc)
		rc = b->ops->read->scan(b->db, t->b, t->plan->key_classes, scan_row, &r);
	if (!rc)
		rc = diff_merge_finish(&m);
	rc = rec_queue_end(q, rc);
	t->rows_a = m.rows_a;
	t->rows_b = m.rows_b;
	t->inserted = m.inserted;
	t->updated = m.updated;
	t->deleted = m.deleted;
	diff_merge_free(&m);
	return rc;
}

static int compare_table(struct dbdiff_side *a, struct dbdiff_side *b, struct dbdiff_table *t,
			 const struct dbdiff_sink *sink)
{
	int rc = sink && sink->table ? sink->table(sink->ctx, t) : 0;
	if (!rc && t->status == DBDIFF_COMPARED)
		rc = merge_rows(a, b, t, sink);
	else if (!rc && t->status == DBDIFF_ONLY_A)
		rc = a->ops->read->scan(a->db, t->a, NULL, count_row, &t->rows_a);
	else if (!rc && t->status == DBDIFF_ONLY_B)
		rc = b->ops->read->scan(b->db, t->b, NULL, count_row, &t->rows_b);
	if (t->status == DBDIFF_ONLY_A)
		t->deleted = t->rows_a;
	if (t->status == DBDIFF_ONLY_B)
		t->inserted = t->rows_b;
	if (!rc && sink && sink->table_done)
		rc = sink->table_done(sink->ctx, t);
	return rc ? err_prefix(rc, "diff table %s", NAME_SHOWN_SHORT(t->name)) : 0;
}

const char *dbdiff_status_name(enum dbdiff_status s)
{
	static const char *const names[] = {"compared", "only_in_a", "only_in_b", "keys_differ"};
	return names[s];
}

static void copy_names(struct strv *to, const struct strv *from)
{
	for (size_t i = 0; i < from->n; i++)
		strv_push(to, from->v[i]);
}

/* The table's entry in the result, and what it adds to the differences. */
static int64_t record_table(struct dbdiff_result *res, const struct dbdiff_table *t,
			    bool b_extra_ok)
{
	const struct diff_plan *plan = t->plan;
	res->tables = xrealloc(res->tables, (res->ntables + 1) * sizeof(*res->tables));
	struct dbdiff_table_result *r = &res->tables[res->ntables++];
	*r = (struct dbdiff_table_result){
		.name = xstrdup(t->name),
		.status = t->status,
		.rows_a = t->rows_a,
		.rows_b = t->rows_b,
		.inserted = t->inserted,
		.updated = t->updated,
		.deleted = t->deleted,
		.problem = plan && plan->key_problem ? xstrdup(plan->key_problem) : NULL,
	};
	if (plan) {
		copy_names(&r->only_a, &plan->only_a);
		copy_names(&r->only_b, &plan->only_b);
	}
	bool columns = plan && (plan->only_a.n || (plan->only_b.n && !b_extra_ok));
	return t->inserted + t->updated + t->deleted + (t->status != DBDIFF_COMPARED) + columns;
}

static int describe_side(struct dbdiff_side *s, const struct strv *list, const char *name,
			 const struct strv *other, struct table_def **out)
{
	*out = NULL;
	const char *real = find_name(list, name, other);
	return real ? s->ops->read->describe(s->db, real, out) : 0;
}

static void classify(struct dbdiff_table *t, struct diff_plan *plan, const char *a_driver,
		     const char *b_driver)
{
	if (t->a && t->b) {
		diff_plan_init(plan, t->a, a_driver, t->b, b_driver);
		t->plan = plan;
		t->status = plan->key_problem ? DBDIFF_KEYS_DIFFER : DBDIFF_COMPARED;
	} else {
		t->status = t->a ? DBDIFF_ONLY_A : DBDIFF_ONLY_B;
	}
}

static int diff_one(struct dbdiff_side *a, struct dbdiff_side *b, const struct strv *in_a,
		    const struct strv *in_b, const char *name, const struct dbdiff_sink *sink,
		    struct dbdiff_result *res)
{
	struct table_def *da = NULL, *db = NULL;
	struct diff_plan plan = {0};
	int rc = describe_side(a, in_a, name, in_b, &da);
	if (!rc)
		rc = describe_side(b, in_b, name, in_a, &db);
	if (!rc && !da && !db)
		rc = err_set(CDC_EUSAGE, "table %s: not found on either side",
			     NAME_SHOWN_SHORT(name));
	struct dbdiff_table t = {.name = da ? da->name : db ? db->name : name, .a = da, .b = db};
	if (!rc) {
		classify(&t, &plan, a->ops->driver, b->ops->driver);
		rc = compare_table(a, b, &t, sink);
	}
	if (!rc) {
		res->differences += record_table(res, &t, b->extra_columns_ok);
		log_debug(
			"table compared table=%s status=%s inserted=%lld updated=%lld deleted=%lld",
			NAME_SHOWN_SHORT(t.name), dbdiff_status_name(t.status),
			(long long)t.inserted, (long long)t.updated, (long long)t.deleted);
	}
	diff_plan_free(&plan);
	table_def_free(da);
	table_def_free(db);
	return rc;
}

static int list_both(struct dbdiff_side *a, struct dbdiff_side *b, struct strv *in_a,
		     struct strv *in_b)
{
	int rc = a->ops->read->list_tables(a->db, in_a);
	return rc ? rc : b->ops->read->list_tables(b->db, in_b);
}

int dbdiff_tables(struct dbdiff_side *a, struct dbdiff_side *b, const struct strv *wanted,
		  struct strv *out)
{
	struct strv in_a = {0}, in_b = {0};
	int rc = list_both(a, b, &in_a, &in_b);
	if (!rc)
		rc = resolve_tables(&in_a, &in_b, wanted, out);
	strv_dedup(out); /* `--table t --table t` compares t once */
	strv_free(&in_a);
	strv_free(&in_b);
	return rc;
}

int dbdiff_run(struct dbdiff_side *a, struct dbdiff_side *b, const struct strv *tables,
	       const struct dbdiff_sink *sink, struct dbdiff_result *res)
{
	memset(res, 0, sizeof(*res));
	struct strv in_a = {0}, in_b = {0};
	int rc = a->ops->read->begin_read(a->db);
	bool read_a = !rc;
	if (!rc)
		rc = b->ops->read->begin_read(b->db);
	bool read_b = read_a && !rc;
	if (!rc)
		rc = list_both(a, b, &in_a, &in_b);
	for (size_t i = 0; i < tables->n && !rc; i++)
		rc = diff_one(a, b, &in_a, &in_b, tables->v[i], sink, res);
	int end_a = read_a ? a->ops->read->end_read(a->db) : 0;
	int end_b = read_b ? b->ops->read->end_read(b->db) : 0;
	rc = rc ? rc : end_a ? end_a : end_b;
	strv_free(&in_a);
	strv_free(&in_b);
	if (!rc && res->differences)
		rc = CDC_EDIFF;
	return rc;
}
