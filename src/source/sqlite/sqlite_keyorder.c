/* A scan's key order for a key column whose class is not CANON_PLAIN
 * (source.h's key_order, FINDINGS F25). diff, verify and snapshot capture
 * compare such a key by its canonical value (rowhash.h: a date-time by its
 * one spelling, numeric text under a DECIMAL class by value), so that a
 * SQLite '2024-01-02T03:04:05Z' pairs with MySQL's '2024-01-02 03:04:05';
 * SQLite's own order is by the bytes as written, in which
 * '2024-01-02 03:04:06' < '2024-01-02T03:04:05Z'. The scan therefore orders
 * by cdcpack_canon(class, key): the canonical value as a SQLite value,
 * whose BINARY order is canon_cmp's (rowhash.c compares those canons by
 * SQLite's rules). SQLite's sorter does the work: an external merge sort
 * that spills to temp files, so memory stays bounded however large the
 * table; keys of a plain class keep their index's order and pay nothing.
 * Most tables spell their keys one way, in which the bytes' order is the
 * canonical one: a read of the keys alone in byte order (the key's index,
 * stopping at the first key out of canonical order) tells whether the
 * sort is needed at all. */
#include "source_sqlite.h"

#include "keyrec.h"
#include "rowhash.h"
#include "sqlutil.h"

#include <stdlib.h>
#include <string.h>

/* An exact decimal beyond a double's precision (CK_DEC) has no SQLite
 * value of its order: it sorts as its nearest double. Two keys that round
 * to one double may then come in another order than canon_cmp's, which
 * the merge's order check reports (exit 3); it never mis-pairs them. */
static double decimal_near(const struct canon *c)
{
	char tmp[128];
	snprintf(tmp, sizeof(tmp), "%s%.*se%lld", c->neg ? "-" : "", (int)c->n, c->p,
		 (long long)c->i);
	return strtod(tmp, NULL);
}

/* cdcpack_canon(class, value): value's canonical form, as a SQLite value. */
static void canon_fn(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
	(void)argc;
	int cls = sqlite3_value_int(argv[0]); /* the scan's own SQL: a class */
	struct value v;
	sqlite_value_get(argv[1], &v);
	struct canon c;
	canon_value(&v, cls > 0 && cls <= CANON_FLOAT32 ? (enum canon_class)cls : CANON_PLAIN, &c);
	switch (c.kind) {
	case CK_INT:
		sqlite3_result_int64(cx, c.i);
		break;
	case CK_REAL:
		sqlite3_result_double(cx, c.r);
		break;
	case CK_DEC:
		sqlite3_result_double(cx, decimal_near(&c));
		break;
	case CK_TEXT:
		if (c.p == v.p) /* as written: SQLite's own value, in the database's encoding */
			sqlite3_result_value(cx, argv[1]);
		else /* a date-time's one spelling, ASCII */
			sqlite3_result_text(cx, c.p, (int)c.n, SQLITE_TRANSIENT);
		break;
	default: /* NULL, BLOB: as they are */
		sqlite3_result_value(cx, argv[1]);
	}
}

int sqlite_key_order_register(sqlite3 *db)
{
	return sqlite3_create_function_v2(db, "cdcpack_canon", 2,
					  SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS,
					  NULL, canon_fn, NULL, NULL, NULL);
}

/* By the canonical value, then (two spellings of one moment, one key as
 * the merge compares them) by the bytes: the order is the same each time
 * and the merge's check names both. */
void sqlite_key_order_add(struct buf *sql, const char *col, enum canon_class cls)
{
	if (cls != CANON_PLAIN) {
		buf_addf(sql, "cdcpack_canon(%d, ", (int)cls);
		sql_add_ident(sql, col, '"');
		buf_adds(sql, "), ");
	}
	sql_add_ident(sql, col, '"');
	buf_adds(sql, " COLLATE BINARY");
}

/* How the scan names key column i of def. */
static void add_key(struct buf *sql, const struct table_def *def, size_t i)
{
	if (def->rowid_key && i == 0)
		buf_adds(sql, "rowid");
	else
		sql_add_ident(sql, def->cols[i].name, '"');
}

/* def's key columns, comma-separated, each followed by suffix. */
static void add_key_list(struct buf *sql, const struct table_def *def, const char *suffix)
{
	for (size_t i = 0, k = 0; i < def->ncols; i++) {
		if (!def->cols[i].key)
			continue;
		buf_adds(sql, k++ ? ", " : "");
		add_key(sql, def, i);
		buf_adds(sql, suffix);
	}
}

/* SELECT of def's key columns in byte order (the plain scan's order). */
static void keys_sql(struct buf *sql, const struct table_def *def)
{
	buf_adds(sql, "SELECT ");
	add_key_list(sql, def, "");
	buf_adds(sql, " FROM ");
	sql_add_ident(sql, def->name, '"');
	buf_adds(sql, " ORDER BY ");
	add_key_list(sql, def, " COLLATE BINARY");
}

/* The current row's n keys (v and pos: scratch), encoded into key. */
static void row_key(sqlite3_stmt *st, size_t n, struct value *v, size_t *pos, struct buf *key)
{
	for (size_t k = 0; k < n; k++) {
		sqlite_column_value(st, (int)k, &v[k]);
		pos[k] = k;
	}
	buf_reset(key);
	keyrec_encode_key(key, v, pos, n);
}

/* *sorted: def's keys in byte order rise strictly as the merge compares
 * them (keyrec_cmp with key_order); stops at the first that does not. */
static int bytes_are_canonical(struct source *src, const struct table_def *def,
			       const enum canon_class *key_order, bool *sorted)
{
	struct buf sql = BUF_INIT, prev = BUF_INIT, key = BUF_INIT;
	keys_sql(&sql, def);
	sqlite3_stmt *st;
	int rc = sqlite_prepare(src, sql.data, &st);
	buf_free(&sql);
	if (rc)
		return rc;
	size_t n = table_def_nkeys(def);
	struct value *v = xcalloc(n, sizeof(*v));
	size_t *pos = xcalloc(n, sizeof(*pos));
	bool first = true;
	*sorted = true;
	while (*sorted && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		row_key(st, n, v, pos, &key);
		*sorted = first || keyrec_cmp((const uint8_t *)prev.data, prev.len,
					      (const uint8_t *)key.data, key.len, key_order, n) < 0;
		first = false;
		struct buf swap = prev;
		prev = key;
		key = swap;
	}
	rc = rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : sqlite_fail(src, "read keys");
	free(v);
	free(pos);
	buf_free(&prev);
	buf_free(&key);
	sqlite3_finalize(st);
	return rc;
}

int sqlite_key_order_sort(struct source *src, const struct table_def *def,
			  const enum canon_class *key_order, bool *sort)
{
	*sort = false;
	for (size_t k = 0; key_order && k < table_def_nkeys(def); k++)
		*sort = *sort || key_order[k] != CANON_PLAIN;
	if (!*sort)
		return 0;
	bool sorted = false;
	int rc = bytes_are_canonical(src, def, key_order, &sorted);
	*sort = !sorted;
	return rc;
}
