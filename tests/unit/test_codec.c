/* REAL spellings (format_real, real_float32) hold the "fewest digits that
 * read back exactly" promise, checked against a slow reference over edge
 * cases and random bit patterns; utf8_valid agrees with RFC 3629. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "codec.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The reference: the least %.Ng precision that strtod reads back as r. */
static int reference_digits(double r)
{
	char text[40];
	for (int prec = 1; prec <= 17; prec++) {
		snprintf(text, sizeof(text), "%.*g", prec, r);
		if (strtod(text, NULL) == r)
			return prec;
	}
	return 99;
}

/* Significant digits of a decimal spelling: the mantissa's digits without
 * leading and trailing zeros ("1.0" has one, "0.000123" three). */
static int significant_digits(const char *s)
{
	char digits[40];
	size_t n = 0;
	for (const char *p = s; *p && *p != 'e' && *p != 'E'; p++)
		if (*p >= '0' && *p <= '9')
			digits[n++] = *p;
	size_t a = 0;
	while (a < n && digits[a] == '0')
		a++;
	while (n > a && digits[n - 1] == '0')
		n--;
	return n > a ? (int)(n - a) : 1; /* zero: one digit */
}

static void check_real(double r)
{
	char out[40];
	format_real(out, r);
	double back = strtod(out, NULL);
	if (memcmp(&back, &r, sizeof(r)) != 0)
		fail_msg("%a spelt %s reads back as %a", r, out, back);
	int want = reference_digits(r), got = significant_digits(out);
	if (got != want)
		fail_msg("%a spelt %s: %d digits, the fewest is %d", r, out, got, want);
	if (!strpbrk(out, ".eE"))
		fail_msg("%a spelt %s does not look like a REAL", r, out);
}

static double from_bits(uint64_t bits)
{
	double r;
	memcpy(&r, &bits, sizeof(r));
	return r;
}

static void edge_cases_are_shortest(void **state)
{
	(void)state;
	static const double cases[] = {0.0,
				       1.0,
				       -1.0,
				       0.1,
				       0.2,
				       0.3,
				       1.5,
				       100.0,
				       1e15,
				       1e16,
				       1e17,
				       1e21,
				       1e22,
				       1e23,
				       1e-4,
				       1e-5,
				       1e-7,
				       123456789012345.0,
				       1234567890123456.0,
				       0.30000000000000004,
				       1.0000000000000002,
				       2.2250738585072014e-308,
				       2.225073858507201e-308,
				       4.9406564584124654e-324,
				       1e-323,
				       1.5e-323,
				       3e-320,
				       1.7976931348623157e308,
				       -1.7976931348623157e308,
				       9007199254740992.0,
				       9007199254740993.0,
				       0.000123,
				       5e-324,
				       1e-310,
				       123.456e-310,
				       3.141592653589793,
				       2.718281828459045,
				       1e300,
				       0.1 + 0.2,
				       1.0 / 3.0,
				       2.0 / 3.0,
				       65536.0,
				       4294967296.0,
				       0.5,
				       0.25,
				       0.125};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		check_real(cases[i]);
		check_real(-cases[i]);
	}
	for (int e = -1074; e <= 1023; e++) /* every power of two */
		check_real(ldexp(1.0, e));
	for (int e = -323; e <= 308; e++) /* every power of ten */
		check_real(pow(10.0, e));
	char out[40];
	format_real(out, -0.0);
	assert_string_equal(out, "-0.0");
	format_real(out, 5e-324);
	assert_string_equal(out, "5e-324");
	format_real(out, 0.1);
	assert_string_equal(out, "0.1");
}

static void random_bit_patterns_are_shortest(void **state)
{
	(void)state;
	uint64_t x = 0x9E3779B97F4A7C15ULL;
	for (int i = 0; i < 20000; i++) {
		x ^= x << 13; /* xorshift64 */
		x ^= x >> 7;
		x ^= x << 17;
		double r = from_bits(x);
		if (isfinite(r))
			check_real(r);
		/* subnormals and short decimals, which random bits rarely give */
		check_real(from_bits(x & 0x000FFFFFFFFFFFFFULL));
		check_real((double)(int64_t)(x % 100000000) / 1000.0);
	}
}

static int reference_float_digits(float f)
{
	char text[40];
	for (int prec = 1; prec <= 9; prec++) {
		snprintf(text, sizeof(text), "%.*g", prec, (double)f);
		if (strtof(text, NULL) == f)
			return prec;
	}
	return 99;
}

static void check_float(float f)
{
	double r = real_float32((double)f);
	if ((float)r != f)
		fail_msg("float %a became %a, which is not the same float", (double)f, r);
	char out[40];
	format_real(out, r);
	if (f != 0 && significant_digits(out) != reference_float_digits(f))
		fail_msg("float %a spelt %s, the fewest digits are %d", (double)f, out,
			 reference_float_digits(f));
}

static void floats_keep_their_own_shortest_digits(void **state)
{
	(void)state;
	static const float cases[] = {
		1.1f,	     0.1f,	  3.14159f, 1e-45f, 1.17549435e-38f, 3.4028235e38f,
		16777216.0f, 16777217.0f, 0.3f,	    100.0f, -2.5f,	     0.0f};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check_float(cases[i]);
	char out[40];
	format_real(out, real_float32((double)1.1f));
	assert_string_equal(out, "1.1");
	uint32_t x = 2463534242u;
	for (int i = 0; i < 20000; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		float f;
		memcpy(&f, &x, sizeof(f));
		if (isfinite(f))
			check_float(f);
	}
}

static void utf8_validity(void **state)
{
	(void)state;
	assert_true(utf8_valid("", 0));
	assert_true(utf8_valid("plain", 5));
	assert_true(utf8_valid("a\0b", 3));
	assert_true(utf8_valid("\xc3\xa9", 2));		/* é */
	assert_true(utf8_valid("\xe2\x82\xac", 3));	/* € */
	assert_true(utf8_valid("\xf0\x9f\x98\x80", 4)); /* emoji */
	assert_true(utf8_valid("\xf4\x8f\xbf\xbf", 4)); /* U+10FFFF */
	assert_false(utf8_valid("\xff", 1));
	assert_false(utf8_valid("\x80", 1));
	assert_false(utf8_valid("a\xe2\x82", 3));	 /* cut */
	assert_false(utf8_valid("\xc0\xaf", 2));	 /* overlong */
	assert_false(utf8_valid("\xe0\x80\xaf", 3));	 /* overlong */
	assert_false(utf8_valid("\xed\xa0\x80", 3));	 /* surrogate */
	assert_false(utf8_valid("\xf4\x90\x80\x80", 4)); /* above U+10FFFF */
	assert_false(utf8_valid("\xf5\x80\x80\x80", 4));
	assert_false(utf8_valid("\xc3", 1));
}

/* Names as reports spell them: lossless, one line, valid UTF-8 kept. */
static void names_are_shown_losslessly(void **state)
{
	(void)state;
	static const char *const cases[][2] = {
		{"plain", "plain"},
		{"W\xc3\xa9 \xf0\x9f\x98\x80", "W\xc3\xa9 \xf0\x9f\x98\x80"},
		{"a\\b", "a\\\\b"},
		{"t\nx\t\x01\x7f", "t\\x0Ax\\x09\\x01\\x7F"},
		{"bad\xff\xfe", "bad\\xFF\\xFE"},
		{"cut\xe2\x82", "cut\\xE2\\x82"},
		{"\\xFF", "\\\\xFF"}, /* not confused with the byte 0xFF */
		/* C1 controls (U+009B is CSI to a UTF-8 terminal), each byte; U+00A0 is not one */
		{"c\xc2\x9b"
		 "31m\xc2\x80\xc2\xa0",
		 "c\\xC2\\x9B31m\\xC2\\x80\xc2\xa0"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *shown = name_shown(cases[i][0]);
		assert_string_equal(shown, cases[i][1]);
		free(shown);
	}
	/* A log message: controls escaped, a backslash left as it is. */
	struct buf line = BUF_INIT;
	const char *msg = "a\\b\nERROR x\x1b[31m";
	text_shown_add(&line, msg, strlen(msg), false);
	assert_string_equal(buf_str(&line), "a\\b\\x0AERROR x\\x1B[31m");
	buf_free(&line);
	/* The buffer form is name_shown_short's very text, cut included. */
	char buf[NAME_SHOWN_SHORT_SIZE], name[200];
	memset(name, '\x1b', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	for (const char *n = "a\\b", *m = name; n; n = m, m = NULL) {
		char *want = name_shown_short(n);
		assert_string_equal(name_shown_short_in(buf, n), want);
		free(want);
	}
	assert_int_equal(strlen(buf), NAME_SHOWN_SHORT_SIZE - 1);
	/* A cut never splits an escape or a UTF-8 character: 79 bytes then a
	 * 4-byte escape or a 2-byte character keep 79 and mark the cut. */
	for (size_t i = 0; i < 2; i++) {
		memset(name, 'a', 79);
		name[79] = '\0';
		strcat(name, i ? "\xc3\xa9tail" : "\x01tail");
		name_shown_short_in(buf, name);
		assert_int_equal(strlen(buf), 79 + 3);
		assert_string_equal(buf + 79, "...");
	}
	char *u = name_utf8("a\xff\xc3\xa9");
	assert_string_equal(u, "a\xef\xbf\xbd\xc3\xa9");
	free(u);
}

/* A hint's command spells a name whole (a long one too), as a shell reads it
 * back: plain, in single quotes, or, with a byte no one types, as $'...'
 * with name_shown's escapes and a note saying so. */
static void names_in_hints_are_whole_and_quoted_for_the_shell(void **state)
{
	(void)state;
	static const char *const cases[][3] = {
		{"Persons", "Persons", ""},
		{"a.b-c_1@x:y,z=%+/", "a.b-c_1@x:y,z=%+/", ""},
		{"my table", "'my table'", ""},
		{"it's", "'it'\\''s'", ""},
		{"a\\b", "'a\\b'", ""},
		{"$(rm -rf /)`x`;*", "'$(rm -rf /)`x`;*'", ""},
		{"\xc3\xa9t\xc3\xa9", "'\xc3\xa9t\xc3\xa9'", ""},
		{"", "''", ""},
		{"-x", "-- -x", ""},
		{"-x y", "-- '-x y'", ""},
		{"ok\x1b[31mX\\y", "$'ok\\x1B[31mX\\\\y'", "x"},
		{"a'\nb", "$'a\\'\\x0Ab'", "x"},
		{"bad\xff", "$'bad\\xFF'", "x"},
		{"c\xc2\x9b", "$'c\\xC2\\x9B'", "x"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *word = name_for_shell(cases[i][0]);
		assert_string_equal(word, cases[i][1]);
		free(word);
		assert_int_equal(*name_shell_note(cases[i][0]) != '\0', *cases[i][2] != '\0');
	}
	char name[300];
	memset(name, 'n', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	char *word = name_for_shell(name);
	assert_string_equal(word, name);
	free(word);
}

/* X'..' is the change files' BLOB literal: it reads back the bytes it
 * spells, either case; anything else is no literal and appends nothing. */
static void blob_literals_round_trip(void **state)
{
	(void)state;
	struct buf enc = BUF_INIT, dec = BUF_INIT;
	blob_literal_encode(&enc, "\0\xff\x0a", 3);
	assert_string_equal(buf_str(&enc), "X'00FF0A'");
	assert_int_equal(blob_literal_decode(&dec, enc.data, enc.len), 0);
	assert_int_equal(dec.len, 3);
	assert_memory_equal(dec.data, "\0\xff\x0a", 3);
	buf_reset(&enc);
	blob_literal_encode(&enc, "", 0);
	assert_string_equal(buf_str(&enc), "X''");
	assert_int_equal(blob_literal_decode(NULL, "x'0a'", 5), 0);
	static const char *const bad[] = {"X'", "X'0'", "X'0G'", "'00'", "X00", "X'00", "Y''", ""};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		buf_reset(&dec);
		assert_int_equal(blob_literal_decode(&dec, bad[i], strlen(bad[i])), -1);
		assert_int_equal(dec.len, 0);
	}
	buf_free(&enc);
	buf_free(&dec);
}

/* hex_encode spells every byte value as two upper-case digits after what
 * the buffer held; hex_decode reads either case back, and a string with a
 * non-digit anywhere (even after good pairs) appends nothing. */
static void hex_round_trips_every_byte(void **state)
{
	(void)state;
	char bytes[256];
	for (int i = 0; i < 256; i++)
		bytes[i] = (char)i;
	struct buf enc = BUF_INIT, dec = BUF_INIT;
	buf_adds(&enc, "ab");
	hex_encode(&enc, bytes, sizeof(bytes));
	assert_int_equal(enc.len, 2 + 512);
	assert_memory_equal(enc.data, "ab000102", 8);
	assert_string_equal(enc.data + 2 + 2 * 0xf9, "F9FAFBFCFDFEFF");
	buf_adds(&dec, "x");
	assert_int_equal(hex_decode(&dec, enc.data + 2, 512), 0);
	assert_int_equal(dec.len, 1 + 256);
	assert_memory_equal(dec.data + 1, bytes, 256);
	assert_int_equal(hex_decode(NULL, "0aFf", 4), 0);
	static const char *const bad[] = {"0", "0g", "00 1", "000G", "-1", "0x"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(hex_decode(NULL, bad[i], strlen(bad[i])), -1);
		assert_int_equal(hex_decode(&dec, bad[i], strlen(bad[i])), -1);
		assert_int_equal(dec.len, 1 + 256);
		assert_int_equal(dec.data[dec.len], '\0');
	}
	buf_free(&enc);
	buf_free(&dec);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(edge_cases_are_shortest),
		cmocka_unit_test(random_bit_patterns_are_shortest),
		cmocka_unit_test(floats_keep_their_own_shortest_digits),
		cmocka_unit_test(utf8_validity),
		cmocka_unit_test(names_are_shown_losslessly),
		cmocka_unit_test(names_in_hints_are_whole_and_quoted_for_the_shell),
		cmocka_unit_test(blob_literals_round_trip),
		cmocka_unit_test(hex_round_trips_every_byte),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
