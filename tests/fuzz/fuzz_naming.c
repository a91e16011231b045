/* Object keys and times read back from outside (src/format/naming.c): keys listed
 * at the target (batch_key_parse) and --until / manifest times
 * (moment_parse). A key that parses must be the one batch_key makes; a
 * time that parses must print and parse back the same. */
#include "fuzz.h"

#include "buf.h"
#include "naming.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static volatile unsigned sink;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = xstrndup((const char *)data, size);
	struct moment m;
	if (moment_parse(s, &m) == 0) {
		/* What parses prints as ISO 8601 and parses back the same. */
		char iso[MOMENT_ISO_LEN];
		struct moment back;
		moment_iso(m, iso);
		if (m.ms < 0 || m.ms > 999 || moment_parse(iso, &back) != 0 ||
		    moment_cmp(m, back) != 0)
			__builtin_trap();
		sink += (unsigned)m.ms;
	}
	int64_t seq;
	if (batch_key_parse(s, "src", &seq, &m) == 0) {
		bool same = false;
		for (int c = COMPRESS_ZSTD; c <= COMPRESS_NONE && !same; c++) {
			char *key = batch_key("src", seq, m, (enum compression)c);
			same = strcmp(key, s) == 0;
			free(key);
		}
		if (seq < 1 || m.ms != 0 || !same)
			__builtin_trap();
		sink += (unsigned)seq;
	}
	free(s);
	return 0;
}
