/* Files compressed as they are written. The lake's gzip stream (issue
 * 13): the package gzips each change file as it writes it, and a rerun
 * after a crash gzips the archive's copy instead; both must give the same
 * bytes, or the rerun would find "other bytes" at a lake key the first run
 * wrote. The archive of zstd frames (issue 16): it decompresses to the
 * same tar stream as the archive written in one go, and reads back; each
 * file's frame is made on zstd's workers, the same bytes however split. What
 * a gzip file holds, read back: another build's gzip of a lake file counts
 * as that file only when it is whole gzip and nothing else. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "archive.h"
#include "buf.h"
#include "err.h"
#include "fsutil.h"
#include "gzstream.h"
#include "hash.h"
#include "manifest.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define DATA_BYTES (3 << 20)

/* CSV-like rows with random digits: compressible, but not trivially. */
static char *make_data(size_t n)
{
	char *p = xmalloc(n);
	uint64_t x = 88172645463325252u;
	for (size_t i = 0; i < n; i++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		p[i] = i % 41 == 40 ? '\n' : i % 7 == 6 ? ',' : (char)('0' + x % 10);
	}
	return p;
}

/* The size of the file at path now. */
static int64_t file_size(const char *path)
{
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	return (int64_t)st.st_size;
}

static char *read_all(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	struct buf b = {0};
	char chunk[65536];
	size_t got;
	while ((got = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_add(&b, chunk, got);
	fclose(f);
	*n = b.len;
	return b.data;
}

static void *nothing(void *arg)
{
	return arg;
}

/* Threads of this process now (/proc/self/task). A thread is started and
 * joined first: ThreadSanitizer's runtime starts a thread of its own with
 * the process's first one (make BUILD=tsan), which must not be counted as
 * one the stream left running. */
static size_t threads_now(void)
{
	pthread_t t;
	assert_int_equal(pthread_create(&t, NULL, nothing, NULL), 0);
	assert_int_equal(pthread_join(t, NULL), 0);
	char *cmd = xasprintf("ls /proc/%ld/task | wc -l", (long)getpid());
	FILE *p = popen(cmd, "r");
	assert_non_null(p);
	unsigned long n = 0;
	assert_int_equal(fscanf(p, "%lu", &n), 1);
	pclose(p);
	free(cmd);
	return (size_t)n;
}

/* The most threads seen while a stream was being written (stream()). */
static size_t stream_threads;

/* data compressed (c) through the stream in pieces of step bytes (step 0:
 * the piece sizes vary); gives the stream's bytes. */
static char *stream(const char *dir, enum compression c, const char *data, size_t n, size_t step,
		    size_t *len, char hex[HASH_HEX_LEN + 1])
{
	char *path = xasprintf("%s/stream", dir);
	struct archive_stream *g;
	assert_int_equal(archive_stream_open(&g, path, c), 0);
	stream_threads = 0;
	for (size_t at = 0, k = 1; at < n; k++) {
		size_t t = at >= n / 2 && !stream_threads ? threads_now() : 0;
		stream_threads = t > stream_threads ? t : stream_threads;
		size_t piece = step ? step : (k * 7919) % 300000 + 1;
		if (piece > n - at)
			piece = n - at;
		assert_int_equal(archive_stream_write(g, data + at, piece), 0);
		at += piece;
	}
	int64_t size;
	assert_int_equal(archive_stream_close(g, hex, &size), 0);
	char *out = read_all(path, len);
	assert_int_equal((int64_t)*len, size);
	unlink(path);
	free(path);
	return out;
}

/* `tool -dc path` gives the bytes of the file src. */
static void decompresses_to(const char *tool, const char *path, const char *src)
{
	char *cmd = xasprintf("%s -dc '%s' | cmp -s - '%s'", tool, path, src);
	assert_int_equal(system(cmd), 0);
	free(cmd);
}

/* data through a stream (c) in pieces of several sizes gives want (its
 * want_len bytes, XXH3-128 want_hex) each time, the process having at
 * least min_threads threads while it is written. */
static void same_however_split(const char *dir, enum compression c, const char *data,
			       const char *want, size_t want_len, const char *want_hex,
			       size_t min_threads)
{
	const size_t steps[] = {0, 1000, 262144 + 17, 65536, DATA_BYTES};
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		size_t len;
		char hex[HASH_HEX_LEN + 1];
		char *got = stream(dir, c, data, DATA_BYTES, steps[i], &len, hex);
		assert_true(steps[i] == DATA_BYTES || stream_threads >= min_threads);
		assert_int_equal(len, want_len);
		assert_memory_equal(got, want, len);
		assert_string_equal(hex, want_hex);
		free(got);
	}
}

/* A new temp dir made from the template dir, holding "data": make_data's
 * DATA_BYTES (into *data); gives that file's path. */
static char *data_file(char *dir, char **data)
{
	assert_non_null(mkdtemp(dir));
	*data = make_data(DATA_BYTES);
	char *src = xasprintf("%s/data", dir);
	FILE *f = fopen(src, "wb");
	assert_int_equal(fwrite(*data, 1, DATA_BYTES, f), DATA_BYTES);
	fclose(f);
	return src;
}

static void stream_equals_file_gzip_however_split(void **state)
{
	(void)state;
	char dir[] = "/tmp/test_archive_gzip.XXXXXX", *data;
	char *src = data_file(dir, &data), *dst = xasprintf("%s/file.gz", dir);
	char want_hex[HASH_HEX_LEN + 1];
	int64_t want_size;
	assert_int_equal(archive_gzip_file(src, DATA_BYTES, dst, want_hex, &want_size), 0);
	size_t want_len;
	char *want = read_all(dst, &want_len);
	same_however_split(dir, COMPRESS_GZIP, data, want, want_len, want_hex, 0);
	decompresses_to("gzip", dst, src); /* and it is gzip of the data */
	free(want);
	free(data);
	fs_remove_tree(dir);
	free(src);
	free(dst);
}

/* The archive's zstd frame of a change file (issue 16, "both cores"): made
 * on zstd's own workers beside the thread that writes it, the same bytes
 * however the data arrives (a staged archive's bytes depend on the changes
 * alone), one frame of the data. */
static void stream_zstd_on_workers_same_bytes_however_split(void **state)
{
	(void)state;
	char dir[] = "/tmp/test_archive_zstd.XXXXXX", *data;
	char *src = data_file(dir, &data);
	size_t base = threads_now(), want_len;
	char want_hex[HASH_HEX_LEN + 1];
	char *want = stream(dir, COMPRESS_ZSTD, data, DATA_BYTES, DATA_BYTES, &want_len, want_hex);
	/* two of zstd's workers */
	same_however_split(dir, COMPRESS_ZSTD, data, want, want_len, want_hex, base + 2);
	assert_true(threads_now() == base); /* and they end with the stream */
	char *frame = xasprintf("%s/frame.zst", dir);
	FILE *f = fopen(frame, "wb");
	assert_int_equal(fwrite(want, 1, want_len, f), want_len);
	fclose(f);
	decompresses_to("zstd", frame, src);
	free(frame);
	free(want);
	free(data);
	fs_remove_tree(dir);
	free(src);
}

/* A file of n bytes of data at path; its checksum into f. */
static void put_data(const char *path, const char *data, size_t n, struct manifest_file *f)
{
	FILE *out = fopen(path, "wb");
	assert_int_equal(fwrite(data, 1, n, out), n);
	fclose(out);
	struct hash_stream h;
	hash_stream_init(&h);
	hash_stream_update(&h, data, n);
	hash_stream_hex(&h, f->xxh128);
	hash_stream_free(&h);
	f->local = xstrdup(path);
	f->bytes = (int64_t)n;
}

/* Three files (one empty, one of a size that is not a multiple of the tar
 * block) in a manifest. */
static void build(struct manifest *m, const char *dir, const char *data)
{
	memset(m, 0, sizeof(*m));
	m->batch_id = xstrdup("shop-00000007");
	m->seq = 7;
	m->kind = xstrdup("cdc");
	m->mode = xstrdup("trigger");
	m->created = xstrdup("2026-11-24T10:11:12.345Z");
	m->source_name = xstrdup("shop");
	m->driver = xstrdup("sqlite");
	const size_t sizes[] = {DATA_BYTES - 77, 0, 1000};
	for (size_t i = 0; i < 3; i++) {
		struct manifest_file *f = manifest_add_file(m);
		f->def = xcalloc(1, sizeof(*f->def));
		f->def->name = xasprintf("t%zu", i);
		table_def_add_column(f->def, "id", "INTEGER", true);
		f->path = xasprintf("t%zu/LOAD00000001.csv", i);
		f->first_seq = f->last_seq = -1;
		char *path = xasprintf("%s/%zu.part", dir, i);
		put_data(path, data + i, sizes[i], f);
		free(path);
	}
}

static void frames_decompress_to_the_same_tar_and_read_back(void **state)
{
	(void)state;
	char dir[] = "/tmp/test_archive_frames.XXXXXX";
	assert_non_null(mkdtemp(dir));
	char *data = make_data(DATA_BYTES);
	struct manifest m;
	build(&m, dir, data);
	char *one = xasprintf("%s/one.tar.zst", dir), *framed = xasprintf("%s/framed.tar.zst", dir);
	char hex[HASH_HEX_LEN + 1], hex2[HASH_HEX_LEN + 1];
	int64_t size, size2;
	assert_int_equal(archive_write_batch(one, COMPRESS_ZSTD, 1795515072, &m, hex, &size), 0);
	/* File 0 from a frame made as a stream, the others made while writing. */
	char *frame0 = xasprintf("%s/0.zst", dir);
	struct archive_stream *s;
	assert_int_equal(archive_stream_open(&s, frame0, COMPRESS_ZSTD), 0);
	for (size_t at = 0; at < (size_t)m.files[0].bytes; at += 100000) {
		size_t n = (size_t)m.files[0].bytes - at < 100000 ? (size_t)m.files[0].bytes - at
								  : 100000;
		assert_int_equal(archive_stream_write(s, data + at, n), 0);
	}
	assert_int_equal(archive_stream_size(s), file_size(frame0));
	assert_int_equal(archive_stream_close(s, NULL, NULL), 0);
	const char *frames[] = {frame0, NULL, NULL};
	int64_t first_at;
	assert_int_equal(
		archive_write_frames(framed, 1795515072, &m, frames, hex2, &size2, &first_at), 0);
	size_t len, frame_len;
	char *bytes = read_all(framed, &len);
	assert_int_equal((int64_t)len, size2);
	/* File 0's frame lies in the archive as it was made, where first_at says
	 * (an upload may have sent those bytes before the archive was written). */
	char *frame_bytes = read_all(frame0, &frame_len);
	assert_true(first_at > 0 && (size_t)first_at + frame_len < len);
	assert_memory_equal(bytes + first_at, frame_bytes, frame_len);
	free(frame_bytes);
	free(bytes);
	char *cmd = xasprintf("zstd -dcq '%s' >'%s/a.tar' && zstd -dcq '%s' >'%s/b.tar' && "
			      "cmp -s '%s/a.tar' '%s/b.tar'",
			      one, dir, framed, dir, dir, dir);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	/* And cdcpack reads it: every file there, sizes and checksums right. */
	struct manifest back;
	char *out = xasprintf("%s/out", dir);
	assert_int_equal(fs_mkdirs(out, 0700), 0);
	assert_int_equal(archive_read_batch(framed, out, &back), 0);
	assert_int_equal(back.nfiles, 3);
	for (size_t i = 0; i < 3; i++)
		assert_string_equal(back.files[i].xxh128, m.files[i].xxh128);
	manifest_free(&back);
	manifest_free(&m);
	fs_remove_tree(dir);
	free(out);
	free(frame0);
	free(one);
	free(framed);
	free(data);
}

/* sh's cmd run in dir; then fn (gzstream_content or hash_file) of dir/name. */
static int content_of(const char *dir, const char *cmd, const char *name,
		      int (*fn)(const char *, char *, int64_t *), char hex[HASH_HEX_LEN + 1],
		      int64_t *size)
{
	char *line = xasprintf("cd '%s' && %s", dir, cmd);
	assert_int_equal(system(line), 0);
	free(line);
	char *path = xasprintf("%s/%s", dir, name);
	int rc = fn(path, hex, size);
	free(path);
	return rc;
}

static void gzip_content_is_whole_members_and_nothing_else(void **state)
{
	(void)state;
	char dir[] = "/tmp/test_gzip_content.XXXXXX", *data;
	char *src = data_file(dir, &data), *gz = xasprintf("%s/data.gz", dir);
	char want[HASH_HEX_LEN + 1], want2[HASH_HEX_LEN + 1], hex[HASH_HEX_LEN + 1];
	int64_t size, n;
	assert_int_equal(hash_file(src, want, &size), 0);
	assert_int_equal(archive_gzip_file(src, DATA_BYTES, gz, hex, &n), 0);
	assert_int_equal(gzstream_content(gz, hex, &n), 0);
	assert_string_equal(hex, want);
	assert_int_equal(n, DATA_BYTES);
	/* Another writer's gzip (zlib's, a name in its header) of the same. */
	assert_int_equal(
		content_of(dir, "gzip -1 -c data >z.gz", "z.gz", gzstream_content, hex, &n), 0);
	assert_string_equal(hex, want);
	assert_int_equal(n, DATA_BYTES);
	/* Two members are one file: what both hold, in turn. */
	assert_int_equal(content_of(dir, "cat data data >dd", "dd", hash_file, want2, &size), 0);
	assert_int_equal(
		content_of(dir, "cat data.gz z.gz >two.gz", "two.gz", gzstream_content, hex, &n),
		0);
	assert_string_equal(hex, want2);
	assert_int_equal(n, 2 * DATA_BYTES);
	/* Anything else is refused, never taken for part of the file. */
	const char *bad[] = {
		"(cat z.gz; echo 'junk junk junk junk junk') >x.gz", /* other bytes after */
		"(cat z.gz; printf '\\0\\0') >x.gz",		     /* gzip's tolerated zeros */
		"head -c -1 z.gz >x.gz",			     /* cut short */
		"head -c 100000 z.gz >x.gz",			     /* cut mid-stream */
		"cp z.gz x.gz && printf X | dd of=x.gz bs=1 seek=500000 conv=notrunc 2>/dev/null",
		": >x.gz",	/* empty */
		"cp data x.gz", /* not gzip */
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(content_of(dir, bad[i], "x.gz", gzstream_content, hex, &n),
				 CDC_ERUNTIME);
	fs_remove_tree(dir);
	free(src);
	free(gz);
	free(data);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(stream_equals_file_gzip_however_split),
		cmocka_unit_test(stream_zstd_on_workers_same_bytes_however_split),
		cmocka_unit_test(frames_decompress_to_the_same_tar_and_read_back),
		cmocka_unit_test(gzip_content_is_whole_members_and_nothing_else),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
