/* An S3 client: addressing (virtual-hosted or path style), SigV4-signed
 * requests, retries with backoff, S3 error replies turned into messages.
 * The operations themselves (put, multipart, copy, ...) are in target_s3.c. */
#ifndef CDCPACK_S3_H
#define CDCPACK_S3_H

#include "config.h"
#include "http.h"
#include "sigv4.h"

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

struct s3;	/* owns the credentials and the connection of s3_call */
struct s3_conn; /* another connection, for one more thread: owns its HTTP handle */

/* Opens a client for bucket with cfg's [target] keys and the AWS credential
 * chain (missing credentials: CDC_EUSAGE). */
int s3_open(struct s3 **out, const struct config *cfg, const char *bucket);
void s3_close(struct s3 *s); /* accepts NULL */
const char *s3_bucket(const struct s3 *s);
/* The host (and port) requests go to, bucket first when virtual-hosted: for
 * messages, which name where a request went (never the user info an
 * endpoint URL may carry). */
const char *s3_endpoint_host(const struct s3 *s);

/* One S3 request; borrows every pointer. */
struct s3_call {
	const char *what;	    /* for messages: "upload cdc/x.tar.zst" */
	const char *method;	    /* GET, HEAD, PUT, POST, DELETE */
	const char *key;	    /* object key; NULL for the bucket itself */
	const char *query;	    /* already encoded, e.g. "partNumber=2&uploadId=..."; or NULL */
	const char *const *headers; /* extra "name: value" lines, sent and signed */
	size_t n_headers;
	/* Request body as in struct http_request: a file range or memory. */
	int body_fd;
	int64_t body_offset;
	const char *body_mem;
	int64_t body_len;
	/* The body's SHA-256 (hex) when the caller hashed it already (an upload
	 * hashes each part in the pass that checks the archive); NULL: hashed here. */
	const char *body_sha256;
	int out_fd; /* >= 0: a GET body is streamed here (rewritten on retry) */
	/* Statuses other than 2xx that are an answer, not a failure (404 for a
	 * HEAD, 412 for a conditional write): 0-terminated, or NULL. */
	const long *accept;
};

/* Sends c, retrying transient failures up to max_retries times. Returns 0
 * when the reply is 2xx (and no <Error> hides in its body) or an accepted
 * status (resp->status tells which); otherwise CDC_ERUNTIME with the S3 code
 * and message in the error slot. resp is owned by the caller. */
int s3_call(struct s3 *s, const struct s3_call *c, struct http_response *resp);

/* The same over conn: threads that share s each use their own s3_conn. */
int s3_call_on(struct s3 *s, struct s3_conn *conn, const struct s3_call *c,
	       struct http_response *resp);
int s3_conn_open(struct s3 *s, struct s3_conn **out);
void s3_conn_close(struct s3_conn *c); /* accepts NULL */

struct hash_stream;
/* The SHA-256 (hex) of bytes off to off + len of fd, which signs a request
 * carrying them, read in 1 MiB pieces that go to also too (its XXH3; NULL:
 * none): one pass checks an archive and hashes its parts. 0, or why not: an
 * errno, or -1 when the file ends before off + len. The caller words the
 * message. */
int s3_sha256_range(int fd, int64_t off, int64_t len, struct hash_stream *also,
		    char out[SIGV4_HEX_LEN + 1]);

/* S3's multipart limits: parts per upload, bytes per part (every part but
 * the last at least 5 MiB). */
#define S3_MAX_PARTS 10000
#define S3_MAX_PART_BYTES (5LL << 30)
#define S3_MIN_PART_BYTES (5LL << 20)

/* Pure helpers, exposed for unit tests. */

/* Delay before retry number attempt (1 = the first retry): a random point
 * ("full jitter") in [0, min(cap, base * 2^(attempt-1))), but never less than
 * what the server asked for in Retry-After (retry_after_ms >= 0), itself capped.
 * unit_random is in [0, 1). */
long s3_backoff_ms(int attempt, long retry_after_ms, double unit_random);
/* Is this failed reply worth another attempt? status 0 = no reply; code may be NULL. */
bool s3_retryable_status(long status, const char *code);
/* Is reply r, that did not answer, worth another attempt? No reply: the
 * transport error decides (http_transient); else its status and the S3
 * error code in its body (s3_retryable_status). */
bool s3_reply_retryable(const struct http_response *r);
/* Does reply r answer a call that takes the statuses in accept (as in struct
 * s3_call) as answers? A 2xx whose body is an S3 <Error> does not
 * (CompleteMultipartUpload, CopyObject: docs/design.md §8). */
bool s3_answered(const long *accept, const struct http_response *r);

/* The S3 operations of target_s3.c, for s3_op_accept. */
enum s3_op {
	S3_PUT_OBJECT,
	S3_CREATE_MULTIPART,
	S3_UPLOAD_PART, /* UploadPart and UploadPartCopy */
	S3_COMPLETE_MULTIPART,
	S3_ABORT_MULTIPART,
	S3_LIST_UPLOADS,
	S3_COPY_OBJECT,
	S3_HEAD_OBJECT,
	S3_GET_OBJECT,
	S3_DELETE_OBJECT,
	S3_LIST_OBJECTS,
};
/* The statuses other than 2xx that op takes as an answer (0-terminated), or
 * NULL. exclusive: the request carries If-None-Match: *, so 412 means "the
 * key exists" (and 501, to a PUT or CopyObject, "not implemented here"). A
 * missing object (404) answers a HEAD, GET or DELETE, and an abort of an
 * upload already gone. */
const long *s3_op_accept(enum s3_op op, bool exclusive);
/* Retry-After as milliseconds ("120" or an HTTP date, relative to now); -1 when absent or bad. */
long s3_parse_retry_after(const char *value, time_t now);
/* "s3://bucket/some/prefix" -> bucket and "some/prefix/" (both owned by the caller). */
int s3_parse_url(const char *url, char **bucket, char **prefix);
/* Part size for a multipart upload of size bytes: the configured one (at
 * least 5 MiB), grown to a whole MiB when 10,000 parts would not hold it. */
int64_t s3_part_size(int64_t size, int64_t configured);
/* The parts of an upload streamed while the archive was compressed
 * (docs/design.md §4 step 5): the archive is size bytes, its first data
 * frame begins at head and was sent in parts of part bytes as it grew. Part
 * 1 is the head and the frame's first part bytes, each next part part
 * bytes, the last the rest. Gives the number of parts, and when bounds is
 * not NULL fills bounds[0..n] (part i+1 is bytes bounds[i] to
 * bounds[i+1]); 0 when S3 would refuse that layout (a part but the last
 * under 5 MiB or any over 5 GiB, more than 10,000 parts) or it is one part. */
size_t s3_stream_parts(int64_t size, int64_t head, int64_t part, int64_t *bounds);
/* "2026-11-24T10:11:12.345Z" (S3's <ServerTime>) as a time_t; -1 when not one. */
time_t s3_parse_iso_time(const char *s);
/* Does bucket need path-style addressing under this configuration? */
bool s3_use_path_style(enum path_style style, const char *endpoint, const char *bucket);

#endif
