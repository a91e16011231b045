/* The replica side of the MySQL driver: what `apply --to mysql://...` writes. */
#include "mysql_driver.h"

#include "codec.h"
#include "err.h"
#include "log.h"
#include "replica_sql.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static int stmt_fail(struct source *src, MYSQL_STMT *st, const char *what)
{
	return err_set(CDC_ERUNTIME, "%s: %s: %s", src->where, what, mysql_stmt_error(st));
}

void mysql_replica_free_cache(struct source *src)
{
	mysql_bulk_free(src);
	mysql_load_free(src);
	for (size_t i = 0; i < MYSQL_STMT_CACHE; i++) {
		if (src->cache[i].stmt)
			mysql_stmt_close(src->cache[i].stmt);
		free(src->cache[i].sql);
		src->cache[i].stmt = NULL;
		src->cache[i].sql = NULL;
	}
}

/* Prepared statements are reused across rows; the cache is keyed by SQL. */
static int cached_stmt(struct source *src, const char *sql, MYSQL_STMT **out)
{
	for (size_t i = 0; i < MYSQL_STMT_CACHE; i++) {
		if (src->cache[i].sql && strcmp(src->cache[i].sql, sql) == 0) {
			*out = src->cache[i].stmt;
			return 0;
		}
	}
	MYSQL_STMT *st = mysql_stmt_init(src->db);
	if (!st)
		return mysql_fail(src, "prepare statement");
	if (mysql_stmt_prepare(st, sql, strlen(sql)) != 0) {
		int rc = stmt_fail(src, st, "prepare statement");
		mysql_stmt_close(st);
		return rc;
	}
	struct mysql_stmt_cache *slot = &src->cache[src->cache_next++ % MYSQL_STMT_CACHE];
	if (slot->stmt)
		mysql_stmt_close(slot->stmt);
	free(slot->sql);
	slot->sql = xstrdup(sql);
	slot->stmt = st;
	*out = st;
	return 0;
}

/* Parameter buffers for one execution; the values are copied because
 * MYSQL_BIND wants mutable pointers and row is const. */
struct params {
	MYSQL_BIND *bind;
	int64_t *ints;
	double *reals;
	unsigned long *lens;
	size_t n;
};

static void params_init(struct params *p, size_t n)
{
	p->n = 0;
	p->bind = xcalloc(n, sizeof(*p->bind));
	p->ints = xcalloc(n, sizeof(*p->ints));
	p->reals = xcalloc(n, sizeof(*p->reals));
	p->lens = xcalloc(n, sizeof(*p->lens));
}

static void params_free(struct params *p)
{
	free(p->bind);
	free(p->ints);
	free(p->reals);
	free(p->lens);
}

static void params_add(struct params *p, const struct value *v)
{
	MYSQL_BIND *b = &p->bind[p->n];
	size_t i = p->n++;
	switch (v->type) {
	case VAL_INT:
		p->ints[i] = v->i;
		b->buffer_type = MYSQL_TYPE_LONGLONG;
		b->buffer = &p->ints[i];
		break;
	case VAL_REAL:
		p->reals[i] = v->r;
		b->buffer_type = MYSQL_TYPE_DOUBLE;
		b->buffer = &p->reals[i];
		break;
	case VAL_TEXT:
	case VAL_BLOB:
		p->lens[i] = (unsigned long)v->n;
		b->buffer_type = v->type == VAL_TEXT ? MYSQL_TYPE_STRING : MYSQL_TYPE_BLOB;
		b->buffer = (void *)v->p;
		b->buffer_length = (unsigned long)v->n;
		b->length = &p->lens[i];
		break;
	default:
		b->buffer_type = MYSQL_TYPE_NULL;
	}
}

static int execute(struct source *src, MYSQL_STMT *st, struct params *p, const char *what)
{
	if (mysql_stmt_bind_param(st, p->bind) != 0 || mysql_stmt_execute(st) != 0)
		return stmt_fail(src, st, what);
	return 0;
}

static int ensure_applied_table(struct source *src)
{
	return mysql_run(src,
			 "CREATE TABLE IF NOT EXISTS cdcpack_applied ("
			 " source VARCHAR(255) NOT NULL, seq BIGINT NOT NULL,"
			 " batch_id VARCHAR(255) NOT NULL, created VARCHAR(64) NULL,"
			 " applied_at DATETIME(3) NOT NULL, PRIMARY KEY (source, seq))"
			 " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin",
			 "create cdcpack_applied");
}

int mysql_replica_begin(struct source *src)
{
	/* DDL commits implicitly in MySQL: create the bookkeeping table before
	 * the batch's transaction opens, never inside it. */
	int rc = ensure_applied_table(src);
	mysql_load_end_batch(src);
	if (!rc)
		rc = mysql_run(src, "START TRANSACTION", "begin apply");
	return rc;
}

int mysql_replica_flush(struct source *src)
{
	return mysql_bulk_flush(src);
}

int mysql_replica_commit(struct source *src)
{
	int rc = mysql_bulk_flush(src);
	if (!rc)
		rc = mysql_run(src, "COMMIT", "commit apply");
	mysql_load_end_batch(src);
	return rc;
}

int mysql_replica_rollback(struct source *src)
{
	mysql_bulk_discard(src);
	mysql_load_end_batch(src);
	if (mysql_rollback(src->db) != 0)
		return mysql_fail(src, "roll back apply");
	return 0;
}

static void add_column_decl(struct buf *sql, const struct column *c)
{
	mysql_add_ident(sql, c->name);
	buf_addc(sql, ' ');
	mysql_column_decl(sql, c->type, c->key);
	buf_adds(sql, c->key ? " NOT NULL" : " NULL");
}

/* A column's type with integer display widths dropped ("int(11)" and
 * MySQL 8's "int" are the same type), lowercased, for comparing. */
static char *type_key(const char *type)
{
	struct buf b = BUF_INIT;
	enum coltype_kind kind = coltype_kind_of(type);
	bool skip = false;
	for (const char *p = type; *p; p++) {
		if ((kind == COLTYPE_INT || kind == COLTYPE_UINT) && *p == '(')
			skip = true;
		if (!skip)
			buf_addc(&b, (char)tolower((unsigned char)*p));
		if (*p == ')')
			skip = false;
	}
	return buf_detach(&b);
}

bool mysql_replica_same_type(const char *have, const struct column *want, bool foreign)
{
	(void)foreign; /* mysql_column_decl maps either engine's types */
	struct buf decl = BUF_INIT;
	mysql_column_decl(&decl, want->type, want->key);
	char *a = type_key(have), *b = type_key(decl.data);
	bool same = strcmp(a, b) == 0;
	free(a);
	free(b);
	buf_free(&decl);
	return same;
}

/* Follows the source's schema drift: adds the columns the replica lacks and
 * retypes those the source retyped. Columns the source dropped stay (NULL
 * from then on): dropping replica data is not apply's call. */
static int alter_column(struct source *src, const struct table_def *def, const struct column *c,
			bool add)
{
	struct buf sql = BUF_INIT;
	buf_adds(&sql, "ALTER TABLE ");
	mysql_add_ident(&sql, def->name);
	buf_adds(&sql, add ? " ADD COLUMN " : " MODIFY COLUMN ");
	add_column_decl(&sql, c);
	int rc = mysql_run(src, sql.data, add ? "add column to replica" : "retype replica column");
	if (!rc)
		log_info("replica column %s table=%s column=%s type=%s", add ? "added" : "retyped",
			 NAME_SHOWN_SHORT(def->name), NAME_SHOWN_SHORT(c->name), c->type);
	buf_free(&sql);
	return rc;
}

static int sync_columns(struct source *src, const struct table_def *def)
{
	struct table_def *have = NULL;
	int rc = mysql_describe_table(src, def->name, &have);
	for (size_t i = 0; i < def->ncols && !rc; i++) {
		const struct column *found = NULL;
		for (size_t j = 0; j < have->ncols && !found; j++)
			if (strcasecmp(have->cols[j].name, def->cols[i].name) == 0)
				found = &have->cols[j];
		if (!found || !mysql_replica_same_type(found->type, &def->cols[i], def->foreign))
			rc = alter_column(src, def, &def->cols[i], !found);
	}
	table_def_free(have);
	return rc;
}

static void add_key_list(struct buf *sql, const struct table_def *def)
{
	const char *sep = "";
	for (size_t i = 0; i < def->ncols; i++) {
		if (!def->cols[i].key)
			continue;
		buf_adds(sql, sep);
		sep = ", ";
		mysql_add_ident(sql, def->cols[i].name);
	}
}

const char *mysql_replica_collation(bool mariadb)
{
	return mariadb ? "utf8mb4_nopad_bin" : "utf8mb4_0900_bin";
}

void mysql_create_table_sql(struct buf *sql, const struct table_def *def, const char *collation)
{
	buf_adds(sql, "CREATE TABLE ");
	mysql_add_ident(sql, def->name);
	buf_adds(sql, " (");
	for (size_t i = 0; i < def->ncols; i++) {
		add_column_decl(sql, &def->cols[i]);
		buf_adds(sql, ", ");
	}
	buf_adds(sql, "PRIMARY KEY (");
	add_key_list(sql, def);
	/* A binary NO PAD collation: keys that differ only in case or trailing
	 * spaces ('a', 'A', 'a ') stay distinct rows, as they are at a SQLite
	 * source (utf8mb4_bin would merge 'a' and 'a '). */
	buf_addf(sql, ")) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=%s", collation);
}

/* Whether a collation keeps apart keys that differ only in case or
 * trailing spaces: none (a binary column) or a binary NO PAD one. */
static bool keeps_keys_apart(const char *collation)
{
	size_t n = collation ? strlen(collation) : 0;
	return !collation || strcmp(collation, "binary") == 0 ||
	       strcmp(collation, "utf8mb4_0900_bin") == 0 ||
	       (n > 10 && strcmp(collation + n - 10, "_nopad_bin") == 0);
}

static bool is_key_column(const struct table_def *def, const char *name)
{
	for (size_t i = 0; i < def->ncols; i++)
		if (def->cols[i].key && strcasecmp(def->cols[i].name, name) == 0)
			return true;
	return false;
}

/* The warning of check_key_collations, with the statement that fixes the
 * table (its name quoted as MySQL reads it, whole: to be copied; shown
 * escaped, as a log line would, when it holds a byte no one types) and the
 * command that repairs merged rows. */
static void warn_key_collation(struct source *src, const struct table_def *def, const char *column,
			       const char *collation)
{
	struct buf ident = BUF_INIT;
	mysql_add_ident(&ident, def->name);
	char *ident_shown = name_shown(buf_str(&ident));
	char *word = name_for_shell(def->name);
	log_warn("replica table %s: key column %s has collation %s, under which keys that differ "
		 "only in trailing spaces (or letter case) are one key: such source rows merge "
		 "into one here; fix it with `ALTER TABLE %s CONVERT TO CHARACTER SET utf8mb4 "
		 "COLLATE %s` (then `cdcpack verify` shows whether rows merged already; "
		 "`cdcpack load %s`%s at the source repairs them)",
		 NAME_SHOWN_SHORT(def->name), NAME_SHOWN_SHORT(column), NAME_SHOWN_SHORT(collation),
		 ident_shown, mysql_replica_collation(src->mariadb), word,
		 name_shell_note(def->name));
	free(word);
	free(ident_shown);
	buf_free(&ident);
}

/* A replica table apply made before it made NO PAD ones (utf8mb4_bin), or
 * one made by hand, keeps working, but a key column whose collation pads
 * (or ignores case) holds 'a' and 'a ' as one key: such rows of the source
 * merge into one. Says so once per table, with the ALTER that fixes it. */
static int check_key_collations(struct source *src, const struct table_def *def)
{
	if (strv_contains(&src->collation_checked, def->name))
		return 0;
	strv_push(&src->collation_checked, def->name);
	struct buf sql = BUF_INIT;
	buf_adds(&sql, "SELECT COLUMN_NAME, COLLATION_NAME FROM information_schema.COLUMNS WHERE ");
	mysql_add_table_filter(src, &sql, def->name);
	buf_adds(&sql, " AND COLLATION_NAME IS NOT NULL ORDER BY ORDINAL_POSITION");
	MYSQL_RES *res;
	int rc = mysql_select(src, sql.data, "read key column collations", &res);
	buf_free(&sql);
	if (rc)
		return rc;
	MYSQL_ROW row;
	while ((row = mysql_fetch_row(res)))
		if (row[0] && is_key_column(def, row[0]) && !keeps_keys_apart(row[1]))
			warn_key_collation(src, def, row[0], row[1]);
	mysql_free_result(res);
	return 0;
}

int mysql_replica_create_table(struct source *src, const struct table_def *def)
{
	bool exists;
	int rc = mysql_table_exists(src, def->name, &exists);
	if (!rc && exists)
		rc = sync_columns(src, def);
	if (!rc && exists)
		rc = check_key_collations(src, def);
	if (rc || exists)
		return rc ? err_prefix(rc, "table %s", NAME_SHOWN_SHORT(def->name)) : 0;
	struct buf sql = BUF_INIT;
	mysql_create_table_sql(&sql, def, mysql_replica_collation(src->mariadb));
	rc = mysql_run(src, sql.data, "create replica table");
	buf_free(&sql);
	return rc ? err_prefix(rc, "table %s", NAME_SHOWN_SHORT(def->name)) : 0;
}

/* One statement naming def's table: "DELETE FROM t", "DROP TABLE t". */
static int table_statement(struct source *src, const char *verb, const struct table_def *def,
			   const char *what)
{
	struct buf sql = BUF_INIT;
	buf_adds(&sql, verb);
	mysql_add_ident(&sql, def->name);
	int rc = mysql_run(src, sql.data, what);
	buf_free(&sql);
	return rc ? err_prefix(rc, "table %s", NAME_SHOWN_SHORT(def->name)) : 0;
}

int mysql_replica_drop_table(struct source *src, const struct table_def *def)
{
	return table_statement(src, "DROP TABLE ", def, "drop replica table to recreate it");
}

/* DELETE, not TRUNCATE: TRUNCATE is DDL and would commit the batch's
 * transaction half-way. */
int mysql_replica_truncate(struct source *src, const struct table_def *def)
{
	int rc = mysql_bulk_flush(src);
	if (!rc)
		rc = table_statement(src, "DELETE FROM ", def, "empty replica table for a load");
	if (!rc)
		mysql_load_emptied(src, def->name);
	return rc;
}

void mysql_upsert_head(struct buf *sql, const struct table_def *def)
{
	buf_adds(sql, "INSERT INTO ");
	mysql_add_ident(sql, def->name);
	buf_adds(sql, " (");
	for (size_t i = 0; i < def->ncols; i++) {
		buf_adds(sql, i ? ", " : "");
		mysql_add_ident(sql, def->cols[i].name);
	}
	buf_adds(sql, ") VALUES ");
}

void mysql_upsert_tail(struct buf *sql, const struct table_def *def)
{
	buf_adds(sql, " ON DUPLICATE KEY UPDATE ");
	const char *sep = "";
	for (size_t i = 0; i < def->ncols; i++) {
		if (def->cols[i].key)
			continue;
		buf_adds(sql, sep);
		sep = ", ";
		mysql_add_ident(sql, def->cols[i].name);
		buf_adds(sql, " = VALUES(");
		mysql_add_ident(sql, def->cols[i].name);
		buf_addc(sql, ')');
	}
	if (!*sep) { /* every column is a key: nothing to update */
		for (size_t i = 0; i < def->ncols && !*sep; i++) {
			mysql_add_ident(sql, def->cols[i].name);
			buf_adds(sql, " = ");
			mysql_add_ident(sql, def->cols[i].name);
			sep = ", ";
		}
	}
}

static char *upsert_sql(const struct table_def *def)
{
	struct buf sql = BUF_INIT;
	mysql_upsert_head(&sql, def);
	for (size_t i = 0; i < def->ncols; i++)
		buf_adds(&sql, i ? ", ?" : "(?");
	buf_addc(&sql, ')');
	mysql_upsert_tail(&sql, def);
	return buf_detach(&sql);
}

int mysql_replica_upsert(struct source *src, const struct table_def *def, const struct value *row)
{
	bool taken;
	int rc = mysql_load_add(src, def, row, &taken);
	return rc || taken ? rc : mysql_upsert_exact(src, def, row);
}

int mysql_upsert_exact(struct source *src, const struct table_def *def, const struct value *row)
{
	bool taken;
	int rc = mysql_bulk_add(src, def, 'U', row, &taken);
	if (rc || taken)
		return rc;
	char *sql = upsert_sql(def);
	MYSQL_STMT *st;
	rc = cached_stmt(src, sql, &st);
	free(sql);
	if (rc)
		return err_prefix(rc, "table %s", NAME_SHOWN_SHORT(def->name));
	struct params p;
	params_init(&p, def->ncols);
	for (size_t i = 0; i < def->ncols; i++)
		params_add(&p, &row[i]);
	rc = execute(src, st, &p, "upsert into replica");
	params_free(&p);
	return rc ? err_prefix(rc, "table %s", NAME_SHOWN_SHORT(def->name)) : 0;
}

int mysql_replica_delete(struct source *src, const struct table_def *def, const struct value *row)
{
	bool taken = false;
	int rc = mysql_load_flush(src);
	if (!rc)
		rc = mysql_bulk_add(src, def, 'D', row, &taken);
	if (rc || taken)
		return rc;
	struct buf sql = BUF_INIT;
	buf_adds(&sql, "DELETE FROM ");
	mysql_add_ident(&sql, def->name);
	const char *sep = " WHERE ";
	for (size_t i = 0; i < def->ncols; i++) {
		if (!def->cols[i].key)
			continue;
		buf_adds(&sql, sep);
		sep = " AND ";
		mysql_add_ident(&sql, def->cols[i].name);
		buf_adds(&sql, " = ?");
	}
	MYSQL_STMT *st;
	rc = cached_stmt(src, sql.data, &st);
	buf_free(&sql);
	if (rc)
		return err_prefix(rc, "table %s", NAME_SHOWN_SHORT(def->name));
	struct params p;
	params_init(&p, def->ncols);
	for (size_t i = 0; i < def->ncols; i++)
		if (def->cols[i].key)
			params_add(&p, &row[i]);
	rc = execute(src, st, &p, "delete from replica");
	params_free(&p);
	return rc ? err_prefix(rc, "table %s", NAME_SHOWN_SHORT(def->name)) : 0;
}

int mysql_replica_last_applied(struct source *src, const char *source_name, int64_t *seq,
			       char **batch_id)
{
	*seq = 0;
	*batch_id = NULL;
	bool exists;
	int rc = mysql_table_exists(src, "cdcpack_applied", &exists);
	if (rc || !exists)
		return rc;
	struct buf sql = BUF_INIT;
	buf_adds(&sql, "SELECT seq, batch_id FROM cdcpack_applied WHERE source = ");
	mysql_add_literal(src, &sql, source_name);
	buf_adds(&sql, " ORDER BY seq DESC LIMIT 1");
	MYSQL_RES *res;
	rc = mysql_select(src, sql.data, "read cdcpack_applied", &res);
	buf_free(&sql);
	if (rc)
		return rc;
	MYSQL_ROW row = mysql_fetch_row(res);
	if (row) {
		*seq = strtoll(row[0], NULL, 10);
		*batch_id = xstrdup(row[1]);
	}
	mysql_free_result(res);
	return 0;
}

int mysql_replica_mark_applied(struct source *src, const char *source_name, const char *batch_id,
			       int64_t seq, const char *created)
{
	MYSQL_STMT *st;
	int rc = mysql_bulk_flush(src);
	if (!rc)
		rc = cached_stmt(
			src,
			"INSERT INTO cdcpack_applied (source, seq, batch_id, created, applied_at)"
			" VALUES (?, ?, ?, ?, UTC_TIMESTAMP(3))",
			&st);
	if (rc)
		return rc;
	struct value v[4] = {
		{.type = VAL_TEXT, .p = source_name, .n = strlen(source_name)},
		{.type = VAL_INT, .i = seq},
		{.type = VAL_TEXT, .p = batch_id, .n = strlen(batch_id)},
		{.type = created ? VAL_TEXT : VAL_NULL,
		 .p = created,
		 .n = created ? strlen(created) : 0},
	};
	struct params p;
	params_init(&p, 4);
	for (size_t i = 0; i < 4; i++)
		params_add(&p, &v[i]);
	rc = execute(src, st, &p, "record applied batch");
	params_free(&p);
	return rc;
}
