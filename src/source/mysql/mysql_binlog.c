/* Binlog capture's side in the MySQL driver ([capture] mode = binlog,
 * issue 14). For now: the check that the server writes a binary log with
 * full row images and that the user may read it (`cdcpack init`), each
 * missing setting or privilege named with the statement that fixes it. */
#include "mysql_driver.h"

#include "codec.h"
#include "err.h"
#include "log.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* One server variable and the value binlog capture needs. */
struct binlog_setting {
	const char *name;
	const char *want;
	const char *fix; /* a printf format, %s: nothing */
};

static const struct binlog_setting settings[] = {
	{"log_bin", "1",
	 "start the server with log_bin (log-bin = mysql-bin under [mysqld]; it cannot be "
	 "turned on at runtime)"},
	{"binlog_format", "ROW",
	 "SET GLOBAL binlog_format = 'ROW' (and binlog_format = ROW under [mysqld] to keep it "
	 "after a restart)"},
	{"binlog_row_image", "FULL",
	 "SET GLOBAL binlog_row_image = 'FULL' (and binlog_row_image = FULL under [mysqld])"},
};

static void add_problem(struct buf *why, const char *text)
{
	buf_adds(why, why->len ? "; " : "");
	buf_adds(why, text);
}

static int check_settings(struct source *src, struct buf *why)
{
	MYSQL_RES *res;
	int rc = mysql_select(src,
			      "SELECT @@log_bin, @@binlog_format, @@binlog_row_image, @@server_id",
			      "read the binlog settings", &res);
	if (rc)
		return rc;
	MYSQL_ROW row = mysql_fetch_row(res);
	for (size_t i = 0; row && i < sizeof(settings) / sizeof(settings[0]); i++) {
		const char *have = row[i] ? row[i] : "NULL";
		if (strcasecmp(have, settings[i].want) == 0)
			continue;
		struct buf b = BUF_INIT;
		buf_addf(&b, "%s is %s, binlog capture needs %s: %s", settings[i].name, have,
			 settings[i].want, settings[i].fix);
		add_problem(why, buf_str(&b));
		buf_free(&b);
	}
	if (row && row[3] && strcmp(row[3], "0") == 0)
		add_problem(why, "server_id is 0, a server with a binary log needs one: SET GLOBAL "
				 "server_id = 1 (and server_id under [mysqld])");
	mysql_free_result(res);
	return 0;
}

/* binlog_row_metadata = FULL puts the column names in each table map,
 * which the reader checks rows against (mysql_binlog_read.c): without it an
 * ALTER that keeps the column count and types, racing a run, is not seen.
 * Not needed, so a warning, not a problem. */
static int check_row_metadata(struct source *src)
{
	MYSQL_RES *res;
	int rc = mysql_select(src, "SHOW GLOBAL VARIABLES LIKE 'binlog_row_metadata'",
			      "read binlog_row_metadata", &res);
	if (rc)
		return rc;
	MYSQL_ROW row = mysql_fetch_row(res);
	const char *have = row && row[1] ? row[1] : NULL;
	if (!have)
		log_warn("%s: the server has no binlog_row_metadata (MariaDB 10.5+, "
			 "MySQL 8): rows in the log are mapped to columns by position only",
			 src->where);
	else if (strcasecmp(have, "FULL") != 0)
		log_warn("%s: binlog_row_metadata is %s: rows in the log are mapped "
			 "to columns by position only, so a column rename or swap racing a run "
			 "is not caught; SET GLOBAL binlog_row_metadata = 'FULL' (and "
			 "binlog_row_metadata = FULL under [mysqld]) lets binlog capture check "
			 "column names",
			 src->where, have);
	mysql_free_result(res);
	return 0;
}

/* Whether a global grant line ("GRANT ... ON *.* TO ...") gives priv. */
static bool grants(const char *line, const char *priv)
{
	const char *on = strstr(line, " ON *.* ");
	if (!on || strncmp(line, "GRANT ", 6) != 0)
		return false;
	size_t n = (size_t)(on - line);
	char *privs = xstrndup(line, n);
	bool yes = strstr(privs, "ALL PRIVILEGES") || strstr(privs, priv);
	free(privs);
	return yes;
}

static int check_privileges(struct source *src, struct buf *why)
{
	/* MariaDB 10.5 renamed REPLICATION CLIENT to BINLOG MONITOR (the old
	 * name is an alias; SHOW GRANTS prints the new one). */
	const char *monitor = src->mariadb ? "BINLOG MONITOR" : "REPLICATION CLIENT";
	MYSQL_RES *res;
	int rc = mysql_select(src, "SHOW GRANTS", "read the user's privileges", &res);
	if (rc)
		return rc;
	bool slave = false, client = false;
	MYSQL_ROW row;
	while ((row = mysql_fetch_row(res))) {
		slave = slave || (row[0] && grants(row[0], "REPLICATION SLAVE"));
		client = client || (row[0] && grants(row[0], monitor));
	}
	mysql_free_result(res);
	if (slave && client)
		return 0;
	const char *missing = !slave && !client ? "REPLICATION SLAVE, " : "";
	const char *one = client ? "REPLICATION SLAVE" : monitor;
	/* The GRANT is to be copied: the user whole, as a SQL string (shown
	 * escaped, as names are, should it hold a byte no one types). */
	struct buf b = BUF_INIT, user = BUF_INIT;
	sql_quoted_literal(&user, src->url.user, strlen(src->url.user));
	char *user_shown = name_shown(buf_str(&user));
	buf_addf(&b,
		 "user %s lacks the privilege %s%s needed to read the binary log: GRANT %s%s ON "
		 "*.* TO %s@'...' (run by an administrator)",
		 NAME_SHOWN_SHORT(src->url.user), missing, one, missing, one, user_shown);
	add_problem(why, buf_str(&b));
	free(user_shown);
	buf_free(&user);
	buf_free(&b);
	return 0;
}

/* Whether the action after on (" ON DELETE ", " ON UPDATE ") in a foreign
 * key's SHOW CREATE TABLE text changes rows (CASCADE, SET NULL, SET
 * DEFAULT; RESTRICT and NO ACTION refuse instead). */
static bool acts(const char *ref, const char *on)
{
	const char *a = strstr(ref, on);
	if (!a)
		return false;
	a += strlen(on);
	return strncmp(a, "CASCADE", 7) == 0 || strncmp(a, "SET NULL", 8) == 0 ||
	       strncmp(a, "SET DEFAULT", 11) == 0;
}

/* The backquoted name at *p into b, *p moved past it; backquotes doubled
 * inside a name stand for one. */
static void unquote(const char **p, struct buf *b)
{
	const char *s = *p;
	for (s++; *s && !(*s == '`' && s[1] != '`'); s++) {
		if (*s == '`')
			s++;
		buf_addc(b, *s);
	}
	*p = *s ? s + 1 : s;
}

/* The table after " REFERENCES ": `t`, or `db`.`t` ("db.t") for a table of
 * another database; then its columns, " (`a`,`b`)", into cols. */
static char *referenced(const char *ref, struct strv *cols)
{
	const char *p = ref + strlen(" REFERENCES ");
	struct buf b = BUF_INIT;
	while (*p == '`') {
		unquote(&p, &b);
		if (*p != '.')
			break;
		buf_addc(&b, *p++);
	}
	for (p += strspn(p, " ("); *p == '`'; p += strspn(p, ", ")) {
		struct buf col = BUF_INIT;
		unquote(&p, &col);
		strv_push_owned(cols, buf_detach(&col));
	}
	return buf_detach(&b);
}

/* Appends to *v the foreign key in line (of table) when its action
 * changes rows. */
static void add_cascade(const char *table, const char *line, struct log_cascade **v, size_t *n)
{
	const char *ref = strstr(line, " REFERENCES ");
	if (!strstr(line, "FOREIGN KEY") || !ref)
		return;
	bool del = acts(ref, " ON DELETE "), upd = acts(ref, " ON UPDATE ");
	if (!del && !upd)
		return;
	*v = xrealloc(*v, (*n + 1) * sizeof(**v));
	struct log_cascade *k = &(*v)[(*n)++];
	*k = (struct log_cascade){.child = xstrdup(table),
				  .line = xstrdup(line + strspn(line, " ")),
				  .on_delete = del,
				  .on_update = upd};
	k->parent = referenced(ref, &k->parent_cols);
}

/* Foreign keys whose action changes rows of table: InnoDB makes those
 * changes below the binary log, which never carries them. Read from SHOW
 * CREATE TABLE: MariaDB hides information_schema's constraints from a user
 * with SELECT only. */
static int table_cascades(struct source *src, const char *table, struct log_cascade **v, size_t *n)
{
	struct buf sql = BUF_INIT;
	buf_adds(&sql, "SHOW CREATE TABLE ");
	mysql_add_ident(&sql, table);
	MYSQL_RES *res;
	int rc = mysql_select(src, buf_str(&sql), "read the table's foreign keys", &res);
	buf_free(&sql);
	if (rc)
		return rc;
	MYSQL_ROW row = mysql_fetch_row(res);
	const char *p = row && mysql_num_fields(res) > 1 && row[1] ? row[1] : "";
	while (*p) {
		size_t len = strcspn(p, "\n");
		char *line = xstrndup(p, len);
		add_cascade(table, line, v, n);
		free(line);
		p += len + (p[len] ? 1 : 0);
	}
	mysql_free_result(res);
	return 0;
}

int mysql_binlog_cascades(struct source *src, const struct strv *tables, struct log_cascade **out,
			  size_t *n)
{
	*out = NULL;
	*n = 0;
	int rc = 0;
	for (size_t i = 0; i < tables->n && !rc; i++)
		rc = table_cascades(src, tables->v[i], out, n);
	return rc;
}

/* Each cascading foreign key of the tables is a problem, unless
 * cascades_ok and its parent is captured (a run then reconciles the
 * children after it reads the parent's deletes and key updates). */
static int check_cascades(struct source *src, const struct strv *tables, bool cascades_ok,
			  struct buf *why)
{
	struct log_cascade *v;
	size_t n;
	int rc = mysql_binlog_cascades(src, tables, &v, &n);
	for (size_t i = 0; i < n && !rc; i++) {
		struct buf b = BUF_INIT;
		if (!cascades_ok)
			buf_addf(&b,
				 "table %s: %s: the binary log does not carry the changes such a "
				 "foreign key makes; set [capture] reconcile = manual (or a "
				 "duration) for a run to reconcile %s after it reads a delete or "
				 "key update of %s, capture this source with mode = snapshot, or "
				 "make the key RESTRICT",
				 v[i].child, v[i].line, v[i].child, v[i].parent);
		else if (!strv_contains(tables, v[i].parent))
			buf_addf(&b,
				 "table %s: %s: the binary log does not carry the changes such a "
				 "foreign key makes, and %s is not captured, so no run sees the "
				 "deletes and key updates that start them: capture %s too, or "
				 "make the key RESTRICT",
				 v[i].child, v[i].line, v[i].parent, v[i].parent);
		if (b.len)
			add_problem(why, buf_str(&b));
		buf_free(&b);
	}
	log_cascades_free(v, n);
	return rc;
}

/* Text columns whose bytes in the log are not UTF-8: trigger images
 * convert them (CAST AS CHAR), the log holds them as stored. */
static int check_charsets(struct source *src, const char *table, struct buf *why)
{
	struct buf sql = BUF_INIT;
	buf_adds(&sql, "SELECT COLUMN_NAME, CHARACTER_SET_NAME FROM information_schema.COLUMNS "
		       "WHERE ");
	mysql_add_table_filter(src, &sql, table);
	buf_adds(&sql, " AND CHARACTER_SET_NAME NOT IN ('utf8mb4', 'utf8mb3', 'utf8', 'ascii', "
		       "'binary') ORDER BY ORDINAL_POSITION");
	MYSQL_RES *res;
	int rc = mysql_select(src, buf_str(&sql), "read the columns' character sets", &res);
	buf_free(&sql);
	MYSQL_ROW row;
	while (!rc && (row = mysql_fetch_row(res))) {
		struct buf b = BUF_INIT;
		buf_addf(&b,
			 "table %s: column %s is in character set %s, which binlog mode does not "
			 "convert to UTF-8 yet; ALTER TABLE ... CONVERT TO CHARACTER SET utf8mb4, "
			 "or "
			 "use mode = trigger",
			 NAME_SHOWN_SHORT(table), NAME_SHOWN_SHORT(row[0] ? row[0] : "?"),
			 NAME_SHOWN_SHORT(row[1] ? row[1] : "?"));
		add_problem(why, buf_str(&b));
		buf_free(&b);
	}
	if (!rc)
		mysql_free_result(res);
	return rc;
}

int mysql_binlog_check(struct source *src, const struct strv *tables, bool cascades_ok)
{
	struct buf why = BUF_INIT;
	int rc = check_settings(src, &why);
	if (!rc)
		rc = check_privileges(src, &why);
	if (!rc)
		rc = check_row_metadata(src);
	if (!rc)
		rc = check_cascades(src, tables, cascades_ok, &why);
	for (size_t i = 0; i < tables->n && !rc; i++)
		rc = check_charsets(src, tables->v[i], &why);
	if (!rc && why.len)
		rc = err_set(CDC_EUSAGE, "%s: [capture] mode = binlog: %s", src->where,
			     buf_str(&why));
	buf_free(&why);
	return rc;
}

/* ---- the log position of a consistent read ---- */

int mysql_binlog_position(struct source *src, struct log_pos *out)
{
	memset(out, 0, sizeof(*out));
	if (!src->mariadb)
		return err_set(CDC_EUSAGE,
			       "%s: [capture] mode = binlog: only MariaDB reports the "
			       "binlog position of a consistent snapshot (binlog_snapshot_file); "
			       "MySQL is not supported yet",
			       src->where);
	MYSQL_RES *res;
	int rc = mysql_select(src, "SHOW STATUS LIKE 'binlog_snapshot_%'",
			      "read the snapshot's binlog position", &res);
	if (rc)
		return rc;
	const char *file = NULL, *offset = NULL;
	MYSQL_ROW row;
	while ((row = mysql_fetch_row(res))) {
		if (row[0] && row[1] && strcasecmp(row[0], "Binlog_snapshot_file") == 0)
			file = row[1];
		else if (row[0] && row[1] && strcasecmp(row[0], "Binlog_snapshot_position") == 0)
			offset = row[1];
	}
	if (file && *file && offset)
		out->pos = xasprintf("%s:%s", file, offset);
	else
		rc = err_set(CDC_ERUNTIME,
			     "%s: the server reports no binlog position for the "
			     "snapshot (is log_bin on?)",
			     src->where);
	mysql_free_result(res);
	/* The GTID state there, recorded next to it. */
	if (!rc)
		rc = mysql_binlog_gtid_at(src, out->pos, &out->gtid);
	return rc;
}
