#include "changefile.h"

#include "codec.h"
#include "err.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void csv_add_quoted(struct buf *out, const char *p, size_t n)
{
	buf_addc(out, '"');
	const char *end = p + n;
	while (p < end) {
		/* Each quote is doubled: copy up to and including it, then again. */
		const char *q = memchr(p, '"', (size_t)(end - p));
		size_t span = q ? (size_t)(q - p) + 1 : (size_t)(end - p);
		buf_add(out, p, span);
		if (q)
			buf_addc(out, '"');
		p += span;
	}
	buf_addc(out, '"');
}

const struct csv_style csv_style_default = {.delimiter = ',', .binary = BINARY_HEX};
const struct csv_style csv_style_before = {.delimiter = ',', .binary = BINARY_BASE64};

void csv_style_of(struct csv_style *s, const struct config *cfg)
{
	memset(s, 0, sizeof(*s));
	s->delimiter = cfg->csv_delimiter;
	memcpy(s->null_value, cfg->csv_null_value, sizeof(s->null_value));
	s->binary = cfg->binary_encoding;
	s->timestamp = cfg->timestamp_column != NULL;
}

static bool is_null_marker(const struct csv_style *style, const char *p, size_t n)
{
	return style->null_value[0] && strlen(style->null_value) == n &&
	       memcmp(style->null_value, p, n) == 0;
}

static void csv_add_field_in(struct buf *out, const char *p, size_t n, char delimiter)
{
	if (n && !memchr(p, delimiter, n) && !memchr(p, '"', n) && !memchr(p, '\n', n) &&
	    !memchr(p, '\r', n)) {
		buf_add(out, p, n);
		return;
	}
	csv_add_quoted(out, p, n);
}

void csv_add_field(struct buf *out, const char *p, size_t n)
{
	csv_add_field_in(out, p, n, ',');
}

/* A BLOB's bytes in the style's encoding; decoded with out NULL only checks. */
static void binary_encode(enum binary_encoding enc, struct buf *out, const char *p, size_t n)
{
	if (enc == BINARY_HEX)
		hex_encode(out, p, n);
	else
		base64_encode(out, p, n);
}

static int binary_decode(enum binary_encoding enc, struct buf *out, const char *p, size_t n)
{
	return enc == BINARY_HEX ? hex_decode(out, p, n) : base64_decode(out, p, n);
}

/* How a column's CSV fields read (docs/design.md §5, "CSV spellings"): by
 * the column's affinity, with MySQL's own meanings where its types name no
 * SQLite affinity's values. */
enum csv_rules {
	CSV_NONE,   /* no affinity: text always quoted; numbers; hex/base64 BLOBs */
	CSV_BYTES,  /* a MySQL binary type: every value is a BLOB, hex/base64 */
	CSV_NUMBER, /* INTEGER, and a SQLite source's NUMERIC: an integer, else a REAL */
	CSV_REAL,   /* REAL: a REAL */
	CSV_TEXT,   /* TEXT, and MySQL's DECIMAL and dates: exact text */
};

static enum csv_rules csv_rules_for(const struct table_def *def, const struct column *col)
{
	switch (col->aff) {
	case AFF_NONE:
		return def->type_affinity || !col->type[0] ? CSV_NONE : CSV_BYTES;
	case AFF_INTEGER:
		return CSV_NUMBER;
	case AFF_REAL:
		return CSV_REAL;
	case AFF_NUMERIC:
		/* SQLite keeps numbers there as INTEGER and REAL: read with strtod
		 * and bound as such, never as text SQLite converts (3.40 rounds
		 * some digits one ulp off, and takes no "Infinity"). */
		return def->type_affinity ? CSV_NUMBER : CSV_TEXT;
	default:
		return CSV_TEXT;
	}
}

/* -?[0-9]+ over exactly n bytes (fields are not NUL-terminated). */
static bool integer_spelling(const char *p, size_t n)
{
	size_t i = n && p[0] == '-';
	if (i == n)
		return false;
	for (; i < n; i++)
		if (p[i] < '0' || p[i] > '9')
			return false;
	return true;
}

/* The type an unquoted, non-empty field that is no X'..' literal reads as
 * under rules, with v->i or v->r set for a number, binary saying whether it
 * is a hex (base64) spelling. */
static enum value_type plain_type(enum csv_rules rules, bool binary, const char *p, size_t n,
				  struct value *v)
{
	long long ll;
	bool base64 = (rules == CSV_NONE || rules == CSV_BYTES) && binary;
	if (rules == CSV_TEXT || (rules == CSV_BYTES && base64))
		return rules == CSV_TEXT ? VAL_TEXT : VAL_BLOB;
	if (rules != CSV_REAL && parse_int(p, n, &ll)) {
		v->i = ll;
		return VAL_INT;
	}
	/* An integer too big for 64 bits (BIGINT UNSIGNED) stays exact text. */
	if (rules != CSV_REAL && integer_spelling(p, n))
		return base64 ? VAL_BLOB : VAL_TEXT;
	if (parse_real(p, n, &v->r))
		return VAL_REAL;
	return base64 ? VAL_BLOB : VAL_TEXT;
}

/* The same for any field; the writer asks it too: whatever would read back
 * as something else gets another spelling. */
static enum value_type csv_plain_type(enum csv_rules rules, enum binary_encoding enc, const char *p,
				      size_t n, struct value *v)
{
	bool binary =
		(rules == CSV_NONE || rules == CSV_BYTES) && binary_decode(enc, NULL, p, n) == 0;
	return plain_type(rules, binary, p, n, v);
}

/* Text is written plain where it reads back as itself; quoted elsewhere
 * (RFC 4180 allows quoting any field): always in a column without affinity,
 * so that "1" and 1 stay apart, and in a typed column when it would read
 * as a number ('Infinity' in a REAL column) or as a BLOB literal. */
static void csv_add_text(struct buf *out, const struct csv_style *style, enum csv_rules rules,
			 const struct value *v)
{
	struct value num;
	if (rules == CSV_NONE || rules == CSV_BYTES || v->n == 0 ||
	    blob_literal_decode(NULL, v->p, v->n) == 0 || is_null_marker(style, v->p, v->n) ||
	    csv_plain_type(rules, style->binary, v->p, v->n, &num) != VAL_TEXT)
		csv_add_quoted(out, v->p, v->n);
	else
		csv_add_field_in(out, v->p, v->n, style->delimiter);
}

/* A BLOB is hex (or base64), unless that would read back as something
 * else: the empty BLOB (an empty field is NULL, "" is text), a BLOB spelt
 * as the NULL marker and, in a column without affinity, a BLOB whose
 * spelling reads as a number (hex "1234", base64 "1234" of X'D76DF8').
 * Those are SQL's BLOB literal, X'' and X'1234', in any column. */
static void csv_add_blob(struct buf *out, const struct csv_style *style, enum csv_rules rules,
			 const struct value *v)
{
	struct value num;
	size_t at = out->len;
	/* Spelt in place (hex and base64 need no quotes), and taken back for
	 * the literal; a spelling of ours is one by construction. */
	binary_encode(style->binary, out, v->p, v->n);
	const char *spelt = out->data + at;
	size_t n = out->len - at;
	if (v->n == 0 || is_null_marker(style, spelt, n) ||
	    (rules == CSV_NONE && plain_type(rules, true, spelt, n, &num) != VAL_BLOB)) {
		out->len = at;
		blob_literal_encode(out, v->p, v->n);
	}
}

static void csv_add_value(struct buf *out, const struct csv_style *style,
			  const struct table_def *def, const struct column *col,
			  const struct value *v)
{
	char num[40];
	switch (v->type) {
	case VAL_NULL:
		buf_adds(out, style->null_value);
		break;
	case VAL_INT:
		buf_add_int(out, (long long)v->i);
		break;
	case VAL_REAL:
		format_real(num, v->r);
		buf_adds(out, num);
		break;
	case VAL_TEXT:
		csv_add_text(out, style, csv_rules_for(def, col), v);
		break;
	case VAL_BLOB:
		csv_add_blob(out, style, csv_rules_for(def, col), v);
		break;
	}
}

void changefile_csv_record(struct buf *out, const struct csv_style *style,
			   const struct table_def *def, char op, const struct value *row,
			   const char *ts)
{
	if (!style)
		style = &csv_style_default;
	if (op) {
		buf_addc(out, op);
		buf_addc(out, style->delimiter);
	}
	for (size_t i = 0; i < def->ncols; i++) {
		if (i)
			buf_addc(out, style->delimiter);
		if (row) /* a T row carries no image: every field empty */
			csv_add_value(out, style, def, &def->cols[i], &row[i]);
	}
	if (style->timestamp) {
		buf_addc(out, style->delimiter);
		buf_adds(out, ts); /* digits, '-', ':', '.' and a space: never quoted */
	}
	buf_addc(out, '\n');
}

void changefile_csv_header(struct buf *out, const struct csv_style *style,
			   const struct table_def *def, bool op_column, const char *ts_name)
{
	if (!style)
		style = &csv_style_default;
	if (op_column) {
		buf_adds(out, "Op");
		buf_addc(out, style->delimiter);
	}
	for (size_t i = 0; i < def->ncols; i++) {
		if (i)
			buf_addc(out, style->delimiter);
		csv_add_field_in(out, def->cols[i].name, strlen(def->cols[i].name),
				 style->delimiter);
	}
	if (style->timestamp && ts_name) {
		buf_addc(out, style->delimiter);
		csv_add_field_in(out, ts_name, strlen(ts_name), style->delimiter);
	}
	buf_addc(out, '\n');
}

/* A JSON string of p[0..n), escaped as jansson escapes (its reader reads
 * these lines back). p must be valid UTF-8 (names and values checked so). */
static void json_add_string(struct buf *out, const char *p, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	buf_addc(out, '"');
	const char *end = p + n, *run = p;
	for (; p < end; p++) {
		unsigned char c = (unsigned char)*p;
		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		buf_add(out, run, (size_t)(p - run));
		run = p + 1;
		char esc[6] = {'\\', 0};
		switch (c) {
		case '"':
		case '\\':
			esc[1] = (char)c;
			break;
		case '\b':
			esc[1] = 'b';
			break;
		case '\f':
			esc[1] = 'f';
			break;
		case '\n':
			esc[1] = 'n';
			break;
		case '\r':
			esc[1] = 'r';
			break;
		case '\t':
			esc[1] = 't';
			break;
		default:
			memcpy(esc + 1, "u00", 3);
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 15];
			buf_add(out, esc, 6);
			continue;
		}
		buf_add(out, esc, 2);
	}
	buf_add(out, run, (size_t)(p - run));
	buf_addc(out, '"');
}

/* A name (table, column, time) goes as its bytes: one that is not UTF-8
 * makes a line apply refuses, with a message, never a crash here. */
static void json_add_name(struct buf *out, const char *name)
{
	json_add_string(out, name, strlen(name));
}

/* {"<tag>":"<base64 of v's bytes>"} */
static void json_add_bytes(struct buf *out, const char *tag, const struct value *v)
{
	buf_addf(out, "{\"%s\":\"", tag);
	base64_encode(out, v->p, v->n);
	buf_adds(out, "\"}");
}

static void json_add_value(struct buf *out, const struct value *v)
{
	char num[40];
	switch (v->type) {
	case VAL_INT:
		buf_add_int(out, (long long)v->i);
		break;
	case VAL_REAL:
		format_real(num, v->r);
		/* JSON has no Infinity or NaN: spelled as an object, like BLOBs. */
		if (!isfinite(v->r))
			buf_addf(out, "{\"real\":\"%s\"}", num);
		else
			buf_adds(out, num); /* the fewest digits that read back exactly */
		break;
	case VAL_TEXT:
		/* A JSON string holds only UTF-8: text that is not travels as its
		 * bytes, tagged as text so that apply restores it as text. */
		if (utf8_valid(v->p, v->n))
			json_add_string(out, v->p, v->n);
		else
			json_add_bytes(out, "text_base64", v);
		break;
	case VAL_BLOB:
		json_add_bytes(out, "base64", v);
		break;
	default:
		buf_adds(out, "null");
	}
}

static void json_add_image(struct buf *out, const struct table_def *def, const struct value *row,
			   bool keys_only)
{
	if (!row) {
		buf_adds(out, "null");
		return;
	}
	buf_addc(out, '{');
	bool first = true;
	for (size_t i = 0; i < def->ncols; i++) {
		if (keys_only && !def->cols[i].key)
			continue;
		if (!first)
			buf_addc(out, ',');
		first = false;
		json_add_name(out, def->cols[i].name);
		buf_addc(out, ':');
		json_add_value(out, &row[i]);
	}
	buf_addc(out, '}');
}

/* Written by hand rather than through jansson: jansson prints every REAL
 * with 17 digits (0.1 as 0.10000000000000001), and building a tree per
 * change costs more than the bytes. */
void changefile_jsonl_record(struct buf *out, const struct table_def *def, char op, int64_t seq,
			     const char *ts, const struct value *before, const struct value *after)
{
	buf_addf(out, "{\"op\":\"%c\",\"seq\":", op);
	if (seq < 0)
		buf_adds(out, "null");
	else
		buf_add_int(out, (long long)seq);
	buf_adds(out, ",\"ts\":");
	if (ts)
		json_add_name(out, ts);
	else
		buf_adds(out, "null");
	buf_adds(out, ",\"table\":");
	json_add_name(out, def->name);
	buf_adds(out, ",\"key\":");
	json_add_image(out, def, after ? after : before, true);
	buf_adds(out, ",\"before\":");
	json_add_image(out, def, before, false);
	buf_adds(out, ",\"after\":");
	json_add_image(out, def, after, false);
	buf_adds(out, "}\n");
}

/* ---- reading ---- */

struct changefile_reader {
	FILE *f;
	char *path;
	const struct table_def *def;
	enum batch_format format;
	bool op_column;
	struct csv_style style;
	long line;
	struct buf record; /* fields of the current record, back to back */
	size_t *offsets;   /* start of each field in record; one past the end too */
	bool *quoted;
	size_t nfields, capfields;
	struct value *row;   /* def->ncols */
	struct value *row2;  /* JSONL: the second image */
	struct buf decoded;  /* BLOB bytes of row */
	struct buf decoded2; /* BLOB bytes of row2 */
	char *old_spelling;  /* the first field an earlier build may have meant otherwise */
	json_t *json;	     /* JSONL: the current line's document */
};

static int csv_read_record(struct changefile_reader *r);

int changefile_open(struct changefile_reader **out, const char *path, const struct table_def *def,
		    enum batch_format format, bool op_column, bool header,
		    const struct csv_style *style)
{
	*out = NULL;
	FILE *f = fopen(path, "re");
	if (!f)
		return err_set(CDC_ERUNTIME, "%s: cannot open: %s", path, strerror(errno));
	struct changefile_reader *r = xcalloc(1, sizeof(*r));
	r->f = f;
	r->path = xstrdup(path);
	r->def = def;
	r->format = format;
	r->op_column = op_column;
	r->style = style ? *style : csv_style_default;
	r->row = xcalloc(def->ncols, sizeof(*r->row));
	r->row2 = xcalloc(def->ncols, sizeof(*r->row2));
	*out = r;
	if (header && format == FORMAT_CSV) {
		/* The header row names the columns (and Op): read it and drop it. */
		int rc = csv_read_record(r);
		if (rc < 0)
			return rc;
	}
	return 0;
}

void changefile_close(struct changefile_reader *r)
{
	if (!r)
		return;
	if (r->f)
		fclose(r->f);
	json_decref(r->json);
	free(r->path);
	buf_free(&r->record);
	buf_free(&r->decoded);
	buf_free(&r->decoded2);
	free(r->offsets);
	free(r->quoted);
	free(r->row);
	free(r->row2);
	free(r->old_spelling);
	free(r);
}

static void end_field(struct changefile_reader *r, bool quoted)
{
	if (r->nfields + 2 > r->capfields) {
		r->capfields = r->capfields ? r->capfields * 2 : 16;
		r->offsets = xrealloc(r->offsets, r->capfields * sizeof(*r->offsets));
		r->quoted = xrealloc(r->quoted, r->capfields * sizeof(*r->quoted));
	}
	r->quoted[r->nfields] = quoted;
	r->offsets[++r->nfields] = r->record.len;
}

/* One RFC 4180 record into r->record/offsets. 1 = read, 0 = end of file. */
static int csv_read_record(struct changefile_reader *r)
{
	buf_reset(&r->record);
	r->nfields = 0;
	if (!r->offsets) {
		r->capfields = 16;
		r->offsets = xmalloc(r->capfields * sizeof(*r->offsets));
		r->quoted = xmalloc(r->capfields * sizeof(*r->quoted));
	}
	r->offsets[0] = 0;
	int c = getc_unlocked(r->f);
	if (c == EOF)
		return 0;
	r->line++;
	bool quoted = false, in_quotes = false;
	for (;; c = getc_unlocked(r->f)) {
		if (c == EOF) {
			if (in_quotes)
				return err_set(CDC_ERUNTIME, "%s:%ld: unterminated quoted field",
					       r->path, r->line);
			end_field(r, quoted);
			return 1;
		}
		if (in_quotes) {
			if (c == '"') {
				int next = getc_unlocked(r->f);
				if (next == '"') {
					buf_addc(&r->record, '"');
					continue;
				}
				in_quotes = false;
				ungetc(next, r->f);
				continue;
			}
			buf_addc(&r->record, (char)c);
			continue;
		}
		if (c == '"' && r->record.len == r->offsets[r->nfields] && !quoted) {
			quoted = in_quotes = true;
		} else if (c == r->style.delimiter) {
			end_field(r, quoted);
			quoted = false;
		} else if (c == '\n') {
			end_field(r, quoted);
			return 1;
		} else if (c == '\r') {
			/* CR LF ends a record as LF does; a CR elsewhere outside quotes
			 * was dropped once, reading "a\rb" as "ab" (F33): the writer
			 * quotes every CR, so it is a damaged or forged file. */
			int next = getc_unlocked(r->f);
			ungetc(next, r->f);
			if (next != '\n')
				return err_set(CDC_ERUNTIME, "%s:%ld: a CR outside quotes", r->path,
					       r->line);
		} else if (quoted) {
			return err_set(CDC_ERUNTIME, "%s:%ld: text after a closing quote", r->path,
				       r->line);
		} else {
			buf_addc(&r->record, (char)c);
		}
	}
}

/* What a field of an archive that names no chain reads as, when builds
 * before commit 0bb874c spelt text (or the empty BLOB) that way: NULL when
 * none did. Those builds wrote no X'..' literal, text in a NUMERIC column
 * unquoted, and the empty BLOB as "". */
static const char *old_spelling(const struct changefile_reader *r, size_t field,
				const struct column *col, const struct value *v, bool literal)
{
	if (!r->style.before_chains)
		return NULL;
	if (literal)
		return "a BLOB (X'..')";
	if (!r->quoted[field] && v->type == VAL_REAL && col->aff == AFF_NUMERIC && !isfinite(v->r))
		return isnan(v->r) ? "NULL (NaN)" : "a REAL (Infinity)";
	if (r->quoted[field] && v->type == VAL_TEXT && v->n == 0 && col->decl == VAL_BLOB)
		return "the empty text (\"\")";
	return NULL;
}

/* Notes the first field an earlier build may have meant otherwise (README
 * "Upgrading the binary"); the reader's owner says it. */
static void note_old_spelling(struct changefile_reader *r, const struct column *col, const char *as)
{
	if (!as || r->old_spelling)
		return;
	r->old_spelling = xasprintf(
		"table %s, line %ld of its file: column %s reads as %s; the archive names no "
		"chain, so a build before 2026-12-07 may have written it, and builds before "
		"commit 0bb874c wrote text (and the empty BLOB) so: if the source did not hold "
		"that, run `cdcpack load` and rebuild the replica from it (README: Upgrading the "
		"binary)",
		NAME_SHOWN_SHORT(r->def->name), r->line, NAME_SHOWN_SHORT(col->name), as);
}

const char *changefile_old_spelling(const struct changefile_reader *r)
{
	return r->old_spelling;
}

/* Typed value from a CSV field, by its column's rules (docs/design.md §5). */
static int csv_value(struct changefile_reader *r, size_t field, const struct column *col,
		     struct value *v, size_t *blob_off)
{
	/* buf_str: a record of empty fields has no buffer yet, and NULL + 0 is
	 * undefined (found by fuzz_changefile). */
	const char *p = buf_str(&r->record) + r->offsets[field];
	size_t n = r->offsets[field + 1] - r->offsets[field];
	enum csv_rules rules = csv_rules_for(r->def, col);
	bool literal = false;
	memset(v, 0, sizeof(*v));
	*blob_off = r->decoded.len;
	if (!r->quoted[field] && (n == 0 || is_null_marker(&r->style, p, n)))
		return 0; /* NULL */
	if (r->quoted[field]) {
		/* "" in a MySQL binary column, which holds only bytes: the empty
		 * BLOB as archives written before X'' spell it. */
		v->type = n == 0 && rules == CSV_BYTES ? VAL_BLOB : VAL_TEXT;
	} else if (blob_literal_decode(&r->decoded, p, n) == 0) {
		v->type = VAL_BLOB;
		literal = true;
	} else {
		v->type = csv_plain_type(rules, r->style.binary, p, n, v);
		if (v->type == VAL_BLOB)
			binary_decode(r->style.binary, &r->decoded, p, n);
		else if (v->type == VAL_TEXT && col->decl == VAL_BLOB)
			/* a BLOB column's text is always quoted */
			return err_set(CDC_ERUNTIME, "%s:%ld: column %s: not %s",
				       NAME_SHOWN_SHORT(r->path), r->line,
				       NAME_SHOWN_SHORT(col->name),
				       r->style.binary == BINARY_HEX ? "hex" : "base64");
	}
	if (v->type == VAL_BLOB) {
		v->n = r->decoded.len - *blob_off; /* v->p is set once the row is read */
	} else if (v->type == VAL_TEXT) {
		v->p = p;
		v->n = n;
	}
	note_old_spelling(r, col, old_spelling(r, field, col, v, literal));
	return 0;
}

static int csv_next(struct changefile_reader *r, char *op, const struct value **before,
		    const struct value **after)
{
	int rc = csv_read_record(r);
	if (rc <= 0)
		return rc;
	rc = 0;
	/* The timestamp column, last, is the consumers': apply skips it. */
	size_t want = r->def->ncols + (r->op_column ? 1 : 0) + (r->style.timestamp ? 1 : 0);
	if (r->nfields != want)
		return err_set(CDC_ERUNTIME, "%s:%ld: %zu fields, expected %zu", r->path, r->line,
			       r->nfields, want);
	size_t first = 0;
	*op = 'I';
	if (r->op_column) {
		size_t n = r->offsets[1];
		*op = n == 1 ? r->record.data[0] : '?';
		/* strchr finds the terminator too: a NUL byte is no Op
		 * (found by fuzz_changefile). */
		if (n != 1 || *op == '\0' || !strchr("IUDT", *op))
			return err_set(CDC_ERUNTIME, "%s:%ld: Op must be I, U, D or T", r->path,
				       r->line);
		first = 1;
	}
	buf_reset(&r->decoded);
	size_t *blob_off = xcalloc(r->def->ncols, sizeof(*blob_off));
	for (size_t i = 0; i < r->def->ncols && rc == 0; i++)
		rc = csv_value(r, first + i, &r->def->cols[i], &r->row[i], &blob_off[i]);
	/* Blob pointers are fixed last: decoded may move while it grows. */
	for (size_t i = 0; i < r->def->ncols; i++)
		if (r->row[i].type == VAL_BLOB)
			r->row[i].p = r->decoded.data ? r->decoded.data + blob_off[i] : "";
	free(blob_off);
	if (rc)
		return rc;
	*before = *op == 'D' ? r->row : NULL;
	*after = *op == 'D' || *op == 'T' ? NULL : r->row;
	return 1;
}

static int json_value(struct changefile_reader *r, const json_t *j, struct value *v,
		      struct buf *decoded, size_t *blob_off)
{
	memset(v, 0, sizeof(*v));
	if (!j || json_is_null(j))
		return 0;
	if (json_is_integer(j)) {
		v->type = VAL_INT;
		v->i = json_integer_value(j);
	} else if (json_is_real(j)) {
		v->type = VAL_REAL;
		v->r = json_real_value(j);
	} else if (json_is_string(j)) {
		v->type = VAL_TEXT;
		v->p = json_string_value(j);
		v->n = json_string_length(j);
	} else if (json_is_string(json_object_get(j, "real"))) {
		const json_t *t = json_object_get(j, "real");
		if (!parse_real(json_string_value(t), json_string_length(t), &v->r))
			return err_set(CDC_ERUNTIME, "%s:%ld: bad real", r->path, r->line);
		v->type = VAL_REAL;
	} else if (json_is_string(json_object_get(j, "base64")) ||
		   json_is_string(json_object_get(j, "text_base64"))) {
		/* v->p is set once every value is decoded (decoded may move) */
		const json_t *s = json_object_get(j, "base64");
		v->type = s ? VAL_BLOB : VAL_TEXT;
		if (!s)
			s = json_object_get(j, "text_base64");
		*blob_off = decoded->len;
		if (base64_decode(decoded, json_string_value(s), json_string_length(s)))
			return err_set(CDC_ERUNTIME, "%s:%ld: bad base64", r->path, r->line);
		v->n = decoded->len - *blob_off;
	} else {
		return err_set(CDC_ERUNTIME, "%s:%ld: unexpected JSON value", r->path, r->line);
	}
	return 0;
}

/* Fills row from a JSON image object; blobs decode into decoded (reset here). */
static int json_image(struct changefile_reader *r, const json_t *img, struct value *row,
		      struct buf *decoded, const struct value **out)
{
	*out = NULL;
	buf_reset(decoded);
	if (!img || json_is_null(img))
		return 0;
	if (!json_is_object(img))
		return err_set(CDC_ERUNTIME, "%s:%ld: image is not an object", r->path, r->line);
	/* The writer puts every column of the manifest in an image, and only
	 * those: a missing one must not read as NULL, nor an unknown one pass. */
	size_t *blob_off = xcalloc(r->def->ncols, sizeof(*blob_off));
	int rc = 0;
	for (size_t i = 0; i < r->def->ncols && !rc; i++) {
		const json_t *cell = json_object_get(img, r->def->cols[i].name);
		rc = cell ? json_value(r, cell, &row[i], decoded, &blob_off[i])
			  : err_set(CDC_ERUNTIME, "%s:%ld: image lacks column %s", r->path, r->line,
				    NAME_SHOWN_SHORT(r->def->cols[i].name));
	}
	if (!rc && json_object_size(img) != r->def->ncols)
		rc = err_set(CDC_ERUNTIME, "%s:%ld: image has %zu columns, the manifest %zu",
			     r->path, r->line, json_object_size(img), r->def->ncols);
	for (size_t i = 0; i < r->def->ncols; i++)
		if (row[i].type == VAL_BLOB || (row[i].type == VAL_TEXT && !row[i].p))
			row[i].p = decoded->data ? decoded->data + blob_off[i] : "";
	free(blob_off);
	if (!rc)
		*out = row;
	return rc;
}

static int jsonl_next(struct changefile_reader *r, char *op, const struct value **before,
		      const struct value **after)
{
	json_decref(r->json);
	r->json = NULL;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n = getline(&line, &cap, r->f);
	if (n < 0) {
		free(line);
		return 0;
	}
	r->line++;
	json_error_t jerr;
	r->json = json_loadb(line, (size_t)n, JSON_ALLOW_NUL, &jerr);
	free(line);
	if (!json_is_object(r->json))
		return err_set(CDC_ERUNTIME, "%s:%ld: not a JSON object: %s", r->path, r->line,
			       r->json ? "" : jerr.text);
	const char *o = json_string_value(json_object_get(r->json, "op"));
	if (!o || strlen(o) != 1 || !strchr("IUDT", o[0]))
		return err_set(CDC_ERUNTIME, "%s:%ld: \"op\" must be I, U, D or T", r->path,
			       r->line);
	*op = o[0];
	int rc = json_image(r, json_object_get(r->json, "before"), r->row, &r->decoded, before);
	if (!rc)
		rc = json_image(r, json_object_get(r->json, "after"), r->row2, &r->decoded2, after);
	if (rc)
		return rc;
	if (*op == 'T' ? *before || *after : (*op == 'D' && !*before) || (*op != 'D' && !*after))
		return err_set(CDC_ERUNTIME, "%s:%ld: op %c %s its row image", r->path, r->line,
			       *op, *op == 'T' ? "with" : "without");
	return 1;
}

int changefile_next(struct changefile_reader *r, char *op, const struct value **before,
		    const struct value **after)
{
	if (r->format == FORMAT_CSV)
		return csv_next(r, op, before, after);
	return jsonl_next(r, op, before, after);
}
