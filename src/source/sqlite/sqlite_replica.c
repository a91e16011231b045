/* The replica side of the SQLite driver: what `apply` writes. */
#include "source_sqlite.h"

#include "codec.h"
#include "err.h"
#include "log.h"
#include "replica_sql.h"
#include "sqlutil.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

int sqlite_bind_value(sqlite3_stmt *stmt, int idx, const struct value *v)
{
	switch (v->type) {
	case VAL_INT:
		return sqlite3_bind_int64(stmt, idx, v->i);
	case VAL_REAL:
		return sqlite3_bind_double(stmt, idx, v->r);
	case VAL_TEXT:
		return sqlite3_bind_text64(stmt, idx, v->p, v->n, SQLITE_TRANSIENT, SQLITE_UTF8);
	case VAL_BLOB:
		return sqlite3_bind_blob64(stmt, idx, v->p, v->n, SQLITE_TRANSIENT);
	default:
		return sqlite3_bind_null(stmt, idx);
	}
}

/* Prepared statements are reused across rows; the cache is keyed by SQL. */
static int cached_stmt(struct source *src, const char *sql, sqlite3_stmt **out)
{
	for (size_t i = 0; i < SQLITE_STMT_CACHE; i++) {
		if (src->cache[i].sql && strcmp(src->cache[i].sql, sql) == 0) {
			*out = src->cache[i].stmt;
			sqlite3_reset(*out);
			sqlite3_clear_bindings(*out);
			return 0;
		}
	}
	sqlite_replica_flush(src); /* the slot below may hold one of them */
	int rc = sqlite_prepare(src, sql, out);
	if (rc)
		return rc;
	struct sqlite_stmt_cache *slot = &src->cache[src->cache_next++ % SQLITE_STMT_CACHE];
	sqlite3_finalize(slot->stmt);
	free(slot->sql);
	slot->sql = xstrdup(sql);
	slot->stmt = *out;
	return 0;
}

int sqlite_replica_flush(struct source *src)
{
	for (size_t i = 0; i < 2; i++) {
		src->row_def[i] = NULL;
		src->row_stmt[i] = NULL;
	}
	return 0;
}

/* A batch's transaction holds every page it changes. With SQLite's
 * default 2 MiB page cache a batch changing more pages spills them to the
 * file before the commit, each spill syncing the journal first: batches of
 * 40,000-300,000 changes to an 18 MB replica synced it 10-22 times, not
 * the commit's 4, and read back pages they had evicted (docs/bench.md).
 * 32 MiB, taken as pages are used, keeps a batch of some 8,000 changed
 * pages in memory. */
#define REPLICA_CACHE_PRAGMA "PRAGMA cache_size = -32768"

int sqlite_replica_begin(struct source *src)
{
	if (!src->replica_cache_sized) {
		int rc = sqlite_exec(src, REPLICA_CACHE_PRAGMA, "size the page cache");
		if (rc)
			return rc;
		src->replica_cache_sized = true;
	}
	return sqlite_exec(src, "BEGIN IMMEDIATE", "begin apply");
}

int sqlite_replica_commit(struct source *src)
{
	sqlite_replica_flush(src);
	return sqlite_exec(src, "COMMIT", "commit apply");
}

int sqlite_replica_rollback(struct source *src)
{
	sqlite_replica_flush(src);
	if (sqlite3_get_autocommit(src->db))
		return 0;
	return sqlite_exec(src, "ROLLBACK", "roll back apply");
}

static void add_key_list(struct buf *sql, const struct table_def *def)
{
	bool first = true;
	for (size_t i = 0; i < def->ncols; i++) {
		if (!def->cols[i].key)
			continue;
		if (!first)
			buf_adds(sql, ", ");
		first = false;
		sql_add_ident(sql, def->cols[i].name, '"');
	}
}

/* A declared type SQLite's grammar accepts: the words of decl, then its
 * first "(n)" or "(n,m)". MySQL spells "bigint(20) unsigned" and
 * "enum('a','b')", which SQLite's CREATE TABLE rejects; the words keep the
 * affinity (docs/design.md §6: replicas of another engine). */
/* The declared type a SQLite replica gives MySQL's BIGINT UNSIGNED. */
#define SQLITE_UINT64_TYPE "UNSIGNED64 BLOB"

static void add_type(struct buf *sql, const char *decl, bool foreign)
{
	struct buf words = BUF_INIT, size = BUF_INIT;
	bool keyword = false;
	const char *p = decl;
	while (*p) {
		size_t n = strspn(
			p, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_");
		if (n) {
			if (words.len)
				buf_addc(&words, ' ');
			buf_add(&words, p, n);
			keyword |= sqlite3_keyword_check(p, (int)n) != 0;
			p += n;
		} else if (*p == '(') {
			const char *end = strchr(p, ')');
			size_t len = end ? (size_t)(end - p - 1) : 0;
			if (end && !size.len && len && strspn(p + 1, "0123456789, ") == len)
				buf_add(&size, p, len + 2);
			p = end ? end + 1 : p + strlen(p);
		} else {
			p++;
		}
	}
	/* Another engine's DECIMAL, YEAR, DATE or JSON travels as exact text;
	 * SQLite would give those names NUMERIC affinity and turn '12.50' into
	 * 12.5. A "text" word gives them TEXT affinity, keeping the name. */
	if (foreign && words.len && value_type_for_decl(decl) == VAL_TEXT &&
	    !strcasestr(words.data, "CHAR") && !strcasestr(words.data, "CLOB") &&
	    !strcasestr(words.data, "TEXT"))
		buf_adds(&words, " text");
	/* MySQL's BIGINT UNSIGNED reaches 2^64-1: above INT64_MAX its values
	 * travel as exact digits, which an INTEGER (or NUMERIC) affinity would
	 * turn into REALs, merging neighbouring keys. A BLOB affinity (no "INT"
	 * in the name) keeps them as text and the others as INTEGERs. */
	if (foreign && strcasestr(buf_str(&words), "bigint") &&
	    strcasestr(buf_str(&words), "unsigned")) {
		buf_adds(sql, " " SQLITE_UINT64_TYPE);
		keyword = false;
		buf_reset(&words);
		buf_reset(&size);
	}
	/* A word that is an SQL keyword ("set") only passes quoted, and a quoted
	 * type name takes no size. */
	if (keyword) {
		buf_addc(sql, ' ');
		sql_add_ident(sql, words.data, '"');
	} else if (words.len) {
		buf_addf(sql, " %s%s", words.data, buf_str(&size));
	}
	buf_free(&words);
	buf_free(&size);
}

/* Columns the replica table lacks (the source added them: schema drift). */
static int add_missing_columns(struct source *src, const struct table_def *def)
{
	struct table_def *have = NULL;
	int rc = sqlite_source_ops.read->describe(src, def->name, &have);
	if (rc)
		return rc;
	for (size_t i = 0; i < def->ncols && !rc; i++) {
		bool found = false;
		for (size_t j = 0; j < have->ncols; j++)
			found |= strcmp(have->cols[j].name, def->cols[i].name) == 0;
		if (found)
			continue;
		struct buf sql = BUF_INIT;
		buf_adds(&sql, "ALTER TABLE ");
		sql_add_ident(&sql, def->name, '"');
		buf_adds(&sql, " ADD COLUMN ");
		sql_add_ident(&sql, def->cols[i].name, '"');
		add_type(&sql, def->cols[i].type, def->foreign);
		rc = sqlite_exec(src, sql.data, "add column to replica");
		if (!rc)
			log_info("replica column added table=%s column=%s",
				 NAME_SHOWN_SHORT(def->name), NAME_SHOWN_SHORT(def->cols[i].name));
		buf_free(&sql);
	}
	table_def_free(have);
	return rc;
}

void sqlite_create_table_sql(struct buf *sql, const struct table_def *def)
{
	buf_adds(sql, "CREATE TABLE ");
	sql_add_ident(sql, def->name, '"');
	buf_addc(sql, '(');
	for (size_t i = 0; i < def->ncols; i++) {
		sql_add_ident(sql, def->cols[i].name, '"');
		add_type(sql, def->cols[i].type, def->foreign);
		buf_adds(sql, ", ");
	}
	/* With one INTEGER key this makes the column the rowid, as at the
	 * source, which is the fastest to apply to; a key that is no alias at
	 * the source may hold text, which an alias refuses (F28): WITHOUT ROWID
	 * keeps it as the source has it. */
	buf_adds(sql, "PRIMARY KEY(");
	add_key_list(sql, def);
	buf_adds(sql, def->int_key_not_alias ? ")) WITHOUT ROWID" : "))");
}

/* Runs the statements of sql, a table of the replica being made anew. */
static int unalias_exec(struct source *src, struct buf *sql, const struct table_def *def)
{
	int rc = sqlite_exec(src, sql->data, "make replica table anew");
	buf_reset(sql);
	return rc ? err_prefix(rc, "table %s", NAME_SHOWN_SHORT(def->name)) : 0;
}

/* A replica table whose INTEGER key is a rowid alias (made before F28's
 * fix) while the source's is none: made anew WITHOUT ROWID, its rows kept
 * (copied through a temp table), so that the text keys the source may hold
 * apply. Inside the batch's transaction; once per table (made anew, it is
 * no alias). Described here, after add_missing_columns, so that the table
 * made anew has the columns just added. */
static int unalias_key(struct source *src, const struct table_def *def)
{
	struct table_def *have = NULL;
	int rc = sqlite_source_ops.read->describe(src, def->name, &have);
	if (rc || have->int_key_not_alias || !sqlite_integer_key(have)) {
		table_def_free(have);
		return rc;
	}
	have->int_key_not_alias = true;
	struct buf sql = BUF_INIT;
	buf_adds(&sql, "DROP TABLE IF EXISTS temp.cdcpack_unalias; "
		       "CREATE TEMP TABLE cdcpack_unalias AS SELECT * FROM main.");
	sql_add_ident(&sql, def->name, '"');
	buf_adds(&sql, "; DROP TABLE main.");
	sql_add_ident(&sql, def->name, '"');
	rc = unalias_exec(src, &sql, def);
	if (!rc) {
		sqlite_create_table_sql(&sql, have);
		rc = unalias_exec(src, &sql, def);
	}
	if (!rc) {
		buf_adds(&sql, "INSERT INTO main.");
		sql_add_ident(&sql, def->name, '"');
		buf_adds(&sql,
			 " SELECT * FROM temp.cdcpack_unalias; DROP TABLE temp.cdcpack_unalias");
		rc = unalias_exec(src, &sql, def);
	}
	if (!rc)
		log_info(
			"replica table recreated table=%s why=\"its INTEGER key was a rowid alias, "
			"which takes no text keys; rows kept\"",
			NAME_SHOWN_SHORT(def->name));
	buf_free(&sql);
	table_def_free(have);
	return rc;
}

int sqlite_replica_create_table(struct source *src, const struct table_def *def)
{
	if (sqlite_table_exists(src, def->name)) {
		int rc = add_missing_columns(src, def);
		if (!rc && def->int_key_not_alias)
			rc = unalias_key(src, def);
		return rc;
	}
	struct buf sql = BUF_INIT;
	sqlite_create_table_sql(&sql, def);
	int rc = sqlite_exec(src, sql.data, "create replica table");
	buf_free(&sql);
	return rc ? err_prefix(rc, "table %s", NAME_SHOWN_SHORT(def->name)) : 0;
}

static int step_done(struct source *src, sqlite3_stmt *st, const char *what)
{
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : sqlite_fail(src, what);
}

/* The key column of a table keyed by one column. */
static size_t one_key(const struct table_def *def)
{
	size_t k = 0;
	while (k + 1 < def->ncols && !def->cols[k].key)
		k++;
	return k;
}

/* SQLite's "datatype mismatch" names nothing: names the table, the key
 * column and the key (text escaped and cut). */
static int mismatch_error(struct source *src, const struct table_def *def, const struct value *row)
{
	size_t k = one_key(def);
	const struct value *v = &row[k];
	char *text = v->type == VAL_TEXT ? xstrndup(v->p, v->n) : NULL;
	char *num = v->type == VAL_INT ? xasprintf("%lld", (long long)v->i) : NULL;
	char table[NAME_SHOWN_SHORT_SIZE], col[NAME_SHOWN_SHORT_SIZE], key[NAME_SHOWN_SHORT_SIZE];
	int rc = err_set(CDC_ERUNTIME,
			 "%s: upsert into replica: table %s, key column %s, key %s%s%s: datatype "
			 "mismatch (the replica table refuses a value of that type)",
			 src->path, name_shown_short_in(table, def->name),
			 name_shown_short_in(col, def->cols[k].name), text ? "'" : "",
			 text		       ? name_shown_short_in(key, text)
			 : num		       ? num
			 : v->type == VAL_REAL ? "(a real)"
					       : "(a blob)",
			 text ? "'" : "");
	free(text);
	free(num);
	return rc;
}

static void upsert_sql(struct buf *sql, const struct table_def *def)
{
	buf_adds(sql, "INSERT INTO ");
	sql_add_ident(sql, def->name, '"');
	buf_addc(sql, '(');
	for (size_t i = 0; i < def->ncols; i++) {
		if (i)
			buf_adds(sql, ", ");
		sql_add_ident(sql, def->cols[i].name, '"');
	}
	buf_adds(sql, ") VALUES(");
	for (size_t i = 0; i < def->ncols; i++)
		buf_adds(sql, i ? ", ?" : "?");
	buf_adds(sql, ") ON CONFLICT(");
	add_key_list(sql, def);
	bool any = false;
	for (size_t i = 0; i < def->ncols; i++) {
		if (def->cols[i].key)
			continue;
		buf_adds(sql, any ? ", " : ") DO UPDATE SET ");
		any = true;
		sql_add_ident(sql, def->cols[i].name, '"');
		buf_adds(sql, " = excluded.");
		sql_add_ident(sql, def->cols[i].name, '"');
	}
	if (!any)
		buf_adds(sql, ") DO NOTHING");
}

static void delete_sql(struct buf *sql, const struct table_def *def)
{
	buf_adds(sql, "DELETE FROM ");
	sql_add_ident(sql, def->name, '"');
	buf_adds(sql, " WHERE ");
	bool first = true;
	for (size_t i = 0; i < def->ncols; i++) {
		if (!def->cols[i].key)
			continue;
		if (!first)
			buf_adds(sql, " AND ");
		first = false;
		sql_add_ident(sql, def->cols[i].name, '"');
		buf_adds(sql, " IS ?");
	}
}

/* def's upsert (kind 0) or delete (1) statement, built and looked up once
 * per file. */
static int row_stmt(struct source *src, const struct table_def *def, int kind, sqlite3_stmt **out)
{
	if (src->row_def[kind] == def) {
		*out = src->row_stmt[kind];
		return 0;
	}
	struct buf sql = BUF_INIT;
	(kind ? delete_sql : upsert_sql)(&sql, def);
	int rc = cached_stmt(src, sql.data, out);
	buf_free(&sql);
	if (rc)
		return err_prefix(rc, "table %s", NAME_SHOWN_SHORT(def->name));
	src->row_def[kind] = def;
	src->row_stmt[kind] = *out;
	return 0;
}

int sqlite_replica_upsert(struct source *src, const struct table_def *def, const struct value *row)
{
	sqlite3_stmt *st;
	int rc = row_stmt(src, def, 0, &st);
	if (rc)
		return rc;
	for (size_t i = 0; i < def->ncols; i++)
		sqlite_bind_value(st, (int)i + 1, &row[i]);
	rc = step_done(src, st, "upsert into replica");
	/* Only a rowid alias refuses a key of another type. A batch that says
	 * its table's key is no alias had the table made anew (unalias_key);
	 * one that does not (an earlier cdcpack's, or forged) is refused rather
	 * than let reshape the table on its word (F28). */
	if (rc && sqlite3_errcode(src->db) == SQLITE_MISMATCH && table_def_nkeys(def) == 1)
		return mismatch_error(src, def, row);
	return rc;
}

int sqlite_replica_delete(struct source *src, const struct table_def *def, const struct value *row)
{
	sqlite3_stmt *st;
	int rc = row_stmt(src, def, 1, &st);
	if (rc)
		return rc;
	int idx = 1;
	for (size_t i = 0; i < def->ncols; i++)
		if (def->cols[i].key)
			sqlite_bind_value(st, idx++, &row[i]);
	return step_done(src, st, "delete from replica");
}

static int ensure_applied_table(struct source *src)
{
	return sqlite_exec(src,
			   "CREATE TABLE IF NOT EXISTS cdcpack_applied(source TEXT NOT NULL,"
			   " seq INTEGER NOT NULL, batch_id TEXT NOT NULL, created TEXT,"
			   " applied_at TEXT NOT NULL DEFAULT (" SQLITE_ISO_NOW "),"
			   " PRIMARY KEY(source, seq))",
			   "create cdcpack_applied");
}

int sqlite_replica_last_applied(struct source *src, const char *source_name, int64_t *seq,
				char **batch_id)
{
	*seq = 0;
	*batch_id = NULL;
	if (!sqlite_table_exists(src, "cdcpack_applied"))
		return 0;
	sqlite3_stmt *st;
	int rc = sqlite_prepare(src,
				"SELECT seq, batch_id FROM cdcpack_applied WHERE source=?"
				" ORDER BY seq DESC LIMIT 1",
				&st);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, source_name, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*seq = sqlite3_column_int64(st, 0);
		*batch_id = xstrdup((const char *)sqlite3_column_text(st, 1));
		rc = 0;
	} else {
		rc = rc == SQLITE_DONE ? 0 : sqlite_fail(src, "read cdcpack_applied");
	}
	sqlite3_finalize(st);
	return rc;
}

int sqlite_replica_mark_applied(struct source *src, const char *source_name, const char *batch_id,
				int64_t seq, const char *created)
{
	int rc = ensure_applied_table(src);
	if (rc)
		return rc;
	sqlite3_stmt *st;
	rc = cached_stmt(
		src, "INSERT INTO cdcpack_applied(source, seq, batch_id, created) VALUES(?,?,?,?)",
		&st);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, source_name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, seq);
	sqlite3_bind_text(st, 3, batch_id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 4, created, -1, SQLITE_TRANSIENT);
	return step_done(src, st, "record applied batch");
}

/* SQLite reports a declared type as written, quotes kept out. */
bool sqlite_replica_same_type(const char *have, const struct column *want, bool foreign)
{
	struct buf sql = BUF_INIT, bare = BUF_INIT;
	add_type(&sql, want->type, foreign);
	for (const char *p = buf_str(&sql); *p; p++)
		if (*p != '"' && (*p != ' ' || bare.len))
			buf_addc(&bare, *p);
	bool same = strcasecmp(have, buf_str(&bare)) == 0;
	buf_free(&sql);
	buf_free(&bare);
	return same;
}

/* One statement naming def's table: "DELETE FROM t", "DROP TABLE t". */
static int table_statement(struct source *src, const char *verb, const struct table_def *def,
			   const char *what)
{
	struct buf sql = BUF_INIT;
	buf_adds(&sql, verb);
	sql_add_ident(&sql, def->name, '"');
	int rc = sqlite_exec(src, sql.data, what);
	buf_free(&sql);
	return rc ? err_prefix(rc, "table %s", NAME_SHOWN_SHORT(def->name)) : 0;
}

int sqlite_replica_drop_table(struct source *src, const struct table_def *def)
{
	return table_statement(src, "DROP TABLE ", def, "drop replica table to recreate it");
}

int sqlite_replica_truncate(struct source *src, const struct table_def *def)
{
	return table_statement(src, "DELETE FROM ", def, "empty replica table for a load");
}
