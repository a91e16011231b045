#include "http.h"

#include "err.h"

#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct http {
	CURL *curl;
	struct http_options opt;
	char *ca_bundle;
};

/* The state of one exchange, seen by the callbacks. */
struct exchange {
	const struct http_request *req;
	struct http_response *resp;
	int64_t sent; /* request body bytes handed to curl */
};

int http_open(struct http **out, const struct http_options *opt)
{
	*out = NULL;
	/* Reference-counted and thread-safe since curl 7.84; paired in http_close. */
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return err_set(CDC_ERUNTIME, "libcurl: global initialisation failed");
	struct http *h = xcalloc(1, sizeof(*h));
	h->curl = curl_easy_init();
	if (!h->curl) {
		free(h);
		curl_global_cleanup();
		return err_set(CDC_ERUNTIME, "libcurl: cannot create a handle");
	}
	h->opt = *opt;
	h->ca_bundle = opt->ca_bundle ? xstrdup(opt->ca_bundle) : NULL;
	h->opt.ca_bundle = h->ca_bundle;
	*out = h;
	return 0;
}

void http_close(struct http *h)
{
	if (!h)
		return;
	curl_easy_cleanup(h->curl);
	free(h->ca_bundle);
	free(h);
	curl_global_cleanup();
}

static size_t read_body(char *dst, size_t size, size_t nitems, void *userdata)
{
	struct exchange *x = userdata;
	const struct http_request *req = x->req;
	size_t want = size * nitems;
	int64_t left = req->body_len - x->sent;
	if ((int64_t)want > left)
		want = (size_t)left;
	if (want == 0)
		return 0;
	if (req->body_fd < 0) {
		memcpy(dst, req->body_mem + x->sent, want);
		x->sent += (int64_t)want;
		return want;
	}
	ssize_t n = pread(req->body_fd, dst, want, req->body_offset + x->sent);
	if (n <= 0) {
		x->resp->local_error = true;
		snprintf(x->resp->error, sizeof(x->resp->error), "reading the upload: %s",
			 n < 0 ? strerror(errno) : "the file is shorter than its size");
		return CURL_READFUNC_ABORT;
	}
	x->sent += n;
	return (size_t)n;
}

/* curl rewinds the body when it must resend it on a reused connection. */
static int seek_body(void *userdata, curl_off_t offset, int origin)
{
	struct exchange *x = userdata;
	if (origin != SEEK_SET || offset < 0 || offset > x->req->body_len)
		return CURL_SEEKFUNC_CANTSEEK;
	x->sent = offset;
	return CURL_SEEKFUNC_OK;
}

static bool write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return false;
		p += w;
		n -= (size_t)w;
	}
	return true;
}

static size_t write_body(char *p, size_t size, size_t nmemb, void *userdata)
{
	struct exchange *x = userdata;
	struct http_response *resp = x->resp;
	size_t n = size * nmemb;
	if (x->req->out_fd >= 0 && resp->status >= 200 && resp->status < 300) {
		if (!write_all(x->req->out_fd, p, n)) {
			resp->local_error = true;
			snprintf(resp->error, sizeof(resp->error), "writing the download: %s",
				 strerror(errno));
			return CURL_WRITEFUNC_ERROR;
		}
		resp->written += (int64_t)n;
		return n;
	}
	if (resp->body.len + n > HTTP_BODY_MAX) {
		snprintf(resp->error, sizeof(resp->error), "reply body larger than %d bytes",
			 HTTP_BODY_MAX);
		resp->local_error = true;
		return CURL_WRITEFUNC_ERROR;
	}
	buf_add(&resp->body, p, n);
	return n;
}

static void trim_end(const char **start, const char **end)
{
	while (*start < *end && (**start == ' ' || **start == '\t'))
		(*start)++;
	while (*end > *start && ((*end)[-1] == '\r' || (*end)[-1] == '\n' || (*end)[-1] == ' ' ||
				 (*end)[-1] == '\t'))
		(*end)--;
}

/* A status line starts a new header block (after "100 Continue" or a redirect). */
static size_t header_line(char *p, size_t size, size_t nitems, void *userdata)
{
	struct exchange *x = userdata;
	struct http_response *resp = x->resp;
	size_t n = size * nitems;
	if (n >= 5 && memcmp(p, "HTTP/", 5) == 0) {
		const char *sp = memchr(p, ' ', n), *end = p + n;
		char *rest = NULL;
		resp->status = sp ? strtol(sp + 1, &rest, 10) : 0;
		resp->reason[0] = '\0';
		if (rest && rest < end) {
			const char *r = rest;
			trim_end(&r, &end);
			snprintf(resp->reason, sizeof(resp->reason), "%.*s", (int)(end - r), r);
		}
		strv_free(&resp->headers);
		return n;
	}
	const char *colon = memchr(p, ':', n);
	if (!colon)
		return n;
	char *name = xstrndup(p, (size_t)(colon - p));
	for (char *c = name; *c; c++)
		if (*c >= 'A' && *c <= 'Z')
			*c = (char)(*c - 'A' + 'a');
	const char *v = colon + 1, *end = p + n;
	trim_end(&v, &end);
	strv_push_owned(&resp->headers, name);
	strv_push_owned(&resp->headers, xstrndup(v, (size_t)(end - v)));
	return n;
}

static struct curl_slist *header_list(const struct http_request *req)
{
	struct curl_slist *list = NULL, *next;
	for (size_t i = 0; i < req->n_headers; i++) {
		next = curl_slist_append(list, req->headers[i]);
		if (!next)
			goto oom;
		list = next;
	}
	/* "Expect:" makes curl drop its automatic "Expect: 100-continue": the
	 * header is not sent, so it is neither signed nor seen (the empty Expect
	 * that breaks curl's own signer, docs/design.md §8, is never on the wire). */
	next = curl_slist_append(list, "Expect:");
	if (!next)
		goto oom;
	return next;
oom:
	curl_slist_free_all(list);
	return NULL;
}

#define SETOPT(h, opt, val)                                                                        \
	do {                                                                                       \
		if (curl_easy_setopt((h), (opt), (val)) != CURLE_OK)                               \
			return -1;                                                                 \
	} while (0)

static int set_method(CURL *c, const struct http_request *req)
{
	bool upload = strcmp(req->method, "PUT") == 0 || strcmp(req->method, "POST") == 0;
	if (strcmp(req->method, "HEAD") == 0) {
		SETOPT(c, CURLOPT_NOBODY, 1L);
	} else if (upload) {
		/* Upload mode with a known size: Content-Length, never chunked. */
		SETOPT(c, CURLOPT_UPLOAD, 1L);
		SETOPT(c, CURLOPT_INFILESIZE_LARGE, (curl_off_t)req->body_len);
		if (strcmp(req->method, "POST") == 0)
			SETOPT(c, CURLOPT_CUSTOMREQUEST, "POST");
	} else if (strcmp(req->method, "GET") != 0) {
		SETOPT(c, CURLOPT_CUSTOMREQUEST, req->method);
	}
	return 0;
}

static int set_options(struct http *h, struct exchange *x, struct curl_slist *headers, char *errbuf)
{
	CURL *c = h->curl;
	curl_easy_reset(c); /* keeps the connection cache */
	SETOPT(c, CURLOPT_URL, x->req->url);
	/* Keys may hold "/./" and "/../": S3 takes them literally (docs/design.md §8). */
	SETOPT(c, CURLOPT_PATH_AS_IS, 1L);
	SETOPT(c, CURLOPT_HTTPHEADER, headers);
	SETOPT(c, CURLOPT_NOSIGNAL, 1L);
	SETOPT(c, CURLOPT_ERRORBUFFER, errbuf);
	SETOPT(c, CURLOPT_CONNECTTIMEOUT, h->opt.connect_timeout_s);
	SETOPT(c, CURLOPT_LOW_SPEED_LIMIT, h->opt.low_speed_bytes);
	SETOPT(c, CURLOPT_LOW_SPEED_TIME, h->opt.low_speed_time_s);
	if (h->opt.timeout_s > 0)
		SETOPT(c, CURLOPT_TIMEOUT, h->opt.timeout_s);
	SETOPT(c, CURLOPT_TCP_KEEPALIVE, 1L);
	SETOPT(c, CURLOPT_PROTOCOLS_STR, "http,https");
	SETOPT(c, CURLOPT_BUFFERSIZE, 256L << 10);
	SETOPT(c, CURLOPT_UPLOAD_BUFFERSIZE, 2L << 20);
	if (h->opt.ca_bundle)
		SETOPT(c, CURLOPT_CAINFO, h->opt.ca_bundle);
	SETOPT(c, CURLOPT_READFUNCTION, read_body);
	SETOPT(c, CURLOPT_READDATA, x);
	SETOPT(c, CURLOPT_SEEKFUNCTION, seek_body);
	SETOPT(c, CURLOPT_SEEKDATA, x);
	SETOPT(c, CURLOPT_WRITEFUNCTION, write_body);
	SETOPT(c, CURLOPT_WRITEDATA, x);
	SETOPT(c, CURLOPT_HEADERFUNCTION, header_line);
	SETOPT(c, CURLOPT_HEADERDATA, x);
	return set_method(c, x->req);
}

/* Sets the exchange's options. libcurl 7.88 refuses CURLOPT_BUFFERSIZE
 * (CURLE_BAD_FUNCTION_ARGUMENT) on a handle whose last transfer could not
 * resolve its host, so the retry of a DNS failure said "Failed
 * initialization" in place of the cause: a fresh handle then takes every
 * option (the old one's connections go with it). */
static int prepare(struct http *h, struct exchange *x, struct curl_slist *headers, char *errbuf)
{
	if (set_options(h, x, headers, errbuf) == 0)
		return 0;
	curl_easy_cleanup(h->curl);
	h->curl = curl_easy_init();
	return h->curl ? set_options(h, x, headers, errbuf) : -1;
}

int http_perform(struct http *h, const struct http_request *req, struct http_response *resp)
{
	char errbuf[CURL_ERROR_SIZE] = "";
	struct exchange x = {req, resp, 0};
	http_response_free(resp);
	struct curl_slist *headers = header_list(req);
	if (!headers)
		abort(); /* curl_slist_append fails only when malloc does */
	CURLcode rc = prepare(h, &x, headers, errbuf) == 0 ? curl_easy_perform(h->curl)
							   : CURLE_FAILED_INIT;
	curl_slist_free_all(headers);
	resp->curl_code = rc;
	if (rc == CURLE_OK) {
		long status = 0;
		curl_easy_getinfo(h->curl, CURLINFO_RESPONSE_CODE, &status);
		resp->status = status;
		return 0;
	}
	if (!resp->error[0])
		snprintf(resp->error, sizeof(resp->error), "%s",
			 errbuf[0] ? errbuf : curl_easy_strerror(rc));
	resp->status = 0;
	return CDC_ERUNTIME;
}

const char *http_header(const struct http_response *r, const char *name)
{
	for (size_t i = 0; i + 1 < r->headers.n; i += 2)
		if (strcmp(r->headers.v[i], name) == 0)
			return r->headers.v[i + 1];
	return NULL;
}

void http_response_free(struct http_response *r)
{
	buf_free(&r->body);
	strv_free(&r->headers);
	r->status = 0;
	r->reason[0] = '\0';
	r->written = 0;
	r->curl_code = 0;
	r->local_error = false;
	r->error[0] = '\0';
}

bool http_transient(const struct http_response *r)
{
	if (r->local_error)
		return false;
	switch (r->curl_code) {
	case CURLE_COULDNT_RESOLVE_HOST: /* a DNS hiccup; a wrong name fails every attempt */
	case CURLE_COULDNT_CONNECT:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_PARTIAL_FILE:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_WEIRD_SERVER_REPLY:
		return true;
	default:
		return false;
	}
}

bool http_unreached(const struct http_response *r)
{
	return !r->local_error && (r->curl_code == CURLE_COULDNT_RESOLVE_HOST ||
				   r->curl_code == CURLE_COULDNT_CONNECT);
}

bool http_host_is_loopback(const char *host)
{
	size_t n = strcspn(host, ":");
	if (host[0] == '[')
		return strncmp(host, "[::1]", 5) == 0;
	if (n == 9 && strncmp(host, "localhost", 9) == 0)
		return true;
	if (n > 10 && strncmp(host + n - 10, ".localhost", 10) == 0)
		return true;
	return strncmp(host, "127.", 4) == 0;
}
