/* The reconcile record (recrecord.h). */
#include "recrecord.h"

#include "buf.h"
#include "codec.h"
#include "value.h"

#include <stdlib.h>
#include <string.h>

void reconcile_result_destroy(struct reconcile_result *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->ntables; i++) {
		free(r->tables[i].table);
		free(r->tables[i].skipped);
	}
	free(r->tables);
	free(r->at);
	free(r->batch);
	free(r);
}

int64_t reconcile_repaired(const struct reconcile_result *r)
{
	int64_t n = 0;
	for (size_t i = 0; i < r->ntables; i++)
		n += r->tables[i].inserted + r->tables[i].updated + r->tables[i].deleted;
	return n;
}

json_t *reconcile_tables_json(const struct reconcile_result *r)
{
	json_t *tables = json_array();
	for (size_t i = 0; i < r->ntables; i++) {
		const struct reconcile_table *t = &r->tables[i];
		json_t *o = json_object();
		json_set_name(o, "table", t->table);
		json_t *counts = json_pack(
			"{s:I, s:I, s:I, s:I, s:I, s:o?}", "rows", (json_int_t)t->rows, "inserted",
			(json_int_t)t->inserted, "updated", (json_int_t)t->updated, "deleted",
			(json_int_t)t->deleted, "pending", (json_int_t)t->pending, "skipped",
			t->skipped ? json_text(t->skipped) : NULL);
		json_object_update(o, counts);
		json_decref(counts);
		json_array_append_new(tables, o);
	}
	return tables;
}

char *reconcile_record_text(const struct reconcile_result *r)
{
	json_t *doc = json_pack("{s:s, s:s?, s:o}", "at", r->at, "batch", r->batch, "tables",
				reconcile_tables_json(r));
	char *text = json_dumps(doc, JSON_COMPACT);
	json_decref(doc);
	return text;
}

static int64_t json_int_of(const json_t *o, const char *key)
{
	return (int64_t)json_integer_value(json_object_get(o, key));
}

/* The table's name: its bytes from "table_hex" when the name is not UTF-8
 * (json_set_name), else "table"; NULL when neither reads. */
static char *table_name_of(const json_t *t)
{
	const char *hex = json_string_value(json_object_get(t, "table_hex"));
	const char *name = json_string_value(json_object_get(t, "table"));
	if (!hex)
		return name ? xstrdup(name) : NULL;
	struct buf b = BUF_INIT;
	if (hex_decode(&b, hex, strlen(hex)) || !b.len || memchr(b.data, 0, b.len)) {
		buf_free(&b);
		return NULL;
	}
	return buf_detach(&b);
}

void reconcile_record_parse(const char *text, struct reconcile_result *r)
{
	memset(r, 0, sizeof(*r));
	json_t *doc = json_loads(text, 0, NULL);
	const char *at = json_string_value(json_object_get(doc, "at"));
	const char *batch = json_string_value(json_object_get(doc, "batch"));
	r->at = at ? xstrdup(at) : NULL;
	r->batch = batch ? xstrdup(batch) : NULL;
	const json_t *tables = json_object_get(doc, "tables");
	size_t n = json_array_size(tables);
	r->tables = xcalloc(n ? n : 1, sizeof(*r->tables));
	for (size_t i = 0; i < n; i++) {
		const json_t *t = json_array_get(tables, i);
		char *name = table_name_of(t);
		const char *skipped = json_string_value(json_object_get(t, "skipped"));
		if (!name)
			continue;
		r->tables[r->ntables++] = (struct reconcile_table){
			.table = name,
			.skipped = skipped ? xstrdup(skipped) : NULL,
			.rows = json_int_of(t, "rows"),
			.inserted = json_int_of(t, "inserted"),
			.updated = json_int_of(t, "updated"),
			.deleted = json_int_of(t, "deleted"),
			.pending = json_int_of(t, "pending"),
		};
	}
	json_decref(doc);
}
