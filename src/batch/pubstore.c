#include "pubstore.h"

#include "err.h"
#include "fsutil.h"
#include "keyrec.h"
#include "log.h"
#include "sqlutil.h"

#include <errno.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* published.db's layout, in its meta 'format' with the build that last wrote
 * it ('cdcpack'); absent: format 1 (the layout before the number). A build
 * whose published.db an earlier build would read wrong raises it. */
#define PUBSTORE_FORMAT 1

/* A table's id, and its codec for the capture under way (made from the
 * first def the capture noted it with: every def of one capture describes
 * the table as it is then). */
struct pub_table {
	char *name;
	int64_t tid;
	struct pub_codec codec;
	bool has_codec;
};

enum { Q_NOTE, Q_LOOKUP, Q_MARK_BUSY, Q_MARK_SEEN, Q_MARKED_BUSY, Q_MARKED_SEEN, Q_COUNT };

/* Owns db, path, tables, statements and buffers. */
struct pubstore {
	sqlite3 *db;
	char *path;
	char *driver;
	int64_t seq, n; /* the capture's batch, and its notes so far */
	bool in_txn;
	struct pub_table *tables;
	size_t ntables;
	sqlite3_stmt *q[Q_COUNT];
	struct buf ckey, key;
};

static const char schema_sql[] =
	"CREATE TABLE IF NOT EXISTS tables(tid INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE,"
	" baseline INTEGER NOT NULL DEFAULT 0);"
	"CREATE TABLE IF NOT EXISTS rows(tid INTEGER NOT NULL, ckey BLOB NOT NULL,"
	" key BLOB NOT NULL, hash INTEGER NOT NULL, PRIMARY KEY(tid, ckey)) WITHOUT ROWID;"
	/* ckey NULL: the table starts over (a load); hash NULL: the key is deleted. */
	"CREATE TABLE IF NOT EXISTS pending(seq INTEGER NOT NULL, n INTEGER NOT NULL,"
	" tid INTEGER NOT NULL, ckey BLOB, key BLOB, hash INTEGER,"
	" PRIMARY KEY(seq, n)) WITHOUT ROWID;"
	"CREATE TEMP TABLE mark_busy(tid INTEGER NOT NULL, ckey BLOB NOT NULL,"
	" PRIMARY KEY(tid, ckey)) WITHOUT ROWID;"
	"CREATE TEMP TABLE mark_seen(tid INTEGER NOT NULL, ckey BLOB NOT NULL,"
	" PRIMARY KEY(tid, ckey)) WITHOUT ROWID;";

static const char *const query_sql[Q_COUNT] = {
	[Q_NOTE] = "INSERT INTO pending(seq, n, tid, ckey, key, hash) VALUES(?,?,?,?,?,?)",
	[Q_LOOKUP] = "SELECT hash FROM rows WHERE tid=? AND ckey=?",
	[Q_MARK_BUSY] = "INSERT OR IGNORE INTO mark_busy(tid, ckey) VALUES(?,?)",
	[Q_MARK_SEEN] = "INSERT OR IGNORE INTO mark_seen(tid, ckey) VALUES(?,?)",
	[Q_MARKED_BUSY] = "SELECT 1 FROM mark_busy WHERE tid=? AND ckey=?",
	[Q_MARKED_SEEN] = "SELECT 1 FROM mark_seen WHERE tid=? AND ckey=?",
};

static int db_fail(struct pubstore *ps, const char *what)
{
	return err_set(CDC_ERUNTIME, "%s: %s: %s%s", ps->path, what, sqlite3_errmsg(ps->db),
		       sql_os_reason(ps->db));
}

static int exec(struct pubstore *ps, const char *sql, const char *what)
{
	return sqlite3_exec(ps->db, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : db_fail(ps, what);
}

/* Steps a statement that returns no row, and resets it. */
static int step_done(struct pubstore *ps, sqlite3_stmt *q, const char *what)
{
	int step = sqlite3_step(q);
	sqlite3_reset(q);
	sqlite3_clear_bindings(q);
	return step == SQLITE_DONE ? 0 : db_fail(ps, what);
}

int pubstore_drop(const char *state_dir)
{
	static const char *const suffixes[] = {"", "-wal", "-shm", "-journal"};
	int rc = 0;
	for (size_t i = 0; i < sizeof(suffixes) / sizeof(*suffixes) && !rc; i++) {
		char *path = xasprintf("%s/published.db%s", state_dir, suffixes[i]);
		bool gone = unlink(path) == 0;
		if (!gone && errno != ENOENT)
			rc = err_set(CDC_ERUNTIME, "remove %s: %s", path, strerror(errno));
		else if (gone && i == 0)
			log_info("reconcile is off: dropped the published state %s (a later "
				 "reconcile compares each table from its next load)",
				 path);
		free(path);
	}
	return rc;
}

int pubstore_open(struct pubstore **out, const char *state_dir)
{
	*out = NULL;
	struct pubstore *ps = xcalloc(1, sizeof(*ps));
	ps->path = xasprintf("%s/published.db", state_dir);
	/* 0600, as state.db: it holds the tables' keys. */
	mode_t old = umask(077);
	int rc = sqlite3_open_v2(ps->path, &ps->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
				 NULL) == SQLITE_OK
			 ? 0
			 : db_fail(ps, "open");
	umask(old);
	const struct sql_format f = {ps->path, "format", "published state format", PUBSTORE_FORMAT};
	bool same = false;
	if (!rc) {
		sqlite3_busy_timeout(ps->db, 10000);
		/* Before anything reads or writes it (the pragmas below write). */
		rc = sql_format_check(ps->db, &f, &same, NULL);
	}
	/* Durable at commit, as the state: notes committed before their batch
	 * is recorded staged, an advance before its ack is. auto_vacuum (taken
	 * by a new file only): the notes of a load as large as the table are
	 * given back once applied. */
	if (!rc)
		rc = exec(ps,
			  "PRAGMA auto_vacuum=INCREMENTAL; PRAGMA journal_mode=WAL;"
			  " PRAGMA synchronous=FULL;",
			  "open");
	if (!rc)
		rc = exec(ps, schema_sql, "create schema");
	/* Only writers open the store (run, load, reconcile): status never does. */
	if (!rc && !same)
		rc = sql_format_write(ps->db, &f);
	for (int i = 0; i < Q_COUNT && !rc; i++)
		if (sqlite3_prepare_v2(ps->db, query_sql[i], -1, &ps->q[i], NULL) != SQLITE_OK)
			rc = db_fail(ps, "prepare");
	if (rc) {
		pubstore_close(ps);
		return rc;
	}
	*out = ps;
	return 0;
}

static void forget_tables(struct pubstore *ps)
{
	for (size_t i = 0; i < ps->ntables; i++) {
		free(ps->tables[i].name);
		if (ps->tables[i].has_codec)
			pub_codec_free(&ps->tables[i].codec);
	}
	free(ps->tables);
	ps->tables = NULL;
	ps->ntables = 0;
}

void pubstore_close(struct pubstore *ps)
{
	if (!ps)
		return;
	if (ps->in_txn)
		sqlite3_exec(ps->db, "ROLLBACK", NULL, NULL, NULL);
	for (int i = 0; i < Q_COUNT; i++)
		sqlite3_finalize(ps->q[i]);
	forget_tables(ps);
	sqlite3_close(ps->db);
	buf_free(&ps->ckey);
	buf_free(&ps->key);
	free(ps->driver);
	free(ps->path);
	free(ps);
}

int pubstore_begin(struct pubstore *ps, int64_t seq, const char *driver)
{
	/* A capture that staged nothing (an idle run) noted nothing. */
	if (ps->in_txn)
		sqlite3_exec(ps->db, "ROLLBACK", NULL, NULL, NULL);
	ps->in_txn = false;
	forget_tables(ps);
	free(ps->driver);
	ps->driver = xstrdup(driver);
	ps->seq = seq;
	ps->n = 0;
	int rc = exec(ps, "BEGIN IMMEDIATE", "begin");
	ps->in_txn = rc == 0;
	char *sql = xasprintf("DELETE FROM pending WHERE seq >= %lld;"
			      "DELETE FROM mark_busy; DELETE FROM mark_seen;",
			      (long long)seq);
	if (!rc)
		rc = exec(ps, sql, "drop notes of captures never staged");
	free(sql);
	return rc;
}

int pubstore_commit(struct pubstore *ps)
{
	if (!ps->in_txn)
		return 0;
	ps->in_txn = false;
	forget_tables(ps);
	return exec(ps, "COMMIT", "commit notes");
}

/* The id of table, made when the store has never seen it. */
static int table_id(struct pubstore *ps, const char *table, bool make, int64_t *tid)
{
	sqlite3_stmt *q;
	if (make) {
		if (sqlite3_prepare_v2(ps->db, "INSERT OR IGNORE INTO tables(name) VALUES(?)", -1,
				       &q, NULL) != SQLITE_OK)
			return db_fail(ps, "add table");
		sqlite3_bind_text(q, 1, table, -1, SQLITE_STATIC);
		int step = sqlite3_step(q);
		sqlite3_finalize(q);
		if (step != SQLITE_DONE)
			return db_fail(ps, "add table");
	}
	if (sqlite3_prepare_v2(ps->db, "SELECT tid FROM tables WHERE name=?", -1, &q, NULL) !=
	    SQLITE_OK)
		return db_fail(ps, "read table");
	sqlite3_bind_text(q, 1, table, -1, SQLITE_STATIC);
	int step = sqlite3_step(q);
	*tid = step == SQLITE_ROW ? sqlite3_column_int64(q, 0) : -1;
	sqlite3_finalize(q);
	return step == SQLITE_ROW || step == SQLITE_DONE ? 0 : db_fail(ps, "read table");
}

/* The capture's entry for table (made, and its id, on first use). */
static int entry_for(struct pubstore *ps, const char *table, struct pub_table **out)
{
	for (size_t i = 0; i < ps->ntables; i++)
		if (strcmp(ps->tables[i].name, table) == 0) {
			*out = &ps->tables[i];
			return 0;
		}
	int64_t tid;
	int rc = table_id(ps, table, true, &tid);
	if (rc)
		return rc;
	ps->tables = xrealloc(ps->tables, (ps->ntables + 1) * sizeof(*ps->tables));
	*out = &ps->tables[ps->ntables++];
	memset(*out, 0, sizeof(**out));
	(*out)->name = xstrdup(table);
	(*out)->tid = tid;
	return 0;
}

static void bind_blob(sqlite3_stmt *q, int i, const void *p, size_t n)
{
	/* A zero-length blob, not NULL: SQLite binds NULL for a NULL pointer. */
	sqlite3_bind_blob(q, i, n ? p : "", (int)n, SQLITE_STATIC);
}

static int add_note(struct pubstore *ps, int64_t tid, const struct buf *ckey, const struct buf *key,
		    const uint64_t *hash)
{
	sqlite3_stmt *q = ps->q[Q_NOTE];
	sqlite3_bind_int64(q, 1, ps->seq);
	sqlite3_bind_int64(q, 2, ps->n++);
	sqlite3_bind_int64(q, 3, tid);
	if (ckey)
		bind_blob(q, 4, ckey->data, ckey->len);
	if (key)
		bind_blob(q, 5, key->data, key->len);
	if (hash)
		sqlite3_bind_int64(q, 6, (int64_t)*hash);
	return step_done(ps, q, "note a row");
}

int pubstore_note_reset(struct pubstore *ps, const struct table_def *def)
{
	struct pub_table *t;
	int rc = entry_for(ps, def->name, &t);
	return rc ? rc : add_note(ps, t->tid, NULL, NULL, NULL);
}

int pubstore_note(struct pubstore *ps, const struct table_def *def, const struct value *row,
		  bool del)
{
	struct pub_table *t;
	int rc = entry_for(ps, def->name, &t);
	if (rc)
		return rc;
	if (!t->has_codec) {
		pub_codec_init(&t->codec, def, ps->driver);
		t->has_codec = true;
	}
	uint64_t hash = pub_codec_row(&t->codec, row, &ps->ckey, &ps->key);
	return add_note(ps, t->tid, &ps->ckey, del ? NULL : &ps->key, del ? NULL : &hash);
}

/* A batch's notes applied to the published rows, set by set (one
 * statement each rather than one per note): a table's reset first (a
 * load's precedes every note of its table; a TRUNCATE's, in a binlog
 * batch, may follow some, which it voids: only notes after a table's last
 * reset count), then each key's last note decides its fate (bare columns
 * of max(n) come from that note, as SQLite documents for min/max
 * aggregates). */
static const char *const advance_sql[] = {
	"CREATE TEMP TABLE IF NOT EXISTS reset_at(tid INTEGER PRIMARY KEY, n INTEGER NOT NULL)",
	"INSERT INTO reset_at SELECT tid, max(n) FROM pending WHERE seq=?1 AND ckey IS NULL"
	" GROUP BY tid",
	"DELETE FROM rows WHERE tid IN (SELECT tid FROM reset_at)",
	"UPDATE tables SET baseline=1 WHERE tid IN (SELECT tid FROM reset_at)",
	"CREATE TEMP TABLE IF NOT EXISTS last_note(tid INTEGER NOT NULL, ckey BLOB NOT NULL,"
	" key BLOB, hash INTEGER, PRIMARY KEY(tid, ckey)) WITHOUT ROWID",
	"INSERT INTO last_note SELECT tid, ckey, key, hash FROM"
	" (SELECT p.tid, p.ckey, p.key, p.hash, max(p.n) FROM pending p"
	" LEFT JOIN reset_at r ON r.tid = p.tid"
	" WHERE p.seq=?1 AND p.ckey IS NOT NULL AND p.n > coalesce(r.n, -1)"
	" GROUP BY p.tid, p.ckey)",
	"DELETE FROM rows WHERE (tid, ckey) IN (SELECT tid, ckey FROM last_note WHERE hash IS "
	"NULL)",
	"INSERT OR REPLACE INTO rows(tid, ckey, key, hash)"
	" SELECT tid, ckey, key, hash FROM last_note WHERE hash IS NOT NULL",
	"DELETE FROM last_note",
	"DELETE FROM reset_at",
};

static int advance(struct pubstore *ps, int64_t seq)
{
	int rc = 0;
	for (size_t i = 0; i < sizeof(advance_sql) / sizeof(*advance_sql) && !rc; i++) {
		sqlite3_stmt *q;
		if (sqlite3_prepare_v2(ps->db, advance_sql[i], -1, &q, NULL) != SQLITE_OK)
			return db_fail(ps, "advance the published rows");
		if (sqlite3_bind_parameter_count(q))
			sqlite3_bind_int64(q, 1, seq);
		rc = step_done(ps, q, "advance the published rows");
		sqlite3_finalize(q);
	}
	return rc;
}

int pubstore_advance(struct pubstore *ps, int64_t seq)
{
	int rc = exec(ps, "BEGIN IMMEDIATE", "begin advance");
	if (rc)
		return rc;
	rc = advance(ps, seq);
	char *sql = xasprintf("DELETE FROM pending WHERE seq=%lld", (long long)seq);
	if (!rc)
		rc = exec(ps, sql, "drop applied notes");
	free(sql);
	if (!rc)
		rc = exec(ps, "COMMIT", "commit advance");
	if (rc)
		sqlite3_exec(ps->db, "ROLLBACK", NULL, NULL, NULL);
	if (!rc)
		rc = exec(ps, "PRAGMA incremental_vacuum", "give back the notes' pages");
	return rc;
}

void pub_codec_init(struct pub_codec *c, const struct table_def *def, const char *driver)
{
	memset(c, 0, sizeof(*c));
	size_t n = def->ncols ? def->ncols : 1;
	c->keys = xcalloc(n, sizeof(*c->keys));
	c->cols = xcalloc(n, sizeof(*c->cols));
	c->key_classes = xcalloc(n, sizeof(*c->key_classes));
	c->classes = xcalloc(n, sizeof(*c->classes));
	for (size_t i = 0; i < def->ncols; i++) {
		enum canon_class k = canon_class_for(def->cols[i].type, driver);
		c->cols[c->ncols] = i;
		c->classes[c->ncols++] = k;
		if (!def->cols[i].key)
			continue;
		c->keys[c->nkeys] = i;
		c->key_classes[c->nkeys++] = k;
	}
}

void pub_codec_free(struct pub_codec *c)
{
	free(c->keys);
	free(c->cols);
	free(c->key_classes);
	free(c->classes);
	buf_free(&c->enc);
	memset(c, 0, sizeof(*c));
}

/* Bytes whose escaping (0x00 -> 0x00 0x01, then 0x00 0x00) keeps their
 * order in a key of several columns. */
static void add_ordered_bytes(struct buf *out, const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		buf_addc(out, p[i]);
		if (p[i] == 0)
			buf_addc(out, 1);
	}
	buf_add(out, "\0\0", 2);
}

static void add_be64(struct buf *out, uint64_t u)
{
	for (int s = 56; s >= 0; s -= 8)
		buf_addc(out, (char)(u >> s));
}

/* One key value canonically (canon_value: the same value the same bytes
 * whichever engine gave it), in bytes whose order is the scan's key order
 * (source.h: NULL, numbers by value, text, blobs by bytes) for keys of one
 * kind, so that a scan meets the stored keys in order and a reconcile
 * walks them instead of looking each up. Integers, texts and blobs keep
 * their order; other numbers are canonical but not ordered among them. */
static void add_key_value(struct buf *out, const struct value *v, enum canon_class cls)
{
	struct canon c;
	canon_value(v, cls, &c);
	uint64_t bits;
	switch (c.kind) {
	case CK_NULL:
		buf_addc(out, 0x00);
		break;
	case CK_INT:
		buf_addc(out, 0x10);
		add_be64(out, (uint64_t)c.i ^ (UINT64_C(1) << 63));
		break;
	case CK_REAL:
		memcpy(&bits, &c.r, sizeof(bits));
		buf_addc(out, 0x20);
		add_be64(out, bits & (UINT64_C(1) << 63) ? ~bits : bits | (UINT64_C(1) << 63));
		break;
	case CK_DEC:
		buf_addc(out, 0x28);
		canon_encode(out, v, cls);
		break;
	case CK_TEXT:
		buf_addc(out, 0x30);
		add_ordered_bytes(out, c.p, c.n);
		break;
	case CK_BLOB:
		buf_addc(out, 0x40);
		add_ordered_bytes(out, c.p, c.n);
		break;
	}
}

uint64_t pub_codec_row(struct pub_codec *c, const struct value *row, struct buf *ckey,
		       struct buf *key)
{
	buf_reset(ckey);
	buf_reset(key);
	for (size_t i = 0; i < c->nkeys; i++)
		add_key_value(ckey, &row[c->keys[i]], c->key_classes[i]);
	keyrec_encode_key(key, row, c->keys, c->nkeys);
	return rowhash(&c->enc, row, c->cols, c->classes, c->ncols);
}

int pubstore_table(struct pubstore *ps, const char *table, bool *baseline, int64_t *rows)
{
	*baseline = false;
	*rows = 0;
	sqlite3_stmt *q;
	if (sqlite3_prepare_v2(ps->db,
			       "SELECT t.baseline, (SELECT count(*) FROM rows r WHERE r.tid=t.tid)"
			       " FROM tables t WHERE t.name=?",
			       -1, &q, NULL) != SQLITE_OK)
		return db_fail(ps, "read table");
	sqlite3_bind_text(q, 1, table, -1, SQLITE_STATIC);
	int step = sqlite3_step(q);
	if (step == SQLITE_ROW) {
		*baseline = sqlite3_column_int(q, 0) != 0;
		*rows = sqlite3_column_int64(q, 1);
	}
	sqlite3_finalize(q);
	return step == SQLITE_ROW || step == SQLITE_DONE ? 0 : db_fail(ps, "read table");
}

/* Runs q (a statement of (tid, ckey)) for table's key: 1 when it gave a
 * row, 0 when not. */
static int keyed(struct pubstore *ps, sqlite3_stmt *q, const char *table, const uint8_t *ckey,
		 size_t n, uint64_t *hash)
{
	struct pub_table *t;
	int rc = entry_for(ps, table, &t);
	if (rc)
		return rc;
	sqlite3_bind_int64(q, 1, t->tid);
	bind_blob(q, 2, ckey, n);
	int step = sqlite3_step(q);
	if (step == SQLITE_ROW && hash)
		*hash = (uint64_t)sqlite3_column_int64(q, 0);
	sqlite3_reset(q);
	sqlite3_clear_bindings(q);
	if (step == SQLITE_ROW)
		return 1;
	return step == SQLITE_DONE ? 0 : db_fail(ps, "read a key");
}

int pubstore_lookup(struct pubstore *ps, const char *table, const uint8_t *ckey, size_t n,
		    uint64_t *hash)
{
	return keyed(ps, ps->q[Q_LOOKUP], table, ckey, n, hash);
}

static bool busy_set(const char *set)
{
	return strcmp(set, "busy") == 0;
}

int pubstore_mark(struct pubstore *ps, const char *set, const char *table, const uint8_t *ckey,
		  size_t n)
{
	int rc = keyed(ps, ps->q[busy_set(set) ? Q_MARK_BUSY : Q_MARK_SEEN], table, ckey, n, NULL);
	return rc < 0 ? rc : 0;
}

int pubstore_marked(struct pubstore *ps, const char *set, const char *table, const uint8_t *ckey,
		    size_t n)
{
	return keyed(ps, ps->q[busy_set(set) ? Q_MARKED_BUSY : Q_MARKED_SEEN], table, ckey, n,
		     NULL);
}

int pubstore_clear(struct pubstore *ps, const char *set)
{
	return exec(ps, busy_set(set) ? "DELETE FROM mark_busy" : "DELETE FROM mark_seen",
		    "clear a key set");
}

int pubstore_unseen(struct pubstore *ps, const char *table,
		    int (*fn)(void *ctx, const uint8_t *key, size_t n), void *ctx)
{
	struct pub_table *t;
	int rc = entry_for(ps, table, &t);
	sqlite3_stmt *q = NULL;
	if (!rc &&
	    sqlite3_prepare_v2(
		    ps->db,
		    "SELECT r.key FROM rows r WHERE r.tid=?1"
		    " AND NOT EXISTS (SELECT 1 FROM mark_seen s WHERE s.tid=?1 AND s.ckey=r.ckey)"
		    " AND NOT EXISTS (SELECT 1 FROM mark_busy b WHERE b.tid=?1 AND b.ckey=r.ckey)"
		    " ORDER BY r.ckey",
		    -1, &q, NULL) != SQLITE_OK)
		rc = db_fail(ps, "read unseen keys");
	if (!rc)
		sqlite3_bind_int64(q, 1, t->tid);
	int step = SQLITE_DONE;
	while (!rc && (step = sqlite3_step(q)) == SQLITE_ROW)
		rc = fn(ctx, sqlite3_column_blob(q, 0), (size_t)sqlite3_column_bytes(q, 0));
	if (!rc && step != SQLITE_DONE)
		rc = db_fail(ps, "read unseen keys");
	sqlite3_finalize(q);
	return rc;
}

/* Owns q and prev. */
struct pub_walk {
	struct pubstore *ps;
	char *table;
	sqlite3_stmt *q; /* table's keys in byte order */
	int have;	 /* q is on a row */
	struct buf prev; /* the last key asked for */
	bool broken;	 /* keys came out of byte order: look up from then on */
};

static int bytes_cmp(const void *a, size_t an, const void *b, size_t bn)
{
	int c = memcmp(a, b, an < bn ? an : bn);
	return c ? c : (an > bn) - (an < bn);
}

static int walk_step(struct pub_walk *w)
{
	int step = sqlite3_step(w->q);
	w->have = step == SQLITE_ROW;
	return step == SQLITE_ROW || step == SQLITE_DONE ? 0 : db_fail(w->ps, "walk the keys");
}

int pub_walk_open(struct pubstore *ps, const char *table, struct pub_walk **out)
{
	*out = NULL;
	struct pub_table *t;
	int rc = entry_for(ps, table, &t);
	if (rc)
		return rc;
	struct pub_walk *w = xcalloc(1, sizeof(*w));
	w->ps = ps;
	w->table = xstrdup(table);
	if (sqlite3_prepare_v2(ps->db, "SELECT ckey, hash FROM rows WHERE tid=? ORDER BY ckey", -1,
			       &w->q, NULL) != SQLITE_OK)
		rc = db_fail(ps, "walk the keys");
	if (!rc) {
		sqlite3_bind_int64(w->q, 1, t->tid);
		rc = walk_step(w);
	}
	if (rc) {
		pub_walk_close(w);
		return rc;
	}
	*out = w;
	return 0;
}

int pub_walk_find(struct pub_walk *w, const uint8_t *ckey, size_t n, uint64_t *hash)
{
	if (!w->broken && w->prev.len && bytes_cmp(ckey, n, w->prev.data, w->prev.len) <= 0)
		w->broken = true;
	if (w->broken)
		return pubstore_lookup(w->ps, w->table, ckey, n, hash);
	buf_reset(&w->prev);
	buf_add(&w->prev, ckey, n);
	int c = 1, rc = 0;
	while (w->have && !rc &&
	       (c = bytes_cmp(sqlite3_column_blob(w->q, 0), (size_t)sqlite3_column_bytes(w->q, 0),
			      ckey, n)) < 0)
		rc = walk_step(w);
	if (rc)
		return rc;
	if (!w->have || c != 0)
		return 0;
	*hash = (uint64_t)sqlite3_column_int64(w->q, 1);
	return 1;
}

void pub_walk_close(struct pub_walk *w)
{
	if (!w)
		return;
	sqlite3_finalize(w->q);
	buf_free(&w->prev);
	free(w->table);
	free(w);
}
