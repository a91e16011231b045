/* The SQLite driver: opens sqlite:PATH, describes tables, reads changes and
 * snapshots. Triggers live in sqlite_triggers.c, the replica side in
 * sqlite_replica.c. */
#include "source_sqlite.h"

#include "codec.h"
#include "err.h"
#include "fault.h"
#include "log.h"
#include "sqlite_image.h"
#include "sqlite_types.h"
#include "sqlutil.h"

#include <errno.h>
#include <limits.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int sqlite_fail(struct source *src, const char *what)
{
	return err_set(CDC_ERUNTIME, "%s: %s: %s%s", src->path, what, sqlite3_errmsg(src->db),
		       sql_os_reason(src->db));
}

int sqlite_exec(struct source *src, const char *sql, const char *what)
{
	if (sqlite3_exec(src->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return sqlite_fail(src, what);
	return 0;
}

int sqlite_prepare(struct source *src, const char *sql, sqlite3_stmt **out)
{
	if (sqlite3_prepare_v2(src->db, sql, -1, out, NULL) != SQLITE_OK) {
		*out = NULL;
		return sqlite_fail(src, "prepare");
	}
	return 0;
}

static int count_statement(unsigned type, void *ctx, void *stmt, void *sql)
{
	(void)type;
	(void)stmt;
	/* Trigger programs are traced too ("-- TRIGGER ..."): not ours. */
	if (strncmp(sql, "--", 2) != 0)
		((struct source *)ctx)->statements++;
	return 0;
}

/* [capture] changelog_secure_delete (docs/design.md §4 step 7): the pragma
 * is the connection's, and only this connection's acknowledgements delete
 * from the changelog. Unset keeps the library's own default, which is what
 * the application's deletes get (Debian builds with SQLITE_SECURE_DELETE). */
static int set_secure_delete(struct source *src, enum secure_delete mode)
{
	if (mode == SECURE_DELETE_LIBRARY)
		return 0;
	int want = mode == SECURE_DELETE_ON ? 1 : 2; /* what the pragma answers */
	sqlite3_stmt *st;
	int rc = sqlite_prepare(
		src, want == 1 ? "PRAGMA secure_delete = ON" : "PRAGMA secure_delete = FAST", &st);
	/* An erasure asked for and not taken must not pass unnoticed. */
	if (!rc && (sqlite3_step(st) != SQLITE_ROW || sqlite3_column_int(st, 0) != want))
		rc = err_set(CDC_ERUNTIME,
			     "%s: [capture] changelog_secure_delete: SQLite %s did not take it",
			     src->path, sqlite3_libversion());
	sqlite3_finalize(st);
	return rc;
}

/* A missing database file. A relative path is the directory cdcpack runs
 * in's, not the config file's (README: Configuration reference): under
 * cron, systemd or another shell that is easily another directory, so the
 * message names the one it looked in. */
static int sqlite_missing(const char *path, int e)
{
	char cwd[PATH_MAX];
	char *shown = name_shown(path), *cwd_shown = NULL;
	int rc;
	if (path[0] != '/' && getcwd(cwd, sizeof(cwd))) {
		cwd_shown = name_shown(cwd);
		rc = err_set(CDC_ERUNTIME,
			     "%s: cannot open SQLite database: %s (a relative path: looked in %s, "
			     "the directory cdcpack runs in)",
			     shown, strerror(e), cwd_shown);
	} else {
		rc = err_set(CDC_ERUNTIME, "%s: cannot open SQLite database: %s", shown,
			     strerror(e));
	}
	free(cwd_shown);
	free(shown);
	return rc;
}

static int sqlite_open(struct source **out, const char *url, const struct source_options *opt)
{
	const char *path = url + strlen("sqlite:");
	*out = NULL;
	if (!*path)
		return err_set(CDC_EUSAGE, "%s: the URL names no file (want sqlite:PATH)", url);
	struct stat st;
	/* Never create an empty database by accident: a typo'd path must fail. */
	if (!opt->create && stat(path, &st) != 0)
		return sqlite_missing(path, errno);
	struct source *src = xcalloc(1, sizeof(*src));
	src->path = name_shown(path);
	src->changelog = xstrdup(opt->changelog ? opt->changelog : "cdcpack_changelog");
	src->schema_table = xasprintf("%s_schema", src->changelog);
	src->owner_table = xasprintf("%s_owner", src->changelog);
	int flags = opt->read_only ? SQLITE_OPEN_READONLY
				   : SQLITE_OPEN_READWRITE | (opt->create ? SQLITE_OPEN_CREATE : 0);
	if (sqlite3_open_v2(path, &src->db, flags | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		int rc = sqlite_fail(src, "cannot open SQLite database");
		sqlite_source_ops.close(src);
		return rc;
	}
	/* With -v, the statements a command ran, said at close: a test holds
	 * an idle run's number fixed whatever the number of tables. */
	if (log_get_level() >= LOG_DEBUG)
		sqlite3_trace_v2(src->db, SQLITE_TRACE_STMT, count_statement, src);
	/* Writers hold the lock only briefly; wait rather than fail. */
	sqlite3_busy_timeout(src->db, 30000);
	sqlite3_extended_result_codes(src->db, 1);
	int rc =
		sqlite_key_order_register(src->db) ? sqlite_fail(src, "register cdcpack_canon") : 0;
	/* Reading the schema proves this is a database, not some other file. */
	if (!rc)
		rc = sqlite_exec(src, "SELECT count(*) FROM sqlite_schema",
				 "not a usable SQLite database");
	if (!rc)
		rc = set_secure_delete(src, opt->secure_delete);
	if (rc) {
		sqlite_source_ops.close(src);
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
	}
	free(src->schema);
	src->schema = NULL;
	src->nschema = 0;
}

static void sqlite_close(struct source *src)
{
	if (!src)
		return;
	for (size_t i = 0; i < SQLITE_STMT_CACHE; i++) {
		sqlite3_finalize(src->cache[i].stmt);
		free(src->cache[i].sql);
	}
	if (src->db && log_get_level() >= LOG_DEBUG)
		log_debug("source %s: %llu statement(s)", src->path, src->statements);
	free_schema(src);
	sqlite_catalog_free(src->catalog);
	sqlite3_finalize(src->version_stmt);
	sqlite3_finalize(src->table_stmt);
	sqlite3_finalize(src->stamp_stmt);
	sqlite_pending_free(src);
	sqlite3_close(src->db);
	free(src->path);
	free(src->changelog);
	free(src->schema_table);
	free(src->owner_table);
	free(src);
}

static bool is_own_table(const struct source *src, const char *name)
{
	return source_reserved_name(src->changelog, name);
}

static int sqlite_list_tables(struct source *src, struct strv *out)
{
	sqlite3_stmt *st;
	int rc = sqlite_prepare(src,
				"SELECT name FROM sqlite_schema WHERE type='table' "
				"AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' "
				"AND coalesce(sql,'') NOT LIKE 'CREATE VIRTUAL%' ORDER BY name",
				&st);
	if (rc)
		return rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(st, 0);
		if (!is_own_table(src, name))
			strv_push(out, name);
	}
	rc = rc == SQLITE_DONE ? 0 : sqlite_fail(src, "list tables");
	sqlite3_finalize(st);
	source_drop_changelog_families(src, sqlite_is_owner_table, out);
	return rc;
}

/* Columns from table_xinfo; key columns are those of the primary key.
 * Generated columns (hidden 2: virtual, 3: stored), which table_info
 * leaves out, are columns too: their values ship like any other, and a
 * replica holds them as plain columns. */
static int read_columns(struct source *src, struct table_def *def, bool *has_rowid_name)
{
	sqlite3_stmt *st;
	int rc = sqlite_prepare(src,
				"SELECT name, type, pk, hidden FROM pragma_table_xinfo(?)"
				" WHERE hidden IN (0, 2, 3) ORDER BY cid",
				&st);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, def->name, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(st, 0);
		const char *type = (const char *)sqlite3_column_text(st, 1);
		table_def_add_column(def, name, type ? type : "", sqlite3_column_int(st, 2) > 0);
		def->cols[def->ncols - 1].generated = sqlite3_column_int(st, 3) >= 2;
		if (strcasecmp(name, "rowid") == 0)
			*has_rowid_name = true;
	}
	rc = rc == SQLITE_DONE ? 0 : sqlite_fail(src, "describe table");
	sqlite3_finalize(st);
	return rc;
}

/* A table without a declared primary key is keyed by its rowid, carried as
 * a first column "rowid" so that replicas keep row identity. */
static int add_rowid_key(struct table_def *def, bool has_rowid_name)
{
	if (has_rowid_name)
		return err_set(
			CDC_EUSAGE,
			"table %s: no primary key, and a column named rowid hides the row id; "
			"declare a primary key or exclude the table",
			NAME_SHOWN_SHORT(def->name));
	struct table_def tmp = {0};
	table_def_add_column(&tmp, "rowid", "INTEGER", true);
	for (size_t i = 0; i < def->ncols; i++) {
		table_def_add_column(&tmp, def->cols[i].name, def->cols[i].type, false);
		tmp.cols[i + 1].generated = def->cols[i].generated;
	}
	for (size_t i = 0; i < def->ncols; i++) {
		free(def->cols[i].name);
		free(def->cols[i].type);
	}
	free(def->cols);
	def->cols = tmp.cols;
	def->ncols = tmp.ncols;
	def->rowid_key = true;
	return 0;
}

const struct column *sqlite_integer_key(const struct table_def *def)
{
	const struct column *key = NULL;
	for (size_t i = 0; i < def->ncols; i++)
		if (def->cols[i].key) {
			if (key)
				return NULL;
			key = &def->cols[i];
		}
	return key && !def->rowid_key && strcasecmp(key->type, "INTEGER") == 0 ? key : NULL;
}

/* Sets def->int_key_not_alias: one key column declared INTEGER that is no
 * rowid alias (a WITHOUT ROWID table, or INTEGER PRIMARY KEY DESC), which
 * may hold text. Such a key has an index of its own (origin 'pk'); an alias
 * is the rowid and has none. Other types are never aliases. */
static int read_int_key_alias(struct source *src, struct table_def *def)
{
	if (!sqlite_integer_key(def))
		return 0;
	sqlite3_stmt *st;
	int rc = sqlite_prepare(src, "SELECT 1 FROM pragma_index_list(?) WHERE origin = 'pk'", &st);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, def->name, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	def->int_key_not_alias = rc == SQLITE_ROW;
	rc = rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : sqlite_fail(src, "describe table key");
	sqlite3_finalize(st);
	return rc;
}

/* A catalogue's name (any bytes SQLite allows) in a message: escaped and cut. */
static int table_error(int code, const char *fmt, const struct source *src, const char *table)
{
	char shown[NAME_SHOWN_SHORT_SIZE];
	return err_set(code, fmt, src->path, name_shown_short_in(shown, table));
}

static int sqlite_describe(struct source *src, const char *table, struct table_def **out)
{
	*out = NULL;
	if (!sqlite_table_exists(src, table))
		return table_error(CDC_ENOTFOUND, "%s: no table named '%s'", src, table);
	struct table_def *def = xcalloc(1, sizeof(*def));
	def->name = xstrdup(table);
	def->type_affinity = true;
	bool has_rowid_name = false;
	int rc = read_columns(src, def, &has_rowid_name);
	if (!rc && def->ncols == 0)
		rc = table_error(CDC_ERUNTIME, "%s: table '%s' has no columns", src, table);
	if (!rc && table_def_nkeys(def) == 0)
		rc = add_rowid_key(def, has_rowid_name);
	if (!rc)
		rc = read_int_key_alias(src, def);
	if (rc) {
		table_def_free(def);
		return rc;
	}
	*out = def;
	return 0;
}

static int add_schema_row(struct source *src, const char *table, int64_t ver, const char *json)
{
	json_error_t jerr;
	json_t *doc = json_loads(json, 0, &jerr);
	struct table_def *def = xcalloc(1, sizeof(*def));
	def->name = xstrdup(table);
	def->type_affinity = true;
	int rc = doc ? table_def_columns_from_json(def, json_object_get(doc, "columns"))
		     : err_set(CDC_ERUNTIME, "%s: bad JSON: %s",
			       NAME_SHOWN_SHORT(src->schema_table), jerr.text);
	if (!rc)
		def->rowid_key = json_is_true(json_object_get(doc, "rowid_key"));
	if (!rc)
		def->int_key_not_alias = json_is_true(json_object_get(doc, "int_key_not_alias"));
	json_decref(doc);
	if (rc) {
		table_def_free(def);
		return rc;
	}
	src->schema = xrealloc(src->schema, (src->nschema + 1) * sizeof(*src->schema));
	src->schema[src->nschema++] = (struct sqlite_schema_entry){xstrdup(table), ver, def};
	return 0;
}

/* What identifies the schema table's content: rows are only ever added, so
 * its max(rowid) moves with each new version; dropping and re-creating it
 * moves the schema version. */
static int schema_stamp(struct source *src, int64_t stamp[2])
{
	stamp[1] = 0;
	int rc = sqlite_schema_version(src, &stamp[0]);
	if (rc || !sqlite_table_exists(src, src->schema_table))
		return rc;
	if (!src->stamp_stmt) {
		struct buf sql = BUF_INIT;
		buf_adds(&sql, "SELECT coalesce(max(rowid), 0) FROM ");
		sql_add_ident(&sql, src->schema_table, '"');
		rc = sqlite_prepare(src, sql.data, &src->stamp_stmt);
		buf_free(&sql);
		if (rc)
			return rc;
	}
	if (sqlite3_step(src->stamp_stmt) == SQLITE_ROW)
		stamp[1] = sqlite3_column_int64(src->stamp_stmt, 0);
	else
		rc = sqlite_fail(src, "read trigger schema");
	sqlite3_reset(src->stamp_stmt);
	return rc;
}

int sqlite_load_schema(struct source *src)
{
	int64_t stamp[2];
	int rc = schema_stamp(src, stamp);
	if (rc)
		return rc;
	if (src->schema_loaded && stamp[0] == src->schema_stamp[0] &&
	    stamp[1] == src->schema_stamp[1])
		return 0;
	free_schema(src);
	src->schema_loaded = false;
	if (!sqlite_table_exists(src, src->schema_table)) {
		memcpy(src->schema_stamp, stamp, sizeof(stamp));
		src->schema_loaded = true;
		return 0;
	}
	struct buf sql = BUF_INIT;
	buf_adds(&sql, "SELECT tbl, ver, columns FROM ");
	sql_add_ident(&sql, src->schema_table, '"');
	buf_adds(&sql, " ORDER BY tbl, ver");
	sqlite3_stmt *st;
	rc = sqlite_prepare(src, sql.data, &st);
	buf_free(&sql);
	if (rc)
		return rc;
	while (!rc && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		rc = add_schema_row(src, (const char *)sqlite3_column_text(st, 0),
				    sqlite3_column_int64(st, 1),
				    (const char *)sqlite3_column_text(st, 2));
	}
	if (rc == SQLITE_DONE)
		rc = 0;
	else if (rc > 0)
		rc = sqlite_fail(src, "read trigger schema");
	sqlite3_finalize(st);
	if (!rc) {
		memcpy(src->schema_stamp, stamp, sizeof(stamp));
		src->schema_loaded = true;
	}
	return rc;
}

void sqlite_schema_note(struct source *src, const char *table, int64_t ver, const char *json)
{
	if (!src->schema_loaded)
		return;
	if (add_schema_row(src, table, ver, json)) {
		src->schema_loaded = false;
		return;
	}
	struct sqlite_schema_entry added = src->schema[src->nschema - 1];
	size_t at = src->nschema - 1;
	while (at > 0 &&
	       (strcmp(src->schema[at - 1].table, table) > 0 ||
		(strcmp(src->schema[at - 1].table, table) == 0 && src->schema[at - 1].ver > ver))) {
		src->schema[at] = src->schema[at - 1];
		at--;
	}
	src->schema[at] = added;
	sqlite_schema_restamp(src);
}

void sqlite_schema_restamp(struct source *src)
{
	if (src->schema_loaded && schema_stamp(src, src->schema_stamp))
		src->schema_loaded = false;
}

/* The first entry of table in src->schema (sorted by table, then version),
 * or src->nschema. */
static size_t schema_first(const struct source *src, const char *table)
{
	size_t lo = 0, hi = src->nschema;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(src->schema[mid].table, table) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static const struct table_def *find_schema(struct source *src, const char *table, int64_t ver)
{
	for (size_t i = schema_first(src, table);
	     i < src->nschema && strcmp(src->schema[i].table, table) == 0; i++)
		if (src->schema[i].ver == ver)
			return src->schema[i].def;
	return NULL;
}

const struct table_def *sqlite_latest_schema(struct source *src, const char *table, int64_t *ver)
{
	const struct table_def *best = NULL;
	*ver = 0;
	for (size_t i = schema_first(src, table);
	     i < src->nschema && strcmp(src->schema[i].table, table) == 0; i++) {
		if (src->schema[i].ver > *ver) {
			*ver = src->schema[i].ver;
			best = src->schema[i].def;
		}
	}
	return best;
}

/* The schema version moves with every CREATE, DROP and ALTER (and VACUUM),
 * whoever runs it; the schema table's max(rowid) with every version
 * recorded; the trigger layout with a cdcpack that writes triggers another
 * way. Read without the catalogue: reading it costs a pass over every
 * table's and trigger's SQL, which is what the stamp lets a run skip. */
static int sqlite_schema_stamp_text(struct source *src, char **out)
{
	*out = NULL;
	int64_t version = 0, rows = 0;
	int rc = sqlite_schema_version(src, &version);
	struct buf sql = BUF_INIT;
	buf_adds(&sql, "SELECT coalesce(max(rowid), 0) FROM ");
	sql_add_ident(&sql, src->schema_table, '"');
	sqlite3_stmt *st = NULL;
	/* A missing schema table (no triggers installed yet) stamps rows 0;
	 * creating it moves the schema version. */
	if (!rc && sqlite3_prepare_v2(src->db, sql.data, -1, &st, NULL) == SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW)
			rows = sqlite3_column_int64(st, 0);
		else
			rc = sqlite_fail(src, "read trigger schema");
	}
	sqlite3_finalize(st);
	buf_free(&sql);
	char *layout = rc ? NULL : sqlite_trigger_layout(src);
	if (!rc)
		*out = xasprintf("sqlite schema_version=%lld schema_rows=%lld layout=%s",
				 (long long)version, (long long)rows, layout);
	free(layout);
	return rc;
}

static int sqlite_begin_read(struct source *src)
{
	/* BEGIN is lazy in SQLite: the first read fixes the snapshot, and the
	 * schema read below is that first read. */
	int64_t stamp[2];
	int rc = sqlite_exec(src, "BEGIN", "begin read");
	if (!rc)
		rc = schema_stamp(src, stamp);
	if (rc) {
		sqlite3_exec(src->db, "ROLLBACK", NULL, NULL, NULL);
		return rc;
	}
	src->in_read = true;
	return 0;
}

static int sqlite_end_read(struct source *src)
{
	if (!src->in_read)
		return 0;
	src->in_read = false;
	return sqlite_exec(src, "COMMIT", "end read");
}

/* Reusable decode space for one changelog row: sized for the widest table.
 * width: the changelog's o1..oN columns, selected after the 7 fixed ones. */
struct change_row {
	struct value *before, *after;
	struct buf scratch_before, scratch_after;
	size_t width;
};

#define FIXED_COLUMNS 7 /* seq, ts, op, tbl, ver, old, new */

static int decode_image(struct source *src, sqlite3_stmt *st, int col, const struct table_def *def,
			struct value *vals, struct buf *scratch)
{
	const char *text = (const char *)sqlite3_column_text(st, col);
	size_t len = (size_t)sqlite3_column_bytes(st, col);
	int rc = sqlite_image_parse(text ? text : "", len, def->ncols, vals, scratch);
	if (rc)
		return err_prefix(rc, "%s: changelog seq %lld (table %s)", src->path,
				  (long long)sqlite3_column_int64(st, 0),
				  NAME_SHOWN_SHORT(def->name));
	return 0;
}

/* Image side (0 before, 1 after) of the row: the quote()d text when the
 * trigger wrote one, else the typed columns o1.. or n1... */
static int image_of(struct source *src, sqlite3_stmt *st, int side, const struct table_def *def,
		    struct value *vals, struct buf *scratch)
{
	if (sqlite3_column_type(st, 5 + side) != SQLITE_NULL)
		return decode_image(src, st, 5 + side, def, vals, scratch);
	for (size_t i = 0; i < def->ncols; i++)
		sqlite_column_value(st, (int)(FIXED_COLUMNS + 2 * i + (size_t)side), &vals[i]);
	return 0;
}

/* A marker row (mark_top): op CHANGE_MARKER alone. */
static bool is_marker(const char *op)
{
	return op && op[0] == CHANGE_MARKER && !op[1];
}

static int emit_change(struct source *src, sqlite3_stmt *st, struct change_row *cr, change_fn fn,
		       void *ctx)
{
	const char *op = (const char *)sqlite3_column_text(st, 2);
	if (is_marker(op)) {
		struct change mark = {.seq = sqlite3_column_int64(st, 0), .op = CHANGE_MARKER};
		return fn(ctx, &mark);
	}
	const char *table = (const char *)sqlite3_column_text(st, 3);
	int64_t ver = sqlite3_column_int64(st, 4);
	const struct table_def *def = find_schema(src, table, ver);
	if (!def) {
		/* the changelog's row: whoever can write the source can write it */
		char shown[NAME_SHOWN_SHORT_SIZE];
		return err_set(
			CDC_ERUNTIME,
			"%s: changelog seq %lld names table '%s' version %lld, unknown to %s",
			src->path, (long long)sqlite3_column_int64(st, 0),
			name_shown_short_in(shown, table ? table : ""), (long long)ver,
			NAME_SHOWN_SHORT(src->schema_table));
	}
	/* Text images say they are there; typed ones are there by the op. */
	bool typed = def->ncols <= cr->width;
	bool has_before = sqlite3_column_type(st, 5) != SQLITE_NULL ||
			  (typed && op && (op[0] == 'U' || op[0] == 'D'));
	bool has_after = sqlite3_column_type(st, 6) != SQLITE_NULL ||
			 (typed && op && (op[0] == 'I' || op[0] == 'U'));
	struct change c = {
		.seq = sqlite3_column_int64(st, 0),
		.ts = (const char *)sqlite3_column_text(st, 1),
		.op = op ? op[0] : '?',
		.def = def,
		.before = has_before ? cr->before : NULL,
		.after = has_after ? cr->after : NULL,
	};
	if ((c.op == 'I' && !has_after) || (c.op == 'D' && !has_before) ||
	    (c.op == 'U' && (!has_before || !has_after)) || !strchr("IUD", c.op)) {
		char shown[NAME_SHOWN_SHORT_SIZE];
		return err_set(CDC_ERUNTIME, "%s: changelog seq %lld: op '%s' without its images",
			       src->path, (long long)c.seq,
			       name_shown_short_in(shown, op ? op : ""));
	}
	int rc = 0;
	if (has_before)
		rc = image_of(src, st, 0, def, cr->before, &cr->scratch_before);
	if (!rc && has_after)
		rc = image_of(src, st, 1, def, cr->after, &cr->scratch_after);
	return rc ? rc : fn(ctx, &c);
}

static size_t widest_schema(const struct source *src)
{
	size_t n = 1;
	for (size_t i = 0; i < src->nschema; i++)
		if (src->schema[i].def->ncols > n)
			n = src->schema[i].def->ncols;
	return n;
}

static int sqlite_read_changes(struct source *src, int64_t max, change_fn fn, void *ctx)
{
	if (!sqlite_table_exists(src, src->changelog))
		return 0;
	struct change_row cr = {0};
	int rc = sqlite_image_width(src, &cr.width);
	if (rc)
		return rc;
	struct buf sql = BUF_INIT;
	buf_adds(&sql, "SELECT seq, " SQLITE_ISO_TIME("ts") ", op, tbl, ver, old, new");
	for (size_t k = 1; k <= cr.width; k++)
		buf_addf(&sql, ", o%zu, n%zu", k, k);
	buf_adds(&sql, " FROM ");
	sql_add_ident(&sql, src->changelog, '"');
	/* No LIMIT: max counts changes, not markers (a batch cut short by one
	 * would look like the changelog's end). In seq order, the rowid's: no sort. */
	buf_adds(&sql, " ORDER BY seq");
	sqlite3_stmt *st;
	rc = sqlite_prepare(src, sql.data, &st);
	buf_free(&sql);
	if (rc)
		return rc;
	/* The trigger schema (every table's column lists, parsed) is read only
	 * when there is a change to decode: an idle run over 10,000 tables
	 * would otherwise parse 10,000 of them for nothing. */
	int step = sqlite3_step(st);
	rc = step == SQLITE_ROW ? sqlite_load_schema(src) : 0;
	if (!rc && step == SQLITE_ROW) {
		cr.before = xcalloc(widest_schema(src), sizeof(struct value));
		cr.after = xcalloc(widest_schema(src), sizeof(struct value));
	}
	int64_t taken = 0;
	while (!rc && step == SQLITE_ROW && taken < max) {
		taken += !is_marker((const char *)sqlite3_column_text(st, 2));
		rc = emit_change(src, st, &cr, fn, ctx);
		step = rc ? step : sqlite3_step(st);
	}
	if (!rc && step != SQLITE_DONE && step != SQLITE_ROW)
		rc = sqlite_fail(src, "read changelog");
	sqlite3_finalize(st);
	free(cr.before);
	free(cr.after);
	buf_free(&cr.scratch_before);
	buf_free(&cr.scratch_after);
	return rc;
}

static int sqlite_changelog_seqs(struct source *src, const struct strv *tables, seq_fn fn,
				 void *ctx)
{
	if (!tables->n || !sqlite_table_exists(src, src->changelog))
		return 0;
	struct buf sql = BUF_INIT;
	buf_adds(&sql, "SELECT seq FROM ");
	sql_add_ident(&sql, src->changelog, '"');
	buf_adds(&sql, " WHERE tbl IN (");
	for (size_t i = 0; i < tables->n; i++) {
		if (i)
			buf_adds(&sql, ", ");
		sql_add_literal(&sql, tables->v[i]);
	}
	buf_adds(&sql, ") ORDER BY seq");
	sqlite3_stmt *st;
	int rc = sqlite_prepare(src, sql.data, &st);
	buf_free(&sql);
	if (rc)
		return rc;
	while (!rc && (rc = sqlite3_step(st)) == SQLITE_ROW)
		rc = fn(ctx, sqlite3_column_int64(st, 0));
	if (rc == SQLITE_DONE)
		rc = 0;
	else if (rc > 0)
		rc = sqlite_fail(src, "read changelog");
	sqlite3_finalize(st);
	return rc;
}

void sqlite_column_value(sqlite3_stmt *stmt, int idx, struct value *v)
{
	/* One lookup of the column, then the value accessors: the scan's hot
	 * path (each sqlite3_column_* call finds the column anew). The value is
	 * "unprotected", which only matters across threads: connections here
	 * are NOMUTEX and used by one thread. */
	sqlite_value_get(sqlite3_column_value(stmt, idx), v);
}

void sqlite_value_get(sqlite3_value *sv, struct value *v)
{
	memset(v, 0, sizeof(*v));
	switch (sqlite3_value_type(sv)) {
	case SQLITE_INTEGER:
		v->type = VAL_INT;
		v->i = sqlite3_value_int64(sv);
		break;
	case SQLITE_FLOAT:
		v->type = VAL_REAL;
		v->r = sqlite3_value_double(sv);
		break;
	case SQLITE_TEXT:
		v->type = VAL_TEXT;
		v->p = (const char *)sqlite3_value_text(sv);
		v->n = (size_t)sqlite3_value_bytes(sv);
		break;
	case SQLITE_BLOB:
		v->type = VAL_BLOB;
		v->p = sqlite3_value_blob(sv);
		v->n = (size_t)sqlite3_value_bytes(sv);
		if (!v->p)
			v->p = "";
		break;
	default:
		v->type = VAL_NULL;
	}
}

/* SELECT of def's columns in def's order, ordered by the key columns.
 * COLLATE BINARY: text keys come in byte order even when the column has
 * another collation (NOCASE), as the MySQL driver orders them and as diff
 * and verify merge them; for BINARY columns the key index still serves.
 * A key of another class than CANON_PLAIN in key_order is ordered by its
 * canonical value (sqlite_keyorder.c). */
static void build_scan_sql(struct buf *sql, const struct table_def *def,
			   const enum canon_class *key_order)
{
	buf_adds(sql, "SELECT ");
	for (size_t i = 0; i < def->ncols; i++) {
		if (i)
			buf_adds(sql, ", ");
		if (def->rowid_key && i == 0)
			buf_adds(sql, "rowid");
		else
			sql_add_ident(sql, def->cols[i].name, '"');
	}
	buf_adds(sql, " FROM ");
	sql_add_ident(sql, def->name, '"');
	buf_adds(sql, " ORDER BY ");
	for (size_t i = 0, k = 0; i < def->ncols; i++) {
		if (!def->cols[i].key)
			continue;
		if (k)
			buf_adds(sql, ", ");
		if (def->rowid_key && i == 0)
			buf_adds(sql, "rowid");
		else
			sqlite_key_order_add(sql, def->cols[i].name,
					     key_order ? key_order[k] : CANON_PLAIN);
		k++;
	}
}

static int sqlite_scan(struct source *src, const struct table_def *def,
		       const enum canon_class *key_order, row_fn fn, void *ctx)
{
	bool sort;
	int rc = sqlite_key_order_sort(src, def, key_order, &sort);
	if (rc)
		return err_prefix(rc, "scan table %s", NAME_SHOWN_SHORT(def->name));
	struct buf sql = BUF_INIT;
	build_scan_sql(&sql, def, sort ? key_order : NULL);
	sqlite3_stmt *st;
	rc = sqlite_prepare(src, sql.data, &st);
	buf_free(&sql);
	if (rc)
		return err_prefix(rc, "scan table %s", NAME_SHOWN_SHORT(def->name));
	struct value *row = xcalloc(def->ncols, sizeof(*row));
	while (!rc && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		for (size_t i = 0; i < def->ncols; i++)
			sqlite_column_value(st, (int)i, &row[i]);
		rc = fn(ctx, row);
	}
	if (rc == SQLITE_DONE)
		rc = 0;
	else if (rc > 0)
		rc = sqlite_fail(src, "scan table");
	free(row);
	sqlite3_finalize(st);
	return rc;
}

/* head, the changelog's quoted name and tail, prepared. */
static int prepare_on_changelog(struct source *src, const char *head, const char *tail,
				sqlite3_stmt **st)
{
	struct buf sql = BUF_INIT;
	buf_adds(&sql, head);
	sql_add_ident(&sql, src->changelog, '"');
	buf_adds(&sql, tail);
	int rc = sqlite_prepare(src, sql.data, st);
	buf_free(&sql);
	return rc;
}

/* Whether any changelog row lies outside ranges, which a batch records
 * ascending and disjoint (*outside stays true for any other order): seeks
 * for a row below the first, between two and above the last. */
static int rows_outside(struct source *src, const int64_t (*ranges)[2], size_t n, bool *outside)
{
	*outside = true;
	for (size_t i = 1; i < n; i++)
		if (ranges[i][0] <= ranges[i - 1][1])
			return 0;
	sqlite3_stmt *st;
	int rc = prepare_on_changelog(src, "SELECT 1 FROM ", " WHERE seq BETWEEN ? AND ? LIMIT 1",
				      &st);
	int step = SQLITE_DONE;
	for (size_t i = 0; i <= n && !rc && step == SQLITE_DONE; i++) {
		/* the gap before ranges[i] (i == n: after the last), bounds inclusive */
		int64_t lo = i ? ranges[i - 1][1] : INT64_MIN,
			hi = i < n ? ranges[i][0] : INT64_MAX;
		if (i ? lo == INT64_MAX : hi == INT64_MIN)
			continue;
		sqlite3_bind_int64(st, 1, i ? lo + 1 : lo);
		sqlite3_bind_int64(st, 2, i < n ? hi - 1 : hi);
		step = sqlite3_step(st);
		if (step != SQLITE_DONE && step != SQLITE_ROW)
			rc = sqlite_fail(src, "acknowledge changes");
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	*outside = step != SQLITE_DONE;
	return rc;
}

/* The changelog's highest seq, 0 when it is empty. */
static int top_seq(struct source *src, int64_t *top)
{
	sqlite3_stmt *st;
	int rc = prepare_on_changelog(src, "SELECT coalesce(max(seq), 0) FROM ", "", &st);
	if (!rc && sqlite3_step(st) == SQLITE_ROW)
		*top = sqlite3_column_int64(st, 0);
	else if (!rc)
		rc = sqlite_fail(src, "acknowledge changes");
	sqlite3_finalize(st);
	return rc;
}

/* A seq is never reused: a new row's seq is max(seq) + 1 (the rowid; the
 * changelog has no AUTOINCREMENT, docs/design.md §4 step 7), so when the
 * acknowledgement deleted the newest row, a marker row (op CHANGE_MARKER,
 * no table, no images) takes its seq. Readers pass it to the next batch
 * that ships, whose acknowledgement deletes it (and marks its own top). */
static int mark_top(struct source *src, int64_t was)
{
	int64_t now = 0;
	int rc = top_seq(src, &now);
	if (rc || now >= was)
		return rc;
	sqlite3_stmt *st;
	rc = prepare_on_changelog(src, "INSERT INTO ", "(seq, op, tbl, ver) VALUES(?, ?, '', 0)",
				  &st);
	if (!rc) {
		static const char op[] = {CHANGE_MARKER, '\0'};
		sqlite3_bind_int64(st, 1, was);
		sqlite3_bind_text(st, 2, op, 1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE)
			rc = sqlite_fail(src, "mark the changelog's last seq");
	}
	sqlite3_finalize(st);
	return rc;
}

/* Deletes exactly the rows of ranges. When they are every row of the
 * changelog (a run that shipped all it found), one DELETE without WHERE:
 * SQLite then frees the table's pages whole (its truncate optimisation)
 * instead of deleting and rebalancing row by row; mark_top keeps the seq. */
static int delete_ranges(struct source *src, const int64_t (*ranges)[2], size_t n)
{
	int64_t top = 0;
	bool outside = true;
	int rc = top_seq(src, &top);
	if (!rc && n)
		rc = rows_outside(src, ranges, n, &outside);
	if (!rc && !outside)
		log_debug("acknowledge: every changelog row is the batch's: emptied whole");
	sqlite3_stmt *st = NULL;
	if (!rc)
		rc = prepare_on_changelog(src, "DELETE FROM ",
					  outside ? " WHERE seq BETWEEN ? AND ?" : "", &st);
	for (size_t i = 0; i < (outside ? n : 1) && !rc; i++) {
		if (outside) {
			sqlite3_bind_int64(st, 1, ranges[i][0]);
			sqlite3_bind_int64(st, 2, ranges[i][1]);
		}
		if (sqlite3_step(st) != SQLITE_DONE)
			rc = sqlite_fail(src, "acknowledge changes");
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	/* -v: the delete apart from the commit, whose auto-checkpoint copies
	 * the erased pages into the database (tests/bench/s3_blob_phases.sh). */
	if (!rc)
		log_debug("acknowledge: rows deleted, committing");
	return rc ? rc : mark_top(src, top);
}

/* A marker deleted by hand (with the rows above it) let the changelog's
 * max(seq) fall below what batches acknowledged: restored before the next
 * write can reuse a seq (one that already did is refused by the read,
 * capture_trigger.c). */
static int sqlite_keep_seqs(struct source *src, int64_t top)
{
	if (!sqlite_table_exists(src, src->changelog))
		return 0;
	int64_t now = 0;
	int rc = top_seq(src, &now);
	if (rc || now >= top)
		return rc;
	rc = sqlite_exec(src, "BEGIN IMMEDIATE", "restore the changelog's last seq");
	if (!rc)
		rc = mark_top(src, top);
	if (!rc)
		rc = sqlite_exec(src, "COMMIT", "restore the changelog's last seq");
	if (rc) {
		sqlite3_exec(src->db, "ROLLBACK", NULL, NULL, NULL);
		return rc;
	}
	log_warn("changelog %s: its highest seq was %lld, below %lld, which an acknowledged "
		 "batch carried (rows deleted by hand, its row of op '%c' among them?): a row of "
		 "op '%c' holds %lld again, so that no seq is reused",
		 NAME_SHOWN_SHORT(src->changelog), (long long)now, (long long)top, CHANGE_MARKER,
		 CHANGE_MARKER, (long long)top);
	return 0;
}

static int sqlite_ack(struct source *src, const int64_t (*ranges)[2], size_t n,
		      const struct chain_ack *who)
{
	if (!sqlite_table_exists(src, src->changelog))
		return 0;
	bool skip = false;
	int rc = sqlite_exec(src, "BEGIN IMMEDIATE", "acknowledge");
	if (!rc)
		rc = sqlite_owner_ack_check(src, who, &skip);
	if (!rc && !skip)
		rc = delete_ranges(src, ranges, n);
	if (!rc)
		fault_point("mid-ack-txn");
	if (!rc)
		rc = sqlite_owner_ack_record(src, who);
	if (!rc)
		rc = sqlite_exec(src, "COMMIT", "acknowledge");
	if (rc)
		sqlite3_exec(src->db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

/* The same file by inode, whatever the path. */
static bool sqlite_same_database(const char *url_a, const char *url_b)
{
	struct stat a, b;
	return stat(url_a + strlen("sqlite:"), &a) == 0 &&
	       stat(url_b + strlen("sqlite:"), &b) == 0 && a.st_dev == b.st_dev &&
	       a.st_ino == b.st_ino;
}

/* Text with a NUL goes as bytes cast back to TEXT: a quoted literal ends there. */
static void sqlite_add_text(struct buf *b, const char *p, size_t n)
{
	if (memchr(p, '\0', n)) {
		buf_adds(b, "CAST(");
		blob_literal_encode(b, p, n);
		buf_adds(b, " AS TEXT)");
	} else {
		sql_quoted_literal(b, p, n);
	}
}

/* A connection of its own, in memory, that only parses numerals: the
 * library's reading is the one a person's sqlite3 shell will do. */
static void *sqlite_reader_open(void)
{
	sqlite3 *db = NULL;
	if (sqlite3_open_v2(":memory:", &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_MEMORY, NULL) !=
	    SQLITE_OK) {
		sqlite3_close(db);
		return NULL;
	}
	return db;
}

static bool sqlite_reads_real(void *reader, const char *num, double r)
{
	char sql[64];
	sqlite3_stmt *st = NULL;
	snprintf(sql, sizeof(sql), "SELECT %s", num);
	bool same = sqlite3_prepare_v2(reader, sql, -1, &st, NULL) == SQLITE_OK &&
		    sqlite3_step(st) == SQLITE_ROW && sqlite3_column_double(st, 0) == r;
	sqlite3_finalize(st);
	return same;
}

static void sqlite_reader_close(void *reader)
{
	sqlite3_close(reader);
}

/* The file's stem: sqlite:data/shop.db is "shop". */
static char *sqlite_default_name(const char *url)
{
	const char *start = strrchr(url + strlen("sqlite:"), '/');
	start = start ? start + 1 : url + strlen("sqlite:");
	const char *end = strrchr(start, '.');
	if (!end || end == start)
		end = start + strlen(start);
	return end == start ? xstrdup("source") : xstrndup(start, (size_t)(end - start));
}

static const struct url_scheme sqlite_url = {
	.prefix = "sqlite:",
	.example = "sqlite:PATH",
	.usage = "sqlite:PATH",
	.default_name = sqlite_default_name,
	.secure_delete = true,
};

static const struct sql_dialect sqlite_dialect = {
	.ident_quote = '"',
	.preamble = "",
	.add_text = sqlite_add_text,
	.canonical_temporal = false,
	.reader_open = sqlite_reader_open,
	.reads_real = sqlite_reads_real,
	.reader_close = sqlite_reader_close,
};

static const struct source_read_ops sqlite_read = {
	.list_tables = sqlite_list_tables,
	.describe = sqlite_describe,
	.begin_read = sqlite_begin_read,
	.end_read = sqlite_end_read,
	.scan = sqlite_scan,
};

static const struct changelog_ops sqlite_changelog = {
	.triggers_install = sqlite_triggers_install,
	.triggers_remove = sqlite_triggers_remove,
	.drop = sqlite_drop_changelog,
	.triggers_alter = sqlite_triggers_alter,
	.triggered_tables = sqlite_triggered_tables,
	.triggers_status = sqlite_triggers_status,
	.schema_stamp = sqlite_schema_stamp_text,
	.read_changes = sqlite_read_changes,
	.seqs = sqlite_changelog_seqs,
	.ack = sqlite_ack,
	.keep_seqs = sqlite_keep_seqs,
	.chain_owner = sqlite_chain_owner,
	.chain_staged = sqlite_chain_staged,
};

static const struct replica_ops sqlite_replica = {
	.ddl_in_transaction = true,
	.begin = sqlite_replica_begin,
	.commit = sqlite_replica_commit,
	.rollback = sqlite_replica_rollback,
	.create_table = sqlite_replica_create_table,
	.upsert = sqlite_replica_upsert,
	.flush = sqlite_replica_flush,
	.delete = sqlite_replica_delete,
	.same_type = sqlite_replica_same_type,
	.drop_table = sqlite_replica_drop_table,
	.truncate = sqlite_replica_truncate,
	.last_applied = sqlite_replica_last_applied,
	.mark_applied = sqlite_replica_mark_applied,
};

const struct source_ops sqlite_source_ops = {
	.driver = "sqlite",
	.url = &sqlite_url,
	.dialect = &sqlite_dialect,
	.types = &sqlite_type_rules,
	.same_database = sqlite_same_database,
	.open = sqlite_open,
	.close = sqlite_close,
	.fingerprint = sqlite_fingerprint,
	.read = &sqlite_read,
	.changelog = &sqlite_changelog,
	.log = NULL,
	.replica = &sqlite_replica,
};
