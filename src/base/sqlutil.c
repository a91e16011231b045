#include "sqlutil.h"

#include "codec.h"
#include "err.h"
#include "version.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

void sql_add_ident(struct buf *b, const char *name, char quote)
{
	buf_addc(b, quote);
	for (const char *p = name; *p; p++) {
		if (*p == quote)
			buf_addc(b, quote);
		buf_addc(b, *p);
	}
	buf_addc(b, quote);
}

void sql_add_literal(struct buf *b, const char *text)
{
	buf_addc(b, '\'');
	for (const char *p = text; *p; p++) {
		if (*p == '\'')
			buf_addc(b, '\'');
		buf_addc(b, *p);
	}
	buf_addc(b, '\'');
}

const char *sql_os_reason(sqlite3 *db)
{
	int code = sqlite3_errcode(db) & 0xff; /* extended codes too */
	int sys = sqlite3_system_errno(db);
	/* Thread-local: each thread formats its own message. */
	static _Thread_local char text[160];
	struct rlimit fsize;
	if (sys && (code == SQLITE_IOERR || code == SQLITE_FULL || code == SQLITE_CANTOPEN)) {
		snprintf(text, sizeof(text), " (%s)", strerror(sys));
		return text;
	}
	/* SQLite keeps no errno for a failed write: a file-size limit in force
	 * is the likely cause worth naming (EFBIG). */
	if (code == SQLITE_IOERR && getrlimit(RLIMIT_FSIZE, &fsize) == 0 &&
	    fsize.rlim_cur != RLIM_INFINITY) {
		snprintf(text, sizeof(text),
			 " (a write failed; the file-size limit, ulimit -f, is %llu bytes)",
			 (unsigned long long)fsize.rlim_cur);
		return text;
	}
	return "";
}

int sql_meta_get(sqlite3 *db, const char *k, char **out)
{
	*out = NULL;
	sqlite3_stmt *q;
	int rc = sqlite3_prepare_v2(db, "SELECT v FROM meta WHERE k=?", -1, &q, NULL);
	if (rc != SQLITE_OK)
		return rc;
	sqlite3_bind_text(q, 1, k, -1, SQLITE_STATIC);
	int step = sqlite3_step(q);
	const char *v = step == SQLITE_ROW ? (const char *)sqlite3_column_text(q, 0) : NULL;
	*out = v ? xstrdup(v) : NULL;
	sqlite3_finalize(q);
	return step == SQLITE_ROW || step == SQLITE_DONE ? SQLITE_OK : step;
}

int sql_meta_set(sqlite3 *db, const char *k, const char *v)
{
	sqlite3_stmt *q;
	int rc = sqlite3_prepare_v2(db, "INSERT OR REPLACE INTO meta VALUES(?, ?)", -1, &q, NULL);
	if (rc != SQLITE_OK)
		return rc;
	sqlite3_bind_text(q, 1, k, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, v, -1, SQLITE_STATIC);
	int step = sqlite3_step(q);
	sqlite3_finalize(q);
	return step == SQLITE_DONE ? SQLITE_OK : step;
}

static int meta_fail(sqlite3 *db, const struct sql_format *f, const char *what)
{
	return err_set(CDC_ERUNTIME, "%s: %s: %s%s", f->file, what, sqlite3_errmsg(db),
		       sql_os_reason(db));
}

/* Whether the file has its meta table yet (a new one has not). */
static int have_meta(sqlite3 *db, const struct sql_format *f, bool *have)
{
	sqlite3_stmt *q;
	if (sqlite3_prepare_v2(
		    db, "SELECT count(*) FROM sqlite_master WHERE type='table' AND name='meta'", -1,
		    &q, NULL))
		return meta_fail(db, f, "read schema");
	int step = sqlite3_step(q);
	*have = step == SQLITE_ROW && sqlite3_column_int(q, 0) > 0;
	sqlite3_finalize(q);
	return step == SQLITE_ROW ? 0 : meta_fail(db, f, "read schema");
}

int sql_format_check(sqlite3 *db, const struct sql_format *f, bool *same, char **by)
{
	*same = false;
	if (by)
		*by = NULL;
	bool meta = false;
	int rc = have_meta(db, f, &meta);
	if (rc || !meta)
		return rc;
	char *format = NULL, *built = NULL;
	if (sql_meta_get(db, f->key, &format) != SQLITE_OK ||
	    sql_meta_get(db, "cdcpack", &built) != SQLITE_OK)
		rc = meta_fail(db, f, "read meta");
	long long have = format ? strtoll(format, NULL, 10) : 0;
	if (!rc && have > f->ours)
		rc = err_set(CDC_EUSAGE,
			     "%s: %s %lld, written by cdcpack %s; this cdcpack (%s) reads formats "
			     "up to %d and would read it wrong: run that build or a newer one",
			     f->file, f->what, have, built ? NAME_SHOWN_SHORT(built) : "(newer)",
			     cdcpack_version(), f->ours);
	*same = !rc && have == f->ours && built && strcmp(built, cdcpack_version()) == 0;
	free(format);
	if (by)
		*by = built;
	else
		free(built);
	return rc;
}

int sql_open_read(const char *path, bool immutable, sqlite3 **db)
{
	/* A URI: the path's '%', '?' and '#' (and any byte not printable ASCII)
	 * %-escaped, or SQLite would read them as the URI's own. */
	struct buf uri = BUF_INIT;
	buf_adds(&uri, "file:");
	for (const unsigned char *c = (const unsigned char *)path; *c; c++)
		if (*c <= 0x20 || *c >= 0x7f || strchr("%?#", *c))
			buf_addf(&uri, "%%%02X", *c);
		else
			buf_addc(&uri, (char)*c);
	buf_adds(&uri, immutable ? "?mode=ro&immutable=1" : "?mode=ro");
	int rc = sqlite3_open_v2(buf_str(&uri), db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, NULL);
	buf_free(&uri);
	if (rc == SQLITE_OK)
		sqlite3_busy_timeout(*db, 10000);
	return rc;
}

bool sql_cannot_index_wal(sqlite3 *db)
{
	int code = sqlite3_extended_errcode(db);
	return code == SQLITE_READONLY_DIRECTORY || code == SQLITE_READONLY_CANTINIT ||
	       (code & 0xff) == SQLITE_CANTOPEN || (code & 0xff) == SQLITE_IOERR;
}

bool sql_in_use(const char *path)
{
	static const char *const suffixes[] = {"-wal", "-shm"};
	for (size_t i = 0; i < 2; i++) {
		char *side = xasprintf("%s%s", path, suffixes[i]);
		struct stat sb;
		bool there = lstat(side, &sb) == 0;
		free(side);
		if (there)
			return true;
	}
	return false;
}

bool sql_read_immutable_ok(const char *path, const char *dir)
{
	return !sql_in_use(path) && access(dir, W_OK) != 0;
}

int sql_format_write(sqlite3 *db, const struct sql_format *f)
{
	char n[24];
	snprintf(n, sizeof(n), "%d", f->ours);
	if (sqlite3_exec(db, "CREATE TABLE IF NOT EXISTS meta(k TEXT PRIMARY KEY, v TEXT NOT NULL)",
			 NULL, NULL, NULL) != SQLITE_OK)
		return meta_fail(db, f, "create meta");
	if (sql_meta_set(db, f->key, n) != SQLITE_OK ||
	    sql_meta_set(db, "cdcpack", cdcpack_version()) != SQLITE_OK)
		return meta_fail(db, f, "write meta");
	return 0;
}
