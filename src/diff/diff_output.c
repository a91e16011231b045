#include "diff_output.h"

#include "changefile.h"
#include "codec.h"
#include "coltype.h"
#include "err.h"
#include "naming.h"
#include "rowhash.h"
#include "sqlutil.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define FLUSH_AT (64 << 10)

/* Owns out, file, dir and the row arrays; stream is the caller's. */
struct diff_output {
	enum diff_format format;
	FILE *stream;
	char *dir;
	const struct sql_dialect *sql; /* side A's dialect */
	void *reader;		       /* its numeral reader, when it has one */
	struct buf out;
	FILE *file;		  /* csv into dir: the current table's file */
	char *path;		  /* its name, for messages */
	char *tmp;		  /* where file is written until complete */
	const char *stream_name;  /* the caller's, for messages */
	struct value *row, *keys; /* B's layout of a D key; A's key values */
	/* sql: the table's INSERTs, written after its DELETEs and UPDATEs (a
	 * temp file, as a table may be all inserts): a key that differs from
	 * one of A's only by case or trailing spaces is the same key under a
	 * NOCASE or RTRIM column (a *_ci or PAD SPACE one in MySQL), and its
	 * INSERT would fail while A's row is still there. */
	FILE *inserts;
	struct buf ins;
	int ntables;
	bool began; /* sql: BEGIN written */
};

int diff_format_parse(const char *name, enum diff_format *out)
{
	static const char *const names[] = {"summary", "rows", "csv", "jsonl", "sql"};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcmp(name, names[i]) == 0) {
			*out = (enum diff_format)i;
			return 0;
		}
	}
	return -1;
}

int diff_output_open(struct diff_output **out, enum diff_format format, FILE *stream,
		     const char *stream_name, const char *dir, const struct sql_dialect *dialect)
{
	struct diff_output *o = xcalloc(1, sizeof(*o));
	o->format = format;
	o->stream = stream;
	o->stream_name = stream_name;
	o->dir = dir ? xstrdup(dir) : NULL;
	o->sql = dialect;
	if (format == DIFF_SQL && dialect->reader_open)
		o->reader = dialect->reader_open();
	*out = o;
	return 0;
}

static FILE *target(const struct diff_output *o)
{
	return o->file ? o->file : o->stream;
}

static int flush(struct diff_output *o)
{
	FILE *f = target(o);
	if (o->out.len && fwrite(o->out.data, 1, o->out.len, f) != o->out.len)
		return err_set(CDC_ERUNTIME, "%s: write: %s", o->path ? o->path : o->stream_name,
			       strerror(errno));
	buf_reset(&o->out);
	return 0;
}

FILE *diff_output_create(const char *path, char **tmp)
{
	*tmp = xasprintf("%s.XXXXXX", path);
	int fd = mkostemp(*tmp, O_CLOEXEC);
	FILE *f = NULL;
	if (fd >= 0) {
		mode_t mask = umask(0);
		umask(mask);
		if (fchmod(fd, 0666 & ~mask) == 0)
			f = fdopen(fd, "w");
		if (!f) {
			close(fd);
			unlink(*tmp);
		}
	}
	if (!f) {
		err_set(CDC_ERUNTIME, "%s: cannot create: %s", path, strerror(errno));
		free(*tmp);
		*tmp = NULL;
	}
	return f;
}

int diff_output_commit(FILE *f, char *tmp, const char *path, bool ok)
{
	int rc = 0;
	if (fclose(f) != 0 && ok)
		rc = err_set(CDC_ERUNTIME, "%s: close: %s", path, strerror(errno));
	if (!rc && ok && rename(tmp, path) != 0)
		rc = err_set(CDC_ERUNTIME, "%s: %s", path, strerror(errno));
	if (rc || !ok)
		unlink(tmp);
	free(tmp);
	return rc;
}

static int close_file(struct diff_output *o)
{
	int rc = flush(o);
	if (o->file) {
		int closed = diff_output_commit(o->file, o->tmp, o->path, rc == 0);
		rc = rc ? rc : closed;
	}
	o->tmp = NULL;
	o->file = NULL;
	free(o->path);
	o->path = NULL;
	return rc;
}

/* csv: one change file per table, named as the archive folder would be. */
static int open_table_file(struct diff_output *o, const char *table)
{
	int rc = close_file(o);
	if (rc)
		return rc;
	char *base = table_dir_name(table);
	o->path = xasprintf("%s/%s.csv", o->dir, base);
	free(base);
	o->file = diff_output_create(o->path, &o->tmp);
	return o->file ? 0 : CDC_ERUNTIME;
}

/* r as exact arithmetic, for an engine that misreads its shortest
 * numeral: r = m x 2^e with m an integer below 2^53 (read exactly), times or
 * divided by powers of two up to 2^62, each step exact (every partial
 * result is m x 2^k between m and r, a double too). */
static void add_exact_real(struct buf *b, double r)
{
	int e;
	double f = frexp(r, &e);
	long long m = (long long)ldexp(f, 53);
	e -= 53;
	while (m && m % 2 == 0) {
		m /= 2;
		e++;
	}
	buf_addf(b, "(%lld.0", m);
	while (e != 0) {
		int k = e > 62 ? 62 : e < -62 ? 62 : e > 0 ? e : -e;
		buf_addf(b, " %c %llu", e > 0 ? '*' : '/', 1ULL << k);
		e += e > 0 ? -k : k;
	}
	buf_addc(b, ')');
}

/* reader: the engine's numeral reader (sql --format), else NULL. */
static void add_literal(struct buf *b, const struct value *v, const struct sql_dialect *sql,
			void *reader)
{
	char num[40];
	switch (v->type) {
	case VAL_INT:
		buf_addf(b, "%lld", (long long)v->i);
		break;
	case VAL_REAL:
		if (isnan(v->r)) {
			buf_adds(b, "NULL");
		} else if (isinf(v->r)) {
			buf_adds(b, v->r > 0 ? "9e999"
					     : "-9e999"); /* SQLite reads these as infinity */
		} else {
			format_real(num, v->r);
			if (reader && !sql->reads_real(reader, num, v->r))
				add_exact_real(b, v->r);
			else
				buf_adds(b, num);
		}
		break;
	case VAL_TEXT:
		sql->add_text(b, v->p, v->n);
		break;
	case VAL_BLOB:
		if (sql->add_blob)
			sql->add_blob(b, v->p, v->n);
		else
			blob_literal_encode(b, v->p, v->n);
		break;
	default:
		buf_adds(b, "NULL");
	}
}

/* A value for A's dialect. MySQL reads a date-time only in its own
 * spelling ("2024-01-02 03:04:05", no 'T', no zone), which is the
 * canonical one: B's text of another engine is written that way. */
static void add_value(struct diff_output *o, const struct value *v, enum canon_class cls)
{
	struct canon c;
	if (o->sql->canonical_temporal && cls == CANON_TEMPORAL && v->type == VAL_TEXT) {
		canon_value(v, cls, &c);
		o->sql->add_text(&o->out, c.p, c.n);
		return;
	}
	add_literal(&o->out, v, o->sql, o->reader);
}

static void add_ident(struct diff_output *o, const char *name)
{
	sql_add_ident(&o->out, name, o->sql->ident_quote);
}

/* MySQL compares a FLOAT column as its float widened to a double: 0.1
 * (the float's fewest digits, as A's key was read) matches no row, its
 * exact double 0.10000000149011612 does. */
static bool single_float_key(const struct diff_output *o, const struct dbdiff_table *t, size_t k)
{
	return o->sql->float_is_single && o->keys[k].type == VAL_REAL && isfinite(o->keys[k].r) &&
	       coltype_kind_of(t->a->cols[t->plan->a_keys[k]].type) == COLTYPE_FLOAT;
}

static void add_where(struct diff_output *o, const struct dbdiff_table *t)
{
	const struct diff_plan *p = t->plan;
	buf_adds(&o->out, " WHERE ");
	for (size_t k = 0; k < p->nkeys; k++) {
		buf_adds(&o->out, k ? " AND " : "");
		add_ident(o, p->key_names[k]);
		bool null = o->keys[k].type == VAL_NULL;
		buf_adds(&o->out, null ? " IS " : " = ");
		if (single_float_key(o, t, k)) {
			char num[40];
			format_real(num, (double)(float)o->keys[k].r);
			buf_adds(&o->out, num);
			continue;
		}
		add_value(o, &o->keys[k], p->key_classes[k]);
	}
}

/* The INSERT goes to o->ins, which spills to the temp file. */
static int sql_insert(struct diff_output *o, const struct dbdiff_table *t, const struct value *row)
{
	const struct diff_plan *p = t->plan;
	struct buf keep = o->out; /* add_value and add_ident write to o->out */
	o->out = o->ins;
	buf_adds(&o->out, "INSERT INTO ");
	add_ident(o, t->a->name);
	buf_adds(&o->out, " (");
	for (size_t k = 0, n = 0; k < p->nhash; k++) {
		if (t->a->cols[p->a_hash[k]].generated)
			continue; /* A computes it */
		buf_adds(&o->out, n++ ? ", " : "");
		add_ident(o, t->a->cols[p->a_hash[k]].name);
	}
	buf_adds(&o->out, ") VALUES (");
	for (size_t k = 0, n = 0; k < p->nhash; k++) {
		if (t->a->cols[p->a_hash[k]].generated)
			continue;
		buf_adds(&o->out, n++ ? ", " : "");
		add_value(o, &row[p->b_hash[k]], p->hash_classes[k]);
	}
	buf_adds(&o->out, ");\n");
	o->ins = o->out;
	o->out = keep;
	if (o->ins.len < FLUSH_AT)
		return 0;
	if (!o->inserts)
		o->inserts = tmpfile();
	if (!o->inserts || fwrite(o->ins.data, 1, o->ins.len, o->inserts) != o->ins.len)
		return err_set(CDC_ERUNTIME, "diff --format sql: temp file: %s", strerror(errno));
	buf_reset(&o->ins);
	return 0;
}

/* The table's INSERTs after its other statements. */
static int sql_inserts_out(struct diff_output *o)
{
	int rc = 0;
	if (o->inserts) {
		char chunk[FLUSH_AT];
		size_t n;
		rc = fflush(o->inserts) == 0 && fseek(o->inserts, 0, SEEK_SET) == 0
			     ? 0
			     : err_set(CDC_ERUNTIME, "diff --format sql: temp file: %s",
				       strerror(errno));
		while (!rc && (n = fread(chunk, 1, sizeof(chunk), o->inserts)) > 0) {
			buf_add(&o->out, chunk, n);
			rc = flush(o);
		}
		if (!rc && ferror(o->inserts))
			rc = err_set(CDC_ERUNTIME, "diff --format sql: temp file: %s",
				     strerror(errno));
		fclose(o->inserts);
		o->inserts = NULL;
	}
	buf_add(&o->out, o->ins.data, o->ins.len);
	buf_reset(&o->ins);
	return rc;
}

static bool is_key_column(const struct diff_plan *p, size_t a_col, size_t *k)
{
	for (*k = 0; *k < p->nkeys; (*k)++)
		if (p->a_keys[*k] == a_col)
			return true;
	return false;
}

/* Sets every shared column to B's value; a key column only when B spells
 * the key differently (another engine's form of the same value). */
static void sql_update(struct diff_output *o, const struct dbdiff_table *t, const struct value *row)
{
	const struct diff_plan *p = t->plan;
	size_t start = o->out.len;
	buf_adds(&o->out, "UPDATE ");
	add_ident(o, t->a->name);
	buf_adds(&o->out, " SET ");
	bool first = true;
	for (size_t h = 0; h < p->nhash; h++) {
		size_t k;
		const struct value *v = &row[p->b_hash[h]];
		if (t->a->cols[p->a_hash[h]].generated)
			continue; /* A computes it from the columns set here */
		if (is_key_column(p, p->a_hash[h], &k) && value_same(&o->keys[k], v))
			continue;
		buf_adds(&o->out, first ? "" : ", ");
		first = false;
		add_ident(o, t->a->cols[p->a_hash[h]].name);
		buf_adds(&o->out, " = ");
		add_value(o, v, p->hash_classes[h]);
	}
	if (first) { /* nothing A may set: only columns it computes differ */
		o->out.len = start;
		buf_addf(&o->out, "-- table %s: a row differs only in generated columns\n",
			 NAME_SHOWN_SHORT(t->name));
		return;
	}
	add_where(o, t);
	buf_adds(&o->out, ";\n");
}

static void sql_delete(struct diff_output *o, const struct dbdiff_table *t)
{
	buf_adds(&o->out, "DELETE FROM ");
	add_ident(o, t->a->name);
	add_where(o, t);
	buf_adds(&o->out, ";\n");
}

static int write_sql(struct diff_output *o, const struct dbdiff_table *t, char op,
		     const struct value *b_row)
{
	if (!o->began)
		buf_adds(&o->out, o->sql->preamble);
	if (!o->began)
		buf_adds(&o->out, "BEGIN;\n");
	o->began = true;
	if (op == 'I')
		return sql_insert(o, t, b_row);
	if (op == 'U')
		sql_update(o, t, b_row);
	else
		sql_delete(o, t);
	return 0;
}

/* A name as it is when it is a plain identifier, else "quoted"; one with a
 * control byte or a byte that is not UTF-8 is spelt as reports spell names
 * (\xHH, a backslash as \\), so that no name breaks or forges a line. */
static void add_name(struct buf *b, const char *name)
{
	bool plain =
		(*name >= 'A' && *name <= 'Z') || (*name >= 'a' && *name <= 'z') || *name == '_';
	for (const char *c = name; *c && plain; c++)
		plain = (*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z') || *c == '_' ||
			(*c >= '0' && *c <= '9');
	if (plain) {
		buf_adds(b, name);
	} else if (text_shown_as_is(name, strlen(name))) {
		sql_add_ident(b, name, '"');
	} else {
		char *shown = name_shown(name);
		sql_add_ident(b, shown, '"');
		free(shown);
	}
}

/* A key in a line: as SQLite's SQL spells it (as sqldiff prints keys), text
 * with a control byte or a byte that is not UTF-8 as its bytes cast back to
 * TEXT, so that each key stays on its one line. */
static void add_line_key(struct buf *b, const struct value *v)
{
	if (v->type == VAL_TEXT && !text_shown_as_is(v->p, v->n)) {
		buf_adds(b, "CAST(");
		blob_literal_encode(b, v->p, v->n);
		buf_adds(b, " AS TEXT)");
		return;
	}
	add_literal(b, v, sqlite_source_ops.dialect, NULL);
}

/* "U orders id=3": the key as B holds it (I, U) or as A held it (D). */
static void write_line(struct diff_output *o, const struct dbdiff_table *t, char op,
		       const struct value *b_row)
{
	const struct diff_plan *p = t->plan;
	buf_addf(&o->out, "%c ", op);
	add_name(&o->out, t->name);
	for (size_t k = 0; k < p->nkeys; k++) {
		buf_addc(&o->out, ' ');
		add_name(&o->out, p->key_names[k]);
		buf_addc(&o->out, '=');
		add_line_key(&o->out, b_row ? &b_row[p->b_keys[k]] : &o->keys[k]);
	}
	buf_addc(&o->out, '\n');
}

static int on_row(void *ctx, const struct dbdiff_table *t, char op, const struct value *b_row,
		  const struct keyrec *a)
{
	struct diff_output *o = ctx;
	if (a)
		keyrec_decode(a, o->keys, NULL, t->plan->nkeys);
	if (op == 'D' && (o->format == DIFF_CSV || o->format == DIFF_JSONL))
		diff_key_row(t->plan, a, o->row, t->b->ncols);
	switch (o->format) {
	case DIFF_ROWS:
		write_line(o, t, op, b_row);
		break;
	case DIFF_CSV:
		changefile_csv_record(&o->out, NULL, t->b, op, op == 'D' ? o->row : b_row, NULL);
		break;
	case DIFF_JSONL:
		changefile_jsonl_record(&o->out, t->b, op, -1, NULL, op == 'D' ? o->row : NULL,
					op == 'D' ? NULL : b_row);
		break;
	case DIFF_SQL: {
		int rc = write_sql(o, t, op, b_row);
		if (rc)
			return rc;
		break;
	}
	default:
		break;
	}
	return o->out.len >= FLUSH_AT ? flush(o) : 0;
}

/* sql: what the statements cannot do, said where a reader of them looks. */
static void sql_notes(struct diff_output *o, const struct dbdiff_table *t)
{
	if (t->status == DBDIFF_ONLY_A)
		buf_addf(&o->out, "-- table %s exists only in A: left as it is\n",
			 NAME_SHOWN_SHORT(t->name));
	else if (t->status == DBDIFF_ONLY_B)
		buf_addf(&o->out, "-- table %s exists only in B: not created here\n",
			 NAME_SHOWN_SHORT(t->name));
	else if (t->status == DBDIFF_KEYS_DIFFER)
		buf_addf(&o->out, "-- table %s: %s; rows not compared\n", NAME_SHOWN_SHORT(t->name),
			 t->plan->key_problem);
	else if (t->plan->only_a.n || t->plan->only_b.n)
		buf_addf(&o->out,
			 "-- table %s: the column lists differ; statements set the "
			 "columns both have\n",
			 NAME_SHOWN_SHORT(t->name));
}

static int on_table(void *ctx, const struct dbdiff_table *t)
{
	struct diff_output *o = ctx;
	free(o->row);
	free(o->keys);
	o->row = o->keys = NULL;
	if (o->format == DIFF_SQL)
		sql_notes(o, t);
	if (t->status != DBDIFF_COMPARED)
		return 0;
	o->row = xcalloc(t->b->ncols, sizeof(*o->row));
	o->keys = xcalloc(t->plan->nkeys ? t->plan->nkeys : 1, sizeof(*o->keys));
	if (o->format == DIFF_CSV && o->dir)
		return open_table_file(o, t->name);
	if (o->format == DIFF_CSV && ++o->ntables > 1)
		return err_set(CDC_EUSAGE,
			       "--format csv writes one table's change file: name the "
			       "table with --table, or give --out DIR for one file each");
	return 0;
}

static int on_table_done(void *ctx, const struct dbdiff_table *t)
{
	(void)t;
	struct diff_output *o = ctx;
	return o->format == DIFF_SQL ? sql_inserts_out(o) : 0;
}

struct dbdiff_sink diff_output_sink(struct diff_output *o)
{
	if (o->format == DIFF_SUMMARY)
		return (struct dbdiff_sink){.ctx = o};
	return (struct dbdiff_sink){
		.table = on_table, .row = on_row, .table_done = on_table_done, .ctx = o};
}

int diff_output_close(struct diff_output *o)
{
	if (o->began)
		buf_adds(&o->out, "COMMIT;\n");
	int rc = close_file(o);
	if (!rc && o->stream && fflush(o->stream) != 0)
		rc = err_set(CDC_ERUNTIME, "%s: %s", o->stream_name, strerror(errno));
	diff_output_free(o);
	return rc;
}

void diff_output_free(struct diff_output *o)
{
	if (!o)
		return;
	if (o->file) /* not closed: the diff failed or was stopped */
		diff_output_commit(o->file, o->tmp, o->path, false);
	free(o->path);
	free(o->dir);
	free(o->row);
	free(o->keys);
	if (o->inserts)
		fclose(o->inserts);
	if (o->reader)
		o->sql->reader_close(o->reader);
	buf_free(&o->ins);
	buf_free(&o->out);
	free(o);
}
