/* The MySQL/MariaDB driver: opens mysql://USER@HOST[:PORT]/DB, describes
 * tables, reads changes and snapshots. Triggers live in mysql_triggers.c,
 * the replica side in mysql_replica.c, the row image encoding in
 * mysql_image.c. */
#include "mysql_driver.h"

#include "codec.h"
#include "mysql_types.h"
#include "err.h"
#include "fault.h"
#include "log.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Pinned per session so that every value reads and writes the same way
 * whatever the server's defaults: UTC for TIMESTAMP, strict so that a
 * value that does not fit is an error rather than silently truncated,
 * NO_AUTO_VALUE_ON_ZERO so that a replica keeps an id of 0. Long net
 * timeouts: a scan streams while the pipeline compresses and uploads. */
static const char session_sql[] =
	"SET SESSION time_zone = '+00:00', "
	"sql_mode = 'STRICT_ALL_TABLES,NO_ENGINE_SUBSTITUTION,NO_AUTO_VALUE_ON_ZERO,"
	"ERROR_FOR_DIVISION_BY_ZERO', "
	"net_write_timeout = 3600, net_read_timeout = 3600";

/* A table, column or database name the server quotes is as the user or the
 * database gave it. */
char *mysql_error_shown(MYSQL *db)
{
	return name_shown(mysql_error(db));
}

int mysql_fail(struct source *src, const char *what)
{
	char *msg = mysql_error_shown(src->db);
	int rc = err_set(CDC_ERUNTIME, "%s: %s: %s", src->where, what, msg);
	free(msg);
	return rc;
}

/* Every statement of the source's session goes through here, counted: with
 * -v, close says how many a command sent (a test holds an idle run's number
 * fixed whatever the number of tables). */
static int query(struct source *src, const char *sql)
{
	src->statements++;
	return mysql_real_query(src->db, sql, strlen(sql));
}

int mysql_run(struct source *src, const char *sql, const char *what)
{
	if (query(src, sql) != 0)
		return mysql_fail(src, what);
	/* Statements such as SET return no result; anything else is dropped. */
	MYSQL_RES *res = mysql_store_result(src->db);
	mysql_free_result(res);
	if (!res && mysql_errno(src->db))
		return mysql_fail(src, what);
	return 0;
}

int mysql_select(struct source *src, const char *sql, const char *what, MYSQL_RES **out)
{
	*out = NULL;
	if (query(src, sql) != 0)
		return mysql_fail(src, what);
	*out = mysql_store_result(src->db);
	if (!*out)
		return mysql_errno(src->db) ? mysql_fail(src, what)
					    : err_set(CDC_ERUNTIME, "%s: no result set", what);
	return 0;
}

int mysql_select_int(struct source *src, const char *sql, const char *what, int64_t *out)
{
	MYSQL_RES *res;
	*out = 0;
	int rc = mysql_select(src, sql, what, &res);
	if (rc)
		return rc;
	MYSQL_ROW row = mysql_fetch_row(res);
	if (row && row[0])
		*out = strtoll(row[0], NULL, 10);
	mysql_free_result(res);
	return 0;
}

void mysql_add_literal(struct source *src, struct buf *b, const char *text)
{
	size_t n = strlen(text);
	buf_grow(b, 2 * n + 3);
	b->data[b->len++] = '\'';
	b->len += mysql_real_escape_string(src->db, b->data + b->len, text, (unsigned long)n);
	b->data[b->len++] = '\'';
	b->data[b->len] = '\0';
}

/* information_schema compares names case-insensitively; BINARY keeps 't'
 * and 'T' apart while the plain comparison still lets the server open just
 * that table. */
void mysql_add_table_filter(struct source *src, struct buf *sql, const char *table)
{
	buf_adds(sql, "TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ");
	mysql_add_literal(src, sql, table);
	buf_adds(sql, " AND BINARY TABLE_NAME = ");
	mysql_add_literal(src, sql, table);
}

int mysql_table_exists(struct source *src, const char *name, bool *exists)
{
	struct buf sql = BUF_INIT;
	buf_adds(&sql, "SELECT COUNT(*) FROM information_schema.TABLES WHERE ");
	mysql_add_table_filter(src, &sql, name);
	int64_t n;
	int rc = mysql_select_int(src, sql.data, "look up table", &n);
	buf_free(&sql);
	*exists = !rc && n > 0;
	return rc;
}

/* The password comes from the file or the environment variable the
 * caller names for this URL, never from the URL; the caller wipes and
 * frees it once connected. */
static int read_password(const struct source_options *opt, char **out)
{
	*out = NULL;
	if (opt->password_file && *opt->password_file) {
		FILE *f = fopen(opt->password_file, "r");
		if (!f)
			return err_set(CDC_EUSAGE, "password_file %s: %s", opt->password_file,
				       strerror(errno));
		struct stat sb;
		/* A secret others can read is no secret: say so (as for AWS keys). */
		if (fstat(fileno(f), &sb) == 0 && (sb.st_mode & 077))
			log_warn("password_file %s is readable by group or others (mode %03o); "
				 "chmod 600 it",
				 opt->password_file, (unsigned)(sb.st_mode & 0777));
		struct buf b = BUF_INIT;
		char chunk[256];
		size_t n;
		while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
			buf_add(&b, chunk, n);
		explicit_bzero(chunk, sizeof(chunk));
		bool failed = ferror(f);
		fclose(f);
		if (failed) {
			if (b.data)
				explicit_bzero(b.data, b.len);
			buf_free(&b);
			return err_set(CDC_EUSAGE, "password_file %s: read error",
				       opt->password_file);
		}
		while (b.len && (b.data[b.len - 1] == '\n' || b.data[b.len - 1] == '\r'))
			b.data[--b.len] = '\0';
		*out = buf_detach(&b);
		return 0;
	}
	const char *env = getenv(opt->password_env ? opt->password_env : SOURCE_PASSWORD_ENV);
	if (env)
		*out = xstrdup(env);
	return 0;
}

static void wipe(char *secret)
{
	if (secret) {
		explicit_bzero(secret, strlen(secret));
		free(secret);
	}
}

static void set_tls(MYSQL *db, const struct mysql_url *url)
{
	my_bool on = 1;
	if (url->ssl == MYSQL_URL_SSL_DISABLED)
		return;
	/* With no client key, TLS is used when the server offers it. */
	mysql_ssl_set(db, NULL, NULL, url->ssl_ca, NULL, NULL);
	if (url->ssl >= MYSQL_URL_SSL_REQUIRED)
		mysql_options(db, MYSQL_OPT_SSL_ENFORCE, &on);
	if (url->ssl == MYSQL_URL_SSL_VERIFY)
		mysql_options(db, MYSQL_OPT_SSL_VERIFY_SERVER_CERT, &on);
}

/* A new connection with src's URL, TLS and options into *out. */
static int open_connection(struct source *src, const char *password, bool create, MYSQL **out)
{
	MYSQL *db = mysql_init(NULL);
	*out = db;
	if (!db)
		return err_set(CDC_ERUNTIME, "mysql: cannot allocate a connection");
	unsigned timeout = 10;
	unsigned long max_packet = 1UL << 30;
	mysql_options(db, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
	mysql_options(db, MYSQL_SET_CHARSET_NAME, "utf8mb4");
	mysql_options(db, MYSQL_OPT_MAX_ALLOWED_PACKET, &max_packet);
	mysql_load_handler(db, src);
	set_tls(db, &src->url);
	/* Connector/C speaks over the socket only when the host is localhost. */
	const char *host = src->url.socket ? "localhost" : src->url.host;
	if (!mysql_real_connect(db, host, src->url.user, password, create ? NULL : src->url.db,
				src->url.port, src->url.socket, 0)) {
		char *msg = mysql_error_shown(db);
		int rc = err_set(CDC_ERUNTIME, "%s: cannot connect: %s", src->where, msg);
		free(msg);
		return rc;
	}
	/* Some Connector/C versions fall back to plain text under SSL_ENFORCE
	 * when the server offers no TLS: check what was actually negotiated. */
	if (src->url.ssl >= MYSQL_URL_SSL_REQUIRED && !mysql_get_ssl_cipher(db))
		return err_set(CDC_ERUNTIME,
			       "%s: ssl=%s but the connection is not "
			       "encrypted (the server offers no TLS)",
			       src->where,
			       src->url.ssl == MYSQL_URL_SSL_VERIFY ? "verify" : "required");
	return 0;
}

static int connect_db(struct source *src, const char *password, bool create)
{
	int rc = open_connection(src, password, create, &src->db);
	if (!rc)
		src->mariadb = strstr(mysql_get_server_info(src->db), "MariaDB") != NULL;
	return rc;
}

int mysql_connect_again(struct source *src, MYSQL **out)
{
	int rc = open_connection(src, src->password, false, out);
	if (rc && *out) {
		mysql_close(*out);
		*out = NULL;
	}
	return rc;
}

static int create_database(struct source *src)
{
	struct buf sql = BUF_INIT;
	buf_adds(&sql, "CREATE DATABASE IF NOT EXISTS ");
	mysql_add_ident(&sql, src->url.db);
	buf_adds(&sql, " CHARACTER SET utf8mb4");
	int rc = mysql_run(src, sql.data, "create database");
	buf_free(&sql);
	if (!rc && mysql_select_db(src->db, src->url.db) != 0)
		rc = mysql_fail(src, "use database");
	return rc;
}

/* The URL's user, host and database come from the config %-decoded: any
 * bytes. Messages show them as names are shown (docs/design.md §2). */
static void name_where(struct source *src)
{
	char *user = name_shown_short(src->url.user ? src->url.user : "");
	char *host = name_shown_short(src->url.host ? src->url.host : "");
	src->db_shown = name_shown_short(src->url.db ? src->url.db : "");
	src->where = xasprintf("mysql %s@%s/%s", user, host, src->db_shown);
	free(user);
	free(host);
}

static int mysql_src_open(struct source **out, const char *url, const struct source_options *opt)
{
	*out = NULL;
	struct source *src = xcalloc(1, sizeof(*src));
	src->lower_case_names = -1;
	int rc = mysql_url_parse(url, &src->url);
	char *password = NULL;
	if (!rc)
		name_where(src);
	if (!rc)
		rc = read_password(opt, &password);
	if (!rc) {
		src->changelog = xstrdup(opt->changelog ? opt->changelog : "cdcpack_changelog");
		src->schema_table = xasprintf("%s_schema", src->changelog);
		src->owner_table = xasprintf("%s_owner", src->changelog);
		src->read_only = opt->read_only;
		rc = connect_db(src, password, opt->create && !opt->read_only);
	}
	/* Kept for a second connection (binlog capture's log stream). */
	src->password = password;
	if (!rc)
		rc = mysql_run(src, session_sql, "set session");
	/* verify and diff only read: let the server hold us to that. */
	if (!rc && opt->read_only)
		rc = mysql_run(src, "SET SESSION TRANSACTION READ ONLY", "set session read only");
	if (!rc && opt->create && !opt->read_only)
		rc = create_database(src);
	if (rc) {
		mysql_source_ops.close(src);
		return rc;
	}
	*out = src;
	return 0;
}

static void free_schema(struct source *src)
{
	for (size_t i = 0; i < src->nschema; i++) {
		free(src->schema[i].table);
		table_def_free(src->schema[i].def);
		free(src->schema[i].kinds);
		table_def_free(src->schema[i].shipped);
	}
	free(src->schema);
	src->schema = NULL;
	src->nschema = 0;
}

static void mysql_src_close(struct source *src)
{
	if (!src)
		return;
	mysql_replica_free_cache(src);
	free_schema(src);
	if (src->db && log_get_level() >= LOG_DEBUG)
		log_debug("source %s: %llu statement(s)", src->db_shown, src->statements);
	if (src->db)
		mysql_close(src->db);
	mysql_url_free(&src->url);
	free(src->where);
	free(src->db_shown);
	wipe(src->password);
	free(src->changelog);
	free(src->schema_table);
	free(src->owner_table);
	strv_free(&src->collation_checked);
	free(src);
}

static bool is_own_table(const struct source *src, const char *name)
{
	return source_reserved_name(src->changelog, name);
}

static int mysql_src_list_tables(struct source *src, struct strv *out)
{
	MYSQL_RES *res;
	int rc = mysql_select(src,
			      "SELECT TABLE_NAME FROM information_schema.TABLES"
			      " WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE = 'BASE TABLE'"
			      " ORDER BY BINARY TABLE_NAME",
			      "list tables", &res);
	if (rc)
		return rc;
	MYSQL_ROW row;
	while ((row = mysql_fetch_row(res)))
		if (!is_own_table(src, row[0]))
			strv_push(out, row[0]);
	mysql_free_result(res);
	source_drop_changelog_families(src, mysql_is_owner_table, out);
	return 0;
}

static int read_columns(struct source *src, struct table_def *def)
{
	struct buf sql = BUF_INIT;
	buf_adds(&sql,
		 "SELECT COLUMN_NAME, COLUMN_TYPE, EXTRA FROM information_schema.COLUMNS WHERE ");
	mysql_add_table_filter(src, &sql, def->name);
	buf_adds(&sql, " ORDER BY ORDINAL_POSITION");
	MYSQL_RES *res;
	int rc = mysql_select(src, sql.data, "describe table", &res);
	buf_free(&sql);
	if (rc)
		return rc;
	MYSQL_ROW row;
	while ((row = mysql_fetch_row(res))) {
		table_def_add_column(def, row[0], row[1], false);
		/* "VIRTUAL GENERATED", "STORED GENERATED" (MySQL 8's
		 * "DEFAULT_GENERATED" is a column with an expression default) */
		def->cols[def->ncols - 1].generated =
			row[2] &&
			(strstr(row[2], "VIRTUAL GENERATED") || strstr(row[2], "STORED GENERATED"));
	}
	mysql_free_result(res);
	return 0;
}

/* The key: the primary key, else the first unique index whose columns are
 * all NOT NULL (it identifies rows just as well). Sets *index to its name
 * ("PRIMARY") or NULL when the table has neither. */
static int find_key(struct source *src, struct table_def *def, char **index)
{
	struct buf sql = BUF_INIT;
	buf_adds(&sql, "SELECT INDEX_NAME, COLUMN_NAME, NULLABLE FROM information_schema.STATISTICS"
		       " WHERE NON_UNIQUE = 0 AND ");
	mysql_add_table_filter(src, &sql, def->name);
	buf_adds(&sql, " ORDER BY INDEX_NAME = 'PRIMARY' DESC, INDEX_NAME, SEQ_IN_INDEX");
	MYSQL_RES *res;
	*index = NULL;
	int rc = mysql_select(src, sql.data, "describe keys", &res);
	buf_free(&sql);
	if (rc)
		return rc;
	struct strv cols = {0};
	char *current = NULL;
	bool nullable = false;
	MYSQL_ROW row;
	while ((row = mysql_fetch_row(res))) {
		if (current && strcmp(current, row[0]) != 0) {
			if (!nullable)
				break; /* current is the first usable index */
			strv_free(&cols);
			free(current);
			current = NULL;
			nullable = false;
		}
		if (!current)
			current = xstrdup(row[0]);
		strv_push(&cols, row[1]);
		nullable |= row[2] && strcmp(row[2], "YES") == 0;
	}
	if (current && !nullable)
		*index = xstrdup(current);
	for (size_t i = 0; *index && i < def->ncols; i++)
		def->cols[i].key = strv_contains(&cols, def->cols[i].name);
	free(current);
	strv_free(&cols);
	mysql_free_result(res);
	return 0;
}

int mysql_describe_table(struct source *src, const char *table, struct table_def **out)
{
	*out = NULL;
	struct table_def *def = xcalloc(1, sizeof(*def));
	def->name = xstrdup(table);
	char *index = NULL;
	char shown[NAME_SHOWN_SHORT_SIZE]; /* a catalogue's name: any bytes */
	int rc = read_columns(src, def);
	if (!rc && def->ncols == 0)
		rc = err_set(CDC_ENOTFOUND, "mysql %s: no table named '%s'", src->db_shown,
			     name_shown_short_in(shown, table));
	if (!rc)
		rc = find_key(src, def, &index);
	if (!rc && !index)
		rc = err_set(
			CDC_EUSAGE,
			"mysql %s: table '%s' has no primary key and no unique index on NOT NULL "
			"columns; cdcpack needs a key to pair its rows: add a primary key, or "
			"leave the table out ([capture] exclude; diff: name the other tables "
			"with --table)",
			src->db_shown, name_shown_short_in(shown, table));
	free(index);
	if (rc) {
		table_def_free(def);
		return rc;
	}
	*out = def;
	return 0;
}

char *mysql_key_source(struct source *src, const char *table)
{
	struct table_def tmp = {.name = (char *)table};
	char *index = NULL;
	if (find_key(src, &tmp, &index))
		return NULL;
	return index;
}

static int mysql_src_describe(struct source *src, const char *table, struct table_def **out)
{
	return mysql_describe_table(src, table, out);
}

static int add_schema_row(struct source *src, MYSQL_ROW row)
{
	json_error_t jerr;
	json_t *cols = json_loads(row[2], 0, &jerr);
	struct table_def *def = xcalloc(1, sizeof(*def));
	def->name = xstrdup(row[0]);
	int rc = cols ? table_def_columns_from_json(def, cols)
		      : err_set(CDC_ERUNTIME, "%s: bad JSON: %s",
				NAME_SHOWN_SHORT(src->schema_table), jerr.text);
	json_decref(cols);
	if (rc) {
		table_def_free(def);
		return rc;
	}
	enum coltype_kind *kinds = xcalloc(def->ncols, sizeof(*kinds));
	for (size_t i = 0; i < def->ncols; i++)
		kinds[i] = coltype_kind_of(def->cols[i].type);
	src->schema = xrealloc(src->schema, (src->nschema + 1) * sizeof(*src->schema));
	src->schema[src->nschema++] = (struct mysql_schema_entry){
		xstrdup(row[0]), strtoll(row[1], NULL, 10), def, kinds, NULL};
	return 0;
}

static struct table_def *shipped_def(const struct mysql_schema_entry *e,
				     const struct mysql_schema_entry *latest)
{
	struct table_def *def = table_def_copy(e->def);
	for (size_t i = 0; i < def->ncols; i++) {
		for (size_t j = 0; j < latest->def->ncols; j++) {
			const struct column *now = &latest->def->cols[j];
			if (strcmp(now->name, def->cols[i].name) != 0 ||
			    now->decl != def->cols[i].decl)
				continue;
			free(def->cols[i].type);
			def->cols[i].type = xstrdup(now->type);
		}
	}
	return def;
}

int mysql_load_schema(struct source *src)
{
	free_schema(src);
	bool exists;
	int rc = mysql_table_exists(src, src->schema_table, &exists);
	if (rc || !exists)
		return rc;
	struct buf sql = BUF_INIT;
	buf_adds(&sql, "SELECT tbl, ver, columns FROM ");
	mysql_add_ident(&sql, src->schema_table);
	buf_adds(&sql, " ORDER BY tbl, ver");
	MYSQL_RES *res;
	rc = mysql_select(src, sql.data, "read trigger schema", &res);
	buf_free(&sql);
	if (rc)
		return rc;
	MYSQL_ROW row;
	while (!rc && (row = mysql_fetch_row(res)))
		rc = add_schema_row(src, row);
	mysql_free_result(res);
	for (size_t i = 0; i < src->nschema && !rc; i++)
		src->schema[i].shipped = shipped_def(
			&src->schema[i], mysql_latest_schema(src, src->schema[i].table));
	return rc;
}

const struct mysql_schema_entry *mysql_find_schema(struct source *src, const char *table,
						   int64_t ver)
{
	for (size_t i = 0; i < src->nschema; i++)
		if (src->schema[i].ver == ver && strcmp(src->schema[i].table, table) == 0)
			return &src->schema[i];
	return NULL;
}

const struct mysql_schema_entry *mysql_latest_schema(struct source *src, const char *table)
{
	const struct mysql_schema_entry *best = NULL;
	for (size_t i = 0; i < src->nschema; i++)
		if (strcmp(src->schema[i].table, table) == 0 &&
		    (!best || src->schema[i].ver > best->ver))
			best = &src->schema[i];
	return best;
}

static int mysql_src_begin_read(struct source *src)
{
	/* One InnoDB read view for every table from the first statement on:
	 * the load's rows and the changelog seqs it hands over to cdc agree. */
	int rc = mysql_run(src, "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ", "begin read");
	if (!rc)
		rc = mysql_run(src, "START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY",
			       "begin read");
	if (rc) {
		mysql_rollback(src->db);
		return rc;
	}
	src->in_read = true;
	return 0;
}

static int mysql_src_end_read(struct source *src)
{
	if (!src->in_read)
		return 0;
	src->in_read = false;
	return mysql_run(src, "COMMIT", "end read");
}

/* Streams the result of sql (mysql_use_result: one row in memory at a
 * time), calling each(ctx, row, lengths) until it returns non-zero. */
typedef int (*mysql_row_fn)(struct source *src, void *ctx, MYSQL_ROW row, unsigned long *lens);

static int stream_rows(struct source *src, const char *sql, const char *what, mysql_row_fn each,
		       void *ctx)
{
	if (query(src, sql) != 0)
		return mysql_fail(src, what);
	MYSQL_RES *res = mysql_use_result(src->db);
	if (!res)
		return mysql_fail(src, what);
	int rc = 0;
	MYSQL_ROW row;
	while (!rc && (row = mysql_fetch_row(res)))
		rc = each(src, ctx, row, mysql_fetch_lengths(res));
	if (!rc && mysql_errno(src->db))
		rc = mysql_fail(src, what);
	/* On an early stop this reads and drops the rest of the result: the
	 * connection cannot be used again before that. */
	mysql_free_result(res);
	return rc;
}

/* Reusable decode space for changelog rows, sized for the widest version. */
struct change_reader {
	change_fn fn;
	void *ctx;
	size_t width;
	struct value *before, *after;
	struct buf *scratch_before, *scratch_after; /* one per column */
	struct buf ts;
};

static int decode_image(struct source *src, const struct mysql_schema_entry *e, const char *text,
			unsigned long len, struct value *vals, struct buf *scratch, json_t **doc)
{
	json_error_t jerr;
	*doc = json_loadb(text, len, JSON_ALLOW_NUL, &jerr);
	if (!json_is_array(*doc) || json_array_size(*doc) != e->def->ncols)
		return err_set(CDC_ERUNTIME,
			       "%s: row image of table %s version %lld is not a "
			       "JSON array of %zu values%s%s",
			       NAME_SHOWN_SHORT(src->changelog), NAME_SHOWN_SHORT(e->table),
			       (long long)e->ver, e->def->ncols, *doc ? "" : ": ",
			       *doc ? "" : jerr.text);
	for (size_t i = 0; i < e->def->ncols; i++) {
		json_t *item = json_array_get(*doc, i);
		if (!json_is_null(item) && !json_is_string(item))
			return err_set(CDC_ERUNTIME,
				       "%s: row image of table %s: column %s is "
				       "neither a string nor null",
				       NAME_SHOWN_SHORT(src->changelog), NAME_SHOWN_SHORT(e->table),
				       NAME_SHOWN_SHORT(e->def->cols[i].name));
		int rc =
			mysql_decode_image(&vals[i], &scratch[i], e->kinds[i], e->def->cols[i].type,
					   json_string_value(item), json_string_length(item));
		if (rc)
			return err_prefix(
				rc, "%s: column %s of table %s", NAME_SHOWN_SHORT(src->changelog),
				NAME_SHOWN_SHORT(e->def->cols[i].name), NAME_SHOWN_SHORT(e->table));
	}
	return 0;
}

/* "2024-03-31 01:30:00.123" -> "2024-03-31T01:30:00.123Z" */
static void iso_ts(struct buf *out, const char *ts)
{
	buf_reset(out);
	buf_adds(out, ts ? ts : "");
	char *space = strchr(out->data, ' ');
	if (space)
		*space = 'T';
	buf_addc(out, 'Z');
}

static bool images_fit(char op, const char *before, const char *after)
{
	switch (op) {
	case 'I':
		return !before && after;
	case 'U':
		return before && after;
	case 'D':
		return before && !after;
	default:
		return false;
	}
}

static int emit_change(struct source *src, void *vctx, MYSQL_ROW row, unsigned long *lens)
{
	struct change_reader *cr = vctx;
	int64_t seq = strtoll(row[0], NULL, 10);
	const struct mysql_schema_entry *e =
		mysql_find_schema(src, row[3], strtoll(row[4], NULL, 10));
	if (!e) {
		/* the changelog's row: whoever can write the source can write it */
		char table[NAME_SHOWN_SHORT_SIZE], ver[NAME_SHOWN_SHORT_SIZE];
		return err_set(CDC_ERUNTIME,
			       "%s: seq %lld names table '%s' version %s, unknown to %s",
			       NAME_SHOWN_SHORT(src->changelog), (long long)seq,
			       name_shown_short_in(table, row[3] ? row[3] : ""),
			       name_shown_short_in(ver, row[4] ? row[4] : ""),
			       NAME_SHOWN_SHORT(src->schema_table));
	}
	char op = row[2] ? row[2][0] : '?';
	/* A NULL image where one belongs means MySQL could not build it (a
	 * value larger than max_allowed_packet): stop rather than ship a hole. */
	if (!images_fit(op, row[5], row[6])) {
		char shown[NAME_SHOWN_SHORT_SIZE];
		return err_set(CDC_ERUNTIME,
			       "%s: seq %lld: op '%s' without its row images (a value "
			       "larger than max_allowed_packet?)",
			       NAME_SHOWN_SHORT(src->changelog), (long long)seq,
			       name_shown_short_in(shown, row[2] ? row[2] : ""));
	}
	json_t *before = NULL, *after = NULL;
	int rc = 0;
	if (row[5])
		rc = decode_image(src, e, row[5], lens[5], cr->before, cr->scratch_before, &before);
	if (!rc && row[6])
		rc = decode_image(src, e, row[6], lens[6], cr->after, cr->scratch_after, &after);
	if (!rc) {
		iso_ts(&cr->ts, row[1]);
		struct change c = {
			.seq = seq,
			.ts = cr->ts.data,
			.op = op,
			.def = e->shipped,
			.before = row[5] ? cr->before : NULL,
			.after = row[6] ? cr->after : NULL,
		};
		rc = cr->fn(cr->ctx, &c);
	}
	json_decref(before);
	json_decref(after);
	return rc ? err_prefix(rc, "changelog seq %lld", (long long)seq) : 0;
}

static void reader_init(struct change_reader *cr, const struct source *src)
{
	cr->width = 1;
	for (size_t i = 0; i < src->nschema; i++)
		if (src->schema[i].def->ncols > cr->width)
			cr->width = src->schema[i].def->ncols;
	cr->before = xcalloc(cr->width, sizeof(struct value));
	cr->after = xcalloc(cr->width, sizeof(struct value));
	cr->scratch_before = xcalloc(cr->width, sizeof(struct buf));
	cr->scratch_after = xcalloc(cr->width, sizeof(struct buf));
}

static void reader_free(struct change_reader *cr)
{
	for (size_t i = 0; i < cr->width; i++) {
		buf_free(&cr->scratch_before[i]);
		buf_free(&cr->scratch_after[i]);
	}
	free(cr->scratch_before);
	free(cr->scratch_after);
	free(cr->before);
	free(cr->after);
	buf_free(&cr->ts);
}

static int changelog_exists(struct source *src, bool *exists)
{
	return mysql_table_exists(src, src->changelog, exists);
}

static int mysql_src_read_changes(struct source *src, int64_t max, change_fn fn, void *ctx)
{
	bool exists;
	int rc = changelog_exists(src, &exists);
	if (rc || !exists)
		return rc;
	/* The trigger schema (every table's column lists, parsed) is read only
	 * when there is a change to decode: an idle run over 10,000 tables
	 * would otherwise parse 10,000 of them for nothing. In a read, it is
	 * read in the read's snapshot, as the changes are. */
	struct buf sql = BUF_INIT;
	buf_adds(&sql, "SELECT COUNT(*) FROM (SELECT seq FROM ");
	mysql_add_ident(&sql, src->changelog);
	buf_adds(&sql, " LIMIT 1) AS any_change");
	int64_t any = 0;
	rc = mysql_select_int(src, sql.data, "read changelog", &any);
	if (!rc && any)
		rc = mysql_load_schema(src);
	if (rc || !any) {
		buf_free(&sql);
		return rc;
	}
	buf_reset(&sql);
	buf_adds(&sql, "SELECT seq, ts, op, tbl, ver, old_image, new_image FROM ");
	mysql_add_ident(&sql, src->changelog);
	buf_adds(&sql, " ORDER BY seq");
	if (max > 0)
		buf_addf(&sql, " LIMIT %lld", (long long)max);
	struct change_reader cr = {.fn = fn, .ctx = ctx};
	reader_init(&cr, src);
	rc = stream_rows(src, sql.data, "read changelog", emit_change, &cr);
	reader_free(&cr);
	buf_free(&sql);
	return rc;
}

struct seq_reader {
	seq_fn fn;
	void *ctx;
};

static int emit_seq(struct source *src, void *vctx, MYSQL_ROW row, unsigned long *lens)
{
	(void)src;
	(void)lens;
	struct seq_reader *sr = vctx;
	return sr->fn(sr->ctx, strtoll(row[0], NULL, 10));
}

static int mysql_src_changelog_seqs(struct source *src, const struct strv *tables, seq_fn fn,
				    void *ctx)
{
	bool exists = false;
	int rc = tables->n ? changelog_exists(src, &exists) : 0;
	if (rc || !exists)
		return rc;
	struct buf sql = BUF_INIT;
	buf_adds(&sql, "SELECT seq FROM ");
	mysql_add_ident(&sql, src->changelog);
	buf_adds(&sql, " WHERE tbl IN (");
	for (size_t i = 0; i < tables->n; i++) {
		if (i)
			buf_adds(&sql, ", ");
		mysql_add_literal(src, &sql, tables->v[i]);
	}
	buf_adds(&sql, ") ORDER BY seq");
	struct seq_reader sr = {fn, ctx};
	rc = stream_rows(src, sql.data, "read changelog seqs", emit_seq, &sr);
	buf_free(&sql);
	return rc;
}

/* Scan state: def's columns mapped onto the table's real types. */
struct scan_reader {
	row_fn fn;
	void *ctx;
	size_t ncols;
	enum coltype_kind *kinds;
	struct value *row;
};

static int emit_row(struct source *src, void *vctx, MYSQL_ROW row, unsigned long *lens)
{
	(void)src;
	struct scan_reader *sr = vctx;
	for (size_t i = 0; i < sr->ncols; i++)
		mysql_decode_text(&sr->row[i], sr->kinds[i], row[i], lens[i]);
	return sr->fn(sr->ctx, sr->row);
}

/* Kinds whose values travel as text: they are compared as bytes
 * (value_cmp), so a scan must order them by bytes too. */
/* DECIMAL is not among them: the merge compares DECIMAL keys by value (as
 * SQLite holds them), and MySQL orders DECIMAL columns by value already. */
static bool text_valued(enum coltype_kind k)
{
	return k == COLTYPE_TEXT || k == COLTYPE_OTHER || k == COLTYPE_TEMPORAL ||
	       k == COLTYPE_TIMESTAMP;
}

/* SELECT of def's columns, ordered by the key. Types come from the table
 * itself (def may come from another engine, as in verify). Keys that travel
 * as text are ordered by their bytes, as SQLite orders them and as the
 * merge of verify and diff compares them, not by the collation (which puts
 * 'a' and 'A' together); DECIMAL keys by value. */
static int build_scan_sql(struct source *src, const struct table_def *def, struct buf *sql,
			  enum coltype_kind *kinds)
{
	struct table_def *real = NULL;
	int rc = mysql_describe_table(src, def->name, &real);
	if (rc)
		return rc;
	buf_adds(sql, "SELECT ");
	for (size_t i = 0; i < def->ncols && !rc; i++) {
		const struct column *c = NULL;
		for (size_t j = 0; j < real->ncols && !c; j++)
			if (strcmp(real->cols[j].name, def->cols[i].name) == 0)
				c = &real->cols[j];
		if (!c) {
			char table[NAME_SHOWN_SHORT_SIZE], column[NAME_SHOWN_SHORT_SIZE];
			rc = err_set(CDC_ERUNTIME, "mysql %s: table '%s' has no column '%s'",
				     src->db_shown, name_shown_short_in(table, def->name),
				     name_shown_short_in(column, def->cols[i].name));
			break;
		}
		kinds[i] = coltype_kind_of(c->type);
		buf_adds(sql, i ? ", " : "");
		mysql_scan_expr(sql, c->name, c->type);
	}
	buf_adds(sql, " FROM ");
	mysql_add_ident(sql, def->name);
	const char *sep = " ORDER BY ";
	for (size_t i = 0; i < def->ncols && !rc; i++) {
		if (!def->cols[i].key)
			continue;
		buf_adds(sql, sep);
		sep = ", ";
		if (text_valued(kinds[i]))
			buf_adds(sql, "CAST(");
		mysql_add_ident(sql, def->cols[i].name);
		if (text_valued(kinds[i]))
			buf_adds(sql, " AS BINARY)");
	}
	table_def_free(real);
	return rc;
}

/* key_order is ignored: MySQL's DECIMAL and date-time columns come in
 * value order, which is their canonical spellings' order. */
static int mysql_src_scan(struct source *src, const struct table_def *def,
			  const enum canon_class *key_order, row_fn fn, void *ctx)
{
	(void)key_order;
	struct scan_reader sr = {fn, ctx, def->ncols, NULL, NULL};
	sr.kinds = xcalloc(def->ncols, sizeof(*sr.kinds));
	sr.row = xcalloc(def->ncols, sizeof(*sr.row));
	struct buf sql = BUF_INIT;
	int rc = build_scan_sql(src, def, &sql, sr.kinds);
	if (!rc)
		rc = stream_rows(src, sql.data, "scan table", emit_row, &sr);
	buf_free(&sql);
	free(sr.kinds);
	free(sr.row);
	return rc ? err_prefix(rc, "scan table %s", NAME_SHOWN_SHORT(def->name)) : 0;
}

/* Ranges per DELETE: few round trips, statements of a few KiB. */
#define ACK_RANGES_PER_STATEMENT 256

static int delete_ranges(struct source *src, const int64_t (*ranges)[2], size_t n)
{
	struct buf sql = BUF_INIT;
	int rc = 0;
	for (size_t i = 0; i < n && !rc; i += ACK_RANGES_PER_STATEMENT) {
		buf_reset(&sql);
		buf_adds(&sql, "DELETE FROM ");
		mysql_add_ident(&sql, src->changelog);
		const char *sep = " WHERE ";
		for (size_t j = i; j < n && j < i + ACK_RANGES_PER_STATEMENT; j++) {
			buf_addf(&sql, "%sseq BETWEEN %lld AND %lld", sep, (long long)ranges[j][0],
				 (long long)ranges[j][1]);
			sep = " OR ";
		}
		rc = mysql_run(src, sql.data, "acknowledge changes");
	}
	buf_free(&sql);
	return rc;
}

static int mysql_src_ack(struct source *src, const int64_t (*ranges)[2], size_t n,
			 const struct chain_ack *who)
{
	bool exists;
	int rc = changelog_exists(src, &exists);
	if (rc || !exists)
		return rc;
	/* All ranges or none, with the owner's record: a half-acknowledged batch
	 * would be shipped again only in part. */
	bool gone = false;
	rc = mysql_run(src, "START TRANSACTION", "acknowledge changes");
	if (!rc)
		rc = mysql_owner_ack_check(src, who, &gone);
	if (!rc && !gone && n)
		rc = delete_ranges(src, ranges, n);
	if (!rc)
		fault_point("mid-ack-txn");
	if (!rc)
		rc = mysql_owner_ack_record(src, who);
	if (!rc)
		rc = mysql_run(src, "COMMIT", "acknowledge changes");
	if (rc)
		mysql_rollback(src->db);
	return rc;
}

/* Text with a NUL or a backslash (an escape unless NO_BACKSLASH_ESCAPES)
 * goes as bytes in the utf8mb4 character set. */
static void mysql_add_text(struct buf *b, const char *p, size_t n)
{
	if (memchr(p, '\0', n) || memchr(p, '\\', n)) {
		buf_adds(b, "_utf8mb4 ");
		blob_literal_encode(b, p, n);
	} else {
		sql_quoted_literal(b, p, n);
	}
}

/* A BIT column compares X'03FF' as a string read as a DECIMAL (no row
 * matches; UPDATE fails under strict mode: F35), 0x03FF as the number its
 * bytes are; string columns read either as the bytes. 0x needs a digit. */
static void mysql_add_blob(struct buf *b, const char *p, size_t n)
{
	if (!n) {
		buf_adds(b, "X''");
		return;
	}
	buf_adds(b, "0x");
	hex_encode(b, p, n);
}

/* MySQL reads TIMESTAMP literals in the session's zone; the values are UTC. */
static const struct sql_dialect mysql_dialect = {
	.ident_quote = '`',
	.preamble = "SET time_zone = '+00:00';\n",
	.add_text = mysql_add_text,
	.canonical_temporal = true,
	.add_blob = mysql_add_blob,
	.float_is_single = true,
};

static const struct source_read_ops mysql_read = {
	.list_tables = mysql_src_list_tables,
	.describe = mysql_src_describe,
	.begin_read = mysql_src_begin_read,
	.end_read = mysql_src_end_read,
	.scan = mysql_src_scan,
};

static const struct changelog_ops mysql_changelog = {
	.triggers_install = mysql_triggers_install,
	.triggers_remove = mysql_triggers_remove,
	.drop = mysql_drop_changelog,
	.triggers_alter = mysql_triggers_alter,
	.triggered_tables = mysql_triggered_tables,
	.triggers_status = mysql_triggers_status,
	.schema_stamp = mysql_schema_stamp,
	.read_changes = mysql_src_read_changes,
	.seqs = mysql_src_changelog_seqs,
	.ack = mysql_src_ack,
	.chain_owner = mysql_chain_owner,
	.chain_staged = mysql_chain_staged,
};

static const struct log_ops mysql_log = {
	.check = mysql_binlog_check,
	.cascades = mysql_binlog_cascades,
	.position = mysql_binlog_position,
	.read = mysql_binlog_read,
	.lag = mysql_binlog_lag,
	.cmp = mysql_binlog_cmp,
};

static const struct replica_ops mysql_replica = {
	.begin = mysql_replica_begin,
	.commit = mysql_replica_commit,
	.rollback = mysql_replica_rollback,
	.create_table = mysql_replica_create_table,
	.upsert = mysql_replica_upsert,
	.flush = mysql_replica_flush,
	.delete = mysql_replica_delete,
	.same_type = mysql_replica_same_type,
	.drop_table = mysql_replica_drop_table,
	.truncate = mysql_replica_truncate,
	.last_applied = mysql_replica_last_applied,
	.mark_applied = mysql_replica_mark_applied,
};

const struct source_ops mysql_source_ops = {
	.driver = "mysql",
	.url = &mysql_url_scheme,
	.dialect = &mysql_dialect,
	.types = &mysql_type_rules,
	.same_database = mysql_url_same_database,
	.open = mysql_src_open,
	.close = mysql_src_close,
	.read = &mysql_read,
	.changelog = &mysql_changelog,
	.log = &mysql_log,
	.replica = &mysql_replica,
};
