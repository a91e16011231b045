/* Internals shared by the SQLite driver's files (source_sqlite.c,
 * sqlite_triggers.c, sqlite_replica.c); nothing outside them includes this. */
#ifndef CDCPACK_SOURCE_SQLITE_H
#define CDCPACK_SOURCE_SQLITE_H

#include "buf.h"
#include "source.h"

#include <sqlite3.h>

/* A (table, version) -> column list the triggers of that version knew. */
struct sqlite_schema_entry {
	char *table;
	int64_t ver;
	struct table_def *def; /* owned */
};

/* A cached prepared statement of the replica side, keyed by its SQL. */
struct sqlite_stmt_cache {
	char *sql;
	sqlite3_stmt *stmt;
};

#define SQLITE_STMT_CACHE 16

/* Owns db, strings, schema cache and statement cache; sqlite_source_ops.close frees all. */
struct source {
	sqlite3 *db;
	char *path;
	char *changelog;    /* changelog table */
	char *schema_table; /* <changelog>_schema: column lists by trigger version */
	bool in_read;
	struct sqlite_schema_entry *schema;
	size_t nschema;
	struct sqlite_stmt_cache cache[SQLITE_STMT_CACHE];
	size_t cache_next;
};

/* Runs sql (no results wanted); on failure sets an error naming what. */
int sqlite_exec(struct source *src, const char *sql, const char *what);
int sqlite_prepare(struct source *src, const char *sql, sqlite3_stmt **out);
/* A runtime error carrying SQLite's message. */
int sqlite_fail(struct source *src, const char *what);
bool sqlite_table_exists(struct source *src, const char *name);
/* Loads the schema table into src->schema (empty when it does not exist). */
int sqlite_load_schema(struct source *src);
/* The latest recorded version for table, or NULL with *ver = 0. */
const struct table_def *sqlite_latest_schema(struct source *src, const char *table, int64_t *ver);

/* Row images go into changelog columns o1..oN and n1..nN for tables of up
 * to this many columns (2 * 900 + 7 stays under SQLite's default limit of
 * 2000 columns); wider tables' triggers write quote()d text images. */
#define SQLITE_IMAGE_MAX_COLS 900
/* The N of the changelog's o1..oN columns (0: none, or no changelog). */
int sqlite_image_width(struct source *src, size_t *width);

int sqlite_triggers_install(struct source *src, const struct table_def *def);
int sqlite_triggers_remove(struct source *src, const char *table);
int sqlite_drop_changelog(struct source *src);
int sqlite_triggered_tables(struct source *src, struct strv *out);
int sqlite_triggers_alter(struct source *src, const char *table, const char *ddl);
int sqlite_triggers_status(struct source *src, const struct table_def *def,
			   struct trigger_status *out);

int sqlite_replica_begin(struct source *src);
int sqlite_replica_commit(struct source *src);
int sqlite_replica_rollback(struct source *src);
int sqlite_replica_create_table(struct source *src, const struct table_def *def);
int sqlite_replica_upsert(struct source *src, const struct table_def *def, const struct value *row);
int sqlite_replica_delete(struct source *src, const struct table_def *def, const struct value *row);
int sqlite_replica_truncate(struct source *src, const struct table_def *def);
int sqlite_replica_last_applied(struct source *src, const char *source_name, int64_t *seq,
				char **batch_id);
int sqlite_replica_mark_applied(struct source *src, const char *source_name, const char *batch_id,
				int64_t seq, const char *created);
/* Binds v as parameter idx (1-based) of stmt. */
int sqlite_bind_value(sqlite3_stmt *stmt, int idx, const struct value *v);
/* Reads column idx of the current row into v (borrowed from stmt). */
void sqlite_column_value(sqlite3_stmt *stmt, int idx, struct value *v);

#endif
