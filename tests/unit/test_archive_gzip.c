/* The lake's gzip stream (issue 13): the package gzips each change file as
 * it writes it, and a rerun after a crash gzips the archive's copy instead;
 * both must give the same bytes, or the rerun would find "other bytes" at
 * a lake key the first run wrote. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "archive.h"
#include "buf.h"
#include "fsutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

/* data gzipped through the stream in pieces of step bytes (step 0: the
 * piece sizes vary); gives the stream's bytes. */
static char *stream(const char *dir, const char *data, size_t n, size_t step, size_t *len,
		    char hex[HASH_HEX_LEN + 1])
{
	char *path = xasprintf("%s/stream.gz", dir);
	struct archive_gzip *g;
	assert_int_equal(archive_gzip_open(&g, path), 0);
	for (size_t at = 0, k = 1; at < n; k++) {
		size_t piece = step ? step : (k * 7919) % 300000 + 1;
		if (piece > n - at)
			piece = n - at;
		assert_int_equal(archive_gzip_write(g, data + at, piece), 0);
		at += piece;
	}
	int64_t size;
	assert_int_equal(archive_gzip_close(g, hex, &size), 0);
	char *out = read_all(path, len);
	assert_int_equal((int64_t)*len, size);
	unlink(path);
	free(path);
	return out;
}

static void stream_equals_file_gzip_however_split(void **state)
{
	(void)state;
	char dir[] = "/tmp/test_archive_gzip.XXXXXX";
	assert_non_null(mkdtemp(dir));
	char *data = make_data(DATA_BYTES);
	char *src = xasprintf("%s/data", dir), *dst = xasprintf("%s/file.gz", dir);
	FILE *f = fopen(src, "wb");
	assert_int_equal(fwrite(data, 1, DATA_BYTES, f), DATA_BYTES);
	fclose(f);
	char want_hex[HASH_HEX_LEN + 1], hex[HASH_HEX_LEN + 1];
	int64_t want_size;
	assert_int_equal(archive_gzip_file(src, DATA_BYTES, dst, want_hex, &want_size), 0);
	size_t want_len, len;
	char *want = read_all(dst, &want_len);
	const size_t steps[] = {0, 1000, 262144 + 17, 65536, DATA_BYTES};
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		char *got = stream(dir, data, DATA_BYTES, steps[i], &len, hex);
		assert_int_equal(len, want_len);
		assert_memory_equal(got, want, len);
		assert_string_equal(hex, want_hex);
		free(got);
	}
	/* And it is gzip of the data. */
	char *cmd = xasprintf("gzip -dc '%s' | cmp -s - '%s'", dst, src);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	free(want);
	free(data);
	fs_remove_tree(dir);
	free(src);
	free(dst);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(stream_equals_file_gzip_however_split),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
