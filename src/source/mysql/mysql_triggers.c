/* MySQL audit triggers: one InnoDB changelog table, one schema table
 * recording the column list each trigger version knows, and three AFTER
 * triggers per table (MySQL allows no WHEN clause, so the UPDATE trigger
 * decides between U and D+I itself). */
#include "mysql_driver.h"

#include "codec.h"
#include "err.h"
#include "hash.h"
#include "log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum { TRIGGER_INSERT, TRIGGER_UPDATE, TRIGGER_DELETE, NTRIGGERS };

static const char *const trigger_suffix[NTRIGGERS] = {"ai", "au", "ad"};
static const char *const trigger_event[NTRIGGERS] = {"INSERT", "UPDATE", "DELETE"};

/* MySQL identifiers hold at most 64 characters. */
#define MYSQL_NAME_MAX 64

/* <changelog>_<table>_ai, or, when that is too long for MySQL,
 * cdcpack_<hash of both>_ai: still one fixed name per table. */
static char *trigger_name(const struct source *src, const char *table, int which)
{
	char *name = xasprintf("%s_%s_%s", src->changelog, table, trigger_suffix[which]);
	if (strlen(name) <= MYSQL_NAME_MAX)
		return name;
	uint64_t h = 1469598103934665603ULL; /* FNV-1a */
	for (const char *p = name; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ULL;
	free(name);
	return xasprintf("cdcpack_%016llx_%s", (unsigned long long)h, trigger_suffix[which]);
}

/* The table's trigger names as a comma list of SQL literals. */
static void add_trigger_names(struct source *src, struct buf *sql, const char *table)
{
	for (int i = 0; i < NTRIGGERS; i++) {
		char *name = trigger_name(src, table, i);
		buf_adds(sql, i ? ", " : "");
		mysql_add_literal(src, sql, name);
		free(name);
	}
}

/* The row of the table an update trigger reads to learn what the update did. */
#define STORED_ROW "cdcpack_row"

/* JSON_ARRAY(expr, ...) of row (NEW or OLD): see mysql_image.h. */
static void add_image(struct buf *sql, const struct table_def *def, const char *row)
{
	buf_adds(sql, "JSON_ARRAY(");
	for (size_t i = 0; i < def->ncols; i++) {
		if (i)
			buf_adds(sql, ", ");
		mysql_image_expr(sql, row, def->cols[i].name, def->cols[i].type);
	}
	buf_addc(sql, ')');
}

/* a.col = b.col: what an index lookup on col uses. */
static void add_column_eq(struct buf *sql, const char *a, const char *b, const char *col)
{
	buf_addf(sql, "%s.", a);
	mysql_add_ident(sql, col);
	buf_addf(sql, " = %s.", b);
	mysql_add_ident(sql, col);
}

/* For each key column, a.k and b.k hold the same bytes (under a *_ci
 * collation 'a' and 'A' differ). by_index: also `a.k = b.k`, which an index
 * lookup uses; key columns are NOT NULL, and `<=>` is not used there:
 * MariaDB 10.11 finds no row for `k <=> NEW.k AND ...` when k is BIGINT
 * UNSIGNED 18446744073709551615. */
static void add_keys_match(struct buf *sql, const struct table_def *def, const char *a,
			   const char *b, bool by_index)
{
	bool first = true;
	for (size_t i = 0; i < def->ncols; i++) {
		if (!def->cols[i].key)
			continue;
		buf_adds(sql, first ? "" : " AND ");
		first = false;
		if (by_index) {
			add_column_eq(sql, a, b, def->cols[i].name);
			buf_adds(sql, " AND ");
		}
		buf_addf(sql, "CAST(%s.", a);
		mysql_add_ident(sql, def->cols[i].name);
		buf_addf(sql, " AS BINARY) %s CAST(%s.", by_index ? "=" : "<=>", b);
		mysql_add_ident(sql, def->cols[i].name);
		buf_adds(sql, " AS BINARY)");
	}
}

/* True when the update kept the key, compared as bytes: under a
 * case-insensitive collation 'a' -> 'A' is a key change for a replica that
 * compares bytes (SQLite), so it ships as D + I. */
static void add_same_key(struct buf *sql, const struct table_def *def)
{
	add_keys_match(sql, def, "OLD", "NEW", false);
}

/* The stored row at OLD's key, matched as bytes: whether one is left there. */
static void add_stored_row(struct buf *sql, const struct table_def *def, const char *row)
{
	buf_adds(sql, "SELECT 1 FROM ");
	mysql_add_ident(sql, def->name);
	buf_adds(sql, " AS " STORED_ROW " WHERE ");
	add_keys_match(sql, def, STORED_ROW, row, true);
}

/* Column name of STORED_ROW and of NEW compared as bytes (NULL equal to
 * NULL), by the cheapest expression that is exact for its kind: integers
 * by value; strings (text in its own character set, binary, ENUM, SET) by
 * their bytes, without the image's conversion (HEX of a BLOB); the rest by
 * their image expressions (FLOAT and DOUBLE, whose -0 equals 0 by value;
 * TIMESTAMP, whose values compare in the writer's time zone, where an hour
 * can repeat; DECIMAL, temporals, BIT, JSON...). Both sides are the same
 * column, so equal bytes are an equal image and the other way round. */
static void add_same_column(struct buf *sql, const char *name, const char *type)
{
	enum coltype_kind kind = coltype_kind_of(type);
	if (kind == COLTYPE_INT || kind == COLTYPE_UINT) {
		buf_adds(sql, STORED_ROW ".");
		mysql_add_ident(sql, name);
		buf_adds(sql, " <=> NEW.");
		mysql_add_ident(sql, name);
	} else if (kind == COLTYPE_TEXT || kind == COLTYPE_BINARY) {
		buf_adds(sql, "CAST(" STORED_ROW ".");
		mysql_add_ident(sql, name);
		buf_adds(sql, " AS BINARY) <=> CAST(NEW.");
		mysql_add_ident(sql, name);
		buf_adds(sql, " AS BINARY)");
	} else {
		buf_adds(sql, "CAST(");
		mysql_image_expr(sql, STORED_ROW, name, type);
		buf_adds(sql, " AS BINARY) <=> CAST(");
		mysql_image_expr(sql, "NEW", name, type);
		buf_adds(sql, " AS BINARY)");
	}
}

/* Whether the stored row at NEW's key holds NEW (NULL when none is there):
 * the comparison is the subquery's value, not its WHERE, which MariaDB
 * runs through the optimizer again for every row (in the WHERE it cost
 * more than the lookup itself: docs/bench.md, 2026-12-07 21:30). The key
 * is matched by its index alone: with the key unchanged as bytes, the one
 * row there is this row, and its key's bytes are compared with the other
 * columns. */
static void add_stored_row_is_new(struct buf *sql, const struct table_def *def)
{
	buf_adds(sql, "(SELECT ");
	for (size_t i = 0; i < def->ncols; i++) {
		buf_adds(sql, i ? " AND " : "");
		add_same_column(sql, def->cols[i].name, def->cols[i].type);
	}
	buf_adds(sql, " FROM ");
	mysql_add_ident(sql, def->name);
	buf_adds(sql, " AS " STORED_ROW " WHERE ");
	bool first = true;
	for (size_t i = 0; i < def->ncols; i++) {
		if (!def->cols[i].key)
			continue;
		buf_adds(sql, first ? "" : " AND ");
		first = false;
		add_column_eq(sql, STORED_ROW, "NEW", def->cols[i].name);
	}
	buf_adds(sql, " LIMIT 1)");
}

static void add_log_insert(struct buf *sql, struct source *src, const struct table_def *def,
			   int64_t ver, char op, bool with_old, bool with_new)
{
	buf_adds(sql, "INSERT INTO ");
	mysql_add_ident(sql, src->changelog);
	/* UTC_TIMESTAMP, not NOW(): the writer's session time zone is not ours. */
	buf_addf(sql, " (ts, op, tbl, ver, old_image, new_image) VALUES (UTC_TIMESTAMP(3), '%c', ",
		 op);
	mysql_add_literal(src, sql, def->name);
	buf_addf(sql, ", %lld, ", (long long)ver);
	if (with_old)
		add_image(sql, def, "OLD");
	else
		buf_adds(sql, "NULL");
	buf_adds(sql, ", ");
	if (with_new)
		add_image(sql, def, "NEW");
	else
		buf_adds(sql, "NULL");
	buf_addc(sql, ')');
}

static void add_trigger_body(struct buf *sql, struct source *src, const struct table_def *def,
			     int64_t ver, int which)
{
	switch (which) {
	case TRIGGER_INSERT:
		add_log_insert(sql, src, def, ver, 'I', false, true);
		break;
	case TRIGGER_DELETE:
		add_log_insert(sql, src, def, ver, 'D', true, false);
		break;
	default:
		/* MariaDB fires AFTER UPDATE for a row UPDATE IGNORE skips (its
		 * key, UNIQUE value or foreign key collides), so log only what the
		 * table shows happened: a U when the row at the key holds NEW, a
		 * key change when no row is left at OLD's key. */
		buf_adds(sql, "BEGIN IF ");
		add_same_key(sql, def);
		buf_adds(sql, " THEN IF ");
		add_stored_row_is_new(sql, def);
		buf_adds(sql, " THEN ");
		add_log_insert(sql, src, def, ver, 'U', true, true);
		/* A key change ships as D(old) + I(new): docs/design.md §4. */
		buf_adds(sql, "; END IF; ELSEIF NOT EXISTS (");
		add_stored_row(sql, def, "OLD");
		buf_adds(sql, ") THEN ");
		add_log_insert(sql, src, def, ver, 'D', true, false);
		buf_adds(sql, "; ");
		add_log_insert(sql, src, def, ver, 'I', false, true);
		buf_adds(sql, "; END IF; END");
	}
}

static char *create_trigger_sql(struct source *src, const struct table_def *def, int64_t ver,
				int which)
{
	struct buf sql = BUF_INIT;
	char *name = trigger_name(src, def->name, which);
	/* MariaDB replaces a trigger atomically; MySQL needs the DROP first,
	 * done under LOCK TABLES so that no write slips between the two. */
	buf_adds(&sql, src->mariadb ? "CREATE OR REPLACE TRIGGER " : "CREATE TRIGGER ");
	mysql_add_ident(&sql, name);
	buf_addf(&sql, " AFTER %s ON ", trigger_event[which]);
	mysql_add_ident(&sql, def->name);
	buf_adds(&sql, " FOR EACH ROW ");
	add_trigger_body(&sql, src, def, ver, which);
	free(name);
	return buf_detach(&sql);
}

static int drop_trigger(struct source *src, const char *table, int which)
{
	struct buf sql = BUF_INIT;
	char *name = trigger_name(src, table, which);
	buf_adds(&sql, "DROP TRIGGER IF EXISTS ");
	mysql_add_ident(&sql, name);
	int rc = mysql_run(src, sql.data, "drop trigger");
	free(name);
	buf_free(&sql);
	return rc;
}

static int count_triggers(struct source *src, const char *table, int64_t *found)
{
	struct buf sql = BUF_INIT;
	buf_adds(&sql, "SELECT COUNT(*) FROM information_schema.TRIGGERS"
		       " WHERE TRIGGER_SCHEMA = DATABASE() AND BINARY EVENT_OBJECT_TABLE = ");
	mysql_add_literal(src, &sql, table);
	buf_adds(&sql, " AND BINARY TRIGGER_NAME IN (");
	add_trigger_names(src, &sql, table);
	buf_addc(&sql, ')');
	int rc = mysql_select_int(src, sql.data, "look up triggers", found);
	buf_free(&sql);
	return rc;
}

/* What the table's update trigger is against the one this cdcpack makes. */
enum update_trigger_age {
	UPDATE_TRIGGER_CURRENT,	      /* this cdcpack's, or none (callers see that apart) */
	UPDATE_TRIGGER_SLOWER,	      /* reads the row back, at a higher cost per update */
	UPDATE_TRIGGER_LOGS_SKIPPED,  /* logs rows UPDATE IGNORE skipped (F12) */
	UPDATE_TRIGGER_MISSES_ZERO_TS /* misses updates of a row with the zero TIMESTAMP (F42) */
};

/* What an update trigger body other than this cdcpack's misses: one that
 * never reads STORED_ROW is from before the F12 fix; one that spells a
 * TIMESTAMP without NULLIF, from before the F42 fix (tests/torture/FINDINGS.md). */
static enum update_trigger_age older_update_trigger(const char *body)
{
	if (!strstr(body, STORED_ROW))
		return UPDATE_TRIGGER_LOGS_SKIPPED;
	if (strstr(body, "COALESCE(CAST(UNIX_TIMESTAMP("))
		return UPDATE_TRIGGER_MISSES_ZERO_TS;
	return UPDATE_TRIGGER_SLOWER;
}

/* The table's update trigger against the one this cdcpack makes for
 * version ver. The body as a whole is compared, so any later change to it
 * is found too (older_update_trigger says which). */
static int update_trigger_age(struct source *src, const struct table_def *def, int64_t ver,
			      enum update_trigger_age *age)
{
	struct buf sql = BUF_INIT, body = BUF_INIT;
	char *name = trigger_name(src, def->name, TRIGGER_UPDATE);
	buf_adds(&sql, "SELECT ACTION_STATEMENT FROM information_schema.TRIGGERS"
		       " WHERE TRIGGER_SCHEMA = DATABASE() AND BINARY TRIGGER_NAME = ");
	mysql_add_literal(src, &sql, name);
	free(name);
	add_trigger_body(&body, src, def, ver, TRIGGER_UPDATE);
	MYSQL_RES *res;
	int rc = mysql_select(src, sql.data, "look up triggers", &res);
	*age = UPDATE_TRIGGER_CURRENT;
	if (!rc) {
		MYSQL_ROW row = mysql_fetch_row(res);
		if (row && row[0] && strcmp(row[0], body.data) != 0)
			*age = older_update_trigger(row[0]);
		mysql_free_result(res);
	}
	buf_free(&sql);
	buf_free(&body);
	return rc;
}

static int create_own_tables(struct source *src)
{
	struct buf sql = BUF_INIT;
	/* seq is taken at insert, not commit: a late commit can carry a lower
	 * seq than rows already read, which is why ack deletes exact ranges. */
	buf_adds(&sql, "CREATE TABLE IF NOT EXISTS ");
	mysql_add_ident(&sql, src->changelog);
	buf_adds(&sql, " (seq BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,"
		       " ts DATETIME(3) NOT NULL, op CHAR(1) NOT NULL,"
		       " tbl VARCHAR(64) NOT NULL, ver INT NOT NULL,"
		       " old_image LONGTEXT NULL, new_image LONGTEXT NULL)"
		       " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin");
	int rc = mysql_run(src, sql.data, "create changelog");
	buf_reset(&sql);
	buf_adds(&sql, "CREATE TABLE IF NOT EXISTS ");
	mysql_add_ident(&sql, src->schema_table);
	buf_adds(&sql, " (tbl VARCHAR(64) NOT NULL, ver INT NOT NULL, columns LONGTEXT NOT NULL,"
		       " created DATETIME(3) NOT NULL, PRIMARY KEY (tbl, ver))"
		       " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin");
	if (!rc)
		rc = mysql_run(src, sql.data, "create changelog schema table");
	buf_free(&sql);
	return rc ? rc : mysql_owner_create(src);
}

/* Committed before the triggers exist, so every change of this version
 * finds its column list when it is read. */
static int record_schema(struct source *src, const struct table_def *def, int64_t ver)
{
	json_t *cols = table_def_columns_json(def);
	char *text = json_dumps(cols, JSON_COMPACT);
	json_decref(cols);
	struct buf sql = BUF_INIT;
	buf_adds(&sql, "INSERT INTO ");
	mysql_add_ident(&sql, src->schema_table);
	buf_adds(&sql, " (tbl, ver, columns, created) VALUES (");
	mysql_add_literal(src, &sql, def->name);
	buf_addf(&sql, ", %lld, ", (long long)ver);
	mysql_add_literal(src, &sql, text);
	buf_adds(&sql, ", UTC_TIMESTAMP(3))");
	int rc = mysql_run(src, sql.data, "record trigger schema");
	buf_free(&sql);
	free(text);
	return rc;
}

/* The first column of each row sql selects, added to out. */
static int select_names(struct source *src, const char *sql, const char *what, struct strv *out)
{
	MYSQL_RES *res;
	int rc = mysql_select(src, sql, what, &res);
	if (rc)
		return rc;
	MYSQL_ROW row;
	while ((row = mysql_fetch_row(res)))
		strv_push(out, row[0]);
	mysql_free_result(res);
	return 0;
}

/* The triggers on table that write to the changelog but are not named for
 * it: made for the name it had before RENAME TABLE, they log its changes
 * under that name. */
static int foreign_triggers(struct source *src, const char *table, struct strv *out)
{
	struct buf needle = BUF_INIT, sql = BUF_INIT;
	buf_adds(&needle, "INSERT INTO ");
	mysql_add_ident(&needle, src->changelog);
	buf_adds(&sql, "SELECT TRIGGER_NAME FROM information_schema.TRIGGERS"
		       " WHERE TRIGGER_SCHEMA = DATABASE() AND BINARY EVENT_OBJECT_TABLE = ");
	mysql_add_literal(src, &sql, table);
	buf_adds(&sql, " AND INSTR(ACTION_STATEMENT, ");
	mysql_add_literal(src, &sql, needle.data);
	buf_adds(&sql, ") > 0 AND BINARY TRIGGER_NAME NOT IN (");
	add_trigger_names(src, &sql, table);
	buf_adds(&sql, ") ORDER BY TRIGGER_NAME");
	int rc = select_names(src, sql.data, "look up triggers", out);
	buf_free(&needle);
	buf_free(&sql);
	return rc;
}

static int drop_named_trigger(struct source *src, const char *name)
{
	struct buf sql = BUF_INIT;
	buf_adds(&sql, "DROP TRIGGER IF EXISTS ");
	mysql_add_ident(&sql, name);
	int rc = mysql_run(src, sql.data, "drop trigger");
	buf_free(&sql);
	return rc;
}

/* with_schema: the schema table too, for a version recorded under the lock. */
static int lock_tables(struct source *src, const char *table, bool with_schema)
{
	struct buf sql = BUF_INIT;
	buf_adds(&sql, "LOCK TABLES ");
	mysql_add_ident(&sql, table);
	buf_adds(&sql, " WRITE, ");
	mysql_add_ident(&sql, src->changelog);
	buf_adds(&sql, " WRITE");
	if (with_schema) {
		buf_adds(&sql, ", ");
		mysql_add_ident(&sql, src->schema_table);
		buf_adds(&sql, " WRITE");
	}
	int rc = mysql_run(src, sql.data, "lock table for trigger rebuild");
	buf_free(&sql);
	return rc;
}

/* With the table write-locked, no statement runs between the old triggers
 * and the new ones, so no change goes unrecorded. A waiting write lock
 * queues every writer of the table behind it, so wait briefly: behind a
 * long transaction, fail and let the next run try again rather than stall
 * the application. */
static int replace_triggers(struct source *src, const struct table_def *def, int64_t ver)
{
	int rc = mysql_run(src,
			   "SET @cdcpack_lwt = @@SESSION.lock_wait_timeout, "
			   "SESSION lock_wait_timeout = 10",
			   "set lock wait timeout");
	if (!rc)
		rc = lock_tables(src, def->name, false);
	/* Under the same lock: no change logged twice (old name and new), none
	 * missed. */
	struct strv foreign = {0};
	if (!rc)
		rc = foreign_triggers(src, def->name, &foreign);
	for (size_t i = 0; i < foreign.n && !rc; i++)
		rc = drop_named_trigger(src, foreign.v[i]);
	strv_free(&foreign);
	for (int i = 0; i < NTRIGGERS && !rc; i++) {
		if (!src->mariadb)
			rc = drop_trigger(src, def->name, i);
		char *sql = create_trigger_sql(src, def, ver, i);
		if (!rc)
			rc = mysql_run(src, sql, "create trigger");
		free(sql);
	}
	int unlock = mysql_run(src, "UNLOCK TABLES", "unlock tables");
	if (!unlock)
		unlock = mysql_run(src, "SET SESSION lock_wait_timeout = @cdcpack_lwt",
				   "restore lock wait timeout");
	return rc ? rc : unlock;
}

int mysql_triggers_install(struct source *src, const struct table_def *def)
{
	int rc = create_own_tables(src);
	if (!rc)
		rc = mysql_load_schema(src);
	int64_t found = 0;
	if (!rc)
		rc = count_triggers(src, def->name, &found);
	struct strv foreign = {0};
	if (!rc)
		rc = foreign_triggers(src, def->name, &foreign);
	size_t nforeign = foreign.n;
	strv_free(&foreign);
	if (rc)
		return err_prefix(rc, "table %s", NAME_SHOWN_SHORT(def->name));
	const struct mysql_schema_entry *known = mysql_latest_schema(src, def->name);
	bool current = false;
	if (known && table_def_same(known->def, def) && found == NTRIGGERS && !nforeign) {
		enum update_trigger_age age;
		rc = update_trigger_age(src, def, known->ver, &age);
		current = age == UPDATE_TRIGGER_CURRENT;
	}
	if (rc)
		return err_prefix(rc, "table %s", NAME_SHOWN_SHORT(def->name));
	if (current)
		return 0;
	int64_t ver = known ? known->ver + 1 : 1;
	rc = record_schema(src, def, ver);
	if (!rc)
		rc = replace_triggers(src, def, ver);
	if (rc)
		return err_prefix(rc, "table %s", NAME_SHOWN_SHORT(def->name));
	char *index = mysql_key_source(src, def->name);
	log_info("triggers installed table=%s version=%lld columns=%zu%s%s",
		 NAME_SHOWN_SHORT(def->name), (long long)ver, def->ncols,
		 index && strcmp(index, "PRIMARY") ? " key=" : "",
		 index && strcmp(index, "PRIMARY") ? index : "");
	free(index);
	return 0;
}

/* Under LOCK TABLES (table, changelog and schema table WRITE): the ALTER,
 * the new version, the new triggers. MariaDB keeps a table locked across
 * ALTER TABLE, and the writers of the table wait for UNLOCK rather than run
 * a trigger that names a column the ALTER dropped. */
static int alter_locked(struct source *src, const char *table, const char *ddl, int64_t *ver)
{
	struct table_def *def = NULL;
	int rc = mysql_run(src, ddl, "run the ALTER");
	if (!rc)
		rc = mysql_describe_table(src, table, &def);
	const struct mysql_schema_entry *known = mysql_latest_schema(src, table);
	*ver = known ? known->ver + 1 : 1;
	if (!rc)
		rc = record_schema(src, def, *ver);
	struct strv foreign = {0};
	if (!rc)
		rc = foreign_triggers(src, table, &foreign);
	for (size_t i = 0; i < foreign.n && !rc; i++)
		rc = drop_named_trigger(src, foreign.v[i]);
	strv_free(&foreign);
	for (int i = 0; i < NTRIGGERS && !rc; i++) {
		if (!src->mariadb)
			rc = drop_trigger(src, table, i);
		char *sql = create_trigger_sql(src, def, *ver, i);
		if (!rc)
			rc = mysql_run(src, sql, "create trigger");
		free(sql);
	}
	table_def_free(def);
	return rc;
}

int mysql_triggers_alter(struct source *src, const char *table, const char *ddl)
{
	int rc = create_own_tables(src);
	if (!rc)
		rc = mysql_load_schema(src);
	if (!rc)
		rc = mysql_run(src,
			       "SET @cdcpack_lwt = @@SESSION.lock_wait_timeout, "
			       "SESSION lock_wait_timeout = 10",
			       "set lock wait timeout");
	if (rc)
		return err_prefix(rc, "table %s", NAME_SHOWN_SHORT(table));
	int64_t ver = 0;
	rc = lock_tables(src, table, true);
	if (!rc)
		rc = alter_locked(src, table, ddl, &ver);
	int unlock = mysql_run(src, "UNLOCK TABLES", "unlock tables");
	if (!unlock)
		unlock = mysql_run(src, "SET SESSION lock_wait_timeout = @cdcpack_lwt",
				   "restore lock wait timeout");
	rc = rc ? rc : unlock;
	if (rc)
		return err_prefix(rc, "table %s", NAME_SHOWN_SHORT(table));
	log_info("table altered and triggers rebuilt table=%s version=%lld",
		 NAME_SHOWN_SHORT(table), (long long)ver);
	return 0;
}

int mysql_triggers_remove(struct source *src, const char *table)
{
	struct strv foreign = {0};
	int rc = foreign_triggers(src, table, &foreign);
	for (size_t i = 0; i < foreign.n && !rc; i++)
		rc = drop_named_trigger(src, foreign.v[i]);
	strv_free(&foreign);
	for (int i = 0; i < NTRIGGERS && !rc; i++)
		rc = drop_trigger(src, table, i);
	return rc ? err_prefix(rc, "table %s", NAME_SHOWN_SHORT(table)) : 0;
}

int mysql_drop_changelog(struct source *src)
{
	struct buf sql = BUF_INIT;
	buf_adds(&sql, "DROP TABLE IF EXISTS ");
	mysql_add_ident(&sql, src->changelog);
	buf_adds(&sql, ", ");
	mysql_add_ident(&sql, src->schema_table);
	/* The owner goes too: the next changelog is a new generation, free for a
	 * chain to claim. */
	buf_adds(&sql, ", ");
	mysql_add_ident(&sql, src->owner_table);
	int rc = mysql_run(src, sql.data, "drop changelog");
	buf_free(&sql);
	return rc;
}

/* By what the trigger does, not by its name: a renamed table's triggers
 * keep their names and still write. */
int mysql_triggered_tables(struct source *src, struct strv *out)
{
	struct buf needle = BUF_INIT, sql = BUF_INIT;
	buf_adds(&needle, "INSERT INTO ");
	mysql_add_ident(&needle, src->changelog);
	buf_adds(&sql, "SELECT DISTINCT EVENT_OBJECT_TABLE FROM information_schema.TRIGGERS"
		       " WHERE TRIGGER_SCHEMA = DATABASE() AND INSTR(ACTION_STATEMENT, ");
	mysql_add_literal(src, &sql, needle.data);
	buf_adds(&sql, ") > 0 ORDER BY BINARY EVENT_OBJECT_TABLE");
	int rc = select_names(src, sql.data, "list triggers", out);
	buf_free(&needle);
	buf_free(&sql);
	return rc;
}

/* Pending changes of table and the time of the oldest ("" when none), as
 * change timestamps are spelt: "2024-03-31T01:30:00.123Z". */
static int count_pending(struct source *src, const char *table, struct trigger_status *out)
{
	bool exists;
	out->pending = 0;
	out->oldest[0] = '\0';
	int rc = mysql_table_exists(src, src->changelog, &exists);
	if (rc || !exists)
		return rc;
	struct buf sql = BUF_INIT;
	buf_adds(&sql, "SELECT COUNT(*), REPLACE(CONCAT(MIN(ts), 'Z'), ' ', 'T') FROM ");
	mysql_add_ident(&sql, src->changelog);
	buf_adds(&sql, " WHERE tbl = ");
	mysql_add_literal(src, &sql, table);
	MYSQL_RES *res;
	rc = mysql_select(src, sql.data, "count pending changes", &res);
	buf_free(&sql);
	if (rc)
		return rc;
	MYSQL_ROW row = mysql_fetch_row(res);
	if (row && row[0])
		out->pending = strtoll(row[0], NULL, 10);
	if (row && row[1])
		snprintf(out->oldest, sizeof(out->oldest), "%s", row[1]);
	mysql_free_result(res);
	return 0;
}

/* MySQL fires no trigger for rows changed by a foreign-key cascade
 * (docs/design.md §4): name every such foreign key of which table is the child. */
static int warn_cascades(struct source *src, const char *table, struct strv *warnings)
{
	struct buf sql = BUF_INIT;
	buf_adds(&sql, "SELECT CONSTRAINT_NAME, REFERENCED_TABLE_NAME, DELETE_RULE, UPDATE_RULE"
		       " FROM information_schema.REFERENTIAL_CONSTRAINTS"
		       " WHERE CONSTRAINT_SCHEMA = DATABASE() AND BINARY TABLE_NAME = ");
	mysql_add_literal(src, &sql, table);
	buf_adds(&sql, " AND (DELETE_RULE IN ('CASCADE', 'SET NULL')"
		       " OR UPDATE_RULE IN ('CASCADE', 'SET NULL')) ORDER BY CONSTRAINT_NAME");
	MYSQL_RES *res;
	int rc = mysql_select(src, sql.data, "look up foreign keys", &res);
	buf_free(&sql);
	if (rc)
		return rc;
	MYSQL_ROW row;
	while ((row = mysql_fetch_row(res)))
		strv_push_owned(
			warnings,
			xasprintf("foreign key %s references %s with ON DELETE %s ON UPDATE "
				  "%s: MySQL fires no trigger for rows a cascade changes, "
				  "so those changes are not captured",
				  row[0], row[1], row[2], row[3]));
	mysql_free_result(res);
	return 0;
}

static bool has_column(const struct table_def *def, const char *name)
{
	for (size_t i = 0; i < def->ncols; i++)
		if (strcmp(def->cols[i].name, name) == 0)
			return true;
	return false;
}

/* A trigger naming a dropped column fails at run time, and with it the
 * writer's statement: say so while the drift lasts. */
static void warn_dropped(const struct table_def *known, const struct table_def *def,
			 struct strv *warnings)
{
	for (size_t i = 0; i < known->ncols; i++)
		if (!has_column(def, known->cols[i].name))
			strv_push_owned(
				warnings,
				xasprintf("column %s was dropped or renamed: until `cdcpack "
					  "triggers install` (or `run`) rebuilds the "
					  "triggers, writes to the table fail",
					  NAME_SHOWN_SHORT(known->cols[i].name)));
}

/* A row image is built by string functions, which give up beyond
 * max_allowed_packet; the triggers run in strict mode, so the writer's
 * statement then fails rather than ship a hole. Name the limit for tables
 * whose values can reach it. */
static int warn_packet_limit(struct source *src, const struct table_def *def, struct strv *warnings)
{
	const char *big = NULL;
	for (size_t i = 0; i < def->ncols && !big; i++) {
		const char *t = def->cols[i].type;
		enum coltype_kind k = coltype_kind_of(t);
		if ((k == COLTYPE_BINARY || k == COLTYPE_TEXT) &&
		    (strncasecmp(t, "medium", 6) == 0 || strncasecmp(t, "long", 4) == 0))
			big = def->cols[i].name;
	}
	if (!big)
		return 0;
	int64_t packet;
	int rc = mysql_select_int(src, "SELECT @@GLOBAL.max_allowed_packet",
				  "read max_allowed_packet", &packet);
	if (!rc)
		strv_push_owned(
			warnings,
			xasprintf("column %s can hold values beyond what a row image carries: "
				  "with max_allowed_packet = %lld MiB, a write of a row over "
				  "about %lld MiB (binary values count twice, as hex) fails",
				  big, (long long)(packet >> 20), (long long)(packet >> 21)));
	return rc;
}

static const char *outdated_warning(enum update_trigger_age age)
{
	switch (age) {
	case UPDATE_TRIGGER_LOGS_SKIPPED:
		return "its update trigger was made by an earlier cdcpack and logs rows UPDATE "
		       "IGNORE skipped (MariaDB fires it for them), shipping changes the table "
		       "never made; the next run or install rebuilds it";
	case UPDATE_TRIGGER_MISSES_ZERO_TS:
		return "its update trigger was made by an earlier cdcpack and logs no update "
		       "of a row holding the zero TIMESTAMP with fractional seconds; the next "
		       "run or install rebuilds it (cdcpack reconcile or load repairs replicas)";
	default:
		return "its update trigger was made by an earlier cdcpack (it reads the row "
		       "back as this one does, at a higher cost per update); the next run or "
		       "install rebuilds it";
	}
}

/* Update triggers an earlier cdcpack made, which the next run replaces. */
static int status_outdated(struct source *src, const struct table_def *def, int64_t ver,
			   struct trigger_status *out)
{
	enum update_trigger_age age;
	int rc = update_trigger_age(src, def, ver, &age);
	if (rc || age == UPDATE_TRIGGER_CURRENT)
		return rc;
	out->outdated = true;
	strv_push(&out->warnings, outdated_warning(age));
	return 0;
}

int mysql_triggers_status(struct source *src, const struct table_def *def,
			  struct trigger_status *out)
{
	int64_t found = 0;
	int rc = mysql_load_schema(src);
	if (!rc)
		rc = count_triggers(src, def->name, &found);
	if (!rc && !out->skip_pending)
		rc = count_pending(src, def->name, out);
	if (!rc)
		rc = warn_cascades(src, def->name, &out->warnings);
	if (!rc)
		rc = warn_packet_limit(src, def, &out->warnings);
	if (rc)
		return err_prefix(rc, "table %s", NAME_SHOWN_SHORT(def->name));
	out->installed = found == NTRIGGERS;
	struct strv foreign = {0};
	rc = foreign_triggers(src, def->name, &foreign);
	if (!rc && foreign.n) {
		out->renamed = true;
		strv_push_owned(&out->warnings, source_renamed_warning(def->name, foreign.v[0]));
	}
	strv_free(&foreign);
	if (rc)
		return err_prefix(rc, "table %s", NAME_SHOWN_SHORT(def->name));
	const struct mysql_schema_entry *known = mysql_latest_schema(src, def->name);
	out->drift = out->installed && known && !table_def_same(known->def, def);
	if (out->drift)
		warn_dropped(known->def, def, &out->warnings);
	else if (out->installed && known && !out->renamed)
		rc = status_outdated(src, def, known->ver, out);
	if (rc)
		return err_prefix(rc, "table %s", NAME_SHOWN_SHORT(def->name));
	char *index = mysql_key_source(src, def->name);
	if (index && strcmp(index, "PRIMARY") != 0)
		strv_push_owned(&out->warnings,
				xasprintf("no primary key: rows are keyed by unique index %s",
					  NAME_SHOWN_SHORT(index)));
	free(index);
	strv_push(&out->warnings, "TRUNCATE TABLE fires no trigger: its deletions are not captured "
				  "(use DELETE FROM)");
	char *word = name_for_shell(def->name);
	strv_push_owned(&out->warnings,
			xasprintf("a plain ALTER TABLE that drops or renames a column makes every "
				  "write to the table fail until its triggers are rebuilt: change "
				  "columns with `cdcpack triggers alter %s \"ALTER TABLE ...\"`%s",
				  word, name_shell_note(def->name)));
	free(word);
	return 0;
}

/* What triggers_status and describe read of information_schema, for every
 * table of the database at once (names, columns, keys, triggers, foreign
 * keys; a trigger's body by its MD5, volatile columns such as row counts
 * left out), so that an idle run asks a fixed number of queries whatever
 * the number of tables. */
static const char *const stamp_queries[] = {
	"SELECT TABLE_NAME, TABLE_TYPE FROM information_schema.TABLES"
	" WHERE TABLE_SCHEMA = DATABASE() ORDER BY BINARY TABLE_NAME",
	"SELECT TABLE_NAME, COLUMN_NAME, ORDINAL_POSITION, COLUMN_TYPE"
	" FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE()"
	" ORDER BY BINARY TABLE_NAME, ORDINAL_POSITION",
	"SELECT TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX, COLUMN_NAME, NON_UNIQUE, NULLABLE"
	" FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE()"
	" ORDER BY BINARY TABLE_NAME, BINARY INDEX_NAME, SEQ_IN_INDEX",
	"SELECT TRIGGER_NAME, EVENT_OBJECT_TABLE, EVENT_MANIPULATION, ACTION_TIMING,"
	" ACTION_ORDER, MD5(ACTION_STATEMENT) FROM information_schema.TRIGGERS"
	" WHERE TRIGGER_SCHEMA = DATABASE() ORDER BY BINARY TRIGGER_NAME",
	"SELECT CONSTRAINT_NAME, TABLE_NAME, REFERENCED_TABLE_NAME, DELETE_RULE, UPDATE_RULE"
	" FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = DATABASE()"
	" ORDER BY BINARY TABLE_NAME, BINARY CONSTRAINT_NAME",
};

/* Every row of sql into h: each field with its length (NULL apart). */
static int hash_rows(struct source *src, const char *sql, struct hash_stream *h)
{
	MYSQL_RES *res;
	int rc = mysql_select(src, sql, "read schema stamp", &res);
	if (rc)
		return rc;
	unsigned nf = mysql_num_fields(res);
	MYSQL_ROW row;
	while ((row = mysql_fetch_row(res))) {
		unsigned long *lens = mysql_fetch_lengths(res);
		for (unsigned i = 0; i < nf; i++) {
			uint64_t n = row[i] ? (uint64_t)lens[i] : UINT64_MAX;
			hash_stream_update(h, &n, sizeof(n));
			if (row[i])
				hash_stream_update(h, row[i], lens[i]);
		}
	}
	mysql_free_result(res);
	return 0;
}

/* What the triggers this cdcpack makes do, in the stamp: a run of an
 * earlier one stamped the same database with the same version string, and
 * an idle run must still look at the triggers once to find them outdated.
 * Change it with the trigger bodies. */
static const char trigger_design[] =
	"update trigger logs what the row shows (F12), compared in the subquery's value";

/* MySQL has no schema version: the stamp is a hash of what the checks
 * read, with the trigger versions the schema table records. */
int mysql_schema_stamp(struct source *src, char **out)
{
	*out = NULL;
	struct hash_stream h;
	hash_stream_init(&h);
	hash_stream_update(&h, trigger_design, sizeof(trigger_design));
	int rc = 0;
	for (size_t i = 0; i < sizeof(stamp_queries) / sizeof(*stamp_queries) && !rc; i++)
		rc = hash_rows(src, stamp_queries[i], &h);
	bool exists = false;
	if (!rc)
		rc = mysql_table_exists(src, src->schema_table, &exists);
	if (!rc && exists) {
		struct buf sql = BUF_INIT;
		buf_adds(&sql, "SELECT tbl, ver FROM ");
		mysql_add_ident(&sql, src->schema_table);
		buf_adds(&sql, " ORDER BY BINARY tbl, ver");
		rc = hash_rows(src, sql.data, &h);
		buf_free(&sql);
	}
	char hex[HASH_HEX_LEN + 1];
	hash_stream_hex(&h, hex);
	hash_stream_free(&h);
	if (!rc)
		*out = xasprintf("mysql %s", hex);
	return rc;
}
