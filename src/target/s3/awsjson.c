#include "awsjson.h"

#include "buf.h"

#include <string.h>

struct cursor {
	const char *p, *end;
	const char *why;
};

static void skip_space(struct cursor *c)
{
	while (c->p < c->end && strchr(" \t\r\n", *c->p) && *c->p)
		c->p++;
}

static int fail(struct cursor *c, const char *why)
{
	if (!c->why)
		c->why = why;
	return -1;
}

static int hex4(struct cursor *c, unsigned *out)
{
	if (c->end - c->p < 4)
		return fail(c, "a \\u escape is cut short");
	*out = 0;
	for (int i = 0; i < 4; i++) {
		char h = *c->p++;
		unsigned d = h >= '0' && h <= '9'   ? (unsigned)(h - '0')
			     : h >= 'a' && h <= 'f' ? (unsigned)(h - 'a' + 10)
			     : h >= 'A' && h <= 'F' ? (unsigned)(h - 'A' + 10)
						    : 16;
		if (d == 16)
			return fail(c, "a \\u escape has a non-hex digit");
		*out = *out * 16 + d;
	}
	return 0;
}

static void add_utf8(struct buf *b, unsigned u)
{
	if (u < 0x80) {
		buf_addc(b, (char)u);
	} else if (u < 0x800) {
		buf_addc(b, (char)(0xC0 | u >> 6));
		buf_addc(b, (char)(0x80 | (u & 0x3F)));
	} else if (u < 0x10000) {
		buf_addc(b, (char)(0xE0 | u >> 12));
		buf_addc(b, (char)(0x80 | (u >> 6 & 0x3F)));
		buf_addc(b, (char)(0x80 | (u & 0x3F)));
	} else {
		buf_addc(b, (char)(0xF0 | u >> 18));
		buf_addc(b, (char)(0x80 | (u >> 12 & 0x3F)));
		buf_addc(b, (char)(0x80 | (u >> 6 & 0x3F)));
		buf_addc(b, (char)(0x80 | (u & 0x3F)));
	}
}

static int unicode_escape(struct cursor *c, struct buf *b)
{
	unsigned u, lo;
	if (hex4(c, &u))
		return -1;
	if (u >= 0xD800 && u < 0xDC00) { /* a surrogate pair */
		if (c->end - c->p < 2 || c->p[0] != '\\' || c->p[1] != 'u')
			return fail(c, "a lone UTF-16 surrogate");
		c->p += 2;
		if (hex4(c, &lo) || lo < 0xDC00 || lo > 0xDFFF)
			return fail(c, "a lone UTF-16 surrogate");
		u = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
	} else if (u >= 0xDC00 && u < 0xE000) {
		return fail(c, "a lone UTF-16 surrogate");
	}
	add_utf8(b, u);
	return 0;
}

static int string(struct cursor *c, struct buf *b)
{
	if (c->p >= c->end || *c->p != '"')
		return fail(c, "a string was expected");
	c->p++;
	while (c->p < c->end && *c->p != '"') {
		unsigned char ch = (unsigned char)*c->p++;
		if (ch < 0x20)
			return fail(c, "a control character inside a string");
		if (ch != '\\') {
			buf_addc(b, (char)ch);
			continue;
		}
		if (c->p >= c->end)
			break;
		char e = *c->p++;
		const char *from = "\"\\/bfnrt", *to = "\"\\/\b\f\n\r\t";
		const char *at = e ? strchr(from, e) : NULL;
		if (at)
			buf_addc(b, to[at - from]);
		else if (e != 'u' || unicode_escape(c, b))
			return fail(c, "a bad escape in a string");
	}
	if (c->p >= c->end)
		return fail(c, "a string is not closed");
	c->p++;
	return 0;
}

/* A number, true, false or null, kept as written. */
static int scalar(struct cursor *c, struct buf *b)
{
	static const char *const words[] = {"true", "false", "null"};
	for (size_t i = 0; i < 3; i++) {
		size_t n = strlen(words[i]);
		if ((size_t)(c->end - c->p) >= n && memcmp(c->p, words[i], n) == 0) {
			buf_adds(b, words[i]);
			c->p += n;
			return 0;
		}
	}
	const char *start = c->p;
	while (c->p < c->end && *c->p && strchr("0123456789+-.eE", *c->p))
		c->p++;
	if (c->p == start || (*start != '-' && (*start < '0' || *start > '9')))
		return fail(c, *start == '{' || *start == '[' ? "a nested object or array"
							      : "a value is not a string, number, "
								"true, false or null");
	buf_add(b, start, (size_t)(c->p - start));
	return 0;
}

static int member(struct cursor *c, struct strv *kv)
{
	struct buf name = BUF_INIT, value = BUF_INIT;
	int rc = string(c, &name);
	skip_space(c);
	if (rc == 0 && (c->p >= c->end || *c->p++ != ':'))
		rc = fail(c, "':' was expected after a name");
	skip_space(c);
	if (rc == 0)
		rc = c->p < c->end && *c->p == '"' ? string(c, &value) : scalar(c, &value);
	if (rc == 0) {
		strv_push_owned(kv, buf_detach(&name));
		strv_push_owned(kv, buf_detach(&value));
	}
	buf_free(&name);
	if (value.data)
		memset(value.data, 0, value.cap); /* may hold a secret */
	buf_free(&value);
	return rc;
}

static int object(struct cursor *c, struct strv *kv)
{
	skip_space(c);
	if (c->p >= c->end || *c->p++ != '{')
		return fail(c, "not a JSON object");
	skip_space(c);
	if (c->p < c->end && *c->p == '}') {
		c->p++;
		return 0;
	}
	for (;;) {
		skip_space(c);
		if (member(c, kv))
			return -1;
		skip_space(c);
		if (c->p < c->end && *c->p == ',') {
			c->p++;
			continue;
		}
		if (c->p < c->end && *c->p == '}') {
			c->p++;
			return 0;
		}
		return fail(c, "',' or '}' was expected");
	}
}

int awsjson_flat(const char *s, size_t len, struct strv *kv, const char **why)
{
	struct cursor c = {s, s + len, NULL};
	int rc = object(&c, kv);
	skip_space(&c);
	if (rc == 0 && c.p != c.end)
		rc = fail(&c, "text after the object");
	if (rc) {
		for (size_t i = 0; i < kv->n; i++)
			memset(kv->v[i], 0, strlen(kv->v[i]));
		strv_free(kv);
		*why = c.why;
	}
	return rc;
}
