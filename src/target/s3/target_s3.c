/* The s3://BUCKET[/PREFIX] target (docs/design.md §3, §4 steps 5-6): PutObject or
 * multipart upload streamed from the staged file, CopyObject with
 * If-None-Match for an at-most-once publish, HeadObject for verification,
 * GetObject, DeleteObject, ListObjectsV2. Requests go through s3.c. */
#include "target.h"

#include "err.h"
#include "fsutil.h"
#include "fault.h"
#include "hash.h"
#include "log.h"
#include "progress.h"
#include "s3.h"
#include "s3_config.h"
#include "s3xml.h"
#include "sigv4.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MIB (1LL << 20)
#define MAX_SINGLE_COPY (5LL << 30) /* CopyObject limit; UploadPartCopy above (§8) */
#define MAX_KEY_BYTES 1024
/* Parts in flight: our reads and hashing overlap the server's work. */
#define UPLOAD_THREADS 4
#define HASH_CHUNK (1 << 20)

/* Does the server honour If-None-Match? Learnt once per process (probe_conditional). */
enum conditional { COND_UNKNOWN, COND_SUPPORTED, COND_IGNORED };

/* Owns s3, prefix and probe_key. */
struct target {
	struct s3 *s3;
	char *prefix; /* from the URL, "" or ending in '/'; put before every key */
	/* The conditional-write probe's scratch key: below the temp prefix, in
	 * this source's own folder, so that sources sharing a bucket (each
	 * with its own state dir lock) never delete each other's probe. */
	char *probe_key;
	int64_t part_size;
	enum conditional conditional;
	/* [target] object settings as header lines: of a PutObject or
	 * CreateMultipartUpload, and of a CopyObject (object_headers). */
	struct strv put_headers;
	struct strv copy_headers;
};

/* The [target] object settings (docs/design.md §3) as the headers of a write.
 * A copy replaces the tags with the same ones (x-amz-tagging-directive) and
 * restates encryption, class and ACL, which S3 does not carry over; its
 * metadata directive stays COPY, so x-amz-meta-xxh128 goes along. */
static void object_headers(const struct config *cfg, bool copy, struct strv *out)
{
	if (cfg->sse)
		strv_push_owned(out, xasprintf("x-amz-server-side-encryption: %s", cfg->sse));
	if (cfg->sse_kms_key_id)
		strv_push_owned(out, xasprintf("x-amz-server-side-encryption-aws-kms-key-id: %s",
					       cfg->sse_kms_key_id));
	if (cfg->bucket_key >= 0)
		strv_push_owned(out,
				xasprintf("x-amz-server-side-encryption-bucket-key-enabled: %s",
					  cfg->bucket_key ? "true" : "false"));
	if (cfg->storage_class)
		strv_push_owned(out, xasprintf("x-amz-storage-class: %s", cfg->storage_class));
	if (cfg->acl)
		strv_push_owned(out, xasprintf("x-amz-acl: %s", cfg->acl));
	if (cfg->tags.n) {
		struct buf b = BUF_INIT;
		buf_adds(&b, "x-amz-tagging: ");
		for (size_t i = 0; i + 1 < cfg->tags.n; i += 2) {
			buf_adds(&b, i ? "&" : "");
			sigv4_uri_encode(&b, cfg->tags.v[i], strlen(cfg->tags.v[i]), false);
			buf_addc(&b, '=');
			sigv4_uri_encode(&b, cfg->tags.v[i + 1], strlen(cfg->tags.v[i + 1]), false);
		}
		strv_push_owned(out, buf_detach(&b));
		if (copy)
			strv_push(out, "x-amz-tagging-directive: REPLACE");
	}
	if (copy && cfg->expected_bucket_owner)
		strv_push_owned(out, xasprintf("x-amz-source-expected-bucket-owner: %s",
					       cfg->expected_bucket_owner));
}

/* The non-NULL lines of extra, then settings: one array for an s3_call,
 * borrowing both; the caller frees the array. */
static const char **write_headers(const struct strv *settings, const char *const *extra,
				  size_t n_extra, size_t *n)
{
	const char **h = xcalloc(n_extra + settings->n + 1, sizeof(*h));
	*n = 0;
	for (size_t i = 0; i < n_extra; i++)
		if (extra[i])
			h[(*n)++] = extra[i];
	for (size_t i = 0; i < settings->n; i++)
		h[(*n)++] = settings->v[i];
	return h;
}

static void s3_close_target(struct target *t);

static int s3_open_target(struct target **out, const struct config *cfg)
{
	char *bucket, *prefix;
	*out = NULL;
	int rc = s3_parse_url(cfg->target_url, &bucket, &prefix);
	if (rc)
		return rc;
	struct target *t = xcalloc(1, sizeof(*t));
	t->prefix = prefix;
	t->probe_key =
		xasprintf("%s%s%s/.cdcpack-probe", prefix, cfg->temp_prefix, cfg->source_name);
	t->part_size = cfg->part_size;
	object_headers(cfg, false, &t->put_headers);
	object_headers(cfg, true, &t->copy_headers);
	rc = s3_open(&t->s3, cfg, bucket);
	free(bucket);
	if (rc) {
		s3_close_target(t);
		return rc;
	}
	*out = t;
	return 0;
}

static void s3_close_target(struct target *t)
{
	if (!t)
		return;
	s3_close(t->s3);
	free(t->prefix);
	free(t->probe_key);
	strv_free(&t->put_headers);
	strv_free(&t->copy_headers);
	free(t);
}

/* The object key for a pipeline key: the URL's prefix in front. */
static int full_key(const struct target *t, const char *key, char **out)
{
	*out = xasprintf("%s%s", t->prefix, key);
	if (strlen(*out) > MAX_KEY_BYTES) {
		int rc = err_set(CDC_ERUNTIME, "s3://%s/%s: longer than S3's %d-byte key limit",
				 s3_bucket(t->s3), *out, MAX_KEY_BYTES);
		free(*out);
		*out = NULL;
		return rc;
	}
	return 0;
}

/* "VERB s3://BUCKET/KEY at HOST": how messages name a request, what and where
 * (README, exit 3), whichever bucket or endpoint of several it went to; never
 * a credential or a signed query string. Caller frees. */
static char *what_for(const struct target *t, const char *verb, const char *key)
{
	return xasprintf("%s s3://%s/%s at %s", verb, s3_bucket(t->s3), key,
			 s3_endpoint_host(t->s3));
}

static const struct s3_call call_init = {.body_fd = -1, .out_fd = -1};

/* A call of method on key (NULL: the bucket), no body, no extra headers. */
static struct s3_call call_for(const char *what, const char *method, const char *key,
			       const char *query)
{
	struct s3_call c = call_init;
	c.what = what;
	c.method = method;
	c.key = key;
	c.query = query;
	return c;
}

static bool valid_xxh128(const char *s)
{
	return s && strlen(s) == HASH_HEX_LEN && strspn(s, "0123456789abcdef") == HASH_HEX_LEN;
}

/* ---- put_file ---- */

static char *meta_header(const struct object_info *info)
{
	return valid_xxh128(info->xxh128) ? xasprintf("x-amz-meta-xxh128: %s", info->xxh128) : NULL;
}

static int put_single(struct target *t, const char *key, int fd, int64_t size,
		      const struct object_info *info, const char *sha256, const char *what)
{
	size_t n;
	char *meta = meta_header(info);
	const char **headers = write_headers(&t->put_headers, (const char *[]){meta}, 1, &n);
	struct http_response r = {0};
	struct s3_call c = call_for(what, "PUT", key, NULL);
	c.headers = headers;
	c.n_headers = n;
	c.body_fd = fd;
	c.body_len = size;
	c.body_sha256 = sha256;
	c.accept = s3_op_accept(S3_PUT_OBJECT, false);
	if (!(info && info->not_archive))
		fault_point("mid-upload"); /* a single PUT lands whole or not at all */
	int rc = s3_call(t->s3, &c, &r);
	http_response_free(&r);
	free(headers);
	free(meta);
	return rc;
}

/* A multipart upload in progress; owns upload_id, enc_id and the ETags. */
struct multipart {
	struct target *t;
	const char *key;
	const char *what;
	char *upload_id;
	char *enc_id; /* upload_id URI-encoded for the query */
	char **etags;
	size_t n_parts;
};

static int multipart_create(struct multipart *m, const struct object_info *info)
{
	size_t n;
	char *meta = meta_header(info);
	const char **headers = write_headers(&m->t->put_headers, (const char *[]){meta}, 1, &n);
	struct http_response r = {0};
	struct s3_call c = call_for(m->what, "POST", m->key, "uploads=");
	c.headers = headers;
	c.n_headers = n;
	c.accept = s3_op_accept(S3_CREATE_MULTIPART, false);
	int rc = s3_call(m->t->s3, &c, &r);
	if (rc == 0) {
		m->upload_id = s3xml_text(r.body.data, r.body.len, "UploadId");
		if (!m->upload_id || !*m->upload_id)
			rc = err_set(CDC_ERUNTIME,
				     "%s: CreateMultipartUpload reply has no UploadId", m->what);
	}
	if (rc == 0) {
		struct buf enc = BUF_INIT;
		sigv4_uri_encode(&enc, m->upload_id, strlen(m->upload_id), false);
		m->enc_id = buf_detach(&enc);
	}
	http_response_free(&r);
	free(headers);
	free(meta);
	return rc;
}

/* Uploads or copies part number n (1-based) over conn (the calling thread's
 * connection, NULL for the target's own); the reply's ETag goes to etags[n-1]. */
static int multipart_part(struct multipart *m, struct s3_conn *conn, size_t n, struct s3_call *c)
{
	struct http_response r = {0};
	char *query = xasprintf("partNumber=%zu&uploadId=%s", n, m->enc_id);
	c->what = m->what;
	c->method = "PUT";
	c->key = m->key;
	c->query = query;
	c->accept = s3_op_accept(S3_UPLOAD_PART, false);
	int rc = conn ? s3_call_on(m->t->s3, conn, c, &r) : s3_call(m->t->s3, c, &r);
	if (rc == 0) {
		/* UploadPartCopy answers with the ETag in a CopyPartResult body. */
		char *etag = s3xml_text(r.body.data, r.body.len, "ETag");
		if (!etag && http_header(&r, "etag"))
			etag = xstrdup(http_header(&r, "etag"));
		if (!etag)
			rc = err_set(CDC_ERUNTIME, "%s: part %zu: reply has no ETag", m->what, n);
		m->etags[n - 1] = etag;
	}
	http_response_free(&r);
	free(query);
	return rc;
}

static int multipart_complete(struct multipart *m, bool exclusive)
{
	struct buf body = BUF_INIT;
	struct http_response r = {0};
	const char *headers[] = {"If-None-Match: *"};
	char *query = xasprintf("uploadId=%s", m->enc_id);
	s3xml_complete_body(&body, m->etags, m->n_parts);
	struct s3_call c = call_for(m->what, "POST", m->key, query);
	c.body_mem = body.data;
	c.body_len = (int64_t)body.len;
	c.headers = headers;
	c.n_headers = exclusive ? 1 : 0;
	c.accept = s3_op_accept(S3_COMPLETE_MULTIPART, exclusive);
	int rc = s3_call(m->t->s3, &c, &r);
	if (rc == 0 && r.status == 412)
		rc = err_set(CDC_EEXISTS, "%s: already exists", m->what);
	http_response_free(&r);
	buf_free(&body);
	free(query);
	return rc;
}

/* For clean-up after a failure: the failure's message survives the calls. */
static void err_save(struct buf *saved)
{
	buf_reset(saved);
	buf_adds(saved, err_msg());
}

static void err_restore(struct buf *saved)
{
	(void)err_set(CDC_OK, "%s", buf_str(saved));
	buf_free(saved);
}

/* Best effort, keeping the error that made us abort: parts left behind cost
 * storage until a lifecycle rule removes them. */
static void multipart_abort(struct multipart *m)
{
	if (!m->enc_id)
		return;
	struct buf saved = BUF_INIT;
	err_save(&saved);
	struct http_response r = {0};
	char *query = xasprintf("uploadId=%s", m->enc_id);
	struct s3_call c = call_for(m->what, "DELETE", m->key, query);
	c.accept = s3_op_accept(S3_ABORT_MULTIPART, false);
	if (s3_call(m->t->s3, &c, &r) != 0)
		log_warn("%s: could not abort multipart upload: %s", m->what, err_msg());
	err_restore(&saved);
	http_response_free(&r);
	free(query);
}

static void multipart_free(struct multipart *m)
{
	for (size_t i = 0; m->etags && i < m->n_parts; i++)
		free(m->etags[i]);
	free(m->etags);
	free(m->upload_id);
	free(m->enc_id);
}

static int head_object(struct target *t, const char *k, struct object_info *out);

/* A CompleteMultipartUpload whose reply was lost may have completed: its
 * retry then finds NoSuchUpload. The object there, with our size and
 * checksum, says so. */
static bool completed_anyway(struct target *t, const char *key, int64_t size,
			     const struct object_info *info)
{
	struct object_info there;
	struct buf saved = BUF_INIT;
	err_save(&saved);
	bool same = valid_xxh128(info->xxh128) && head_object(t, key, &there) == 0 &&
		    there.size == size && strcmp(there.xxh128, info->xxh128) == 0;
	err_restore(&saved);
	if (same)
		log_debug("s3: %s: completed by an attempt whose reply was lost", key);
	return same;
}

/* The parts of one upload shared out to the upload threads; lock guards
 * next, rc and error (the error slot is per thread, so the first failure's
 * message is carried back here). */
struct part_queue {
	struct multipart *m;
	int fd;
	int64_t size;
	int64_t part;
	char (*sha256)[SIGV4_HEX_LEN + 1]; /* of each part, from the checking pass */
	pthread_mutex_t lock;
	size_t next;
	int rc;
	struct buf error;
	struct progress bar; /* bytes uploaded, drawn under lock */
};

static bool take_part(struct part_queue *q, size_t *i)
{
	pthread_mutex_lock(&q->lock);
	bool ok = q->rc == 0 && q->next < q->m->n_parts;
	if (ok)
		*i = q->next++;
	pthread_mutex_unlock(&q->lock);
	return ok;
}

static void fail_part(struct part_queue *q, int rc)
{
	pthread_mutex_lock(&q->lock);
	if (q->rc == 0) {
		q->rc = rc;
		buf_adds(&q->error, err_msg());
	}
	pthread_mutex_unlock(&q->lock);
}

/* Each thread streams whole parts from the file with its own connection:
 * memory stays a few curl buffers per thread whatever the archive size. */
static void *part_worker(void *arg)
{
	struct part_queue *q = arg;
	struct s3_conn *conn;
	size_t i;
	int rc = s3_conn_open(q->m->t->s3, &conn);
	if (rc) {
		fail_part(q, rc);
		err_clear();
		return NULL;
	}
	while (take_part(q, &i)) {
		struct s3_call c = call_init;
		c.body_fd = q->fd;
		c.body_offset = (int64_t)i * q->part;
		c.body_len = q->size - c.body_offset < q->part ? q->size - c.body_offset : q->part;
		c.body_sha256 = q->sha256[i];
		rc = multipart_part(q->m, conn, i + 1, &c);
		if (rc) {
			fail_part(q, rc);
			break;
		}
		pthread_mutex_lock(&q->lock);
		progress_add(&q->bar, c.body_len);
		pthread_mutex_unlock(&q->lock);
		if (i == 0)
			fault_point("mid-upload");
	}
	s3_conn_close(conn);
	err_clear(); /* the thread's error slot dies with it: its message is in q */
	return NULL;
}

static int upload_parts(struct multipart *m, int fd, int64_t size, int64_t part,
			char (*sha256)[SIGV4_HEX_LEN + 1])
{
	struct part_queue q = {.m = m,
			       .fd = fd,
			       .size = size,
			       .part = part,
			       .sha256 = sha256,
			       .lock = PTHREAD_MUTEX_INITIALIZER,
			       .error = BUF_INIT};
	progress_start(&q.bar, "upload", "bytes", size);
	pthread_t tid[UPLOAD_THREADS];
	size_t want = m->n_parts < UPLOAD_THREADS ? m->n_parts : UPLOAD_THREADS, started = 0;
	while (started < want && pthread_create(&tid[started], NULL, part_worker, &q) == 0)
		started++;
	if (started == 0)
		part_worker(&q); /* no thread to be had: upload from this one */
	for (size_t i = 0; i < started; i++)
		pthread_join(tid[i], NULL);
	progress_end(&q.bar);
	int rc = q.rc ? err_set(q.rc, "%s", buf_str(&q.error)) : 0;
	buf_free(&q.error);
	pthread_mutex_destroy(&q.lock);
	return rc;
}

static int abort_if_same_key(void *ctx, const char *key, const char *upload_id)
{
	struct multipart *m = ctx;
	if (strcmp(key, m->key) != 0)
		return 0;
	struct buf enc = BUF_INIT;
	sigv4_uri_encode(&enc, upload_id, strlen(upload_id), false);
	m->enc_id = buf_detach(&enc);
	log_info("s3: aborting multipart upload %s of %s left by an earlier attempt", upload_id,
		 key);
	multipart_abort(m);
	free(m->enc_id);
	m->enc_id = NULL;
	return 0;
}

/* A run killed mid-upload leaves its multipart upload behind, its parts
 * stored (and billed) until aborted: before uploading the same temp key again,
 * abort what earlier attempts left. One ListMultipartUploads per multipart
 * upload; best effort, as it only saves storage. */
static void abort_stale_uploads(struct target *t, const char *key, const char *what)
{
	struct buf query = BUF_INIT, saved = BUF_INIT;
	struct http_response r = {0};
	struct multipart m = {t, key, what, NULL, NULL, NULL, 0};
	buf_adds(&query, "prefix=");
	sigv4_uri_encode(&query, key, strlen(key), false);
	buf_adds(&query, "&uploads=");
	struct s3_call c = call_for(what, "GET", NULL, query.data);
	c.accept = s3_op_accept(S3_LIST_UPLOADS, false);
	err_save(&saved);
	if (s3_call(t->s3, &c, &r) != 0 ||
	    s3xml_uploads(r.body.data, r.body.len, abort_if_same_key, &m) != 0)
		log_warn("%s: cannot list earlier multipart uploads: %s", what, err_msg());
	err_restore(&saved);
	http_response_free(&r);
	buf_free(&query);
}

static int put_multipart(struct target *t, const char *key, int fd, int64_t size, int64_t part,
			 const struct object_info *info, char (*sha256)[SIGV4_HEX_LEN + 1],
			 const char *what)
{
	abort_stale_uploads(t, key, what);
	struct multipart m = {t, key, what, NULL, NULL, NULL, (size_t)((size + part - 1) / part)};
	m.etags = xcalloc(m.n_parts, sizeof(*m.etags));
	log_debug("s3: %s: %zu parts of %lld bytes", what, m.n_parts, (long long)part);
	int rc = multipart_create(&m, info);
	if (rc == 0)
		rc = upload_parts(&m, fd, size, part, sha256);
	if (rc == 0) {
		rc = multipart_complete(&m, false);
		if (rc && completed_anyway(t, key, size, info))
			rc = 0;
	}
	if (rc)
		multipart_abort(&m);
	multipart_free(&m);
	return rc;
}

/* One pass over the archive before any byte leaves: its XXH3-128, which must
 * be the one recorded when it was staged (else it changed since: refused),
 * and the SHA-256 of each part, which signs the part's request. S3 checks
 * each body against its SHA-256, so what it stores is what was hashed here. */
static int check_and_hash(int fd, int64_t size, int64_t part, size_t nparts,
			  char (*sha256)[SIGV4_HEX_LEN + 1], const struct object_info *info,
			  const char *path, const char *what)
{
	struct hash_stream xxh;
	struct sigv4_sha256 sha;
	char *chunk = xmalloc(HASH_CHUNK);
	int rc = 0;
	hash_stream_init(&xxh);
	for (size_t i = 0; i < nparts && !rc; i++) {
		int64_t first = (int64_t)i * part, len = size - first < part ? size - first : part;
		sigv4_sha256_init(&sha);
		for (int64_t done = 0; done < len && !rc;) {
			size_t want = len - done < HASH_CHUNK ? (size_t)(len - done) : HASH_CHUNK;
			ssize_t n = pread(fd, chunk, want, first + done);
			if (n <= 0)
				rc = err_set(CDC_ERUNTIME, "%s: %s: %s", what, path,
					     n < 0 ? strerror(errno) : "shorter than its size");
			else
				sigv4_sha256_update(&sha, chunk, (size_t)n);
			hash_stream_update(&xxh, chunk, n > 0 ? (size_t)n : 0);
			done += n > 0 ? n : 0;
		}
		if (rc)
			sigv4_sha256_free(&sha);
		else
			sigv4_sha256_final(&sha, sha256[i]);
	}
	char hex[HASH_HEX_LEN + 1];
	hash_stream_hex(&xxh, hex);
	if (!rc && valid_xxh128(info->xxh128) && strcmp(hex, info->xxh128) != 0)
		rc = err_set(CDC_ERUNTIME,
			     "%s: %s hashes to xxh128 %s, not the %s recorded when it was staged: "
			     "it changed since (a damaged disk, or another writer); nothing was "
			     "uploaded",
			     what, path, hex, info->xxh128);
	hash_stream_free(&xxh);
	free(chunk);
	return rc;
}

static int s3_put_file(struct target *t, const char *key, const char *path,
		       const struct object_info *info)
{
	char *k, *what = NULL;
	char(*sha256)[SIGV4_HEX_LEN + 1] = NULL;
	int rc = full_key(t, key, &k);
	if (rc)
		return rc;
	what = what_for(t, "upload", k);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) != 0) {
		rc = err_set(CDC_ERUNTIME, "%s: %s: %s", what, path, strerror(errno));
		goto out;
	}
	if (info->size >= 0 && st.st_size != info->size) {
		rc = err_set(CDC_ERUNTIME, "%s: %s is %lld bytes, expected %lld", what, path,
			     (long long)st.st_size, (long long)info->size);
		goto out;
	}
	bool multi = st.st_size > t->part_size;
	int64_t part = multi ? s3_part_size(st.st_size, t->part_size) : st.st_size;
	size_t nparts = multi ? (size_t)((st.st_size + part - 1) / part) : 1;
	sha256 = xcalloc(nparts, sizeof(*sha256));
	rc = check_and_hash(fd, st.st_size, part, nparts, sha256, info, path, what);
	if (!rc && multi)
		rc = put_multipart(t, k, fd, st.st_size, part, info, sha256, what);
	else if (!rc)
		rc = put_single(t, k, fd, st.st_size, info, sha256[0], what);
out:
	if (fd >= 0)
		close(fd);
	free(sha256);
	free(what);
	free(k);
	return rc;
}

/* ---- head ---- */

static int head_object(struct target *t, const char *k, struct object_info *out)
{
	struct http_response r = {0};
	char *what = what_for(t, "head", k);
	struct s3_call c = call_for(what, "HEAD", k, NULL);
	c.accept = s3_op_accept(S3_HEAD_OBJECT, false);
	int rc = s3_call(t->s3, &c, &r);
	if (rc == 0 && r.status == 404) {
		rc = err_set(CDC_ENOTFOUND, "%s: no such object", what);
	} else if (rc == 0) {
		const char *len = http_header(&r, "content-length");
		const char *meta = http_header(&r, "x-amz-meta-xxh128");
		char *end = NULL;
		out->size = len ? strtoll(len, &end, 10) : -1;
		if (!len || *end || out->size < 0)
			rc = err_set(CDC_ERUNTIME, "%s: reply has no Content-Length", what);
		snprintf(out->xxh128, sizeof(out->xxh128), "%s", valid_xxh128(meta) ? meta : "");
	}
	http_response_free(&r);
	free(what);
	return rc;
}

static int s3_head(struct target *t, const char *key, struct object_info *out)
{
	char *k;
	int rc = full_key(t, key, &k);
	if (rc == 0)
		rc = head_object(t, k, out);
	free(k);
	return rc;
}

/* ---- copy ---- */

static char *copy_source_header(struct target *t, const char *src)
{
	struct buf b = BUF_INIT;
	buf_adds(&b, "x-amz-copy-source: /");
	sigv4_uri_encode(&b, s3_bucket(t->s3), strlen(s3_bucket(t->s3)), false);
	buf_addc(&b, '/');
	sigv4_uri_encode(&b, src, strlen(src), true);
	return buf_detach(&b);
}

/* PUT key with If-None-Match: * and an empty body; returns the status. */
static int probe_put(struct target *t, const char *key, long *status)
{
	size_t n;
	const char **headers =
		write_headers(&t->put_headers, (const char *[]){"If-None-Match: *"}, 1, &n);
	struct http_response r = {0};
	char *what = what_for(t, "conditional write probe", key);
	struct s3_call c = call_for(what, "PUT", key, NULL);
	c.headers = headers;
	c.n_headers = n;
	c.body_mem = "";
	c.accept = s3_op_accept(S3_PUT_OBJECT, true);
	int rc = s3_call(t->s3, &c, &r);
	*status = r.status;
	http_response_free(&r);
	free(headers);
	free(what);
	return rc;
}

static void fall_back_to_head(struct target *t, const char *why)
{
	t->conditional = COND_IGNORED;
	log_warn("s3: the server %s conditional writes (If-None-Match): publishing checks with "
		 "HEAD before each copy instead, which cannot stop a concurrent writer",
		 why);
}

static int probe_delete(struct target *t, const char *key)
{
	struct http_response r = {0};
	char *what = what_for(t, "remove conditional write probe", key);
	struct s3_call c = call_for(what, "DELETE", key, NULL);
	c.accept = s3_op_accept(S3_DELETE_OBJECT, false);
	int rc = s3_call(t->s3, &c, &r);
	http_response_free(&r);
	free(what);
	return rc;
}

/* Some S3-compatible servers silently ignore If-None-Match (docs/design.md §8):
 * writing a scratch object twice tells, once per process, before the first
 * publish relies on it. One fixed key per source under the temp prefix (its
 * publishing runs hold its state dir lock): a probe left by a killed run is
 * deleted first. */
static int probe_conditional(struct target *t)
{
	const char *key = t->probe_key;
	long first = 0, second = 0;
	int rc = probe_delete(t, key);
	if (rc == 0)
		rc = probe_put(t, key, &first);
	if (rc == 0 && first != 501)
		rc = probe_put(t, key, &second);
	if (rc == 0 && (first == 501 || second == 501))
		fall_back_to_head(t, "does not implement");
	else if (rc == 0 && second != 412)
		fall_back_to_head(t, "ignores");
	else if (rc == 0)
		t->conditional = COND_SUPPORTED;
	if (rc == 0 && first != 501)
		rc = probe_delete(t, key);
	return rc;
}

static int copy_single(struct target *t, const char *src, const char *dst, long *status)
{
	char *source = copy_source_header(t, src);
	size_t n;
	const char *extra[] = {source,
			       t->conditional == COND_SUPPORTED ? "If-None-Match: *" : NULL};
	const char **headers = write_headers(&t->copy_headers, extra, 2, &n);
	struct http_response r = {0};
	char *what = what_for(t, "publish", dst);
	struct s3_call c = call_for(what, "PUT", dst, NULL);
	c.headers = headers;
	c.n_headers = n;
	c.body_mem = "";
	c.accept = s3_op_accept(S3_COPY_OBJECT, t->conditional == COND_SUPPORTED);
	int rc = s3_call(t->s3, &c, &r);
	*status = r.status;
	if (rc == 0 && r.status == 412)
		rc = err_set(CDC_EEXISTS, "%s: already exists", what);
	http_response_free(&r);
	free(headers);
	free(what);
	free(source);
	return rc;
}

/* Above 5 GB CopyObject refuses: copy in parts, completed with If-None-Match. */
static int copy_multipart(struct target *t, const char *src, const char *dst,
			  const struct object_info *info)
{
	int64_t part =
		s3_part_size(info->size, t->part_size < (512 * MIB) ? 512 * MIB : t->part_size);
	char *what = what_for(t, "publish", dst);
	char *source = copy_source_header(t, src);
	struct multipart m = {
		t, dst, what, NULL, NULL, NULL, (size_t)((info->size + part - 1) / part)};
	m.etags = xcalloc(m.n_parts, sizeof(*m.etags));
	int rc = multipart_create(&m, info);
	for (size_t i = 0; rc == 0 && i < m.n_parts; i++) {
		int64_t first = (int64_t)i * part;
		int64_t last = (first + part < info->size ? first + part : info->size) - 1;
		char *range = xasprintf("x-amz-copy-source-range: bytes=%lld-%lld",
					(long long)first, (long long)last);
		const char *headers[] = {source, range};
		struct s3_call c = call_init;
		c.headers = headers;
		c.n_headers = 2;
		c.body_mem = "";
		rc = multipart_part(&m, NULL, i + 1, &c);
		free(range);
	}
	if (rc == 0)
		rc = multipart_complete(&m, t->conditional == COND_SUPPORTED);
	if (rc)
		multipart_abort(&m); /* keeps rc and its message, CDC_EEXISTS included */
	multipart_free(&m);
	free(source);
	free(what);
	return rc;
}

/* CDC_EEXISTS for a publish that found an object at dst. */
static int already_published(const struct target *t, const char *dst)
{
	char *what = what_for(t, "publish", dst);
	int rc = err_set(CDC_EEXISTS, "%s: already exists", what);
	free(what);
	return rc;
}

static int copy_object(struct target *t, const char *src, const char *dst,
		       const struct object_info *info)
{
	if (t->conditional == COND_IGNORED) {
		struct object_info there;
		int rc = head_object(t, dst, &there);
		if (rc == 0)
			return already_published(t, dst);
		if (rc != CDC_ENOTFOUND)
			return rc;
	}
	if (info->size > MAX_SINGLE_COPY)
		return copy_multipart(t, src, dst, info);
	long status = 0;
	int rc = copy_single(t, src, dst, &status);
	if (rc == 0 && status == 501) {
		fall_back_to_head(t, "does not implement");
		return copy_object(t, src, dst, info);
	}
	return rc;
}

static int s3_copy(struct target *t, const char *src, const char *dst,
		   const struct object_info *info)
{
	char *s = NULL, *d = NULL;
	int rc = full_key(t, src, &s);
	if (rc == 0)
		rc = full_key(t, dst, &d);
	if (rc == 0 && t->conditional == COND_UNKNOWN)
		rc = probe_conditional(t);
	if (rc == 0)
		rc = copy_object(t, s, d, info);
	free(s);
	free(d);
	return rc;
}

/* ---- get_file, remove, list ---- */

static int s3_get_file(struct target *t, const char *key, const char *path)
{
	char *k;
	int rc = full_key(t, key, &k);
	if (rc)
		return rc;
	char *what = what_for(t, "download", k);
	int fd = fs_create(path, 0644);
	if (fd < 0) {
		rc = err_set(CDC_ERUNTIME, "%s: %s: %s", what, path, strerror(errno));
		goto out;
	}
	struct http_response r = {0};
	struct s3_call c = call_for(what, "GET", k, NULL);
	c.out_fd = fd;
	c.accept = s3_op_accept(S3_GET_OBJECT, false);
	rc = s3_call(t->s3, &c, &r);
	if (rc == 0 && r.status == 404)
		rc = err_set(CDC_ENOTFOUND, "%s: no such object", what);
	http_response_free(&r);
	if (close(fd) != 0 && rc == 0)
		rc = err_set(CDC_ERUNTIME, "%s: %s: %s", what, path, strerror(errno));
	if (rc)
		unlink(path);
out:
	free(what);
	free(k);
	return rc;
}

static int s3_remove(struct target *t, const char *key)
{
	char *k;
	int rc = full_key(t, key, &k);
	if (rc)
		return rc;
	struct http_response r = {0};
	char *what = what_for(t, "delete", k);
	struct s3_call c = call_for(what, "DELETE", k, NULL);
	c.accept = s3_op_accept(S3_DELETE_OBJECT, false);
	rc = s3_call(t->s3, &c, &r);
	http_response_free(&r);
	free(what);
	free(k);
	return rc;
}

/* Hands keys to the caller without the URL's prefix. */
struct list_ctx {
	size_t strip;
	key_fn fn;
	void *ctx;
	bool fn_failed; /* the caller's fn failed: its message stands as it is */
};

static int list_one(void *ctx, const char *key, int64_t size)
{
	struct list_ctx *l = ctx;
	if (strlen(key) < l->strip)
		return err_set(CDC_ERUNTIME, "ListObjectsV2: key %s is outside the prefix", key);
	int rc = l->fn(l->ctx, key + l->strip, size);
	l->fn_failed = rc != 0;
	return rc;
}

static char *list_query(const char *prefix, const char *token)
{
	struct buf q = BUF_INIT;
	if (token) {
		buf_adds(&q, "continuation-token=");
		sigv4_uri_encode(&q, token, strlen(token), false);
		buf_addc(&q, '&');
	}
	buf_adds(&q, "list-type=2&prefix=");
	sigv4_uri_encode(&q, prefix, strlen(prefix), false);
	return buf_detach(&q);
}

static int s3_list(struct target *t, const char *prefix, key_fn fn, void *ctx)
{
	char *full = xasprintf("%s%s", t->prefix, prefix);
	char *what = what_for(t, "list", full);
	char *token = NULL;
	struct list_ctx l = {strlen(t->prefix), fn, ctx, false};
	int rc = 0;
	do {
		char *query = list_query(full, token);
		struct http_response r = {0};
		struct s3_call c = call_for(what, "GET", NULL, query);
		c.accept = s3_op_accept(S3_LIST_OBJECTS, false);
		free(token);
		token = NULL;
		rc = s3_call(t->s3, &c, &r);
		bool answered = rc == 0; /* else s3_call's message names what */
		if (answered)
			rc = s3xml_list_page(r.body.data, r.body.len, list_one, &l, &token);
		if (answered && rc && !l.fn_failed) /* a reply the listing cannot read */
			rc = err_prefix(rc, "%s", what);
		http_response_free(&r);
		free(query);
	} while (rc == 0 && token);
	free(token);
	free(what);
	free(full);
	return rc;
}

static const struct url_scheme s3_url = {
	.prefix = "s3://",
	.example = "s3://BUCKET",
	.usage = "s3://BUCKET[/PREFIX]",
	.store_keys = true,
	.keys = s3_config_keys, /* part_size, the object settings */
};

const struct target_ops s3_target_ops = {
	.url = &s3_url,
	.open = s3_open_target,
	.close = s3_close_target,
	.put_file = s3_put_file,
	.copy = s3_copy,
	.head = s3_head,
	.get_file = s3_get_file,
	.remove = s3_remove,
	.list = s3_list,
};
