/* MySQL/MariaDB: the changelog's owner record, <changelog>_owner, one row:
 * the chain consuming the changelog, the changelog's generation (new each
 * time the changelog is created, so a batch read from a dropped changelog
 * never acknowledges rows of its successor that reuse its seqs) and the last
 * batch acknowledged (so a stale copy of the state dir is told from the
 * owner). The SQLite twin is sqlite_owner.c. */
#include "codec.h"
#include "err.h"
#include "log.h"
#include "mysql_driver.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int mysql_owner_create(struct source *src)
{
	struct buf sql = BUF_INIT;
	buf_adds(&sql, "CREATE TABLE IF NOT EXISTS ");
	mysql_add_ident(&sql, src->owner_table);
	buf_adds(&sql, " (id INT NOT NULL PRIMARY KEY, chain VARCHAR(64) NULL,"
		       " generation VARCHAR(64) NOT NULL, acked BIGINT NOT NULL DEFAULT 0,"
		       " staged BIGINT NOT NULL DEFAULT 0)"
		       " ENGINE=InnoDB DEFAULT CHARSET=ascii COLLATE=ascii_bin");
	int rc = mysql_run(src, sql.data, "create changelog owner table");
	buf_reset(&sql);
	buf_adds(&sql, "INSERT IGNORE INTO ");
	mysql_add_ident(&sql, src->owner_table);
	buf_adds(&sql, " (id, generation) VALUES (1, REPLACE(UUID(), '-', ''))");
	if (!rc)
		rc = mysql_run(src, sql.data, "create changelog owner row");
	buf_free(&sql);
	return rc;
}

/* Reads the owner row (locked for the transaction) into out. */
static int read_owner(struct source *src, struct chain_owner *out)
{
	struct buf sql = BUF_INIT;
	buf_adds(&sql, "SELECT COALESCE(chain, ''), generation, acked, staged FROM ");
	mysql_add_ident(&sql, src->owner_table);
	buf_adds(&sql, " WHERE id = 1 FOR UPDATE");
	MYSQL_RES *res;
	int rc = mysql_select(src, sql.data, "read the changelog owner", &res);
	buf_free(&sql);
	if (rc)
		return rc;
	MYSQL_ROW row = mysql_fetch_row(res);
	if (row && row[1] && row[2] && row[3]) {
		snprintf(out->chain, sizeof(out->chain), "%s", row[0] ? row[0] : "");
		snprintf(out->generation, sizeof(out->generation), "%s", row[1]);
		out->acked = strtoll(row[2], NULL, 10);
		out->staged = strtoll(row[3], NULL, 10);
	} else {
		rc = err_set(CDC_ERUNTIME, "mysql %s: table %s has no owner row", src->db_shown,
			     NAME_SHOWN_SHORT(src->owner_table));
	}
	mysql_free_result(res);
	return rc;
}

int mysql_chain_owner(struct source *src, const char *chain, struct chain_owner *out)
{
	memset(out, 0, sizeof(*out));
	bool exists;
	int rc = mysql_table_exists(src, src->changelog, &exists);
	if (rc || !exists)
		return rc;
	out->present = true;
	/* DDL commits on its own: create first (once: a changelog made by an
	 * earlier cdcpack has none), then claim in a transaction. */
	bool have;
	rc = mysql_table_exists(src, src->owner_table, &have);
	if (!rc && !have)
		rc = mysql_owner_create(src);
	if (!rc)
		rc = mysql_run(src, "START TRANSACTION", "claim the changelog");
	struct buf sql = BUF_INIT;
	buf_adds(&sql, "UPDATE ");
	mysql_add_ident(&sql, src->owner_table);
	buf_adds(&sql, " SET chain = ");
	mysql_add_literal(src, &sql, chain);
	buf_adds(&sql, " WHERE id = 1 AND chain IS NULL");
	if (!rc)
		rc = mysql_run(src, sql.data, "claim the changelog");
	buf_free(&sql);
	if (!rc)
		rc = read_owner(src, out);
	if (!rc)
		rc = mysql_run(src, "COMMIT", "claim the changelog");
	if (rc)
		mysql_rollback(src->db);
	return rc;
}

int mysql_owner_ack_check(struct source *src, const struct chain_ack *who, bool *gone)
{
	*gone = false;
	bool exists = false;
	int rc = who ? mysql_table_exists(src, src->owner_table, &exists) : 0;
	if (rc || !exists)
		return rc;
	struct chain_owner o = {.present = true};
	rc = read_owner(src, &o);
	if (rc)
		return rc;
	if (o.chain[0] && strcmp(o.chain, who->chain) != 0)
		return err_set(CDC_ERUNTIME,
			       "mysql %s: changelog %s is now consumed by chain %s, not this state "
			       "dir's chain %s; batch %lld not acknowledged",
			       src->db_shown, NAME_SHOWN_SHORT(src->changelog),
			       NAME_SHOWN_SHORT(o.chain), who->chain, (long long)who->batch);
	*gone = who->generation && strcmp(o.generation, who->generation) != 0;
	if (*gone)
		log_warn("batch %lld was read from an earlier changelog %s (generation %s, now "
			 "%s): its rows went with it, nothing to delete",
			 (long long)who->batch, NAME_SHOWN_SHORT(src->changelog), who->generation,
			 NAME_SHOWN_SHORT(o.generation));
	return 0;
}

/* column = max(column, seq) in the owner row, when there is one; with no
 * column, staged = seq - 1 if it is seq. */
static int note(struct source *src, const char *column, int64_t seq, const char *what)
{
	bool exists = false;
	int rc = mysql_table_exists(src, src->owner_table, &exists);
	if (rc || !exists)
		return rc;
	struct buf sql = BUF_INIT;
	buf_adds(&sql, "UPDATE ");
	mysql_add_ident(&sql, src->owner_table);
	buf_addf(&sql, " SET %s = GREATEST(%s, %lld) WHERE id = 1", column, column, (long long)seq);
	rc = mysql_run(src, sql.data, what);
	buf_free(&sql);
	return rc;
}

int mysql_owner_ack_record(struct source *src, const struct chain_ack *who)
{
	return who ? note(src, "acked", who->batch, "record the acknowledgement") : 0;
}

int mysql_chain_staged(struct source *src, int64_t batch, bool withdrawn)
{
	/* Withdrawn: back to the batch before, unless a later one was staged. */
	return withdrawn ? note(src, NULL, batch, "withdraw the staged batch")
			 : note(src, "staged", batch, "record the staged batch");
}

bool mysql_is_owner_table(struct source *src, const char *table)
{
	struct buf sql = BUF_INIT;
	buf_adds(&sql, "SELECT COUNT(*) FROM information_schema.COLUMNS"
		       " WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ");
	mysql_add_literal(src, &sql, table);
	buf_adds(&sql, " AND COLUMN_NAME IN ('id', 'chain', 'generation', 'acked', 'staged')");
	int64_t n = 0;
	int rc = mysql_select_int(src, sql.data, "look up owner table", &n);
	buf_free(&sql);
	return !rc && n == 5;
}
