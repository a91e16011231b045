/* The binary row format of the MySQL/MariaDB binary log (mysql_rows.h):
 * each column's bytes spelled as the trigger images spell it. */
#include "mysql_rows.h"

#include "codec.h"
#include "err.h"
#include "mysql_image.h"

#include <math.h>
#include <mysql.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static int short_image(const char *what)
{
	return err_set(CDC_ERUNTIME, "binlog: %s ends early (a damaged or unknown event)", what);
}

static uint64_t le(const uint8_t *p, size_t n)
{
	uint64_t v = 0;
	for (size_t i = n; i > 0; i--)
		v = (v << 8) | p[i - 1];
	return v;
}

static uint64_t be(const uint8_t *p, size_t n)
{
	uint64_t v = 0;
	for (size_t i = 0; i < n; i++)
		v = (v << 8) | p[i];
	return v;
}

/* How many metadata bytes a TABLE_MAP gives a column of this type. */
static size_t meta_size(uint8_t type)
{
	switch (type) {
	case MYSQL_TYPE_FLOAT:
	case MYSQL_TYPE_DOUBLE:
	case MYSQL_TYPE_BLOB:
	case MYSQL_TYPE_TINY_BLOB:
	case MYSQL_TYPE_MEDIUM_BLOB:
	case MYSQL_TYPE_LONG_BLOB:
	case MYSQL_TYPE_GEOMETRY:
	case MYSQL_TYPE_JSON:
	case MYSQL_TYPE_TIMESTAMP2:
	case MYSQL_TYPE_DATETIME2:
	case MYSQL_TYPE_TIME2:
		return 1;
	case MYSQL_TYPE_VARCHAR:
	case MYSQL_TYPE_VAR_STRING:
	case MYSQL_TYPE_BIT:
	case MYSQL_TYPE_NEWDECIMAL:
	case MYSQL_TYPE_STRING:
	case MYSQL_TYPE_ENUM:
	case MYSQL_TYPE_SET:
		return 2;
	default:
		return 0;
	}
}

/* A STRING column's metadata packs its real type (ENUM, SET or STRING) and
 * its length: the length's high bits hide in the type byte. */
static void resolve_string(struct rows_col *c, const uint8_t *m)
{
	uint8_t real = m[0];
	uint32_t len = m[1];
	if ((real & 0x30) != 0x30) {
		len |= (uint32_t)((real & 0x30) ^ 0x30) << 4;
		real |= 0x30;
	}
	c->type = real == MYSQL_TYPE_ENUM || real == MYSQL_TYPE_SET ? real : MYSQL_TYPE_STRING;
	c->meta = len;
}

int rows_map_parse(struct rows_map *m, const uint8_t *types, size_t ntypes, const uint8_t *meta,
		   size_t metalen)
{
	m->cols = xcalloc(ntypes ? ntypes : 1, sizeof(*m->cols));
	m->ncols = ntypes;
	size_t at = 0;
	for (size_t i = 0; i < ntypes; i++) {
		struct rows_col *c = &m->cols[i];
		size_t n = meta_size(types[i]);
		c->type = types[i];
		if (at + n > metalen) {
			rows_map_free(m);
			return short_image("a table map's metadata");
		}
		const uint8_t *p = meta + at;
		if (types[i] == MYSQL_TYPE_STRING || types[i] == MYSQL_TYPE_ENUM ||
		    types[i] == MYSQL_TYPE_SET)
			resolve_string(c, p);
		else if (types[i] == MYSQL_TYPE_NEWDECIMAL)
			c->meta = (uint32_t)p[0] << 8 | p[1]; /* precision, scale */
		else
			c->meta = (uint32_t)le(p, n);
		at += n;
		bool temporal = c->type == MYSQL_TYPE_TIMESTAMP2 ||
				c->type == MYSQL_TYPE_DATETIME2 || c->type == MYSQL_TYPE_TIME2;
		if (temporal && c->meta > 6) {
			unsigned digits = (unsigned)c->meta; /* c goes with the map */
			rows_map_free(m);
			return err_set(CDC_ERUNTIME, "binlog: a table map gives %u fraction digits",
				       digits);
		}
	}
	return 0;
}

void rows_map_free(struct rows_map *m)
{
	free(m->cols);
	m->cols = NULL;
	m->ncols = 0;
}

/* A cursor over one row image. */
struct cur {
	const uint8_t *p, *end;
};

static const uint8_t *take(struct cur *c, size_t n)
{
	if ((size_t)(c->end - c->p) < n)
		return NULL;
	const uint8_t *at = c->p;
	c->p += n;
	return at;
}

/* DECIMAL's binary form: groups of 9 digits in 4 bytes, big-endian, the
 * sign in the top bit (set when positive; a negative value's bytes are
 * inverted). Spelled as CAST(... AS CHAR): no leading zeros but one, the
 * declared scale's digits after the point. */
static const size_t dig2bytes[10] = {0, 1, 1, 2, 2, 3, 3, 4, 4, 4};

static void add_group(struct buf *b, uint32_t v, int digits)
{
	char tmp[16];
	snprintf(tmp, sizeof(tmp), "%0*u", digits, v);
	buf_adds(b, tmp);
}

static int decode_decimal(struct cur *c, uint32_t meta, struct buf *out)
{
	int prec = (int)(meta >> 8), scale = (int)(meta & 0xff), intg = prec - scale;
	int intg0 = intg / 9, intg0x = intg % 9, frac0 = scale / 9, frac0x = scale % 9;
	size_t size = (size_t)intg0 * 4 + dig2bytes[intg0x] + (size_t)frac0 * 4 + dig2bytes[frac0x];
	const uint8_t *src = take(c, size);
	if (!src || size > 64)
		return short_image("a DECIMAL value");
	uint8_t d[64];
	memcpy(d, src, size);
	bool neg = !(d[0] & 0x80);
	d[0] ^= 0x80;
	for (size_t i = 0; neg && i < size; i++)
		d[i] ^= 0xff;
	struct buf digits = BUF_INIT;
	size_t at = 0;
	if (intg0x) {
		add_group(&digits, (uint32_t)be(d, dig2bytes[intg0x]), intg0x);
		at += dig2bytes[intg0x];
	}
	for (int i = 0; i < intg0; i++, at += 4)
		add_group(&digits, (uint32_t)be(d + at, 4), 9);
	const char *s = buf_str(&digits);
	while (*s == '0' && s[1])
		s++;
	buf_adds(out, neg ? "-" : "");
	buf_adds(out, *s ? s : "0");
	buf_free(&digits);
	if (scale)
		buf_addc(out, '.');
	for (int i = 0; i < frac0; i++, at += 4)
		add_group(out, (uint32_t)be(d + at, 4), 9);
	if (frac0x)
		add_group(out, (uint32_t)be(d + at, dig2bytes[frac0x]), frac0x);
	return 0;
}

/* The fraction of TIMESTAMP2, DATETIME2 and TIME2: fsp digits in
 * (fsp + 1) / 2 big-endian bytes, returned in microseconds. */
static int fraction(struct cur *c, unsigned fsp, int64_t *micro)
{
	size_t n = (fsp + 1) / 2;
	const uint8_t *p = take(c, n);
	if (!p)
		return short_image("a time fraction");
	int64_t v = (int64_t)be(p, n);
	static const int64_t scale[4] = {1, 10000, 100, 1};
	*micro = v * scale[n];
	return 0;
}

static void add_fraction(struct buf *out, int64_t micro, unsigned fsp)
{
	if (!fsp)
		return;
	char tmp[24];
	snprintf(tmp, sizeof(tmp), "%06lld", (long long)micro);
	tmp[fsp > 6 ? 6 : fsp] = '\0';
	buf_addc(out, '.');
	buf_adds(out, tmp);
}

static int decode_datetime2(struct cur *c, unsigned fsp, struct buf *out)
{
	const uint8_t *p = take(c, 5);
	int64_t micro = 0;
	if (!p)
		return short_image("a DATETIME value");
	int rc = fraction(c, fsp, &micro);
	uint64_t v = be(p, 5) - 0x8000000000ULL;
	uint64_t ymd = v >> 17, ym = ymd >> 5, hms = v & 0x1ffff;
	buf_addf(out, "%04u-%02u-%02u %02u:%02u:%02u", (unsigned)(ym / 13), (unsigned)(ym % 13),
		 (unsigned)(ymd & 31), (unsigned)(hms >> 12), (unsigned)((hms >> 6) & 63),
		 (unsigned)(hms & 63));
	add_fraction(out, micro, fsp);
	return rc;
}

static void add_time(struct buf *out, bool neg, uint64_t h, uint64_t m, uint64_t s)
{
	buf_addf(out, "%s%02llu:%02llu:%02llu", neg ? "-" : "", (unsigned long long)h,
		 (unsigned long long)m, (unsigned long long)s);
}

/* TIME2 (MySQL's my_time_packed_from_binary): 3 bytes of hours, minutes
 * and seconds offset by 0x800000, then the fraction; a negative time's
 * fraction borrows from the seconds. */
static int decode_time2(struct cur *c, unsigned fsp, struct buf *out)
{
	size_t n = (fsp + 1) / 2;
	const uint8_t *p = take(c, 3 + n);
	if (!p)
		return short_image("a TIME value");
	int64_t intpart = (int64_t)be(p, 3) - 0x800000, packed;
	int64_t frac = (int64_t)be(p + 3, n);
	if (n == 3) {
		packed = (int64_t)be(p, 6) - 0x800000000000LL;
	} else {
		if (intpart < 0 && frac) {
			intpart++;
			frac -= (int64_t)1 << (8 * n);
		}
		packed = intpart * ((int64_t)1 << 24) + frac * (n == 1 ? 10000 : n == 2 ? 100 : 1);
	}
	bool neg = packed < 0;
	uint64_t u = (uint64_t)(neg ? -packed : packed);
	uint64_t hms = u >> 24;
	add_time(out, neg, (hms >> 12) % 1024, (hms >> 6) % 64, hms % 64);
	add_fraction(out, (int64_t)(u % (1 << 24)), fsp);
	return 0;
}

static int decode_timestamp2(struct cur *c, unsigned fsp, const char *decl, struct buf *out)
{
	const uint8_t *p = take(c, 4);
	int64_t micro = 0;
	if (!p)
		return short_image("a TIMESTAMP value");
	int rc = fraction(c, fsp, &micro);
	char unix[40];
	int n = snprintf(unix, sizeof(unix), "%llu.%06lld", (unsigned long long)be(p, 4),
			 (long long)micro);
	return rc ? rc : mysql_unix_to_utc(out, unix, (size_t)n, coltype_width(decl, 0));
}

/* A length-prefixed string: its bytes, pointed into the image. */
static int bytes(struct cur *c, size_t prefix, const uint8_t **s, size_t *n)
{
	const uint8_t *p = take(c, prefix);
	if (!p)
		return short_image("a string length");
	*n = (size_t)le(p, prefix);
	*s = take(c, *n);
	return *s ? 0 : short_image("a string");
}

/* The label'th (1-based) quoted label of "enum('a','b')" or "set(...)". */
static int add_label(struct buf *out, const char *decl, uint64_t label)
{
	const char *p = strchr(decl, '(');
	for (uint64_t i = 1; p && *p; i++) {
		p = strchr(p, '\'');
		if (!p)
			break;
		for (p++; *p && !(*p == '\'' && p[1] != '\''); p++) {
			if (i == label)
				buf_addc(out, *p);
			if (*p == '\'')
				p++;
		}
		if (i == label)
			return 0;
		p = *p ? p + 1 : p;
	}
	return err_set(CDC_ERUNTIME, "binlog: value %llu is not a label of %s",
		       (unsigned long long)label, decl);
}

static int decode_enum_set(struct cur *c, const struct rows_col *col, const char *decl,
			   struct buf *out)
{
	const uint8_t *p = take(c, col->meta);
	if (!p || col->meta > 8)
		return short_image("an ENUM or SET value");
	uint64_t v = le(p, col->meta);
	if (col->type == MYSQL_TYPE_ENUM)
		return v ? add_label(out, decl, v) : 0;
	int rc = 0;
	for (unsigned bit = 0; bit < 64 && !rc; bit++) {
		if (!(v >> bit & 1))
			continue;
		if (out->len)
			buf_addc(out, ',');
		rc = add_label(out, decl, bit + 1);
	}
	return rc;
}

/* Integers: little-endian, sign-extended unless the declared type is
 * unsigned. Straight into v where the spelling would read back as the
 * same integer: spelling each number and reading it back was half of a
 * binlog run's CPU (issue 14). */
static int decode_int(struct cur *c, size_t n, enum coltype_kind kind, struct value *v,
		      struct buf *out)
{
	const uint8_t *p = take(c, n);
	if (!p)
		return short_image("an integer");
	uint64_t u = le(p, n);
	if (kind != COLTYPE_UINT && n < 8 && (u >> (8 * n - 1) & 1))
		u |= ~(uint64_t)0 << (8 * n);
	if (kind == COLTYPE_INT || (kind == COLTYPE_UINT && u <= INT64_MAX)) {
		v->type = VAL_INT;
		v->i = (int64_t)u;
		return 0;
	}
	if (kind == COLTYPE_UINT)
		buf_addf(out, "%llu", (unsigned long long)u);
	else
		buf_addf(out, "%lld", (long long)(int64_t)u);
	mysql_decode_text(v, kind, buf_str(out), out->len);
	return 0;
}

/* FLOAT and DOUBLE: straight into v where the text would read back as
 * the same double (%.17g does, for every finite one); the rest (a column
 * declared otherwise, an infinity) as spelled. */
static int decode_real(struct cur *c, size_t n, enum coltype_kind kind, struct value *v,
		       struct buf *out)
{
	const uint8_t *p = take(c, n);
	if (!p)
		return short_image("a floating-point value");
	double d;
	if (n == 4) {
		float f;
		memcpy(&f, p, 4);
		d = f;
	} else {
		memcpy(&d, p, 8);
	}
	if (isfinite(d) && (kind == COLTYPE_FLOAT || kind == COLTYPE_DOUBLE)) {
		v->type = VAL_REAL;
		v->r = kind == COLTYPE_FLOAT ? real_float32(d) : d;
		return 0;
	}
	buf_addf(out, "%.17g", d);
	mysql_decode_text(v, kind, buf_str(out), out->len);
	return 0;
}

/* The older temporal formats, still in tables made before MySQL 5.6.4. */
static int decode_old_temporal(struct cur *c, uint8_t type, const char *decl, struct buf *out)
{
	size_t n = type == MYSQL_TYPE_DATETIME ? 8 : type == MYSQL_TYPE_TIMESTAMP ? 4 : 3;
	const uint8_t *p = take(c, n);
	if (!p)
		return short_image("a date or time");
	uint64_t v = le(p, n);
	if (type == MYSQL_TYPE_DATE || type == MYSQL_TYPE_NEWDATE) {
		buf_addf(out, "%04u-%02u-%02u", (unsigned)(v >> 9), (unsigned)(v >> 5 & 15),
			 (unsigned)(v & 31));
	} else if (type == MYSQL_TYPE_DATETIME) {
		uint64_t d = v / 1000000, t = v % 1000000;
		buf_addf(out, "%04u-%02u-%02u %02u:%02u:%02u", (unsigned)(d / 10000),
			 (unsigned)(d / 100 % 100), (unsigned)(d % 100), (unsigned)(t / 10000),
			 (unsigned)(t / 100 % 100), (unsigned)(t % 100));
	} else if (type == MYSQL_TYPE_TIME) {
		int64_t s = (int64_t)(v & 0x800000 ? v | ~(uint64_t)0xffffff : v);
		uint64_t a = (uint64_t)(s < 0 ? -s : s);
		add_time(out, s < 0, a / 10000, a / 100 % 100, a % 100);
	} else {
		char unix[24];
		int len = snprintf(unix, sizeof(unix), "%llu", (unsigned long long)v);
		return mysql_unix_to_utc(out, unix, (size_t)len, coltype_width(decl, 0));
	}
	return 0;
}

/* One present, non-NULL column into v (scratch holds formatted text). */
static int decode_value(struct cur *c, const struct rows_col *col, enum coltype_kind kind,
			const struct column *decl, struct value *v, struct buf *scratch)
{
	const uint8_t *s = NULL;
	size_t n = 0;
	int rc;
	buf_reset(scratch);
	switch (col->type) {
	case MYSQL_TYPE_TINY:
		return decode_int(c, 1, kind, v, scratch);
	case MYSQL_TYPE_SHORT:
		return decode_int(c, 2, kind, v, scratch);
	case MYSQL_TYPE_INT24:
		return decode_int(c, 3, kind, v, scratch);
	case MYSQL_TYPE_LONG:
		return decode_int(c, 4, kind, v, scratch);
	case MYSQL_TYPE_LONGLONG:
		return decode_int(c, 8, kind, v, scratch);
	case MYSQL_TYPE_FLOAT:
		return decode_real(c, 4, kind, v, scratch);
	case MYSQL_TYPE_DOUBLE:
		return decode_real(c, 8, kind, v, scratch);
	case MYSQL_TYPE_NEWDECIMAL:
		rc = decode_decimal(c, col->meta, scratch);
		break;
	case MYSQL_TYPE_YEAR:
		s = take(c, 1);
		rc = s ? 0 : short_image("a YEAR value");
		if (s)
			buf_addf(scratch, "%04u", *s ? 1900u + *s : 0u);
		s = NULL;
		break;
	case MYSQL_TYPE_DATE:
	case MYSQL_TYPE_NEWDATE:
	case MYSQL_TYPE_TIME:
	case MYSQL_TYPE_DATETIME:
	case MYSQL_TYPE_TIMESTAMP:
		rc = decode_old_temporal(c, col->type, decl->type, scratch);
		break;
	case MYSQL_TYPE_DATETIME2:
		rc = decode_datetime2(c, col->meta, scratch);
		break;
	case MYSQL_TYPE_TIME2:
		rc = decode_time2(c, col->meta, scratch);
		break;
	case MYSQL_TYPE_TIMESTAMP2:
		rc = decode_timestamp2(c, col->meta, decl->type, scratch);
		break;
	case MYSQL_TYPE_ENUM:
	case MYSQL_TYPE_SET:
		rc = decode_enum_set(c, col, decl->type, scratch);
		break;
	case MYSQL_TYPE_VARCHAR:
	case MYSQL_TYPE_VAR_STRING:
	case MYSQL_TYPE_STRING:
		rc = bytes(c, col->meta > 255 ? 2 : 1, &s, &n);
		break;
	case MYSQL_TYPE_BLOB:
	case MYSQL_TYPE_TINY_BLOB:
	case MYSQL_TYPE_MEDIUM_BLOB:
	case MYSQL_TYPE_LONG_BLOB:
		rc = col->meta >= 1 && col->meta <= 4 ? bytes(c, col->meta, &s, &n)
						      : short_image("a BLOB length");
		break;
	case MYSQL_TYPE_BIT:
		n = (col->meta >> 8) + ((col->meta & 0xff) ? 1 : 0);
		s = take(c, n);
		rc = s ? 0 : short_image("a BIT value");
		break;
	default:
		return err_set(CDC_ERUNTIME,
			       "binlog: column %s (%s): binlog type %u is not decoded yet; use "
			       "mode = trigger for this table",
			       NAME_SHOWN_SHORT(decl->name), decl->type, col->type);
	}
	if (rc)
		return rc;
	if (s && col->type == MYSQL_TYPE_STRING && strncasecmp(decl->type, "binary", 6) == 0) {
		/* The log drops a BINARY(n) value's trailing zero bytes, which
		 * the column (and a trigger image) holds. */
		size_t width = coltype_width(decl->type, 1);
		buf_add(scratch, s, n);
		while (scratch->len < width)
			buf_addc(scratch, '\0');
		s = (const uint8_t *)scratch->data;
		n = scratch->len;
	}
	if (s) {
		bool blob = kind == COLTYPE_BINARY || kind == COLTYPE_BIT;
		v->type = blob ? VAL_BLOB : VAL_TEXT;
		v->p = n ? (const char *)s : "";
		v->n = n;
		return 0;
	}
	mysql_decode_text(v, kind, buf_str(scratch), scratch->len);
	return 0;
}

static size_t bits_set(const uint8_t *map, size_t n)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		k += map[i / 8] >> (i % 8) & 1;
	return k;
}

int rows_decode(const struct rows_layout *l, const uint8_t *present, const uint8_t **p,
		const uint8_t *end, struct value *out, struct buf *scratch)
{
	const struct rows_map *m = l->map;
	struct cur c = {*p, end};
	const uint8_t *nulls = take(&c, (bits_set(present, m->ncols) + 7) / 8);
	if (!nulls)
		return short_image("a row's NULL bitmap");
	int rc = 0;
	size_t k = 0; /* index among the present columns */
	for (size_t i = 0; i < m->ncols && !rc; i++) {
		memset(&out[i], 0, sizeof(out[i]));
		if (!(present[i / 8] >> (i % 8) & 1))
			continue;
		bool null = nulls[k / 8] >> (k % 8) & 1;
		k++;
		if (!null)
			rc = decode_value(&c, &m->cols[i], l->kinds[i], &l->def->cols[i], &out[i],
					  &scratch[i]);
	}
	*p = c.p;
	return rc;
}
