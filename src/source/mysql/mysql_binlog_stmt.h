/* Binlog capture: what a statement in the binary log (a QUERY event) does
 * to a table, for the statements cdcpack follows. A pure parser of the
 * statement's text, so the unit tests reach every spelling. */
#ifndef CDCPACK_MYSQL_BINLOG_STMT_H
#define CDCPACK_MYSQL_BINLOG_STMT_H

#include <stdbool.h>
#include <stddef.h>

#include "strv.h"

enum binlog_stmt_kind {
	BINLOG_STMT_OTHER,    /* anything else: not followed */
	BINLOG_STMT_TRUNCATE, /* TRUNCATE [TABLE] [db.]t [WAIT n | NOWAIT] */
	/* DROP TABLE [IF EXISTS] a, b...; RENAME TABLE a TO b, c TO d...;
	 * ALTER TABLE a ..., RENAME [TO | AS] b, ... (listed as a, b);
	 * ALTER TABLE a TRUNCATE | DROP PARTITION, EXCHANGE PARTITION p WITH
	 * TABLE b, CONVERT PARTITION p TO TABLE b, CONVERT TABLE b TO
	 * PARTITION (rows moved with no row event logged: a, and b);
	 * CREATE [OR REPLACE] TABLE [IF NOT EXISTS] a: after it the names it
	 * lists (dbs, tables) stand for other tables, or none. */
	BINLOG_STMT_REPLACES,
};

struct binlog_stmt {
	enum binlog_stmt_kind kind;
	char *db;    /* owned; NULL: the statement's default database */
	char *table; /* owned */
	/* BINLOG_STMT_REPLACES: each name, db "" for the default database. */
	struct strv dbs, tables;
};

/* Parses sql[0..n), as logged by a server of server_version (as
 * mysql_get_server_version gives it: 101100 for 10.11.0), which decides
 * whether the text of an executable comment with a version was run;
 * out->kind is BINLOG_STMT_OTHER for a statement that is not one of the
 * kinds (or not in a spelling this parser knows). */
void binlog_stmt_parse(const char *sql, size_t n, unsigned long server_version,
		       struct binlog_stmt *out);
void binlog_stmt_free(struct binlog_stmt *s);

/* Whether name[0..n), a database or table name as the log carries it (a
 * statement's text, a table map), names want, as the server compares names:
 * byte for byte under lower_case_table_names = 0, in any letter case under
 * 1 and 2 (the server folds the names; ASCII letters here: a name with
 * other letters in another case is taken for another). */
bool binlog_name_is(const char *name, size_t n, const char *want, long lower_case_table_names);

#endif
