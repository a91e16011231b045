/* CSV quoting and value encoding of change files (docs/design.md §5). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "buf.h"
#include "changefile.h"
#include "err.h"
#include "codec.h"
#include <float.h>
#include <math.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char *field(const char *s)
{
	struct buf b = BUF_INIT;
	csv_add_field(&b, s, strlen(s));
	return buf_detach(&b);
}

static void plain_fields_are_not_quoted(void **state)
{
	(void)state;
	char *f = field("ABC XYZ");
	assert_string_equal(f, "ABC XYZ");
	free(f);
}

static void commas_quotes_and_newlines_are_quoted(void **state)
{
	(void)state;
	const char *in[] = {"a,b", "say \"hi\"", "line\nbreak", "cr\rhere"};
	const char *out[] = {"\"a,b\"", "\"say \"\"hi\"\"\"", "\"line\nbreak\"", "\"cr\rhere\""};
	for (size_t i = 0; i < 4; i++) {
		char *f = field(in[i]);
		assert_string_equal(f, out[i]);
		free(f);
	}
}

static void empty_string_is_two_quotes_and_null_is_empty(void **state)
{
	(void)state;
	struct table_def def = {0};
	def.name = "t";
	table_def_add_column(&def, "k", "INTEGER", true);
	table_def_add_column(&def, "s", "TEXT", false);
	table_def_add_column(&def, "n", "TEXT", false);
	struct value row[3] = {
		{.type = VAL_INT, .i = 1}, {.type = VAL_TEXT, .p = "", .n = 0}, {.type = VAL_NULL}};
	struct buf b = BUF_INIT;
	changefile_csv_record(&b, NULL, &def, 'I', row, NULL);
	assert_string_equal(buf_str(&b), "I,1,\"\",\n");
	buf_free(&b);
	for (size_t i = 0; i < def.ncols; i++) {
		free(def.cols[i].name);
		free(def.cols[i].type);
	}
	free(def.cols);
}

static void reals_print_shortest_round_trip(void **state)
{
	(void)state;
	char out[40];
	double cases[] = {0.1, 1.0000000000000002, 1e308, -1e308, 5e-324, 1.0, 123456789.125};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		format_real(out, cases[i]);
		assert_true(strtod(out, NULL) == cases[i]);
	}
	format_real(out, 0.1);
	assert_string_equal(out, "0.1");
	format_real(out, 1.0);
	assert_string_equal(out, "1.0");
	format_real(out, 1.0 / 0.0);
	assert_string_equal(out, "Infinity");
}

/* What format_real prints, the slow way: the first of %.15g, %.16g, %.17g
 * that reads back, or for a subnormal (which holds fewer digits: 5e-324)
 * the first of %.1g .. %.15g; and ".0" on what looks like an integer. */
static void reference_real(char out[40], double r)
{
	bool subnormal = r != 0 && fabs(r) < DBL_MIN;
	for (int prec = subnormal ? 1 : 15; prec <= 17; prec++) {
		snprintf(out, 40, "%.*g", prec, r);
		if (strtod(out, NULL) == r)
			break;
	}
	if (!strpbrk(out, ".eEnN"))
		strcat(out, ".0");
}

static void check_real(double r)
{
	char got[40], want[40];
	format_real(got, r);
	reference_real(want, r);
	if (strcmp(got, want) != 0)
		fail_msg("format_real(%.17g) = %s, want %s", r, got, want);
}

/* The fast path for short decimals spells every value as printf does. */
static void reals_fast_path_matches_printf(void **state)
{
	(void)state;
	static const double edges[] = {
		1e-4,	    -1e-4,	   9.9999e-5, 0.000123,	 0.5,  1.25,
		-1.25,	    10.0,	   100.5,     1e14,	 1e15, 999999999999999.0,
		1e15 - 0.5, 123456.654321, 0.1 + 0.2, 1.0 / 3,	 4.35, 0.0,
		-0.0,	    2.675,	   1e-7,      33.3333333};
	for (size_t i = 0; i < sizeof(edges) / sizeof(edges[0]); i++)
		check_real(edges[i]);
	uint64_t x = 88172645463325252ULL; /* xorshift64: a fixed, wide sample */
	for (int i = 0; i < 300000; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		int decimals = (int)(x % 9);
		double scale = 1;
		for (int d = 0; d < decimals; d++)
			scale *= 10;
		/* short decimals of every size, and arbitrary bit patterns */
		check_real((double)(int64_t)(x >> (x % 40 + 11)) / scale);
		double any;
		memcpy(&any, &x, sizeof(any));
		if (isfinite(any))
			check_real(any);
	}
}

static void base64_round_trips_binary(void **state)
{
	(void)state;
	const char bytes[] = {0, 1, 2, (char)0xff, 0, 'a'};
	for (size_t n = 0; n <= sizeof(bytes); n++) {
		struct buf enc = BUF_INIT, dec = BUF_INIT;
		base64_encode(&enc, bytes, n);
		assert_int_equal(base64_decode(&dec, buf_str(&enc), enc.len), 0);
		assert_int_equal(dec.len, n);
		assert_memory_equal(dec.data ? dec.data : "", bytes, n);
		buf_free(&enc);
		buf_free(&dec);
	}
	struct buf bad = BUF_INIT;
	assert_int_equal(base64_decode(&bad, "AB=C", 4), -1);
	assert_int_equal(base64_decode(&bad, "ABC", 3), -1);
	buf_free(&bad);
}

/* A temp file holding p[0..n): path is a "...XXXXXX" template. */
static void write_temp(char *path, const void *p, size_t n)
{
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, p, n), (ssize_t)n);
	close(fd);
}

/* The columns table_def_add_column made (the tests own name). */
static void free_cols(struct table_def *def)
{
	for (size_t i = 0; i < def->ncols; i++) {
		free(def->cols[i].name);
		free(def->cols[i].type);
	}
	free(def->cols);
}

/* Writes rows with the writer and reads them back with the reader. */
static void csv_reader_reads_what_the_writer_wrote(void **state)
{
	(void)state;
	struct table_def def = {0};
	def.name = "t";
	table_def_add_column(&def, "k", "INTEGER", true);
	table_def_add_column(&def, "s", "TEXT", false);
	table_def_add_column(&def, "b", "BLOB", false);
	table_def_add_column(&def, "r", "REAL", false);
	table_def_add_column(&def, "any", "", false);
	struct value rows[][5] = {
		{{.type = VAL_INT, .i = INT64_MIN},
		 {.type = VAL_TEXT, .p = "a,\"b\"\nc", .n = 8},
		 {.type = VAL_BLOB, .p = "\0\1", .n = 2},
		 {.type = VAL_REAL, .r = 1.0000000000000002},
		 {.type = VAL_TEXT, .p = "1", .n = 1}},
		{{.type = VAL_INT, .i = INT64_MAX},
		 {.type = VAL_TEXT, .p = "", .n = 0},
		 {.type = VAL_BLOB, .p = "", .n = 0},
		 {.type = VAL_NULL},
		 {.type = VAL_INT, .i = 1}},
	};
	char path[] = "/tmp/test_changefile.XXXXXX";
	struct buf b = BUF_INIT;
	changefile_csv_record(&b, NULL, &def, 'U', rows[0], NULL);
	changefile_csv_record(&b, NULL, &def, 'D', rows[1], NULL);
	write_temp(path, b.data, b.len);
	struct changefile_reader *r;
	assert_int_equal(changefile_open(&r, path, &def, FORMAT_CSV, true, false, NULL), 0);
	char op;
	const struct value *before, *after;
	assert_int_equal(changefile_next(r, &op, &before, &after), 1);
	assert_int_equal(op, 'U');
	assert_null(before);
	for (size_t i = 0; i < 5; i++)
		assert_true(value_same(&after[i], &rows[0][i]));
	assert_int_equal(changefile_next(r, &op, &before, &after), 1);
	assert_int_equal(op, 'D');
	for (size_t i = 0; i < 5; i++)
		assert_true(value_same(&before[i], &rows[1][i]));
	assert_int_equal(changefile_next(r, &op, &before, &after), 0);
	changefile_close(r);
	unlink(path);
	buf_free(&b);
	free_cols(&def);
}

/* Found by fuzz_changefile: a NUL byte in the Op column passed the I/U/D
 * check (strchr finds the terminator), and apply took it for an upsert. */
static void csv_op_must_be_i_u_or_d(void **state)
{
	(void)state;
	struct table_def def = {0};
	def.name = "t";
	table_def_add_column(&def, "k", "INTEGER", true);
	static const char *const bad[] = {"\0,1\n", "X,1\n", "II,1\n", ",1\n"};
	static const size_t len[] = {4, 4, 5, 3};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char path[] = "/tmp/test_changefile.XXXXXX";
		write_temp(path, bad[i], len[i]);
		struct changefile_reader *r;
		assert_int_equal(changefile_open(&r, path, &def, FORMAT_CSV, true, false, NULL), 0);
		char op;
		const struct value *before, *after;
		assert_true(changefile_next(r, &op, &before, &after) < 0);
		changefile_close(r);
		unlink(path);
	}
	free_cols(&def);
}

/* T (binlog mode's TRUNCATE) is written without an image and read back as
 * one in both formats; a JSONL T with an image is refused. */
static void t_rows_carry_no_image(void **state)
{
	(void)state;
	struct table_def def = {0};
	def.name = "t";
	table_def_add_column(&def, "k", "INTEGER", true);
	table_def_add_column(&def, "s", "TEXT", false);
	for (int format = 0; format < 2; format++) {
		struct buf b = BUF_INIT;
		if (format == 0)
			changefile_csv_record(&b, NULL, &def, 'T', NULL, NULL);
		else
			changefile_jsonl_record(&b, &def, 'T', -1, "2026-12-07T04:00:00.000Z", NULL,
						NULL);
		assert_string_equal(
			b.data, format == 0 ? "T,,\n"
					    : "{\"op\":\"T\",\"seq\":null,\"ts\":\"2026-12-07T04:"
					      "00:00.000Z\",\"table\":\"t\",\"key\":null,"
					      "\"before\":null,\"after\":null}\n");
		if (format == 1)
			buf_adds(&b, "{\"op\":\"T\",\"table\":\"t\",\"before\":null,"
				     "\"after\":{\"k\":1,\"s\":null}}\n");
		char path[] = "/tmp/test_changefile.XXXXXX";
		write_temp(path, b.data, b.len);
		struct changefile_reader *r;
		assert_int_equal(changefile_open(&r, path, &def,
						 format == 0 ? FORMAT_CSV : FORMAT_JSONL, true,
						 false, NULL),
				 0);
		char op;
		const struct value *before, *after;
		assert_int_equal(changefile_next(r, &op, &before, &after), 1);
		assert_int_equal(op, 'T');
		assert_null(before);
		assert_null(after);
		assert_int_equal(changefile_next(r, &op, &before, &after),
				 format == 0 ? 0 : CDC_ERUNTIME);
		changefile_close(r);
		unlink(path);
		buf_free(&b);
	}
	free_cols(&def);
}

/* Found by fuzz_changefile: a record of empty fields only (all NULL) left
 * the record buffer unallocated, and the reader offset a NULL pointer. */
static void csv_record_of_nulls_reads_as_nulls(void **state)
{
	(void)state;
	struct table_def def = {0};
	def.name = "t";
	table_def_add_column(&def, "k", "INTEGER", true);
	table_def_add_column(&def, "s", "TEXT", false);
	char path[] = "/tmp/test_changefile.XXXXXX";
	write_temp(path, ",\n", 2);
	struct changefile_reader *r;
	assert_int_equal(changefile_open(&r, path, &def, FORMAT_CSV, false, false, NULL), 0);
	char op;
	const struct value *before, *after;
	assert_int_equal(changefile_next(r, &op, &before, &after), 1);
	assert_int_equal(after[0].type, VAL_NULL);
	assert_int_equal(after[1].type, VAL_NULL);
	changefile_close(r);
	unlink(path);
	free_cols(&def);
}

/* A REAL is read only from a decimal spelling (or our Infinity and NaN):
 * strtod's other spellings are text in a change file, and must stay text. */
static void reals_are_read_only_from_decimal_spellings(void **state)
{
	(void)state;
	static const char *const real[] = {"1.5", "-2e3", "0.25", "+7", "1E+9", "Infinity", "NaN"};
	static const char *const text[] = {"0x10", "inf", "-inf", "nan",  "infinity",
					   "1e",   ".",	  "",	  "1.5x", " 1"};
	double d;
	for (size_t i = 0; i < sizeof(real) / sizeof(real[0]); i++)
		assert_true(parse_real(real[i], strlen(real[i]), &d));
	for (size_t i = 0; i < sizeof(text) / sizeof(text[0]); i++)
		assert_false(parse_real(text[i], strlen(text[i]), &d));
}

/* A field holding a NUL byte is no number, whatever comes before the NUL:
 * "80194\0123" read as 80194 once (tests/torture/FINDINGS.md F31). */
static void numbers_holding_a_nul_byte_are_no_numbers(void **state)
{
	(void)state;
	static const char nul_int[] = "80194\0"
				      "123",
			  nul_real[] = "5\0.5", tail[] = "7\0";
	double d;
	long long ll;
	assert_false(parse_int(nul_int, sizeof(nul_int) - 1, &ll));
	assert_false(parse_int(tail, sizeof(tail) - 1, &ll));
	assert_false(parse_real(nul_real, sizeof(nul_real) - 1, &d));
	assert_false(parse_real(tail, sizeof(tail) - 1, &d));
	assert_true(parse_int("80194", 5, &ll));
	assert_int_equal(ll, 80194);
}

/* CR LF ends a record as LF does; a CR anywhere else outside quotes is
 * refused, never dropped: "a\rb" read as "ab" once (F33). */
static void csv_bare_cr_is_refused_and_cr_lf_ends_a_record(void **state)
{
	(void)state;
	struct table_def def = {0};
	def.name = "t";
	table_def_add_column(&def, "k", "INTEGER", true);
	table_def_add_column(&def, "s", "TEXT", false);
	static const char *const files[] = {"I,1,ab\r\n", "I,1,a\rb\n", "I,1,\"a\"\rb\n",
					    "I,1,ab\r"};
	static const int want[] = {1, CDC_ERUNTIME, CDC_ERUNTIME, CDC_ERUNTIME};
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char path[] = "/tmp/test_changefile.XXXXXX";
		write_temp(path, files[i], strlen(files[i]));
		struct changefile_reader *r;
		assert_int_equal(changefile_open(&r, path, &def, FORMAT_CSV, true, false, NULL), 0);
		char op;
		const struct value *before, *after;
		assert_int_equal(changefile_next(r, &op, &before, &after), want[i]);
		if (want[i] == 1) {
			assert_int_equal(after[1].n, 2);
			assert_memory_equal(after[1].p, "ab", 2);
			assert_int_equal(changefile_next(r, &op, &before, &after), 0);
		}
		changefile_close(r);
		unlink(path);
	}
	free_cols(&def);
}

/* A JSONL image holds every column of the manifest and only those: a
 * missing column is not NULL, an unknown one not ignored (F32). */
static void jsonl_images_must_hold_exactly_the_manifest_columns(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"{\"op\":\"I\",\"after\":{\"k\":1}}\n",
		"{\"op\":\"I\",\"after\":{\"k\":1,\"s\":\"a\",\"x\":2}}\n",
		"{\"op\":\"D\",\"before\":{\"s\":\"a\"}}\n",
		"{\"op\":\"U\",\"after\":{\"k\":1,\"S\":\"a\"}}\n",
	};
	struct table_def def = {0};
	def.name = "t";
	table_def_add_column(&def, "k", "INTEGER", true);
	table_def_add_column(&def, "s", "TEXT", false);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char path[] = "/tmp/test_changefile.XXXXXX";
		write_temp(path, bad[i], strlen(bad[i]));
		struct changefile_reader *r;
		assert_int_equal(changefile_open(&r, path, &def, FORMAT_JSONL, true, false, NULL),
				 0);
		char op;
		const struct value *before, *after;
		assert_int_equal(changefile_next(r, &op, &before, &after), CDC_ERUNTIME);
		changefile_close(r);
		unlink(path);
	}
	static const char good[] = "{\"op\":\"I\",\"after\":{\"s\":null,\"k\":1}}\n";
	char path[] = "/tmp/test_changefile.XXXXXX";
	write_temp(path, good, strlen(good));
	struct changefile_reader *r;
	assert_int_equal(changefile_open(&r, path, &def, FORMAT_JSONL, true, false, NULL), 0);
	char op;
	const struct value *before, *after;
	assert_int_equal(changefile_next(r, &op, &before, &after), 1);
	assert_int_equal(after[0].i, 1);
	assert_int_equal(after[1].type, VAL_NULL);
	changefile_close(r);
	unlink(path);
	free_cols(&def);
}

/* Writes one row of def with the CSV writer, checks the line it makes (when
 * want is not NULL) and reads it back: every value must return with its own
 * type and bits. */
static void csv_round_trip_in(const struct csv_style *style, struct table_def *def,
			      const struct value *row, const char *want)
{
	char path[] = "/tmp/test_changefile.XXXXXX";
	struct buf b = BUF_INIT;
	changefile_csv_record(&b, style, def, 0, row, "2026-12-07 04:30:00.123000");
	if (want)
		assert_string_equal(buf_str(&b), want);
	write_temp(path, b.data, b.len);
	struct changefile_reader *r;
	assert_int_equal(changefile_open(&r, path, def, FORMAT_CSV, false, false, style), 0);
	char op;
	const struct value *before, *after;
	assert_int_equal(changefile_next(r, &op, &before, &after), 1);
	for (size_t i = 0; i < def->ncols; i++)
		if (!value_same(&after[i], &row[i]))
			fail_msg("column %s (%s): %s: type %d came back as type %d",
				 def->cols[i].name, def->cols[i].type, buf_str(&b), row[i].type,
				 after[i].type);
	changefile_close(r);
	unlink(path);
	buf_free(&b);
}

/* Archives' base64 spelling, as every archive before binary_encoding. */
static void csv_round_trip(struct table_def *def, const struct value *row, const char *want)
{
	csv_round_trip_in(&csv_style_before, def, row, want);
}

#define TEXT(s)                                                                                    \
	{                                                                                          \
		.type = VAL_TEXT, .p = s, .n = sizeof(s) - 1                                       \
	}
#define BLOB(s)                                                                                    \
	{                                                                                          \
		.type = VAL_BLOB, .p = s, .n = sizeof(s) - 1                                       \
	}
#define INT(x)                                                                                     \
	{                                                                                          \
		.type = VAL_INT, .i = x                                                            \
	}
#define REAL(x)                                                                                    \
	{                                                                                          \
		.type = VAL_REAL, .r = x                                                           \
	}

/* Whether SQLite keeps v as it is in a column of affinity aff: a typed
 * column turns numeric text into a number ("1", not "Infinity", which
 * SQLite does not read), a TEXT column numbers into text, INTEGER and
 * NUMERIC an integral REAL into an INTEGER, REAL an INTEGER into a REAL. A
 * BLOB other than the empty one in a typed column is left out: CSV spells it
 * as its column's type reads it (README), its base64. */
static bool sqlite_keeps(enum affinity aff, const struct value *v)
{
	bool numeric_text = v->type == VAL_TEXT && (v->n == 1 || v->n == 4) &&
			    strspn(v->p, "0123456789") == v->n;
	bool integral = v->type == VAL_REAL && isfinite(v->r) && fabs(v->r) < 9e18 &&
			v->r == (double)(long long)v->r;
	switch (aff) {
	case AFF_NONE:
		return true;
	case AFF_TEXT:
		return v->type != VAL_INT && v->type != VAL_REAL && (v->type != VAL_BLOB || !v->n);
	case AFF_REAL:
		return v->type != VAL_INT && !numeric_text && (v->type != VAL_BLOB || !v->n);
	default:
		return !integral && !numeric_text && (v->type != VAL_BLOB || !v->n);
	}
}

/* Every value a SQLite column of each affinity can hold comes back from CSV
 * with its own storage class and bits (docs/design.md §5, "CSV
 * spellings"): the empty BLOB and the empty text in every column, +-Inf and
 * full-precision REALs in NUMERIC columns, text that reads as a number or
 * as a BLOB literal, BLOBs whose base64 reads as a number. */
static void csv_sqlite_values_keep_their_type_in_every_affinity(void **state)
{
	(void)state;
	static const char *const decls[] = {"",	       "BLOB",	   "INTEGER", "REAL",
					    "NUMERIC", "DATETIME", "TEXT"};
	const struct value any[] = {
		INT(1234),
		INT(INT64_MIN),
		REAL(1.5),
		REAL(INFINITY),
		REAL(-INFINITY),
		REAL(-0.0),
		REAL(5e-324),
		REAL(-1.0041570691087332e-305), /* SQLite's own text-to-REAL is one ulp off */
		REAL(1e20),
		TEXT(""),
		TEXT("1"),
		TEXT("1234"),
		TEXT("Infinity"),
		TEXT("-Infinity"),
		TEXT("NaN"),
		TEXT("X''"),
		TEXT("x'0a'"),
		TEXT("AAAA"),
		TEXT("abc"),
		TEXT("1.5x"),
		TEXT("a,\"b\"\n"),
		TEXT("\xff\xfe"),
		BLOB(""),
		BLOB("\xd7\x6d\xf8"),		  /* base64 "1234" */
		BLOB("\x22\x77\xe2\x9e\x2b\x72"), /* base64 "Infinity" */
		BLOB("\xd7\x6d\xf8\xe7\xae\xfc"), /* base64 "12345678" */
		BLOB("\xd5\xed\x74"),		  /* base64 "1e10" */
		BLOB("\0\1"),
		BLOB("\x12\x34"),     /* hex "1234" */
		BLOB("\x1e\x10"),     /* hex "1E10" */
		BLOB("\x35\x42\xcb"), /* base64 "NULL" */
		BLOB("\xab"),	      /* hex "AB", a NULL marker below */
		TEXT("NULL"),
		TEXT("AB"),
		TEXT("a;b|c\td"),
		{.type = VAL_NULL},
	};
	/* Each spelling DMS's options give: hex and base64, other delimiters,
	 * NULL markers that are words, hex digits or base64, a timestamp column. */
	struct csv_style styles[] = {
		csv_style_default,
		csv_style_before,
		{.delimiter = ';', .null_value = "NULL", .timestamp = true},
		{.delimiter = '|', .null_value = "NULL", .binary = BINARY_BASE64},
		{.delimiter = '\t', .null_value = "AB", .timestamp = true}};
	for (size_t st = 0; st < sizeof(styles) / sizeof(styles[0]); st++) {
		for (size_t d = 0; d < sizeof(decls) / sizeof(decls[0]); d++) {
			struct table_def def = {.name = "t", .type_affinity = true};
			table_def_add_column(&def, "v", decls[d], false);
			table_def_add_column(&def, "w", decls[d], false);
			for (size_t i = 0; i < sizeof(any) / sizeof(any[0]); i++) {
				struct value two[2] = {
					any[i], any[(i + 1) % (sizeof(any) / sizeof(any[0]))]};
				if (sqlite_keeps(def.cols[0].aff, &two[0]) &&
				    sqlite_keeps(def.cols[0].aff, &two[1]))
					csv_round_trip_in(&styles[st], &def, two, NULL);
			}
			free_cols(&def);
		}
	}
}

/* The default spelling is hex (DMS's, docs/design.md §8): a BLOB whose hex
 * reads as a number in a column without affinity is X'..', elsewhere its
 * digits; the NULL marker, the delimiter and the timestamp column as set. */
static void csv_hex_and_dms_options_spellings(void **state)
{
	(void)state;
	struct table_def def = {.name = "t", .type_affinity = true};
	table_def_add_column(&def, "u", "", false);
	table_def_add_column(&def, "b", "BLOB", false);
	table_def_add_column(&def, "t", "TEXT", false);
	struct value digits[] = {BLOB("\x12\x34"), BLOB("\xd7\x6d\xf8"), TEXT("a,b")};
	csv_round_trip_in(NULL, &def, digits, "X'1234',D76DF8,\"a,b\"\n");
	struct value exp[] = {BLOB("\x1e\x10"), BLOB("\x1e\x10"), TEXT("NULL")};
	csv_round_trip_in(NULL, &def, exp, "X'1E10',X'1E10',NULL\n");
	struct csv_style dms = {.delimiter = '|', .null_value = "NULL", .timestamp = true};
	struct value nulls[] = {{.type = VAL_NULL}, BLOB("\xab"), TEXT("NULL")};
	csv_round_trip_in(&dms, &def, nulls, "NULL|AB|\"NULL\"|2026-12-07 04:30:00.123000\n");
	struct value pipes[] = {TEXT("a|b"), BLOB(""), TEXT("a,b")};
	csv_round_trip_in(&dms, &def, pipes, "\"a|b\"|X''|a,b|2026-12-07 04:30:00.123000\n");
	free_cols(&def);
}

/* The spellings themselves (README, docs/design.md §5): FINDINGS.md F1 and
 * F3. The empty BLOB is X'' and the empty text "" in every column; +-Inf
 * is a REAL in a NUMERIC column, and text that reads as one is quoted. */
static void csv_spells_empty_blob_and_text_apart_and_quotes_number_text(void **state)
{
	(void)state;
	struct table_def def = {.name = "t", .type_affinity = true};
	table_def_add_column(&def, "u", "", false);
	table_def_add_column(&def, "b", "BLOB", false);
	table_def_add_column(&def, "n", "NUMERIC", false);
	table_def_add_column(&def, "t", "TEXT", false);
	struct value blobs[] = {BLOB(""), BLOB(""), BLOB(""), BLOB("")};
	csv_round_trip(&def, blobs, "X'',X'',X'',X''\n");
	struct value texts[] = {TEXT(""), TEXT(""), TEXT(""), TEXT("")};
	csv_round_trip(&def, texts, "\"\",\"\",\"\",\"\"\n");
	struct value inf[] = {REAL(INFINITY), REAL(-INFINITY), REAL(INFINITY), TEXT("Infinity")};
	csv_round_trip(&def, inf, "Infinity,-Infinity,Infinity,Infinity\n");
	struct value words[] = {TEXT("Infinity"), TEXT("NaN"), TEXT("Infinity"), TEXT("X''")};
	csv_round_trip(&def, words, "\"Infinity\",\"NaN\",\"Infinity\",\"X''\"\n");
	struct value digits[] = {BLOB("\xd7\x6d\xf8"), BLOB("\xd7\x6d\xf8"), TEXT("abc"),
				 TEXT("1")};
	csv_round_trip(&def, digits, "X'D76DF8',X'D76DF8',abc,1\n");
	free_cols(&def);
}

/* A MySQL source's columns keep their spellings: DECIMAL and dates exact
 * text (never a REAL), BIGINT UNSIGNED's digits, binary columns base64
 * (even "1234": they hold only bytes); its empty BLOB is X'' too, and ""
 * there (archives written before X'') still reads as the empty BLOB. */
static void csv_mysql_columns_keep_their_spellings(void **state)
{
	(void)state;
	struct table_def def = {.name = "t"};
	table_def_add_column(&def, "d", "decimal(10,2)", false);
	table_def_add_column(&def, "u", "bigint(20) unsigned", false);
	table_def_add_column(&def, "b", "varbinary(10)", false);
	table_def_add_column(&def, "s", "varchar(10)", false);
	struct value row[] = {TEXT("12.50"), TEXT("18446744073709551615"), BLOB("\xd7\x6d\xf8"),
			      TEXT("X''")};
	csv_round_trip(&def, row, "12.50,18446744073709551615,1234,\"X''\"\n");
	csv_round_trip_in(NULL, &def, row, "12.50,18446744073709551615,D76DF8,\"X''\"\n");
	struct value empty[] = {TEXT("2024-01-01"), INT(1), BLOB(""), TEXT("")};
	csv_round_trip(&def, empty, "2024-01-01,1,X'',\"\"\n");
	char path[] = "/tmp/test_changefile.XXXXXX";
	write_temp(path, "1.5,2,\"\",\"\"\n", 12);
	struct changefile_reader *r;
	assert_int_equal(changefile_open(&r, path, &def, FORMAT_CSV, false, false, NULL), 0);
	char op;
	const struct value *before, *after;
	assert_int_equal(changefile_next(r, &op, &before, &after), 1);
	assert_int_equal(after[0].type, VAL_TEXT);
	assert_int_equal(after[2].type, VAL_BLOB);
	assert_int_equal(after[2].n, 0);
	assert_int_equal(after[3].type, VAL_TEXT);
	changefile_close(r);
	unlink(path);
	free_cols(&def);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(plain_fields_are_not_quoted),
		cmocka_unit_test(reals_fast_path_matches_printf),
		cmocka_unit_test(commas_quotes_and_newlines_are_quoted),
		cmocka_unit_test(empty_string_is_two_quotes_and_null_is_empty),
		cmocka_unit_test(reals_print_shortest_round_trip),
		cmocka_unit_test(base64_round_trips_binary),
		cmocka_unit_test(csv_reader_reads_what_the_writer_wrote),
		cmocka_unit_test(csv_op_must_be_i_u_or_d),
		cmocka_unit_test(t_rows_carry_no_image),
		cmocka_unit_test(csv_record_of_nulls_reads_as_nulls),
		cmocka_unit_test(reals_are_read_only_from_decimal_spellings),
		cmocka_unit_test(numbers_holding_a_nul_byte_are_no_numbers),
		cmocka_unit_test(jsonl_images_must_hold_exactly_the_manifest_columns),
		cmocka_unit_test(csv_bare_cr_is_refused_and_cr_lf_ends_a_record),
		cmocka_unit_test(csv_sqlite_values_keep_their_type_in_every_affinity),
		cmocka_unit_test(csv_spells_empty_blob_and_text_apart_and_quotes_number_text),
		cmocka_unit_test(csv_mysql_columns_keep_their_spellings),
		cmocka_unit_test(csv_hex_and_dms_options_spellings),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
