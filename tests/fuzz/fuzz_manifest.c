/* manifest.json parser (src/format/manifest.c). A manifest it accepts must survive
 * a round trip: what manifest_to_json writes, manifest_parse reads back
 * with the same fields, since package writes and apply reads the same text. */
#include "fuzz.h"

#include "err.h"
#include "manifest.h"
#include "source.h"

#include <stdlib.h>
#include <string.h>

static volatile unsigned sink;

/* Links the source registry, whose constructor registers the type rules (fuzz_config.c). */
const void *const fuzz_manifest_registry = (const void *)source_ops_for_url;

static void check_same(const struct manifest *a, const struct manifest *b)
{
	if (a->seq != b->seq || a->nfiles != b->nfiles || strcmp(a->batch_id, b->batch_id) ||
	    strcmp(a->kind, b->kind) || (!a->previous != !b->previous))
		__builtin_trap();
	for (size_t i = 0; i < a->nfiles; i++) {
		const struct manifest_file *x = &a->files[i], *y = &b->files[i];
		if (strcmp(x->path, y->path) || x->rows != y->rows || x->bytes != y->bytes ||
		    strcmp(x->xxh128, y->xxh128) || x->def->ncols != y->def->ncols ||
		    x->first_seq != y->first_seq || x->last_seq != y->last_seq)
			__builtin_trap();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct manifest m;
	if (manifest_parse(&m, (const char *)data, size, "fuzz") != 0) {
		sink += (unsigned)strlen(err_msg());
		err_clear();
		return 0;
	}
	for (size_t i = 0; i < m.nfiles; i++)
		sink += fuzz_touch(m.files[i].path, strlen(m.files[i].path)) +
			(unsigned)m.files[i].def->ncols;
	char *text = manifest_text(&m); /* sealed anew: its bytes are not the input's */
	if (!text)
		__builtin_trap();
	struct manifest back;
	if (manifest_parse(&back, text, strlen(text), "round trip") != 0)
		__builtin_trap();
	check_same(&m, &back);
	manifest_free(&back);
	free(text);
	manifest_free(&m);
	err_clear();
	return 0;
}
