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
#include <stdatomic.h>
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
	/* This source's folder under the temp prefix (with the URL's prefix):
	 * the multipart uploads an earlier, killed run left there are aborted
	 * (abort_stale_uploads). */
	char *temp_folder;
	int64_t part_size;
	/* The temp folder's leftover multipart uploads were looked for (or are
	 * being) by this process: once is enough (abort_stale_uploads). Atomic:
	 * a stream's thread sweeps too (stream_create). */
	atomic_bool folder_swept;
	/* [target] upload_while_compressing: a temp object may lack the
	 * checksum, so the publish copy states it (copy_single). */
	bool restate_checksum;
	enum conditional conditional;
	/* [target] object settings as header lines: of a PutObject or
	 * CreateMultipartUpload, and of a CopyObject (object_headers). */
	struct strv put_headers;
	struct strv copy_headers;
};

/* The [target] object settings (docs/design.md §3) as the headers of a write.
 * A copy replaces the tags with the same ones (x-amz-tagging-directive) and
 * restates encryption, class and ACL, which S3 does not carry over; with
 * upload_while_compressing it states x-amz-meta-xxh128 too (metadata
 * REPLACE, copy_single), which a temp object streamed while compressing
 * lacks. */
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
	t->temp_folder = xasprintf("%s%s%s/", prefix, cfg->temp_prefix, cfg->source_name);
	t->part_size = cfg->part_size;
	t->restate_checksum = cfg->upload_while_compressing;
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
	free(t->temp_folder);
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
	/* The connection of its create and abort: the calling thread's, NULL
	 * for the target's own. */
	struct s3_conn *conn;
};

static int multipart_call(struct multipart *m, const struct s3_call *c, struct http_response *r)
{
	return m->conn ? s3_call_on(m->t->s3, m->conn, c, r) : s3_call(m->t->s3, c, r);
}

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
	int rc = multipart_call(m, &c, &r);
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
 * connection, NULL for the target's own); the reply's ETag goes to *etag. */
static int multipart_part(struct multipart *m, struct s3_conn *conn, size_t n, struct s3_call *c,
			  char **etag_out)
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
		*etag_out = etag;
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
/* Best effort: false when the upload may still be there (logged). */
static bool multipart_abort(struct multipart *m)
{
	if (!m->enc_id)
		return true;
	struct buf saved = BUF_INIT;
	err_save(&saved);
	struct http_response r = {0};
	char *query = xasprintf("uploadId=%s", m->enc_id);
	struct s3_call c = call_for(m->what, "DELETE", m->key, query);
	c.accept = s3_op_accept(S3_ABORT_MULTIPART, false);
	bool gone = multipart_call(m, &c, &r) == 0;
	if (!gone)
		log_warn("%s: could not abort multipart upload: %s", m->what, err_msg());
	err_restore(&saved);
	http_response_free(&r);
	free(query);
	return gone;
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
	const int64_t *bounds; /* part i is bytes bounds[i] to bounds[i+1] */
	const size_t *todo;    /* the parts to send (indexes), ntodo of them */
	size_t ntodo;
	char (*sha256)[SIGV4_HEX_LEN + 1]; /* of each part, from the checking pass */
	pthread_mutex_t lock;
	size_t next; /* into todo */
	int rc;
	struct buf error;
	struct progress bar; /* bytes uploaded, drawn under lock */
};

static bool take_part(struct part_queue *q, size_t *i)
{
	pthread_mutex_lock(&q->lock);
	bool ok = q->rc == 0 && q->next < q->ntodo;
	if (ok)
		*i = q->todo[q->next++];
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
		c.body_offset = q->bounds[i];
		c.body_len = q->bounds[i + 1] - q->bounds[i];
		c.body_sha256 = q->sha256[i];
		rc = multipart_part(q->m, conn, i + 1, &c, &q->m->etags[i]);
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

/* Sends the parts todo lists (ntodo of them) of m, whose bounds are bounds. */
static int upload_parts(struct multipart *m, int fd, const int64_t *bounds, const size_t *todo,
			size_t ntodo, char (*sha256)[SIGV4_HEX_LEN + 1])
{
	struct part_queue q = {.m = m,
			       .fd = fd,
			       .bounds = bounds,
			       .todo = todo,
			       .ntodo = ntodo,
			       .sha256 = sha256,
			       .lock = PTHREAD_MUTEX_INITIALIZER,
			       .error = BUF_INIT};
	int64_t bytes = 0;
	for (size_t i = 0; i < ntodo; i++)
		bytes += bounds[todo[i] + 1] - bounds[todo[i]];
	progress_start(&q.bar, "upload", "bytes", bytes);
	pthread_t tid[UPLOAD_THREADS];
	size_t want = ntodo < UPLOAD_THREADS ? ntodo : UPLOAD_THREADS, started = 0;
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

/* The uploads abort_stale_uploads aborts: of key, or under folder. */
struct stale {
	struct multipart m;
	const char *folder; /* NULL: key's only */
};

static int abort_if_stale(void *ctx, const char *key, const char *upload_id)
{
	struct stale *st = ctx;
	struct multipart *m = &st->m;
	bool ours = st->folder ? strncmp(key, st->folder, strlen(st->folder)) == 0
			       : strcmp(key, m->key) == 0;
	if (!ours)
		return 0;
	struct buf enc = BUF_INIT;
	sigv4_uri_encode(&enc, upload_id, strlen(upload_id), false);
	m->enc_id = buf_detach(&enc);
	m->key = key;
	log_info("s3: aborting multipart upload %s of %s left by an earlier attempt", upload_id,
		 key);
	multipart_abort(m);
	free(m->enc_id);
	m->enc_id = NULL;
	return 0;
}

static bool in_temp_folder(const struct target *t, const char *key)
{
	return strncmp(key, t->temp_folder, strlen(t->temp_folder)) == 0;
}

/* A run killed mid-upload leaves its multipart upload behind, its parts
 * stored (and billed) until aborted: before uploading a temp key, abort what
 * earlier attempts left, every upload in this source's temp folder (one run
 * at a time uploads there: the run lock and the chain claim), since a run
 * killed while it streamed a batch not yet staged left its upload at a key
 * the next run may not use again (the key carries the batch's time); any
 * other key, its own uploads. One ListMultipartUploads: for the folder once
 * per process (what this process leaves there, it aborts itself), for
 * another key at each multipart upload of it; over conn (NULL: the
 * target's own connection); best effort, as it only saves storage. */
static void abort_stale_uploads(struct target *t, struct s3_conn *conn, const char *key,
				const char *what)
{
	bool in_folder = in_temp_folder(t, key);
	if (in_folder && atomic_exchange(&t->folder_swept, true))
		return;
	struct buf query = BUF_INIT, saved = BUF_INIT;
	struct http_response r = {0};
	const char *prefix = in_folder ? t->temp_folder : key;
	struct stale st = {{t, key, what, NULL, NULL, NULL, 0, conn}, in_folder ? prefix : NULL};
	buf_adds(&query, "prefix=");
	sigv4_uri_encode(&query, prefix, strlen(prefix), false);
	buf_adds(&query, "&uploads=");
	struct s3_call c = call_for(what, "GET", NULL, query.data);
	c.accept = s3_op_accept(S3_LIST_UPLOADS, false);
	err_save(&saved);
	if (multipart_call(&st.m, &c, &r) != 0 ||
	    s3xml_uploads(r.body.data, r.body.len, abort_if_stale, &st) != 0)
		log_warn("%s: cannot list earlier multipart uploads: %s", what, err_msg());
	err_restore(&saved);
	http_response_free(&r);
	buf_free(&query);
}

/* 0, 1, ..., n - 1: every part to send. Caller frees. */
static size_t *every_part(size_t n)
{
	size_t *todo = xcalloc(n ? n : 1, sizeof(*todo));
	for (size_t i = 0; i < n; i++)
		todo[i] = i;
	return todo;
}

static int put_multipart(struct target *t, const char *key, int fd, const int64_t *bounds,
			 size_t nparts, const struct object_info *info,
			 char (*sha256)[SIGV4_HEX_LEN + 1], const char *what)
{
	abort_stale_uploads(t, NULL, key, what);
	struct multipart m = {t, key, what, NULL, NULL, NULL, nparts, NULL};
	m.etags = xcalloc(m.n_parts, sizeof(*m.etags));
	log_debug("s3: %s: %zu parts of %lld bytes", what, m.n_parts,
		  (long long)(bounds[1] - bounds[0]));
	size_t *todo = every_part(nparts);
	int rc = multipart_create(&m, info);
	if (rc == 0)
		rc = upload_parts(&m, fd, bounds, todo, nparts, sha256);
	if (rc == 0) {
		rc = multipart_complete(&m, false);
		if (rc && completed_anyway(t, key, bounds[nparts], info))
			rc = 0;
	}
	free(todo);
	if (rc)
		multipart_abort(&m);
	multipart_free(&m);
	return rc;
}

struct target_stream;
static bool stream_abort(struct target_stream *s);

/* One pass over the archive before any byte leaves (but those of early, the
 * upload begun while compressing, or NULL): its XXH3-128, which must be the
 * one recorded when it was staged (else it changed since: refused, and
 * early's upload aborted), and the SHA-256 of each part, which signs the
 * part's request. S3 checks each body against its SHA-256, so what it
 * stores is what was hashed here. */
static int check_and_hash(int fd, const int64_t *bounds, size_t nparts,
			  char (*sha256)[SIGV4_HEX_LEN + 1], const struct object_info *info,
			  const char *path, const char *what, struct target_stream *early)
{
	struct hash_stream xxh;
	int rc = 0;
	hash_stream_init(&xxh);
	for (size_t i = 0; i < nparts && !rc; i++) {
		int why =
			s3_sha256_range(fd, bounds[i], bounds[i + 1] - bounds[i], &xxh, sha256[i]);
		if (why)
			rc = err_set(CDC_ERUNTIME, "%s: %s: %s", what, path,
				     why > 0 ? strerror(why) : "shorter than its size");
	}
	char hex[HASH_HEX_LEN + 1];
	hash_stream_hex(&xxh, hex);
	if (!rc && valid_xxh128(info->xxh128) && strcmp(hex, info->xxh128) != 0) {
		/* Parts of early went while compressing: say what became of them. */
		const char *sent = !early		 ? "nothing was uploaded"
				   : stream_abort(early) ? "the multipart upload begun while "
							   "compressing was aborted"
							 : "the multipart upload begun while "
							   "compressing could not be aborted: the "
							   "next run that uploads aborts it";
		rc = err_set(CDC_ERUNTIME,
			     "%s: %s hashes to xxh128 %s, not the %s recorded when it was staged: "
			     "it changed since (a damaged disk, or another writer); %s",
			     what, path, hex, info->xxh128, sent);
	}
	hash_stream_free(&xxh);
	return rc;
}

static int s3_put_file(struct target *t, const char *key, const char *path,
		       const struct object_info *info)
{
	char *k, *what = NULL;
	char(*sha256)[SIGV4_HEX_LEN + 1] = NULL;
	int64_t *bounds = NULL;
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
	bounds = xcalloc(nparts + 1, sizeof(*bounds));
	for (size_t i = 0; i <= nparts; i++)
		bounds[i] = i == nparts ? st.st_size : (int64_t)i * part;
	sha256 = xcalloc(nparts, sizeof(*sha256));
	rc = check_and_hash(fd, bounds, nparts, sha256, info, path, what, NULL);
	if (!rc && multi)
		rc = put_multipart(t, k, fd, bounds, nparts, info, sha256, what);
	else if (!rc) {
		/* A run killed while it streamed left an upload in the folder that
		 * only a multipart upload would abort; a source whose batches are
		 * all small would keep it (billed) for good. */
		if (!info->not_archive && in_temp_folder(t, k))
			abort_stale_uploads(t, NULL, k, what);
		rc = put_single(t, k, fd, st.st_size, info, sha256[0], what);
	}
out:
	if (fd >= 0)
		close(fd);
	free(bounds);
	free(sha256);
	free(what);
	free(k);
	return rc;
}

/* ---- streaming: parts sent while the archive is compressed ---- */

/* A part of the first data frame sent before the archive was staged: its
 * ETag, and the SHA-256 of the bytes it carried. */
struct early_part {
	char *etag; /* NULL: not sent */
	char sha256[SIGV4_HEX_LEN + 1];
};

enum upload_state { UP_NONE, UP_CREATING, UP_READY, UP_FAILED };

/* An upload begun while the archive is compressed (docs/design.md §4 step
 * 5): the frame's chunk c (bytes c * part to (c + 1) * part, c >= 1) is the
 * archive's part c + 1 whatever the head before it turns out to be, so it
 * goes as soon as the frame's work file holds it, on up to UPLOAD_THREADS
 * threads of their own. Chunk 0 (with the head: part 1) and what follows
 * the last whole chunk wait for stream_put. lock guards the fields after
 * it, shared by the threads, the package's worker (stream_grew) and the
 * main thread; the main thread alone reads the others, or after joining
 * the threads. Owns key, what, path, parts and the upload. */
struct target_stream {
	struct target *t;
	char *key; /* full object key */
	char *what;
	int64_t part;
	struct multipart m; /* upload_id and enc_id once created; etags at stream_put */
	bool completed;	    /* stream_put completed the upload */
	bool used;	    /* stream_put was called */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	char *path;		  /* the frame's work file, NULL before stream_grew */
	int64_t avail;		  /* bytes it holds */
	size_t next;		  /* the next chunk to send */
	struct early_part *parts; /* by chunk, cap of them */
	size_t cap;
	enum upload_state upload;
	bool stop;   /* stream_put or stream_end: no more parts */
	bool failed; /* a part failed: the rest go at stream_put */
	bool said;   /* the mid-stream fault point was passed */
	pthread_t tid[UPLOAD_THREADS];
	size_t nthreads;
};

static int s3_stream_begin(struct target *t, const char *key, struct target_stream **out)
{
	char *k;
	*out = NULL;
	int rc = full_key(t, key, &k);
	if (rc)
		return rc;
	struct target_stream *s = xcalloc(1, sizeof(*s));
	s->t = t;
	s->key = k;
	s->what = what_for(t, "upload", k);
	s->part = s3_part_size(0, t->part_size);
	s->m = (struct multipart){t, s->key, s->what, NULL, NULL, NULL, 0, NULL};
	s->next = 1;
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->cond, NULL);
	*out = s;
	return 0;
}

/* Creates the upload, over the calling thread's conn, first aborting what
 * a killed run left in the folder (this stream's own upload does not
 * exist yet). No checksum header: the archive's is not known yet. */
static int stream_create(struct target_stream *s, struct s3_conn *conn)
{
	abort_stale_uploads(s->t, conn, s->key, s->what);
	struct object_info none = {.size = -1};
	s->m.conn = conn;
	int rc = multipart_create(&s->m, &none);
	s->m.conn = NULL;
	if (rc == 0)
		log_debug("s3: %s: multipart upload begun while compressing", s->what);
	return rc;
}

/* Under lock: waits for a whole chunk to send, and gives it; false when
 * the stream is to send no more. The first to take a chunk creates the
 * upload (*create), the others wait for it. */
static bool stream_take(struct target_stream *s, size_t *c, bool *create)
{
	*create = false;
	for (;;) {
		if (s->stop || s->failed || s->upload == UP_FAILED)
			return false;
		/* The frame outgrew S3's part limit: stream_put falls back. */
		if (s->next + 2 > S3_MAX_PARTS)
			return false;
		bool ready = (int64_t)(s->next + 1) * s->part <= s->avail;
		if (ready && s->upload != UP_CREATING) {
			*create = s->upload == UP_NONE;
			if (*create)
				s->upload = UP_CREATING;
			*c = s->next++;
			return true;
		}
		pthread_cond_wait(&s->cond, &s->lock);
	}
}

/* Sends chunk c of the frame (fd) as part c + 1 over conn. */
static int stream_send(struct target_stream *s, struct s3_conn *conn, int fd, const char *path,
		       size_t c, struct early_part *out)
{
	struct s3_call call = call_init;
	call.body_fd = fd;
	call.body_offset = (int64_t)c * s->part;
	call.body_len = s->part;
	int why = s3_sha256_range(fd, call.body_offset, call.body_len, NULL, out->sha256);
	if (why)
		return err_set(CDC_ERUNTIME, "%s: %s", path,
			       why > 0 ? strerror(why) : "shorter than it was said to be");
	call.body_sha256 = out->sha256;
	return multipart_part(&s->m, conn, c + 1, &call, &out->etag);
}

/* Under lock: chunk c's outcome kept for stream_put. A failure stops the
 * stream (a store that fails a part would likely fail the next): the parts
 * not sent go after staging. */
static void stream_note(struct target_stream *s, size_t c, int rc, struct early_part *p)
{
	if (rc) {
		log_debug("s3: %s: part %zu not sent while compressing (%s): it goes with the "
			  "rest once the batch is staged",
			  s->what, c + 1, err_msg());
		s->failed = true;
		free(p->etag);
	} else {
		if (c >= s->cap) {
			size_t cap = s->cap ? s->cap * 2 : 16;
			while (cap <= c)
				cap *= 2;
			s->parts = xrealloc(s->parts, cap * sizeof(*s->parts));
			memset(s->parts + s->cap, 0, (cap - s->cap) * sizeof(*s->parts));
			s->cap = cap;
		}
		s->parts[c] = *p;
		log_debug("s3: %s: part %zu sent while compressing", s->what, c + 1);
	}
	pthread_cond_broadcast(&s->cond);
}

/* One of the stream's threads: chunks as they become whole, over its own
 * connection; the frame read from its work file (page cache). */
static void *stream_worker(void *arg)
{
	struct target_stream *s = arg;
	struct s3_conn *conn = NULL;
	int fd = -1;
	size_t c;
	bool create;
	pthread_mutex_lock(&s->lock);
	while (stream_take(s, &c, &create)) {
		char *path = xstrdup(s->path);
		pthread_mutex_unlock(&s->lock);
		int rc = conn ? 0 : s3_conn_open(s->t->s3, &conn);
		if (!rc && fd < 0 && (fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
			rc = err_set(CDC_ERUNTIME, "%s: %s", path, strerror(errno));
		if (!rc && create)
			rc = stream_create(s, conn);
		if (create) {
			pthread_mutex_lock(&s->lock);
			s->upload = rc ? UP_FAILED : UP_READY;
			if (rc)
				log_debug("s3: %s: no upload while compressing (%s): the archive "
					  "goes whole once staged",
					  s->what, err_msg());
			pthread_cond_broadcast(&s->cond);
			pthread_mutex_unlock(&s->lock);
		}
		bool no_upload = create && rc;
		struct early_part p = {0};
		if (!rc)
			rc = stream_send(s, conn, fd, path, c, &p);
		free(path);
		pthread_mutex_lock(&s->lock);
		if (!no_upload)
			stream_note(s, c, rc, &p);
		/* stop is set by stream_put, once the batch is staged: a part
		 * that comes back after that is past the point's window. */
		bool first = !rc && !s->said && !s->stop;
		s->said = s->said || first;
		err_clear();
		if (first) { /* an early part is out, the batch is not staged */
			pthread_mutex_unlock(&s->lock);
			fault_point("mid-stream");
			pthread_mutex_lock(&s->lock);
		}
	}
	pthread_mutex_unlock(&s->lock);
	if (fd >= 0)
		close(fd);
	s3_conn_close(conn);
	err_clear(); /* the thread's error slot dies with it */
	return NULL;
}

/* CDCPACK_FAULT=crash:mid-stream promises a kill with a part out and the
 * batch not staged; on a slow store (a loaded test machine) compression and
 * staging could finish before the first part comes back, and the point's
 * window would pass unseen. So, with that crash armed, the frame's growth
 * waits once a part is whole, until the kill (or a failed part or upload,
 * which end the early parts). Only for the fault: nothing waits otherwise. */
static void stream_hold_for_fault(struct target_stream *s)
{
	if (!fault_will_crash("mid-stream"))
		return;
	while (s->nthreads && 2 * s->part <= s->avail && !s->failed && !s->stop &&
	       s->upload != UP_FAILED)
		pthread_cond_wait(&s->cond, &s->lock);
}

static void s3_stream_grew(struct target_stream *s, const char *path, int64_t bytes)
{
	pthread_mutex_lock(&s->lock);
	if (!s->path)
		s->path = xstrdup(path);
	s->avail = bytes;
	/* Threads only for a frame that holds a part beyond the first. */
	if (!s->nthreads && !s->stop && bytes >= 2 * s->part) {
		while (s->nthreads < UPLOAD_THREADS &&
		       pthread_create(&s->tid[s->nthreads], NULL, stream_worker, s) == 0)
			s->nthreads++;
		if (!s->nthreads)
			s->stop = true; /* no thread to be had: the upload waits for staging */
	}
	pthread_cond_broadcast(&s->cond);
	stream_hold_for_fault(s);
	pthread_mutex_unlock(&s->lock);
}

/* No more parts; waits for those in flight. */
static void stream_stop(struct target_stream *s)
{
	pthread_mutex_lock(&s->lock);
	s->stop = true;
	size_t n = s->nthreads;
	s->nthreads = 0;
	pthread_cond_broadcast(&s->cond);
	pthread_mutex_unlock(&s->lock);
	for (size_t i = 0; i < n; i++)
		pthread_join(s->tid[i], NULL);
}

/* Aborts the stream's upload, if any (after stream_stop); false when it
 * may still be there. */
static bool stream_abort(struct target_stream *s)
{
	bool gone = s->upload != UP_READY || s->completed || multipart_abort(&s->m);
	s->upload = UP_NONE;
	return gone;
}

/* The upload's parts: the early ones kept when their bytes are the staged
 * archive's (the check pass's SHA-256 of the same range), the rest sent,
 * then completed. */
static int stream_finish(struct target_stream *s, int fd, const int64_t *bounds, size_t n,
			 char (*sha256)[SIGV4_HEX_LEN + 1])
{
	size_t *todo = xcalloc(n, sizeof(*todo)), ntodo = 0, kept = 0;
	s->m.n_parts = n;
	s->m.etags = xcalloc(n, sizeof(*s->m.etags));
	for (size_t i = 0; i < n; i++) {
		struct early_part *p = i < s->cap ? &s->parts[i] : NULL;
		if (p && p->etag && bounds[i + 1] - bounds[i] == s->part &&
		    strcmp(p->sha256, sha256[i]) == 0) {
			s->m.etags[i] = p->etag;
			p->etag = NULL;
			kept++;
		} else {
			todo[ntodo++] = i;
		}
	}
	log_debug("s3: %s: %zu parts, %zu of them sent while compressing, %zu now", s->what, n,
		  kept, ntodo);
	int rc = upload_parts(&s->m, fd, bounds, todo, ntodo, sha256);
	if (rc == 0)
		rc = multipart_complete(&s->m, false);
	free(todo);
	return rc;
}

/* Why the stream cannot finish the upload of the archive at path (then
 * put_file does); NULL when it can. */
static const char *stream_unusable(const struct target_stream *s, const char *k, int64_t frame_at)
{
	if (s->used)
		return "it was used";
	if (strcmp(k, s->key) != 0)
		return "the batch was staged under another key";
	if (s->upload != UP_READY)
		return "no part went while compressing";
	if (frame_at < 0)
		return "the archive does not hold the frame sent";
	return NULL;
}

static int s3_stream_put(struct target_stream *s, const char *key, const char *path,
			 int64_t frame_at, const struct object_info *info, bool *checksum_stored)
{
	char *k;
	*checksum_stored = true;
	stream_stop(s);
	int rc = full_key(s->t, key, &k);
	if (rc)
		return rc;
	const char *why = stream_unusable(s, k, frame_at);
	struct stat st;
	size_t n = 0;
	int fd = why ? -1 : open(path, O_RDONLY | O_CLOEXEC);
	if (!why && (fd < 0 || fstat(fd, &st) != 0))
		why = "the staged archive cannot be read here";
	else if (!why && (info->size >= 0 && st.st_size != info->size))
		why = "the staged archive is not the size recorded";
	else if (!why && (n = s3_stream_parts(st.st_size, frame_at, s->part, NULL)) == 0)
		why = "S3's part limits";
	s->used = true;
	if (why) {
		if (s->upload != UP_NONE)
			log_debug("s3: %s: the parts sent while compressing are dropped (%s)",
				  s->what, why);
		stream_abort(s);
		if (fd >= 0)
			close(fd);
		free(k);
		return s3_put_file(s->t, key, path, info);
	}
	int64_t *bounds = xcalloc(n + 1, sizeof(*bounds));
	char(*sha256)[SIGV4_HEX_LEN + 1] = xcalloc(n, sizeof(*sha256));
	s3_stream_parts(st.st_size, frame_at, s->part, bounds);
	rc = check_and_hash(fd, bounds, n, sha256, info, path, s->what, s);
	if (rc == 0)
		rc = stream_finish(s, fd, bounds, n, sha256);
	if (rc == 0) {
		s->completed = true;
		*checksum_stored = false;
	}
	stream_abort(s); /* on failure: nothing half-written stays */
	close(fd);
	free(bounds);
	free(sha256);
	free(k);
	return rc;
}

static void s3_stream_end(struct target_stream *s)
{
	if (!s)
		return;
	stream_stop(s);
	stream_abort(s);
	multipart_free(&s->m);
	for (size_t i = 0; i < s->cap; i++)
		free(s->parts[i].etag);
	free(s->parts);
	pthread_mutex_destroy(&s->lock);
	pthread_cond_destroy(&s->cond);
	free(s->path);
	free(s->what);
	free(s->key);
	free(s);
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

/* With upload_while_compressing the copy states the archive's checksum
 * itself (metadata REPLACE): the temp object of an upload streamed while
 * compressing has none (stream_put). Otherwise the temp object's goes along
 * (COPY), which some stores copy cheaper: the test server hashes the whole
 * object again for a REPLACE (docs/bench.md). */
static int copy_single(struct target *t, const char *src, const char *dst,
		       const struct object_info *info, long *status)
{
	char *source = copy_source_header(t, src);
	char *meta = t->restate_checksum ? meta_header(info) : NULL;
	size_t n;
	const char *extra[] = {source, t->conditional == COND_SUPPORTED ? "If-None-Match: *" : NULL,
			       meta ? "x-amz-metadata-directive: REPLACE" : NULL, meta};
	const char **headers = write_headers(&t->copy_headers, extra, 4, &n);
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
	free(meta);
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
		t, dst, what, NULL, NULL, NULL, (size_t)((info->size + part - 1) / part), NULL};
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
		rc = multipart_part(&m, NULL, i + 1, &c, &m.etags[i]);
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
	int rc = copy_single(t, src, dst, info, &status);
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
	.stream_begin = s3_stream_begin,
	.stream_grew = s3_stream_grew,
	.stream_put = s3_stream_put,
	.stream_end = s3_stream_end,
};
