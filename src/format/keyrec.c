#include "keyrec.h"

#include "codec.h"
#include "err.h"

#include <string.h>

void keyrec_encode_key(struct buf *out, const struct value *row, const size_t *cols, size_t n)
{
	for (size_t k = 0; k < n; k++) {
		const struct value *v = &row[cols[k]];
		buf_grow(out, 19 + (v->type >= VAL_TEXT ? v->n : 0));
		uint8_t *d = (uint8_t *)out->data + out->len;
		size_t at = 1;
		d[0] = (uint8_t)v->type;
		switch (v->type) {
		case VAL_NULL:
			break;
		case VAL_INT:
			at += varint_write(d + at, ((uint64_t)v->i << 1) ^ (uint64_t)(v->i >> 63));
			break;
		case VAL_REAL:
			memcpy(d + at, &v->r, 8);
			at += 8;
			break;
		case VAL_TEXT:
		case VAL_BLOB:
			at += varint_write(d + at, v->n);
			memcpy(d + at, v->p, v->n);
			at += v->n;
			break;
		}
		out->len += at;
		out->data[out->len] = '\0';
	}
}

size_t keyrec_write(uint8_t *dst, const uint8_t *key, size_t klen, uint64_t hash)
{
	size_t at = varint_write(dst, klen);
	memcpy(dst + at, key, klen);
	memcpy(dst + at + klen, &hash, sizeof(hash));
	return at + klen + sizeof(hash);
}

void keyrec_put(struct buf *out, const uint8_t *key, size_t klen, uint64_t hash)
{
	buf_grow(out, KEYREC_MAX(klen));
	out->len += keyrec_write((uint8_t *)out->data + out->len, key, klen, hash);
	out->data[out->len] = '\0';
}

/* Reads one key value at *p; false when the bytes up to end are not one. */
static bool next_value(const uint8_t **p, const uint8_t *end, struct value *v)
{
	if (*p >= end)
		return false;
	memset(v, 0, sizeof(*v));
	v->type = (enum value_type)(**p);
	(*p)++;
	uint64_t u;
	size_t used;
	switch (v->type) {
	case VAL_NULL:
		return true;
	case VAL_INT:
		if (!(used = varint_get(*p, (size_t)(end - *p), &u)))
			return false;
		v->i = (int64_t)(u >> 1) ^ -(int64_t)(u & 1);
		*p += used;
		return true;
	case VAL_REAL:
		if (end - *p < 8)
			return false;
		memcpy(&v->r, *p, 8);
		*p += 8;
		return true;
	case VAL_TEXT:
	case VAL_BLOB:
		if (!(used = varint_get(*p, (size_t)(end - *p), &u)) ||
		    u > (uint64_t)(end - *p) - used)
			return false;
		v->p = (const char *)*p + used;
		v->n = (size_t)u;
		*p += used + u;
		return true;
	}
	return false;
}

int keyrec_frame(const uint8_t *p, size_t n, struct keyrec *out, size_t *used)
{
	uint64_t klen;
	size_t head = varint_get(p, n, &klen);
	if (!head)
		return n >= 10 ? err_set(CDC_ERUNTIME, "bad record length") : 0;
	if (klen > n - head || n - head - klen < 8)
		return 0;
	out->key = p + head;
	out->klen = (size_t)klen;
	memcpy(&out->hash, p + head + klen, 8);
	*used = head + klen + 8;
	return 1;
}

int keyrec_parse(const uint8_t *p, size_t n, size_t nkeys, struct keyrec *out, size_t *used)
{
	int got = keyrec_frame(p, n, out, used);
	if (got <= 0)
		return got;
	/* Checked once here, so that comparing and decoding need not. */
	const uint8_t *q = out->key, *end = out->key + out->klen;
	struct value v;
	for (size_t k = 0; k < nkeys; k++)
		if (!next_value(&q, end, &v))
			return err_set(CDC_ERUNTIME, "bad key in record");
	if (q != end)
		return err_set(CDC_ERUNTIME, "bad key in record");
	return 1;
}

void keyrec_decode(const struct keyrec *r, struct value *out, const size_t *pos, size_t n)
{
	const uint8_t *q = r->key, *end = r->key + r->klen;
	for (size_t k = 0; k < n; k++) {
		struct value *v = &out[pos ? pos[k] : k];
		if (!next_value(&q, end, v))
			memset(v, 0, sizeof(*v));
	}
}

/* Both keys' next value is an INT: compares them without the canon. */
static bool both_int(const uint8_t **a, const uint8_t *ea, const uint8_t **b, const uint8_t *eb,
		     int *c)
{
	if (*a >= ea || *b >= eb || **a != VAL_INT || **b != VAL_INT)
		return false;
	uint64_t ua, ub;
	size_t na = varint_get(*a + 1, (size_t)(ea - *a - 1), &ua);
	size_t nb = varint_get(*b + 1, (size_t)(eb - *b - 1), &ub);
	if (!na || !nb)
		return false;
	int64_t x = (int64_t)(ua >> 1) ^ -(int64_t)(ua & 1);
	int64_t y = (int64_t)(ub >> 1) ^ -(int64_t)(ub & 1);
	*c = (x > y) - (x < y);
	*a += 1 + na;
	*b += 1 + nb;
	return true;
}

int keyrec_cmp(const uint8_t *a, size_t an, const uint8_t *b, size_t bn,
	       const enum canon_class *classes, size_t n)
{
	if (an == bn && memcmp(a, b, an) == 0)
		return 0;
	const uint8_t *ea = a + an, *eb = b + bn;
	for (size_t k = 0; k < n; k++) {
		int c;
		if (both_int(&a, ea, &b, eb, &c)) {
			if (c)
				return c;
			continue;
		}
		struct value va, vb;
		struct canon ca, cb;
		bool oka = next_value(&a, ea, &va), okb = next_value(&b, eb, &vb);
		if (!oka || !okb)
			return oka - okb;
		canon_value(&va, classes[k], &ca);
		canon_value(&vb, classes[k], &cb);
		c = canon_cmp(&ca, &cb);
		if (c)
			return c;
	}
	return 0;
}

static void add_real(struct buf *out, double r)
{
	char num[40];
	format_real(num, r);
	buf_adds(out, num);
}

void keyrec_describe(struct buf *out, const struct value *keys, const char *const *names, size_t n)
{
	for (size_t k = 0; k < n; k++) {
		const struct value *v = &keys[k];
		/* for messages: names and text shown as names are (docs/design.md §9) */
		buf_adds(out, k ? " " : "");
		text_shown_add(out, names[k], strlen(names[k]), true);
		buf_addc(out, '=');
		if (v->type == VAL_INT)
			buf_addf(out, "%lld", (long long)v->i);
		else if (v->type == VAL_REAL)
			add_real(out, v->r);
		else if (v->type == VAL_TEXT) {
			buf_addc(out, '\'');
			text_shown_add(out, v->p, v->n > 40 ? 40 : v->n, true);
			buf_addc(out, '\'');
		} else if (v->type == VAL_BLOB)
			buf_addf(out, "<%zu bytes>", v->n);
		else
			buf_adds(out, "NULL");
	}
}
