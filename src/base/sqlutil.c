#include "sqlutil.h"

#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

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
