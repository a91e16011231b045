/* The seam between the pipeline and each database driver (sqlite, mysql),
 * in the manner of SQLite's sqlite3_vfs: the pipeline calls these function
 * pointers and never names a concrete driver. A driver's roles (reading,
 * trigger capture, log capture, replica) are tables of their own in its
 * struct source_ops. */
#ifndef CDCPACK_SOURCE_H
#define CDCPACK_SOURCE_H

#include "buf.h"
#include "coltype.h"
#include "config.h"
#include "rowhash.h"
#include "strv.h"
#include "value.h"

#include <stdbool.h>
#include <stdint.h>

struct source; /* defined by each driver */

/* The environment variables that hold a MySQL password, one per role. */
#define SOURCE_PASSWORD_ENV "CDCPACK_SOURCE_PASSWORD"
#define REPLICA_PASSWORD_ENV "CDCPACK_REPLICA_PASSWORD" /* apply --to, verify --against */
#define DIFF_A_PASSWORD_ENV "CDCPACK_A_PASSWORD"	/* diff URL_A */
#define DIFF_B_PASSWORD_ENV "CDCPACK_B_PASSWORD"	/* diff URL_B */

/* How a driver's SQL spells names and values in statements cdcpack writes
 * for a person to run (diff --format sql): each driver owns its dialect. */
struct sql_dialect {
	char ident_quote; /* '"' or '`' */
	/* Statements a script starts with, before BEGIN ("" for none). */
	const char *preamble;
	/* Appends text (n bytes, any bytes) as a literal the engine reads back
	 * byte for byte. */
	void (*add_text)(struct buf *b, const char *p, size_t n);
	/* Date-times are read only in the canonical spelling
	 * ("2024-01-02 03:04:05"): text of a temporal column is written so. */
	bool canonical_temporal;
	/* Appends bytes as a literal every column type reads back as those
	 * bytes; NULL: X'..' (blob_literal_encode). */
	void (*add_blob)(struct buf *b, const char *p, size_t n);
	/* A FLOAT column is single precision (MySQL): a key there is compared
	 * as the float's exact double, not as its fewest digits (F37). */
	bool float_is_single;
	/* When the engine's own numeral reading is not exact (SQLite before
	 * 3.43 reads -6.688525262763713e-294, 0.7% of random doubles of any
	 * exponent, one unit in the last place off): a private reader to ask
	 * how it reads a numeral (reader_open; NULL when it cannot), whether
	 * it reads num as exactly r, and its end. NULL: numerals read exactly. */
	void *(*reader_open)(void);
	bool (*reads_real)(void *reader, const char *num, double r);
	void (*reader_close)(void *reader);
};

struct source_options {
	const char *changelog; /* trigger mode: changelog table name */
	/* mysql: the password of this URL's user comes from password_file, else
	 * from the environment variable password_env (NULL: the source's,
	 * CDCPACK_SOURCE_PASSWORD). A replica or diff side names its own
	 * variable, so that the source's secret is only sent to the source. */
	const char *password_file;
	const char *password_env;
	/* trigger mode, SQLite: how acknowledgements erase changelog rows
	 * (SECURE_DELETE_LIBRARY, 0: the connection's own setting) */
	enum secure_delete secure_delete;
	bool create;	/* replica: create the database if it does not exist */
	bool read_only; /* verify/diff: never write */
};

/* One captured row event. Images hold def->ncols values each, in def's
 * column order; def is the column list the trigger knew when it fired. */
struct change {
	int64_t seq;
	const char *ts; /* ISO 8601 UTC with milliseconds */
	/* 'I', 'U', 'D', 'T' (binlog: the table was truncated), or
	 * CHANGE_MARKER: a changelog row that holds the highest seq so that
	 * seqs never go back (def and images NULL); the batch that reads it
	 * acknowledges it, and ships nothing for it. */
	char op;
	const struct table_def *def;
	const struct value *before; /* NULL for I */
	const struct value *after;  /* NULL for D */
};

#define CHANGE_MARKER '-'

struct trigger_status {
	bool installed;
	bool drift;    /* the table's columns differ from those the triggers know */
	bool renamed;  /* its triggers were made for another name (ALTER TABLE RENAME) */
	bool outdated; /* its triggers were made by an earlier cdcpack: run rebuilds them */
	/* In: set by a caller that reads neither pending nor oldest (a run's
	 * trigger check), so the changelog is not scanned to count them: over
	 * a large backlog that scan was the run's slowest part before its
	 * first row (docs/bench.md, the S3 BLOB run). */
	bool skip_pending;
	int64_t pending;      /* changelog rows waiting for this table */
	char oldest[40];      /* ts of the oldest pending change; "" when none or unknown */
	struct strv warnings; /* blind spots (REPLACE, FK cascades, TRUNCATE) */
};

/* Trigger mode: which chain consumes the changelog (docs/design.md §1: one chain
 * per changelog). Kept by cdcpack in the source, in <changelog>_owner, so a
 * second state dir or a stale copy of one can be told from the owner. */
#define CHAIN_ID_LEN 32
struct chain_owner {
	bool present;			   /* false: no changelog (triggers not installed) */
	char chain[CHAIN_ID_LEN + 1];	   /* the owning chain's id; "" when unclaimed */
	char generation[CHAIN_ID_LEN + 1]; /* new with every changelog created */
	int64_t acked;			   /* the last batch seq acknowledged */
	int64_t staged;			   /* the last batch seq staged */
};

/* Who acknowledges: the chain, the changelog generation the batch read
 * (NULL: recorded before generations, taken as the current one) and the
 * batch's seq. */
struct chain_ack {
	const char *chain;
	const char *generation;
	int64_t batch;
};

typedef int (*change_fn)(void *ctx, const struct change *c);
typedef int (*row_fn)(void *ctx, const struct value *row);
typedef int (*seq_fn)(void *ctx, int64_t seq);

/* A driver plays up to four roles, each a table of its own; a NULL role is
 * one the driver cannot play, refused by source_need_role where it is asked
 * for. Every function returns 0 or a CDC_E* code with err_set() called. */

/* A place in a source's log: pos, "FILE:OFFSET", is where a read starts;
 * gtid, where the server has GTIDs, is the GTID state there (MariaDB:
 * domain-server-seq of each domain's last transaction, comma-separated,
 * "" for none). Both owned; gtid NULL when unknown. skip_tables[i]'s
 * rows and statements logged before skip_until[i] are not read: a load of
 * that table alone, at that later position, carries them. */
struct log_pos {
	char *pos;
	char *gtid;
	struct strv skip_tables, skip_until;
	/* Set by a read, not recorded: tables whose name a statement the read
	 * passed gave to another table (DROP, RENAME, CREATE TABLE), so their
	 * rows after it belong to a table the chain has not shipped. */
	struct strv replaced;
};

void log_pos_free(struct log_pos *p);

/* A foreign key of child whose action changes child's rows when parent's
 * row is deleted (on_delete) or its key updated (on_update): CASCADE, SET
 * NULL, SET DEFAULT. The server makes those changes below its log. */
struct log_cascade {
	char *child, *parent;	 /* owned; parent "db.t" in another database */
	struct strv parent_cols; /* the parent's columns the key references */
	char *line;		 /* owned: the key as SHOW CREATE TABLE gives it */
	bool on_delete, on_update;
};

void log_cascades_free(struct log_cascade *v, size_t n);

/* Where a log position stands in the source's log (log_lag). */
struct log_lag {
	bool gone;	 /* the server no longer has the position's log file */
	int64_t bytes;	 /* log bytes after the position; -1 when gone */
	int64_t seconds; /* age of the first transaction logged after it; 0: none */
	char *oldest;	 /* the oldest log file the server keeps (owned, may be NULL) */
	char *warning;	 /* owned; NULL, or why the position is about to be lost */
};

void log_lag_free(struct log_lag *l);

/* Reading (every driver): what diff, verify, snapshot capture and loads use. */
struct source_read_ops {
	/* User tables, excluding cdcpack's own (changelog, schema, applied). */
	int (*list_tables)(struct source *src, struct strv *out);
	/* Columns in ordinal order with key flags; CDC_ENOTFOUND when no such table. */
	int (*describe)(struct source *src, const char *table, struct table_def **out);
	/* A consistent read: everything between begin_read and end_read sees one
	 * snapshot of the database. */
	int (*begin_read)(struct source *src);
	int (*end_read)(struct source *src);
	/* Every row of def's table in ascending key order; rows have def->ncols
	 * values. The order is binary, whatever the collation: numbers by value
	 * (DECIMAL too, though it travels as text), text and blobs by their
	 * bytes. diff, verify and snapshot capture merge two scans on it, and
	 * refuse a scan that breaks it. key_order (NULL: all CANON_PLAIN) has
	 * one class per key column, in key order: a key column of another
	 * class is ordered as canon_cmp orders its canonical values (rowhash.h;
	 * a date-time by its one spelling, numeric text by value), which is how
	 * the merge compares keys. A driver whose typed columns hand such values
	 * over in that order already may ignore it (MySQL's). */
	int (*scan)(struct source *src, const struct table_def *def,
		    const enum canon_class *key_order, row_fn fn, void *ctx);
};

/* Trigger capture ([capture] mode = trigger): the triggers, the changelog
 * they write, and its owner record. */
struct changelog_ops {
	/* install is idempotent and rebuilds on drift; it records def as the
	 * column list changes of this table will carry from now on. */
	int (*triggers_install)(struct source *src, const struct table_def *def);
	int (*triggers_remove)(struct source *src, const char *table);
	/* Drops the changelog and its own tables. */
	int (*drop)(struct source *src);
	/* Runs ddl (an ALTER TABLE of table) and rebuilds the table's triggers
	 * for its new columns as one step that no write of the table sees
	 * half-done: no write fails on a trigger naming a dropped column, and
	 * none goes unlogged. */
	int (*triggers_alter)(struct source *src, const char *table, const char *ddl);
	/* Every table (by name, sorted, once) on which some trigger writes to
	 * the changelog: captured or not, whatever the trigger is called. */
	int (*triggered_tables)(struct source *src, struct strv *out);
	/* out is zeroed by the caller and freed with trigger_status_free. */
	int (*triggers_status)(struct source *src, const struct table_def *def,
			       struct trigger_status *out);
	/* Optional (NULL: the driver cannot tell). A text in *out (owned) that
	 * changes whenever what triggers_status or describe reports may have
	 * changed: any DDL, ours or another connection's, and any trigger
	 * version recorded. An idle run compares it with the last clean
	 * check's instead of asking triggers_status about every table and
	 * describing each (capture.c: capture_schema_stamp). */
	int (*schema_stamp)(struct source *src, char **out);
	/* Inside the read role's begin_read/end_read: changelog rows visible in
	 * the read, by ascending seq, at most max changes (markers,
	 * CHANGE_MARKER, passed to fn too but not counted). */
	int (*read_changes)(struct source *src, int64_t max, change_fn fn, void *ctx);
	/* Every changelog seq of the tables named visible in the read, ascending
	 * (a load's handoff to cdc: it reflects those tables' changes only). */
	int (*seqs)(struct source *src, const struct strv *tables, seq_fn fn, void *ctx);
	/* Acknowledge: delete exactly the changelog rows lo..hi of each range
	 * (ranges hold only seqs that were read, never a high-water mark), and
	 * record who->batch as the owner's last acknowledged batch, in one
	 * transaction. Rows of another changelog generation are gone already:
	 * nothing is deleted then. CDC_ERUNTIME when another chain owns it. */
	int (*ack)(struct source *src, const int64_t (*ranges)[2], size_t n,
		   const struct chain_ack *who);
	/* Before a read: a changelog whose highest seq is below top, the
	 * highest an acknowledged batch of its generation carried, gets a
	 * marker (CHANGE_MARKER) at top again, so that the next change does
	 * not reuse an acknowledged seq. NULL: the driver's seqs never go back
	 * (MySQL's AUTO_INCREMENT). */
	int (*keep_seqs)(struct source *src, int64_t top);
	/* Reads the changelog's owner record into out, creating it (with a new
	 * generation) when the changelog has none and claiming it for chain
	 * when no chain owns it yet. */
	int (*chain_owner)(struct source *src, const char *chain, struct chain_owner *out);
	/* batch was staged (so a copy of the state dir made before it, even if
	 * it is never acknowledged, is known to be stale); with withdrawn, it
	 * was forgotten before it left the machine. */
	int (*chain_staged)(struct source *src, int64_t batch, bool withdrawn);
};

/* Log capture ([capture] mode = binlog): the server's own log of row changes. */
struct log_ops {
	/* Checks that the server logs row images cdcpack can read, that the
	 * user may read them, and that the log carries every change of the
	 * tables (no cascading foreign key changes them; with cascades_ok,
	 * such a key is allowed when its parent is one of the tables: the
	 * caller repairs the children after the parent's deletes and key
	 * updates, which the log carries); CDC_EUSAGE naming every missing
	 * setting, privilege or such key, and what fixes it. */
	int (*check)(struct source *src, const struct strv *tables, bool cascades_ok);
	/* The tables' foreign keys whose actions change their rows. */
	int (*cascades)(struct source *src, const struct strv *tables, struct log_cascade **out,
			size_t *n);
	/* Inside begin_read: the position the read's snapshot reflects (every
	 * transaction logged before it is in the read, none after). */
	int (*position)(struct source *src, struct log_pos *out);
	/* Passes fn the row changes of the tables of defs (their definitions
	 * now), with the commit time of their transaction, transaction by
	 * transaction from position from, and stops at the end of the log, or
	 * after a commit once max changes were passed; *end (filled, with
	 * its GTID state where from has one or the server can tell it) is
	 * the position after the last transaction read. A TRUNCATE of a table is
	 * a change of op 'T' (no images). A change the mode cannot ship right
	 * (DDL of a captured table, an undecodable column) stops it with
	 * CDC_ERUNTIME naming it. */
	int (*read)(struct source *src, const struct log_pos *from, struct table_def *const *defs,
		    size_t ndefs, int64_t max, change_fn fn, void *ctx, struct log_pos *end);
	/* For status: how far the log runs past pos. */
	int (*lag)(struct source *src, const char *pos, struct log_lag *out);
	/* <0, 0, >0 as position a is before, at or after position b (one
	 * server's log); a position not of the log's form sorts first. */
	int (*cmp)(const char *a, const char *b);
};

/* The replica side, for apply (and the table checks of verify). Batches are
 * applied inside begin/commit; with ddl_in_transaction a batch's
 * CREATE/DROP TABLE too. */
struct replica_ops {
	bool ddl_in_transaction;
	int (*begin)(struct source *src);
	int (*commit)(struct source *src);
	int (*rollback)(struct source *src);
	/* Creates def's table when missing (keys as primary key). */
	int (*create_table)(struct source *src, const struct table_def *def);
	/* Row images in def's columns; I and U upsert, D deletes by key. */
	int (*upsert)(struct source *src, const struct table_def *def, const struct value *row);
	int (*delete)(struct source *src, const struct table_def *def, const struct value *row);
	/* Sends the upserts and deletes a driver gathered into multi-row
	 * statements (def's of them stay valid until this): apply calls it at
	 * the end of each file. Optional: NULL when each row goes at once. */
	int (*flush)(struct source *src);
	/* Whether a replica column of declared type have is what this driver
	 * creates for want (foreign: want's type is another engine's). */
	bool (*same_type)(const char *have, const struct column *want, bool foreign);
	/* Drops def's table: a load whose columns differ from the replica
	 * table's recreates it (docs/design.md §6). */
	int (*drop_table)(struct source *src, const struct table_def *def);
	/* Empties def's table: a load batch replaces what the replica held.
	 * Optional: when NULL, a load only upserts. */
	int (*truncate)(struct source *src, const struct table_def *def);
	/* The last batch of source_name applied here: *seq = 0 when none. */
	int (*last_applied)(struct source *src, const char *source_name, int64_t *seq,
			    char **batch_id);
	int (*mark_applied)(struct source *src, const char *source_name, const char *batch_id,
			    int64_t seq, const char *created);
};

/* A driver: its name, URLs, SQL dialect, the connection, and its roles. */
struct source_ops {
	const char *driver; /* manifest "source.driver": "sqlite", "mysql" */
	/* The driver's URLs: their prefix ("sqlite:", "mysql://"), default
	 * source name, and what config checks of them. */
	const struct url_scheme *url;
	const struct sql_dialect *dialect;
	/* What the format layer checks and hashes of its archives' column
	 * types (coltype.h): their grammar, FLOAT's precision, affinity. */
	const struct type_rules *types;

	int (*open)(struct source **out, const char *url, const struct source_options *opt);
	/* Whether two URLs of this driver name the same database, however they
	 * spell it (apply refuses to write into the source). */
	bool (*same_database)(const char *url_a, const char *url_b);
	void (*close)(struct source *src); /* accepts NULL */
	/* A text that changes whenever the database at url may have changed,
	 * read without opening it (docs/design.md §4, "Idle runs"); *out NULL
	 * when it cannot tell. NULL: the driver has none. */
	int (*fingerprint)(const char *url, char **out);

	const struct source_read_ops *read;    /* never NULL */
	const struct changelog_ops *changelog; /* NULL: no trigger capture */
	const struct log_ops *log;	       /* NULL: no log capture */
	const struct replica_ops *replica;     /* NULL: not an apply replica */
};

/* The driver for url, or NULL (with err_set, CDC_EUSAGE) when none answers it. */
const struct source_ops *source_ops_for_url(const char *url);
/* Whether two URLs name the same database (false when their drivers differ). */
bool source_same_database(const char *url_a, const char *url_b);
/* CDC_EUSAGE when ops's driver cannot play role (its table is NULL), as
 * "<what>: the <driver> driver has no binary log"; what names where it was
 * asked for ("[capture] mode = binlog", "apply --to"). */
enum source_role { ROLE_READ, ROLE_CHANGELOG, ROLE_LOG, ROLE_REPLICA };
int source_need_role(const struct source_ops *ops, enum source_role role, const char *what);
/* Looks up the driver and opens url in one step. */
int source_open(const struct source_ops **ops, struct source **out, const char *url,
		const struct source_options *opt);
/* The driver's fingerprint of url (*out owned), or *out NULL when it has
 * none or cannot tell; the database is not opened. */
int source_fingerprint(const char *url, char **out);
void trigger_status_free(struct trigger_status *st);
/* Drivers' list_tables: removes the tables of other chains' changelogs (a
 * table N with N_schema and N_owner beside it, N_owner having an owner
 * table's columns, and those two), which are cdcpack's, never user tables,
 * whatever [capture] changelog names them. */
typedef bool (*owner_test_fn)(struct source *src, const char *table);
void source_drop_changelog_families(struct source *src, owner_test_fn is_owner,
				    struct strv *tables);

/* Names cdcpack reserves for its own tables in a database: the changelog,
 * <changelog>_schema, and every name starting cdcpack_ (cdcpack_applied on
 * a replica), in any letter case. A user table of such a name is never
 * captured; naming it is refused (source_reserved_error). */
bool source_reserved_name(const char *changelog, const char *name);
/* CDC_EUSAGE saying that table has a reserved name; what: where it was named. */
int source_reserved_error(const char *what, const char *table, const char *changelog);
/* Refuses (CDC_EUSAGE, naming [capture] changelog and the table) a changelog
 * or <changelog>_schema name held by a table that is not cdcpack's own: the
 * triggers would write into (and install would ALTER) an application table. */
int source_check_own_tables(const struct source_ops *ops, struct source *src,
			    const char *changelog);
/* The tables not in captured whose triggers still write to the changelog
 * (a table taken out of [capture] tables, or renamed). */
int source_stray_triggers(const struct source_ops *ops, struct source *src,
			  const struct strv *captured, struct strv *out);
/* What to tell the user about such a table (an owned string). */
char *source_stray_warning(const char *table);
/* table's columns (*def, owned) and what its triggers say (ts); the
 * driver must have the changelog role. */
int source_trigger_status(const struct source_ops *ops, struct source *src, const char *table,
			  struct table_def **def, struct trigger_status *ts);
/* What to tell the user about a table whose changelog trigger (one named)
 * was made for another name: the table was renamed (an owned string). */
char *source_renamed_warning(const char *table, const char *trigger);

extern const struct source_ops sqlite_source_ops;
extern const struct source_ops mysql_source_ops;

#endif
