/* Quoting of SQL identifiers and literals, shared by the database drivers. */
#ifndef CDCPACK_SQLUTIL_H
#define CDCPACK_SQLUTIL_H

#include "buf.h"

#include <sqlite3.h>
#include <stdbool.h>

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

/* The layout of a SQLite file cdcpack keeps in the state dir (state.db,
 * binlog.db, snapshot/index.db), in its table meta(k, v): the number under
 * key, the build that last wrote the file under 'cdcpack'. A build whose
 * file an earlier build would read wrong raises the number; a file without
 * one (made before numbers, or new) is read as this build's layout. */
struct sql_format {
	const char *file; /* for messages: "state/binlog.db" */
	const char *key;  /* meta key of the number: "state_format", "format" */
	const char *what; /* for messages: "state format" */
	int ours;	  /* the layout this build reads and writes */
};
/* meta's value of k into *out (owned by the caller; NULL when absent or
 * NULL, as a newer build's meta may hold); SQLite's error code on failure. */
int sql_meta_get(sqlite3 *db, const char *k, char **out);
int sql_meta_set(sqlite3 *db, const char *k, const char *v);
/* Refuses (CDC_EUSAGE) a file whose number is above f->ours, naming the
 * file, its number and the build that wrote it, before anything reads or
 * writes it. *same: it records f->ours and this build already; *by (when
 * by is not NULL; owned by the caller): the build that last wrote it, NULL
 * when none is recorded. */
int sql_format_check(sqlite3 *db, const struct sql_format *f, bool *same, char **by);
/* Records f->ours and this build (making meta when missing). */
int sql_format_write(sqlite3 *db, const struct sql_format *f);

/* Opens the SQLite file at path for reading only (a status, which writes
 * nothing: docs/design.md §9); immutable: as a file nobody changes, which
 * SQLite reads without the -shm a WAL database otherwise needs. SQLite's
 * result code; *db is set (to close) either way. */
int sql_open_read(const char *path, bool immutable, sqlite3 **db);
/* Whether db's last error is SQLite failing to make or grow the -shm a WAL
 * database needs even to be read (a directory it cannot write, a file-size
 * limit). */
bool sql_cannot_index_wal(sqlite3 *db);
/* Whether a connection may hold the database at path open: SQLite keeps its
 * -wal and -shm while one does and removes them at the last close. */
bool sql_in_use(const char *path);
/* Whether the file at path, which a read failed to open as sql_cannot_index_wal
 * says, may be read as immutable: no connection holds it and this process
 * cannot write its directory dir (so no run of ours starts during the read);
 * otherwise its -wal may hold what the file does not yet. */
bool sql_read_immutable_ok(const char *path, const char *dir);

#endif
