/* Ryu's exact scaling (Adams, PLDI 2018, section 3): a binary value m·2^e
 * and the two ends of its rounding interval (the midpoints to its
 * neighbours) are multiplied by a power of ten with 128-bit approximations
 * of powers of five that the paper proves give the exact floors. From those
 * floors, any rounding to fewer digits, and whether a decimal falls inside
 * the interval (reads back as the same value), are integer comparisons.
 * The shortest-digit search is printf's rule rather than the paper's step 4,
 * so the spellings stay byte for byte what format_real wrote with printf. */
#include "shortest.h"

#include <string.h>

#include "shortest_tables.h"

static const uint64_t POW10[20] = {1u,
				   10u,
				   100u,
				   1000u,
				   10000u,
				   100000u,
				   1000000u,
				   10000000u,
				   100000000u,
				   1000000000u,
				   10000000000u,
				   100000000000u,
				   1000000000000u,
				   10000000000000u,
				   100000000000000u,
				   1000000000000000u,
				   10000000000000000u,
				   100000000000000000u,
				   1000000000000000000u,
				   10000000000000000000u};

/* The floors of a value and of its interval's ends, times 10^-e10, and
 * whether each floor is exact (the scaled value an integer). */
struct scaled {
	uint64_t vr, vp, vm;
	int e10;
	int nd; /* digits of vr */
	bool vr_exact, vp_exact, vm_exact;
	bool accept_ends; /* m even: a tie at an end rounds to this value */
};

/* bits of 5^e (ceil(log2 5^e), 1 for e = 0), e in [0, 3528] */
static int pow5_bits(int e)
{
	return (int)(((uint32_t)e * 1217359u) >> 19) + 1;
}

/* floor(log10 2^e), e in [0, 1650] */
static int log10_pow2(int e)
{
	return (int)(((uint32_t)e * 78913u) >> 18);
}

/* floor(log10 5^e), e in [0, 2620] */
static int log10_pow5(int e)
{
	return (int)(((uint32_t)e * 732923u) >> 20);
}

/* floor(m × mul / 2^j), m < 2^55, mul a 128-bit table entry, j >= 64 */
static uint64_t mul_shift(uint64_t m, const uint64_t mul[2], int j)
{
	unsigned __int128 lo = (unsigned __int128)m * mul[0];
	unsigned __int128 hi = (unsigned __int128)m * mul[1];
	return (uint64_t)(((lo >> 64) + hi) >> (j - 64));
}

static bool divisible_by_pow5(uint64_t x, int q)
{
	for (; q > 0; q--) {
		if (x % 5)
			return false;
		x /= 5;
	}
	return true;
}

static bool divisible_by_pow2(uint64_t x, int q)
{
	return q < 64 && (x & ((1ull << q) - 1)) == 0;
}

static int digit_count(uint64_t v)
{
	int n = 1;
	while (n < 20 && v >= POW10[n])
		n++;
	return n;
}

/* m2·2^e2 (m2 < 2^54) with the lower neighbour 2^e2 below (or half that,
 * lower_half: the value is a power of two above the least exponent). */
static void scale(uint64_t m2, int e2, bool lower_half, struct scaled *s)
{
	uint64_t mv = 4 * m2, mp = mv + 2, mm = mv - 2 + lower_half;
	e2 -= 2;
	if (e2 >= 0) {
		/* times 2^e2 / 10^q: exact iff 5^q divides (q <= e2) */
		int q = log10_pow2(e2) - (e2 > 3);
		int j = -e2 + q + POW5_INV_BITS + pow5_bits(q) - 1;
		s->e10 = q;
		s->vr = mul_shift(mv, POW5_INV[q], j);
		s->vp = mul_shift(mp, POW5_INV[q], j);
		s->vm = mul_shift(mm, POW5_INV[q], j);
		s->vr_exact = divisible_by_pow5(mv, q);
		s->vp_exact = divisible_by_pow5(mp, q);
		s->vm_exact = divisible_by_pow5(mm, q);
	} else {
		/* times 5^i / 2^q, i = -e2 - q: exact iff 2^q divides */
		int q = log10_pow5(-e2) - (-e2 > 1);
		int i = -e2 - q;
		int j = q - (pow5_bits(i) - POW5_BITS);
		s->e10 = q + e2;
		s->vr = mul_shift(mv, POW5[i], j);
		s->vp = mul_shift(mp, POW5[i], j);
		s->vm = mul_shift(mm, POW5[i], j);
		s->vr_exact = divisible_by_pow2(mv, q);
		s->vp_exact = divisible_by_pow2(mp, q);
		s->vm_exact = divisible_by_pow2(mm, q);
	}
	s->nd = digit_count(s->vr);
	s->accept_ends = (m2 & 1) == 0;
}

/* The value correctly rounded to n digits (ties to even, as glibc's printf
 * in the default rounding mode); false when vr holds too few digits. */
static bool round_digits(const struct scaled *s, int n, struct shortest_decimal *d)
{
	d->n = n;
	d->exp = s->e10 + s->nd - 1;
	if (s->nd <= n) {
		d->digits = s->vr * POW10[n - s->nd];
		return s->vr_exact;
	}
	uint64_t p = POW10[s->nd - n], q = s->vr / p, rem = s->vr % p;
	if (rem > p / 2 || (rem == p / 2 && (!s->vr_exact || (q & 1))))
		q++;
	if (q == POW10[n]) {
		q /= 10;
		d->exp++;
	}
	d->digits = q;
	return true;
}

/* Whether strtod (or strtof) reads d back as the scaled value: d lies in
 * the rounding interval, its ends only when they round to the value. */
static bool reads_back(const struct scaled *s, const struct shortest_decimal *d)
{
	int t = d->exp - (d->n - 1) - s->e10;
	if (t < 0) /* only when d is vr exactly, padded */
		return true;
	unsigned __int128 y = (unsigned __int128)d->digits * POW10[t];
	bool below_top = y < s->vp || (y == s->vp && (!s->vp_exact || s->accept_ends));
	bool above_bottom = y > s->vm || (y == s->vm && s->vm_exact && s->accept_ends);
	return below_top && above_bottom;
}

bool shortest_double(double r, struct shortest_decimal *d, int *prec)
{
	uint64_t bits;
	memcpy(&bits, &r, sizeof(bits));
	int ieee_exp = (int)(bits >> 52 & 0x7ff);
	uint64_t mantissa = bits & ((1ull << 52) - 1);
	if (ieee_exp == 0 || ieee_exp == 0x7ff)
		return false;
	struct scaled s;
	scale(mantissa | 1ull << 52, ieee_exp - 1075, mantissa == 0 && ieee_exp > 1, &s);
	for (*prec = 15; *prec <= 17; ++*prec)
		if (!round_digits(&s, *prec, d))
			return false;
		else if (*prec == 17 || reads_back(&s, d))
			return true;
	return false;
}

bool shortest_float(float f, struct shortest_decimal *d)
{
	uint32_t bits;
	memcpy(&bits, &f, sizeof(bits));
	int ieee_exp = (int)(bits >> 23 & 0xff);
	uint32_t mantissa = bits & ((1u << 23) - 1);
	if (ieee_exp == 0 || ieee_exp == 0xff)
		return false;
	struct scaled s;
	/* The double tables serve: e2 of a float lies inside a double's range,
	 * and the exactness proof holds for every m below 2^55 at each e2. */
	scale(mantissa | 1u << 23, ieee_exp - 150, mantissa == 0 && ieee_exp > 1, &s);
	int lo = 1, hi = 9; /* FLT_DECIMAL_DIG: 9 digits always read back */
	while (lo < hi) {
		int mid = (lo + hi) / 2;
		if (!round_digits(&s, mid, d))
			return false;
		if (reads_back(&s, d))
			hi = mid;
		else
			lo = mid + 1;
	}
	return round_digits(&s, lo, d);
}

int shortest_format_g(char *out, bool neg, const struct shortest_decimal *d, int prec)
{
	uint64_t v = d->digits;
	int n = d->n;
	for (; n > 1 && v % 10 == 0; n--)
		v /= 10;
	char digits[20] = {
		0}; /* d->n >= 1: digits[0] is always written; the analyzer cannot tell */
	for (int i = n - 1; i >= 0; i--, v /= 10)
		digits[i] = (char)('0' + v % 10);
	char *o = out;
	if (neg)
		*o++ = '-';
	int x = d->exp;
	if (x < -4 || x >= prec) {
		*o++ = digits[0];
		if (n > 1) {
			*o++ = '.';
			memcpy(o, digits + 1, (size_t)(n - 1));
			o += n - 1;
		}
		*o++ = 'e';
		*o++ = x < 0 ? '-' : '+';
		int ax = x < 0 ? -x : x;
		if (ax >= 100)
			*o++ = (char)('0' + ax / 100);
		*o++ = (char)('0' + ax / 10 % 10);
		*o++ = (char)('0' + ax % 10);
	} else if (x < 0) {
		memcpy(o, "0.0000", (size_t)(1 - x));
		o += 1 - x;
		memcpy(o, digits, (size_t)n);
		o += n;
	} else {
		int whole = x + 1;
		for (int i = 0; i < whole; i++)
			*o++ = i < n ? digits[i] : '0';
		if (n > whole) {
			*o++ = '.';
			memcpy(o, digits + whole, (size_t)(n - whole));
			o += n - whole;
		}
	}
	*o = '\0';
	return (int)(o - out);
}

bool shortest_to_double(const struct shortest_decimal *d, double *out)
{
	static const double exact[23] = {1e0,  1e1,  1e2,  1e3,	 1e4,  1e5,  1e6,  1e7,
					 1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
					 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
	int k = d->exp - d->n + 1;
	if (d->digits >= 1ull << 53 || k < -22 || k > 22)
		return false;
	/* one IEEE operation on exact operands: correctly rounded, as strtod */
	*out = k >= 0 ? (double)d->digits * exact[k] : (double)d->digits / exact[-k];
	return true;
}
