/* The lake's gzip (src/format/gzstream.c) both ways. A lake object read back
 * on a rerun (gzstream_content) comes from the bucket, so it is outside
 * input: any bytes must give a clean refusal or a size and checksum, never a
 * crash. The first input byte picks the way:
 *   even: the rest is a file gzstream_content reads;
 *   odd:  the rest is data gzipped twice, once whole and once in pieces
 *         whose sizes the data's own bytes pick; each file must read back as
 *         the data's size and XXH3-128.
 * Not checked here: that both files are the same bytes. Under ASan they
 * sometimes are not (igzip's output then depends on more than its input:
 * found by this harness, open); a rerun's lake step accepts an object by
 * its content, so that promise is no longer what keeps a key from
 * changing. */
#include "fuzz.h"

#include "err.h"
#include "gzstream.h"
#include "hash.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static volatile unsigned sink;
static char *whole_path, *split_path;

static int emit_to_file(void *ctx, const void *p, size_t n)
{
	return fwrite(p, 1, n, ctx) == n ? 0 : -1;
}

/* Gzips data to path, in pieces of 1 + data[i] % 97 bytes when split. */
static void gzip_to(const char *path, const uint8_t *data, size_t size, bool split)
{
	FILE *f = fopen(path, "wb");
	if (!f)
		__builtin_trap();
	struct gzstream *z = gzstream_new(emit_to_file, f);
	for (size_t at = 0; at < size;) {
		size_t n = split ? 1 + data[at] % 97 : size - at;
		if (n > size - at)
			n = size - at;
		if (gzstream_write(z, data + at, n))
			__builtin_trap();
		at += n;
	}
	if (gzstream_finish(z))
		__builtin_trap();
	gzstream_free(z);
	if (fclose(f))
		__builtin_trap();
}

/* The file at path must hold exactly the size bytes hashing to want. */
static void check_content(const char *path, size_t size, const char *want)
{
	char got[HASH_HEX_LEN + 1];
	int64_t n = -1;
	if (gzstream_content(path, got, &n) || n != (int64_t)size || strcmp(got, want) != 0)
		__builtin_trap();
}

static void round_trip(const uint8_t *data, size_t size)
{
	char want[HASH_HEX_LEN + 1];
	struct hash_stream h;
	hash_stream_init(&h);
	hash_stream_update(&h, data, size);
	hash_stream_hex(&h, want);
	hash_stream_free(&h);
	gzip_to(whole_path, data, size, false);
	check_content(whole_path, size, want);
	gzip_to(split_path, data, size, true);
	check_content(split_path, size, want);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!whole_path) {
		whole_path = malloc(4096);
		split_path = malloc(4096);
		snprintf(whole_path, 4096, "%s/whole.gz", fuzz_scratch_dir());
		snprintf(split_path, 4096, "%s/split.gz", fuzz_scratch_dir());
	}
	if (size < 1)
		return 0;
	if (data[0] & 1) {
		round_trip(data + 1, size - 1);
		return 0;
	}
	fuzz_write_file(whole_path, data + 1, size - 1);
	char got[HASH_HEX_LEN + 1];
	int64_t n = -1;
	if (gzstream_content(whole_path, got, &n) == 0) {
		if (n < 0 || strlen(got) != HASH_HEX_LEN)
			__builtin_trap();
		sink += (unsigned)got[0];
	} else {
		sink += (unsigned)err_msg()[0];
	}
	err_clear();
	return 0;
}
