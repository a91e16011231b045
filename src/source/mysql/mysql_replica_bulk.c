/* The replica side's bulk path: a run of upserts (or of deletes) of one
 * table goes to the server as one multi-row statement, sized to the
 * session's max_allowed_packet, instead of one round trip per row
 * (issue 20; docs/design.md §6 "apply").
 *
 * Change order is kept: a statement holds one kind of change of one table,
 * and a key seen already in the pending statement flushes it first, so a
 * key deleted, re-inserted and updated within a batch reaches the server
 * in that order. Values are spelt as literals that read back as the bound
 * parameters of the one-row path read: TEXT as a string in the
 * connection's utf8mb4, BLOB as a _binary string (never X'..', which a
 * numeric column would read as a number), REAL with an exponent (an
 * approximate-value literal, read by strtod, never a DECIMAL). */
#include "mysql_driver.h"

#include "codec.h"
#include "err.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Statements stay below this even when max_allowed_packet allows more:
 * 256 KiB to 1 MiB ones loaded 100k rows in the same time, 4 and 16 MiB
 * ones took longer, and each byte of a statement is held twice (here and
 * in the client library's packet buffer). */
#define BULK_MAX_STATEMENT (1u << 20)
/* Room kept for the packet header and the statement's tail. */
#define BULK_PACKET_MARGIN 1024u
/* A multi-column key's delete is an OR of ANDs: the range optimizer's cost
 * grows with it, so those go 1,000 keys at a time. */
#define BULK_MAX_DELETE_KEYS 1000u

struct mysql_bulk {
	const struct table_def *def; /* of the pending statement (borrowed); NULL: none */
	char op;		     /* 'U' upsert, 'D' delete */
	struct buf sql;		     /* the pending statement, without its tail */
	struct buf tail;	     /* what closes it */
	struct buf row;		     /* scratch: one row's literals */
	struct buf key;		     /* scratch: one row's key literals */
	size_t rows;
	uint64_t *keys; /* open addressing set of the pending keys' hashes; 0 is empty */
	size_t nkeys, cap;
	size_t limit; /* statement bytes; 0 until read from the server */
};

static struct mysql_bulk *bulk_of(struct source *src)
{
	if (!src->bulk)
		src->bulk = xcalloc(1, sizeof(*src->bulk));
	return src->bulk;
}

void mysql_bulk_free(struct source *src)
{
	struct mysql_bulk *b = src->bulk;
	if (!b)
		return;
	buf_free(&b->sql);
	buf_free(&b->tail);
	buf_free(&b->row);
	buf_free(&b->key);
	free(b->keys);
	free(b);
	src->bulk = NULL;
}

void mysql_bulk_discard(struct source *src)
{
	struct mysql_bulk *b = src->bulk;
	if (!b)
		return;
	b->def = NULL;
	b->rows = 0;
	b->nkeys = 0;
	if (b->keys)
		memset(b->keys, 0, b->cap * sizeof(*b->keys));
	buf_reset(&b->sql);
	buf_reset(&b->tail);
}

/* FNV-1a of a key's literals: two spellings that differ are two keys, so
 * equal keys always meet; a collision only flushes early. */
static uint64_t key_hash(const struct buf *key)
{
	uint64_t h = 1469598103934665603ull;
	for (size_t i = 0; i < key->len; i++)
		h = (h ^ (unsigned char)key->data[i]) * 1099511628211ull;
	return h ? h : 1;
}

/* Adds h to the set; false when it was there. */
static bool key_insert(struct mysql_bulk *b, uint64_t h)
{
	if (2 * (b->nkeys + 1) > b->cap) {
		size_t cap = b->cap ? 2 * b->cap : 1024;
		uint64_t *old = b->keys;
		size_t oldcap = b->cap;
		b->keys = xcalloc(cap, sizeof(*b->keys));
		b->cap = cap;
		b->nkeys = 0;
		for (size_t i = 0; i < oldcap; i++)
			if (old[i])
				key_insert(b, old[i]);
		free(old);
	}
	size_t i = h & (b->cap - 1);
	while (b->keys[i]) {
		if (b->keys[i] == h)
			return false;
		i = (i + 1) & (b->cap - 1);
	}
	b->keys[i] = h;
	b->nkeys++;
	return true;
}

static void add_escaped(struct source *src, struct buf *b, const char *intro, const char *p,
			size_t n)
{
	buf_adds(b, intro);
	buf_grow(b, 2 * n + 3);
	b->data[b->len++] = '\'';
	b->len += mysql_real_escape_string(src->db, b->data + b->len, p, (unsigned long)n);
	b->data[b->len++] = '\'';
	b->data[b->len] = '\0';
}

/* v as a literal; false for a REAL the server takes from no literal
 * (+-Inf, NaN): the one-row path gives the server's own error for it. */
static bool add_value(struct source *src, struct buf *b, const struct value *v)
{
	char s[40];
	switch (v->type) {
	case VAL_INT:
		buf_add_int(b, v->i);
		return true;
	case VAL_REAL:
		if (!isfinite(v->r))
			return false;
		format_real(s, v->r);
		buf_adds(b, s);
		if (!strpbrk(s, "eE"))
			buf_adds(b, "e0");
		return true;
	case VAL_TEXT:
		add_escaped(src, b, "", v->p, v->n);
		return true;
	case VAL_BLOB:
		add_escaped(src, b, "_binary", v->p, v->n);
		return true;
	default:
		buf_adds(b, "NULL");
		return true;
	}
}

static bool single_key(const struct table_def *def)
{
	return table_def_nkeys(def) == 1;
}

/* A delete's row: the key's literal for a one-column key (the statement
 * is "k IN (...)"), else "(k1 = a AND k2 = b)" (it is an OR of those). */
static void spell_delete(struct source *src, struct mysql_bulk *b, const struct table_def *def,
			 const struct value *row)
{
	bool one = single_key(def);
	const char *sep = "(";
	for (size_t i = 0; i < def->ncols; i++) {
		if (!def->cols[i].key)
			continue;
		if (!one) {
			buf_adds(&b->row, sep);
			sep = " AND ";
			mysql_add_ident(&b->row, def->cols[i].name);
			buf_adds(&b->row, " = ");
		}
		add_value(src, &b->row, &row[i]);
	}
	if (!one)
		buf_addc(&b->row, ')');
}

/* The row's part of the statement into b->row ("(a, b, c)" for an upsert,
 * spell_delete's for a delete) and its key's literals into b->key; false
 * when a value has no literal. */
static bool spell_row(struct source *src, struct mysql_bulk *b, const struct table_def *def,
		      char op, const struct value *row)
{
	buf_reset(&b->row);
	buf_reset(&b->key);
	bool ok = true;
	for (size_t i = 0; i < def->ncols && ok; i++) {
		if (def->cols[i].key) {
			ok = add_value(src, &b->key, &row[i]);
			buf_addc(&b->key, '\0'); /* keeps ('ab','c') and ('a','bc') apart */
		}
		if (op == 'U') {
			buf_adds(&b->row, i ? ", " : "(");
			ok = ok && add_value(src, &b->row, &row[i]);
		}
	}
	if (op == 'U')
		buf_addc(&b->row, ')');
	else if (ok)
		spell_delete(src, b, def, row);
	return ok;
}

/* The statement's head and tail for def and op. */
static void start_statement(struct mysql_bulk *b, const struct table_def *def, char op)
{
	b->def = def;
	b->op = op;
	if (op == 'U') {
		mysql_upsert_head(&b->sql, def);
		mysql_upsert_tail(&b->tail, def);
		return;
	}
	buf_adds(&b->sql, "DELETE FROM ");
	mysql_add_ident(&b->sql, def->name);
	buf_adds(&b->sql, " WHERE ");
	if (single_key(def)) {
		for (size_t i = 0; i < def->ncols; i++)
			if (def->cols[i].key)
				mysql_add_ident(&b->sql, def->cols[i].name);
		buf_adds(&b->sql, " IN (");
		buf_adds(&b->tail, ")");
	}
}

int mysql_bulk_send(struct source *src)
{
	struct mysql_bulk *b = src->bulk;
	if (!b || !b->def)
		return 0;
	buf_add(&b->sql, b->tail.data, b->tail.len);
	const char *what = b->op == 'U' ? "upsert into replica" : "delete from replica";
	int rc =
		mysql_real_query(src->db, b->sql.data, b->sql.len) != 0 ? mysql_fail(src, what) : 0;
	const char *table = b->def->name;
	rc = rc ? err_prefix(rc, "table %s", NAME_SHOWN_SHORT(table)) : 0;
	mysql_bulk_discard(src);
	return rc;
}

int mysql_bulk_flush(struct source *src)
{
	int rc = mysql_load_flush(src);
	return rc ? rc : mysql_bulk_send(src);
}

/* The session's max_allowed_packet, read once, bounds every statement. */
static int statement_limit(struct source *src, struct mysql_bulk *b)
{
	if (b->limit)
		return 0;
	int64_t packet = 0;
	int rc = mysql_select_int(src, "SELECT @@max_allowed_packet", "read max_allowed_packet",
				  &packet);
	if (rc)
		return rc;
	size_t limit = packet > 2 * BULK_PACKET_MARGIN ? (size_t)packet - BULK_PACKET_MARGIN
						       : BULK_PACKET_MARGIN;
	b->limit = limit < BULK_MAX_STATEMENT ? limit : BULK_MAX_STATEMENT;
	return 0;
}

/* Whether the pending statement must go before row joins it. */
static bool must_flush(const struct mysql_bulk *b, const struct table_def *def, char op, uint64_t h)
{
	if (!b->def)
		return false;
	if (b->def != def || b->op != op)
		return true;
	if (b->sql.len + 2 + b->row.len + b->tail.len > b->limit)
		return true;
	if (op == 'D' && !single_key(def) && b->rows >= BULK_MAX_DELETE_KEYS)
		return true;
	for (size_t i = h & (b->cap - 1); b->cap && b->keys[i]; i = (i + 1) & (b->cap - 1))
		if (b->keys[i] == h)
			return true;
	return false;
}

int mysql_bulk_add(struct source *src, const struct table_def *def, char op,
		   const struct value *row, bool *taken)
{
	struct mysql_bulk *b = bulk_of(src);
	*taken = false;
	int rc = statement_limit(src, b);
	if (rc)
		return rc;
	if (!spell_row(src, b, def, op, row))
		return mysql_bulk_send(src);
	uint64_t h = key_hash(&b->key);
	if (must_flush(b, def, op, h))
		rc = mysql_bulk_send(src);
	if (rc)
		return rc;
	if (!b->def)
		start_statement(b, def, op);
	if (b->sql.len + b->row.len + b->tail.len > b->limit && !b->rows) {
		/* A row too large for a statement of its own: the one-row path. */
		mysql_bulk_discard(src);
		return 0;
	}
	const char *sep = op == 'D' && !single_key(def) ? " OR " : ", ";
	if (b->rows)
		buf_adds(&b->sql, sep);
	buf_add(&b->sql, b->row.data, b->row.len);
	b->rows++;
	key_insert(b, h);
	*taken = true;
	return 0;
}
