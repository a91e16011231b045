/* One HTTP exchange at a time over a reused libcurl handle (kept-alive
 * connections): request bodies streamed from a file range or taken from
 * memory, response bodies streamed to a file or kept in memory, response
 * headers kept for lookup. Knows nothing of S3 or signing. */
#ifndef CDCPACK_HTTP_H
#define CDCPACK_HTTP_H

#include "buf.h"
#include "strv.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct http; /* owns a CURL easy handle */

struct http_options {
	const char *ca_bundle; /* PEM file of CAs, or NULL for the system store */
	long connect_timeout_s;
	/* A transfer slower than low_speed_bytes per second for low_speed_time_s is cut. */
	long low_speed_bytes;
	long low_speed_time_s;
	long timeout_s; /* > 0: the whole exchange is cut after this long (credential sources) */
};

int http_open(struct http **out, const struct http_options *opt);
void http_close(struct http *h); /* accepts NULL */

/* Borrows every pointer. */
struct http_request {
	const char *method; /* GET, HEAD, PUT, POST, DELETE */
	const char *url;
	const char *const *headers; /* "Name: value" lines, sent as given */
	size_t n_headers;
	/* Body: body_fd >= 0 streams body_len bytes from body_offset; else
	 * body_mem[0..body_len). Always sent with Content-Length, never chunked
	 * (S3 rejects chunked uploads: docs/design.md §8). */
	int body_fd;
	int64_t body_offset;
	const char *body_mem;
	int64_t body_len;
	/* >= 0: a 2xx body is written here (from the current offset); other
	 * bodies (errors) always go to http_response.body. */
	int out_fd;
};

/* Owns body and headers; http_response_free releases them. */
struct http_response {
	long status;	     /* 0 when no response arrived */
	char reason[64];     /* the status line's reason phrase ("Service Unavailable") */
	struct buf body;     /* body kept in memory, at most HTTP_BODY_MAX bytes */
	struct strv headers; /* name, value, name, value, ...: names in lower case */
	int64_t written;     /* bytes written to out_fd */
	int curl_code;	     /* CURLE_OK, or why the transfer failed */
	bool local_error;    /* the failure was reading or writing a local file: do not retry */
	char error[256];     /* what failed, when curl_code != CURLE_OK */
};

#define HTTP_BODY_MAX (32 << 20)

/* Performs req. Returns 0 when a response (any status) arrived; otherwise
 * CDC_ERUNTIME with resp->curl_code, resp->error and resp->local_error set
 * (err_set is not called: the caller words the message and decides on a retry). */
int http_perform(struct http *h, const struct http_request *req, struct http_response *resp);
/* Value of the first response header called name (lower case), or NULL. */
const char *http_header(const struct http_response *r, const char *name);
void http_response_free(struct http_response *r);
/* Is host ("name[:port]", "[::1]:port") a loopback name or address? */
bool http_host_is_loopback(const char *host);
/* True for transfer failures worth retrying: resets, refusals, timeouts. */
bool http_transient(const struct http_response *r);
/* Whether r failed before any server took the connection: a host name that
 * did not resolve, or a connection refused or unreachable. */
bool http_unreached(const struct http_response *r);

#endif
