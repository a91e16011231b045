#include "rowhash.h"

#include "coltype.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <xxh_x86dispatch.h> /* runtime AVX2 dispatch of XXH3 (docs/design.md §8) */
#include <xxhash.h>

enum canon_class canon_class_for(const char *decl, const char *driver)
{
	const char *s = decl;
	while (isspace((unsigned char)*s))
		s++;
	/* YEAR is a small number: MySQL prints it as text, SQLite stores an integer. */
	if (strncasecmp(s, "year", 4) == 0 && !isalnum((unsigned char)s[4]))
		return CANON_DECIMAL;
	/* coltype_kind_of reads SQLite's spellings too (DECIMAL(10,2), DATETIME, REAL). */
	switch (coltype_kind_of(decl)) {
	case COLTYPE_DECIMAL:
	case COLTYPE_UINT: /* above INT64_MAX the driver hands it over as text */
		return CANON_DECIMAL;
	case COLTYPE_TIMESTAMP:
	case COLTYPE_TEMPORAL:
		return CANON_TEMPORAL;
	case COLTYPE_FLOAT: {
		/* The driver says whether its FLOAT is single precision (MySQL's)
		 * or a double (SQLite's); an unknown driver's is a double. */
		const struct type_rules *r = coltype_rules_for(driver);
		return r && r->float32 ? CANON_FLOAT32 : CANON_PLAIN;
	}
	default:
		return CANON_PLAIN;
	}
}

enum canon_class canon_class_merge(enum canon_class a, enum canon_class b)
{
	return a == CANON_PLAIN ? b : a;
}

static void set_int(struct canon *c, int64_t i)
{
	c->kind = CK_INT;
	c->i = i;
}

/* Integral doubles in int64's range compare and hash as integers, as
 * SQLite's 3 = 3.0 holds; -0.0 becomes 0; every NaN is one NaN. */
static void set_real(struct canon *c, double r)
{
	if (isnan(r)) {
		c->kind = CK_REAL;
		c->r = NAN;
		return;
	}
	if (r >= -9223372036854775808.0 && r < 9223372036854775808.0 && r == (double)(int64_t)r) {
		set_int(c, (int64_t)r);
		return;
	}
	c->kind = CK_REAL;
	c->r = r;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Appends the digits of s[*i..] to c->buf (skipping leading zeros);
 * *exp drops by one per digit when frac. False when too many digits. */
static bool take_digits(const char *s, size_t n, size_t *i, struct canon *c, bool frac,
			int64_t *exp, bool *any)
{
	for (; *i < n && is_digit(s[*i]); (*i)++) {
		*any = true;
		if (frac)
			(*exp)--;
		if (c->n == 0 && s[*i] == '0')
			continue;
		if (c->n >= sizeof(c->buf))
			return false;
		c->buf[c->n++] = s[*i];
	}
	return true;
}

static bool take_exponent(const char *s, size_t n, size_t *i, int64_t *exp)
{
	if (*i >= n || (s[*i] != 'e' && s[*i] != 'E'))
		return true;
	(*i)++;
	bool neg = *i < n && s[*i] == '-';
	if (*i < n && (s[*i] == '+' || s[*i] == '-'))
		(*i)++;
	int64_t e = 0;
	size_t start = *i;
	for (; *i < n && is_digit(s[*i]); (*i)++)
		if ((e = e * 10 + (s[*i] - '0')) > 100000)
			return false;
	*exp += neg ? -e : e;
	return *i > start;
}

/* "-001.2500" -> neg, digits "125", exponent -2. False when s is not a
 * plain decimal numeral (then it stays text). */
static bool parse_decimal(const char *s, size_t n, struct canon *c)
{
	size_t i = 0;
	int64_t exp = 0;
	bool any = false;
	c->n = 0;
	c->neg = i < n && s[i] == '-';
	if (i < n && (s[i] == '+' || s[i] == '-'))
		i++;
	if (!take_digits(s, n, &i, c, false, &exp, &any))
		return false;
	if (i < n && s[i] == '.') {
		i++;
		if (!take_digits(s, n, &i, c, true, &exp, &any))
			return false;
	}
	if (!any || !take_exponent(s, n, &i, &exp) || i != n)
		return false;
	while (c->n && c->buf[c->n - 1] == '0') {
		c->n--;
		exp++;
	}
	c->i = exp;
	c->p = c->buf;
	return true;
}

/* The integer digits x 10^exp, when it fits int64. */
static bool decimal_as_int(const struct canon *c, int64_t *out)
{
	if (c->i < 0 || c->n + (size_t)c->i > 19)
		return false;
	uint64_t u = 0;
	for (size_t k = 0; k < c->n + (size_t)c->i; k++) {
		unsigned d = k < c->n ? (unsigned)(c->buf[k] - '0') : 0;
		if (u > (UINT64_MAX - d) / 10)
			return false;
		u = u * 10 + d;
	}
	if (u > (c->neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX))
		return false;
	*out = c->neg ? (int64_t)(0 - u) : (int64_t)u;
	return true;
}

static double decimal_to_double(const struct canon *c)
{
	char tmp[128];
	snprintf(tmp, sizeof(tmp), "%s%.*se%lld", c->neg ? "-" : "", (int)c->n, c->buf,
		 (long long)c->i);
	return strtod(tmp, NULL);
}

/* True when r's shortest round-trip spelling is exactly c's value: then c
 * and the REAL r are the same number and must hash alike. */
static bool decimal_is_double(const struct canon *c, double r)
{
	char tmp[40];
	for (int prec = 15; prec <= 17; prec++) {
		snprintf(tmp, sizeof(tmp), "%.*e", prec - 1, r);
		if (strtod(tmp, NULL) == r)
			break;
	}
	struct canon d;
	if (!parse_decimal(tmp, strlen(tmp), &d))
		return false;
	return d.neg == c->neg && d.i == c->i && d.n == c->n && memcmp(d.buf, c->buf, c->n) == 0;
}

/* A decimal numeral becomes the integer, REAL or exact decimal it equals. */
static bool canon_decimal_text(const char *s, size_t n, struct canon *c)
{
	if (!parse_decimal(s, n, c))
		return false;
	int64_t i;
	if (c->n == 0) {
		set_int(c, 0);
	} else if (decimal_as_int(c, &i)) {
		set_int(c, i);
	} else {
		double r = decimal_to_double(c);
		/* Up to 15 significant digits a double holds any decimal exactly
		 * enough to spell it back (DBL_DIG), so r is c. */
		if (c->n <= 15 || decimal_is_double(c, r))
			set_real(c, r);
		else
			c->kind = CK_DEC;
	}
	return true;
}

static bool digits_at(const char *s, size_t n, size_t at, size_t count)
{
	if (at + count > n)
		return false;
	for (size_t k = 0; k < count; k++)
		if (!is_digit(s[at + k]))
			return false;
	return true;
}

/* Copies "HH:MM[:SS][.fff]" from s[*i..] to out as "HH:MM:SS[.fff]" with
 * the fraction's trailing zeros dropped. Hours may have 1-3 digits and a
 * sign (MySQL TIME). Returns the length written, 0 when not a time. */
static size_t norm_clock(const char *s, size_t n, size_t *i, char *out, size_t cap)
{
	size_t at = *i, w = 0, h = 0;
	if (at < n && s[at] == '-')
		out[w++] = s[at++];
	while (h < 3 && at + h < n && is_digit(s[at + h]))
		h++;
	if (h == 0 || !digits_at(s, n, at + h + 1, 2) || s[at + h] != ':' || w + h + 10 > cap)
		return 0;
	if (h == 1)
		out[w++] = '0'; /* "5:30" as MySQL prints it: "05:30" */
	memcpy(out + w, s + at, h + 3);
	w += h + 3;
	at += h + 3;
	if (at < n && s[at] == ':' && digits_at(s, n, at + 1, 2)) {
		memcpy(out + w, s + at, 3);
		at += 3;
	} else {
		memcpy(out + w, ":00", 3);
	}
	w += 3;
	if (at < n && s[at] == '.') {
		size_t f = 1;
		while (at + f < n && is_digit(s[at + f]))
			f++;
		size_t keep = f;
		while (keep > 1 && s[at + keep - 1] == '0')
			keep--;
		if (w + keep > cap)
			return 0;
		if (keep > 1)
			memcpy(out + w, s + at, keep);
		w += keep > 1 ? keep : 0;
		at += f;
	}
	*i = at;
	return w;
}

/* UTC designators a written timestamp may carry; MySQL prints none. */
static bool utc_suffix(const char *s, size_t n)
{
	return n == 0 || (n == 1 && (s[0] == 'Z' || s[0] == 'z')) ||
	       (n == 6 && (memcmp(s, "+00:00", 6) == 0 || memcmp(s, "-00:00", 6) == 0)) ||
	       (n == 5 && memcmp(s, "+0000", 5) == 0);
}

/* One spelling for a date, date-time or time: "YYYY-MM-DD HH:MM:SS[.f]",
 * 'T' and a UTC zone accepted, fraction without trailing zeros. Text that
 * is no such thing stays as it is. */
static void canon_temporal_text(const char *s, size_t n, struct canon *c)
{
	size_t i = 0, w = 0;
	bool date = digits_at(s, n, 0, 4) && n >= 10 && s[4] == '-' && digits_at(s, n, 5, 2) &&
		    s[7] == '-' && digits_at(s, n, 8, 2);
	if (date && n > 11 && (s[10] == ' ' || s[10] == 'T' || s[10] == 't')) {
		memcpy(c->buf, s, 10);
		c->buf[10] = ' ';
		i = 11;
		size_t t = norm_clock(s, n, &i, c->buf + 11, sizeof(c->buf) - 11);
		if (t && s[11] != '-' && utc_suffix(s + i, n - i))
			w = 11 + t;
	} else if (!date) {
		w = norm_clock(s, n, &i, c->buf, sizeof(c->buf));
		if (i != n)
			w = 0;
	}
	if (w) {
		c->p = c->buf;
		c->n = w;
	}
}

static void canon_text(const struct value *v, enum canon_class cls, struct canon *c)
{
	c->kind = CK_TEXT;
	c->p = v->p;
	c->n = v->n;
	if (cls == CANON_DECIMAL && v->n < sizeof(c->buf) && canon_decimal_text(v->p, v->n, c))
		return;
	c->kind = CK_TEXT;
	c->p = v->p;
	c->n = v->n;
	if (cls == CANON_TEMPORAL)
		canon_temporal_text(v->p, v->n, c);
}

void canon_value(const struct value *v, enum canon_class cls, struct canon *out)
{
	switch (v->type) {
	case VAL_NULL:
		out->kind = CK_NULL;
		break;
	case VAL_INT:
		set_int(out, v->i);
		break;
	case VAL_REAL:
		set_real(out, cls == CANON_FLOAT32 ? (double)(float)v->r : v->r);
		break;
	case VAL_TEXT:
		canon_text(v, cls, out);
		break;
	case VAL_BLOB:
		out->kind = CK_BLOB;
		out->p = v->p;
		out->n = v->n;
		break;
	}
}

static int rank(enum canon_kind k)
{
	switch (k) {
	case CK_NULL:
		return 0;
	case CK_INT:
	case CK_REAL:
	case CK_DEC:
		return 1;
	case CK_TEXT:
		return 2;
	default:
		return 3;
	}
}

/* Exact on x86-64, where long double holds every int64 and double. Exact
 * decimals beyond that precision order by an approximation: the scan's
 * order check then reports them rather than mis-pairing keys. */
static long double number_of(const struct canon *c)
{
	if (c->kind == CK_INT)
		return (long double)c->i;
	if (c->kind == CK_REAL)
		return c->r;
	char tmp[128];
	snprintf(tmp, sizeof(tmp), "%s%.*se%lld", c->neg ? "-" : "", (int)c->n, c->p,
		 (long long)c->i);
	return strtold(tmp, NULL);
}

static bool is_nan(const struct canon *c)
{
	return c->kind == CK_REAL && isnan(c->r);
}

static int number_cmp(const struct canon *a, const struct canon *b)
{
	bool na = is_nan(a), nb = is_nan(b);
	if (na || nb)
		return nb - na; /* NaN first, as one value */
	long double x = number_of(a), y = number_of(b);
	if (x != y)
		return x < y ? -1 : 1;
	return (a->kind > b->kind) - (a->kind < b->kind);
}

/* The canon as a value of the same order; decimals and NaN have none. */
static struct value as_value(const struct canon *c)
{
	static const enum value_type types[] = {[CK_NULL] = VAL_NULL,
						[CK_INT] = VAL_INT,
						[CK_REAL] = VAL_REAL,
						[CK_TEXT] = VAL_TEXT,
						[CK_BLOB] = VAL_BLOB};
	return (struct value){.type = types[c->kind], .i = c->i, .r = c->r, .p = c->p, .n = c->n};
}

int canon_cmp(const struct canon *a, const struct canon *b)
{
	if (a->kind != CK_DEC && b->kind != CK_DEC && !is_nan(a) && !is_nan(b)) {
		struct value x = as_value(a), y = as_value(b);
		return value_cmp(&x, &y); /* SQLite's BINARY order */
	}
	int ra = rank(a->kind), rb = rank(b->kind);
	if (ra != rb)
		return ra < rb ? -1 : 1;
	return number_cmp(a, b); /* both numbers, one exact decimal or NaN */
}

/* Hashes and keys store integers in host order: little-endian on every
 * platform cdcpack builds for, checked here so that stored snapshots and
 * hashes never silently change meaning. */
_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "row hashes assume little-endian");

/* Room for n more bytes at the end of b (and buf's NUL). */
static inline uint8_t *reserve(struct buf *b, size_t n)
{
	if (b->len + n + 1 > b->cap)
		buf_grow(b, n);
	return (uint8_t *)b->data + b->len;
}

void varint_put(struct buf *out, uint64_t v)
{
	out->len += varint_write(reserve(out, 10), v);
	out->data[out->len] = '\0';
}

static inline void put_fixed(struct buf *out, char tag, const void *p8)
{
	uint8_t *d = reserve(out, 9);
	d[0] = (uint8_t)tag;
	memcpy(d + 1, p8, 8);
	out->len += 9;
}

static inline void put_bytes(struct buf *out, char tag, const char *p, size_t n)
{
	uint8_t *d = reserve(out, 11 + n);
	d[0] = (uint8_t)tag;
	size_t at = 1 + varint_write(d + 1, n);
	if (n)
		memcpy(d + at, p, n);
	out->len += at + n;
}

static void put_decimal(struct buf *out, const struct canon *c)
{
	uint64_t zig = ((uint64_t)c->i << 1) ^ (uint64_t)(c->i >> 63);
	uint8_t *d = reserve(out, 22 + c->n);
	size_t at = 0;
	d[at++] = 'D';
	d[at++] = c->neg ? '-' : '+';
	at += varint_write(d + at, zig);
	at += varint_write(d + at, c->n);
	memcpy(d + at, c->p, c->n);
	out->len += at + c->n;
}

static void encode_canon(struct buf *out, const struct canon *c)
{
	switch (c->kind) {
	case CK_NULL:
		*reserve(out, 1) = 'N';
		out->len++;
		break;
	case CK_INT:
		put_fixed(out, 'I', &c->i);
		break;
	case CK_REAL:
		put_fixed(out, 'R', &c->r);
		break;
	case CK_DEC:
		put_decimal(out, c);
		break;
	case CK_TEXT:
		put_bytes(out, 'T', c->p, c->n);
		break;
	case CK_BLOB:
		put_bytes(out, 'B', c->p, c->n);
		break;
	}
}

/* The common cases skip the canon: nothing to reinterpret. Inlined into
 * rowhash's loop, where every row's every value passes. */
static inline void encode_value(struct buf *out, const struct value *v, enum canon_class cls)
{
	if (v->type == VAL_INT) {
		put_fixed(out, 'I', &v->i);
	} else if (v->type == VAL_NULL) {
		*reserve(out, 1) = 'N';
		out->len++;
	} else if ((v->type == VAL_TEXT && cls == CANON_PLAIN) || v->type == VAL_BLOB) {
		put_bytes(out, v->type == VAL_TEXT ? 'T' : 'B', v->p, v->n);
	} else if (v->type == VAL_REAL && cls != CANON_FLOAT32) {
		struct canon c;
		set_real(&c, v->r);
		encode_canon(out, &c);
	} else {
		struct canon c;
		canon_value(v, cls, &c);
		encode_canon(out, &c);
	}
}

void canon_encode(struct buf *out, const struct value *v, enum canon_class cls)
{
	encode_value(out, v, cls);
	out->data[out->len] = '\0';
}

uint64_t rowhash(struct buf *enc, const struct value *row, const size_t *cols,
		 const enum canon_class *classes, size_t n)
{
	enc->len = 0;
	for (size_t k = 0; k < n; k++)
		encode_value(enc, &row[cols[k]], classes[k]);
	return XXH3_64bits(enc->data, enc->len);
}
