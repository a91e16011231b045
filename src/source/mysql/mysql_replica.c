/* The replica side of the MySQL driver: what `apply --to mysql://...` writes. */
#include "mysql_driver.h"

#include "err.h"
#include "log.h"
#include "replica_sql.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static int stmt_fail(struct source *src, MYSQL_STMT *st, const char *what)
{
	return err_set(CDC_ERUNTIME, "mysql %s@%s/%s: %s: %s", src->url.user, src->url.host,
		       src->url.db, what, mysql_stmt_error(st));
}

void mysql_replica_free_cache(struct source *src)
{
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
	if (!rc)
		rc = mysql_run(src, "START TRANSACTION", "begin apply");
	return rc;
}

int mysql_replica_commit(struct source *src)
{
	return mysql_run(src, "COMMIT", "commit apply");
}

int mysql_replica_rollback(struct source *src)
{
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

static bool same_type(const char *have, const struct column *want)
{
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
			 def->name, c->name, c->type);
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
		if (!found || !same_type(found->type, &def->cols[i]))
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

void mysql_create_table_sql(struct buf *sql, const struct table_def *def)
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
	/* Binary collation: keys that differ only in case or trailing spaces
	 * stay distinct rows, as they are at a SQLite source. */
	buf_adds(sql, ")) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin");
}

int mysql_replica_create_table(struct source *src, const struct table_def *def)
{
	bool exists;
	int rc = mysql_table_exists(src, def->name, &exists);
	if (!rc && exists)
		rc = sync_columns(src, def);
	if (rc || exists)
		return rc ? err_prefix(rc, "table %s", def->name) : 0;
	struct buf sql = BUF_INIT;
	mysql_create_table_sql(&sql, def);
	rc = mysql_run(src, sql.data, "create replica table");
	buf_free(&sql);
	return rc ? err_prefix(rc, "table %s", def->name) : 0;
}

/* DELETE, not TRUNCATE: TRUNCATE is DDL and would commit the batch's
 * transaction half-way. */
int mysql_replica_truncate(struct source *src, const struct table_def *def)
{
	struct buf sql = BUF_INIT;
	buf_adds(&sql, "DELETE FROM ");
	mysql_add_ident(&sql, def->name);
	int rc = mysql_run(src, sql.data, "empty replica table for a load");
	buf_free(&sql);
	return rc ? err_prefix(rc, "table %s", def->name) : 0;
}

static char *upsert_sql(const struct table_def *def)
{
	struct buf sql = BUF_INIT;
	buf_adds(&sql, "INSERT INTO ");
	mysql_add_ident(&sql, def->name);
	buf_adds(&sql, " (");
	for (size_t i = 0; i < def->ncols; i++) {
		buf_adds(&sql, i ? ", " : "");
		mysql_add_ident(&sql, def->cols[i].name);
	}
	buf_adds(&sql, ") VALUES (");
	for (size_t i = 0; i < def->ncols; i++)
		buf_adds(&sql, i ? ", ?" : "?");
	buf_adds(&sql, ") ON DUPLICATE KEY UPDATE ");
	const char *sep = "";
	for (size_t i = 0; i < def->ncols; i++) {
		if (def->cols[i].key)
			continue;
		buf_adds(&sql, sep);
		sep = ", ";
		mysql_add_ident(&sql, def->cols[i].name);
		buf_adds(&sql, " = VALUES(");
		mysql_add_ident(&sql, def->cols[i].name);
		buf_addc(&sql, ')');
	}
	if (!*sep) { /* every column is a key: nothing to update */
		for (size_t i = 0; i < def->ncols && !*sep; i++) {
			mysql_add_ident(&sql, def->cols[i].name);
			buf_adds(&sql, " = ");
			mysql_add_ident(&sql, def->cols[i].name);
			sep = ", ";
		}
	}
	return buf_detach(&sql);
}

int mysql_replica_upsert(struct source *src, const struct table_def *def, const struct value *row)
{
	char *sql = upsert_sql(def);
	MYSQL_STMT *st;
	int rc = cached_stmt(src, sql, &st);
	free(sql);
	if (rc)
		return err_prefix(rc, "table %s", def->name);
	struct params p;
	params_init(&p, def->ncols);
	for (size_t i = 0; i < def->ncols; i++)
		params_add(&p, &row[i]);
	rc = execute(src, st, &p, "upsert into replica");
	params_free(&p);
	return rc ? err_prefix(rc, "table %s", def->name) : 0;
}

int mysql_replica_delete(struct source *src, const struct table_def *def, const struct value *row)
{
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
	int rc = cached_stmt(src, sql.data, &st);
	buf_free(&sql);
	if (rc)
		return err_prefix(rc, "table %s", def->name);
	struct params p;
	params_init(&p, def->ncols);
	for (size_t i = 0; i < def->ncols; i++)
		if (def->cols[i].key)
			params_add(&p, &row[i]);
	rc = execute(src, st, &p, "delete from replica");
	params_free(&p);
	return rc ? err_prefix(rc, "table %s", def->name) : 0;
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
	int rc = cached_stmt(
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
