/* The replica side's load path: a load batch's rows of a table the batch
 * emptied go to the server as LOAD DATA LOCAL INFILE, streamed from memory
 * by the client library's local-infile handler (no temp file, and no file
 * the server names is ever read), a few MiB per statement (issue 20;
 * docs/design.md §6 "apply").
 *
 * Exactness: with LOCAL, the server turns strict-mode errors into warnings
 * (values cut, strings coerced, duplicates skipped). So each chunk runs
 * under a savepoint; a chunk that gives any warning or error is rolled back
 * to it and sent again through the multi-row statements of the exact path,
 * which report the server's own error or store what it stores. Values keep
 * the type they carry: each field goes into a user variable and a typed SET
 * reads it as the one-row path's parameter would be read (an integer, a
 * double, a utf8mb4 string, bytes). A chunk holds rows whose non-NULL values
 * have one type per column; a row of another shape starts a new chunk.
 * Duplicate keys: REPLACE, which in a table emptied for the load keeps the
 * last row as the upsert does. */
#include "mysql_driver.h"

#include "codec.h"
#include "err.h"
#include "log.h"

#include <errno.h>
#include <errmsg.h>
#include <math.h>
#include <mysqld_error.h>
#include <stdlib.h>
#include <string.h>

/* A chunk goes once it holds this much: each chunk costs a SAVEPOINT and a
 * statement of its own, and the chunk is held in memory (and redone, on a
 * warning) whole. Other sizes were not measured. */
#define LOAD_CHUNK (4u << 20)
/* The name the LOAD statement gives; the handler serves nothing else. */
#define LOAD_NAME "cdcpack-chunk"

struct mysql_load {
	struct strv emptied;	     /* tables this batch emptied for its load */
	const struct table_def *def; /* of the pending chunk (borrowed); NULL: none */
	char *shape;		     /* per column: 0 (only NULLs so far), 'i', 'r', 't', 'b' */
	size_t ncols;
	struct buf data; /* the chunk: tab-separated fields, one row a line */
	struct buf row;	 /* scratch: one row's fields */
	struct buf sql;
	size_t rows, sent;
	bool sending; /* the handler serves data only while our statement runs */
	bool refused; /* LOCAL refused: the exact path for the session */
};

static struct mysql_load *load_of(struct source *src)
{
	if (!src->load)
		src->load = xcalloc(1, sizeof(*src->load));
	return src->load;
}

void mysql_load_free(struct source *src)
{
	struct mysql_load *l = src->load;
	if (!l)
		return;
	strv_free(&l->emptied);
	free(l->shape);
	buf_free(&l->data);
	buf_free(&l->row);
	buf_free(&l->sql);
	free(l);
	src->load = NULL;
}

static void chunk_discard(struct mysql_load *l)
{
	l->def = NULL;
	l->rows = 0;
	buf_reset(&l->data);
}

void mysql_load_end_batch(struct source *src)
{
	struct mysql_load *l = src->load;
	if (!l)
		return;
	chunk_discard(l);
	strv_free(&l->emptied);
}

void mysql_load_emptied(struct source *src, const char *table)
{
	strv_push(&load_of(src)->emptied, table);
}

/* The local-infile handler: serves the pending chunk to our own LOAD
 * statement, and refuses any other request a server makes. */
static int infile_init(void **ptr, const char *name, void *userdata)
{
	struct mysql_load *l = ((struct source *)userdata)->load;
	*ptr = l;
	if (!l || !l->sending || strcmp(name, LOAD_NAME) != 0)
		return 1;
	l->sent = 0;
	return 0;
}

static int infile_read(void *ptr, char *out, unsigned int len)
{
	struct mysql_load *l = ptr;
	size_t n = l->data.len - l->sent;
	if (n > len)
		n = len;
	memcpy(out, l->data.data + l->sent, n);
	l->sent += n;
	return (int)n;
}

static void infile_end(void *ptr)
{
	(void)ptr;
}

static int infile_error(void *ptr, char *msg, unsigned int len)
{
	(void)ptr;
	snprintf(msg, len, "cdcpack serves no file but its own load data");
	return CR_UNKNOWN_ERROR;
}

void mysql_load_handler(MYSQL *db, struct source *src)
{
	my_bool on = 1;
	mysql_options(db, MYSQL_OPT_LOCAL_INFILE, &on);
	mysql_set_local_infile_handler(db, infile_init, infile_read, infile_end, infile_error, src);
}

static char shape_of(const struct value *v)
{
	switch (v->type) {
	case VAL_INT:
		return 'i';
	case VAL_REAL:
		return 'r';
	case VAL_TEXT:
		return 't';
	case VAL_BLOB:
		return 'b';
	default:
		return 0;
	}
}

/* TEXT with the LOAD statement's escapes: the server reads \\, \t, \n, \0
 * back as the byte. */
static void add_text(struct buf *b, const char *p, size_t n)
{
	buf_grow(b, 2 * n + 1);
	for (size_t i = 0; i < n; i++) {
		char c = p[i], e = c == '\\'   ? '\\'
				   : c == '\t' ? 't'
				   : c == '\n' ? 'n'
				   : c	       ? 0
					       : '0';
		if (e)
			b->data[b->len++] = '\\';
		b->data[b->len++] = e ? e : c;
	}
	b->data[b->len] = '\0';
}

/* The row's fields into l->row; false when a value has no field here (a
 * REAL the server takes from no literal, TEXT that is not UTF-8: the exact
 * path gives the server's own answer for those). */
static bool spell_row(struct mysql_load *l, const struct table_def *def, const struct value *row)
{
	char s[40];
	buf_reset(&l->row);
	for (size_t i = 0; i < def->ncols; i++) {
		const struct value *v = &row[i];
		if (i)
			buf_addc(&l->row, '\t');
		if (v->type == VAL_INT) {
			buf_add_int(&l->row, v->i);
		} else if (v->type == VAL_REAL) {
			if (!isfinite(v->r))
				return false;
			format_real(s, v->r);
			buf_adds(&l->row, s);
		} else if (v->type == VAL_TEXT) {
			if (!utf8_valid(v->p, v->n))
				return false;
			add_text(&l->row, v->p, v->n);
		} else if (v->type == VAL_BLOB) {
			hex_encode(&l->row, v->p, v->n);
		} else {
			buf_adds(&l->row, "\\N");
		}
	}
	buf_addc(&l->row, '\n');
	return true;
}

/* Whether the row fits the pending chunk's shape (and then narrows it). */
static bool fits_shape(struct mysql_load *l, const struct value *row)
{
	for (size_t i = 0; i < l->ncols; i++) {
		char s = shape_of(&row[i]);
		if (s && l->shape[i] && s != l->shape[i])
			return false;
	}
	for (size_t i = 0; i < l->ncols; i++)
		if (!l->shape[i])
			l->shape[i] = shape_of(&row[i]);
	return true;
}

static void start_chunk(struct mysql_load *l, const struct table_def *def)
{
	l->def = def;
	l->ncols = def->ncols;
	l->shape = xrealloc(l->shape, def->ncols ? def->ncols : 1);
	memset(l->shape, 0, def->ncols);
}

static void add_set(struct buf *sql, const char *col, size_t i, char shape)
{
	mysql_add_ident(sql, col);
	const char *fn = shape == 'i'	? "CAST(@c%zu AS SIGNED)"
			 : shape == 'r' ? "CAST(@c%zu AS DOUBLE)"
			 : shape == 'b' ? "UNHEX(@c%zu)"
					: "@c%zu";
	buf_adds(sql, " = ");
	buf_addf(sql, fn, i);
}

static void load_sql(struct mysql_load *l)
{
	struct buf *sql = &l->sql;
	buf_reset(sql);
	buf_adds(sql, "LOAD DATA LOCAL INFILE '" LOAD_NAME "' REPLACE INTO TABLE ");
	mysql_add_ident(sql, l->def->name);
	buf_adds(sql, " CHARACTER SET utf8mb4 FIELDS TERMINATED BY '\\t' ENCLOSED BY '' ESCAPED "
		      "BY '\\\\' LINES TERMINATED BY '\\n' STARTING BY '' (");
	for (size_t i = 0; i < l->ncols; i++)
		buf_addf(sql, "%s@c%zu", i ? ", " : "", i);
	buf_adds(sql, ") SET ");
	for (size_t i = 0; i < l->ncols; i++) {
		buf_adds(sql, i ? ", " : "");
		add_set(sql, l->def->cols[i].name, i, l->shape[i]);
	}
}

/* One field of the chunk back to the value it was spelt from; scratch
 * holds the bytes of TEXT and BLOB values. */
static void read_field(const char *p, size_t n, char shape, struct buf *scratch, struct value *v)
{
	*v = (struct value){.type = VAL_NULL};
	if (n == 2 && p[0] == '\\' && p[1] == 'N')
		return;
	size_t at = scratch->len;
	if (shape == 'i') {
		*v = (struct value){.type = VAL_INT, .i = strtoll(p, NULL, 10)};
	} else if (shape == 'r') {
		*v = (struct value){.type = VAL_REAL};
		parse_real(p, n, &v->r);
	} else if (shape == 'b') {
		hex_decode(scratch, p, n);
		*v = (struct value){.type = VAL_BLOB, .n = scratch->len - at};
	} else {
		for (size_t i = 0; i < n; i++) {
			char c = p[i];
			if (c == '\\' && i + 1 < n) {
				c = p[++i];
				c = c == 't' ? '\t' : c == 'n' ? '\n' : c == '0' ? '\0' : c;
			}
			buf_addc(scratch, c);
		}
		*v = (struct value){.type = VAL_TEXT, .n = scratch->len - at};
	}
	v->p = (const char *)(uintptr_t)at; /* an offset until the row is whole */
}

/* The chunk's rows again, through the exact path. */
static int redo_chunk(struct source *src, struct mysql_load *l)
{
	const struct table_def *def = l->def;
	struct value *row = xcalloc(def->ncols ? def->ncols : 1, sizeof(*row));
	struct buf scratch = BUF_INIT;
	int rc = 0;
	const char *p = l->data.data, *end = p + l->data.len;
	while (p < end && !rc) {
		buf_reset(&scratch);
		for (size_t i = 0; i < def->ncols; i++) {
			size_t n = strcspn(p, "\t\n");
			read_field(p, n, l->shape[i], &scratch, &row[i]);
			p += n + 1;
		}
		for (size_t i = 0; i < def->ncols; i++)
			if (row[i].type == VAL_TEXT || row[i].type == VAL_BLOB)
				row[i].p = scratch.data + (uintptr_t)row[i].p;
		rc = mysql_upsert_exact(src, def, row);
	}
	free(row);
	buf_free(&scratch);
	return rc ? rc : mysql_bulk_send(src);
}

/* The server (or its client library) does not take LOCAL here. */
static bool refused(unsigned err)
{
	return err == ER_NOT_ALLOWED_COMMAND || err == ER_LOAD_INFILE_CAPABILITY_DISABLED ||
	       err == 3948 /* MySQL 8's local_infile OFF */ ||
	       err == 2068 /* MySQL 8's CR_LOAD_DATA_LOCAL_INFILE_REJECTED */;
}

/* Sends the chunk; a LOAD that the server refused, failed or warned about
 * is undone to the savepoint and its rows go the exact way. */
static int send_chunk(struct source *src, struct mysql_load *l)
{
	int rc = mysql_run(src, "SAVEPOINT cdcpack_load", "savepoint before load");
	if (rc)
		return rc;
	load_sql(l);
	l->sending = true;
	int failed = mysql_real_query(src->db, l->sql.data, l->sql.len);
	l->sending = false;
	src->statements++;
	unsigned err = failed ? mysql_errno(src->db) : 0;
	unsigned warnings = failed ? 0 : mysql_warning_count(src->db);
	if (!failed && !warnings)
		return 0;
	if (err >= CR_MIN_ERROR && err <= CR_MAX_ERROR && !refused(err))
		return mysql_fail(src, "load into replica");
	if (refused(err) && !l->refused)
		log_info("replica server refused LOAD DATA LOCAL (%s): load batches go as "
			 "multi-row statements (enable local_infile on the server for bulk speed)",
			 mysql_error(src->db));
	l->refused = l->refused || refused(err);
	if (!refused(err))
		log_debug("replica load into %s: %s; the rows go as multi-row statements",
			  NAME_SHOWN_SHORT(l->def->name),
			  failed ? mysql_error(src->db) : "the server gave warnings");
	rc = mysql_run(src, "ROLLBACK TO SAVEPOINT cdcpack_load", "undo load into replica");
	return rc ? rc : redo_chunk(src, l);
}

int mysql_load_flush(struct source *src)
{
	struct mysql_load *l = src->load;
	if (!l || !l->def)
		return 0;
	int rc = send_chunk(src, l);
	rc = rc ? err_prefix(rc, "table %s", NAME_SHOWN_SHORT(l->def->name)) : 0;
	chunk_discard(l);
	return rc;
}

int mysql_load_add(struct source *src, const struct table_def *def, const struct value *row,
		   bool *taken)
{
	struct mysql_load *l = src->load;
	*taken = false;
	if (!l || l->refused || !strv_contains(&l->emptied, def->name) || !spell_row(l, def, row))
		return mysql_load_flush(src);
	int rc = 0;
	if (l->def && (l->def != def || l->data.len + l->row.len > LOAD_CHUNK))
		rc = mysql_load_flush(src);
	if (!rc && l->def && !fits_shape(l, row))
		rc = mysql_load_flush(src);
	if (!rc && !l->def)
		rc = mysql_bulk_send(src); /* rows the exact path holds go first */
	if (rc)
		return rc;
	if (!l->def) {
		start_chunk(l, def);
		fits_shape(l, row);
	}
	buf_add(&l->data, l->row.data, l->row.len);
	l->rows++;
	*taken = true;
	return 0;
}
