/* Binary floating point to decimal digits without printf or strtod: the
 * exact scaling of Ryu (Ulf Adams, "Ryu: fast float-to-string conversion",
 * PLDI 2018), from which the digits that printf would print are rounded and
 * checked against the value's rounding interval. */
#ifndef CDCPACK_SHORTEST_H
#define CDCPACK_SHORTEST_H

#include <stdbool.h>
#include <stdint.h>

/* The value digits × 10^(exp - n + 1): n significant digits (trailing zeros
 * allowed), the first of them at 10^exp. */
struct shortest_decimal {
	uint64_t digits;
	int n;
	int exp;
};

/* |r| for a normal, finite, nonzero r as "%.Pg" rounds it, for the least
 * P of 15, 16, 17 whose rounding strtod reads back as r (17 always does):
 * the choice format_real has made since its first version. False (nothing
 * set) for zero, subnormals, infinities and NaN. */
bool shortest_double(double r, struct shortest_decimal *d, int *prec);
/* |f| for a normal, finite, nonzero f rounded to the fewest digits (found
 * by bisection over 1..9, as real_float32 always has) whose correct
 * rounding strtof reads back as f. False for anything else. */
bool shortest_float(float f, struct shortest_decimal *d);
/* What "%.{prec}g" prints for d (after a '-' when neg): fixed notation when
 * -4 <= exp < prec, else d.ddde+XX; trailing zeros and a bare '.' dropped.
 * Writes at most 26 bytes with the NUL; returns the length. */
int shortest_format_g(char *out, bool neg, const struct shortest_decimal *d, int prec);
/* d as the nearest double, when that takes one exact IEEE operation
 * (digits < 2^53 and 10^|k| <= 10^22 for the power k); false otherwise. */
bool shortest_to_double(const struct shortest_decimal *d, double *out);

#endif
