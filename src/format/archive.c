#include "archive.h"

#include "buf.h"
#include "err.h"
#include "fsutil.h"

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

static la_ssize_t sink_write(struct archive *a, void *ctx, const void *p, size_t n)
{
	struct sink *s = ctx;
	const char *q = p;
	size_t left = n;
	while (left) {
		ssize_t w = write(s->fd, q, left);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			s->err = errno;
			archive_set_error(a, errno, "write: %s", strerror(errno));
			return -1;
		}
		q += w;
		left -= (size_t)w;
	}
	hash_stream_update(&s->hash, p, n);
	s->size += (int64_t)n;
	return (la_ssize_t)n;
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

static int add_file(struct archive *a, const struct manifest_file *f, time_t mtime)
{
	int fd = open(f->local, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return err_set(CDC_ERUNTIME, "%s: cannot open: %s", f->local, strerror(errno));
	struct archive_entry *e = new_entry(f->path, f->bytes, mtime);
	int rc = archive_write_header(a, e) == ARCHIVE_OK ? 0 : -1;
	archive_entry_free(e);
	char *chunk = xmalloc(CHUNK);
	int64_t total = 0;
	ssize_t n = 0;
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
 * goes: a pax tar, or raw (one gzip stream, a lake file). */
struct writer {
	struct sink s;
	struct archive *a;
	bool raw;
};

static int writer_open(struct writer *w, const char *path, bool raw, enum compression c)
{
	*w = (struct writer){.s = {.fd = fs_create(path, 0600)}, .raw = raw};
	if (w->s.fd < 0)
		return err_set(CDC_ERUNTIME, "%s: cannot create archive: %s", path,
			       strerror(errno));
	hash_stream_init(&w->s.hash);
	struct archive *a = w->a = archive_write_new();
	int format =
		raw ? archive_write_set_format_raw(a) : archive_write_set_format_pax_restricted(a);
	/* A lake file (raw) is gzipped at level 1: the lake step publishes
	 * every change once more, and level 1 costs a fraction of the default's
	 * time for a few more bytes (docs/bench.md). */
	if (format != ARCHIVE_OK || set_filter(a, c) ||
	    (raw &&
	     archive_write_set_filter_option(a, "gzip", "compression-level", "1") != ARCHIVE_OK) ||
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
	/* A staged archive is made durable here; a lake file (raw) is a work
	 * file the upload copies, and the target makes the copy durable: one
	 * fsync of its bytes is enough. */
	if (rc == 0 && !w->raw && fsync(w->s.fd) != 0)
		rc = err_set(CDC_ERUNTIME, "%s: fsync: %s", path, strerror(errno));
	if (close(w->s.fd) != 0 && rc == 0)
		rc = err_set(CDC_ERUNTIME, "%s: close: %s", path, strerror(errno));
	if (rc == 0) {
		hash_stream_hex(&w->s.hash, xxh128);
		*size = w->s.size;
	}
	hash_stream_free(&w->s.hash);
	return rc;
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

/* One lake file being gzipped as it is written. Owns path. */
struct archive_gzip {
	struct writer w;
	char *path;
};

int archive_gzip_open(struct archive_gzip **out, const char *dst)
{
	struct archive_gzip *g = *out = xcalloc(1, sizeof(*g));
	g->path = xstrdup(dst);
	int rc = writer_open(&g->w, dst, true, COMPRESS_GZIP);
	if (rc == 0) {
		/* No name, time or size in the stream: the same bytes give the same gzip. */
		struct archive_entry *e = new_entry("data", 0, 0);
		archive_entry_unset_size(e);
		rc = archive_write_header(g->w.a, e) == ARCHIVE_OK ? 0 : -1;
		archive_entry_free(e);
	}
	if (rc) {
		char hex[HASH_HEX_LEN + 1];
		int64_t size;
		rc = writer_close(&g->w, rc, dst, hex, &size);
		free(g->path);
		free(g);
		*out = NULL;
	}
	return rc;
}

int archive_gzip_write(struct archive_gzip *g, const void *p, size_t n)
{
	if (n && archive_write_data(g->w.a, p, n) != (la_ssize_t)n)
		return err_set(CDC_ERUNTIME, "%s: writing archive: %s", g->path,
			       g->w.s.err ? strerror(g->w.s.err) : la_error(g->w.a));
	return 0;
}

int archive_gzip_close(struct archive_gzip *g, char xxh128[HASH_HEX_LEN + 1], int64_t *size)
{
	if (!g)
		return 0;
	char hex[HASH_HEX_LEN + 1];
	int64_t n;
	int rc = writer_close(&g->w, 0, g->path, xxh128 ? xxh128 : hex, size ? size : &n);
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
	struct archive_gzip *g;
	int rc = archive_gzip_open(&g, dst);
	char *chunk = xmalloc(CHUNK);
	int64_t total = 0;
	ssize_t n = 0;
	while (rc == 0 && (n = read(fd, chunk, CHUNK)) > 0) {
		total += n;
		rc = archive_gzip_write(g, chunk, (size_t)n);
	}
	if (rc == 0 && (n < 0 || total != bytes))
		rc = err_set(CDC_ERUNTIME, "%s: changed while being archived", src);
	int closed = archive_gzip_close(g, xxh128, size);
	free(chunk);
	close(fd);
	return rc ? rc : closed;
}

/* ---- reading ---- */

static int read_manifest(struct archive *a, struct archive_entry *e, const char *path,
			 struct manifest *m)
{
	const char *name = archive_entry_pathname_utf8(e);
	if (!name || strcmp(name, "manifest.json") != 0)
		return err_set(CDC_ERUNTIME, "%s: first entry is '%s', not manifest.json", path,
			       name ? name : "(a name that is not UTF-8)");
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

static int extract_entry(struct archive *a, struct archive_entry *e, const char *path,
			 const char *dir, struct manifest *m, size_t index)
{
	const char *name = archive_entry_pathname_utf8(e);
	struct manifest_file *f = name ? find_file(m, name) : NULL;
	if (!f)
		return err_set(CDC_ERUNTIME, "%s: entry '%s' is not in the manifest", path,
			       name ? name : "(no name)");
	if (archive_entry_filetype(e) != AE_IFREG)
		return err_set(CDC_ERUNTIME, "%s: entry '%s' is not a regular file", path, name);
	if (f->local)
		return err_set(CDC_ERUNTIME, "%s: entry '%s' appears twice", path, name);
	if (archive_entry_size_is_set(e) && archive_entry_size(e) != f->bytes)
		return err_set(CDC_ERUNTIME,
			       "%s: entry '%s' declares %lld bytes, the manifest %lld", path, name,
			       (long long)archive_entry_size(e), (long long)f->bytes);
	/* Extract under a generated name: entry names never become paths here. */
	f->local = xasprintf("%s/%06zu.part", dir, index);
	int fd = open(f->local, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return err_set(CDC_ERUNTIME, "%s: cannot create: %s", f->local, strerror(errno));
	int rc = copy_entry(a, path, f, fd);
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
