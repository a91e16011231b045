/* Binlog capture: a position against the log files the server still keeps
 * (SHOW BINARY LOGS, BINLOG MONITOR): whether the file of the acknowledged
 * position was purged (the run stops, never skipping what it held), and,
 * for status, how far the log runs past the position and how close the
 * server is to purging it. */
#include "mysql_driver.h"

#include "err.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

int mysql_binlog_parse_pos(const char *pos, char **file, uint64_t *offset)
{
	const char *colon = strrchr(pos, ':');
	char *end = NULL;
	unsigned long long n = colon ? strtoull(colon + 1, &end, 10) : 0;
	if (!colon || colon == pos || !end || *end || n < 4)
		return err_set(CDC_ERUNTIME, "binlog position '%s' is not FILE:OFFSET", pos);
	*file = xstrndup(pos, (size_t)(colon - pos));
	*offset = n;
	return 0;
}

/* The server's log files, oldest first. */
struct log_files {
	MYSQL_RES *res;
	MYSQL_ROW *rows;
	size_t n;
};

static int list_files(struct source *src, struct log_files *lf)
{
	memset(lf, 0, sizeof(*lf));
	int rc = mysql_select(src, "SHOW BINARY LOGS", "list the binary logs", &lf->res);
	MYSQL_ROW row;
	while (!rc && (row = mysql_fetch_row(lf->res))) {
		if (!row[0] || !row[1])
			continue;
		lf->rows = xrealloc(lf->rows, (lf->n + 1) * sizeof(*lf->rows));
		lf->rows[lf->n++] = row;
	}
	return rc;
}

static void files_free(struct log_files *lf)
{
	if (lf->res)
		mysql_free_result(lf->res);
	free(lf->rows);
}

/* The index of file in lf, -1 when the server does not have it. */
static long find_file(const struct log_files *lf, const char *file)
{
	for (size_t i = 0; i < lf->n; i++)
		if (strcmp(lf->rows[i][0], file) == 0)
			return (long)i;
	return -1;
}

static int gone(struct source *src, const char *pos, const char *file, const struct log_files *lf)
{
	return err_set(CDC_ERUNTIME,
		       "%s: binlog mode: the acknowledged position %s is in binary log "
		       "%s, which the server no longer has (purged; the oldest it keeps is %s): "
		       "the changes logged after it cannot be read; run 'cdcpack load' to ship "
		       "the tables afresh and capture from its position",
		       src->where, pos, file, lf->n ? lf->rows[0][0] : "none");
}

/* pos split, the server's files, and the index of pos's file among them
 * (-1: the server no longer has it). */
static int locate(struct source *src, const char *pos, char **file, uint64_t *offset,
		  struct log_files *lf, long *at)
{
	*at = -1;
	int rc = mysql_binlog_parse_pos(pos, file, offset);
	if (!rc)
		rc = list_files(src, lf);
	if (!rc)
		*at = find_file(lf, *file);
	return rc;
}

int mysql_binlog_present(struct source *src, const char *pos, bool *at_end)
{
	char *file = NULL;
	uint64_t offset;
	struct log_files lf = {0};
	long at;
	*at_end = false;
	int rc = locate(src, pos, &file, &offset, &lf, &at);
	if (!rc && at < 0)
		rc = gone(src, pos, file, &lf);
	/* The size the server gives its current file counts every byte it
	 * wrote there (a transaction is written whole, at its commit), never
	 * fewer than a dump would send: equal to the offset, nothing follows. */
	if (!rc && (size_t)at + 1 == lf.n)
		*at_end = strtoull(lf.rows[at][1], NULL, 10) == offset;
	files_free(&lf);
	free(file);
	return rc;
}

/* How long the server keeps a log file, in seconds (0: until purged by
 * hand). MariaDB 10.6+ and MySQL 8 name it binlog_expire_logs_seconds;
 * an older server has expire_logs_days only. */
static int64_t expire_seconds(struct source *src)
{
	int64_t s = 0;
	if (mysql_select_int(src, "SELECT @@binlog_expire_logs_seconds", "read the binlog expiry",
			     &s) != 0) {
		err_clear();
		if (mysql_select_int(src, "SELECT ROUND(@@expire_logs_days * 86400)",
				     "read the binlog expiry", &s) != 0) {
			err_clear();
			s = 0;
		}
	}
	return s;
}

/* The position's file is the oldest the server keeps and no longer the one
 * it writes: the next purge (by expiry or PURGE BINARY LOGS) removes it. */
static char *near_purge(struct source *src, const struct log_files *lf, long at, int64_t lag)
{
	if (at != 0 || lf->n < 2)
		return NULL;
	int64_t expire = expire_seconds(src);
	struct buf b = BUF_INIT;
	buf_addf(&b,
		 "the acknowledged position is in %s, the oldest binary log the server keeps, "
		 "which it no longer writes: the next purge removes it (",
		 lf->rows[0][0]);
	if (expire > 0)
		buf_addf(&b, "binlog_expire_logs_seconds = %lld%s, ", (long long)expire,
			 lag >= 0 && lag * 4 >= expire * 3 ? ", and the oldest change waiting is "
							     "older than three quarters of it"
							   : "");
	buf_adds(&b, "PURGE BINARY LOGS); run cdcpack before then, or 'cdcpack load' after");
	return buf_detach(&b);
}

int mysql_binlog_lag(struct source *src, const char *pos, struct log_lag *out)
{
	memset(out, 0, sizeof(*out));
	out->bytes = -1;
	out->seconds = -1;
	char *file = NULL;
	uint64_t offset;
	struct log_files lf = {0};
	long at;
	int rc = locate(src, pos, &file, &offset, &lf, &at);
	if (!rc && lf.n)
		out->oldest = xstrdup(lf.rows[0][0]);
	if (!rc && at < 0) {
		out->gone = true;
		gone(src, pos, file, &lf);
		out->warning = xstrdup(err_msg());
		err_clear();
	}
	if (!rc && at >= 0) {
		int64_t bytes = 0;
		for (size_t i = (size_t)at; i < lf.n; i++)
			bytes += strtoll(lf.rows[i][1], NULL, 10);
		out->bytes = bytes > (int64_t)offset ? bytes - (int64_t)offset : 0;
		int64_t when = 0;
		rc = out->bytes ? mysql_binlog_next_time(src, pos, &when) : 0;
		time_t now = time(NULL);
		out->seconds = when > 0 && now > when ? now - when : 0;
		out->warning = near_purge(src, &lf, at, out->seconds);
	}
	files_free(&lf);
	free(file);
	return rc;
}

int mysql_binlog_gtid_at(struct source *src, const char *pos, char **gtid)
{
	char *file = NULL;
	uint64_t offset;
	*gtid = NULL;
	int rc = mysql_binlog_parse_pos(pos, &file, &offset);
	struct buf sql = BUF_INIT;
	if (!rc) {
		buf_adds(&sql, "SELECT BINLOG_GTID_POS(");
		mysql_add_literal(src, &sql, file);
		buf_addf(&sql, ", %llu)", (unsigned long long)offset);
	}
	MYSQL_RES *res = NULL;
	if (!rc)
		rc = mysql_select(src, buf_str(&sql), "read the GTID state of a binlog position",
				  &res);
	MYSQL_ROW row = rc ? NULL : mysql_fetch_row(res);
	if (!rc)
		*gtid = xstrdup(row && row[0] ? row[0] : "");
	if (res)
		mysql_free_result(res);
	buf_free(&sql);
	free(file);
	return rc;
}

/* One domain's last GTID. */
struct gtid {
	unsigned long domain, server;
	unsigned long long seq;
};

char *mysql_gtid_advance(const char *state, uint32_t domain, uint32_t server, uint64_t seq)
{
	struct buf b = BUF_INIT;
	struct gtid g;
	bool put = false;
	const char *p = state ? state : "";
	int used;
	/* Domains in ascending order, the new one where it falls; a state in
	 * the server's own order (BINLOG_GTID_POS) stays the same set. */
	while (sscanf(p, "%lu-%lu-%llu%n", &g.domain, &g.server, &g.seq, &used) == 3) {
		if (!put && g.domain >= domain) {
			buf_addf(&b, "%s%u-%u-%llu", b.len ? "," : "", domain, server,
				 (unsigned long long)seq);
			put = true;
		}
		if (g.domain != domain)
			buf_addf(&b, "%s%lu-%lu-%llu", b.len ? "," : "", g.domain, g.server, g.seq);
		p += used;
		p += *p == ',';
	}
	if (!put)
		buf_addf(&b, "%s%u-%u-%llu", b.len ? "," : "", domain, server,
			 (unsigned long long)seq);
	return buf_detach(&b);
}

/* The number after a log file name's last dot (binlog.000012: 12). */
static unsigned long long file_number(const char *file, size_t n)
{
	while (n > 0 && file[n - 1] != '.')
		n--;
	return n ? strtoull(file + n, NULL, 10) : 0;
}

int mysql_binlog_cmp(const char *a, const char *b)
{
	const char *colon = strrchr(a, ':');
	if (!colon)
		return -1;
	char *file = xstrndup(a, (size_t)(colon - a));
	int c = mysql_binlog_pos_cmp(file, strtoull(colon + 1, NULL, 10), b);
	free(file);
	return c;
}

int mysql_binlog_pos_cmp(const char *file, uint64_t offset, const char *pos)
{
	const char *colon = strrchr(pos, ':');
	if (!colon)
		return -1;
	unsigned long long a = file_number(file, strlen(file));
	unsigned long long b = file_number(pos, (size_t)(colon - pos));
	unsigned long long at = strtoull(colon + 1, NULL, 10);
	if (a != b)
		return a < b ? -1 : 1;
	return offset < at ? -1 : offset > at ? 1 : 0;
}
