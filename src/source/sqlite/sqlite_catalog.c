/* What the SQLite driver asks of sqlite_schema (which tables exist, which
 * triggers, and how each trigger writes its images), answered from one read
 * of sqlite_schema per schema version instead of one scan per question.
 * sqlite_schema has no index: a lookup by name reads every table's and
 * trigger's SQL text, so asking it once per table made `run` and `status`
 * take time in the square of the number of tables (25 s at 2,000 tables).
 * PRAGMA schema_version changes with every CREATE, DROP and ALTER, ours or
 * another connection's, so a catalogue read at one version is exact until
 * it changes. */
#include "source_sqlite.h"

#include "buf.h"
#include "err.h"
#include "sqlutil.h"
#include "strv.h"

#include <stdlib.h>
#include <string.h>

/* One sqlite_schema row cdcpack asks about. */
struct catalog_entry {
	char *name;
	char *table;	       /* tbl_name: a trigger's table */
	bool trigger;	       /* else a table */
	bool text_images;      /* a trigger whose SQL quote()s its images */
	bool bytewise_keys;    /* ... which compares keys by type and bytes */
	bool writes_changelog; /* a trigger that inserts into the changelog */
	bool foreign;	       /* ... but is not named for its table (renamed?) */
};

/* Owns entries and their names; sorted by (name, trigger). */
struct sqlite_catalog {
	int64_t schema_version;
	struct catalog_entry *entries;
	size_t n;
	size_t nforeign; /* entries with foreign set: almost always none */
};

void sqlite_catalog_free(struct sqlite_catalog *cat)
{
	if (!cat)
		return;
	for (size_t i = 0; i < cat->n; i++) {
		free(cat->entries[i].name);
		free(cat->entries[i].table);
	}
	free(cat->entries);
	free(cat);
}

/* Asked before every catalogue lookup, so prepared once per handle. */
int sqlite_schema_version(struct source *src, int64_t *version)
{
	int rc = 0;
	if (!src->version_stmt)
		rc = sqlite_prepare(src, "PRAGMA schema_version", &src->version_stmt);
	if (rc)
		return rc;
	if (sqlite3_step(src->version_stmt) == SQLITE_ROW)
		*version = sqlite3_column_int64(src->version_stmt, 0);
	else
		rc = sqlite_fail(src, "read schema version");
	sqlite3_reset(src->version_stmt);
	return rc;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Byte order, as SQLite's BINARY collation compares names. */
static int entry_cmp(const void *a, const void *b)
{
	const struct catalog_entry *x = a, *y = b;
	int c = strcmp(x->name, y->name);
	return c ? c : (int)x->trigger - (int)y->trigger;
}

static int catalog_read(struct source *src, struct sqlite_catalog *cat)
{
	/* A trigger writes the changelog when its SQL inserts into it: by what
	 * it does, not its name (a renamed table's triggers keep their names). */
	struct buf needle = BUF_INIT;
	buf_adds(&needle, "INSERT INTO ");
	sql_add_ident(&needle, src->changelog, '"');
	sqlite3_stmt *st;
	int rc = sqlite_prepare(src,
				"SELECT name, tbl_name, type = 'trigger',"
				" instr(coalesce(sql, ''), 'quote(') > 0,"
				" instr(coalesce(sql, ''), 'typeof(OLD.') > 0,"
				" type = 'trigger' AND instr(coalesce(sql, ''), ?1) > 0"
				" FROM sqlite_schema WHERE type IN ('table', 'trigger')",
				&st);
	if (rc) {
		buf_free(&needle);
		return rc;
	}
	sqlite3_bind_text(st, 1, needle.data, -1, SQLITE_STATIC);
	size_t cap = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (cat->n == cap) {
			cap = cap ? 2 * cap : 64;
			cat->entries = xrealloc(cat->entries, cap * sizeof(*cat->entries));
		}
		struct catalog_entry *e = &cat->entries[cat->n++];
		*e = (struct catalog_entry){
			.name = xstrdup((const char *)sqlite3_column_text(st, 0)),
			.table = xstrdup((const char *)sqlite3_column_text(st, 1)),
			.trigger = sqlite3_column_int(st, 2) != 0,
			.text_images = sqlite3_column_int(st, 3) != 0,
			.bytewise_keys = sqlite3_column_int(st, 4) != 0,
			.writes_changelog = sqlite3_column_int(st, 5) != 0};
		e->foreign = e->writes_changelog && !sqlite_trigger_is_ours(src, e->table, e->name);
		cat->nforeign += e->foreign;
	}
	rc = rc == SQLITE_DONE ? 0 : sqlite_fail(src, "read sqlite_schema");
	sqlite3_finalize(st);
	buf_free(&needle);
	if (!rc && cat->n)
		qsort(cat->entries, cat->n, sizeof(*cat->entries), entry_cmp);
	return rc;
}

/* src->catalog, read anew when the schema version moved (unless pinned:
 * one table's status asks several questions of one catalogue). */
static struct sqlite_catalog *catalog(struct source *src)
{
	if (src->catalog && src->catalog_pinned)
		return src->catalog;
	int64_t version = 0;
	if (sqlite_schema_version(src, &version))
		return NULL;
	if (src->catalog && src->catalog->schema_version == version)
		return src->catalog;
	sqlite_catalog_free(src->catalog);
	src->catalog = xcalloc(1, sizeof(*src->catalog));
	src->catalog->schema_version = version;
	if (catalog_read(src, src->catalog)) {
		sqlite_catalog_free(src->catalog);
		src->catalog = NULL;
	}
	return src->catalog;
}

static const struct catalog_entry *find(struct source *src, const char *name, bool trigger)
{
	struct sqlite_catalog *cat = catalog(src);
	if (!cat || !name || cat->n == 0)
		return NULL;
	struct catalog_entry key = {.name = (char *)name, .trigger = trigger};
	return bsearch(&key, cat->entries, cat->n, sizeof(key), entry_cmp);
}

/* Whether src->catalog is read and current, without reading it. */
static bool catalog_current(struct source *src)
{
	int64_t version = 0;
	if (!src->catalog || src->catalog_pinned)
		return src->catalog != NULL;
	return !sqlite_schema_version(src, &version) && version == src->catalog->schema_version;
}

/* One table by its exact name, as the catalogue has it (a row of type
 * 'table' in main's sqlite_schema: virtual and shadow tables too, views
 * not), from the schema SQLite holds in memory: an idle run asks about a
 * few of cdcpack's own tables, which is no reason to read the catalogue's
 * pass over every table's and trigger's SQL. */
static bool table_listed(struct source *src, const char *name)
{
	int rc = 0;
	if (!src->table_stmt)
		rc = sqlite_prepare(src,
				    "SELECT 1 FROM pragma_table_list(?1)"
				    " WHERE schema = 'main' AND name = ?1 AND type <> 'view'",
				    &src->table_stmt);
	if (rc) {
		err_clear();
		return false;
	}
	sqlite3_bind_text(src->table_stmt, 1, name, -1, SQLITE_STATIC);
	bool found = sqlite3_step(src->table_stmt) == SQLITE_ROW;
	sqlite3_reset(src->table_stmt);
	sqlite3_clear_bindings(src->table_stmt);
	return found;
}

bool sqlite_table_exists(struct source *src, const char *name)
{
	if (!name)
		return false;
	return catalog_current(src) ? find(src, name, false) != NULL : table_listed(src, name);
}

int sqlite_trigger_lookup(struct source *src, const char *name, bool *text_images)
{
	const struct catalog_entry *e = find(src, name, true);
	if (e && text_images)
		*text_images = e->text_images;
	return e != NULL;
}

const char *sqlite_trigger_table(struct source *src, const char *name)
{
	const struct catalog_entry *e = find(src, name, true);
	return e ? e->table : NULL;
}

bool sqlite_trigger_bytewise_keys(struct source *src, const char *name)
{
	const struct catalog_entry *e = find(src, name, true);
	return e && e->bytewise_keys;
}

static void catalog_remove(struct sqlite_catalog *cat, struct catalog_entry *e)
{
	cat->nforeign -= e->foreign;
	free(e->name);
	free(e->table);
	size_t i = (size_t)(e - cat->entries);
	memmove(e, e + 1, (cat->n - i - 1) * sizeof(*e));
	cat->n--;
}

static void catalog_insert(struct sqlite_catalog *cat, struct catalog_entry entry)
{
	size_t lo = 0, hi = cat->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (entry_cmp(&cat->entries[mid], &entry) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	cat->entries = xrealloc(cat->entries, (cat->n + 1) * sizeof(*cat->entries));
	memmove(cat->entries + lo + 1, cat->entries + lo, (cat->n - lo) * sizeof(*cat->entries));
	cat->entries[lo] = entry;
	cat->n++;
}

/* Our own DDL made or dropped these triggers while we held the write lock
 * (BEGIN IMMEDIATE): nobody else changed the schema, so the catalogue is
 * brought up to date in place rather than read anew, which would make
 * installing triggers on N tables cost N full reads of sqlite_schema. */
void sqlite_catalog_note_triggers(struct source *src, const char *table, char *const *names,
				  size_t n, bool present, bool text_images)
{
	struct sqlite_catalog *cat = src->catalog;
	int64_t version = 0;
	if (!cat || sqlite_schema_version(src, &version)) {
		sqlite_catalog_free(src->catalog);
		src->catalog = NULL;
		return;
	}
	for (size_t i = 0; i < n; i++) {
		struct catalog_entry key = {.name = names[i], .trigger = true};
		struct catalog_entry *e =
			cat->n ? bsearch(&key, cat->entries, cat->n, sizeof(key), entry_cmp) : NULL;
		/* our DDL writes triggers that compare keys by type and bytes */
		if (e && present) {
			e->text_images = text_images;
			e->bytewise_keys = true;
		} else if (e)
			catalog_remove(cat, e);
		else if (present)
			catalog_insert(cat, (struct catalog_entry){.name = xstrdup(names[i]),
								   .table = xstrdup(table),
								   .trigger = true,
								   .text_images = text_images,
								   .bytewise_keys = true,
								   .writes_changelog = true});
	}
	cat->schema_version = version;
}

int sqlite_triggered_tables(struct source *src, struct strv *out)
{
	struct sqlite_catalog *cat = catalog(src);
	if (!cat)
		return CDC_ERUNTIME;
	for (size_t i = 0; i < cat->n; i++)
		if (cat->entries[i].writes_changelog)
			strv_push(out, cat->entries[i].table);
	strv_dedup(out);
	if (out->n) /* in order, as the tables are listed */
		qsort(out->v, out->n, sizeof(*out->v), name_cmp);
	return 0;
}

int sqlite_foreign_triggers(struct source *src, const char *table, struct strv *out)
{
	struct sqlite_catalog *cat = catalog(src);
	if (!cat)
		return CDC_ERUNTIME;
	for (size_t i = 0; cat->nforeign && i < cat->n; i++)
		if (cat->entries[i].foreign && strcmp(cat->entries[i].table, table) == 0)
			strv_push(out, cat->entries[i].name);
	return 0;
}
