#include "archive.h"

#include "buf.h"
#include "codec.h"
#include "err.h"
#include "fsutil.h"
#include "gzstream.h"
#include "zstream.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MANIFEST_MAX (16 << 20)
#define CHUNK (256 << 10)

/* libarchive's message for its last error. Some failures set none (a gzip
 * stream cut inside its trailer): name the likely cause rather than print
 * "(null)". */
static const char *la_error(struct archive *a)
{
	const char *s = archive_error_string(a);
	return s ? s : "damaged or truncated data";
}

/* libarchive writes through this, so the archive is hashed as it is written. */
struct sink {
	int fd;
	struct hash_stream hash;
	int64_t size;
	int err;
};

/* Writes and hashes n bytes; -1 with s->err set when the write fails. */
static int sink_put(struct sink *s, const void *p, size_t n)
{
	const char *q = p;
	size_t left = n;
	while (left) {
		ssize_t w = write(s->fd, q, left);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			s->err = errno;
			return -1;
		}
		q += w;
		left -= (size_t)w;
	}
	hash_stream_update(&s->hash, p, n);
	s->size += (int64_t)n;
	return 0;
}

/* Creates path (0600) for a sink that hashes what it writes. */
static int sink_open(struct sink *s, const char *path)
{
	*s = (struct sink){.fd = fs_create(path, 0600)};
	if (s->fd < 0)
		return err_set(CDC_ERUNTIME, "%s: cannot create archive: %s", path,
			       strerror(errno));
	hash_stream_init(&s->hash);
	return 0;
}

/* Ends what sink_open began, rc being the outcome so far: fsynced when
 * durable; gives the hash and size on success. */
static int sink_close(struct sink *s, int rc, const char *path, bool durable,
		      char xxh128[HASH_HEX_LEN + 1], int64_t *size)
{
	if (rc == 0 && durable && fsync(s->fd) != 0)
		rc = err_set(CDC_ERUNTIME, "%s: fsync: %s", path, strerror(errno));
	if (close(s->fd) != 0 && rc == 0)
		rc = err_set(CDC_ERUNTIME, "%s: close: %s", path, strerror(errno));
	if (rc == 0) {
		hash_stream_hex(&s->hash, xxh128);
		*size = s->size;
	}
	hash_stream_free(&s->hash);
	return rc;
}

static la_ssize_t sink_write(struct archive *a, void *ctx, const void *p, size_t n)
{
	struct sink *s = ctx;
	if (sink_put(s, p, n) == 0)
		return (la_ssize_t)n;
	archive_set_error(a, s->err, "write: %s", strerror(s->err));
	return -1;
}

static int set_filter(struct archive *a, enum compression c)
{
	switch (c) {
	case COMPRESS_ZSTD:
		if (archive_write_add_filter_zstd(a) != ARCHIVE_OK)
			return -1;
		return archive_write_set_filter_option(a, "zstd", "compression-level", "3") ==
				       ARCHIVE_OK
			       ? 0
			       : -1;
	case COMPRESS_GZIP:
		if (archive_write_add_filter_gzip(a) != ARCHIVE_OK)
			return -1;
		/* No timestamp in the gzip header: same changes, same bytes. */
		return archive_write_set_filter_option(a, "gzip", "timestamp", NULL) == ARCHIVE_OK
			       ? 0
			       : -1;
	case COMPRESS_XZ:
		return archive_write_add_filter_xz(a) == ARCHIVE_OK ? 0 : -1;
	default:
		return archive_write_add_filter_none(a) == ARCHIVE_OK ? 0 : -1;
	}
}

static struct archive_entry *new_entry(const char *name, int64_t size, time_t mtime)
{
	struct archive_entry *e = archive_entry_new();
	/* Names are UTF-8; main runs under C.UTF-8 so that libarchive's
	 * locale conversions leave them as they are. */
	archive_entry_set_pathname(e, name);
	archive_entry_set_size(e, size);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0644);
	archive_entry_set_mtime(e, mtime, 0);
	archive_entry_set_uid(e, 0);
	archive_entry_set_gid(e, 0);
	return e;
}

static int add_bytes(struct archive *a, const char *name, const void *p, size_t n, time_t mtime)
{
	struct archive_entry *e = new_entry(name, (int64_t)n, mtime);
	int rc = archive_write_header(a, e) == ARCHIVE_OK ? 0 : -1;
	archive_entry_free(e);
	if (rc == 0 && n && archive_write_data(a, p, n) != (la_ssize_t)n)
		rc = -1;
	return rc;
}

/* Writes the bytes of f's local copy as the current entry's data. */
static int add_data(struct archive *a, const struct manifest_file *f)
{
	int fd = open(f->local, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return err_set(CDC_ERUNTIME, "%s: cannot open: %s", f->local, strerror(errno));
	char *chunk = xmalloc(CHUNK);
	int64_t total = 0;
	ssize_t n = 0;
	int rc = 0;
	while (rc == 0 && (n = read(fd, chunk, CHUNK)) > 0) {
		total += n;
		if (archive_write_data(a, chunk, (size_t)n) != n)
			rc = -1;
	}
	if (rc == 0 && (n < 0 || total != f->bytes))
		rc = err_set(CDC_ERUNTIME, "%s: changed while being archived", f->local);
	free(chunk);
	close(fd);
	return rc;
}

static int add_file(struct archive *a, const struct manifest_file *f, time_t mtime)
{
	struct archive_entry *e = new_entry(f->path, f->bytes, mtime);
	int rc = archive_write_header(a, e) == ARCHIVE_OK ? 0 : -1;
	archive_entry_free(e);
	return rc ? rc : add_data(a, f);
}

static int write_entries(struct archive *a, const struct manifest *m, time_t mtime)
{
	char *text = manifest_text(m);
	if (!text)
		return CDC_ERUNTIME;
	int rc = add_bytes(a, "manifest.json", text, strlen(text), mtime);
	free(text);
	for (size_t i = 0; i < m->nfiles && rc == 0; i++)
		rc = add_file(a, &m->files[i], mtime);
	return rc;
}

/* An archive being written through libarchive to a new file, hashed as it
 * goes: a pax tar, or raw (one zstd frame, archive_stream). */
struct writer {
	struct sink s;
	struct archive *a;
	bool raw;
};

static int writer_open(struct writer *w, const char *path, bool raw, enum compression c)
{
	*w = (struct writer){.raw = raw};
	int rc = sink_open(&w->s, path);
	if (rc)
		return rc;
	struct archive *a = w->a = archive_write_new();
	int format =
		raw ? archive_write_set_format_raw(a) : archive_write_set_format_pax_restricted(a);
	if (format != ARCHIVE_OK || set_filter(a, c) ||
	    archive_write_set_bytes_in_last_block(a, 1) != ARCHIVE_OK ||
	    archive_write_open2(a, &w->s, NULL, sink_write, NULL, NULL) != ARCHIVE_OK)
		return -1;
	return 0;
}

/* Ends what writer_open began, rc being the outcome so far (-1: a
 * libarchive error, named here); gives the hash and size on success. */
static int writer_close(struct writer *w, int rc, const char *path, char xxh128[HASH_HEX_LEN + 1],
			int64_t *size)
{
	if (w->s.fd < 0)
		return rc;
	if (archive_write_close(w->a) != ARCHIVE_OK && rc == 0)
		rc = -1;
	if (rc == -1)
		rc = err_set(CDC_ERUNTIME, "%s: writing archive: %s", path,
			     w->s.err ? strerror(w->s.err) : la_error(w->a));
	archive_write_free(w->a);
	/* A staged archive is made durable here; a raw stream is a work file
	 * (a frame the archive copies), not fsynced. */
	return sink_close(&w->s, rc, path, !w->raw, xxh128, size);
}

int archive_write_batch(const char *path, enum compression c, time_t mtime,
			const struct manifest *m, char xxh128[HASH_HEX_LEN + 1], int64_t *size)
{
	struct writer w;
	int rc = writer_open(&w, path, false, c);
	if (rc == 0)
		rc = write_entries(w.a, m, mtime);
	return writer_close(&w, rc, path, xxh128, size);
}

/* ---- a zstd archive of frames (issue 16, "both cores") ---- */

/* A zstd archive may be a run of frames: it decompresses to their
 * contents one after the other. So a file's data, compressed into a frame
 * of its own while the rows were being read (on the package's worker),
 * goes into the archive as it is; libarchive writes the tar stream around
 * it (filter none, unblocked) into a splice: its own bytes (headers,
 * padding, the end) gather in pending and go out as frames made here, and
 * the nulls it writes for the data it was not given are dropped. The
 * archive decompresses to the very tar stream archive_write_batch makes
 * without frames. */
struct splice {
	struct sink *out;
	struct buf pending;
	int64_t skip; /* placeholder bytes still to drop */
};

static la_ssize_t splice_write(struct archive *a, void *ctx, const void *p, size_t n)
{
	(void)a;
	struct splice *s = ctx;
	size_t drop = s->skip < (int64_t)n ? (size_t)s->skip : n;
	s->skip -= (int64_t)drop;
	buf_add(&s->pending, (const char *)p + drop, n - drop);
	return (la_ssize_t)n;
}

/* One zstd frame onto out, of p (n bytes), else of the file at local. */
static int put_frame(struct sink *out, const void *p, size_t n, const struct manifest_file *local)
{
	struct archive *a = archive_write_new();
	struct archive_entry *e = new_entry("data", 0, 0);
	archive_entry_unset_size(e);
	int rc = archive_write_set_format_raw(a) != ARCHIVE_OK || set_filter(a, COMPRESS_ZSTD) ||
				 archive_write_set_bytes_in_last_block(a, 1) != ARCHIVE_OK ||
				 archive_write_open2(a, out, NULL, sink_write, NULL, NULL) !=
					 ARCHIVE_OK ||
				 archive_write_header(a, e) != ARCHIVE_OK
			 ? -1
			 : 0;
	archive_entry_free(e);
	if (rc == 0 && local)
		rc = add_data(a, local);
	else if (rc == 0 && n && archive_write_data(a, p, n) != (la_ssize_t)n)
		rc = -1;
	if (archive_write_close(a) != ARCHIVE_OK && rc == 0)
		rc = -1;
	if (rc == -1)
		rc = err_set(CDC_ERUNTIME, "writing archive: %s",
			     out->err ? strerror(out->err) : la_error(a));
	archive_write_free(a);
	return rc;
}

static int put_pending(struct splice *s)
{
	int rc = s->pending.len ? put_frame(s->out, s->pending.data, s->pending.len, NULL) : 0;
	buf_reset(&s->pending);
	return rc;
}

/* Copies the frame file at path onto out as it is. */
static int put_file_bytes(struct sink *out, const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return err_set(CDC_ERUNTIME, "%s: cannot open: %s", path, strerror(errno));
	char *chunk = xmalloc(CHUNK);
	ssize_t n;
	int rc = 0;
	while (rc == 0 && (n = read(fd, chunk, CHUNK)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			rc = err_set(CDC_ERUNTIME, "%s: read: %s", path, strerror(errno));
		else if (sink_put(out, chunk, (size_t)n) != 0)
			rc = err_set(CDC_ERUNTIME, "writing archive: %s", strerror(out->err));
	}
	free(chunk);
	close(fd);
	return rc;
}

/* File i's entry: its header, then its data as a frame (frame, else made
 * here from its local copy), then libarchive's placeholder dropped. */
static int splice_file(struct archive *a, struct splice *s, const struct manifest_file *f,
		       const char *frame, time_t mtime, int64_t *frame_at)
{
	struct archive_entry *e = new_entry(f->path, f->bytes, mtime);
	int rc = archive_write_header(a, e) == ARCHIVE_OK ? 0 : -1;
	archive_entry_free(e);
	if (rc == -1)
		return err_set(CDC_ERUNTIME, "writing archive: %s", la_error(a));
	rc = put_pending(s);
	if (!rc && f->bytes && frame)
		*frame_at = s->out->size;
	if (!rc && f->bytes)
		rc = frame ? put_file_bytes(s->out, frame) : put_frame(s->out, NULL, 0, f);
	s->skip = f->bytes;
	if (!rc && archive_write_finish_entry(a) != ARCHIVE_OK)
		rc = err_set(CDC_ERUNTIME, "writing archive: %s", la_error(a));
	return rc;
}

static int splice_entries(struct sink *out, const struct manifest *m, const char *const *frames,
			  time_t mtime, int64_t *first_at)
{
	struct splice s = {.out = out};
	struct archive *a = archive_write_new();
	int rc = archive_write_set_format_pax_restricted(a) != ARCHIVE_OK ||
				 archive_write_add_filter_none(a) != ARCHIVE_OK ||
				 archive_write_set_bytes_per_block(a, 0) != ARCHIVE_OK ||
				 archive_write_open2(a, &s, NULL, splice_write, NULL, NULL) !=
					 ARCHIVE_OK
			 ? err_set(CDC_ERUNTIME, "writing archive: %s", la_error(a))
			 : 0;
	char *text = rc ? NULL : manifest_text(m);
	if (!rc && !text)
		rc = CDC_ERUNTIME;
	if (!rc && add_bytes(a, "manifest.json", text, strlen(text), mtime) != 0)
		rc = err_set(CDC_ERUNTIME, "writing archive: %s", la_error(a));
	free(text);
	int64_t ignored;
	for (size_t i = 0; i < m->nfiles && !rc; i++)
		rc = splice_file(a, &s, &m->files[i], frames[i], mtime, i ? &ignored : first_at);
	if (archive_write_close(a) != ARCHIVE_OK && !rc)
		rc = err_set(CDC_ERUNTIME, "writing archive: %s", la_error(a));
	if (!rc)
		rc = put_pending(&s);
	archive_write_free(a);
	buf_free(&s.pending);
	return rc;
}

int archive_write_frames(const char *path, time_t mtime, const struct manifest *m,
			 const char *const *frames, char xxh128[HASH_HEX_LEN + 1], int64_t *size,
			 int64_t *first_at)
{
	struct sink s;
	*first_at = -1;
	int rc = sink_open(&s, path);
	if (rc)
		return rc;
	rc = splice_entries(&s, m, frames, mtime, first_at);
	if (rc)
		err_prefix_message("%s", path);
	return sink_close(&s, rc, path, true, xxh128, size);
}

/* One file being compressed as it is written, into w's sink alone: by
 * igzip (gzip, gzstream.h) or by zstd on its own workers (zstream.h), else
 * through libarchive. Owns path, gz and zs. */
struct archive_stream {
	struct writer w;
	struct gzstream *gz; /* NULL: not gzip */
	struct zstream *zs;  /* NULL: not zstd */
	char *path;
};

/* gzstream's or zstream's output into the stream's file. */
static int stream_emit(void *ctx, const void *p, size_t n)
{
	struct archive_stream *g = ctx;
	if (sink_put(&g->w.s, p, n) != 0)
		return err_set(CDC_ERUNTIME, "%s: write: %s", g->path, strerror(g->w.s.err));
	return 0;
}

/* libarchive's raw stream of one entry with no name, time or size. */
static int open_libarchive(struct archive_stream *g, enum compression c)
{
	int rc = writer_open(&g->w, g->path, true, c);
	if (rc == 0) {
		struct archive_entry *e = new_entry("data", 0, 0);
		archive_entry_unset_size(e);
		rc = archive_write_header(g->w.a, e) == ARCHIVE_OK ? 0 : -1;
		archive_entry_free(e);
	}
	if (rc) {
		char hex[HASH_HEX_LEN + 1];
		int64_t size;
		rc = writer_close(&g->w, rc, g->path, hex, &size);
	}
	return rc;
}

/* The zstd frame: a sink and a zstream writing into it. */
static int open_zstream(struct archive_stream *g)
{
	int rc = sink_open(&g->w.s, g->path);
	if (rc)
		return rc;
	g->zs = zstream_new(stream_emit, g);
	if (g->zs)
		return 0;
	rc = err_set(CDC_ERUNTIME, "%s: zstd: cannot make a compression context", g->path);
	return sink_close(&g->w.s, rc, g->path, false, NULL, NULL);
}

int archive_stream_open(struct archive_stream **out, const char *dst, enum compression c)
{
	struct archive_stream *g = *out = xcalloc(1, sizeof(*g));
	g->path = xstrdup(dst);
	int rc;
	if (c == COMPRESS_GZIP) {
		rc = sink_open(&g->w.s, dst);
		g->gz = rc ? NULL : gzstream_new(stream_emit, g);
	} else if (c == COMPRESS_ZSTD) {
		rc = open_zstream(g);
	} else {
		rc = open_libarchive(g, c);
	}
	if (rc) {
		free(g->path);
		free(g);
		*out = NULL;
	}
	return rc;
}

int archive_stream_write(struct archive_stream *g, const void *p, size_t n)
{
	if (g->gz)
		return gzstream_write(g->gz, p, n);
	if (g->zs)
		return zstream_write(g->zs, p, n);
	if (n && archive_write_data(g->w.a, p, n) != (la_ssize_t)n)
		return err_set(CDC_ERUNTIME, "%s: writing archive: %s", g->path,
			       g->w.s.err ? strerror(g->w.s.err) : la_error(g->w.a));
	return 0;
}

int64_t archive_stream_size(const struct archive_stream *g)
{
	return g->w.s.size;
}

int archive_stream_close(struct archive_stream *g, char xxh128[HASH_HEX_LEN + 1], int64_t *size)
{
	if (!g)
		return 0;
	char hex[HASH_HEX_LEN + 1];
	int64_t n;
	xxh128 = xxh128 ? xxh128 : hex;
	size = size ? size : &n;
	int rc;
	/* A gzip or zstd stream is a work file the upload (or the archive)
	 * copies; the copy is made durable: no fsync of its own. */
	if (g->gz) {
		rc = sink_close(&g->w.s, gzstream_finish(g->gz), g->path, false, xxh128, size);
		gzstream_free(g->gz);
	} else if (g->zs) {
		rc = sink_close(&g->w.s, zstream_finish(g->zs), g->path, false, xxh128, size);
		zstream_free(g->zs);
	} else {
		rc = writer_close(&g->w, 0, g->path, xxh128, size);
	}
	free(g->path);
	free(g);
	return rc;
}

int archive_gzip_file(const char *src, int64_t bytes, const char *dst,
		      char xxh128[HASH_HEX_LEN + 1], int64_t *size)
{
	int fd = open(src, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return err_set(CDC_ERUNTIME, "%s: cannot open: %s", src, strerror(errno));
	struct archive_stream *g;
	int rc = archive_stream_open(&g, dst, COMPRESS_GZIP);
	char *chunk = xmalloc(CHUNK);
	int64_t total = 0;
	ssize_t n = 0;
	while (rc == 0 && (n = read(fd, chunk, CHUNK)) > 0) {
		total += n;
		rc = archive_stream_write(g, chunk, (size_t)n);
	}
	if (rc == 0 && (n < 0 || total != bytes))
		rc = err_set(CDC_ERUNTIME, "%s: changed while being archived", src);
	int closed = archive_stream_close(g, xxh128, size);
	free(chunk);
	close(fd);
	return rc ? rc : closed;
}

/* ---- reading ---- */

static int read_manifest(struct archive *a, struct archive_entry *e, const char *path,
			 struct manifest *m)
{
	const char *name = archive_entry_pathname_utf8(e);
	if (!name || strcmp(name, "manifest.json") != 0) {
		/* the archive's: escaped, and cut so that it cannot flood the line */
		char shown[NAME_SHOWN_SHORT_SIZE];
		return err_set(CDC_ERUNTIME, "%s: first entry is '%s', not manifest.json", path,
			       name ? name_shown_short_in(shown, name)
				    : "(a name that is not UTF-8)");
	}
	if (archive_entry_filetype(e) != AE_IFREG || archive_entry_size(e) > MANIFEST_MAX)
		return err_set(CDC_ERUNTIME, "%s: manifest.json is not a file of at most 16 MiB",
			       path);
	size_t n = (size_t)archive_entry_size(e);
	char *text = xmalloc(n + 1);
	la_ssize_t got = archive_read_data(a, text, n);
	int rc = 0;
	if (got != (la_ssize_t)n)
		rc = err_set(CDC_ERUNTIME, "%s: manifest.json: %s", path,
			     got < 0 ? la_error(a) : "truncated");
	else
		rc = manifest_parse(m, text, n, path);
	free(text);
	return rc;
}

static struct manifest_file *find_file(struct manifest *m, const char *name)
{
	for (size_t i = 0; i < m->nfiles; i++)
		if (strcmp(m->files[i].path, name) == 0)
			return &m->files[i];
	return NULL;
}

static int copy_entry(struct archive *a, const char *path, struct manifest_file *f, int fd)
{
	struct hash_stream h;
	hash_stream_init(&h);
	char *chunk = xmalloc(CHUNK);
	int64_t total = 0;
	la_ssize_t n;
	int rc = 0;
	while ((n = archive_read_data(a, chunk, CHUNK)) > 0) {
		total += n;
		if (total > f->bytes) {
			rc = err_set(CDC_ERUNTIME,
				     "%s: %s is longer than the manifest's %lld bytes", path,
				     f->path, (long long)f->bytes);
			break;
		}
		hash_stream_update(&h, chunk, (size_t)n);
		if (write(fd, chunk, (size_t)n) != n) {
			rc = err_set(CDC_ERUNTIME, "%s: extract %s: %s", path, f->path,
				     strerror(errno));
			break;
		}
	}
	if (!rc && n < 0)
		rc = err_set(CDC_ERUNTIME, "%s: %s: %s", path, f->path, la_error(a));
	if (!rc && total != f->bytes)
		rc = err_set(CDC_ERUNTIME, "%s: %s has %lld bytes, the manifest says %lld", path,
			     f->path, (long long)total, (long long)f->bytes);
	char hex[HASH_HEX_LEN + 1];
	hash_stream_hex(&h, hex);
	if (!rc && strcmp(hex, f->xxh128) != 0)
		rc = err_set(CDC_ERUNTIME,
			     "%s: %s: checksum mismatch (xxh128 %s, manifest says %s)", path,
			     f->path, hex, f->xxh128);
	hash_stream_free(&h);
	free(chunk);
	return rc;
}

/* Why entry e (f: its manifest file, or NULL) cannot be extracted, or 0. */
static int check_entry(struct archive_entry *e, const char *path, const char *name,
		       const struct manifest_file *f)
{
	const char *why = NULL;
	if (!f)
		why = "is not in the manifest";
	else if (archive_entry_filetype(e) != AE_IFREG)
		why = "is not a regular file";
	else if (f->local)
		why = "appears twice";
	if (why) {
		/* the archive's name: escaped, and cut so that it cannot flood the line */
		char shown[NAME_SHOWN_SHORT_SIZE];
		return err_set(CDC_ERUNTIME, "%s: entry '%s' %s", path,
			       name ? name_shown_short_in(shown, name) : "(no name)", why);
	}
	if (archive_entry_size_is_set(e) && archive_entry_size(e) != f->bytes)
		return err_set(CDC_ERUNTIME,
			       "%s: entry '%s' declares %lld bytes, the manifest %lld", path,
			       f->path, (long long)archive_entry_size(e), (long long)f->bytes);
	return 0;
}

static int extract_entry(struct archive *a, struct archive_entry *e, const char *path,
			 const char *dir, struct manifest *m, size_t index)
{
	const char *name = archive_entry_pathname_utf8(e);
	struct manifest_file *f = name ? find_file(m, name) : NULL;
	int rc = check_entry(e, path, name, f);
	if (rc)
		return rc;
	/* Extract under a generated name: entry names never become paths here. */
	f->local = xasprintf("%s/%06zu.part", dir, index);
	int fd = open(f->local, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return err_set(CDC_ERUNTIME, "%s: cannot create: %s", f->local, strerror(errno));
	rc = copy_entry(a, path, f, fd);
	if (close(fd) != 0 && !rc)
		rc = err_set(CDC_ERUNTIME, "%s: close: %s", f->local, strerror(errno));
	return rc;
}

static int read_entries(struct archive *a, const char *path, const char *dir, struct manifest *m)
{
	struct archive_entry *e;
	int r = archive_read_next_header(a, &e);
	if (r != ARCHIVE_OK)
		return err_set(CDC_ERUNTIME, "%s: not a readable archive: %s", path,
			       r == ARCHIVE_EOF ? "empty" : la_error(a));
	int rc = read_manifest(a, e, path, m);
	if (!dir)
		return rc;
	for (size_t index = 0; !rc; index++) {
		r = archive_read_next_header(a, &e);
		if (r == ARCHIVE_EOF)
			break;
		if (r != ARCHIVE_OK)
			rc = err_set(CDC_ERUNTIME, "%s: %s", path, la_error(a));
		else
			rc = extract_entry(a, e, path, dir, m, index);
	}
	for (size_t i = 0; i < m->nfiles && !rc; i++)
		if (!m->files[i].local)
			rc = err_set(CDC_ERUNTIME,
				     "%s: %s is in the manifest but not in the archive", path,
				     m->files[i].path);
	return rc;
}

/* Opens the archive at path for reading, then reads it into m: the
 * manifest, and with a dir every change file (read_entries). */
static int read_archive(const char *path, const char *dir, struct manifest *m)
{
	memset(m, 0, sizeof(*m));
	struct archive *a = archive_read_new();
	archive_read_support_filter_all(a);
	archive_read_support_format_tar(a);
	int rc;
	if (archive_read_open_filename(a, path, CHUNK) != ARCHIVE_OK)
		rc = err_set(CDC_ERUNTIME, "%s: cannot open archive: %s", path, la_error(a));
	else
		rc = read_entries(a, path, dir, m);
	archive_read_free(a);
	return rc;
}

int archive_read_batch(const char *path, const char *dir, struct manifest *m)
{
	return read_archive(path, dir, m);
}

int archive_read_manifest(const char *path, struct manifest *m)
{
	return read_archive(path, NULL, m);
}
