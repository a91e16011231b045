/* SQLite audit triggers: one changelog table, one schema table recording the
 * column list each trigger version knows, and three triggers per table.
 *
 * Row images go into untyped changelog columns o1..oN (before) and n1..nN
 * (after), one value each: a column without a declared type stores any
 * value exactly as given (storage class, REAL bits, BLOB bytes), and the
 * trigger does no work on it. Images as quote()d text (columns old and new)
 * cost twice as much per change; they remain for tables wider than
 * SQLITE_IMAGE_MAX_COLS and are still read from changelogs written that way.
 *
 * Trigger names are short and differ early: every connection parses every
 * trigger at open, and SQLite's schema hash stops growing at 64 buckets, so
 * each trigger parsed walks a chain of (triggers so far) / 64 names. Four
 * triggers a table named <changelog>_<table>_ai..ad (an earlier cdcpack's)
 * made opening a database of 10,000 tables take seconds; they are replaced
 * by install and run, in the transaction that creates the new ones. */
#include "source_sqlite.h"

#include "codec.h"
#include "err.h"
#include "log.h"
#include "sqlutil.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One trigger per event: the update trigger ships a key change as D + I. */
static const char trigger_event_letter[] = {'i', 'u', 'd'};
#define NTRIGGERS 3
enum { TRIG_INSERT, TRIG_UPDATE, TRIG_DELETE };

/* An earlier cdcpack's four, <changelog>_<table>_<suffix>: recognised so
 * that they are replaced, never left to log a change twice. */
static const char *const legacy_suffix[] = {"ai", "au", "ak", "ad"};
#define NLEGACY 4

/* FNV-1a, 64 bits, of changelog NUL table, its bits mixed (MurmurHash3's
 * finaliser: FNV alone leaves names that differ in their last character
 * alike in their first digits, which SQLite compares first): the names of
 * one table's triggers, unique per changelog and table unless two names
 * collide (1 in 10^11 at 10,000 tables), which install refuses rather
 * than share. */
static uint64_t name_hash(const char *changelog, const char *table)
{
	uint64_t h = 0xcbf29ce484222325ull;
	for (const char *p = changelog;; p++) {
		h = (h ^ (unsigned char)*p) * 0x100000001b3ull;
		if (!*p)
			break;
	}
	for (const char *p = table; *p; p++)
		h = (h ^ (unsigned char)*p) * 0x100000001b3ull;
	h = (h ^ (h >> 33)) * 0xff51afd7ed558ccdull;
	h = (h ^ (h >> 33)) * 0xc4ceb9fe1a85ec53ull;
	return h ^ (h >> 33);
}

/* cdc_i_<16 hex digits>: "cdc_<event>_<hash of changelog and table>" */
static char *trigger_name(const struct source *src, const char *table, int which)
{
	return xasprintf("cdc_%c_%016" PRIx64, trigger_event_letter[which],
			 name_hash(src->changelog, table));
}

static char *legacy_name(const struct source *src, const char *table, int which)
{
	return xasprintf("%s_%s_%s", src->changelog, table, legacy_suffix[which]);
}

static bool typed_images(const struct table_def *def)
{
	return def->ncols <= SQLITE_IMAGE_MAX_COLS;
}

/* row."a" (or row.rowid for a table keyed by it) */
static void add_field(struct buf *sql, const struct table_def *def, size_t i, const char *row)
{
	buf_addf(sql, "%s.", row);
	if (def->rowid_key && i == 0)
		buf_adds(sql, "rowid");
	else
		sql_add_ident(sql, def->cols[i].name, '"');
}

/* printf('%s,%s', quote(NEW."a"), quote(NEW."b"))||','||printf(...) ...:
 * see sqlite_image.h for why quote(). In chunks of 100 values: SQLite takes
 * at most 127 function arguments and an expression at most 1000 deep, so
 * neither one long printf nor one long chain of || can image a wide table. */
static void add_text_image(struct buf *sql, const struct table_def *def, const char *row)
{
	enum { CHUNK = 100 };
	for (size_t start = 0; start < def->ncols; start += CHUNK) {
		size_t end = start + CHUNK < def->ncols ? start + CHUNK : def->ncols;
		buf_adds(sql, start ? "||','||printf('" : "printf('");
		for (size_t i = start; i < end; i++)
			buf_adds(sql, i > start ? ",%s" : "%s");
		buf_addc(sql, '\'');
		for (size_t i = start; i < end; i++) {
			buf_adds(sql, ", quote(");
			add_field(sql, def, i, row);
			buf_addc(sql, ')');
		}
		buf_addc(sql, ')');
	}
}

/* , o1, o2 ... : the changelog columns of an image (prefix 'o' or 'n') */
static void add_image_columns(struct buf *sql, const struct table_def *def, char prefix)
{
	for (size_t i = 0; i < def->ncols; i++)
		buf_addf(sql, ", %c%zu", prefix, i + 1);
}

/* , NEW."a", NEW."b" ... : the values of an image */
static void add_image_values(struct buf *sql, const struct table_def *def, const char *row)
{
	for (size_t i = 0; i < def->ncols; i++) {
		buf_adds(sql, ", ");
		add_field(sql, def, i, row);
	}
}

/* typeof(OLD.k) IS typeof(NEW.k) AND OLD.k IS NEW.k COLLATE BINARY AND ...:
 * true when the update kept the key's type and bytes. The column's own
 * collation would call 'Ab' -> 'AB' (NOCASE) or 'a' -> 'a ' (RTRIM) the
 * same key, and IS calls 1 -> 1.0 the same; a replica compares bytes and
 * types (its tables are binary), so such an update ships as D + I. */
static void add_same_key(struct buf *sql, const struct table_def *def)
{
	bool first = true;
	for (size_t i = 0; i < def->ncols; i++) {
		if (!def->cols[i].key)
			continue;
		if (!first)
			buf_adds(sql, " AND ");
		first = false;
		buf_adds(sql, "typeof("); /* "typeof(OLD.": sqlite_trigger_bytewise_keys */
		add_field(sql, def, i, "OLD");
		buf_adds(sql, ") IS typeof(");
		add_field(sql, def, i, "NEW");
		buf_adds(sql, ") AND ");
		add_field(sql, def, i, "OLD");
		buf_adds(sql, " IS ");
		add_field(sql, def, i, "NEW");
		buf_adds(sql, " COLLATE BINARY");
	}
}

/* Which rows of an update a changelog insert logs: every one, those that
 * keep the key (U) or those that change it (D + I). */
enum key_filter { ANY_ROW, SAME_KEY, NEW_KEY };

/* ") VALUES(" or, for an insert of some rows only, ") SELECT " */
static void add_row_open(struct buf *sql, enum key_filter only)
{
	buf_adds(sql, only == ANY_ROW ? ") VALUES(" : ") SELECT ");
}

/* ");" or " WHERE <same key>;" or " WHERE NOT (<same key>);" (never NULL:
 * typeof() IS and IS compare to 0 or 1) */
static void add_row_close(struct buf *sql, const struct table_def *def, enum key_filter only)
{
	if (only == ANY_ROW) {
		buf_adds(sql, ");");
		return;
	}
	buf_adds(sql, only == SAME_KEY ? " WHERE " : " WHERE NOT (");
	add_same_key(sql, def);
	buf_adds(sql, only == SAME_KEY ? ";" : ");");
}

/* The change time, given by the trigger: julianday() is julianday('now')
 * (the statement's time, same value) without parsing 'now', which cost
 * half of the time column's 500 instructions a row as the column's
 * DEFAULT. The DEFAULT stays for the triggers of an earlier cdcpack. */
#define TS_NOW "julianday()"

/* What a table's triggers write into the changelog. give_ts: its ts is a
 * julian day, which the trigger gives; an earlier cdcpack's changelog
 * keeps ts as ISO text, left to that column's DEFAULT. */
struct log_shape {
	const struct source *src;
	const struct table_def *def;
	int64_t ver;
	bool give_ts;
};

/* "(ts, op, tbl, ver" */
static void add_fixed_columns(struct buf *sql, const struct log_shape *s)
{
	buf_adds(sql, s->give_ts ? "(ts, op, tbl, ver" : "(op, tbl, ver");
}

/* "julianday(), 'U', 't', 2" */
static void add_fixed_values(struct buf *sql, const struct log_shape *s, char op)
{
	if (s->give_ts)
		buf_adds(sql, TS_NOW ", ");
	buf_addf(sql, "'%c', ", op);
	sql_add_literal(sql, s->def->name);
	buf_addf(sql, ", %lld", (long long)s->ver);
}

/* (ts, op, tbl, ver, o1.., n1..) VALUES(julianday(), 'U', 't', 2, OLD.., NEW..) */
static void add_typed_row(struct buf *sql, const struct log_shape *s, char op, bool with_old,
			  bool with_new, enum key_filter only)
{
	add_fixed_columns(sql, s);
	if (with_old)
		add_image_columns(sql, s->def, 'o');
	if (with_new)
		add_image_columns(sql, s->def, 'n');
	add_row_open(sql, only);
	add_fixed_values(sql, s, op);
	if (with_old)
		add_image_values(sql, s->def, "OLD");
	if (with_new)
		add_image_values(sql, s->def, "NEW");
	add_row_close(sql, s->def, only);
}

/* (ts, op, tbl, ver, old, new) VALUES(julianday(), 'U', 't', 2, quote(OLD..)||..,
 * quote(NEW..)||..) */
static void add_text_row(struct buf *sql, const struct log_shape *s, char op, bool with_old,
			 bool with_new, enum key_filter only)
{
	add_fixed_columns(sql, s);
	buf_adds(sql, ", old, new");
	add_row_open(sql, only);
	add_fixed_values(sql, s, op);
	buf_adds(sql, ", ");
	if (with_old)
		add_text_image(sql, s->def, "OLD");
	else
		buf_adds(sql, "NULL");
	buf_adds(sql, ", ");
	if (with_new)
		add_text_image(sql, s->def, "NEW");
	else
		buf_adds(sql, "NULL");
	add_row_close(sql, s->def, only);
}

static void add_log_insert(struct buf *sql, const struct log_shape *s, char op, bool with_old,
			   bool with_new, enum key_filter only)
{
	buf_adds(sql, "INSERT INTO ");
	sql_add_ident(sql, s->src->changelog, '"');
	if (typed_images(s->def))
		add_typed_row(sql, s, op, with_old, with_new, only);
	else
		add_text_row(sql, s, op, with_old, with_new, only);
}

static void add_trigger(struct buf *sql, const struct log_shape *s, int which)
{
	static const char *const event[] = {"INSERT", "UPDATE", "DELETE"};
	char *name = trigger_name(s->src, s->def->name, which);
	buf_adds(sql, "CREATE TRIGGER ");
	sql_add_ident(sql, name, '"');
	buf_addf(sql, " AFTER %s ON ", event[which]);
	sql_add_ident(sql, s->def->name, '"');
	free(name);
	buf_adds(sql, " BEGIN ");
	switch (which) {
	case TRIG_INSERT:
		add_log_insert(sql, s, 'I', false, true, ANY_ROW);
		break;
	case TRIG_UPDATE: /* a key change ships as D(old) + I(new): docs/design.md §4 */
		add_log_insert(sql, s, 'U', true, true, SAME_KEY);
		add_log_insert(sql, s, 'D', true, false, NEW_KEY);
		add_log_insert(sql, s, 'I', false, true, NEW_KEY);
		break;
	default:
		add_log_insert(sql, s, 'D', true, false, ANY_ROW);
	}
	buf_adds(sql, " END;\n");
}

char *sqlite_trigger_layout(const struct source *src)
{
	struct table_def *def = xcalloc(1, sizeof(*def));
	def->name = xstrdup("t");
	table_def_add_column(def, "k", "TEXT", true);
	table_def_add_column(def, "v", "REAL", false);
	struct buf sql = BUF_INIT;
	struct log_shape shape = {src, def, 1, true};
	for (int i = 0; i < NTRIGGERS; i++)
		add_trigger(&sql, &shape, i);
	table_def_free(def);
	return buf_detach(&sql);
}

static void add_drop_trigger(struct buf *sql, char *name)
{
	buf_adds(sql, "DROP TRIGGER IF EXISTS ");
	sql_add_ident(sql, name, '"');
	buf_adds(sql, ";\n");
	free(name);
}

/* Ours, and those an earlier cdcpack named for the table (a missing one
 * costs SQLite a hash lookup). */
static void add_drop_triggers(struct buf *sql, const struct source *src, const char *table)
{
	for (int i = 0; i < NTRIGGERS; i++)
		add_drop_trigger(sql, trigger_name(src, table, i));
	for (int i = 0; i < NLEGACY; i++)
		add_drop_trigger(sql, legacy_name(src, table, i));
}

static int count_triggers(struct source *src, const char *table)
{
	int found = 0;
	for (int i = 0; i < NTRIGGERS; i++) {
		char *name = trigger_name(src, table, i);
		found += sqlite_trigger_lookup(src, name, NULL);
		free(name);
	}
	return found;
}

/* How many of an earlier cdcpack's four triggers the table has. */
static int count_legacy(struct source *src, const char *table)
{
	int found = 0;
	for (int i = 0; i < NLEGACY; i++) {
		char *name = legacy_name(src, table, i);
		found += sqlite_trigger_lookup(src, name, NULL);
		free(name);
	}
	return found;
}

static int create_own_tables(struct source *src)
{
	struct buf sql = BUF_INIT;
	/* seq is the rowid, max + 1, without AUTOINCREMENT (which costs 36% of
	 * the trigger when each row is a statement: SQLite reads and writes
	 * sqlite_sequence per statement). A seq is still never reused: the
	 * acknowledgement never lets max(seq) go back, leaving a marker row in
	 * place of the newest row it deletes (source_sqlite.c, mark_top);
	 * changelogs made with AUTOINCREMENT keep it. ts is a julian day, which
	 * this cdcpack's triggers give (TS_NOW): cheaper than formatting a
	 * string in every trigger firing; readers format it (and the text of
	 * changelogs made before, which strftime reads back unchanged). */
	buf_adds(&sql, "CREATE TABLE IF NOT EXISTS ");
	sql_add_ident(&sql, src->changelog, '"');
	buf_adds(&sql, "(seq INTEGER PRIMARY KEY,"
		       " ts REAL NOT NULL DEFAULT (julianday('now')),"
		       " op TEXT NOT NULL, tbl TEXT NOT NULL, ver INTEGER NOT NULL,"
		       " old TEXT, new TEXT);\n");
	buf_adds(&sql, "CREATE TABLE IF NOT EXISTS ");
	sql_add_ident(&sql, src->schema_table, '"');
	buf_adds(&sql, "(tbl TEXT NOT NULL, ver INTEGER NOT NULL, columns TEXT NOT NULL,"
		       " created TEXT NOT NULL DEFAULT (" SQLITE_ISO_NOW "),"
		       " PRIMARY KEY(tbl, ver));\n");
	int rc = sqlite_exec(src, sql.data, "create changelog");
	buf_free(&sql);
	return rc ? rc : sqlite_owner_create(src);
}

int sqlite_image_width(struct source *src, size_t *width)
{
	*width = 0;
	sqlite3_stmt *st;
	int rc = sqlite_prepare(src, "SELECT name FROM pragma_table_info(?)", &st);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, src->changelog, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(st, 0);
		char *end;
		if (!name || name[0] != 'o' || name[1] < '1' || name[1] > '9')
			continue;
		unsigned long k = strtoul(name + 1, &end, 10);
		if (!*end && k > *width)
			*width = k;
	}
	rc = rc == SQLITE_DONE ? 0 : sqlite_fail(src, "read changelog columns");
	sqlite3_finalize(st);
	return rc;
}

/* Widens the changelog to hold images of ncols values (o1..oN, n1..nN). */
static int widen_changelog(struct source *src, size_t ncols)
{
	size_t have;
	int rc = sqlite_image_width(src, &have);
	struct buf sql = BUF_INIT;
	for (size_t k = have + 1; !rc && k <= ncols; k++) {
		buf_reset(&sql);
		for (int side = 0; side < 2; side++) {
			buf_adds(&sql, "ALTER TABLE ");
			sql_add_ident(&sql, src->changelog, '"');
			buf_addf(&sql, " ADD COLUMN %c%zu;", side ? 'n' : 'o', k);
		}
		rc = sqlite_exec(src, sql.data, "widen changelog");
	}
	buf_free(&sql);
	return rc;
}

/* Whether the update triggers compare keys by type and bytes: those of an
 * earlier cdcpack used the key's collation (a case-only change under
 * NOCASE shipped as U, leaving the old key in replicas). */
static bool keys_bytewise(struct source *src, const struct table_def *def)
{
	char *name = trigger_name(src, def->name, TRIG_UPDATE);
	if (!sqlite_trigger_lookup(src, name, NULL)) { /* an earlier cdcpack's? */
		free(name);
		name = legacy_name(src, def->name, 1);
	}
	bool bytewise = sqlite_trigger_bytewise_keys(src, name);
	free(name);
	return bytewise;
}

/* Whether the table's triggers are written the way this cdcpack would:
 * triggers made by an earlier one (quote()d text, keys compared by
 * collation, four named <changelog>_<table>_ai..ad) are rebuilt. */
static bool triggers_current(struct source *src, const struct table_def *def)
{
	if (count_legacy(src, def->name))
		return false;
	char *name = trigger_name(src, def->name, TRIG_INSERT);
	bool text_images = false;
	bool current =
		sqlite_trigger_lookup(src, name, &text_images) && !text_images == typed_images(def);
	free(name);
	return current && keys_bytewise(src, def);
}

static int record_schema(struct source *src, const struct table_def *def, int64_t ver)
{
	json_t *doc = json_pack("{s:o, s:b}", "columns", table_def_columns_json(def), "rowid_key",
				def->rowid_key);
	if (def->int_key_not_alias)
		json_object_set_new(doc, "int_key_not_alias", json_true());
	char *text = json_dumps(doc, JSON_COMPACT);
	json_decref(doc);
	struct buf sql = BUF_INIT;
	buf_adds(&sql, "INSERT INTO ");
	sql_add_ident(&sql, src->schema_table, '"');
	buf_adds(&sql, "(tbl, ver, columns) VALUES(?, ?, ?)");
	sqlite3_stmt *st;
	int rc = sqlite_prepare(src, sql.data, &st);
	buf_free(&sql);
	if (!rc) {
		sqlite3_bind_text(st, 1, def->name, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, ver);
		sqlite3_bind_text(st, 3, text, -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE)
			rc = sqlite_fail(src, "record trigger schema");
		sqlite3_finalize(st);
	}
	if (!rc)
		sqlite_schema_note(src, def->name, ver, text);
	free(text);
	return rc;
}

/* Tells the catalogue what our DDL did to table's triggers (an earlier
 * cdcpack's are gone either way). */
static void note_triggers(struct source *src, const char *table, bool present, bool text_images)
{
	char *names[NTRIGGERS + NLEGACY];
	for (int i = 0; i < NTRIGGERS; i++)
		names[i] = trigger_name(src, table, i);
	for (int i = 0; i < NLEGACY; i++)
		names[NTRIGGERS + i] = legacy_name(src, table, i);
	sqlite_catalog_note_triggers(src, table, names, NTRIGGERS, present, text_images);
	sqlite_catalog_note_triggers(src, table, names + NTRIGGERS, NLEGACY, false, false);
	sqlite_schema_restamp(src);
	for (int i = 0; i < NTRIGGERS + NLEGACY; i++)
		free(names[i]);
}

/* One of ours for table, or one of the four an earlier cdcpack named for
 * it (replaced at the next install, not taken for a renamed table's). */
bool sqlite_trigger_is_ours(const struct source *src, const char *table, const char *name)
{
	bool ours = false;
	for (int k = 0; k < NTRIGGERS + NLEGACY && !ours; k++) {
		char *mine = k < NTRIGGERS ? trigger_name(src, table, k)
					   : legacy_name(src, table, k - NTRIGGERS);
		ours = sqlite3_stricmp(mine, name) == 0;
		free(mine);
	}
	return ours;
}

/* Two tables whose trigger names hash alike would share (and drop) each
 * other's triggers: refused, naming both. */
static int check_name_clash(struct source *src, const char *table)
{
	int rc = 0;
	for (int i = 0; i < NTRIGGERS && !rc; i++) {
		char *name = trigger_name(src, table, i);
		const char *other = sqlite_trigger_table(src, name);
		if (other && strcmp(other, table) != 0 && sqlite_trigger_is_ours(src, other, name))
			rc = err_set(CDC_ERUNTIME,
				     "trigger name %s of table %s is also table %s's (the names "
				     "are a hash of the table's): rename one of the tables",
				     name, NAME_SHOWN_SHORT(table), NAME_SHOWN_SHORT(other));
		free(name);
	}
	return rc;
}

static int foreign_triggers(struct source *src, const char *table, struct strv *out)
{
	return sqlite_foreign_triggers(src, table, out);
}

/* DROP TRIGGER of the foreign triggers on table, added to sql. */
static int add_drop_foreign(struct buf *sql, struct source *src, const char *table)
{
	struct strv names = {0};
	int rc = foreign_triggers(src, table, &names);
	for (size_t i = 0; i < names.n; i++) {
		buf_adds(sql, "DROP TRIGGER IF EXISTS ");
		sql_add_ident(sql, names.v[i], '"');
		buf_adds(sql, ";\n");
	}
	strv_free(&names);
	return rc;
}

/* The key columns that can hold NULL: SQLite lets a PRIMARY KEY column not
 * declared NOT NULL hold it, except an INTEGER PRIMARY KEY (the rowid) and
 * in a WITHOUT ROWID table (which table_xinfo reports as notnull). */
static int nullable_keys(struct source *src, const struct table_def *def, struct strv *out)
{
	if (def->rowid_key)
		return 0;
	sqlite3_stmt *st;
	int rc = sqlite_prepare(src,
				"SELECT name, upper(type) = 'INTEGER', \"notnull\""
				" FROM pragma_table_xinfo(?) WHERE pk > 0 ORDER BY pk",
				&st);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, def->name, -1, SQLITE_STATIC);
	struct strv keys = {0};
	bool integer_alias = false;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		integer_alias = sqlite3_column_int(st, 1) != 0;
		if (!sqlite3_column_int(st, 2))
			strv_push(&keys, (const char *)sqlite3_column_text(st, 0));
	}
	rc = rc == SQLITE_DONE ? 0 : sqlite_fail(src, "read key columns");
	sqlite3_finalize(st);
	bool one_key = table_def_nkeys(def) == 1;
	for (size_t i = 0; i < keys.n && !rc && !(one_key && integer_alias); i++)
		strv_push(out, keys.v[i]);
	strv_free(&keys);
	return rc;
}

/* No replica can pair a row whose key is NULL: refuse the table while it
 * holds one, as snapshot mode does (capture refuses one later, too). */
static int check_null_keys(struct source *src, const struct table_def *def)
{
	struct strv keys = {0};
	int rc = nullable_keys(src, def, &keys);
	struct buf sql = BUF_INIT;
	for (size_t i = 0; i < keys.n && !rc; i++) {
		buf_reset(&sql);
		buf_adds(&sql, "SELECT count(*) FROM ");
		sql_add_ident(&sql, def->name, '"');
		buf_adds(&sql, " WHERE ");
		sql_add_ident(&sql, keys.v[i], '"');
		buf_adds(&sql, " IS NULL");
		sqlite3_stmt *st;
		rc = sqlite_prepare(src, sql.data, &st);
		int64_t n = !rc && sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
		sqlite3_finalize(st);
		if (!rc && n)
			rc = err_set(CDC_ERUNTIME,
				     "%lld row(s) hold NULL in key column %s, which no replica can "
				     "pair; give them keys or delete them (and declare %s NOT "
				     "NULL), then install",
				     (long long)n, NAME_SHOWN_SHORT(keys.v[i]),
				     NAME_SHOWN_SHORT(keys.v[i]));
	}
	buf_free(&sql);
	strv_free(&keys);
	return rc;
}

/* Whether the changelog's ts is a julian day (REAL, as this cdcpack makes
 * it) rather than an earlier cdcpack's ISO text. */
static int changelog_ts_real(struct source *src, bool *real)
{
	*real = false;
	sqlite3_stmt *st;
	int rc = sqlite_prepare(
		src, "SELECT upper(type) = 'REAL' FROM pragma_table_info(?) WHERE name = 'ts'",
		&st);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, src->changelog, -1, SQLITE_STATIC);
	int step = sqlite3_step(st);
	if (step == SQLITE_ROW)
		*real = sqlite3_column_int(st, 0) != 0;
	else if (step != SQLITE_DONE)
		rc = sqlite_fail(src, "read changelog columns");
	sqlite3_finalize(st);
	return rc;
}

/* Drops table's triggers (ours, an earlier cdcpack's, those made for its
 * old name) and creates version ver's, in the caller's transaction: no
 * change logged twice, none missed. */
static int replace_triggers(struct source *src, const struct table_def *def, int64_t ver)
{
	struct log_shape shape = {src, def, ver, false};
	int rc = changelog_ts_real(src, &shape.give_ts);
	struct buf sql = BUF_INIT;
	add_drop_triggers(&sql, src, def->name);
	if (!rc)
		rc = add_drop_foreign(&sql, src, def->name);
	for (int i = 0; i < NTRIGGERS && !rc; i++)
		add_trigger(&sql, &shape, i);
	if (!rc)
		rc = sqlite_exec(src, sql.data, "create triggers");
	buf_free(&sql);
	return rc;
}

static int install_locked(struct source *src, const struct table_def *def)
{
	int rc = check_null_keys(src, def);
	if (!rc)
		rc = create_own_tables(src);
	if (!rc)
		rc = check_name_clash(src, def->name);
	if (!rc)
		rc = sqlite_load_schema(src);
	if (rc)
		return rc;
	int64_t ver;
	const struct table_def *known = sqlite_latest_schema(src, def->name, &ver);
	/* A schema recorded before int_key_not_alias was (F28) is recorded
	 * anew with it, so that cdc batches carry it; the columns are the same,
	 * so nothing reloads. */
	bool same = known && table_def_same(known, def) &&
		    known->int_key_not_alias == def->int_key_not_alias;
	struct strv foreign = {0};
	rc = foreign_triggers(src, def->name, &foreign);
	size_t nforeign = foreign.n;
	strv_free(&foreign);
	if (rc)
		return rc;
	if (same && count_triggers(src, def->name) == NTRIGGERS && triggers_current(src, def) &&
	    !nforeign)
		return 0;
	if (!same) { /* the same columns keep their version: only the triggers change */
		ver++;
		rc = record_schema(src, def, ver);
	}
	if (!rc && typed_images(def))
		rc = widen_changelog(src, def->ncols);
	if (rc)
		return rc;
	rc = replace_triggers(src, def, ver);
	if (!rc && nforeign) { /* rare: the catalogue is read anew */
		sqlite_catalog_free(src->catalog);
		src->catalog = NULL;
	}
	if (!rc)
		note_triggers(src, def->name, true, !typed_images(def));
	if (!rc)
		log_info("triggers installed table=%s version=%lld columns=%zu%s",
			 NAME_SHOWN_SHORT(def->name), (long long)ver, def->ncols,
			 def->rowid_key ? " key=rowid" : "");
	return rc;
}

/* Each CREATE TRIGGER makes SQLite find its new sqlite_schema row by a scan
 * of the whole table; with the default page cache (2 MiB) smaller than
 * the schema, every scan read it from the file again (a fifth of
 * installing triggers on 2,000 tables). Pages are held only once read. */
static int schema_sized_cache(struct source *src)
{
	return sqlite_exec(src, "PRAGMA cache_size = -65536", "size the page cache");
}

int sqlite_triggers_install(struct source *src, const struct table_def *def)
{
	int rc = schema_sized_cache(src);
	if (!rc)
		rc = sqlite_exec(src, "BEGIN IMMEDIATE", "install triggers");
	if (rc)
		return rc;
	rc = install_locked(src, def);
	if (!rc)
		rc = sqlite_exec(src, "COMMIT", "install triggers");
	if (rc)
		sqlite3_exec(src->db, "ROLLBACK", NULL, NULL, NULL);
	return rc ? err_prefix(rc, "table %s", NAME_SHOWN_SHORT(def->name)) : 0;
}

/* One transaction: the old triggers go (SQLite refuses to drop a column a
 * trigger names), the ALTER runs, the new triggers come; writers wait for
 * the lock and see either all of it or none. */
static int alter_locked(struct source *src, const char *table, const char *ddl)
{
	struct buf sql = BUF_INIT;
	add_drop_triggers(&sql, src, table);
	int rc = add_drop_foreign(&sql, src, table);
	if (!rc)
		rc = sqlite_exec(src, sql.data, "drop triggers");
	buf_free(&sql);
	if (!rc)
		rc = sqlite_exec(src, ddl, "run the ALTER");
	struct table_def *def = NULL;
	if (!rc)
		rc = sqlite_source_ops.read->describe(src, table, &def);
	if (!rc)
		rc = install_locked(src, def);
	table_def_free(def);
	return rc;
}

int sqlite_triggers_alter(struct source *src, const char *table, const char *ddl)
{
	int rc = sqlite_exec(src, "BEGIN IMMEDIATE", "alter table");
	if (rc)
		return rc;
	rc = alter_locked(src, table, ddl);
	if (!rc)
		rc = sqlite_exec(src, "COMMIT", "alter table");
	if (rc)
		sqlite3_exec(src->db, "ROLLBACK", NULL, NULL, NULL);
	return rc ? err_prefix(rc, "table %s", NAME_SHOWN_SHORT(table)) : 0;
}

int sqlite_triggers_remove(struct source *src, const char *table)
{
	struct buf sql = BUF_INIT;
	add_drop_triggers(&sql, src, table);
	int rc = add_drop_foreign(&sql, src, table);
	if (!rc)
		rc = sqlite_exec(src, sql.data, "remove triggers");
	buf_free(&sql);
	return rc;
}

int sqlite_drop_changelog(struct source *src)
{
	struct buf sql = BUF_INIT;
	buf_adds(&sql, "DROP TABLE IF EXISTS ");
	sql_add_ident(&sql, src->changelog, '"');
	buf_adds(&sql, "; DROP TABLE IF EXISTS ");
	sql_add_ident(&sql, src->schema_table, '"');
	/* The owner goes too: the next changelog is a new generation, free for a
	 * chain to claim. */
	buf_adds(&sql, "; DROP TABLE IF EXISTS ");
	sql_add_ident(&sql, src->owner_table, '"');
	int rc = sqlite_exec(src, sql.data, "drop changelog");
	buf_free(&sql);
	return rc;
}

void sqlite_pending_free(struct source *src)
{
	for (size_t i = 0; src->pending && i < src->npending; i++) {
		free(src->pending[i].table);
		free(src->pending[i].oldest);
	}
	free(src->pending);
	src->pending = NULL;
	src->npending = 0;
}

/* Pending changes of every table, in one pass over the changelog (it has
 * no index on tbl: a count per table would read it once per table). */
static int read_pending(struct source *src)
{
	struct buf sql = BUF_INIT;
	buf_adds(&sql, "SELECT tbl, count(*), " SQLITE_ISO_TIME("min(ts)") " FROM ");
	sql_add_ident(&sql, src->changelog, '"');
	buf_adds(&sql, " GROUP BY tbl ORDER BY tbl");
	sqlite3_stmt *st;
	int rc = sqlite_prepare(src, sql.data, &st);
	buf_free(&sql);
	if (rc)
		return rc;
	size_t cap = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (src->npending == cap) {
			cap = cap ? 2 * cap : 16;
			src->pending = xrealloc(src->pending, cap * sizeof(*src->pending));
		}
		const char *ts = (const char *)sqlite3_column_text(st, 2);
		src->pending[src->npending++] =
			(struct sqlite_pending){xstrdup((const char *)sqlite3_column_text(st, 0)),
						sqlite3_column_int64(st, 1), xstrdup(ts ? ts : "")};
	}
	rc = rc == SQLITE_DONE ? 0 : sqlite_fail(src, "count pending changes");
	sqlite3_finalize(st);
	return rc;
}

static int pending_cmp(const void *key, const void *entry)
{
	return strcmp(key, ((const struct sqlite_pending *)entry)->table);
}

/* Pending changes of table and the time of the oldest (for lag), from the
 * counts read once per source handle and again after this connection
 * wrote (an acknowledgement deletes rows). A failed count is an error,
 * never a number: status must not report what it could not read. */
static int count_pending(struct source *src, const char *table, struct trigger_status *out)
{
	out->pending = 0;
	if (!sqlite_table_exists(src, src->changelog))
		return 0;
	int64_t stamp = sqlite3_total_changes64(src->db);
	if (!src->pending || src->pending_stamp != stamp) {
		sqlite_pending_free(src);
		int rc = read_pending(src);
		if (rc) {
			sqlite_pending_free(src);
			return rc;
		}
		/* an empty result still counts as read */
		if (!src->pending)
			src->pending = xcalloc(1, sizeof(*src->pending));
		src->pending_stamp = stamp;
	}
	const struct sqlite_pending *p =
		src->npending ? bsearch(table, src->pending, src->npending, sizeof(*p), pending_cmp)
			      : NULL;
	if (p) {
		out->pending = p->count;
		snprintf(out->oldest, sizeof(out->oldest), "%s", p->oldest);
	}
	return 0;
}

/* REPLACE deletes rows that conflict on any unique index; with
 * recursive_triggers off (SQLite's default) no DELETE trigger fires for
 * them. Rows replaced on the primary key are still right (the INSERT image
 * upserts the same key); rows removed through another unique index are not. */
static bool has_secondary_unique(struct source *src, const char *table)
{
	sqlite3_stmt *st;
	if (sqlite_prepare(
		    src,
		    "SELECT count(*) FROM pragma_index_list(?) WHERE \"unique\" AND origin <> 'pk'",
		    &st))
		return false;
	sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
	bool found = sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0) > 0;
	sqlite3_finalize(st);
	return found;
}

/* Triggers an earlier cdcpack made, which the next run replaces. */
static void status_outdated(struct source *src, const struct table_def *def,
			    struct trigger_status *out)
{
	if (!out->installed)
		return;
	if (count_legacy(src, def->name)) {
		out->outdated = true;
		strv_push_owned(&out->warnings,
				xasprintf("its triggers were made by an earlier cdcpack (four, "
					  "named %s_%s_ai.._ad: long names slow every "
					  "connection's schema load when there are many tables); "
					  "the next run or install replaces them with three",
					  NAME_SHOWN_SHORT(src->changelog),
					  NAME_SHOWN_SHORT(def->name)));
	}
	if (!keys_bytewise(src, def)) {
		out->outdated = true;
		strv_push(&out->warnings,
			  "its triggers were made by an earlier cdcpack and compare keys by the "
			  "key column's collation (a case-only key change under NOCASE ships as "
			  "U and leaves the old key in replicas); the next run rebuilds them");
	}
}

int sqlite_triggers_status(struct source *src, const struct table_def *def,
			   struct trigger_status *out)
{
	int rc = sqlite_load_schema(src);
	if (rc)
		return rc;
	/* one catalogue for this table's questions: the schema version is
	 * checked once, not at each lookup (each check is a transaction) */
	bool pinned = src->catalog_pinned;
	sqlite_catalog_pin(src, def->name);
	out->installed = count_triggers(src, def->name) == NTRIGGERS ||
			 count_legacy(src, def->name) == NLEGACY;
	struct strv foreign = {0};
	if (foreign_triggers(src, def->name, &foreign) == 0 && foreign.n) {
		out->renamed = true;
		strv_push_owned(&out->warnings, source_renamed_warning(def->name, foreign.v[0]));
	}
	strv_free(&foreign);
	int64_t ver;
	const struct table_def *known = sqlite_latest_schema(src, def->name, &ver);
	out->drift = out->installed && known && !table_def_same(known, def);
	status_outdated(src, def, out);
	/* A schema recorded by an earlier cdcpack (or before the table was made
	 * WITHOUT ROWID with the same columns) does not say that its INTEGER key
	 * is no alias: recorded anew, so that its batches say so (F28). */
	if (out->installed && known && !out->drift &&
	    known->int_key_not_alias != def->int_key_not_alias)
		out->outdated = true;
	rc = out->skip_pending ? 0 : count_pending(src, def->name, out);
	if (def->rowid_key)
		strv_push(&out->warnings, "no primary key: rows are keyed by rowid, which VACUUM "
					  "may renumber unless it is an INTEGER PRIMARY KEY");
	struct strv keys = {0};
	if (nullable_keys(src, def, &keys) == 0)
		for (size_t i = 0; i < keys.n; i++) {
			char *shown = name_shown(keys.v[i]); /* any bytes SQLite allows */
			strv_push_owned(&out->warnings,
					xasprintf("key column %s is not declared NOT NULL: a row "
						  "with a NULL key stops capture until it is fixed "
						  "(no replica can pair it); declare it NOT NULL",
						  shown));
			free(shown);
		}
	strv_free(&keys);
	if (has_secondary_unique(src, def->name))
		strv_push(&out->warnings,
			  "has a UNIQUE index besides the primary key: INSERT OR REPLACE deletes "
			  "conflicting rows without a delete trigger unless writers set "
			  "PRAGMA recursive_triggers=ON");
	src->catalog_pinned = pinned;
	return rc;
}
