/* Binlog row images (mysql_rows.c): the table map's metadata, NULL and
 * absent columns, sign extension by declared type, DECIMAL's and TIME2's
 * binary forms, numbers taken as the trigger images' text reads them, and
 * images that end early (refused, never read past). The
 * integration test binlog_changes_match_trigger_capture checks every type
 * against the server's own spelling. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "buf.h"
#include "err.h"
#include "mysql_image.h"
#include "mysql_rows.h"

#include <math.h>
#include <mysql.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A table of three columns: (id int, d decimal(5,2), t time(2)). */
static const uint8_t types3[] = {MYSQL_TYPE_LONG, MYSQL_TYPE_NEWDECIMAL, MYSQL_TYPE_TIME2};
static const uint8_t meta3[] = {5, 2, 2}; /* decimal: precision, scale; time2: fsp */

struct fixture {
	struct rows_map map;
	struct table_def def;
	struct column cols[3];
	enum coltype_kind kinds[3];
	struct value out[3];
	struct buf scratch[3];
};

static void setup3(struct fixture *f, const char *int_type)
{
	memset(f, 0, sizeof(*f));
	assert_int_equal(rows_map_parse(&f->map, types3, 3, meta3, sizeof(meta3)), 0);
	const char *names[] = {"id", "d", "t"};
	const char *decls[] = {int_type, "decimal(5,2)", "time(2)"};
	for (int i = 0; i < 3; i++) {
		f->cols[i].name = (char *)names[i];
		f->cols[i].type = (char *)decls[i];
		f->kinds[i] = coltype_kind_of(decls[i]);
	}
	f->def.cols = f->cols;
	f->def.ncols = 3;
}

static void teardown3(struct fixture *f)
{
	rows_map_free(&f->map);
	for (int i = 0; i < 3; i++)
		buf_free(&f->scratch[i]);
}

static int decode(struct fixture *f, const uint8_t *present, const uint8_t *img, size_t n,
		  const uint8_t **end)
{
	struct rows_layout l = {&f->map, f->kinds, &f->def};
	const uint8_t *p = img;
	int rc = rows_decode(&l, present, &p, img + n, f->out, f->scratch);
	if (end)
		*end = p;
	return rc;
}

static void assert_text(const struct value *v, const char *want)
{
	assert_int_equal(v->type, VAL_TEXT);
	assert_int_equal(v->n, strlen(want));
	assert_memory_equal(v->p, want, v->n);
}

static void values_and_nulls_decode(void **state)
{
	(void)state;
	struct fixture f;
	setup3(&f, "int(11)");
	const uint8_t all[] = {0x07};
	/* nulls: none; id -5; d = -0.50 (bytes 0x7f 0xff 0xcd); t = -00:00:01.50
	 * (MySQL's my_time_packed_to_binary: seconds -2 from 0x800000, then the
	 * fraction -50 as a byte, 0xce, which borrows a second back). */
	const uint8_t img[] = {0x00, 0xfb, 0xff, 0xff, 0xff, 0x7f,
			       0xff, 0xcd, 0x7f, 0xff, 0xfe, 0xce};
	const uint8_t *end;
	assert_int_equal(decode(&f, all, img, sizeof(img), &end), 0);
	assert_ptr_equal(end, img + sizeof(img));
	assert_int_equal(f.out[0].type, VAL_INT);
	assert_int_equal(f.out[0].i, -5);
	assert_text(&f.out[1], "-0.50");
	assert_text(&f.out[2], "-00:00:01.50");

	/* d NULL (bit 1 of the NULL bitmap): no bytes for it. */
	const uint8_t img2[] = {0x02, 0x01, 0x00, 0x00, 0x00, 0x80, 0x00, 0x0c, 0x00};
	assert_int_equal(decode(&f, all, img2, sizeof(img2), &end), 0);
	assert_ptr_equal(end, img2 + sizeof(img2));
	assert_int_equal(f.out[0].i, 1);
	assert_int_equal(f.out[1].type, VAL_NULL);
	assert_text(&f.out[2], "00:00:12.00");
	teardown3(&f);
}

static void unsigned_columns_are_not_sign_extended(void **state)
{
	(void)state;
	struct fixture f;
	setup3(&f, "int(10) unsigned");
	const uint8_t only_id[] = {0x01}; /* d and t absent: NULL, no bytes */
	const uint8_t img[] = {0x00, 0x00, 0x28, 0x6b, 0xee};
	assert_int_equal(decode(&f, only_id, img, sizeof(img), NULL), 0);
	assert_int_equal(f.out[0].type, VAL_INT);
	assert_int_equal(f.out[0].i, 4000000000LL);
	assert_int_equal(f.out[1].type, VAL_NULL);
	assert_int_equal(f.out[2].type, VAL_NULL);
	teardown3(&f);
}

static void images_that_end_early_are_refused(void **state)
{
	(void)state;
	struct fixture f;
	setup3(&f, "int(11)");
	const uint8_t all[] = {0x07};
	const uint8_t img[] = {0x00, 0xfb, 0xff, 0xff, 0xff, 0x7f,
			       0xff, 0xcd, 0x7f, 0xff, 0xfe, 0xce};
	for (size_t n = 0; n < sizeof(img); n++)
		assert_int_equal(decode(&f, all, img, n, NULL), CDC_ERUNTIME);
	teardown3(&f);
	struct rows_map m;
	assert_int_equal(rows_map_parse(&m, types3, 3, meta3, 2), CDC_ERUNTIME);
	const uint8_t bad_fsp[] = {9};
	const uint8_t time2[] = {MYSQL_TYPE_TIME2};
	assert_int_equal(rows_map_parse(&m, time2, 1, bad_fsp, 1), CDC_ERUNTIME);
}

/* One column of binlog type type (meta: its table map byte) declared decl,
 * decoded from the len bytes of v (little-endian, as the log holds them). */
static void decode_one(uint8_t type, uint8_t meta, const char *decl, const void *bytes, size_t len,
		       struct value *out, struct buf *scratch)
{
	struct rows_map map;
	assert_int_equal(rows_map_parse(&map, &type, 1, &meta,
					type == MYSQL_TYPE_DOUBLE || type == MYSQL_TYPE_FLOAT),
			 0);
	struct column col = {.name = (char *)"c", .type = (char *)decl};
	struct table_def def = {.cols = &col, .ncols = 1};
	enum coltype_kind kind = coltype_kind_of(decl);
	struct rows_layout l = {&map, &kind, &def};
	uint8_t img[16] = {0x00}, present = 0x01;
	memcpy(img + 1, bytes, len);
	const uint8_t *p = img;
	assert_int_equal(rows_decode(&l, &present, &p, img + 1 + len, out, scratch), 0);
	assert_ptr_equal(p, img + 1 + len);
	rows_map_free(&map);
}

/* What the value would be from its text, as mysql_decode_text reads it
 * (the way numbers were decoded before they were taken straight). */
static void assert_as_spelled(const struct value *got, const char *decl, const char *spelled)
{
	struct value want;
	mysql_decode_text(&want, coltype_kind_of(decl), spelled, strlen(spelled));
	assert_int_equal(got->type, want.type);
	if (want.type == VAL_INT)
		assert_int_equal(got->i, want.i);
	else if (want.type == VAL_REAL)
		assert_memory_equal(&got->r, &want.r, sizeof(double)); /* -0 and 0 differ */
	else
		assert_true(got->n == want.n && memcmp(got->p, want.p, want.n) == 0);
}

static void numbers_are_the_values_their_spelling_reads_as(void **state)
{
	(void)state;
	struct buf scratch = BUF_INIT;
	struct value v;
	char text[64];
	static const uint64_t ints[] = {0,	    1,		127,	   128,
					255,	    32767,	32768,	   65535,
					8388607,    8388608,	16777215,  2147483647,
					2147483648, 4294967295, INT64_MAX, (uint64_t)INT64_MAX + 1,
					UINT64_MAX};
	static const struct {
		uint8_t type;
		size_t n;
		const char *sdecl, *udecl;
	} widths[] = {{MYSQL_TYPE_TINY, 1, "tinyint(4)", "tinyint(3) unsigned"},
		      {MYSQL_TYPE_SHORT, 2, "smallint(6)", "smallint(5) unsigned"},
		      {MYSQL_TYPE_INT24, 3, "mediumint(9)", "mediumint(8) unsigned"},
		      {MYSQL_TYPE_LONG, 4, "int(11)", "int(10) unsigned"},
		      {MYSQL_TYPE_LONGLONG, 8, "bigint(20)", "bigint(20) unsigned"}};
	for (size_t w = 0; w < sizeof(widths) / sizeof(widths[0]); w++) {
		size_t n = widths[w].n;
		for (size_t i = 0; i < sizeof(ints) / sizeof(ints[0]); i++) {
			uint64_t u = n < 8 ? ints[i] & ((UINT64_C(1) << (8 * n)) - 1) : ints[i];
			uint8_t le[8];
			for (size_t b = 0; b < 8; b++)
				le[b] = (uint8_t)(u >> (8 * b));
			int64_t s = (int64_t)u;
			if (n < 8 && (u >> (8 * n - 1) & 1))
				s = (int64_t)(u | ~(uint64_t)0 << (8 * n));
			decode_one(widths[w].type, 0, widths[w].sdecl, le, n, &v, &scratch);
			snprintf(text, sizeof(text), "%lld", (long long)s);
			assert_as_spelled(&v, widths[w].sdecl, text);
			decode_one(widths[w].type, 0, widths[w].udecl, le, n, &v, &scratch);
			snprintf(text, sizeof(text), "%llu", (unsigned long long)u);
			assert_as_spelled(&v, widths[w].udecl, text);
			/* A column declared as text (retyped since): spelled. */
			decode_one(widths[w].type, 0, "varchar(20)", le, n, &v, &scratch);
			snprintf(text, sizeof(text), "%lld", (long long)s);
			assert_as_spelled(&v, "varchar(20)", text);
		}
	}
	/* Doubles and floats: edge values and pseudo-random bit patterns. */
	uint64_t x = 88172645463325252ULL;
	for (int i = 0; i < 20000; i++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		double d;
		static const double edges[] = {0.0,
					       -0.0,
					       1.25,
					       0.1,
					       5e-324,
					       -2.2250738585072014e-308,
					       1.7976931348623157e308,
					       INFINITY,
					       -INFINITY,
					       NAN};
		uint64_t bits = x;
		if (i < (int)(sizeof(edges) / sizeof(edges[0])))
			memcpy(&bits, &edges[i], 8);
		memcpy(&d, &bits, 8);
		decode_one(MYSQL_TYPE_DOUBLE, 8, "double", &bits, 8, &v, &scratch);
		snprintf(text, sizeof(text), "%.17g", d);
		assert_as_spelled(&v, "double", text);
		float f;
		uint32_t fbits = (uint32_t)(x >> 32);
		if (i < (int)(sizeof(edges) / sizeof(edges[0]))) {
			f = (float)edges[i];
			memcpy(&fbits, &f, 4);
		}
		memcpy(&f, &fbits, 4);
		decode_one(MYSQL_TYPE_FLOAT, 4, "float", &fbits, 4, &v, &scratch);
		snprintf(text, sizeof(text), "%.17g", (double)f);
		assert_as_spelled(&v, "float", text);
	}
	buf_free(&scratch);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(values_and_nulls_decode),
		cmocka_unit_test(unsigned_columns_are_not_sign_extended),
		cmocka_unit_test(images_that_end_early_are_refused),
		cmocka_unit_test(numbers_are_the_values_their_spelling_reads_as),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
