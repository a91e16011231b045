/* The changelog's row images: comma-joined SQLite quote() literals. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "buf.h"
#include "err.h"
#include "sqlite_image.h"

#include <stdlib.h>
#include <string.h>

static void every_storage_class_parses(void **state)
{
	(void)state;
	const char *text = "NULL,-9223372036854775808,1.0000000000000002,'it''s, ok',X'00FF',''";
	struct value v[6];
	struct buf scratch = BUF_INIT;
	assert_int_equal(sqlite_image_parse(text, strlen(text), 6, v, &scratch), 0);
	assert_int_equal(v[0].type, VAL_NULL);
	assert_int_equal(v[1].type, VAL_INT);
	assert_true(v[1].i == INT64_MIN);
	assert_int_equal(v[2].type, VAL_REAL);
	assert_true(v[2].r == 1.0000000000000002);
	assert_int_equal(v[3].type, VAL_TEXT);
	assert_int_equal(v[3].n, 8);
	assert_memory_equal(v[3].p, "it's, ok", 8);
	assert_int_equal(v[4].type, VAL_BLOB);
	assert_int_equal(v[4].n, 2);
	assert_memory_equal(v[4].p, "\0\xff", 2);
	assert_int_equal(v[5].type, VAL_TEXT);
	assert_int_equal(v[5].n, 0);
	buf_free(&scratch);
}

static void infinity_spelling_parses(void **state)
{
	(void)state;
	struct value v[2];
	struct buf scratch = BUF_INIT;
	assert_int_equal(sqlite_image_parse("9.0e+999,-9.0e+999", 18, 2, v, &scratch), 0);
	assert_true(v[0].r > 1e308 && v[1].r < -1e308);
	buf_free(&scratch);
}

static void wrong_counts_and_junk_are_errors(void **state)
{
	(void)state;
	struct value v[3];
	struct buf scratch = BUF_INIT;
	assert_int_equal(sqlite_image_parse("1,2", 3, 3, v, &scratch), CDC_ERUNTIME);
	assert_int_equal(sqlite_image_parse("1,2,3,4", 7, 3, v, &scratch), CDC_ERUNTIME);
	assert_int_equal(sqlite_image_parse("'open", 5, 1, v, &scratch), CDC_ERUNTIME);
	assert_int_equal(sqlite_image_parse("X'0G'", 5, 1, v, &scratch), CDC_ERUNTIME);
	assert_int_equal(sqlite_image_parse("12abc", 5, 1, v, &scratch), CDC_ERUNTIME);
	assert_int_equal(sqlite_image_parse("99999999999999999999", 20, 1, v, &scratch),
			 CDC_ERUNTIME);
	buf_free(&scratch);
}

/* A number last in an image that is a slice (no NUL after it): found by
 * fuzz_image, the parser looked for a comma past len (an ASan report in
 * the asan build). */
static void number_at_end_of_a_slice_stays_inside_it(void **state)
{
	(void)state;
	char *text = malloc(4);
	memcpy(text, "1,42", 4);
	struct value v[2];
	struct buf scratch = BUF_INIT;
	assert_int_equal(sqlite_image_parse(text, 4, 2, v, &scratch), 0);
	assert_int_equal(v[1].type, VAL_INT);
	assert_int_equal(v[1].i, 42);
	assert_int_equal(sqlite_image_parse(text, 3, 2, v, &scratch), 0);
	assert_int_equal(v[1].i, 4);
	free(text);
	buf_free(&scratch);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_storage_class_parses),
		cmocka_unit_test(infinity_spelling_parses),
		cmocka_unit_test(wrong_counts_and_junk_are_errors),
		cmocka_unit_test(number_at_end_of_a_slice_stays_inside_it),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
