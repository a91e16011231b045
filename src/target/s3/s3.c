#include "s3.h"

#include "s3_creds.h"
#include "codec.h"
#include "err.h"
#include "hash.h"
#include "log.h"
#include "s3xml.h"
#include "sigv4.h"

#include <curl/curl.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#define BACKOFF_BASE_MS 250
#define BACKOFF_CAP_MS 20000
#define RETRY_AFTER_CAP_MS 120000
#define CONNECT_TIMEOUT_S 10
#define LOW_SPEED_BYTES 1024
#define LOW_SPEED_TIME_S 60
#define HASH_CHUNK (1 << 20)
#define MIB (1LL << 20)
#define MAX_PARTS S3_MAX_PARTS

/* One connection and its jitter state, used by one thread at a time. */
struct s3_conn {
	struct http *http;
	uint64_t rng;
};

/* Read-only after s3_open except clock_skew_s and creds (which locks), so
 * threads may share it. */
struct s3 {
	struct s3_conn *conn; /* the connection of s3_call */
	struct s3_creds *creds;
	struct http_options http_opt;
	char *ca_bundle;
	char *bucket;
	char *region;
	char *scheme;	      /* "https" or "http" */
	char *host;	      /* Host header, bucket first when virtual-hosted */
	char *base_path;      /* endpoint path, then "/bucket" when path style; "" for none */
	char *expected_owner; /* [target] expected_bucket_owner, sent with every request; or NULL */
	int max_retries;
	_Atomic long clock_skew_s; /* server time minus ours, learnt from RequestTimeTooSkewed */
	_Atomic bool answered;	   /* the endpoint has answered a request of this command */
};

const char *s3_bucket(const struct s3 *s)
{
	return s->bucket;
}

const char *s3_endpoint_host(const struct s3 *s)
{
	const char *at = strrchr(s->host, '@'); /* an endpoint URL's user info stays out */
	return at ? at + 1 : s->host;
}

int64_t s3_part_size(int64_t size, int64_t configured)
{
	int64_t part = configured < 5 * MIB ? 5 * MIB : configured;
	if ((size + part - 1) / part > MAX_PARTS) {
		/* Too many parts: grow to the smallest whole MiB that fits. */
		part = (size + MAX_PARTS - 1) / MAX_PARTS;
		part = (part + MIB - 1) / MIB * MIB;
	}
	return part;
}

size_t s3_stream_parts(int64_t size, int64_t head, int64_t part, int64_t *bounds)
{
	if (head < 0 || part < S3_MIN_PART_BYTES || part > S3_MAX_PART_BYTES ||
	    head > S3_MAX_PART_BYTES - part || size <= head + part)
		return 0;
	int64_t n = 1 + (size - head - part + part - 1) / part;
	if (n > MAX_PARTS)
		return 0;
	for (int64_t i = 0; bounds && i <= n; i++)
		bounds[i] = i == 0 ? 0 : i == n ? size : head + part * i;
	return (size_t)n;
}

/* "s3://bucket/some/prefix" -> bucket and "some/prefix/". */
int s3_parse_url(const char *url, char **bucket, char **prefix)
{
	*bucket = *prefix = NULL;
	if (strncmp(url, "s3://", 5) != 0)
		return err_set(CDC_EUSAGE, "[target] url: '%s' is not s3://BUCKET[/PREFIX]", url);
	/* S3's characters, with the uppercase and '_' buckets made before
	 * March 2018 may still have (docs/design.md §3). */
	const char *b = url + 5;
	size_t n = strcspn(b, "/");
	if (n < 3 || n > 63 ||
	    strspn(b, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		      "0123456789.-_") < n)
		return err_set(
			CDC_EUSAGE,
			"[target] url: '%.*s' is not a bucket name (3 to 63 letters, digits, "
			"'.', '-', '_')",
			(int)n, b);
	const char *p = b + n;
	while (*p == '/')
		p++;
	*bucket = xstrndup(b, n);
	*prefix = xasprintf("%s%s", p, *p && p[strlen(p) - 1] != '/' ? "/" : "");
	return 0;
}

bool s3_use_path_style(enum path_style style, const char *endpoint, const char *bucket)
{
	if (style != PATH_STYLE_AUTO)
		return style == PATH_STYLE_PATH;
	/* Custom endpoints rarely have wildcard DNS, and a dotted bucket breaks
	 * the *.s3 TLS certificate of AWS: both go path style (docs/design.md §8). */
	return (endpoint && *endpoint) || strchr(bucket, '.') != NULL;
}

long s3_backoff_ms(int attempt, long retry_after_ms, double unit_random)
{
	double ceiling = BACKOFF_BASE_MS * pow(2.0, attempt > 1 ? attempt - 1 : 0);
	if (ceiling > BACKOFF_CAP_MS)
		ceiling = BACKOFF_CAP_MS;
	long delay = (long)(ceiling * unit_random);
	if (retry_after_ms > RETRY_AFTER_CAP_MS)
		retry_after_ms = RETRY_AFTER_CAP_MS;
	return delay > retry_after_ms ? delay : retry_after_ms;
}

bool s3_retryable_status(long status, const char *code)
{
	static const char *const codes[] = {
		"SlowDown",   "RequestTimeout",	     "InternalError",	     "ServiceUnavailable",
		"Throttling", "ThrottlingException", "RequestTimeTooSkewed", NULL};
	if (status == 0 || status == 429 || status == 500 || status == 502 || status == 503 ||
	    status == 504)
		return true;
	for (size_t i = 0; code && codes[i]; i++)
		if (strcmp(code, codes[i]) == 0)
			return true;
	return false;
}

long s3_parse_retry_after(const char *value, time_t now)
{
	if (!value || !*value)
		return -1;
	char *end;
	long secs = strtol(value, &end, 10);
	if (end != value && *end == '\0')
		return secs < 0 ? -1 : secs * 1000;
	time_t at = curl_getdate(value, NULL);
	if (at < 0)
		return -1;
	return at > now ? (long)(at - now) * 1000 : 0;
}

/* xorshift64*: jitter needs spread, not secrecy. */
static double next_random(struct s3_conn *c)
{
	c->rng ^= c->rng >> 12;
	c->rng ^= c->rng << 25;
	c->rng ^= c->rng >> 27;
	return (double)((c->rng * 2685821657736338717ULL) >> 11) / 9007199254740992.0;
}

int s3_conn_open(struct s3 *s, struct s3_conn **out)
{
	struct s3_conn *c = xcalloc(1, sizeof(*c));
	*out = NULL;
	if (getrandom(&c->rng, sizeof(c->rng), 0) != sizeof(c->rng) || c->rng == 0)
		c->rng = ((uint64_t)time(NULL) * 2654435761u ^ (uint64_t)getpid()) | 1;
	int rc = http_open(&c->http, &s->http_opt);
	if (rc) {
		free(c);
		return rc;
	}
	*out = c;
	return 0;
}

void s3_conn_close(struct s3_conn *c)
{
	if (!c)
		return;
	http_close(c->http);
	free(c);
}

/* Splits "scheme://host[:port][/path]" (validated by config.c) into s. */
static int set_endpoint(struct s3 *s, const char *endpoint, bool path_style)
{
	const char *rest = strstr(endpoint, "://");
	s->scheme = xstrndup(endpoint, (size_t)(rest - endpoint));
	rest += 3;
	size_t host_len = strcspn(rest, "/?#");
	if (host_len == 0)
		return err_set(CDC_EUSAGE, "[target] endpoint: '%s' has no host name", endpoint);
	const char *path = rest + host_len;
	size_t path_len = strcspn(path, "?#");
	while (path_len && path[path_len - 1] == '/')
		path_len--;
	char *host = xstrndup(rest, host_len);
	if (path_style) {
		s->host = host;
		s->base_path = xasprintf("%.*s/%s", (int)path_len, path, s->bucket);
	} else {
		s->host = xasprintf("%s.%s", s->bucket, host);
		s->base_path = xstrndup(path, path_len);
		free(host);
	}
	if (strcmp(s->scheme, "http") == 0 && !http_host_is_loopback(s->host))
		log_warn(
			"[target] endpoint %s is plain http on a non-loopback host: request bodies "
			"and signed headers travel unencrypted",
			endpoint);
	return 0;
}

static void set_aws_endpoint(struct s3 *s, bool path_style)
{
	s->scheme = xstrdup("https");
	if (path_style) {
		s->host = xasprintf("s3.%s.amazonaws.com", s->region);
		s->base_path = xasprintf("/%s", s->bucket);
	} else {
		s->host = xasprintf("%s.s3.%s.amazonaws.com", s->bucket, s->region);
		s->base_path = xstrdup("");
	}
}

/* The endpoint when the config names none: AWS_ENDPOINT_URL_S3, then
 * AWS_ENDPOINT_URL, as the SDKs read them; NULL for AWS itself. */
static int env_endpoint(const char **out)
{
	static const char *const vars[] = {"AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL"};
	*out = NULL;
	for (size_t i = 0; i < 2 && !*out; i++) {
		const char *v = getenv(vars[i]);
		if (!v || !*v)
			continue;
		if (strncmp(v, "http://", 7) != 0 && strncmp(v, "https://", 8) != 0)
			return err_set(CDC_EUSAGE, "%s: '%s' must start with http:// or https://",
				       vars[i], v);
		*out = v;
	}
	return 0;
}

int s3_open(struct s3 **out, const struct config *cfg, const char *bucket)
{
	*out = NULL;
	struct s3 *s = xcalloc(1, sizeof(*s));
	s->bucket = xstrdup(bucket);
	s->region = cfg->region_set ? NULL : s3_creds_region();
	if (!s->region)
		s->region = xstrdup(cfg->region);
	s->max_retries = cfg->max_retries;
	s->expected_owner = cfg->expected_bucket_owner ? xstrdup(cfg->expected_bucket_owner) : NULL;
	s->ca_bundle = cfg->ca_bundle ? xstrdup(cfg->ca_bundle) : NULL;
	s->http_opt = (struct http_options){s->ca_bundle, CONNECT_TIMEOUT_S, LOW_SPEED_BYTES,
					    LOW_SPEED_TIME_S, 0};
	const char *endpoint = cfg->endpoint;
	int rc = endpoint ? 0 : env_endpoint(&endpoint);
	bool path_style = s3_use_path_style(cfg->path_style, endpoint, bucket);
	if (rc == 0 && endpoint && *endpoint)
		rc = set_endpoint(s, endpoint, path_style);
	else if (rc == 0)
		set_aws_endpoint(s, path_style);
	if (rc == 0)
		rc = s3_creds_open(&s->creds, s->region);
	if (rc == 0)
		rc = s3_conn_open(s, &s->conn);
	if (rc) {
		s3_close(s);
		return rc;
	}
	log_debug("s3: bucket %s at %s://%s%s (%s style), credentials from %s", bucket, s->scheme,
		  s->host, s->base_path, path_style ? "path" : "virtual-hosted",
		  s3_creds_origin(s->creds));
	*out = s;
	return 0;
}

void s3_close(struct s3 *s)
{
	if (!s)
		return;
	s3_conn_close(s->conn);
	s3_creds_close(s->creds);
	free(s->ca_bundle);
	free(s->expected_owner);
	free(s->bucket);
	free(s->region);
	free(s->scheme);
	free(s->host);
	free(s->base_path);
	free(s);
}

int s3_sha256_range(int fd, int64_t off, int64_t len, struct hash_stream *also,
		    char out[SIGV4_HEX_LEN + 1])
{
	struct sigv4_sha256 h;
	char *chunk = xmalloc(HASH_CHUNK);
	int why = 0;
	sigv4_sha256_init(&h);
	for (int64_t done = 0; done < len && !why;) {
		size_t want = len - done < HASH_CHUNK ? (size_t)(len - done) : HASH_CHUNK;
		ssize_t n = pread(fd, chunk, want, off + done);
		if (n <= 0) {
			why = n < 0 ? errno : -1;
			break;
		}
		sigv4_sha256_update(&h, chunk, (size_t)n);
		if (also)
			hash_stream_update(also, chunk, (size_t)n);
		done += n;
	}
	if (why)
		sigv4_sha256_free(&h);
	else
		sigv4_sha256_final(&h, out);
	free(chunk);
	return why;
}

static void request_path(const struct s3 *s, const char *key, struct buf *path)
{
	buf_adds(path, s->base_path);
	if (key) {
		buf_addc(path, '/');
		sigv4_uri_encode(path, key, strlen(key), true);
	} else if (path->len == 0) {
		buf_addc(path, '/');
	}
}

/* Owns the header lines sent and the name/value pairs signed. */
struct signed_headers {
	struct strv lines;
	struct strv names;
	struct strv values;
};

static void add_header(struct signed_headers *sh, const char *name, size_t name_len,
		       const char *value)
{
	strv_push_owned(&sh->names, xstrndup(name, name_len));
	strv_push(&sh->values, value);
	strv_push_owned(&sh->lines, xasprintf("%.*s: %s", (int)name_len, name, value));
}

static void free_headers(struct signed_headers *sh)
{
	strv_free(&sh->lines);
	strv_free(&sh->names);
	if (sh->values.v) /* tokens and signatures: leave nothing behind in freed memory */
		for (size_t i = 0; i < sh->values.n; i++)
			memset(sh->values.v[i], 0, strlen(sh->values.v[i]));
	strv_free(&sh->values);
}

/* Builds and signs the headers of one attempt (a fresh x-amz-date each time,
 * credentials valid now: temporary ones are fetched again when due). */
static int sign_request(struct s3 *s, const struct s3_call *c, const char *path,
			const char *payload, struct signed_headers *sh)
{
	struct awscred cred = {0};
	int rc = s3_creds_get(s->creds, &cred);
	if (rc)
		return err_prefix(rc, "%s", c->what);
	char date[SIGV4_DATE_LEN + 1];
	sigv4_amz_date(date, time(NULL) + s->clock_skew_s);
	add_header(sh, "Host", 4, s->host);
	add_header(sh, "x-amz-date", 10, date);
	add_header(sh, "x-amz-content-sha256", 20, payload);
	if (cred.session_token)
		add_header(sh, "x-amz-security-token", 20, cred.session_token);
	if (s->expected_owner) /* S3 refuses (403) a bucket another account owns */
		add_header(sh, "x-amz-expected-bucket-owner", 27, s->expected_owner);
	for (size_t i = 0; i < c->n_headers; i++) {
		const char *colon = strchr(c->headers[i], ':');
		const char *v = colon + 1;
		while (*v == ' ')
			v++;
		add_header(sh, c->headers[i], (size_t)(colon - c->headers[i]), v);
	}
	struct sigv4_header *h = xcalloc(sh->names.n, sizeof(*h));
	for (size_t i = 0; i < sh->names.n; i++)
		h[i] = (struct sigv4_header){sh->names.v[i], sh->values.v[i]};
	struct sigv4_request req = {c->method, path, c->query, h, sh->names.n, payload};
	struct sigv4_key key = {cred.access_key, cred.secret_key, s->region, "s3", date};
	struct buf auth = BUF_INIT;
	sigv4_authorization(&auth, &key, &req);
	strv_push_owned(&sh->lines, xasprintf("Authorization: %s", buf_str(&auth)));
	buf_free(&auth);
	free(h);
	awscred_free(&cred);
	return 0;
}

/* What went wrong with one attempt, for the retry log and the final error. */
struct failure {
	struct buf why;
	long status;
	char *code;
	long retry_after_ms;
	bool retryable;
};

/* Adds fmt with text, a server's (or whoever answers at the endpoint):
 * escaped, and cut after max bytes so that it cannot flood the message. */
static void add_server_text(struct buf *b, const char *fmt, const char *text, int max)
{
	char *shown = name_shown_cut(text, max);
	buf_addf(b, fmt, shown);
	free(shown);
}

static void describe_failure(const struct http_response *r, struct failure *f)
{
	buf_reset(&f->why);
	free(f->code);
	f->code = NULL;
	f->status = r->status;
	f->retry_after_ms = -1;
	if (r->status == 0) {
		buf_addf(&f->why, "%s", r->error);
		f->retryable = s3_reply_retryable(r);
		return;
	}
	struct s3xml_error e;
	buf_addf(&f->why, "HTTP %ld", r->status);
	if (s3xml_parse_error(r->body.data, r->body.len, &e)) {
		if (e.code)
			add_server_text(&f->why, " %s", e.code, 80);
		if (e.message)
			add_server_text(&f->why, ": %s", e.message, 400);
		f->code = e.code;
		e.code = NULL;
		s3xml_error_free(&e);
	}
	if (!f->code && r->reason[0]) /* HEAD replies carry no error body */
		add_server_text(&f->why, " %s", r->reason, 80);
	const char *region = http_header(r, "x-amz-bucket-region");
	if (region)
		add_server_text(&f->why, " (the bucket is in region %s: set [target] region)",
				region, 80);
	f->retryable = s3_reply_retryable(r);
	f->retry_after_ms = s3_parse_retry_after(http_header(r, "retry-after"), time(NULL));
}

static bool accepted(const long *accept, long status)
{
	for (const long *a = accept; a && *a; a++)
		if (*a == status)
			return true;
	return false;
}

bool s3_answered(const long *accept, const struct http_response *r)
{
	if (r->status == 0)
		return false;
	if (r->status >= 200 && r->status < 300) {
		struct s3xml_error e;
		bool error = s3xml_parse_error(r->body.data, r->body.len, &e);
		s3xml_error_free(&e);
		return !error;
	}
	return accepted(accept, r->status);
}

bool s3_reply_retryable(const struct http_response *r)
{
	if (r->status == 0)
		return http_transient(r);
	struct s3xml_error e;
	bool parsed = s3xml_parse_error(r->body.data, r->body.len, &e);
	bool retry = s3_retryable_status(r->status, parsed ? e.code : NULL);
	s3xml_error_free(&e);
	return retry;
}

const long *s3_op_accept(enum s3_op op, bool exclusive)
{
	static const long missing[] = {404, 0};
	static const long exists[] = {412, 0};
	static const long exists_or_unsupported[] = {412, 501, 0};
	switch (op) {
	case S3_PUT_OBJECT:
	case S3_COPY_OBJECT:
		return exclusive ? exists_or_unsupported : NULL;
	case S3_COMPLETE_MULTIPART:
		return exclusive ? exists : NULL;
	case S3_HEAD_OBJECT:
	case S3_GET_OBJECT:
	case S3_DELETE_OBJECT:
	case S3_ABORT_MULTIPART:
		return missing;
	default:
		return NULL;
	}
}

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

static int rewind_output(const struct s3_call *c)
{
	if (c->out_fd < 0)
		return 0;
	if (ftruncate(c->out_fd, 0) != 0 || lseek(c->out_fd, 0, SEEK_SET) != 0)
		return err_set(CDC_ERUNTIME, "%s: cannot rewind the download file: %s", c->what,
			       strerror(errno));
	return 0;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* One signed attempt. */
static int attempt(struct s3 *s, struct s3_conn *conn, const struct s3_call *c, const char *path,
		   const struct buf *url, const char *payload, struct http_response *resp)
{
	struct signed_headers sh = {0};
	int rc = sign_request(s, c, path, payload, &sh);
	if (rc) {
		free_headers(&sh);
		return rc;
	}
	struct http_request req = {c->method,	buf_str(url), (const char *const *)sh.lines.v,
				   sh.lines.n,	c->body_fd,   c->body_offset,
				   c->body_mem, c->body_len,  c->out_fd};
	double t0 = now_s();
	http_perform(conn->http, &req, resp);
	/* The request line and status only: headers carry the signature and token. */
	log_debug("s3: %s %s%s%s -> %ld%s%s (%.3fs)", c->method, path, c->query ? "?" : "",
		  c->query ? c->query : "", resp->status, resp->status ? "" : " ",
		  resp->status ? "" : resp->error, now_s() - t0);
	free_headers(&sh);
	return 0;
}

static int payload_hash(const struct s3_call *c, char out[SIGV4_HEX_LEN + 1])
{
	if (c->body_sha256) {
		snprintf(out, SIGV4_HEX_LEN + 1, "%s", c->body_sha256);
		return 0;
	}
	if (c->body_fd < 0) {
		sigv4_sha256_hex(out, c->body_mem ? c->body_mem : "",
				 c->body_mem ? (size_t)c->body_len : 0);
		return 0;
	}
	/* A file range is read once before it is sent: S3 checks the body
	 * against this hash, so a corrupted upload is refused, not stored. */
	int why = s3_sha256_range(c->body_fd, c->body_offset, c->body_len, NULL, out);
	return why ? err_set(CDC_ERUNTIME, "reading the upload: %s",
			     why > 0 ? strerror(why) : "the file is shorter than its size")
		   : 0;
}

time_t s3_parse_iso_time(const char *s)
{
	struct tm tm = {0};
	int n = 0;
	if (!s ||
	    sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
		   &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &n) != 6 ||
	    n != 19)
		return -1;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	return timegm(&tm);
}

/* RequestTimeTooSkewed: S3 refuses signatures more than 15 minutes off its
 * clock (docs/design.md §8). Its <ServerTime> (or the Date header) gives the
 * offset, and the retry signs with the server's time, as the AWS SDKs do. */
static void learn_clock_skew(struct s3 *s, const struct failure *f, const struct http_response *r)
{
	if (!f->code || strcmp(f->code, "RequestTimeTooSkewed") != 0)
		return;
	char *iso = s3xml_text(r->body.data, r->body.len, "ServerTime");
	const char *date = http_header(r, "date");
	time_t server = iso ? s3_parse_iso_time(iso) : date ? curl_getdate(date, NULL) : -1;
	free(iso);
	if (server < 0)
		return;
	s->clock_skew_s = (long)(server - time(NULL));
	log_warn("s3: the local clock is %lds off the server's: signing with the server's time",
		 -s->clock_skew_s);
}

/* A HEAD error has no body, so no S3 error code: a one-byte GET of the same
 * key, made once, tells "403 SignatureDoesNotMatch" from "403 AccessDenied". */
static void explain_head_failure(struct s3 *s, struct s3_conn *conn, const struct s3_call *head,
				 const char *path, const struct buf *url, struct failure *f)
{
	const char *range[] = {"Range: bytes=0-0"};
	struct s3_call get = *head;
	struct http_response r = {0};
	struct failure g = {BUF_INIT, 0, NULL, -1, false};
	get.method = "GET";
	get.headers = range;
	get.n_headers = 1;
	get.out_fd = -1;
	if (attempt(s, conn, &get, path, url, SIGV4_EMPTY_SHA256, &r) != 0)
		err_clear(); /* the HEAD's own failure stands */
	else if (r.status >= 400)
		describe_failure(&r, &g);
	if (g.code) { /* the GET's failure stands for the HEAD's */
		learn_clock_skew(s, &g, &r);
		struct failure tmp = *f;
		*f = g;
		g = tmp;
	}
	buf_free(&g.why);
	free(g.code);
	http_response_free(&r);
}

static int retry_loop(struct s3 *s, struct s3_conn *conn, const struct s3_call *c, const char *path,
		      const struct buf *url, const char *payload, struct http_response *resp)
{
	struct failure f = {BUF_INIT, 0, NULL, -1, false};
	int rc = 0;
	for (int n = 1;; n++) {
		if ((rc = rewind_output(c)) != 0)
			break;
		if ((rc = attempt(s, conn, c, path, url, payload, resp)) != 0)
			break;
		if (resp->status)
			s->answered = true;
		if (s3_answered(c->accept, resp))
			break;
		describe_failure(resp, &f);
		if (!f.retryable && !f.code && strcmp(c->method, "HEAD") == 0)
			explain_head_failure(s, conn, c, path, url, &f);
		/* An endpoint never reached in this command (a wrong name or port,
		 * a server not running) stays so for the minutes of retries:
		 * said at once. One that answered before is retried (a restart). */
		if (f.retryable && !s->answered && http_unreached(resp)) {
			f.retryable = false;
			buf_adds(&f.why, " (not retried: the endpoint has not answered yet; check "
					 "[target] url and endpoint)");
		}
		if (!f.retryable || n > s->max_retries) {
			rc = err_set(CDC_ERUNTIME, "%s: %s%s", c->what, buf_str(&f.why),
				     n > 1 && f.retryable ? " (gave up after retries)" : "");
			break;
		}
		if (strcmp(c->method, "HEAD") != 0) /* a HEAD's was learnt from its GET */
			learn_clock_skew(s, &f, resp);
		long ms = s3_backoff_ms(n, f.retry_after_ms, next_random(conn));
		/* said by default: a user at a terminal sees why nothing moves */
		log_warn("s3: %s: %s; retry %d of %d in %.3fs", c->what, buf_str(&f.why), n,
			 s->max_retries, ms / 1000.0);
		sleep_ms(ms);
	}
	buf_free(&f.why);
	free(f.code);
	return rc;
}

int s3_call(struct s3 *s, const struct s3_call *c, struct http_response *resp)
{
	return s3_call_on(s, s->conn, c, resp);
}

int s3_call_on(struct s3 *s, struct s3_conn *conn, const struct s3_call *c,
	       struct http_response *resp)
{
	char payload[SIGV4_HEX_LEN + 1];
	int rc = payload_hash(c, payload);
	if (rc)
		return err_prefix(rc, "%s", c->what);
	struct buf path = BUF_INIT, url = BUF_INIT;
	request_path(s, c->key, &path);
	buf_addf(&url, "%s://%s%s%s%s", s->scheme, s->host, buf_str(&path), c->query ? "?" : "",
		 c->query ? c->query : "");
	rc = retry_loop(s, conn, c, buf_str(&path), &url, payload, resp);
	buf_free(&path);
	buf_free(&url);
	return rc;
}
