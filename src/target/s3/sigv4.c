#include "sigv4.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdlib.h>
#include <string.h>

static bool is_unreserved(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '_' || c == '.' || c == '~';
}

void sigv4_uri_encode(struct buf *out, const char *s, size_t n, bool keep_slash)
{
	static const char hex[] = "0123456789ABCDEF";
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (is_unreserved(c) || (keep_slash && c == '/')) {
			buf_addc(out, (char)c);
		} else {
			char esc[3] = {'%', hex[c >> 4], hex[c & 15]};
			buf_add(out, esc, 3);
		}
	}
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decodes %XX (a stray '%' stays literal) then encodes once, so that an
 * already-encoded query and a raw one canonicalise alike. '+' is not a space:
 * S3 reads it literally. */
static char *canonical_component(const char *s, size_t n)
{
	struct buf raw = BUF_INIT, enc = BUF_INIT;
	for (size_t i = 0; i < n; i++) {
		int hi, lo;
		if (s[i] == '%' && i + 2 < n && (hi = hex_value(s[i + 1])) >= 0 &&
		    (lo = hex_value(s[i + 2])) >= 0) {
			buf_addc(&raw, (char)(hi << 4 | lo));
			i += 2;
		} else {
			buf_addc(&raw, s[i]);
		}
	}
	sigv4_uri_encode(&enc, buf_str(&raw), raw.len, false);
	buf_free(&raw);
	return buf_detach(&enc);
}

struct param {
	char *name;
	char *value;
};

static int param_cmp(const void *a, const void *b)
{
	const struct param *x = a, *y = b;
	int c = strcmp(x->name, y->name);
	return c ? c : strcmp(x->value, y->value);
}

void sigv4_canonical_query(struct buf *out, const char *query)
{
	if (!query || !*query)
		return;
	size_t cap = 1;
	for (const char *p = query; *p; p++)
		cap += *p == '&';
	struct param *params = xcalloc(cap, sizeof(*params));
	size_t n = 0;
	for (const char *p = query; *p;) {
		size_t len = strcspn(p, "&");
		if (len) {
			const char *eq = memchr(p, '=', len);
			size_t name_len = eq ? (size_t)(eq - p) : len;
			params[n].name = canonical_component(p, name_len);
			params[n].value =
				eq ? canonical_component(eq + 1, len - name_len - 1) : xstrdup("");
			n++;
		}
		p += len + (p[len] == '&');
	}
	qsort(params, n, sizeof(*params), param_cmp);
	for (size_t i = 0; i < n; i++) {
		buf_addf(out, "%s%s=%s", i ? "&" : "", params[i].name, params[i].value);
		free(params[i].name);
		free(params[i].value);
	}
	free(params);
}

struct canon_header {
	char *name; /* lower case */
	const char *value;
	size_t order; /* keeps repeated headers in the order given when sorting */
};

static int header_cmp(const void *a, const void *b)
{
	const struct canon_header *x = a, *y = b;
	int c = strcmp(x->name, y->name);
	if (c)
		return c;
	return x->order < y->order ? -1 : x->order > y->order;
}

/* Trims the value and folds each run of blanks (line folds included) into one space. */
static void add_trimmed(struct buf *out, const char *v)
{
	bool space = false, any = false;
	for (; *v; v++) {
		if (*v == ' ' || *v == '\t' || *v == '\n' || *v == '\r') {
			space = true;
			continue;
		}
		if (space && any)
			buf_addc(out, ' ');
		buf_addc(out, *v);
		space = false;
		any = true;
	}
}

static void canonical_headers(struct buf *out, struct buf *signed_headers,
			      const struct sigv4_request *req)
{
	struct canon_header *h = xcalloc(req->n_headers, sizeof(*h));
	for (size_t i = 0; i < req->n_headers; i++) {
		h[i].name = xstrdup(req->headers[i].name);
		for (char *c = h[i].name; *c; c++)
			if (*c >= 'A' && *c <= 'Z')
				*c = (char)(*c - 'A' + 'a');
		h[i].value = req->headers[i].value;
		h[i].order = i;
	}
	qsort(h, req->n_headers, sizeof(*h), header_cmp);
	for (size_t i = 0; i < req->n_headers; i++) {
		bool repeat = i > 0 && strcmp(h[i].name, h[i - 1].name) == 0;
		if (repeat) {
			buf_addc(out, ',');
		} else {
			if (i > 0)
				buf_addc(out, '\n');
			buf_addf(out, "%s:", h[i].name);
			buf_addf(signed_headers, "%s%s", signed_headers->len ? ";" : "", h[i].name);
		}
		add_trimmed(out, h[i].value);
	}
	if (req->n_headers)
		buf_addc(out, '\n');
	for (size_t i = 0; i < req->n_headers; i++)
		free(h[i].name);
	free(h);
}

void sigv4_canonical_request(struct buf *out, struct buf *signed_headers,
			     const struct sigv4_request *req)
{
	buf_addf(out, "%s\n%s\n", req->method, req->path);
	sigv4_canonical_query(out, req->query);
	buf_addc(out, '\n');
	canonical_headers(out, signed_headers, req);
	buf_addf(out, "\n%s\n%s", buf_str(signed_headers), req->payload_sha256);
}

static void scope(struct buf *out, const struct sigv4_key *key)
{
	buf_addf(out, "%.8s/%s/%s/aws4_request", key->amz_date, key->region, key->service);
}

void sigv4_string_to_sign(struct buf *out, const struct sigv4_key *key, const char *canonical)
{
	char hash[SIGV4_HEX_LEN + 1];
	sigv4_sha256_hex(hash, canonical, strlen(canonical));
	buf_addf(out, "AWS4-HMAC-SHA256\n%s\n", key->amz_date);
	scope(out, key);
	buf_addf(out, "\n%s", hash);
}

static void to_hex(char *out, const unsigned char *p, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = hex[p[i] >> 4];
		out[2 * i + 1] = hex[p[i] & 15];
	}
	out[2 * n] = '\0';
}

/* out = HMAC-SHA256(key, msg); out may alias key (each step of the key derivation). */
static void hmac(unsigned char out[32], const void *key, size_t key_len, const char *msg,
		 size_t msg_len)
{
	unsigned char tmp[32];
	unsigned int len = sizeof(tmp);
	if (!HMAC(EVP_sha256(), key, (int)key_len, (const unsigned char *)msg, msg_len, tmp, &len))
		abort(); /* only fails when OpenSSL cannot allocate */
	memcpy(out, tmp, sizeof(tmp));
	OPENSSL_cleanse(tmp, sizeof(tmp));
}

void sigv4_signature(char out[SIGV4_HEX_LEN + 1], const struct sigv4_key *key,
		     const char *string_to_sign)
{
	struct buf secret = BUF_INIT;
	unsigned char k[32];
	buf_addf(&secret, "AWS4%s", key->secret_key);
	hmac(k, secret.data, secret.len, key->amz_date, 8);
	OPENSSL_cleanse(secret.data, secret.len);
	buf_free(&secret);
	hmac(k, k, sizeof(k), key->region, strlen(key->region));
	hmac(k, k, sizeof(k), key->service, strlen(key->service));
	hmac(k, k, sizeof(k), "aws4_request", 12);
	hmac(k, k, sizeof(k), string_to_sign, strlen(string_to_sign));
	to_hex(out, k, sizeof(k));
	OPENSSL_cleanse(k, sizeof(k));
}

void sigv4_authorization(struct buf *out, const struct sigv4_key *key,
			 const struct sigv4_request *req)
{
	struct buf canonical = BUF_INIT, signed_headers = BUF_INIT, sts = BUF_INIT;
	char signature[SIGV4_HEX_LEN + 1];
	sigv4_canonical_request(&canonical, &signed_headers, req);
	sigv4_string_to_sign(&sts, key, buf_str(&canonical));
	sigv4_signature(signature, key, buf_str(&sts));
	buf_addf(out, "AWS4-HMAC-SHA256 Credential=%s/", key->access_key);
	scope(out, key);
	buf_addf(out, ", SignedHeaders=%s, Signature=%s", buf_str(&signed_headers), signature);
	buf_free(&canonical);
	buf_free(&signed_headers);
	buf_free(&sts);
}

void sigv4_amz_date(char out[SIGV4_DATE_LEN + 1], time_t t)
{
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, SIGV4_DATE_LEN + 1, "%Y%m%dT%H%M%SZ", &tm);
}

void sigv4_sha256_init(struct sigv4_sha256 *h)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	if (!ctx || !EVP_DigestInit_ex(ctx, EVP_sha256(), NULL))
		abort();
	h->ctx = ctx;
}

void sigv4_sha256_update(struct sigv4_sha256 *h, const void *p, size_t n)
{
	if (!EVP_DigestUpdate(h->ctx, p, n))
		abort();
}

void sigv4_sha256_final(struct sigv4_sha256 *h, char out[SIGV4_HEX_LEN + 1])
{
	unsigned char md[32];
	unsigned int len = sizeof(md);
	if (!EVP_DigestFinal_ex(h->ctx, md, &len))
		abort();
	to_hex(out, md, sizeof(md));
	sigv4_sha256_free(h);
}

void sigv4_sha256_free(struct sigv4_sha256 *h)
{
	EVP_MD_CTX_free(h->ctx);
	h->ctx = NULL;
}

void sigv4_sha256_hex(char out[SIGV4_HEX_LEN + 1], const void *p, size_t n)
{
	struct sigv4_sha256 h;
	sigv4_sha256_init(&h);
	sigv4_sha256_update(&h, p, n);
	sigv4_sha256_final(&h, out);
}
