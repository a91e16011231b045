#include "binlogpos.h"

#include "buf.h"
#include "err.h"
#include "sqlutil.h"

#include <stdbool.h>
#include <jansson.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct binlogpos {
	sqlite3 *db;
	/* The columns binlogpos_current reads: "gtid" or "NULL" where a store
	 * of the layout before them, opened by a reader, lacks the column. */
	const char *gtid, *skips;
};

static int db_fail(struct binlogpos *bp, const char *what)
{
	return err_set(CDC_ERUNTIME, "state binlog.db: %s: %s%s", what, sqlite3_errmsg(bp->db),
		       sql_os_reason(bp->db));
}

/* The layout of binlog.db this build reads and writes, in meta 'format'
 * with the build that last wrote it ('cdcpack'); absent: this one (the
 * layouts before it differ only by the columns add_column adds). A build
 * whose binlog.db an earlier build would read wrong raises it. */
#define BINLOGPOS_FORMAT 1

static const char schema_sql[] =
	"PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
	"CREATE TABLE IF NOT EXISTS position(seq INTEGER PRIMARY KEY, pos TEXT NOT NULL,"
	" acked INTEGER NOT NULL DEFAULT 0, gtid TEXT, skips TEXT);";

static bool have_column(struct binlogpos *bp, const char *name)
{
	sqlite3_stmt *st = NULL;
	char *probe = xasprintf("SELECT %s FROM position", name);
	bool have = sqlite3_prepare_v2(bp->db, probe, -1, &st, NULL) == SQLITE_OK;
	sqlite3_finalize(st);
	free(probe);
	return have;
}

/* A binlog.db made before cdcpack recorded GTIDs (NULL: unknown, the
 * reader asks the server) and skips (NULL: none) gets the column. */
static int add_column(struct binlogpos *bp, const char *name)
{
	bool have = have_column(bp, name);
	char *alter = xasprintf("ALTER TABLE position ADD COLUMN %s TEXT", name);
	int rc = !have && sqlite3_exec(bp->db, alter, NULL, NULL, NULL) != SQLITE_OK
			 ? db_fail(bp, "add a column")
			 : 0;
	free(alter);
	return rc;
}

/* Skips as one JSON object, table: position (NULL when none). */
static char *skips_text(const struct log_pos *at)
{
	if (!at->skip_tables.n)
		return NULL;
	json_t *o = json_object();
	for (size_t i = 0; i < at->skip_tables.n; i++)
		json_object_set_new(o, at->skip_tables.v[i], json_string(at->skip_until.v[i]));
	char *text = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(o);
	return text;
}

static int skips_parse(const char *text, struct log_pos *out)
{
	if (!text)
		return 0;
	json_t *o = json_loads(text, 0, NULL);
	const char *table;
	json_t *until;
	json_object_foreach(o, table, until)
	{
		if (!json_is_string(until))
			break;
		strv_push(&out->skip_tables, table);
		strv_push(&out->skip_until, json_string_value(until));
	}
	bool ok = json_is_object(o) && out->skip_tables.n == json_object_size(o);
	json_decref(o);
	return ok ? 0
		  : err_set(CDC_ERUNTIME, "state binlog.db: skips are not table: position: %s",
			    text);
}

/* The schema, made or brought up to this build's once the format check let
 * it be read; then the format and build. */
static int prepare(struct binlogpos *bp, const struct sql_format *f)
{
	bool same = false;
	int rc = sql_format_check(bp->db, f, &same, NULL);
	if (!rc && sqlite3_exec(bp->db, schema_sql, NULL, NULL, NULL) != SQLITE_OK)
		rc = db_fail(bp, "create schema");
	if (!rc)
		rc = add_column(bp, "gtid");
	if (!rc)
		rc = add_column(bp, "skips");
	if (!rc && !same)
		rc = sql_format_write(bp->db, f);
	return rc;
}

/* status reads the store as it is, writing nothing (docs/design.md §9): read
 * only, a layout before gtid and skips read without them (the next run adds
 * them). */
static int open_reader(struct binlogpos *bp, const char *path, const struct sql_format *f,
		       bool immutable)
{
	sqlite3_close(bp->db);
	bp->db = NULL;
	if (sql_open_read(path, immutable, &bp->db) != SQLITE_OK)
		return db_fail(bp, "open read-only");
	bool same = false;
	int rc = sql_format_check(bp->db, f, &same, NULL);
	if (!rc) {
		bp->gtid = have_column(bp, "gtid") ? "gtid" : "NULL";
		bp->skips = have_column(bp, "skips") ? "skips" : "NULL";
	}
	return rc;
}

/* As state_open_read: without the -shm a WAL file needs (a directory it
 * cannot write), the file is read as immutable when no run holds it. */
static int open_read(struct binlogpos *bp, const char *path, const char *state_dir,
		     const struct sql_format *f)
{
	int rc = open_reader(bp, path, f, false);
	if (rc && sql_cannot_index_wal(bp->db) && sql_read_immutable_ok(path, state_dir)) {
		err_clear();
		rc = open_reader(bp, path, f, true);
	}
	return rc;
}

int binlogpos_open(struct binlogpos **out, const char *state_dir, bool writer)
{
	struct binlogpos *bp = xcalloc(1, sizeof(*bp));
	bp->gtid = "gtid";
	bp->skips = "skips";
	char *path = xasprintf("%s/binlog.db", state_dir);
	const struct sql_format f = {path, "format", "binlog position format", BINLOGPOS_FORMAT};
	int rc = 0;
	if (writer) {
		mode_t old = umask(077); /* 0600, as state.db */
		if (sqlite3_open_v2(path, &bp->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
				    NULL) != SQLITE_OK)
			rc = db_fail(bp, "open");
		umask(old);
		if (!rc) {
			sqlite3_busy_timeout(bp->db, 10000);
			rc = prepare(bp, &f);
		}
	} else {
		rc = open_read(bp, path, state_dir, &f);
	}
	free(path);
	if (rc) {
		binlogpos_close(bp);
		bp = NULL;
	}
	*out = bp;
	return rc;
}

void binlogpos_close(struct binlogpos *bp)
{
	if (!bp)
		return;
	sqlite3_close(bp->db);
	free(bp);
}

static char *column_text(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);
	return t ? xstrdup((const char *)t) : NULL;
}

/* Runs sql with seq (and at's pos, gtid and skips) bound; a row's columns
 * into *out. */
static int run(struct binlogpos *bp, const char *sql, int64_t seq, const struct log_pos *at,
	       struct log_pos *out, const char *what)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(bp->db, sql, -1, &st, NULL) == SQLITE_OK ? 0 : -1;
	if (!rc && sqlite3_bind_parameter_count(st) >= 1)
		sqlite3_bind_int64(st, 1, seq);
	if (!rc && at) {
		sqlite3_bind_text(st, 2, at->pos, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, at->gtid, -1, SQLITE_STATIC); /* NULL binds NULL */
		sqlite3_bind_text(st, 4, skips_text(at), -1, free);
	}
	int step = rc ? SQLITE_ERROR : sqlite3_step(st);
	rc = step == SQLITE_ROW || step == SQLITE_DONE ? 0 : db_fail(bp, what);
	if (!rc && step == SQLITE_ROW && out) {
		out->pos = column_text(st, 0);
		out->gtid = column_text(st, 1);
		rc = skips_parse((const char *)sqlite3_column_text(st, 2), out);
	}
	sqlite3_finalize(st);
	return rc;
}

int binlogpos_current(struct binlogpos *bp, struct log_pos *out)
{
	memset(out, 0, sizeof(*out));
	char *sql = xasprintf("SELECT pos, %s, %s FROM position WHERE acked ORDER BY seq DESC "
			      "LIMIT 1",
			      bp->gtid, bp->skips);
	int rc = run(bp, sql, 0, NULL, out, "read the current position");
	free(sql);
	return rc;
}

int binlogpos_pending(struct binlogpos *bp, int64_t seq, const struct log_pos *at)
{
	return run(bp,
		   "INSERT OR REPLACE INTO position(seq, pos, acked, gtid, skips) VALUES (?1, ?2, "
		   "0, ?3, ?4)",
		   seq, at, NULL, "record a batch's position");
}

int binlogpos_promote(struct binlogpos *bp, int64_t seq)
{
	int rc = run(bp, "UPDATE position SET acked = 1 WHERE seq = ?1", seq, NULL, NULL,
		     "acknowledge a batch's position");
	/* Only the newest acknowledged position is read again. */
	if (!rc)
		rc = run(bp, "DELETE FROM position WHERE seq < ?1 AND acked", seq, NULL, NULL,
			 "forget older positions");
	return rc;
}
