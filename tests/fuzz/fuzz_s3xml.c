/* The S3 XML reply scanner (src/target/s3/s3xml.c): error bodies, ListObjectsV2
 * pages, single elements. libFuzzer's input is not NUL-terminated, as an
 * HTTP body is not: a read past len is an ASan report. */
#include "fuzz.h"

#include "err.h"
#include "s3xml.h"

#include <stdlib.h>
#include <string.h>

static volatile unsigned sink;

static int on_key(void *ctx, const char *key, int64_t size)
{
	(void)ctx;
	if (size < 0)
		__builtin_trap();
	sink += fuzz_touch(key, strlen(key));
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *xml = (const char *)data;
	struct s3xml_error e;
	if (s3xml_parse_error(xml, size, &e)) {
		if (e.code)
			sink += fuzz_touch(e.code, strlen(e.code));
		if (e.message)
			sink += fuzz_touch(e.message, strlen(e.message));
	}
	s3xml_error_free(&e);
	char *next = NULL;
	if (s3xml_list_page(xml, size, on_key, NULL, &next) == 0 && next)
		sink += fuzz_touch(next, strlen(next));
	free(next);
	static const char *const tags[] = {"UploadId", "ETag", "Key", "Size", "Code"};
	for (size_t i = 0; i < sizeof(tags) / sizeof(tags[0]); i++) {
		char *t = s3xml_text(xml, size, tags[i]);
		if (t)
			sink += fuzz_touch(t, strlen(t));
		free(t);
	}
	err_clear();
	return 0;
}
