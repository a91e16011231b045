#include "mysql_image.h"

#include "codec.h"
#include "mysql_types.h"
#include "err.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

void mysql_add_ident(struct buf *b, const char *name)
{
	buf_addc(b, '`');
	for (const char *p = name; *p; p++) {
		if (*p == '`')
			buf_addc(b, '`');
		buf_addc(b, *p);
	}
	buf_addc(b, '`');
}

static void add_field(struct buf *b, const char *row, const char *name)
{
	buf_adds(b, row);
	buf_addc(b, '.');
	mysql_add_ident(b, name);
}

void mysql_image_expr(struct buf *b, const char *row, const char *name, const char *column_type)
{
	switch (coltype_kind_of(column_type)) {
	case COLTYPE_BINARY:
		buf_adds(b, "HEX(");
		add_field(b, row, name);
		buf_addc(b, ')');
		return;
	case COLTYPE_FLOAT:
		/* FLOAT prints 6 significant digits; as a DOUBLE it prints exactly. */
		buf_adds(b, "CAST(CAST(");
		add_field(b, row, name);
		buf_adds(b, " AS DOUBLE) AS CHAR)");
		return;
	case COLTYPE_TIMESTAMP:
		/* Triggers run in the writer's time zone; UNIX_TIMESTAMP() of a
		 * TIMESTAMP column is the stored UTC instant whatever that zone.
		 * In a trigger it gives NULL for NEW's and OLD's zero timestamp
		 * but 0 (0.000000 for TIMESTAMP(6)) for a stored row's, which the
		 * update trigger compares with NEW's (F42): both spell '0'. */
		buf_adds(b, "IF(");
		add_field(b, row, name);
		buf_adds(b, " IS NULL, NULL, COALESCE(CAST(NULLIF(UNIX_TIMESTAMP(");
		add_field(b, row, name);
		buf_adds(b, "), 0) AS CHAR), '0'))");
		return;
	case COLTYPE_BIT:
		buf_adds(b, "CAST(");
		add_field(b, row, name);
		buf_adds(b, " + 0 AS CHAR)");
		return;
	default:
		/* Text too: MariaDB's JSON columns are LONGTEXT, yet JSON_ARRAY()
		 * would nest them as JSON rather than keep their text; CAST AS CHAR
		 * also converts any character set to utf8mb4 without loss. */
		buf_adds(b, "CAST(");
		add_field(b, row, name);
		buf_adds(b, " AS CHAR)");
	}
}

void mysql_scan_expr(struct buf *b, const char *name, const char *column_type)
{
	if (coltype_kind_of(column_type) == COLTYPE_FLOAT) {
		buf_adds(b, "CAST(");
		mysql_add_ident(b, name);
		buf_adds(b, " AS DOUBLE)");
		return;
	}
	mysql_add_ident(b, name);
}

static void set_text(struct value *v, enum value_type type, const char *s, size_t n)
{
	v->type = type;
	v->p = s ? s : "";
	v->n = n;
}

/* Copies a short numeral to a NUL-terminated buffer; false when too long. */
static bool numeral(char *out, size_t cap, const char *s, size_t n)
{
	if (n == 0 || n >= cap)
		return false;
	memcpy(out, s, n);
	out[n] = '\0';
	return true;
}

/* Numbers that do not parse (a column retyped under an old trigger) stay
 * text rather than being lost. */
static void decode_number(struct value *v, enum coltype_kind kind, const char *s, size_t n)
{
	char tmp[64];
	char *end;
	set_text(v, VAL_TEXT, s, n);
	if (!numeral(tmp, sizeof(tmp), s, n))
		return;
	errno = 0;
	if (kind == COLTYPE_FLOAT || kind == COLTYPE_DOUBLE) {
		/* errno is ERANGE for subnormals too (5e-324), which are exact:
		 * only an infinite result is out of range, and MySQL stores none. */
		double d = strtod(tmp, &end);
		if (!*end && isfinite(d)) {
			v->type = VAL_REAL;
			v->r = kind == COLTYPE_FLOAT ? real_float32(d) : d;
		}
	} else if (kind == COLTYPE_UINT && tmp[0] != '-') {
		unsigned long long u = strtoull(tmp, &end, 10);
		if (!*end && errno == 0 && u <= INT64_MAX) {
			v->type = VAL_INT;
			v->i = (int64_t)u;
		}
	} else {
		long long i = strtoll(tmp, &end, 10);
		if (!*end && errno == 0) {
			v->type = VAL_INT;
			v->i = i;
		}
	}
}

static bool is_number_kind(enum coltype_kind kind)
{
	return kind == COLTYPE_INT || kind == COLTYPE_UINT || kind == COLTYPE_FLOAT ||
	       kind == COLTYPE_DOUBLE;
}

void mysql_decode_text(struct value *v, enum coltype_kind kind, const char *s, size_t n)
{
	memset(v, 0, sizeof(*v));
	if (!s)
		return;
	if (is_number_kind(kind))
		decode_number(v, kind, s, n);
	else if (kind == COLTYPE_BIT || kind == COLTYPE_BINARY)
		set_text(v, VAL_BLOB, s, n);
	else
		set_text(v, VAL_TEXT, s, n);
}

int mysql_decode_image(struct value *v, struct buf *scratch, enum coltype_kind kind,
		       const char *column_type, const char *s, size_t n)
{
	memset(v, 0, sizeof(*v));
	if (!s)
		return 0;
	buf_reset(scratch);
	int rc = 0;
	switch (kind) {
	case COLTYPE_TIMESTAMP:
		rc = mysql_unix_to_utc(scratch, s, n, coltype_width(column_type, 0));
		set_text(v, VAL_TEXT, buf_str(scratch), scratch->len);
		break;
	case COLTYPE_BIT:
		rc = mysql_bit_to_bytes(scratch, s, n, (coltype_width(column_type, 1) + 7) / 8);
		set_text(v, VAL_BLOB, buf_str(scratch), scratch->len);
		break;
	case COLTYPE_BINARY:
		rc = mysql_unhex(scratch, s, n);
		set_text(v, VAL_BLOB, buf_str(scratch), scratch->len);
		break;
	default:
		mysql_decode_text(v, kind, s, n);
	}
	return rc;
}

static int bad_field(const char *what, const char *s, size_t n)
{
	return err_set(CDC_ERUNTIME, "bad %s in row image: '%.*s'", what, n > 40 ? 40 : (int)n, s);
}

int mysql_unix_to_utc(struct buf *out, const char *s, size_t n, unsigned precision)
{
	char tmp[32];
	const char *dot = memchr(s, '.', n);
	size_t intlen = dot ? (size_t)(dot - s) : n;
	if (!numeral(tmp, sizeof(tmp), s, intlen) || strspn(tmp, "0123456789") != intlen)
		return bad_field("timestamp", s, n);
	const char *frac = dot ? dot + 1 : "";
	size_t fraclen = dot ? n - intlen - 1 : 0;
	if (strspn(frac, "0123456789") < fraclen)
		return bad_field("timestamp", s, n);
	long long secs = strtoll(tmp, NULL, 10);
	bool zero_frac = fraclen == 0 || strspn(frac, "0") >= fraclen;
	if (secs == 0 && zero_frac) {
		/* MySQL's zero timestamp: 1970-01-01 00:00:00 UTC is outside the
		 * TIMESTAMP range, so 0 can only mean '0000-00-00 00:00:00'. */
		buf_adds(out, "0000-00-00 00:00:00");
	} else {
		time_t t = (time_t)secs;
		struct tm tm;
		if (!gmtime_r(&t, &tm))
			return bad_field("timestamp", s, n);
		buf_addf(out, "%04d-%02d-%02d %02d:%02d:%02d", tm.tm_year + 1900, tm.tm_mon + 1,
			 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
	}
	if (precision > 0)
		buf_addc(out, '.');
	for (unsigned i = 0; i < precision; i++)
		buf_addc(out, i < fraclen ? frac[i] : '0');
	return 0;
}

int mysql_bit_to_bytes(struct buf *out, const char *s, size_t n, unsigned nbytes)
{
	char tmp[32];
	char *end;
	if (!numeral(tmp, sizeof(tmp), s, n) || tmp[0] == '-' || nbytes == 0 || nbytes > 8)
		return bad_field("BIT value", s, n);
	errno = 0;
	unsigned long long v = strtoull(tmp, &end, 10);
	if (*end || errno || (nbytes < 8 && (v >> (8 * nbytes)) != 0))
		return bad_field("BIT value", s, n);
	for (unsigned i = nbytes; i > 0; i--)
		buf_addc(out, (char)((v >> (8 * (i - 1))) & 0xff));
	return 0;
}

int mysql_unhex(struct buf *out, const char *s, size_t n)
{
	return hex_decode(out, s, n) ? bad_field("hex string", s, n) : 0;
}

/* The base name ("varchar" of "varchar(255)") and whether the whole
 * spelling outside parentheses is lowercase, as information_schema writes it. */
static size_t base_name(const char *type, bool *lower)
{
	size_t n = 0;
	*lower = true;
	while (isalnum((unsigned char)type[n]) || type[n] == '_')
		n++;
	int depth = 0;
	for (const char *p = type; *p; p++) {
		depth += *p == '(' ? 1 : *p == ')' ? -1 : 0;
		if (depth == 0 && isupper((unsigned char)*p))
			*lower = false;
	}
	return n;
}

static bool base_is(const char *type, size_t n, const char *name)
{
	return strlen(name) == n && strncasecmp(type, name, n) == 0;
}

static bool is_mysql_spelling(const char *type)
{
	bool lower;
	size_t n = base_name(type, &lower);
	if (n == 0 || !lower)
		return false;
	return coltype_kind_of(type) != COLTYPE_OTHER || base_is(type, n, "json") ||
	       base_is(type, n, "inet4") || base_is(type, n, "inet6") || base_is(type, n, "uuid");
}

static void native_decl(struct buf *b, const char *type, bool key)
{
	bool lower;
	size_t n = base_name(type, &lower);
	bool text = base_is(type, n, "text") || base_is(type, n, "tinytext") ||
		    base_is(type, n, "mediumtext") || base_is(type, n, "longtext") ||
		    base_is(type, n, "json");
	bool blob = base_is(type, n, "blob") || base_is(type, n, "tinyblob") ||
		    base_is(type, n, "mediumblob") || base_is(type, n, "longblob");
	if (base_is(type, n, "integer")) /* never information_schema's spelling: SQLite's */
		buf_adds(b, "bigint");
	else if (key && text)
		buf_adds(b, "varchar(255)"); /* a key needs a length */
	else if (key && blob)
		buf_adds(b, "varbinary(255)");
	else if (base_is(type, n, "text") && !type[n])
		buf_adds(b, "longtext"); /* SQLite's "text" has no 64 KiB limit */
	else if (base_is(type, n, "blob") && !type[n])
		buf_adds(b, "longblob");
	else
		buf_adds(b, type);
}

/* NUMERIC(p,s)/DECIMAL(p,s) keep their precision; other NUMERIC-affinity
 * declarations (NUMERIC, DATE, BOOLEAN...) hold whatever SQLite stored, so
 * they become text, which keeps every value as written. */
static void affinity_decl(struct buf *b, const char *type, bool key)
{
	bool lower;
	size_t n = base_name(type, &lower);
	switch (value_type_for_decl(type)) {
	case VAL_INT:
		buf_adds(b, "bigint");
		return;
	case VAL_REAL:
		buf_adds(b, "double");
		return;
	case VAL_BLOB:
		buf_adds(b, key ? "varbinary(255)" : "longblob");
		return;
	default:
		break;
	}
	unsigned p = coltype_width(type, 0);
	const char *comma = strchr(type, ',');
	if ((base_is(type, n, "decimal") || base_is(type, n, "numeric")) && p > 0 && p <= 65) {
		unsigned s = comma ? (unsigned)strtoul(comma + 1, NULL, 10) : 0;
		buf_addf(b, "decimal(%u,%u)", p, s <= 30 && s <= p ? s : 0);
		return;
	}
	buf_adds(b, key ? "varchar(255)" : "longtext");
}

void mysql_column_decl(struct buf *b, const char *type, bool key)
{
	/* Only a spelling of the grammar is pasted into SQL; anything else
	 * maps by its affinity onto a fixed type name. */
	if (is_mysql_spelling(type) && mysql_type_valid(type))
		native_decl(b, type, key);
	else
		affinity_decl(b, type, key);
}
