/* Internals shared by the MySQL driver's files (source_mysql.c,
 * mysql_triggers.c, mysql_replica.c); nothing outside them includes this. */
#ifndef CDCPACK_MYSQL_DRIVER_H
#define CDCPACK_MYSQL_DRIVER_H

#include "buf.h"
#include "mysql_image.h"
#include "mysql_url.h"
#include "source.h"

#include <mysql.h>

/* A (table, version) -> the column list the triggers of that version knew. */
struct mysql_schema_entry {
	char *table;
	int64_t ver;
	struct table_def *def;	  /* owned: as recorded at install */
	enum coltype_kind *kinds; /* owned, one per column of def: how its images decode */
	/* owned: what changes of this version ship with: def's columns, each
	 * with the table's latest type when a value of the old type reads
	 * the same under it (int(11) -> bigint(20)), so that a replica can hold
	 * a value written between an ALTER and the trigger rebuild */
	struct table_def *shipped;
};

/* A prepared statement of the replica side, reused across rows. */
struct mysql_stmt_cache {
	char *sql;
	MYSQL_STMT *stmt;
};

#define MYSQL_STMT_CACHE 16

/* Owns the connection, the URL parts, the schema and statement caches;
 * mysql_source_ops.close frees all. */
struct source {
	MYSQL *db;
	struct mysql_url url;
	char *where;	    /* "mysql USER@HOST/DB" as messages show names: escaped, cut */
	char *db_shown;	    /* the database as messages show names */
	char *changelog;    /* changelog table */
	char *schema_table; /* <changelog>_schema: column lists by trigger version */
	char *owner_table;  /* <changelog>_owner: the chain consuming it (mysql_owner.c) */
	bool mariadb;	    /* server flavour: MariaDB has CREATE OR REPLACE TRIGGER */
	/* @@lower_case_table_names, read once per connection (-1: not yet):
	 * how the binlog reader compares the names the log carries. */
	int64_t lower_case_names;
	bool read_only;
	bool in_read;
	unsigned long long statements; /* sent so far (source_mysql.c: query) */
	struct mysql_schema_entry *schema;
	size_t nschema;
	struct mysql_stmt_cache cache[MYSQL_STMT_CACHE];
	size_t cache_next;
	struct strv collation_checked; /* replica tables whose key collations apply checked */
	char *password;		       /* for mysql_connect_again; wiped at close */
	struct mysql_bulk *bulk; /* apply's pending multi-row statement (mysql_replica_bulk.c) */
	struct mysql_load *load; /* apply's pending LOAD DATA chunk (mysql_replica_load.c) */
};

/* A second connection to src's database, as src's user (binlog capture
 * reads the log on its own connection, which the dump takes over). */
int mysql_connect_again(struct source *src, MYSQL **out);
/* A runtime error "mysql DB: what: server message", the message shown as
 * names are (mysql_error_shown). */
int mysql_fail(struct source *src, const char *what);
/* mysql_error(db) as names are shown (docs/design.md §2): the server copies
 * the names it quotes raw. Caller frees. */
char *mysql_error_shown(MYSQL *db);
/* Runs sql, discarding any result; on failure sets an error naming what. */
int mysql_run(struct source *src, const char *sql, const char *what);
/* Runs sql and returns its whole (small) result in *out; free with mysql_free_result. */
int mysql_select(struct source *src, const char *sql, const char *what, MYSQL_RES **out);
/* 'text' escaped for this connection. */
void mysql_add_literal(struct source *src, struct buf *b, const char *text);
/* "TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 't'" (and exactly 't'). */
void mysql_add_table_filter(struct source *src, struct buf *sql, const char *table);
/* True when the connected database has a base table of that name. */
int mysql_table_exists(struct source *src, const char *name, bool *exists);
/* Reads the first column of the first row of sql as an integer (0 when no row). */
int mysql_select_int(struct source *src, const char *sql, const char *what, int64_t *out);

/* Loads the schema table into src->schema (empty when it does not exist). */
int mysql_load_schema(struct source *src);
/* The latest recorded version for table, or NULL with *ver = 0. */
const struct mysql_schema_entry *mysql_latest_schema(struct source *src, const char *table);
const struct mysql_schema_entry *mysql_find_schema(struct source *src, const char *table,
						   int64_t ver);

int mysql_describe_table(struct source *src, const char *table, struct table_def **out);
/* Which unique index stands in for a missing primary key ("" when the
 * primary key is used); NULL on error. Caller frees. */
char *mysql_key_source(struct source *src, const char *table);

/* Creates the owner table and its row (a new generation) when missing. */
int mysql_owner_create(struct source *src);
int mysql_chain_owner(struct source *src, const char *chain, struct chain_owner *out);
/* Whether table has the owner table's columns (another chain's). */
bool mysql_is_owner_table(struct source *src, const char *table);
/* Inside the ack transaction: CDC_ERUNTIME when another chain owns the
 * changelog; *gone when the batch was read from an earlier generation. */
int mysql_owner_ack_check(struct source *src, const struct chain_ack *who, bool *gone);
/* Inside the ack transaction: who->batch is the last acknowledged. */
int mysql_owner_ack_record(struct source *src, const struct chain_ack *who);
int mysql_chain_staged(struct source *src, int64_t batch, bool withdrawn);

int mysql_triggers_install(struct source *src, const struct table_def *def);
int mysql_triggers_remove(struct source *src, const char *table);
int mysql_drop_changelog(struct source *src);
int mysql_triggered_tables(struct source *src, struct strv *out);
int mysql_triggers_alter(struct source *src, const char *table, const char *ddl);
int mysql_schema_stamp(struct source *src, char **out);
int mysql_triggers_status(struct source *src, const struct table_def *def,
			  struct trigger_status *out);

/* mysql_binlog.c */
int mysql_binlog_check(struct source *src, const struct strv *tables, bool cascades_ok);
int mysql_binlog_cascades(struct source *src, const struct strv *tables, struct log_cascade **out,
			  size_t *n);
int mysql_binlog_position(struct source *src, struct log_pos *out);
int mysql_binlog_read(struct source *src, const struct log_pos *from, struct table_def *const *defs,
		      size_t ndefs, int64_t max, change_fn fn, void *ctx, struct log_pos *end);
/* The commit time (Unix seconds) of the first transaction logged after
 * from; 0 when there is none. */
int mysql_binlog_next_time(struct source *src, const char *from, int64_t *when);

/* mysql_binlog_files.c */
/* "FILE:OFFSET" split; CDC_ERUNTIME when pos is not that. */
int mysql_binlog_parse_pos(const char *pos, char **file, uint64_t *offset);
/* CDC_ERUNTIME, naming the file and 'cdcpack load', when the server no
 * longer has pos's file. *at_end: pos is the end of the log, nothing
 * written past it yet (its file is the last one and ends there). */
int mysql_binlog_present(struct source *src, const char *pos, bool *at_end);
int mysql_binlog_lag(struct source *src, const char *pos, struct log_lag *out);
/* MariaDB's GTID state at pos (BINLOG_GTID_POS: the server reads the file
 * up to it), "" when no GTID precedes it. */
int mysql_binlog_gtid_at(struct source *src, const char *pos, char **gtid);
/* <0, 0, >0 as the place (file, offset) is before, at, after pos (files
 * of one log: their numbered suffixes order them). */
int mysql_binlog_pos_cmp(const char *file, uint64_t offset, const char *pos);
/* The same for two positions (log_ops cmp). */
int mysql_binlog_cmp(const char *a, const char *b);
/* state with domain's last GTID made server-seq (a new string). */
char *mysql_gtid_advance(const char *state, uint32_t domain, uint32_t server, uint64_t seq);

int mysql_replica_begin(struct source *src);
int mysql_replica_commit(struct source *src);
int mysql_replica_rollback(struct source *src);
int mysql_replica_create_table(struct source *src, const struct table_def *def);
int mysql_replica_upsert(struct source *src, const struct table_def *def, const struct value *row);
int mysql_replica_delete(struct source *src, const struct table_def *def, const struct value *row);
bool mysql_replica_same_type(const char *have, const struct column *want, bool foreign);
int mysql_replica_drop_table(struct source *src, const struct table_def *def);
int mysql_replica_truncate(struct source *src, const struct table_def *def);
int mysql_replica_last_applied(struct source *src, const char *source_name, int64_t *seq,
			       char **batch_id);
int mysql_replica_mark_applied(struct source *src, const char *source_name, const char *batch_id,
			       int64_t seq, const char *created);
int mysql_replica_flush(struct source *src);
void mysql_replica_free_cache(struct source *src);
/* "INSERT INTO t (c1, c2) VALUES " and " ON DUPLICATE KEY UPDATE c2 = VALUES(c2)". */
void mysql_upsert_head(struct buf *sql, const struct table_def *def);
void mysql_upsert_tail(struct buf *sql, const struct table_def *def);

/* mysql_replica_bulk.c: runs of upserts or deletes of one table as
 * multi-row statements. mysql_bulk_add takes row into the pending
 * statement (flushing it first when it must go before row); *taken is
 * false when row must go by the one-row path (the pending statement is
 * flushed then). Flush sends what is pending; discard drops it (rollback). */
int mysql_bulk_add(struct source *src, const struct table_def *def, char op,
		   const struct value *row, bool *taken);
int mysql_bulk_send(struct source *src);
/* Sends what is pending of both paths: the load chunk, the statement. */
int mysql_bulk_flush(struct source *src);
void mysql_bulk_discard(struct source *src);
void mysql_bulk_free(struct source *src);
/* An upsert by the exact path: the pending multi-row statement, else one row. */
int mysql_upsert_exact(struct source *src, const struct table_def *def, const struct value *row);

/* mysql_replica_load.c: a load batch's rows of a table it emptied as LOAD
 * DATA LOCAL chunks, checked and redone by the exact path on any warning.
 * mysql_load_add takes row into the pending chunk, or flushes it and says
 * *taken false (the exact path's turn). mysql_load_handler makes the
 * connection serve LOCAL requests from the pending chunk only. */
void mysql_load_handler(MYSQL *db, struct source *src);
void mysql_load_emptied(struct source *src, const char *table);
int mysql_load_add(struct source *src, const struct table_def *def, const struct value *row,
		   bool *taken);
int mysql_load_flush(struct source *src);
void mysql_load_end_batch(struct source *src);
void mysql_load_free(struct source *src);

#endif
