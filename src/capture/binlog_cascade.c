/* Binlog mode's cascades (binlog_cascade.h). */
#include "binlog_cascade.h"

#include "state.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* The state's meta key of the tables due: a JSON array of names. */
#define DUE_KEY "binlog_cascade_due"

int cascade_reading_open(struct pipeline *p, struct package *pk, struct cascade_reading *r)
{
	memset(r, 0, sizeof(*r));
	r->pk = pk;
	if (!p->cfg->reconcile_kept || !p->sops->log->cascades)
		return 0;
	return p->sops->log->cascades(p->src, &p->tables, &r->keys, &r->nkeys);
}

static void push_new(struct strv *s, const char *name)
{
	if (!strv_contains(s, name))
		strv_push(s, name);
}

/* Whether update c changes a column key references (or one the table no
 * longer has by that name: then it may). */
static bool changes_referenced(const struct change *c, const struct log_cascade *k)
{
	for (size_t i = 0; i < k->parent_cols.n; i++) {
		size_t j = 0;
		while (j < c->def->ncols && strcasecmp(c->def->cols[j].name, k->parent_cols.v[i]))
			j++;
		if (j == c->def->ncols || !value_same(&c->before[j], &c->after[j]))
			return true;
	}
	return k->parent_cols.n == 0;
}

int cascade_add_change(void *ctx, const struct change *c)
{
	struct cascade_reading *r = ctx;
	/* A key update ships as D + I, so a D stands for either; a U may
	 * change another unique key, which an ON UPDATE key may reference. */
	for (size_t i = 0; i < r->nkeys; i++) {
		const struct log_cascade *k = &r->keys[i];
		bool fires = (c->op == 'D' && (k->on_delete || k->on_update)) ||
			     (c->op == 'U' && k->on_update && changes_referenced(c, k));
		if (fires && strcmp(k->parent, c->def->name) == 0)
			push_new(&r->due, k->child);
	}
	return package_add_change(r->pk, c);
}

int binlog_cascade_due(struct pipeline *p, struct strv *out)
{
	char *text = NULL;
	int rc = state_meta_get(p->st, DUE_KEY, &text);
	json_t *a = rc || !text ? NULL : json_loads(text, 0, NULL);
	size_t i;
	json_t *v;
	json_array_foreach(a, i, v)
	{
		/* A table no longer captured is no longer reconciled. */
		if (json_is_string(v) && strv_contains(&p->tables, json_string_value(v)))
			push_new(out, json_string_value(v));
	}
	json_decref(a);
	free(text);
	return rc;
}

/* Writes the list of due tables, leaving out those in skip (may be NULL). */
static int save_due(struct pipeline *p, const struct strv *due, const struct strv *skip)
{
	json_t *a = json_array();
	for (size_t i = 0; i < due->n; i++)
		if (!skip || !strv_contains(skip, due->v[i]))
			json_array_append_new(a, json_string(due->v[i]));
	char *text = json_dumps(a, JSON_COMPACT);
	int rc = state_meta_set(p->st, DUE_KEY, text);
	free(text);
	json_decref(a);
	return rc;
}

int binlog_cascade_done(struct pipeline *p, const struct strv *covered)
{
	struct strv due = {0};
	int rc = binlog_cascade_due(p, &due);
	if (!rc)
		rc = save_due(p, &due, covered);
	strv_free(&due);
	return rc;
}

int cascade_reading_note(struct pipeline *p, struct cascade_reading *r)
{
	if (!r->due.n)
		return 0;
	/* A cascade goes on below the log: the children's children too. */
	for (size_t i = 0; i < r->due.n; i++)
		for (size_t j = 0; j < r->nkeys; j++)
			if (strcmp(r->keys[j].parent, r->due.v[i]) == 0)
				push_new(&r->due, r->keys[j].child);
	struct strv all = {0};
	int rc = binlog_cascade_due(p, &all);
	for (size_t i = 0; i < r->due.n; i++)
		push_new(&all, r->due.v[i]);
	if (!rc)
		rc = save_due(p, &all, NULL);
	strv_free(&all);
	return rc;
}

void cascade_reading_close(struct cascade_reading *r)
{
	log_cascades_free(r->keys, r->nkeys);
	strv_free(&r->due);
	memset(r, 0, sizeof(*r));
}
