/* Quoting of SQL identifiers and literals, shared by the database drivers. */
#ifndef CDCPACK_SQLUTIL_H
#define CDCPACK_SQLUTIL_H

#include "buf.h"

#include <sqlite3.h>

/* "name" with embedded " doubled (SQLite, and MySQL in ANSI_QUOTES mode). */
void sql_add_ident(struct buf *b, const char *name, char quote);
/* 'text' with embedded ' doubled. */
void sql_add_literal(struct buf *b, const char *text);

/* SQLite: the time expr (text, or a julian day) as 2026-11-24T10:11:12.345Z,
 * the one spelling of times in cdcpack's tables, reports and change files. */
#define SQLITE_ISO_TIME(expr) "strftime('%Y-%m-%dT%H:%M:%fZ', " expr ")"
#define SQLITE_ISO_NOW SQLITE_ISO_TIME("'now'")

/* " (File too large)": the operating system's reason behind an I/O, disk
 * full or open failure of db's last call, so a limit (disk, quota, rlimit)
 * is named rather than "disk I/O error"; "" when there is none. */
const char *sql_os_reason(sqlite3 *db);

#endif
