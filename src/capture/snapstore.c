#include "snapstore.h"

#include "codec.h"
#include "err.h"
#include "sqlutil.h"
#include "strv.h"
#include "fsutil.h"
#include "log.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxh_x86dispatch.h>
#include <xxhash.h>

#define SNAP_MAGIC "CDCSNAP1"
#define SNAP_BUF (256 << 10)
/* The layout of index.db and the files it names that this build reads and
 * writes, in index.db's meta 'format' with the build that last wrote it
 * ('cdcpack'); absent: this one. A build whose snapshot store an earlier
 * build would read wrong raises it (a new key record or index column; a
 * new row hash is HASH_VERSION's, per entry). */
#define SNAPSTORE_FORMAT 1

/* Owns db and dir. */
struct snapstore {
	sqlite3 *db;
	char *dir;
};

static const char schema_sql[] =
	"CREATE TABLE IF NOT EXISTS current(tbl TEXT PRIMARY KEY, seq INTEGER NOT NULL,"
	" file TEXT NOT NULL, rows INTEGER NOT NULL, bytes INTEGER NOT NULL, xxh INTEGER NOT NULL,"
	" hashver INTEGER NOT NULL, def TEXT NOT NULL);"
	"CREATE TABLE IF NOT EXISTS pending(seq INTEGER NOT NULL, tbl TEXT NOT NULL,"
	" file TEXT NOT NULL, rows INTEGER NOT NULL, bytes INTEGER NOT NULL, xxh INTEGER NOT NULL,"
	" hashver INTEGER NOT NULL, def TEXT NOT NULL, PRIMARY KEY(seq, tbl));";

static int db_fail(struct snapstore *ss, const char *what)
{
	return err_set(CDC_ERUNTIME, "%s/index.db: %s: %s%s", ss->dir, what, sqlite3_errmsg(ss->db),
		       sql_os_reason(ss->db));
}

static int exec(struct snapstore *ss, const char *sql, const char *what)
{
	return sqlite3_exec(ss->db, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : db_fail(ss, what);
}

/* The journal and schema once the format check let the index be read, then
 * the format and this build. */
static int prepare(struct snapstore *ss)
{
	char *file = xasprintf("%s/index.db", ss->dir);
	const struct sql_format f = {file, "format", "snapshot index format", SNAPSTORE_FORMAT};
	bool same = false;
	int rc = sql_format_check(ss->db, &f, &same, NULL);
	/* Durable at commit: a promotion, once done, survives a crash. */
	if (!rc)
		rc = exec(ss, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;", "open");
	if (!rc)
		rc = exec(ss, schema_sql, "create schema");
	if (!rc && !same)
		rc = sql_format_write(ss->db, &f);
	free(file);
	return rc;
}

int snapstore_open(struct snapstore **out, const char *state_dir)
{
	*out = NULL;
	struct snapstore *ss = xcalloc(1, sizeof(*ss));
	ss->dir = xasprintf("%s/snapshot", state_dir);
	int rc = fs_private_dir(ss->dir, "snapshot dir", false);
	char *path = xasprintf("%s/index.db", ss->dir);
	/* 0600, as state.db: the index names tables and their columns. */
	mode_t old = umask(077);
	if (!rc && sqlite3_open_v2(path, &ss->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
				   NULL) != SQLITE_OK)
		rc = db_fail(ss, "open");
	umask(old);
	free(path);
	if (!rc) {
		sqlite3_busy_timeout(ss->db, 10000);
		rc = prepare(ss);
	}
	if (rc) {
		snapstore_close(ss);
		return rc;
	}
	*out = ss;
	return 0;
}

void snapstore_close(struct snapstore *ss)
{
	if (!ss)
		return;
	sqlite3_close(ss->db);
	free(ss->dir);
	free(ss);
}

void snap_entry_clear(struct snap_entry *e)
{
	free(e->table);
	free(e->file);
	table_def_free(e->def);
	memset(e, 0, sizeof(*e));
}

static char *def_json(const struct table_def *def)
{
	json_t *doc = json_pack("{s:o, s:b}", "columns", table_def_columns_json(def), "rowid_key",
				def->rowid_key);
	if (def->int_key_not_alias)
		json_object_set_new(doc, "int_key_not_alias", json_true());
	char *text = json_dumps(doc, JSON_COMPACT);
	json_decref(doc);
	return text;
}

static int def_from_json(const char *table, const char *text, struct table_def **out)
{
	json_error_t jerr;
	json_t *doc = json_loads(text, 0, &jerr);
	struct table_def *def = xcalloc(1, sizeof(*def));
	def->name = xstrdup(table);
	int rc = doc ? table_def_columns_from_json(def, json_object_get(doc, "columns"))
		     : err_set(CDC_ERUNTIME, "snapshot index: bad JSON for table %s: %s",
			       NAME_SHOWN_SHORT(table), jerr.text);
	if (!rc)
		def->rowid_key = json_is_true(json_object_get(doc, "rowid_key"));
	if (!rc)
		def->int_key_not_alias = json_is_true(json_object_get(doc, "int_key_not_alias"));
	json_decref(doc);
	if (rc) {
		table_def_free(def);
		return rc;
	}
	*out = def;
	return 0;
}

int snapstore_current(struct snapstore *ss, const char *table, struct snap_entry *out)
{
	memset(out, 0, sizeof(*out));
	sqlite3_stmt *q;
	if (sqlite3_prepare_v2(
		    ss->db,
		    "SELECT seq, file, rows, bytes, xxh, hashver, def FROM current WHERE tbl=?", -1,
		    &q, NULL) != SQLITE_OK)
		return db_fail(ss, "read current snapshot");
	sqlite3_bind_text(q, 1, table, -1, SQLITE_STATIC);
	int step = sqlite3_step(q);
	int rc = 0;
	if (step == SQLITE_ROW) {
		out->table = xstrdup(table);
		out->seq = sqlite3_column_int64(q, 0);
		out->file = xstrdup((const char *)sqlite3_column_text(q, 1));
		out->rows = sqlite3_column_int64(q, 2);
		out->bytes = sqlite3_column_int64(q, 3);
		out->xxh = (uint64_t)sqlite3_column_int64(q, 4);
		out->hashver = sqlite3_column_int(q, 5);
		rc = def_from_json(table, (const char *)sqlite3_column_text(q, 6), &out->def);
		rc = rc ? rc : 1;
	} else if (step != SQLITE_DONE) {
		rc = db_fail(ss, "read current snapshot");
	}
	sqlite3_finalize(q);
	if (rc < 0)
		snap_entry_clear(out);
	return rc;
}

/* Every file the current and pending entries name, read once: a query per
 * file in the directory would read the unindexed tables once per table. */
static int named_files(struct snapstore *ss, struct strv *out)
{
	sqlite3_stmt *q;
	if (sqlite3_prepare_v2(ss->db, "SELECT file FROM current UNION SELECT file FROM pending",
			       -1, &q, NULL) != SQLITE_OK)
		return db_fail(ss, "list snapshot files");
	int step;
	while ((step = sqlite3_step(q)) == SQLITE_ROW)
		strv_push(out, (const char *)sqlite3_column_text(q, 0));
	sqlite3_finalize(q);
	return step == SQLITE_DONE ? 0 : db_fail(ss, "list snapshot files");
}

/* Deletes snapshot files that neither the current nor a pending entry names. */
static int collect_garbage(struct snapstore *ss)
{
	struct strv named = {0};
	int rc = named_files(ss, &named);
	DIR *d = rc ? NULL : opendir(ss->dir);
	if (!rc && !d)
		rc = err_set(CDC_ERUNTIME, "%s: %s", ss->dir, strerror(errno));
	struct strv_index ix;
	strv_index_init(&ix, &named);
	for (struct dirent *e; d && (e = readdir(d));) {
		size_t n = strlen(e->d_name);
		if (n < 5 || strcmp(e->d_name + n - 5, ".snap") != 0 ||
		    strv_index_has(&ix, e->d_name))
			continue;
		char *path = xasprintf("%s/%s", ss->dir, e->d_name);
		if (unlink(path) == 0)
			log_debug("removed snapshot file %s", path);
		free(path);
	}
	if (d)
		closedir(d);
	strv_index_free(&ix);
	strv_free(&named);
	return rc;
}

int snapstore_begin(struct snapstore *ss, int64_t seq)
{
	sqlite3_stmt *q;
	if (sqlite3_prepare_v2(ss->db, "DELETE FROM pending WHERE seq >= ?", -1, &q, NULL) !=
	    SQLITE_OK)
		return db_fail(ss, "drop unstaged snapshots");
	sqlite3_bind_int64(q, 1, seq);
	int rc = sqlite3_step(q) == SQLITE_DONE ? 0 : db_fail(ss, "drop unstaged snapshots");
	sqlite3_finalize(q);
	return rc ? rc : collect_garbage(ss);
}

int snapstore_add_pending(struct snapstore *ss, const struct snap_entry *e)
{
	sqlite3_stmt *q;
	if (sqlite3_prepare_v2(
		    ss->db,
		    "INSERT OR REPLACE INTO pending(seq, tbl, file, rows, bytes, xxh, hashver,"
		    " def) VALUES(?,?,?,?,?,?,?,?)",
		    -1, &q, NULL) != SQLITE_OK)
		return db_fail(ss, "record snapshot");
	char *def = def_json(e->def);
	sqlite3_bind_int64(q, 1, e->seq);
	sqlite3_bind_text(q, 2, e->table, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, e->file, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 4, e->rows);
	sqlite3_bind_int64(q, 5, e->bytes);
	sqlite3_bind_int64(q, 6, (int64_t)e->xxh);
	sqlite3_bind_int(q, 7, e->hashver);
	sqlite3_bind_text(q, 8, def, -1, SQLITE_STATIC);
	int rc = sqlite3_step(q) == SQLITE_DONE ? 0 : db_fail(ss, "record snapshot");
	sqlite3_finalize(q);
	free(def);
	return rc;
}

static int run_bound(struct snapstore *ss, const char *sql, int64_t seq, const char *what)
{
	sqlite3_stmt *q;
	if (sqlite3_prepare_v2(ss->db, sql, -1, &q, NULL) != SQLITE_OK)
		return db_fail(ss, what);
	sqlite3_bind_int64(q, 1, seq);
	int rc = sqlite3_step(q) == SQLITE_DONE ? 0 : db_fail(ss, what);
	sqlite3_finalize(q);
	return rc;
}

int snapstore_promote(struct snapstore *ss, int64_t seq)
{
	int rc = exec(ss, "BEGIN IMMEDIATE", "promote snapshot");
	if (rc)
		return rc;
	rc = run_bound(
		ss,
		"INSERT OR REPLACE INTO current(tbl, seq, file, rows, bytes, xxh, hashver, def)"
		" SELECT tbl, seq, file, rows, bytes, xxh, hashver, def FROM pending WHERE seq=?",
		seq, "promote snapshot");
	int promoted = sqlite3_changes(ss->db);
	if (!rc)
		rc = run_bound(ss, "DELETE FROM pending WHERE seq=?", seq, "promote snapshot");
	if (!rc)
		rc = exec(ss, "COMMIT", "promote snapshot");
	if (rc) {
		sqlite3_exec(ss->db, "ROLLBACK", NULL, NULL, NULL);
		return rc;
	}
	if (promoted)
		log_info("snapshot promoted batch=%lld tables=%d", (long long)seq, promoted);
	return promoted ? collect_garbage(ss) : 0;
}

/* Owns path, name, buf and the hash state; fd open until close or abort. */
struct snap_writer {
	char *path;
	char *name;
	int fd;
	uint8_t *buf;
	size_t len;
	XXH3_state_t *xs;
	int64_t rows, bytes;
};

static int write_out(int fd, const char *path, const uint8_t *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return err_set(CDC_ERUNTIME, "%s: write: %s", path, strerror(errno));
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int writer_flush(struct snap_writer *w)
{
	int rc = write_out(w->fd, w->path, w->buf, w->len);
	XXH3_64bits_update(w->xs, w->buf, w->len);
	w->bytes += (int64_t)w->len;
	w->len = 0;
	return rc;
}

static void writer_put(struct snap_writer *w, const void *p, size_t n)
{
	memcpy(w->buf + w->len, p, n);
	w->len += n;
}

int snap_writer_open(struct snap_writer **out, struct snapstore *ss, int64_t seq, size_t index)
{
	*out = NULL;
	struct snap_writer *w = xcalloc(1, sizeof(*w));
	w->name = xasprintf("%08lld-%zu.snap", (long long)seq, index);
	w->path = xasprintf("%s/%s", ss->dir, w->name);
	w->fd = fs_create(w->path, 0600);
	if (w->fd < 0) {
		int rc = err_set(CDC_ERUNTIME, "%s: cannot create: %s", w->path, strerror(errno));
		snap_writer_abort(w);
		return rc;
	}
	w->buf = xmalloc(SNAP_BUF);
	w->xs = XXH3_createState();
	if (!w->xs)
		abort();
	XXH3_64bits_reset(w->xs);
	writer_put(w, SNAP_MAGIC, 8);
	*out = w;
	return 0;
}

int snap_writer_add(struct snap_writer *w, const uint8_t *key, size_t klen, uint64_t hash)
{
	size_t need = KEYREC_MAX(klen);
	if (w->len + need > SNAP_BUF) {
		int rc = writer_flush(w);
		if (rc)
			return rc;
	}
	w->rows++;
	if (need > SNAP_BUF) {
		/* A key wider than the buffer goes out through a buffer of its own. */
		struct buf big = BUF_INIT;
		keyrec_put(&big, key, klen, hash);
		XXH3_64bits_update(w->xs, big.data, big.len);
		w->bytes += (int64_t)big.len;
		int rc = write_out(w->fd, w->path, (const uint8_t *)big.data, big.len);
		buf_free(&big);
		return rc;
	}
	w->len += keyrec_write(w->buf + w->len, key, klen, hash);
	return 0;
}

int snap_writer_close(struct snap_writer *w, struct snap_entry *e)
{
	int rc = writer_flush(w);
	if (!rc && fsync(w->fd) != 0)
		rc = err_set(CDC_ERUNTIME, "%s: fsync: %s", w->path, strerror(errno));
	if (close(w->fd) != 0 && !rc)
		rc = err_set(CDC_ERUNTIME, "%s: close: %s", w->path, strerror(errno));
	w->fd = -1;
	/* Written in place: its name is durable once the folder is, before the
	 * index records it. */
	if (!rc)
		rc = fs_fsync_parent(w->path);
	if (!rc) {
		free(e->file);
		e->file = xstrdup(w->name);
		e->rows = w->rows;
		e->bytes = w->bytes;
		e->xxh = XXH3_64bits_digest(w->xs);
	}
	snap_writer_abort(w); /* the file stays when it was closed cleanly */
	return rc;
}

void snap_writer_abort(struct snap_writer *w)
{
	if (!w)
		return;
	if (w->fd >= 0) {
		close(w->fd);
		unlink(w->path);
	}
	XXH3_freeState(w->xs);
	free(w->buf);
	free(w->path);
	free(w->name);
	free(w);
}

/* Owns path, table, buf and the hash state. The expected figures come from the index. */
struct snap_reader {
	char *path;
	char *table;
	int fd;
	uint8_t *buf;
	size_t cap, len, pos;
	bool eof;
	XXH3_state_t *xs;
	size_t nkeys;
	int64_t rows, bytes;
	int64_t want_rows, want_bytes;
	uint64_t want_xxh;
};

static int reader_fill(struct snap_reader *r)
{
	if (r->pos > 0) {
		memmove(r->buf, r->buf + r->pos, r->len - r->pos);
		r->len -= r->pos;
		r->pos = 0;
	}
	if (r->len == r->cap) {
		r->cap *= 2; /* one record wider than the buffer */
		r->buf = xrealloc(r->buf, r->cap);
	}
	ssize_t n;
	do
		n = read(r->fd, r->buf + r->len, r->cap - r->len);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return err_set(CDC_ERUNTIME, "%s: read: %s", r->path, strerror(errno));
	XXH3_64bits_update(r->xs, r->buf + r->len, (size_t)n);
	r->len += (size_t)n;
	r->bytes += n;
	r->eof = n == 0;
	return 0;
}

/* The repair a damaged or lost snapshot of table takes, as a hint. */
static char *start_over(const char *table)
{
	char *word = name_for_shell(table);
	char *hint = xasprintf("start the table over with `cdcpack load %s`%s", word,
			       name_shell_note(table));
	free(word);
	return hint;
}

static int reader_check_end(struct snap_reader *r)
{
	if (r->pos != r->len)
		return err_set(CDC_ERUNTIME, "%s: ends inside a record", r->path);
	if (r->rows != r->want_rows || r->bytes != r->want_bytes ||
	    XXH3_64bits_digest(r->xs) != r->want_xxh) {
		char *hint = start_over(r->table);
		int rc = err_set(CDC_ERUNTIME,
				 "%s: damaged snapshot (%lld rows, %lld bytes; the index says "
				 "%lld, %lld, or the checksum differs): %s",
				 r->path, (long long)r->rows, (long long)r->bytes,
				 (long long)r->want_rows, (long long)r->want_bytes, hint);
		free(hint);
		return rc;
	}
	return 0;
}

static int reader_next(void *ctx, struct keyrec *out)
{
	struct snap_reader *r = ctx;
	for (;;) {
		size_t used;
		int got = keyrec_parse(r->buf + r->pos, r->len - r->pos, r->nkeys, out, &used);
		if (got < 0) {
			char *hint = start_over(r->table);
			int rc = err_prefix(got, "%s: damaged snapshot (%s): record %lld", r->path,
					    hint, (long long)r->rows + 1);
			free(hint);
			return rc;
		}
		if (got) {
			r->pos += used;
			r->rows++;
			return 1;
		}
		if (r->eof)
			return reader_check_end(r);
		int rc = reader_fill(r);
		if (rc)
			return rc;
	}
}

int snap_reader_open(struct snap_reader **out, struct snapstore *ss, const struct snap_entry *e)
{
	*out = NULL;
	struct snap_reader *r = xcalloc(1, sizeof(*r));
	r->path = xasprintf("%s/%s", ss->dir, e->file);
	r->table = xstrdup(e->table);
	r->cap = SNAP_BUF;
	r->buf = xmalloc(r->cap);
	r->xs = XXH3_createState();
	if (!r->xs)
		abort();
	XXH3_64bits_reset(r->xs);
	r->nkeys = table_def_nkeys(e->def);
	r->want_rows = e->rows;
	r->want_bytes = e->bytes;
	r->want_xxh = e->xxh;
	r->fd = open(r->path, O_RDONLY | O_CLOEXEC);
	int rc = 0;
	if (r->fd < 0) {
		const char *why = strerror(errno); /* before start_over's allocations */
		char *hint = start_over(e->table);
		rc = err_set(CDC_ERUNTIME, "%s: cannot open snapshot: %s (%s)", r->path, why, hint);
		free(hint);
	}
	while (!rc && r->len < 8 && !r->eof)
		rc = reader_fill(r);
	if (!rc && (r->len < 8 || memcmp(r->buf, SNAP_MAGIC, 8) != 0))
		rc = err_set(CDC_ERUNTIME, "%s: not a cdcpack snapshot file", r->path);
	if (rc) {
		snap_reader_close(r);
		return rc;
	}
	r->pos = 8;
	*out = r;
	return 0;
}

struct rec_source snap_reader_source(struct snap_reader *r)
{
	return (struct rec_source){reader_next, r};
}

void snap_reader_close(struct snap_reader *r)
{
	if (!r)
		return;
	if (r->fd >= 0)
		close(r->fd);
	XXH3_freeState(r->xs);
	free(r->buf);
	free(r->path);
	free(r->table);
	free(r);
}
