/* SQLite row image literals (src/source/sqlite/sqlite_image.c): the comma-joined quote()
 * values the triggers store. The first byte is the column count (1..16),
 * the rest the image, not NUL-terminated: the parser takes a length. */
#include "fuzz.h"

#include "buf.h"
#include "err.h"
#include "sqlite_image.h"

static volatile unsigned sink;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	size_t n = (size_t)(data[0] % 16) + 1;
	struct value out[16];
	struct buf scratch = BUF_INIT;
	if (sqlite_image_parse((const char *)data + 1, size - 1, n, out, &scratch) == 0) {
		for (size_t i = 0; i < n; i++) {
			if (out[i].type == VAL_TEXT || out[i].type == VAL_BLOB)
				sink += fuzz_touch(out[i].p, out[i].n);
			else if (out[i].type > VAL_BLOB)
				__builtin_trap();
		}
	}
	buf_free(&scratch);
	err_clear();
	return 0;
}
