#include "codec.h"
#include "shortest.h"

#include <ctype.h>
#include <errno.h>
#include <float.h>
#include <stdbool.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

void base64_encode(struct buf *out, const void *data, size_t n)
{
	const unsigned char *p = data;
	buf_grow(out, (n + 2) / 3 * 4);
	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned)p[i] << 16;
		if (i + 1 < n)
			v |= (unsigned)p[i + 1] << 8;
		if (i + 2 < n)
			v |= p[i + 2];
		char quad[4] = {b64[v >> 18 & 63], b64[v >> 12 & 63],
				i + 1 < n ? b64[v >> 6 & 63] : '=', i + 2 < n ? b64[v & 63] : '='};
		buf_add(out, quad, 4);
	}
}

/* The length of the UTF-8 character at p (p < end); 0 when none starts
 * there. */
static size_t utf8_char_len(const unsigned char *p, const unsigned char *end)
{
	if (*p < 0x80)
		return 1;
	size_t len;
	unsigned lo = 0x80, hi = 0xBF; /* the range of the second byte */
	if (*p >= 0xC2 && *p <= 0xDF) {
		len = 2;
	} else if (*p >= 0xE0 && *p <= 0xEF) {
		len = 3;
		if (*p == 0xE0)
			lo = 0xA0; /* overlong */
		else if (*p == 0xED)
			hi = 0x9F; /* surrogates */
	} else if (*p >= 0xF0 && *p <= 0xF4) {
		len = 4;
		if (*p == 0xF0)
			lo = 0x90; /* overlong */
		else if (*p == 0xF4)
			hi = 0x8F; /* above U+10FFFF */
	} else {
		return 0;
	}
	if ((size_t)(end - p) < len || p[1] < lo || p[1] > hi)
		return 0;
	for (size_t k = 2; k < len; k++)
		if (p[k] < 0x80 || p[k] > 0xBF)
			return 0;
	return len;
}

bool utf8_valid(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + n;
	while (p < end) {
		if (*p < 0x80) { /* the common case: ASCII runs */
			p++;
			continue;
		}
		size_t len = utf8_char_len(p, end);
		if (!len)
			return false;
		p += len;
	}
	return true;
}

/* Whether the character of len bytes at p can be shown as it is: not a
 * control character of C0 (below 0x20), DEL, or C1 (U+0080..U+009F, which a
 * UTF-8 terminal may obey as ESC sequences: U+009B is CSI). */
static bool shown_as_is(const unsigned char *p, size_t len)
{
	if (len == 1)
		return *p >= 0x20 && *p != 0x7f;
	return len > 1 && !(p[0] == 0xC2 && p[1] <= 0x9F);
}

void text_shown_add(struct buf *out, const char *text, size_t n, bool escape_backslash)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *p = (const unsigned char *)text, *end = p + n;
	while (p < end) {
		size_t len = utf8_char_len(p, end);
		if (shown_as_is(p, len) && !(escape_backslash && *p == '\\')) {
			buf_add(out, p, len);
			p += len;
			continue;
		}
		if (*p == '\\') {
			buf_adds(out, "\\\\");
			p++;
			continue;
		}
		/* every byte of a C1 character, so the spelling stays lossless */
		for (size_t k = 0; k < (len ? len : 1); k++) {
			char esc[4] = {'\\', 'x', hex[p[k] >> 4], hex[p[k] & 15]};
			buf_add(out, esc, 4);
		}
		p += len ? len : 1;
	}
}

char *name_shown(const char *name)
{
	struct buf b = BUF_INIT;
	text_shown_add(&b, name, strlen(name), true);
	return buf_detach(&b);
}

/* How many bytes of shown (name_shown's text) fit in max without splitting a
 * unit: an escape (\\ or \xHH) or a UTF-8 character, which a cut in its
 * middle would turn into another name's spelling or into bytes that are not
 * UTF-8. */
static size_t shown_prefix_len(const char *shown, size_t max)
{
	const unsigned char *p = (const unsigned char *)shown, *end = p + strlen(shown);
	size_t n = 0;
	while (p + n < end) {
		size_t unit = p[n] != '\\' ? utf8_char_len(p + n, end) : p[n + 1] == 'x' ? 4 : 2;
		if (n + (unit ? unit : 1) > max)
			break;
		n += unit ? unit : 1;
	}
	return n;
}

char *name_shown_cut(const char *name, int max)
{
	char *all = name_shown(name);
	if (strlen(all) <= (size_t)max)
		return all;
	char *cut = xasprintf("%.*s...", (int)shown_prefix_len(all, (size_t)max), all);
	free(all);
	return cut;
}

char *name_shown_short(const char *name)
{
	return name_shown_cut(name, NAME_SHOWN_SHORT_SIZE - 4);
}

const char *name_shown_short_in(char out[NAME_SHOWN_SHORT_SIZE], const char *name)
{
	char *shown = name_shown_short(name);
	snprintf(out, NAME_SHOWN_SHORT_SIZE, "%s", shown);
	free(shown);
	return out;
}

/* Whether a shell reads name as one word as it is: no quoting needed. */
static bool shell_plain(const char *name)
{
	if (!*name)
		return false;
	for (const char *c = name; *c; c++)
		if (!isalnum((unsigned char)*c) && !strchr("_@%+=:,./-", *c))
			return false;
	return true;
}

bool text_shown_as_is(const char *text, size_t n)
{
	const unsigned char *p = (const unsigned char *)text, *end = p + n;
	while (p < end) {
		size_t len = utf8_char_len(p, end);
		if (!shown_as_is(p, len))
			return false;
		p += len;
	}
	return true;
}

/* Whether a keyboard types name: every character one name_shown keeps as it
 * is (a backslash aside). */
static bool typable(const char *name)
{
	return text_shown_as_is(name, strlen(name));
}

char *name_for_shell(const char *name)
{
	struct buf b = BUF_INIT;
	if (name[0] == '-')
		buf_adds(&b, "-- ");
	if (shell_plain(name)) {
		buf_adds(&b, name);
		return buf_detach(&b);
	}
	bool as_is = typable(name);
	char *shown = as_is ? NULL : name_shown(name);
	buf_adds(&b, as_is ? "'" : "$'");
	for (const char *c = as_is ? name : shown; *c; c++)
		if (*c != '\'')
			buf_add(&b, c, 1);
		else
			buf_adds(&b, as_is ? "'\\''" : "\\'");
	buf_adds(&b, "'");
	free(shown);
	return buf_detach(&b);
}

const char *name_shell_note(const char *name)
{
	return typable(name) ? ""
			     : " (the name escaped, as bash and zsh read $'...': \\xHH is a byte, "
			       "\\\\ a backslash)";
}

char *name_utf8(const char *name)
{
	struct buf b = BUF_INIT;
	const unsigned char *p = (const unsigned char *)name, *end = p + strlen(name);
	while (p < end) {
		size_t len = utf8_char_len(p, end);
		if (len) {
			buf_add(&b, p, len);
			p += len;
		} else {
			buf_adds(&b, "\xEF\xBF\xBD"); /* U+FFFD */
			p++;
		}
	}
	return buf_detach(&b);
}

static int b64_value(char c)
{
	const char *at = c ? strchr(b64, c) : NULL;
	return at ? (int)(at - b64) : -1;
}

int base64_decode(struct buf *out, const char *p, size_t n)
{
	if (n % 4)
		return -1;
	for (size_t i = 0; i < n; i += 4) {
		int v[4];
		int pad = 0;
		for (int k = 0; k < 4; k++) {
			if (p[i + k] == '=' && i + 4 == n && k >= 2) {
				v[k] = 0;
				pad++;
				continue;
			}
			if (pad)
				return -1; /* data after padding */
			v[k] = b64_value(p[i + k]);
			if (v[k] < 0)
				return -1;
		}
		unsigned w = (unsigned)(v[0] << 18 | v[1] << 12 | v[2] << 6 | v[3]);
		char bytes[3] = {(char)(w >> 16), (char)(w >> 8 & 255), (char)(w & 255)};
		if (out)
			buf_add(out, bytes, (size_t)(3 - pad));
	}
	return 0;
}

/* Each byte's two digits, looked up as a pair: a BLOB column's hex is most
 * of a BLOB-heavy change file, and a digit at a time costs twice the work. */
#define HEX_ROW(h)                                                                                 \
	h "0" h "1" h "2" h "3" h "4" h "5" h "6" h "7" h "8" h "9" h "A" h "B" h "C" h "D" h      \
	  "E" h "F"
static const char hex_pairs[] = HEX_ROW("0") HEX_ROW("1") HEX_ROW("2") HEX_ROW("3") HEX_ROW("4")
	HEX_ROW("5") HEX_ROW("6") HEX_ROW("7") HEX_ROW("8") HEX_ROW("9") HEX_ROW("A") HEX_ROW("B")
		HEX_ROW("C") HEX_ROW("D") HEX_ROW("E") HEX_ROW("F");

void hex_encode(struct buf *out, const char *p, size_t n)
{
	buf_grow(out, 2 * n);
	char *d = out->data + out->len;
	for (size_t i = 0; i < n; i++)
		memcpy(d + 2 * i, hex_pairs + 2 * (unsigned char)p[i], 2);
	out->len += 2 * n;
	out->data[out->len] = '\0';
}

void blob_literal_encode(struct buf *out, const char *p, size_t n)
{
	buf_grow(out, 2 * n + 3);
	buf_adds(out, "X'");
	hex_encode(out, p, n);
	buf_addc(out, '\'');
}

/* A character's digit value plus one (0: not a hex digit), for hex_decode's
 * one table lookup a character. */
static const unsigned char hex_values[256] = {
	['0'] = 1,  ['1'] = 2,	['2'] = 3,  ['3'] = 4,	['4'] = 5,  ['5'] = 6,
	['6'] = 7,  ['7'] = 8,	['8'] = 9,  ['9'] = 10, ['A'] = 11, ['B'] = 12,
	['C'] = 13, ['D'] = 14, ['E'] = 15, ['F'] = 16, ['a'] = 11, ['b'] = 12,
	['c'] = 13, ['d'] = 14, ['e'] = 15, ['f'] = 16,
};

int hex_digit(char c)
{
	return hex_values[(unsigned char)c] - 1;
}

int hex_decode(struct buf *out, const char *s, size_t n)
{
	if (n % 2)
		return -1;
	const unsigned char *u = (const unsigned char *)s;
	if (!out) {
		for (size_t i = 0; i < n; i++)
			if (!hex_values[u[i]])
				return -1;
		return 0;
	}
	/* Decoded past out->len, committed only once every digit was one. */
	buf_grow(out, n / 2);
	char *d = out->data + out->len;
	for (size_t i = 0; i < n; i += 2) {
		unsigned hi = hex_values[u[i]], lo = hex_values[u[i + 1]];
		if (!hi || !lo) {
			out->data[out->len] = '\0';
			return -1;
		}
		d[i / 2] = (char)((hi - 1) << 4 | (lo - 1));
	}
	out->len += n / 2;
	out->data[out->len] = '\0';
	return 0;
}

int blob_literal_decode(struct buf *out, const char *p, size_t n)
{
	if (n < 3 || (p[0] != 'X' && p[0] != 'x') || p[1] != '\'' || p[n - 1] != '\'')
		return -1;
	return hex_decode(out, p + 2, n - 3);
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

/* The cold path for subnormals, which shortest_double leaves out: printf and
 * strtod as format_real always did. A normal double is the only one near its
 * 15-digit rounding (DBL_DIG); a subnormal holds fewer than 15 digits
 * (5e-324 is the one double near 4.94065645841247e-324), so it gets the
 * fewest that read back, by bisection (a spelling that reads back stays one
 * with more digits, being nearer). */
static void print_subnormal(char out[40], double r)
{
	int prec = 15;
	print_g(out, prec, r);
	if (strtod(out, NULL) != r) {
		while (++prec < 17 && (print_g(out, prec, r), strtod(out, NULL) != r))
			;
		if (prec == 17)
			print_g(out, 17, r);
		return;
	}
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

/* The cold path for subnormal floats (shortest_float leaves them out). */
static double float_by_printf(float f)
{
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

double real_float32(double r)
{
	float f = (float)r;
	if (!isfinite(f) || f == 0)
		return f;
	struct shortest_decimal d;
	double v;
	if (!shortest_float(f, &d) || !shortest_to_double(&d, &v))
		return float_by_printf(f);
	return f < 0 ? -v : v;
}

void format_real(char out[40], double r)
{
	if (isinf(r)) {
		snprintf(out, 40, "%s", r > 0 ? "Infinity" : "-Infinity");
		return;
	}
	if (isnan(r)) {
		snprintf(out, 40, "NaN");
		return;
	}
	struct shortest_decimal d;
	int prec;
	if (r == 0)
		memcpy(out, signbit(r) ? "-0" : "0", signbit(r) ? 3 : 2);
	else if (shortest_double(r, &d, &prec))
		shortest_format_g(out, r < 0, &d, prec);
	else
		print_subnormal(out, r);
	/* Keep a REAL looking like one ("1.0", not "1"), as SQLite prints it. */
	size_t len = strlen(out); /* at most 24 of the 40 bytes */
	if (!strpbrk(out, ".eEnN"))
		memcpy(out + len, ".0", 3);
}

/* Decimal spellings only (and our own Infinity and NaN): strtod would also take
 * hex ("0x10"), "nan" and "inf", which are text as far as a change file goes. */
static bool decimal_spelling(const char *s)
{
	if (strcmp(s, "Infinity") == 0 || strcmp(s, "-Infinity") == 0 || strcmp(s, "NaN") == 0)
		return true;
	const char *p = s + (*s == '-' || *s == '+');
	size_t digits = strspn(p, "0123456789");
	p += digits;
	if (*p == '.') {
		size_t frac = strspn(p + 1, "0123456789");
		digits += frac;
		p += 1 + frac;
	}
	if (digits == 0)
		return false;
	if (*p == 'e' || *p == 'E') {
		p++;
		p += *p == '-' || *p == '+';
		size_t exp = strspn(p, "0123456789");
		if (exp == 0)
			return false;
		p += exp;
	}
	return *p == '\0';
}

bool parse_real(const char *p, size_t n, double *out)
{
	char tmp[64];
	/* A NUL byte would end the copy's string early: "1\0junk" is no number. */
	if (n == 0 || n >= sizeof(tmp) || memchr(p, '\0', n))
		return false;
	memcpy(tmp, p, n);
	tmp[n] = '\0';
	if (!decimal_spelling(tmp))
		return false;
	char *end;
	*out = strtod(tmp, &end);
	return *end == '\0';
}

bool parse_int(const char *p, size_t n, long long *out)
{
	char tmp[32];
	if (n == 0 || n >= sizeof(tmp) || memchr(p, '\0', n)) /* as parse_real */
		return false;
	memcpy(tmp, p, n);
	tmp[n] = '\0';
	char *end;
	errno = 0;
	*out = strtoll(tmp, &end, 10);
	return *end == '\0' && errno == 0 && (tmp[0] == '-' || (tmp[0] >= '0' && tmp[0] <= '9'));
}

void sql_quoted_literal(struct buf *b, const char *p, size_t n)
{
	buf_addc(b, '\'');
	for (size_t i = 0; i < n; i++) {
		if (p[i] == '\'')
			buf_addc(b, '\'');
		buf_addc(b, p[i]);
	}
	buf_addc(b, '\'');
}
