#include "value.h"

#include "buf.h"
#include "codec.h"
#include "err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void table_def_add_column(struct table_def *def, const char *name, const char *type, bool key)
{
	def->cols = xrealloc(def->cols, (def->ncols + 1) * sizeof(*def->cols));
	def->cols[def->ncols].name = xstrdup(name);
	def->cols[def->ncols].type = xstrdup(type ? type : "");
	def->cols[def->ncols].decl = value_type_for_decl(def->cols[def->ncols].type);
	def->cols[def->ncols].aff = affinity_for_decl(def->cols[def->ncols].type);
	def->cols[def->ncols].key = key;
	def->cols[def->ncols].generated = false;
	def->ncols++;
}

struct table_def *table_def_copy(const struct table_def *def)
{
	struct table_def *c = xcalloc(1, sizeof(*c));
	c->name = xstrdup(def->name);
	c->rowid_key = def->rowid_key;
	c->int_key_not_alias = def->int_key_not_alias;
	c->foreign = def->foreign;
	c->type_affinity = def->type_affinity;
	for (size_t i = 0; i < def->ncols; i++) {
		table_def_add_column(c, def->cols[i].name, def->cols[i].type, def->cols[i].key);
		c->cols[i].generated = def->cols[i].generated;
	}
	return c;
}

void table_def_free(struct table_def *def)
{
	if (!def)
		return;
	for (size_t i = 0; i < def->ncols; i++) {
		free(def->cols[i].name);
		free(def->cols[i].type);
	}
	free(def->cols);
	free(def->name);
	free(def);
}

size_t table_def_nkeys(const struct table_def *def)
{
	size_t n = 0;
	for (size_t i = 0; i < def->ncols; i++)
		n += def->cols[i].key;
	return n;
}

bool table_def_same(const struct table_def *a, const struct table_def *b)
{
	if (a->ncols != b->ncols)
		return false;
	for (size_t i = 0; i < a->ncols; i++) {
		if (strcmp(a->cols[i].name, b->cols[i].name) != 0 ||
		    strcasecmp(a->cols[i].type, b->cols[i].type) != 0 ||
		    a->cols[i].key != b->cols[i].key)
			return false;
	}
	return true;
}

static bool contains(const char *hay, const char *needle)
{
	return strcasestr(hay, needle) != NULL;
}

enum affinity affinity_for_decl(const char *full)
{
	/* Only the type's name counts: enum('print') is no INT. */
	char decl[64];
	size_t n = strcspn(full, "(");
	snprintf(decl, sizeof(decl), "%.*s", (int)(n < sizeof(decl) ? n : sizeof(decl) - 1), full);
	/* Order matters: SQLite checks INT first, so "POINT" would be INTEGER too. */
	if (contains(decl, "INT") && !contains(decl, "POINT") && !contains(decl, "INTERVAL"))
		return AFF_INTEGER;
	if (contains(decl, "CHAR") || contains(decl, "CLOB") || contains(decl, "TEXT") ||
	    contains(decl, "JSON") || contains(decl, "ENUM") || contains(decl, "SET"))
		return AFF_TEXT;
	if (!full[0] || contains(decl, "BLOB") || contains(decl, "BINARY") || contains(decl, "BIT"))
		return AFF_NONE;
	if (contains(decl, "REAL") || contains(decl, "FLOA") || contains(decl, "DOUB"))
		return AFF_REAL;
	return AFF_NUMERIC; /* DECIMAL, dates, BOOLEAN, NUMERIC itself */
}

enum value_type value_type_for_decl(const char *full)
{
	switch (affinity_for_decl(full)) {
	case AFF_INTEGER:
		return VAL_INT;
	case AFF_REAL:
		return VAL_REAL;
	case AFF_NONE:
		/* an untyped column is spelt as text where a type is asked for */
		return full[0] ? VAL_BLOB : VAL_TEXT;
	default:
		/* NUMERIC affinity, DECIMAL, dates: exact text, and the replica's
		 * own type rules decide. */
		return VAL_TEXT;
	}
}

json_t *table_def_columns_json(const struct table_def *def)
{
	json_t *cols = json_array();
	for (size_t i = 0; i < def->ncols; i++) {
		json_array_append_new(cols, json_pack("{s:s, s:s, s:b}", "name", def->cols[i].name,
						      "type", def->cols[i].type, "key",
						      def->cols[i].key));
	}
	return cols;
}

void json_set_name(json_t *o, const char *key, const char *name)
{
	json_object_set_new(o, key, json_text(name));
	size_t n = strlen(name);
	if (utf8_valid(name, n))
		return;
	struct buf hex = BUF_INIT;
	hex_encode(&hex, name, n);
	char *hex_key = xasprintf("%s_hex", key);
	json_object_set_new(o, hex_key, json_stringn(hex.data ? hex.data : "", hex.len));
	free(hex_key);
	buf_free(&hex);
}

json_t *json_named(const char *name, json_t *fields)
{
	json_t *o = json_object();
	json_set_name(o, "name", name);
	json_object_update(o, fields);
	json_decref(fields);
	return o;
}

json_t *json_text(const char *s)
{
	char *u = name_utf8(s);
	json_t *j = json_string(u);
	free(u);
	return j;
}

char *table_def_columns_text(const struct table_def *def)
{
	json_t *cols = table_def_columns_json(def);
	char *text = json_dumps(cols, JSON_COMPACT);
	json_decref(cols);
	if (!text)
		abort(); /* out of memory, as xmalloc */
	return text;
}

int table_def_columns_from_json(struct table_def *def, const json_t *columns)
{
	if (!json_is_array(columns) || json_array_size(columns) == 0)
		return err_set(CDC_ERUNTIME, "table %s: \"columns\" is not a non-empty array",
			       NAME_SHOWN_SHORT(def->name));
	size_t i;
	const json_t *c;
	json_array_foreach(columns, i, c)
	{
		const json_t *name = json_object_get(c, "name");
		const json_t *type = json_object_get(c, "type");
		const json_t *key = json_object_get(c, "key");
		if (!json_is_string(name) || !json_is_string(type) || !json_is_boolean(key))
			return err_set(
				CDC_ERUNTIME,
				"table %s: column %zu needs string name and type and boolean key",
				NAME_SHOWN_SHORT(def->name), i);
		table_def_add_column(def, json_string_value(name), json_string_value(type),
				     json_is_true(key));
	}
	return 0;
}

static int type_rank(enum value_type t)
{
	switch (t) {
	case VAL_NULL:
		return 0;
	case VAL_INT:
	case VAL_REAL:
		return 1;
	case VAL_TEXT:
		return 2;
	default:
		return 3;
	}
}

static int bytes_cmp(const struct value *a, const struct value *b)
{
	size_t n = a->n < b->n ? a->n : b->n;
	int c = n ? memcmp(a->p, b->p, n) : 0;
	if (c)
		return c < 0 ? -1 : 1;
	return (a->n > b->n) - (a->n < b->n);
}

static int number_cmp(const struct value *a, const struct value *b)
{
	if (a->type == VAL_INT && b->type == VAL_INT)
		return (a->i > b->i) - (a->i < b->i);
	long double x = a->type == VAL_INT ? (long double)a->i : a->r;
	long double y = b->type == VAL_INT ? (long double)b->i : b->r;
	return (x > y) - (x < y);
}

int value_cmp(const struct value *a, const struct value *b)
{
	int ra = type_rank(a->type), rb = type_rank(b->type);
	if (ra != rb)
		return ra < rb ? -1 : 1;
	if (ra == 0)
		return 0;
	if (ra == 1)
		return number_cmp(a, b);
	return bytes_cmp(a, b);
}

bool value_same(const struct value *a, const struct value *b)
{
	if (a->type != b->type)
		return false;
	switch (a->type) {
	case VAL_NULL:
		return true;
	case VAL_INT:
		return a->i == b->i;
	case VAL_REAL:
		return memcmp(&a->r, &b->r, sizeof(a->r)) == 0;
	default:
		return a->n == b->n && (a->n == 0 || memcmp(a->p, b->p, a->n) == 0);
	}
}
