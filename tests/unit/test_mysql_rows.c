/* Binlog row images (mysql_rows.c): the table map's metadata, NULL and
 * absent columns, sign extension by declared type, DECIMAL's and TIME2's
 * binary forms, and images that end early (refused, never read past). The
 * integration test binlog_changes_match_trigger_capture checks every type
 * against the server's own spelling. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "buf.h"
#include "err.h"
#include "mysql_rows.h"

#include <mysql.h>
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(values_and_nulls_decode),
		cmocka_unit_test(unsigned_columns_are_not_sign_extended),
		cmocka_unit_test(images_that_end_early_are_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
