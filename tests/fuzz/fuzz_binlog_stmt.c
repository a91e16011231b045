/* The binlog statement parser (src/source/mysql/mysql_binlog_stmt.c): the
 * text of any QUERY event in the source's binary log. What it returns must
 * be consistent (a TRUNCATE names one table, a statement that gives names
 * away lists db and table pairs, anything else nothing), and names must
 * survive quoting: the names it read, spelt back in backquotes, parse to
 * the same names (so a name with a quote, dot or space in it is never cut
 * or joined with the next). */
#include "fuzz.h"

#include "buf.h"
#include "mysql_binlog_stmt.h"
#include "sqlutil.h"

#include <stdlib.h>
#include <string.h>

/* The server the text was logged by (MariaDB 10.11.19): decides which
 * executable comments were run. */
#define SERVER 101119UL

static void add_table(struct buf *b, const char *db, const char *table)
{
	if (db && *db) {
		sql_add_ident(b, db, '`');
		buf_addc(b, '.');
	}
	sql_add_ident(b, table, '`');
}

static bool same(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static void check_truncate(const struct binlog_stmt *s)
{
	if (!s->table || s->tables.n || s->dbs.n)
		__builtin_trap();
	struct buf sql = BUF_INIT;
	buf_adds(&sql, "TRUNCATE TABLE ");
	add_table(&sql, s->db, s->table);
	struct binlog_stmt back;
	binlog_stmt_parse(sql.data, sql.len, SERVER, &back);
	/* A name of NUL bytes only is "" as a C string, and has no spelling. */
	if (*s->table && (back.kind != BINLOG_STMT_TRUNCATE || !same(back.table, s->table) ||
			  !same(back.db, s->db && *s->db ? s->db : NULL)))
		__builtin_trap();
	binlog_stmt_free(&back);
	buf_free(&sql);
}

static void check_replaces(const struct binlog_stmt *s)
{
	if (s->db || s->table || s->tables.n == 0 || s->dbs.n != s->tables.n)
		__builtin_trap();
	struct buf sql = BUF_INIT;
	buf_adds(&sql, "DROP TABLE ");
	for (size_t i = 0; i < s->tables.n; i++) {
		if (!*s->tables.v[i])
			goto out; /* NUL bytes only: no spelling */
		if (i)
			buf_adds(&sql, ", ");
		add_table(&sql, s->dbs.v[i], s->tables.v[i]);
	}
	struct binlog_stmt back;
	binlog_stmt_parse(sql.data, sql.len, SERVER, &back);
	if (back.kind != BINLOG_STMT_REPLACES || back.tables.n != s->tables.n)
		__builtin_trap();
	for (size_t i = 0; i < s->tables.n; i++)
		if (strcmp(back.tables.v[i], s->tables.v[i]) || strcmp(back.dbs.v[i], s->dbs.v[i]))
			__builtin_trap();
	binlog_stmt_free(&back);
out:
	buf_free(&sql);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* A copy of exactly size bytes, so ASan sees a read past the end. */
	char *sql = xmalloc(size ? size : 1);
	memcpy(sql, data, size);
	struct binlog_stmt s;
	binlog_stmt_parse(sql, size, SERVER, &s);
	switch (s.kind) {
	case BINLOG_STMT_OTHER:
		if (s.db || s.table || s.tables.n || s.dbs.n)
			__builtin_trap();
		break;
	case BINLOG_STMT_TRUNCATE:
		check_truncate(&s);
		break;
	case BINLOG_STMT_REPLACES:
		check_replaces(&s);
		break;
	}
	binlog_stmt_free(&s);
	free(sql);
	return 0;
}
