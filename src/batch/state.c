#include "state.h"

#include "buf.h"
#include "err.h"
#include "fault.h"
#include "source.h"
#include "fsutil.h"
#include "hash.h"
#include "sqlutil.h"
#include "version.h"

#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

/* Owns db, dir and chain. */
struct state {
	sqlite3 *db;
	char *dir;
	char *chain;
	/* The build that last wrote state.db (meta 'cdcpack') as it was when
	 * opened; NULL: none recorded (a build before it, or a new state dir). */
	char *built_by;
	/* Opened read-only on a state dir of a version before batches.generation
	 * (migrate adds it at the next writable open): read as NULL. */
	bool no_generation;
};

static const char schema_sql[] =
	"CREATE TABLE IF NOT EXISTS meta(k TEXT PRIMARY KEY, v TEXT NOT NULL);"
	"CREATE TABLE IF NOT EXISTS batches("
	" seq INTEGER PRIMARY KEY, id TEXT NOT NULL, kind TEXT NOT NULL,"
	" state INTEGER NOT NULL, created TEXT NOT NULL, key TEXT NOT NULL, file TEXT NOT NULL,"
	" bytes INTEGER NOT NULL, xxh128 TEXT NOT NULL, rows INTEGER NOT NULL,"
	" first_seq INTEGER, last_seq INTEGER, published_at TEXT, acked_at TEXT);"
	"CREATE TABLE IF NOT EXISTS batch_ranges(batch_seq INTEGER NOT NULL, lo INTEGER NOT NULL,"
	" hi INTEGER NOT NULL);"
	"CREATE INDEX IF NOT EXISTS batch_ranges_seq ON batch_ranges(batch_seq);"
	"CREATE TABLE IF NOT EXISTS shipped_columns(tbl TEXT PRIMARY KEY, columns TEXT NOT NULL);"
	/* [lake]: the LOAD file numbers each load batch took per table. */
	"CREATE TABLE IF NOT EXISTS lake_loads(batch_seq INTEGER NOT NULL, tbl TEXT NOT NULL,"
	" first INTEGER NOT NULL, n INTEGER NOT NULL, PRIMARY KEY(batch_seq, tbl));";

/* The layout of state.db this build reads and writes, recorded in meta
 * 'state_format' with the build that last wrote it ('cdcpack'); absent: the
 * layouts before it, which migrate brings up to this one. A build whose
 * state.db an earlier build would read wrong raises it. */
#define STATE_FORMAT 1

const char *batch_state_name(enum batch_state s)
{
	static const char *const names[] = {"staged", "uploaded", "published", "acked"};
	return names[s];
}

static int db_fail(struct state *st, const char *what)
{
	return err_set(CDC_ERUNTIME, "%s/state.db: %s: %s%s", st->dir, what, sqlite3_errmsg(st->db),
		       sql_os_reason(st->db));
}

/* The state dir holds the data and decides what is acknowledged: it must be
 * ours and private (fs_private_dir), or anyone could plant a staging symlink
 * or a lock there. The configured path itself may be a symlink. */
static int mkdir_private(const char *dir)
{
	return fs_private_dir(dir, "state dir", true);
}

/* state.db and the files SQLite keeps beside it: regular files or absent. A
 * symlink there would have SQLite write through it. */
static int check_db_files(const char *dir)
{
	static const char *const names[] = {"state.db", "state.db-wal", "state.db-shm",
					    "state.db-journal"};
	int rc = 0;
	for (size_t i = 0; i < sizeof(names) / sizeof(*names) && !rc; i++) {
		char *path = xasprintf("%s/%s", dir, names[i]);
		struct stat sb;
		if (lstat(path, &sb) == 0 && !S_ISREG(sb.st_mode))
			rc = err_set(CDC_EUSAGE,
				     "%s: not a regular file (a symbolic link?); refusing to "
				     "open it: remove it, or restore the state dir from a backup",
				     path);
		free(path);
	}
	return rc;
}

/* The folders cdcpack keeps in the state dir, checked at every open so a
 * planted symlink stops the command before it reads or writes anything. */
static int check_subdirs(const char *dir)
{
	static const char *const names[] = {"staging", "work", "snapshot"};
	int rc = 0;
	for (size_t i = 0; i < sizeof(names) / sizeof(*names) && !rc; i++) {
		char *path = xasprintf("%s/%s", dir, names[i]);
		char *what = xasprintf("%s dir", names[i]);
		struct stat sb;
		if (lstat(path, &sb) == 0)
			rc = fs_private_dir(path, what, false);
		free(what);
		free(path);
	}
	return rc;
}

int state_lock(const char *dir, int *fd)
{
	*fd = -1;
	int rc = mkdir_private(dir);
	if (rc)
		return rc;
	char *path = xasprintf("%s/lock", dir);
	int f = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (f < 0 && errno == ELOOP) {
		rc = err_set(CDC_EUSAGE,
			     "%s: lock file is a symbolic link; refusing to follow it (remove it)",
			     path);
	} else if (f < 0) {
		rc = err_set(CDC_ERUNTIME, "%s: cannot open lock file: %s", path, strerror(errno));
	} else if (flock(f, LOCK_EX | LOCK_NB) != 0) {
		rc = errno == EWOULDBLOCK
			     ? err_set(CDC_ELOCKED,
				       "%s: another cdcpack run holds the lock; nothing was done",
				       dir)
			     : err_set(CDC_ERUNTIME, "%s: lock: %s", path, strerror(errno));
		close(f);
	} else {
		*fd = f;
	}
	free(path);
	return rc;
}

void state_unlock(int fd)
{
	if (fd >= 0)
		close(fd);
}

bool state_dir_is_new(const char *dir)
{
	struct stat sb;
	return lstat(dir, &sb) != 0 && errno == ENOENT;
}

void state_remove_new(const char *dir)
{
	/* The lock last: another process that opens it before then finds it
	 * held (exit 75), one that opens it after makes a new one, and the
	 * folder then stays as that process uses it. */
	static const char *const names[] = {"state.db", "state.db-wal", "state.db-shm",
					    "state.db-journal", "lock"};
	for (size_t i = 0; i < sizeof(names) / sizeof(*names); i++) {
		char *path = xasprintf("%s/%s", dir, names[i]);
		(void)unlink(path);
		free(path);
	}
	(void)rmdir(dir);
}

/* readonly: a state dir that names no source yet is taken as it is. */
static int check_source(struct state *st, const char *source_name, bool readonly)
{
	sqlite3_stmt *q;
	if (sqlite3_prepare_v2(st->db, "SELECT v FROM meta WHERE k='source'", -1, &q, NULL))
		return db_fail(st, "read meta");
	int rc = 0;
	if (sqlite3_step(q) == SQLITE_ROW) {
		const char *have = (const char *)sqlite3_column_text(q, 0);
		if (strcmp(have, source_name) != 0)
			rc = err_set(CDC_EUSAGE,
				     "%s: state dir belongs to source '%s', not '%s'; use another "
				     "[state] dir",
				     st->dir, have, source_name);
	} else if (!readonly) {
		char *sql = sqlite3_mprintf("INSERT INTO meta VALUES('source', %Q)", source_name);
		if (sqlite3_exec(st->db, sql, NULL, NULL, NULL) != SQLITE_OK)
			rc = db_fail(st, "write meta");
		sqlite3_free(sql);
	}
	sqlite3_finalize(q);
	return rc;
}

int state_meta_get(struct state *st, const char *k, char **out)
{
	return sql_meta_get(st->db, k, out) == SQLITE_OK ? 0 : db_fail(st, "read meta");
}

int state_meta_set(struct state *st, const char *k, const char *v)
{
	return sql_meta_set(st->db, k, v) == SQLITE_OK ? 0 : db_fail(st, "write meta");
}

/* Whether batches has its generation column. */
static int have_generation(struct state *st, bool *have)
{
	sqlite3_stmt *q;
	if (sqlite3_prepare_v2(st->db,
			       "SELECT count(*) FROM pragma_table_info('batches')"
			       " WHERE name = 'generation'",
			       -1, &q, NULL))
		return db_fail(st, "read schema");
	*have = sqlite3_step(q) == SQLITE_ROW && sqlite3_column_int(q, 0) > 0;
	sqlite3_finalize(q);
	return 0;
}

/* batches.generation came after the first state dirs: added when missing. */
static int migrate(struct state *st)
{
	bool have = false;
	int rc = have_generation(st, &have);
	if (rc)
		return rc;
	if (!have && sqlite3_exec(st->db, "ALTER TABLE batches ADD COLUMN generation TEXT", NULL,
				  NULL, NULL) != SQLITE_OK)
		return db_fail(st, "add batches.generation");
	return 0;
}

/* state.db's format record, named by its path in *file (the caller frees). */
static struct sql_format state_format(const struct state *st, char **file)
{
	*file = xasprintf("%s/state.db", st->dir);
	return (struct sql_format){*file, "state_format", "state format", STATE_FORMAT};
}

/* Refuses a state.db a newer build made (its state_format above ours) before
 * anything reads or writes it; *same: it already records this format and
 * build. A state.db without meta yet (new) has no format. */
static int check_format(struct state *st, bool *same)
{
	char *file;
	const struct sql_format f = state_format(st, &file);
	free(st->built_by);
	int rc = sql_format_check(st->db, &f, same, &st->built_by);
	free(file);
	return rc;
}

/* Records this build's format and name, when the state.db does not yet. */
static int write_format(struct state *st, bool same)
{
	if (same)
		return 0;
	char *file;
	const struct sql_format f = state_format(st, &file);
	int rc = sql_format_write(st->db, &f);
	free(file);
	return rc;
}

/* The chain id: made once, with the state dir (or at its first open by this
 * version), and copied with it; the source's owner record names it. */
static int read_chain(struct state *st)
{
	char *chain = NULL;
	int rc = state_meta_get(st, "chain", &chain);
	st->chain = chain;
	return rc;
}

static int load_chain(struct state *st)
{
	unsigned char raw[CHAIN_ID_LEN / 2];
	if (getrandom(raw, sizeof(raw), 0) != (ssize_t)sizeof(raw))
		return err_set(CDC_ERUNTIME, "getrandom: %s", strerror(errno));
	char hex[CHAIN_ID_LEN + 1];
	for (size_t i = 0; i < sizeof(raw); i++)
		snprintf(hex + 2 * i, 3, "%02x", raw[i]);
	char *sql = sqlite3_mprintf("INSERT OR IGNORE INTO meta VALUES('chain', %Q)", hex);
	int rc = sqlite3_exec(st->db, sql, NULL, NULL, NULL) == SQLITE_OK
			 ? 0
			 : db_fail(st, "write meta");
	sqlite3_free(sql);
	if (!rc)
		rc = read_chain(st);
	if (!rc && !st->chain)
		rc = db_fail(st, "read meta");
	return rc;
}

int state_open(struct state **out, const char *dir, const char *source_name)
{
	*out = NULL;
	int rc = mkdir_private(dir);
	if (!rc)
		rc = check_db_files(dir);
	if (!rc)
		rc = check_subdirs(dir);
	if (rc)
		return rc;
	struct state *st = xcalloc(1, sizeof(*st));
	st->dir = xstrdup(dir);
	bool same = false;
	char *path = xasprintf("%s/state.db", dir);
	/* Created 0600 by the umask below: state names keys and tables. */
	mode_t old = umask(077);
	int orc = sqlite3_open_v2(path, &st->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
	umask(old);
	free(path);
	if (orc != SQLITE_OK) {
		rc = db_fail(st, "open");
	} else {
		sqlite3_busy_timeout(st->db, 10000);
		rc = check_format(st, &same);
	}
	if (!rc) {
		if (sqlite3_exec(st->db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;", NULL,
				 NULL, NULL) != SQLITE_OK ||
		    sqlite3_exec(st->db, schema_sql, NULL, NULL, NULL) != SQLITE_OK)
			rc = db_fail(st, "create schema");
	}
	if (!rc)
		rc = check_source(st, source_name, false);
	if (!rc)
		rc = migrate(st);
	if (!rc)
		rc = write_format(st, same);
	if (!rc)
		rc = load_chain(st);
	if (rc) {
		state_close(st);
		return rc;
	}
	*out = st;
	return 0;
}

/* Opens state.db read-only (immutable: as a file nobody changes) and reads
 * what every reader needs: the source it belongs to, the chain id. */
static int open_read(struct state *st, const char *source_name, bool immutable)
{
	sqlite3_close(st->db);
	st->db = NULL;
	char *path = xasprintf("%s/state.db", st->dir);
	int orc = sql_open_read(path, immutable, &st->db);
	free(path);
	if (orc != SQLITE_OK)
		return db_fail(st, "open read-only");
	bool same;
	int rc = check_format(st, &same);
	if (!rc)
		rc = check_source(st, source_name, true);
	bool have = false;
	if (!rc)
		rc = have_generation(st, &have);
	st->no_generation = !have;
	return rc ? rc : read_chain(st);
}

int state_open_read(struct state **out, const char *dir, const char *source_name)
{
	*out = NULL;
	char *path = xasprintf("%s/state.db", dir);
	struct stat sb;
	bool none = lstat(path, &sb) != 0 && errno == ENOENT;
	free(path);
	int rc = fs_private_dir(dir, "state dir", true);
	if (!rc)
		rc = check_db_files(dir);
	if (!rc)
		rc = check_subdirs(dir);
	if (rc || none)
		return rc;
	struct state *st = xcalloc(1, sizeof(*st));
	st->dir = xstrdup(dir);
	rc = open_read(st, source_name, false);
	/* docs/design.md §9: status reads a state dir it cannot write. SQLite
	 * wants a -shm beside a WAL database even to read it; when it cannot
	 * make one, the file is read as immutable, but only when no connection
	 * holds it (no -wal, no -shm) and this process cannot write the dir
	 * (so no run of ours can start during the read); otherwise the WAL may
	 * hold what the file does not yet, and status says so. */
	path = xasprintf("%s/state.db", dir);
	if (rc && sql_cannot_index_wal(st->db) && sql_read_immutable_ok(path, dir)) {
		err_clear();
		rc = open_read(st, source_name, true);
	} else if (rc && sql_cannot_index_wal(st->db)) {
		rc = err_set(CDC_ERUNTIME,
			     "%s/state.db: cannot read it without creating or growing "
			     "state.db-shm beside it (%s%s), and reading the file alone could "
			     "miss changes a run still holds in state.db-wal; run status where "
			     "it may write the state dir (as the user who runs cdcpack, without "
			     "a file-size limit)",
			     dir, sqlite3_errmsg(st->db), sql_os_reason(st->db));
	}
	free(path);
	if (rc) {
		state_close(st);
		return rc;
	}
	*out = st;
	return 0;
}

void state_close(struct state *st)
{
	if (!st)
		return;
	sqlite3_close(st->db);
	free(st->dir);
	free(st->chain);
	free(st->built_by);
	free(st);
}

const char *state_dir(const struct state *st)
{
	return st->dir;
}

const char *state_chain(const struct state *st)
{
	return st->chain;
}

const char *state_built_by(const struct state *st)
{
	return st->built_by;
}

int state_forget(struct state *st, int64_t seq)
{
	char *sql =
		sqlite3_mprintf("BEGIN IMMEDIATE; DELETE FROM batch_ranges WHERE batch_seq=%lld;"
				" DELETE FROM batches WHERE seq=%lld; COMMIT;",
				(long long)seq, (long long)seq);
	int rc = sqlite3_exec(st->db, sql, NULL, NULL, NULL) == SQLITE_OK
			 ? 0
			 : db_fail(st, "forget batch");
	sqlite3_free(sql);
	if (rc)
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

int state_next_seq(struct state *st, int64_t *seq, char **previous_id)
{
	sqlite3_stmt *q;
	*seq = 1;
	*previous_id = NULL;
	if (sqlite3_prepare_v2(st->db, "SELECT seq, id FROM batches ORDER BY seq DESC LIMIT 1", -1,
			       &q, NULL))
		return db_fail(st, "read batches");
	if (sqlite3_step(q) == SQLITE_ROW) {
		*seq = sqlite3_column_int64(q, 0) + 1;
		*previous_id = xstrdup((const char *)sqlite3_column_text(q, 1));
	}
	sqlite3_finalize(q);
	return 0;
}

static int insert_ranges(struct state *st, const struct batch *b)
{
	sqlite3_stmt *q;
	if (sqlite3_prepare_v2(st->db, "INSERT INTO batch_ranges VALUES(?,?,?)", -1, &q, NULL))
		return db_fail(st, "record ranges");
	int rc = 0;
	for (size_t i = 0; i < b->nranges && !rc; i++) {
		sqlite3_bind_int64(q, 1, b->seq);
		sqlite3_bind_int64(q, 2, b->ranges[i][0]);
		sqlite3_bind_int64(q, 3, b->ranges[i][1]);
		if (sqlite3_step(q) != SQLITE_DONE)
			rc = db_fail(st, "record ranges");
		sqlite3_reset(q);
	}
	sqlite3_finalize(q);
	return rc;
}

static void bind_seq_or_null(sqlite3_stmt *q, int idx, int64_t v)
{
	if (v < 0)
		sqlite3_bind_null(q, idx);
	else
		sqlite3_bind_int64(q, idx, v);
}

static int insert_batch(struct state *st, const struct batch *b)
{
	sqlite3_stmt *q;
	if (sqlite3_prepare_v2(
		    st->db,
		    "INSERT INTO batches(seq, id, kind, state, created, key, file, bytes,"
		    " xxh128, rows, first_seq, last_seq, generation)"
		    " VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?)",
		    -1, &q, NULL))
		return db_fail(st, "record batch");
	sqlite3_bind_int64(q, 1, b->seq);
	sqlite3_bind_text(q, 2, b->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, b->kind, -1, SQLITE_STATIC);
	sqlite3_bind_int(q, 4, BATCH_STAGED);
	sqlite3_bind_text(q, 5, b->created, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 6, b->key, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 7, b->file, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 8, b->bytes);
	sqlite3_bind_text(q, 9, b->xxh128, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 10, b->rows);
	bind_seq_or_null(q, 11, b->first_seq);
	bind_seq_or_null(q, 12, b->last_seq);
	sqlite3_bind_text(q, 13, b->generation, -1, SQLITE_STATIC);
	int rc = sqlite3_step(q) == SQLITE_DONE ? 0 : db_fail(st, "record batch");
	sqlite3_finalize(q);
	return rc;
}

static int set_columns(struct state *st, const char *table, const char *columns, bool replace)
{
	sqlite3_stmt *q;
	if (sqlite3_prepare_v2(st->db,
			       replace ? "INSERT OR REPLACE INTO shipped_columns VALUES(?,?)"
				       : "INSERT OR IGNORE INTO shipped_columns VALUES(?,?)",
			       -1, &q, NULL))
		return db_fail(st, "record shipped columns");
	sqlite3_bind_text(q, 1, table, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, columns, -1, SQLITE_STATIC);
	int rc = sqlite3_step(q) == SQLITE_DONE ? 0 : db_fail(st, "record shipped columns");
	sqlite3_finalize(q);
	return rc;
}

int state_note_columns(struct state *st, const char *table, const char *columns)
{
	return set_columns(st, table, columns, false);
}

int state_mark_replaced(struct state *st, const char *table)
{
	/* A column with an empty name: no source table has one. */
	return set_columns(st, table, "[{\"name\":\"\",\"type\":\"\",\"key\":false}]", true);
}

int state_shipped_columns(struct state *st, const char *table, char **out)
{
	*out = NULL;
	sqlite3_stmt *q;
	if (sqlite3_prepare_v2(st->db, "SELECT columns FROM shipped_columns WHERE tbl = ?", -1, &q,
			       NULL))
		return db_fail(st, "read shipped columns");
	sqlite3_bind_text(q, 1, table, -1, SQLITE_STATIC);
	int step = sqlite3_step(q);
	if (step == SQLITE_ROW)
		*out = xstrdup((const char *)sqlite3_column_text(q, 0));
	int rc =
		step == SQLITE_ROW || step == SQLITE_DONE ? 0 : db_fail(st, "read shipped columns");
	sqlite3_finalize(q);
	return rc;
}

int state_shipped_tables(struct state *st, struct strv *out)
{
	sqlite3_stmt *q;
	if (sqlite3_prepare_v2(st->db, "SELECT tbl FROM shipped_columns ORDER BY tbl", -1, &q,
			       NULL))
		return db_fail(st, "read shipped tables");
	int step;
	while ((step = sqlite3_step(q)) == SQLITE_ROW)
		strv_push(out, (const char *)sqlite3_column_text(q, 0));
	sqlite3_finalize(q);
	return step == SQLITE_DONE ? 0 : db_fail(st, "read shipped tables");
}

int state_shipped_digest(struct state *st, char **out)
{
	*out = NULL;
	sqlite3_stmt *q;
	if (sqlite3_prepare_v2(st->db, "SELECT tbl, columns FROM shipped_columns ORDER BY tbl", -1,
			       &q, NULL))
		return db_fail(st, "read shipped columns");
	struct hash_stream h;
	hash_stream_init(&h);
	int step;
	while ((step = sqlite3_step(q)) == SQLITE_ROW)
		for (int c = 0; c < 2; c++)
			hash_stream_update(&h, sqlite3_column_text(q, c),
					   (size_t)sqlite3_column_bytes(q, c) + 1);
	sqlite3_finalize(q);
	char hex[HASH_HEX_LEN + 1];
	hash_stream_hex(&h, hex);
	hash_stream_free(&h);
	if (step != SQLITE_DONE)
		return db_fail(st, "read shipped columns");
	*out = xstrdup(hex);
	return 0;
}

int state_forget_columns(struct state *st, const char *table)
{
	sqlite3_stmt *q;
	if (sqlite3_prepare_v2(st->db, "DELETE FROM shipped_columns WHERE tbl = ?", -1, &q, NULL))
		return db_fail(st, "forget shipped columns");
	sqlite3_bind_text(q, 1, table, -1, SQLITE_STATIC);
	int rc = sqlite3_step(q) == SQLITE_DONE ? 0 : db_fail(st, "forget shipped columns");
	sqlite3_finalize(q);
	return rc;
}

/* In the batch's own transaction: a run killed after staging still knows
 * which columns replicas will have once the batch is applied. */
int state_add_batch(struct state *st, const struct batch *b)
{
	if (sqlite3_exec(st->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		return db_fail(st, "begin");
	int rc = insert_batch(st, b);
	if (!rc)
		fault_point("mid-stage-record");
	if (!rc)
		rc = insert_ranges(st, b);
	for (size_t i = 0; i + 1 < b->shipped.n && !rc; i += 2)
		rc = set_columns(st, b->shipped.v[i], b->shipped.v[i + 1], true);
	if (!rc && sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		rc = db_fail(st, "commit");
	if (rc)
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

int state_set(struct state *st, int64_t seq, enum batch_state to)
{
	static const char *const sql[] = {
		"UPDATE batches SET state=0 WHERE seq=?",
		"UPDATE batches SET state=1 WHERE seq=?",
		"UPDATE batches SET state=2, published_at=" SQLITE_ISO_NOW " WHERE seq=?",
		"UPDATE batches SET state=3, acked_at=" SQLITE_ISO_NOW " WHERE seq=?",
	};
	sqlite3_stmt *q;
	if (sqlite3_prepare_v2(st->db, sql[to], -1, &q, NULL))
		return db_fail(st, "update batch");
	sqlite3_bind_int64(q, 1, seq);
	int rc = sqlite3_step(q) == SQLITE_DONE ? 0 : db_fail(st, "update batch");
	sqlite3_finalize(q);
	return rc;
}

static char *col_strdup(sqlite3_stmt *q, int i)
{
	const char *s = (const char *)sqlite3_column_text(q, i);
	return s ? xstrdup(s) : NULL;
}

static int load_ranges(struct state *st, struct batch *b)
{
	sqlite3_stmt *q;
	if (sqlite3_prepare_v2(st->db,
			       "SELECT lo, hi FROM batch_ranges WHERE batch_seq=? ORDER BY lo", -1,
			       &q, NULL))
		return db_fail(st, "read ranges");
	sqlite3_bind_int64(q, 1, b->seq);
	size_t cap = 0;
	while (sqlite3_step(q) == SQLITE_ROW) {
		if (b->nranges == cap) {
			cap = cap ? cap * 2 : 8;
			b->ranges = xrealloc(b->ranges, cap * sizeof(*b->ranges));
		}
		b->ranges[b->nranges][0] = sqlite3_column_int64(q, 0);
		b->ranges[b->nranges][1] = sqlite3_column_int64(q, 1);
		b->nranges++;
	}
	sqlite3_finalize(q);
	return 0;
}

static void read_batch(sqlite3_stmt *q, struct batch *b)
{
	memset(b, 0, sizeof(*b));
	b->seq = sqlite3_column_int64(q, 0);
	b->id = col_strdup(q, 1);
	b->kind = col_strdup(q, 2);
	b->state = (enum batch_state)sqlite3_column_int(q, 3);
	b->created = col_strdup(q, 4);
	b->key = col_strdup(q, 5);
	b->file = col_strdup(q, 6);
	b->bytes = sqlite3_column_int64(q, 7);
	snprintf(b->xxh128, sizeof(b->xxh128), "%s", (const char *)sqlite3_column_text(q, 8));
	b->rows = sqlite3_column_int64(q, 9);
	b->first_seq = sqlite3_column_type(q, 10) == SQLITE_NULL ? -1 : sqlite3_column_int64(q, 10);
	b->last_seq = sqlite3_column_type(q, 11) == SQLITE_NULL ? -1 : sqlite3_column_int64(q, 11);
	b->published_at = col_strdup(q, 12);
	b->generation = col_strdup(q, 13);
}

static int select_batches(struct state *st, const char *where, struct batch **out, size_t *n)
{
	char *sql =
		xasprintf("SELECT seq, id, kind, state, created, key, file, bytes, xxh128, rows,"
			  " first_seq, last_seq, published_at, %s FROM batches %s"
			  " ORDER BY seq",
			  st->no_generation ? "NULL" : "generation", where);
	sqlite3_stmt *q;
	int prc = sqlite3_prepare_v2(st->db, sql, -1, &q, NULL);
	free(sql);
	*out = NULL;
	*n = 0;
	if (prc)
		return db_fail(st, "read batches");
	size_t cap = 0;
	int rc = 0;
	while (!rc && sqlite3_step(q) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 8;
			*out = xrealloc(*out, cap * sizeof(**out));
		}
		read_batch(q, &(*out)[*n]);
		rc = load_ranges(st, &(*out)[(*n)++]);
	}
	sqlite3_finalize(q);
	return rc;
}

/* Acknowledged batches of generation ?1 and their ranges. */
#define ACKED_RANGES                                                                               \
	" FROM batch_ranges r JOIN batches b ON b.seq = r.batch_seq WHERE b.state = 3 AND"         \
	" b.generation IS ?1"

int state_acked_top(struct state *st, const char *generation, int64_t *top)
{
	*top = 0;
	if (st->no_generation)
		return 0;
	sqlite3_stmt *q;
	if (sqlite3_prepare_v2(st->db, "SELECT coalesce(max(r.hi), 0)" ACKED_RANGES, -1, &q, NULL))
		return db_fail(st, "read acknowledged ranges");
	sqlite3_bind_text(q, 1, generation, -1, SQLITE_STATIC);
	int rc = sqlite3_step(q) == SQLITE_ROW ? 0 : db_fail(st, "read acknowledged ranges");
	if (!rc)
		*top = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	return rc;
}

int state_acked_ranges(struct state *st, const char *generation, int64_t from,
		       struct acked_range **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	sqlite3_stmt *q;
	if (sqlite3_prepare_v2(st->db,
			       "SELECT r.lo, r.hi, r.batch_seq" ACKED_RANGES
			       " AND r.hi >= ?2 ORDER BY r.lo",
			       -1, &q, NULL))
		return db_fail(st, "read acknowledged ranges");
	sqlite3_bind_text(q, 1, generation, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 2, from);
	size_t cap = 0;
	int step;
	while ((step = sqlite3_step(q)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 8;
			*out = xrealloc(*out, cap * sizeof(**out));
		}
		(*out)[(*n)++] =
			(struct acked_range){sqlite3_column_int64(q, 0), sqlite3_column_int64(q, 1),
					     sqlite3_column_int64(q, 2)};
	}
	int rc = step == SQLITE_DONE ? 0 : db_fail(st, "read acknowledged ranges");
	sqlite3_finalize(q);
	if (rc) {
		free(*out);
		*out = NULL;
		*n = 0;
	}
	return rc;
}

int state_unfinished(struct state *st, struct batch **out, size_t *n)
{
	return select_batches(st, "WHERE state < 3", out, n);
}

int state_all(struct state *st, struct batch **out, size_t *n)
{
	return select_batches(st, "", out, n);
}

void batch_clear(struct batch *b)
{
	free(b->id);
	free(b->kind);
	free(b->created);
	free(b->key);
	free(b->file);
	free(b->ranges);
	free(b->published_at);
	free(b->generation);
	strv_free(&b->shipped);
	memset(b, 0, sizeof(*b));
}

void batches_free(struct batch *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		batch_clear(&v[i]);
	free(v);
}

int state_lake_first(struct state *st, int64_t seq, const char *table, unsigned n, unsigned *first)
{
	/* One statement, so the number is taken whole or not at all; a batch
	 * that has one keeps it (INSERT OR IGNORE), so a rerun finds the same. */
	static const char take[] =
		"INSERT OR IGNORE INTO lake_loads SELECT ?1, ?2, coalesce((SELECT max(first + n)"
		" FROM lake_loads WHERE tbl = ?2), 1), ?3";
	static const char read[] = "SELECT first FROM lake_loads WHERE batch_seq = ?1 AND tbl = ?2";
	const char *const sql[] = {take, read};
	int rc = 0;
	for (size_t i = 0; i < 2 && !rc; i++) {
		sqlite3_stmt *q;
		if (sqlite3_prepare_v2(st->db, sql[i], -1, &q, NULL))
			return db_fail(st, "number lake load files");
		sqlite3_bind_int64(q, 1, seq);
		sqlite3_bind_text(q, 2, table, -1, SQLITE_STATIC);
		if (i == 0)
			sqlite3_bind_int64(q, 3, n);
		int step = sqlite3_step(q);
		if (i == 1 && step == SQLITE_ROW)
			*first = (unsigned)sqlite3_column_int64(q, 0);
		else if (step != SQLITE_DONE)
			rc = db_fail(st, "number lake load files");
		sqlite3_finalize(q);
	}
	return rc;
}

int state_last_created(struct state *st, char **created)
{
	sqlite3_stmt *q;
	*created = NULL;
	if (sqlite3_prepare_v2(st->db, "SELECT created FROM batches ORDER BY seq DESC LIMIT 1", -1,
			       &q, NULL))
		return db_fail(st, "read batches");
	if (sqlite3_step(q) == SQLITE_ROW)
		*created = xstrdup((const char *)sqlite3_column_text(q, 0));
	sqlite3_finalize(q);
	return 0;
}
