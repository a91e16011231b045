/* AWS Signature Version 4, as S3 wants it: pure functions (no clock, no I/O)
 * over OpenSSL's SHA-256 and HMAC, checked against AWS's published vectors.
 * We sign ourselves instead of using curl 7.88.1's CURLOPT_AWS_SIGV4, which
 * neither sorts nor encodes the query and adds no x-amz-content-sha256
 * (docs/design.md §8). */
#ifndef CDCPACK_SIGV4_H
#define CDCPACK_SIGV4_H

#include "buf.h"

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#define SIGV4_HEX_LEN 64
#define SIGV4_DATE_LEN 16 /* 20150830T123600Z */
#define SIGV4_EMPTY_SHA256 "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

struct sigv4_header {
	const char *name;
	const char *value;
};

/* One request as it goes on the wire; borrows every string. */
struct sigv4_request {
	const char *method;
	/* The path exactly as sent, already URI-encoded by sigv4_uri_encode. S3
	 * signs it as is: no "/./" or ".." collapsing, no second encoding. */
	const char *path;
	const char *query;		    /* as sent, without '?'; NULL when none */
	const struct sigv4_header *headers; /* every signed header, host and x-amz-date included */
	size_t n_headers;
	const char *payload_sha256; /* hex SHA-256 of the body, or "UNSIGNED-PAYLOAD" */
};

/* Who signs, for which region and service, when (x-amz-date). Borrows. */
struct sigv4_key {
	const char *access_key;
	const char *secret_key;
	const char *region;
	const char *service;
	const char *amz_date;
};

/* Appends s[0..n) with every byte outside RFC 3986's unreserved set as %XX
 * (upper-case hex); '/' is kept when keep_slash (object key paths). */
void sigv4_uri_encode(struct buf *out, const char *s, size_t n, bool keep_slash);
/* The query in canonical form: each name and value decoded then encoded once,
 * sorted by name then value; a valueless parameter becomes "name=". */
void sigv4_canonical_query(struct buf *out, const char *query);
/* The canonical request; signed_headers gets "host;x-amz-date;...". */
void sigv4_canonical_request(struct buf *out, struct buf *signed_headers,
			     const struct sigv4_request *req);
void sigv4_string_to_sign(struct buf *out, const struct sigv4_key *key, const char *canonical);
void sigv4_signature(char out[SIGV4_HEX_LEN + 1], const struct sigv4_key *key,
		     const char *string_to_sign);
/* The whole Authorization header value for req. */
void sigv4_authorization(struct buf *out, const struct sigv4_key *key,
			 const struct sigv4_request *req);

/* "YYYYMMDDTHHMMSSZ" of t in UTC. */
void sigv4_amz_date(char out[SIGV4_DATE_LEN + 1], time_t t);

/* Incremental SHA-256 (the payload hash of a body streamed from a file).
 * Owns an OpenSSL digest context; sigv4_sha256_free releases it. */
struct sigv4_sha256 {
	void *ctx;
};
void sigv4_sha256_init(struct sigv4_sha256 *h);
void sigv4_sha256_update(struct sigv4_sha256 *h, const void *p, size_t n);
/* Writes the hex digest and frees the context. */
void sigv4_sha256_final(struct sigv4_sha256 *h, char out[SIGV4_HEX_LEN + 1]);
void sigv4_sha256_free(struct sigv4_sha256 *h);
void sigv4_sha256_hex(char out[SIGV4_HEX_LEN + 1], const void *p, size_t n);

#endif
