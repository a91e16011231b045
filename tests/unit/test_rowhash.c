/* Row hashing (src/format/rowhash.c) and key records (src/format/keyrec.c): the canonical
 * form makes distinct rows hash apart and the same logical row hash alike
 * whichever engine spelt it (docs/design.md §4, §8). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "buf.h"
#include "keyrec.h"
#include "rowhash.h"

#include <math.h>
#include <string.h>
#include <xxhash.h>

static struct value vnull(void)
{
	return (struct value){.type = VAL_NULL};
}

static struct value vint(int64_t i)
{
	return (struct value){.type = VAL_INT, .i = i};
}

static struct value vreal(double r)
{
	return (struct value){.type = VAL_REAL, .r = r};
}

static struct value vtext(const char *s)
{
	return (struct value){.type = VAL_TEXT, .p = s, .n = strlen(s)};
}

static struct value vblob(const char *s, size_t n)
{
	return (struct value){.type = VAL_BLOB, .p = s, .n = n};
}

static const size_t cols[] = {0, 1, 2, 3};

/* Hash of a row of n values, every column of class c. */
static uint64_t hash_row(const struct value *row, size_t n, enum canon_class c)
{
	enum canon_class classes[4] = {c, c, c, c};
	struct buf enc = BUF_INIT;
	uint64_t h = rowhash(&enc, row, cols, classes, n);
	buf_free(&enc);
	return h;
}

static uint64_t hash1(struct value v, enum canon_class c)
{
	return hash_row(&v, 1, c);
}

static void null_empty_and_the_word_null_differ(void **state)
{
	(void)state;
	uint64_t n = hash1(vnull(), CANON_PLAIN), e = hash1(vtext(""), CANON_PLAIN),
		 w = hash1(vtext("NULL"), CANON_PLAIN), b = hash1(vblob("", 0), CANON_PLAIN);
	assert_int_not_equal(n, e);
	assert_int_not_equal(n, w);
	assert_int_not_equal(e, w);
	assert_int_not_equal(e, b);
	assert_int_not_equal(hash1(vtext("a"), CANON_PLAIN), hash1(vblob("a", 1), CANON_PLAIN));
}

static void lengths_keep_columns_apart(void **state)
{
	(void)state;
	struct value r1[2] = {vtext("ab"), vtext("c")};
	struct value r2[2] = {vtext("a"), vtext("bc")};
	struct value r3[2] = {vtext("abc"), vtext("")};
	assert_int_not_equal(hash_row(r1, 2, CANON_PLAIN), hash_row(r2, 2, CANON_PLAIN));
	assert_int_not_equal(hash_row(r1, 2, CANON_PLAIN), hash_row(r3, 2, CANON_PLAIN));
	struct value n1[2] = {vnull(), vtext("x")};
	struct value n2[2] = {vtext("x"), vnull()};
	assert_int_not_equal(hash_row(n1, 2, CANON_PLAIN), hash_row(n2, 2, CANON_PLAIN));
}

static void integral_reals_are_integers(void **state)
{
	(void)state;
	assert_int_equal(hash1(vint(3), CANON_PLAIN), hash1(vreal(3.0), CANON_PLAIN));
	assert_int_equal(hash1(vint(0), CANON_PLAIN), hash1(vreal(-0.0), CANON_PLAIN));
	assert_int_equal(hash1(vreal(0.0), CANON_PLAIN), hash1(vreal(-0.0), CANON_PLAIN));
	assert_int_equal(hash1(vint(-7), CANON_PLAIN), hash1(vreal(-7.0), CANON_PLAIN));
	assert_int_not_equal(hash1(vint(3), CANON_PLAIN), hash1(vreal(3.5), CANON_PLAIN));
	/* Past int64 a REAL stays a REAL. */
	assert_int_not_equal(hash1(vreal(1e19), CANON_PLAIN), hash1(vint(INT64_MAX), CANON_PLAIN));
	assert_int_equal(hash1(vreal(NAN), CANON_PLAIN), hash1(vreal(-NAN), CANON_PLAIN));
}

static void decimals_equal_their_numbers(void **state)
{
	(void)state;
	enum canon_class d = CANON_DECIMAL;
	/* MySQL DECIMAL(10,2) prints '1.50'; a SQLite NUMERIC column holds 1.5. */
	assert_int_equal(hash1(vtext("1.50"), d), hash1(vreal(1.5), d));
	assert_int_equal(hash1(vtext("0.10"), d), hash1(vreal(0.1), d));
	assert_int_equal(hash1(vtext("2.00"), d), hash1(vint(2), d));
	assert_int_equal(hash1(vtext("-0.00"), d), hash1(vint(0), d));
	assert_int_equal(hash1(vtext("007"), d), hash1(vint(7), d));
	assert_int_equal(hash1(vtext("-12.340"), d), hash1(vreal(-12.34), d));
	assert_int_equal(hash1(vtext("1e3"), d), hash1(vint(1000), d));
	assert_int_not_equal(hash1(vtext("1.51"), d), hash1(vreal(1.5), d));
	/* Beyond a double's precision the exact digits count. */
	assert_int_equal(hash1(vtext("12345678901234567.50"), d),
			 hash1(vtext("12345678901234567.5"), d));
	assert_int_not_equal(hash1(vtext("12345678901234567.5"), d),
			     hash1(vtext("12345678901234567.6"), d));
	assert_int_not_equal(hash1(vtext("12345678901234567.5"), d),
			     hash1(vreal(12345678901234567.5), d));
	/* BIGINT UNSIGNED above INT64_MAX arrives as text, and stays exact. */
	assert_int_equal(hash1(vtext("18446744073709551615"), d),
			 hash1(vtext("18446744073709551615.0"), d));
	assert_int_not_equal(hash1(vtext("18446744073709551615"), d),
			     hash1(vtext("18446744073709551614"), d));
	/* Not a numeral: text it stays. */
	assert_int_equal(hash1(vtext("n/a"), d), hash1(vtext("n/a"), CANON_PLAIN));
	assert_int_equal(hash1(vtext(" 1.5"), d), hash1(vtext(" 1.5"), CANON_PLAIN));
	/* Outside numeric columns text is never read as a number. */
	assert_int_not_equal(hash1(vtext("1.5"), CANON_PLAIN), hash1(vreal(1.5), CANON_PLAIN));
}

static void temporal_values_have_one_spelling(void **state)
{
	(void)state;
	enum canon_class t = CANON_TEMPORAL;
	uint64_t mysql = hash1(vtext("2024-01-02 03:04:05"), t);
	assert_int_equal(mysql, hash1(vtext("2024-01-02T03:04:05"), t));
	assert_int_equal(mysql, hash1(vtext("2024-01-02T03:04:05Z"), t));
	assert_int_equal(mysql, hash1(vtext("2024-01-02 03:04:05+00:00"), t));
	assert_int_equal(mysql, hash1(vtext("2024-01-02 03:04:05.000"), t));
	assert_int_equal(hash1(vtext("2024-01-02 03:04:00"), t),
			 hash1(vtext("2024-01-02 03:04"), t));
	/* DATETIME(3) prints every digit; SQLite keeps what was written. */
	assert_int_equal(hash1(vtext("2024-01-02 03:04:05.120"), t),
			 hash1(vtext("2024-01-02T03:04:05.12Z"), t));
	assert_int_not_equal(hash1(vtext("2024-01-02 03:04:05.12"), t),
			     hash1(vtext("2024-01-02 03:04:05.13"), t));
	/* Another zone is another instant: left as written, so it differs. */
	assert_int_not_equal(mysql, hash1(vtext("2024-01-02 03:04:05+02:00"), t));
	assert_int_equal(hash1(vtext("2024-01-02"), t), hash1(vtext("2024-01-02"), CANON_PLAIN));
	assert_int_equal(hash1(vtext("05:30:00"), t), hash1(vtext("5:30"), t));
	assert_int_equal(hash1(vtext("-01:00:00.5"), t), hash1(vtext("-01:00:00.500000"), t));
	assert_int_equal(hash1(vtext("838:59:59"), t), hash1(vtext("838:59:59.000"), t));
	assert_int_equal(hash1(vtext("soon"), t), hash1(vtext("soon"), CANON_PLAIN));
	/* Outside temporal columns the text is compared as it is. */
	assert_int_not_equal(hash1(vtext("2024-01-02T03:04:05"), CANON_PLAIN), mysql);
}

static void float32_columns_round_both_sides(void **state)
{
	(void)state;
	/* MySQL FLOAT 0.1 reads back widened: 0.10000000149011612. */
	double widened = (double)0.1f;
	assert_int_equal(hash1(vreal(widened), CANON_FLOAT32), hash1(vreal(0.1), CANON_FLOAT32));
	assert_int_not_equal(hash1(vreal(widened), CANON_PLAIN), hash1(vreal(0.1), CANON_PLAIN));
}

static void text_and_blobs_are_their_bytes(void **state)
{
	(void)state;
	assert_int_equal(hash1(vtext("caf\xc3\xa9"), CANON_PLAIN),
			 hash1(vtext("caf\xc3\xa9"), CANON_TEMPORAL));
	assert_int_not_equal(hash1(vtext("caf\xc3\xa9"), CANON_PLAIN),
			     hash1(vtext("cafe"), CANON_PLAIN));
	assert_int_not_equal(hash1(vtext("a"), CANON_PLAIN), hash1(vtext("A"), CANON_PLAIN));
	assert_int_not_equal(hash1(vtext("a"), CANON_PLAIN), hash1(vtext("a "), CANON_PLAIN));
	assert_int_equal(hash1(vblob("\0\1", 2), CANON_PLAIN),
			 hash1(vblob("\0\1", 2), CANON_DECIMAL));
	assert_int_not_equal(hash1(vblob("\0\1", 2), CANON_PLAIN),
			     hash1(vblob("\0\2", 2), CANON_PLAIN));
}

static void the_encoding_is_the_documented_one(void **state)
{
	(void)state;
	struct value row[3] = {vint(1), vtext("a"), vnull()};
	static const unsigned char want[] = {'I', 1, 0, 0, 0, 0, 0, 0, 0, 'T', 1, 'a', 'N'};
	assert_int_equal(hash_row(row, 3, CANON_PLAIN), XXH3_64bits(want, sizeof(want)));
	struct buf enc = BUF_INIT;
	canon_encode(&enc, &(struct value){.type = VAL_TEXT, .p = "-1.250", .n = 6}, CANON_DECIMAL);
	/* -1.25 is a double exactly: 'R' and its bits. */
	double r = -1.25;
	uint64_t bits;
	memcpy(&bits, &r, 8);
	assert_int_equal(enc.len, 9);
	assert_int_equal(enc.data[0], 'R');
	assert_memory_equal(enc.data + 1, &bits, 8);
	buf_free(&enc);
}

static void classes_follow_declared_types(void **state)
{
	(void)state;
	assert_int_equal(canon_class_for("DECIMAL(10,2)", "sqlite"), CANON_DECIMAL);
	assert_int_equal(canon_class_for("decimal(10,2)", "mysql"), CANON_DECIMAL);
	assert_int_equal(canon_class_for("NUMERIC", "sqlite"), CANON_DECIMAL);
	assert_int_equal(canon_class_for("bigint(20) unsigned", "mysql"), CANON_DECIMAL);
	assert_int_equal(canon_class_for("year(4)", "mysql"), CANON_DECIMAL);
	assert_int_equal(canon_class_for("datetime(3)", "mysql"), CANON_TEMPORAL);
	assert_int_equal(canon_class_for("TIMESTAMP", "sqlite"), CANON_TEMPORAL);
	assert_int_equal(canon_class_for("date", "mysql"), CANON_TEMPORAL);
	assert_int_equal(canon_class_for("float", "mysql"), CANON_FLOAT32);
	assert_int_equal(canon_class_for("FLOAT", "sqlite"), CANON_PLAIN);
	assert_int_equal(canon_class_for("INTEGER", "sqlite"), CANON_PLAIN);
	assert_int_equal(canon_class_for("varchar(20)", "mysql"), CANON_PLAIN);
	assert_int_equal(canon_class_for("", "sqlite"), CANON_PLAIN);
	assert_int_equal(canon_class_merge(CANON_PLAIN, CANON_TEMPORAL), CANON_TEMPORAL);
	assert_int_equal(canon_class_merge(CANON_DECIMAL, CANON_PLAIN), CANON_DECIMAL);
}

static int cmp_values(struct value a, struct value b, enum canon_class c)
{
	struct canon x, y;
	canon_value(&a, c, &x);
	canon_value(&b, c, &y);
	return canon_cmp(&x, &y);
}

static void order_matches_sqlite_binary(void **state)
{
	(void)state;
	assert_true(cmp_values(vnull(), vint(-5), CANON_PLAIN) < 0);
	assert_true(cmp_values(vint(-5), vreal(2.5), CANON_PLAIN) < 0);
	assert_true(cmp_values(vreal(2.5), vint(3), CANON_PLAIN) < 0);
	assert_true(cmp_values(vint(3), vreal(3.0), CANON_PLAIN) == 0);
	assert_true(cmp_values(vint(INT64_MAX), vreal(9.3e18), CANON_PLAIN) < 0);
	assert_true(cmp_values(vint(3), vtext("2"), CANON_PLAIN) < 0);
	assert_true(cmp_values(vtext("A"), vtext("a"), CANON_PLAIN) < 0);
	assert_true(cmp_values(vtext("a"), vtext("a "), CANON_PLAIN) < 0);
	assert_true(cmp_values(vtext("a "), vtext("\xc3\xa1"), CANON_PLAIN) < 0);
	assert_true(cmp_values(vtext("z"), vblob("\0", 1), CANON_PLAIN) < 0);
	/* MySQL orders DECIMAL keys by value, not by their text. */
	assert_true(cmp_values(vtext("9.50"), vtext("10.00"), CANON_DECIMAL) < 0);
	assert_true(cmp_values(vtext("9.50"), vtext("10.00"), CANON_PLAIN) > 0);
	assert_true(cmp_values(vtext("1.50"), vreal(1.5), CANON_DECIMAL) == 0);
	assert_true(cmp_values(vtext("12345678901234567890.5"), vint(INT64_MAX), CANON_DECIMAL) >
		    0);
}

static void key_records_round_trip(void **state)
{
	(void)state;
	struct value row[5] = {vint(-5), vtext("x\0y"), vreal(2.5), vnull(), vblob("\xff", 1)};
	row[1].n = 3;
	size_t order[5] = {0, 1, 2, 3, 4};
	struct buf key = BUF_INIT, rec = BUF_INIT;
	keyrec_encode_key(&key, row, order, 5);
	keyrec_put(&rec, (const uint8_t *)key.data, key.len, 0x0123456789abcdefULL);
	struct keyrec r;
	size_t used;
	assert_int_equal(keyrec_parse((const uint8_t *)rec.data, rec.len, 5, &r, &used), 1);
	assert_int_equal(used, rec.len);
	assert_int_equal(r.hash, 0x0123456789abcdefULL);
	struct value back[5];
	keyrec_decode(&r, back, NULL, 5);
	for (size_t i = 0; i < 5; i++)
		assert_true(value_same(&row[i], &back[i]));
	/* A record cut short waits for more bytes; a wrong key count is an error. */
	assert_int_equal(keyrec_parse((const uint8_t *)rec.data, rec.len - 1, 5, &r, &used), 0);
	assert_true(keyrec_parse((const uint8_t *)rec.data, rec.len, 4, &r, &used) < 0);
	buf_free(&key);
	buf_free(&rec);
}

static void key_records_order_by_value(void **state)
{
	(void)state;
	enum canon_class cls[2] = {CANON_DECIMAL, CANON_PLAIN};
	size_t order[2] = {0, 1};
	struct value a[2] = {vtext("9.50"), vtext("b")}, b[2] = {vtext("10.00"), vtext("a")};
	struct value c[2] = {vtext("9.5"), vtext("b")};
	struct buf ka = BUF_INIT, kb = BUF_INIT, kc = BUF_INIT;
	keyrec_encode_key(&ka, a, order, 2);
	keyrec_encode_key(&kb, b, order, 2);
	keyrec_encode_key(&kc, c, order, 2);
	const uint8_t *pa = (const uint8_t *)ka.data, *pb = (const uint8_t *)kb.data,
		      *pc = (const uint8_t *)kc.data;
	assert_true(keyrec_cmp(pa, ka.len, pb, kb.len, cls, 2) < 0);
	assert_true(keyrec_cmp(pb, kb.len, pa, ka.len, cls, 2) > 0);
	assert_int_equal(keyrec_cmp(pa, ka.len, pc, kc.len, cls, 2), 0);
	buf_free(&ka);
	buf_free(&kb);
	buf_free(&kc);
}

static void varints_round_trip(void **state)
{
	(void)state;
	const uint64_t vals[] = {0, 1, 127, 128, 16383, 16384, UINT32_MAX, UINT64_MAX};
	for (size_t i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
		struct buf b = BUF_INIT;
		varint_put(&b, vals[i]);
		uint64_t back = 0;
		assert_int_equal(varint_get((const uint8_t *)b.data, b.len, &back), b.len);
		assert_true(back == vals[i]);
		assert_int_equal(varint_get((const uint8_t *)b.data, b.len - 1, &back), 0);
		buf_free(&b);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(null_empty_and_the_word_null_differ),
		cmocka_unit_test(lengths_keep_columns_apart),
		cmocka_unit_test(integral_reals_are_integers),
		cmocka_unit_test(decimals_equal_their_numbers),
		cmocka_unit_test(temporal_values_have_one_spelling),
		cmocka_unit_test(float32_columns_round_both_sides),
		cmocka_unit_test(text_and_blobs_are_their_bytes),
		cmocka_unit_test(the_encoding_is_the_documented_one),
		cmocka_unit_test(classes_follow_declared_types),
		cmocka_unit_test(order_matches_sqlite_binary),
		cmocka_unit_test(key_records_round_trip),
		cmocka_unit_test(key_records_order_by_value),
		cmocka_unit_test(varints_round_trip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
