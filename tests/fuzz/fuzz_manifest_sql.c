/* The manifest-to-SQL path: manifest_parse (src/format/manifest.c, with the
 * grammar of src/format/coltype.c), then each replica engine's CREATE TABLE
 * (sqlite_create_table_sql, mysql_create_table_sql). Whatever a manifest
 * says, one that parses must give, per table and engine, exactly one
 * CREATE TABLE of that table with its columns and key, and nothing else:
 * SQLite prepares it as one statement and creates just those columns; the
 * MySQL text has no statement separator, comment or backslash outside its
 * quotes, one identifier per column at the column list's depth, and
 * balanced parentheses. */
#include "fuzz.h"

#include "err.h"
#include "manifest.h"
#include "replica_sql.h"
#include "source.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

static sqlite3 *db;

/* Links the source registry, whose constructor registers the type rules (fuzz_config.c). */
const void *const fuzz_manifest_sql_registry = (const void *)source_ops_for_url;

static void check_sqlite(const struct table_def *def)
{
	struct buf sql = BUF_INIT;
	sqlite_create_table_sql(&sql, def);
	sqlite3_stmt *st = NULL;
	const char *tail = NULL;
	if (sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, sql.data, -1, &st, &tail) != SQLITE_OK || !st ||
	    tail[strspn(tail, " \t\n")] != '\0' || sqlite3_step(st) != SQLITE_DONE)
		__builtin_trap();
	sqlite3_finalize(st);
	/* Exactly the manifest's columns, in order, keyed as it says. */
	if (sqlite3_prepare_v2(db, "SELECT name, pk FROM pragma_table_info(?1)", -1, &st, NULL) !=
	    SQLITE_OK)
		__builtin_trap();
	sqlite3_bind_text(st, 1, def->name, -1, SQLITE_STATIC);
	size_t i = 0;
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(st, 0);
		if (i >= def->ncols || !name || strcmp(name, def->cols[i].name) != 0 ||
		    (sqlite3_column_int(st, 1) > 0) != def->cols[i].key)
			__builtin_trap();
		i++;
	}
	if (i != def->ncols)
		__builtin_trap();
	sqlite3_finalize(st);
	if (sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL) != SQLITE_OK)
		__builtin_trap();
	buf_free(&sql);
}

/* Walks the MySQL text as the server's lexer would split it. */
static void check_mysql(const struct table_def *def)
{
	struct buf sql = BUF_INIT;
	mysql_create_table_sql(&sql, def, mysql_replica_collation(true));
	int depth = 0;
	size_t idents[2] = {0, 0}, commas = 0;
	for (const char *p = sql.data; *p; p++) {
		if (*p == '`' || *p == '\'') {
			char q = *p;
			if (q == '`' && depth < 2)
				idents[depth]++;
			for (p++;; p++) {
				if (!*p)
					__builtin_trap(); /* unclosed */
				if (*p == q && p[1] == q) {
					p++; /* doubled: part of the text */
					continue;
				}
				if (*p == q)
					break;
				if (q == '\'' && *p == '\\')
					__builtin_trap(); /* an escape the label grammar forbids */
			}
			continue;
		}
		if (*p == ';' || *p == '#' || *p == '"' || *p == '\\' ||
		    (*p == '-' && p[1] == '-') || (*p == '/' && p[1] == '*'))
			__builtin_trap();
		depth += *p == '(' ? 1 : *p == ')' ? -1 : 0;
		if (depth < 0)
			__builtin_trap();
		commas += depth == 1 && *p == ',';
	}
	if (depth != 0 || idents[0] != 1 || idents[1] != def->ncols || commas != def->ncols)
		__builtin_trap();
	buf_free(&sql);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!db && sqlite3_open(":memory:", &db) != SQLITE_OK)
		__builtin_trap();
	struct manifest m;
	if (manifest_parse(&m, (const char *)data, size, "fuzz") != 0) {
		err_clear();
		return 0;
	}
	for (size_t i = 0; i < m.nfiles; i++) {
		struct table_def *def = m.files[i].def;
		/* apply marks a def foreign when the replica's engine is not the source's */
		def->foreign = strcmp(m.driver, "sqlite") != 0;
		check_sqlite(def);
		def->foreign = strcmp(m.driver, "mysql") != 0;
		check_mysql(def);
	}
	manifest_free(&m);
	err_clear();
	return 0;
}
