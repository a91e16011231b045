/* Binlog capture's side in the MySQL driver ([capture] mode = binlog,
 * issue 14). For now: the check that the server writes a binary log with
 * full row images and that the user may read it (`cdcpack init`), each
 * missing setting or privilege named with the statement that fixes it. */
#include "mysql_driver.h"

#include "err.h"

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
	struct buf b = BUF_INIT;
	buf_addf(&b,
		 "user %s lacks the privilege %s%s needed to read the binary log: GRANT %s%s ON "
		 "*.* TO '%s'@'...' (run by an administrator)",
		 src->url.user, missing, one, missing, one, src->url.user);
	add_problem(why, buf_str(&b));
	buf_free(&b);
	return 0;
}

int mysql_binlog_check(struct source *src)
{
	struct buf why = BUF_INIT;
	int rc = check_settings(src, &why);
	if (!rc)
		rc = check_privileges(src, &why);
	if (!rc && why.len)
		rc = err_set(CDC_EUSAGE, "mysql %s@%s/%s: [capture] mode = binlog: %s",
			     src->url.user, src->url.host, src->url.db, buf_str(&why));
	buf_free(&why);
	return rc;
}
