#include "sqlite_image.h"

#include "err.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct cursor {
	const char *p;
	const char *end;
};

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)tolower((unsigned char)c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* 'text' with '' for a quote. Leaves the byte offset in v->i until fixup. */
static int parse_text(struct cursor *c, struct value *v, struct buf *scratch)
{
	size_t start = scratch->len;
	c->p++;
	for (;;) {
		if (c->p >= c->end)
			return err_set(CDC_ERUNTIME, "row image: unterminated text literal");
		if (*c->p == '\'') {
			if (c->p + 1 < c->end && c->p[1] == '\'') {
				buf_addc(scratch, '\'');
				c->p += 2;
				continue;
			}
			c->p++;
			break;
		}
		const char *q = memchr(c->p, '\'', (size_t)(c->end - c->p));
		size_t n = q ? (size_t)(q - c->p) : (size_t)(c->end - c->p);
		buf_add(scratch, c->p, n);
		c->p += n;
	}
	v->type = VAL_TEXT;
	v->i = (int64_t)start;
	v->n = scratch->len - start;
	return 0;
}

static int parse_blob(struct cursor *c, struct value *v, struct buf *scratch)
{
	size_t start = scratch->len;
	c->p += 2; /* X' */
	while (c->p + 1 < c->end && *c->p != '\'') {
		int hi = hexval(c->p[0]), lo = hexval(c->p[1]);
		if (hi < 0 || lo < 0)
			return err_set(CDC_ERUNTIME, "row image: bad hex digit in blob literal");
		buf_addc(scratch, (char)(hi << 4 | lo));
		c->p += 2;
	}
	if (c->p >= c->end || *c->p != '\'')
		return err_set(CDC_ERUNTIME, "row image: unterminated blob literal");
	c->p++;
	v->type = VAL_BLOB;
	v->i = (int64_t)start;
	v->n = scratch->len - start;
	return 0;
}

static int parse_number(struct cursor *c, struct value *v)
{
	const char *s = c->p;
	/* Bounded by end: text is not NUL-terminated when it is a slice. */
	const char *comma = memchr(s, ',', (size_t)(c->end - s));
	size_t n = comma ? (size_t)(comma - s) : (size_t)(c->end - s);
	char tmp[64];
	if (n == 0 || n >= sizeof(tmp))
		return err_set(CDC_ERUNTIME, "row image: bad number literal");
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	char *end;
	errno = 0;
	if (strpbrk(tmp, ".eEnN")) {
		v->type = VAL_REAL;
		v->r = strtod(tmp, &end); /* 9.0e+999 is how quote() spells Inf */
	} else {
		v->type = VAL_INT;
		v->i = strtoll(tmp, &end, 10);
		if (errno == ERANGE)
			return err_set(CDC_ERUNTIME, "row image: integer out of range: %s", tmp);
	}
	if (*end)
		return err_set(CDC_ERUNTIME, "row image: bad number literal: %s", tmp);
	c->p += n;
	return 0;
}

static int parse_one(struct cursor *c, struct value *v, struct buf *scratch)
{
	memset(v, 0, sizeof(*v));
	if (c->p >= c->end)
		return err_set(CDC_ERUNTIME, "row image: fewer values than columns");
	if (*c->p == '\'')
		return parse_text(c, v, scratch);
	if ((*c->p == 'X' || *c->p == 'x') && c->p + 1 < c->end && c->p[1] == '\'')
		return parse_blob(c, v, scratch);
	if (c->end - c->p >= 4 && memcmp(c->p, "NULL", 4) == 0) {
		v->type = VAL_NULL;
		c->p += 4;
		return 0;
	}
	return parse_number(c, v);
}

int sqlite_image_parse(const char *text, size_t len, size_t n, struct value *out,
		       struct buf *scratch)
{
	struct cursor c = {text, text + len};
	buf_reset(scratch);
	buf_grow(scratch, len);
	for (size_t i = 0; i < n; i++) {
		if (i > 0) {
			if (c.p >= c.end || *c.p != ',')
				return err_set(CDC_ERUNTIME,
					       "row image: expected %zu values, found %zu", n, i);
			c.p++;
		}
		int rc = parse_one(&c, &out[i], scratch);
		if (rc)
			return rc;
	}
	if (c.p != c.end)
		return err_set(CDC_ERUNTIME, "row image: more values than the %zu columns", n);
	/* Offsets become pointers only now: scratch may have moved while growing. */
	for (size_t i = 0; i < n; i++) {
		if (out[i].type == VAL_TEXT || out[i].type == VAL_BLOB) {
			out[i].p = scratch->data ? scratch->data + out[i].i : "";
			out[i].i = 0;
		}
	}
	return 0;
}
