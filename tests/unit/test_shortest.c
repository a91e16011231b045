/* The printf-free REAL spellings (shortest.c behind format_real and
 * real_float32) against the printf/strtod code they replaced, kept here
 * verbatim as the reference: byte-identical over edge cases and random bit
 * patterns (CDCPACK_SHORTEST_COUNT of them, default 300,000; set it higher
 * for a long run), and on a sample, a spelling reads back bit-exact and no
 * decimal with fewer digits reads back. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "buf.h"
#include "codec.h"

#include <fenv.h>
#include <float.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- The reference: format_real and real_float32 as of commit e2f0841. */

/* n/10^k with n < 10^15 the one that equals a, k as small as can be. */
static bool find_short_decimal(double a, long long *n, int *k)
{
	static const double pow10[] = {1, 10, 100, 1e3, 1e4, 1e5, 1e6};
	for (int i = 0; i < (int)(sizeof(pow10) / sizeof(pow10[0])); i++) {
		double scaled = a * pow10[i];
		if (scaled >= 1e15)
			return false;
		long long m = (long long)(scaled + 0.5);
		/* m < 2^53 and 10^i are exact: the division rounds the decimal
		 * m/10^i exactly as strtod would. */
		if ((double)m / pow10[i] != a)
			continue;
		for (; i > 0 && m % 10 == 0; i--)
			m /= 10;
		*n = m;
		*k = i;
		return true;
	}
	return false;
}

/* The common case, fast: |r| in [1e-4, 1e15) equal to a decimal of at most
 * 15 significant digits and 6 decimals (prices, amounts, 1.25). That
 * decimal, with the fewest decimals, is exactly what "%.15g" prints (15-digit
 * decimals near r lie more than an ulp apart, so the one that reads back as
 * r is the nearest), without printf's and strtod's cost. */
static bool format_short_decimal(char out[40], double r)
{
	double a = r < 0 ? -r : r;
	long long n;
	int k;
	if (!(a >= 1e-4 && a < 1e15) || !find_short_decimal(a, &n, &k))
		return false;
	char digits[20];
	int len = (int)uint_digits(digits, (unsigned long long)n);
	char *o = out;
	if (r < 0)
		*o++ = '-';
	if (len <= k) { /* 0.000123 */
		*o++ = '0';
		*o++ = '.';
		memset(o, '0', (size_t)(k - len));
		o += k - len;
	} else {
		memcpy(o, digits, (size_t)(len - k));
		o += len - k;
		*o++ = '.';
		if (k == 0)
			*o++ = '0'; /* "1.0", as below */
	}
	int frac = len < k ? len : k; /* digits of n that follow the point */
	memcpy(o, digits + len - frac, (size_t)frac);
	o[frac] = '\0';
	return true;
}

/* "%.*g" of r into out, prec at most 17 (25 characters at most): through a
 * buffer wide enough for any precision, as the compiler cannot tell. */
static void print_g(char out[40], int prec, double r)
{
	char tmp[400];
	int n = snprintf(tmp, sizeof(tmp), "%.*g", prec, r);
	size_t len = n < 0 ? 0 : (size_t)n < 39 ? (size_t)n : 39;
	memcpy(out, tmp, len);
	out[len] = '\0';
}

/* A subnormal holds fewer than 15 digits (5e-324 is the one double near
 * 4.94065645841247e-324): the fewest that read back, by bisection (a
 * spelling that reads back stays one with more digits, being nearer). */
static void shortest_subnormal(char out[40], double r)
{
	int lo = 1, hi = 15; /* 15 reads back */
	while (lo < hi) {
		int mid = (lo + hi) / 2;
		print_g(out, mid, r);
		if (strtod(out, NULL) == r)
			hi = mid;
		else
			lo = mid + 1;
	}
	print_g(out, lo, r);
}

static double old_real_float32(double r)
{
	float f = (float)r;
	if (!isfinite(f) || f == 0)
		return f;
	char text[40];
	int lo = 1, hi = 9; /* FLT_DECIMAL_DIG: 9 digits always read back */
	while (lo < hi) {
		int mid = (lo + hi) / 2;
		print_g(text, mid, (double)f);
		if (strtof(text, NULL) == f)
			hi = mid;
		else
			lo = mid + 1;
	}
	print_g(text, lo, (double)f);
	return strtod(text, NULL);
}

static void old_format_real(char out[40], double r)
{
	if (format_short_decimal(out, r))
		return;
	if (isinf(r)) {
		snprintf(out, 40, "%s", r > 0 ? "Infinity" : "-Infinity");
		return;
	}
	if (isnan(r)) {
		snprintf(out, 40, "NaN");
		return;
	}
	/* A normal double is the only one near its 15-digit rounding (DBL_DIG):
	 * when that reads back, no shorter spelling does. */
	int prec = 15;
	print_g(out, prec, r);
	if (strtod(out, NULL) != r) {
		while (++prec < 17 && (print_g(out, prec, r), strtod(out, NULL) != r))
			;
		if (prec == 17)
			print_g(out, 17, r);
	} else if (r != 0 && fabs(r) < DBL_MIN) {
		shortest_subnormal(out, r);
	}
	/* Keep a REAL looking like one ("1.0", not "1"), as SQLite prints it. */
	size_t len = strlen(out); /* at most 24 of the 40 bytes */
	if (!strpbrk(out, ".eEnN"))
		memcpy(out + len, ".0", 3);
}

/* ---- The checks. */

static long count_from_env(void)
{
	const char *s = getenv("CDCPACK_SHORTEST_COUNT");
	long n = s ? strtol(s, NULL, 10) : 0;
	return n > 0 ? n : 300000;
}

static uint64_t xorshift64(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

static double from_bits(uint64_t bits)
{
	double r;
	memcpy(&r, &bits, sizeof(r));
	return r;
}

static void same_as_reference(double r)
{
	char got[40], want[40];
	format_real(got, r);
	old_format_real(want, r);
	if (strcmp(got, want) != 0)
		fail_msg("%a (%.17g) spelt %s, the printf code spelt %s", r, r, got, want);
}

/* The mantissa digits of the "%.*e" spelling of r in the rounding mode
 * given: with FE_DOWNWARD and FE_UPWARD, the two decimals of n digits
 * around r (glibc's printf rounds exactly, in the current mode). */
static double directed(double r, int n, int mode)
{
	char text[64];
	fesetround(mode);
	snprintf(text, sizeof(text), "%.*e", n - 1, r);
	fesetround(FE_TONEAREST);
	return strtod(text, NULL);
}

static int significant_digits(const char *s)
{
	int n = 0, lead = 1, zeros = 0;
	for (const char *p = s; *p && *p != 'e'; p++) {
		if (*p < '0' || *p > '9')
			continue;
		if (*p == '0' && lead)
			continue;
		lead = 0;
		zeros = *p == '0' ? zeros + 1 : 0;
		n++;
	}
	return n - zeros > 0 ? n - zeros : 1;
}

/* Reads back bit-exact; and no decimal of fewer digits does (the nearest
 * ones below and above r at each shorter length miss it). Powers of two
 * are the exception printf's rule allows: their interval is lopsided, so
 * a 16-digit decimal can read back while the nearest 16-digit one does not,
 * and the rule then takes 17 digits. */
static void round_trips_and_is_shortest(double r)
{
	char out[40];
	format_real(out, r);
	double back = strtod(out, NULL);
	if (memcmp(&back, &r, sizeof(r)) != 0)
		fail_msg("%a spelt %s reads back as %a", r, out, back);
	uint64_t bits;
	memcpy(&bits, &r, sizeof(bits));
	bool pow2 = (bits & ((1ull << 52) - 1)) == 0;
	int n = significant_digits(out);
	for (int k = 1; k < n; k++)
		if (directed(r, k, FE_DOWNWARD) == r || directed(r, k, FE_UPWARD) == r) {
			if (pow2 && k == 16 && n == 17)
				continue;
			fail_msg("%a spelt %s, but %d digits also read back", r, out, k);
		}
}

static void same_float_as_reference(float f)
{
	double got = real_float32((double)f), want = old_real_float32((double)f);
	if (memcmp(&got, &want, sizeof(got)) != 0)
		fail_msg("float %a became %a, the printf code gave %a", (double)f, got, want);
	same_as_reference(got);
}

static void edge_cases_are_as_before(void **state)
{
	(void)state;
	static const double cases[] = {0.0,
				       1.0,
				       0.1,
				       1e-4,
				       9.9999999999999991e-5,
				       1e-5,
				       1e15,
				       999999999999999.0,
				       1e16,
				       1e17,
				       123456789012345678.0,
				       1e21,
				       1e22,
				       1e23,
				       DBL_MIN,
				       DBL_MAX,
				       DBL_TRUE_MIN,
				       DBL_EPSILON,
				       2.225073858507201e-308,
				       9007199254740991.0,
				       9007199254740992.0,
				       9007199254740994.0,
				       9223372036854775807.0,
				       9223372036854774784.0,
				       18446744073709551615.0,
				       4503599627370495.5,
				       0.30000000000000004,
				       5e-324,
				       1.0 / 3.0,
				       1.0 / 0.0,
				       NAN};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		same_as_reference(cases[i]);
		same_as_reference(-cases[i]);
		if (isfinite(cases[i]))
			round_trips_and_is_shortest(cases[i]);
	}
	for (int e = -1074; e <= 1023; e++) { /* every power of two, and next to it */
		double p = ldexp(1.0, e);
		same_as_reference(p);
		same_as_reference(nextafter(p, 0));
		same_as_reference(nextafter(p, INFINITY));
		round_trips_and_is_shortest(p);
	}
	for (int e = -323; e <= 308; e++) { /* every power of ten, and next to it */
		double p = pow(10.0, e);
		same_as_reference(p);
		same_as_reference(nextafter(p, 0));
		same_as_reference(nextafter(p, INFINITY));
		round_trips_and_is_shortest(p);
	}
	for (int64_t i = -2000; i <= 2000; i++) { /* integers near 2^53 and 2^63 */
		same_as_reference((double)((1ll << 53) + i));
		same_as_reference(ldexp(1.0, 63) + (double)i * 1024.0);
	}
	char out[40];
	format_real(out, -0.0);
	assert_string_equal(out, "-0.0");
	format_real(out, 1.0 / 0.0);
	assert_string_equal(out, "Infinity");
	format_real(out, -1.0 / 0.0);
	assert_string_equal(out, "-Infinity");
}

static void random_doubles_are_as_before(void **state)
{
	(void)state;
	long count = count_from_env();
	uint64_t x = 0x2545F4914F6CDD1DULL;
	for (long i = 0; i < count; i++) {
		uint64_t bits = xorshift64(&x);
		double r = from_bits(bits);
		same_as_reference(r);
		/* the shapes random bits rarely give: subnormals, short decimals,
		 * money (random() * 1000, the bench's REAL column) */
		if (i % 16 == 0)
			same_as_reference(from_bits(bits & 0x800FFFFFFFFFFFFFULL));
		if (i % 4 == 0) {
			same_as_reference((double)(int64_t)(bits % 100000000) / 1000.0);
			same_as_reference((double)(int64_t)bits * 1000.0);
		}
		if (i % 64 == 0 && isfinite(r))
			round_trips_and_is_shortest(r);
	}
}

static void floats_are_as_before(void **state)
{
	(void)state;
	static const float cases[] = {1.1f,    0.1f,	      3.14159f,	   1e-45f,	FLT_MIN,
				      FLT_MAX, FLT_EPSILON,   16777216.0f, 16777217.0f, 1e-10f,
				      1e10f,   3.4028235e38f, 1e-38f,	   0.0f,	-0.0f};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		same_float_as_reference(cases[i]);
		same_float_as_reference(-cases[i]);
	}
	for (int e = -149; e <= 127; e++)
		same_float_as_reference(ldexpf(1.0f, e));
	long count = count_from_env();
	uint32_t x = 2463534242u;
	for (long i = 0; i < count / 4; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		float f;
		memcpy(&f, &x, sizeof(f));
		same_float_as_reference(f);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(edge_cases_are_as_before),
		cmocka_unit_test(random_doubles_are_as_before),
		cmocka_unit_test(floats_are_as_before),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
