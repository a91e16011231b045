/* SQLite: the changelog's owner record, <changelog>_owner, one row: the chain
 * consuming the changelog, the changelog's generation (new each time the
 * changelog is created, so a batch read from a dropped changelog never
 * acknowledges rows of its successor that reuse its seqs) and the last batch
 * acknowledged (so a stale copy of the state dir is told from the owner). */
#include "codec.h"
#include "err.h"
#include "log.h"
#include "source_sqlite.h"
#include "sqlutil.h"

#include <stdio.h>
#include <string.h>

int sqlite_owner_create(struct source *src)
{
	struct buf sql = BUF_INIT;
	buf_adds(&sql, "CREATE TABLE IF NOT EXISTS ");
	sql_add_ident(&sql, src->owner_table, '"');
	buf_adds(&sql, "(id INTEGER PRIMARY KEY CHECK (id = 1), chain TEXT,"
		       " generation TEXT NOT NULL, acked INTEGER NOT NULL DEFAULT 0,"
		       " staged INTEGER NOT NULL DEFAULT 0);\n"
		       "INSERT OR IGNORE INTO ");
	sql_add_ident(&sql, src->owner_table, '"');
	buf_adds(&sql, "(id, generation) VALUES (1, lower(hex(randomblob(16))));");
	int rc = sqlite_exec(src, sql.data, "create changelog owner table");
	buf_free(&sql);
	return rc;
}

/* Reads the owner row into out (present stays as the caller set it). */
static int read_owner(struct source *src, struct chain_owner *out)
{
	struct buf sql = BUF_INIT;
	buf_adds(&sql, "SELECT coalesce(chain, ''), generation, acked, staged FROM ");
	sql_add_ident(&sql, src->owner_table, '"');
	buf_adds(&sql, " WHERE id = 1");
	sqlite3_stmt *st;
	int rc = sqlite_prepare(src, sql.data, &st);
	buf_free(&sql);
	if (rc)
		return rc;
	if (sqlite3_step(st) == SQLITE_ROW) {
		snprintf(out->chain, sizeof(out->chain), "%s", sqlite3_column_text(st, 0));
		snprintf(out->generation, sizeof(out->generation), "%s",
			 sqlite3_column_text(st, 1));
		out->acked = sqlite3_column_int64(st, 2);
		out->staged = sqlite3_column_int64(st, 3);
	} else {
		rc = err_set(CDC_ERUNTIME, "%s: table %s has no owner row", src->path,
			     NAME_SHOWN_SHORT(src->owner_table));
	}
	sqlite3_finalize(st);
	return rc;
}

static int claim(struct source *src, const char *chain)
{
	struct buf sql = BUF_INIT;
	buf_adds(&sql, "UPDATE ");
	sql_add_ident(&sql, src->owner_table, '"');
	buf_adds(&sql, " SET chain = ? WHERE id = 1 AND chain IS NULL");
	sqlite3_stmt *st;
	int rc = sqlite_prepare(src, sql.data, &st);
	buf_free(&sql);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, chain, -1, SQLITE_STATIC);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : sqlite_fail(src, "claim the changelog");
	sqlite3_finalize(st);
	return rc;
}

int sqlite_chain_owner(struct source *src, const char *chain, struct chain_owner *out)
{
	memset(out, 0, sizeof(*out));
	if (!sqlite_table_exists(src, src->changelog))
		return 0;
	out->present = true;
	int rc = sqlite_exec(src, "BEGIN IMMEDIATE", "claim the changelog");
	if (!rc)
		rc = sqlite_owner_create(src);
	if (!rc)
		rc = claim(src, chain);
	if (!rc)
		rc = read_owner(src, out);
	if (!rc)
		rc = sqlite_exec(src, "COMMIT", "claim the changelog");
	if (rc)
		sqlite3_exec(src->db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

int sqlite_owner_ack_check(struct source *src, const struct chain_ack *who, bool *skip)
{
	*skip = false;
	if (!who || !sqlite_table_exists(src, src->owner_table))
		return 0;
	struct chain_owner o = {.present = true};
	int rc = read_owner(src, &o);
	if (rc)
		return rc;
	if (o.chain[0] && strcmp(o.chain, who->chain) != 0)
		return err_set(CDC_ERUNTIME,
			       "%s: changelog %s is now consumed by chain %s, not this state "
			       "dir's chain %s; batch %lld not acknowledged",
			       src->path, NAME_SHOWN_SHORT(src->changelog),
			       NAME_SHOWN_SHORT(o.chain), who->chain, (long long)who->batch);
	if (who->generation && strcmp(o.generation, who->generation) != 0) {
		log_warn("batch %lld was read from an earlier changelog %s (generation %s, now "
			 "%s): its rows went with it, nothing to delete",
			 (long long)who->batch, NAME_SHOWN_SHORT(src->changelog), who->generation,
			 NAME_SHOWN_SHORT(o.generation));
		*skip = true;
	} else if (o.acked >= who->batch) {
		/* Committed with its delete by a run killed before the state said
		 * so (mid-ack): deleting its seqs again could only take rows that
		 * reuse them, were a seq ever reused. */
		log_info("batch %lld: its acknowledgement is already recorded in %s: nothing "
			 "deleted again",
			 (long long)who->batch, NAME_SHOWN_SHORT(src->owner_table));
		*skip = true;
	}
	return 0;
}

/* column = max(column, seq) in the owner row, when there is one; with no
 * column, staged = seq - 1 if it is seq. */
static int note(struct source *src, const char *column, int64_t seq, const char *what)
{
	if (!sqlite_table_exists(src, src->owner_table))
		return 0;
	struct buf sql = BUF_INIT;
	buf_adds(&sql, "UPDATE ");
	sql_add_ident(&sql, src->owner_table, '"');
	if (column)
		buf_addf(&sql, " SET %s = max(%s, ?1) WHERE id = 1", column, column);
	else
		buf_adds(&sql, " SET staged = ?1 - 1 WHERE id = 1 AND staged = ?1");
	sqlite3_stmt *st;
	int rc = sqlite_prepare(src, sql.data, &st);
	buf_free(&sql);
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, seq);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : sqlite_fail(src, what);
	sqlite3_finalize(st);
	return rc;
}

int sqlite_owner_ack_record(struct source *src, const struct chain_ack *who)
{
	return who ? note(src, "acked", who->batch, "record the acknowledgement") : 0;
}

int sqlite_chain_staged(struct source *src, int64_t batch, bool withdrawn)
{
	/* Withdrawn: back to the batch before, unless a later one was staged. */
	return withdrawn ? note(src, NULL, batch, "withdraw the staged batch")
			 : note(src, "staged", batch, "record the staged batch");
}

bool sqlite_is_owner_table(struct source *src, const char *table)
{
	sqlite3_stmt *st;
	if (sqlite_prepare(src,
			   "SELECT count(*) FROM pragma_table_info(?)"
			   " WHERE name IN ('id', 'chain', 'generation', 'acked', 'staged')",
			   &st))
		return false;
	sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
	bool yes = sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0) == 5;
	sqlite3_finalize(st);
	return yes;
}
