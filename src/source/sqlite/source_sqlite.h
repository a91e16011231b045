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

struct sqlite_catalog;

/* Pending changelog rows of one table, read for all tables in one query. */
struct sqlite_pending {
	char *table;
	int64_t count;
	char *oldest; /* ISO time of the oldest */
};

/* Owns db, strings, schema cache and statement cache; sqlite_source_ops.close frees all. */
struct source {
	sqlite3 *db;
	char *path; /* the database file as messages show names (name_shown): for messages only */
	char *changelog;    /* changelog table */
	char *schema_table; /* <changelog>_schema: column lists by trigger version */
	char *owner_table;  /* <changelog>_owner: the chain consuming it (sqlite_owner.c) */
	bool in_read;
	struct sqlite_schema_entry *schema; /* sorted by (table, ver) */
	size_t nschema;
	int64_t schema_stamp[2]; /* schema_version, max(rowid) of schema_table when read */
	bool schema_loaded;
	struct sqlite_catalog *catalog; /* sqlite_catalog.c */
	sqlite3_stmt *version_stmt;	/* PRAGMA schema_version, prepared once */
	sqlite3_stmt *table_stmt;	/* one table by name (sqlite_catalog.c) */
	unsigned long long statements;	/* run so far, counted with -v */
	sqlite3_stmt *stamp_stmt;	/* max(rowid) of schema_table, prepared once */
	bool catalog_pinned;		/* no schema version check while set */
	struct sqlite_pending *pending; /* count_pending's cache, NULL until read */
	size_t npending;
	int64_t pending_stamp; /* sqlite3_total_changes64 when read */
	struct sqlite_stmt_cache cache[SQLITE_STMT_CACHE];
	size_t cache_next;
	/* apply's upsert [0] and delete [1] statements of the file it is at
	 * (borrowed from the cache, keyed by def), so that a row does not
	 * rebuild and look up its SQL. Cleared at the end of each file, the
	 * batch's end, and whenever the cache prepares (it may evict them). */
	const struct table_def *row_def[2];
	sqlite3_stmt *row_stmt[2];
	bool replica_cache_sized; /* apply's page cache set (sqlite_replica_begin) */
};

/* Runs sql (no results wanted); on failure sets an error naming what. */
int sqlite_exec(struct source *src, const char *sql, const char *what);
int sqlite_prepare(struct source *src, const char *sql, sqlite3_stmt **out);
/* A runtime error carrying SQLite's message. */
int sqlite_fail(struct source *src, const char *what);
/* sqlite_catalog.c: from one read of sqlite_schema per schema version. */
bool sqlite_table_exists(struct source *src, const char *name);
/* Whether table exists; if so, pins a current catalogue (catalog_pinned). */
bool sqlite_catalog_pin(struct source *src, const char *table);
/* 1 when a trigger of that name exists (with whether it quote()s its
 * images in *text_images, if not NULL), else 0. */
int sqlite_trigger_lookup(struct source *src, const char *name, bool *text_images);
/* The table of the trigger of that name (the catalogue's: valid until it
 * is read anew), or NULL. */
const char *sqlite_trigger_table(struct source *src, const char *name);
/* Whether the trigger compares keys by type and bytes (its SQL holds
 * "typeof(OLD."): triggers of an earlier cdcpack compared them by the key
 * column's collation and are rebuilt. */
bool sqlite_trigger_bytewise_keys(struct source *src, const char *name);
int sqlite_schema_version(struct source *src, int64_t *version);
void sqlite_catalog_free(struct sqlite_catalog *cat);
/* After this connection, holding the write lock, created (present) or
 * dropped the named triggers and nothing else: updates the catalogue. */
void sqlite_catalog_note_triggers(struct source *src, const char *table, char *const *names,
				  size_t n, bool present, bool text_images);
/* The tables with triggers that insert into the changelog, once each,
 * sorted: by what the triggers do, not their names. */
int sqlite_triggered_tables(struct source *src, struct strv *out);
/* The triggers on table that insert into the changelog but are not named
 * for it: made for the name it had before ALTER TABLE ... RENAME TO, they
 * log its changes under that name. */
int sqlite_foreign_triggers(struct source *src, const char *table, struct strv *out);
/* Whether name is one of the triggers cdcpack makes for table (or one an
 * earlier cdcpack named for it). */
bool sqlite_trigger_is_ours(const struct source *src, const char *table, const char *name);
/* Loads the schema table into src->schema (empty when it does not exist),
 * unless what was loaded is still current: versions are only ever added,
 * so the schema version and the table's max(rowid) tell. */
int sqlite_load_schema(struct source *src);
/* This connection, holding the write lock, recorded table's version ver
 * (its column list as json): adds it to what sqlite_load_schema loaded,
 * so that installing triggers on N tables does not read the table N times. */
void sqlite_schema_note(struct source *src, const char *table, int64_t ver, const char *json);
/* After this connection's own DDL under the write lock, which changed no
 * recorded version: what was loaded stays current. */
void sqlite_schema_restamp(struct source *src);
/* The latest recorded version for table, or NULL with *ver = 0. */
const struct table_def *sqlite_latest_schema(struct source *src, const char *table, int64_t *ver);

/* Row images go into changelog columns o1..oN and n1..nN for tables of up
 * to this many columns (2 * 900 + 7 stays under SQLite's default limit of
 * 2000 columns); wider tables' triggers write quote()d text images. */
#define SQLITE_IMAGE_MAX_COLS 900
/* The N of the changelog's o1..oN columns (0: none, or no changelog). */
int sqlite_image_width(struct source *src, size_t *width);
/* The triggers this cdcpack makes for a fixed small table (owned): it
 * changes with any change to how triggers are written, and so does the
 * schema stamp that carries it, so an idle run after an upgrade checks
 * (and rebuilds) every table's triggers. */
char *sqlite_trigger_layout(const struct source *src);

int sqlite_triggers_install(struct source *src, const struct table_def *def);
int sqlite_triggers_remove(struct source *src, const char *table);
int sqlite_drop_changelog(struct source *src);
void sqlite_pending_free(struct source *src);
int sqlite_triggers_alter(struct source *src, const char *table, const char *ddl);
int sqlite_triggers_status(struct source *src, const struct table_def *def,
			   struct trigger_status *out);

/* Creates the owner table and its row (a new generation) when missing. */
int sqlite_owner_create(struct source *src);
int sqlite_chain_owner(struct source *src, const char *chain, struct chain_owner *out);
/* Whether table has the owner table's columns (another chain's). */
bool sqlite_is_owner_table(struct source *src, const char *table);
/* Inside the ack transaction: CDC_ERUNTIME when another chain owns the
 * changelog; *skip (nothing to delete) when the batch was read from an
 * earlier generation or its acknowledgement is already recorded. */
int sqlite_owner_ack_check(struct source *src, const struct chain_ack *who, bool *skip);
/* Inside the ack transaction: who->batch is the last acknowledged. */
int sqlite_owner_ack_record(struct source *src, const struct chain_ack *who);
int sqlite_chain_staged(struct source *src, int64_t batch, bool withdrawn);

int sqlite_replica_begin(struct source *src);
int sqlite_replica_commit(struct source *src);
int sqlite_replica_rollback(struct source *src);
int sqlite_replica_create_table(struct source *src, const struct table_def *def);
int sqlite_replica_upsert(struct source *src, const struct table_def *def, const struct value *row);
int sqlite_replica_delete(struct source *src, const struct table_def *def, const struct value *row);
int sqlite_replica_flush(struct source *src);
bool sqlite_replica_same_type(const char *have, const struct column *want, bool foreign);
int sqlite_replica_drop_table(struct source *src, const struct table_def *def);
int sqlite_replica_truncate(struct source *src, const struct table_def *def);
int sqlite_replica_last_applied(struct source *src, const char *source_name, int64_t *seq,
				char **batch_id);
int sqlite_replica_mark_applied(struct source *src, const char *source_name, const char *batch_id,
				int64_t seq, const char *created);
/* Binds v as parameter idx (1-based) of stmt. */
int sqlite_bind_value(sqlite3_stmt *stmt, int idx, const struct value *v);
/* Reads column idx of the current row into v (borrowed from stmt). */
void sqlite_column_value(sqlite3_stmt *stmt, int idx, struct value *v);
/* sv into v (borrowed from sv). */
void sqlite_value_get(sqlite3_value *sv, struct value *v);

/* sqlite_keyorder.c: the scan's order of keys of a class other than
 * CANON_PLAIN (source.h's key_order). */
int sqlite_key_order_register(sqlite3 *db);
/* Appends the ORDER BY terms of the key column named col of class cls. */
void sqlite_key_order_add(struct buf *sql, const char *col, enum canon_class cls);
/* *sort: def's scan must sort by key_order, its keys' byte order being
 * another (read inside the caller's read, so the scan sees those keys). */
int sqlite_key_order_sort(struct source *src, const struct table_def *def,
			  const enum canon_class *key_order, bool *sort);

/* def's one key column when it is declared INTEGER (what SQLite may make the
 * rowid's alias), else NULL: two keys, a row id key or another type. */
const struct column *sqlite_integer_key(const struct table_def *def);

/* sqlite_source_ops.fingerprint (sqlite_fingerprint.c). */
int sqlite_fingerprint(const char *url, char **out);

#endif
