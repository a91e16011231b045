#include "gzstream.h"

#include "buf.h"
#include "err.h"

#include <isa-l/igzip_lib.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* igzip's output depends on how its input is split into isal_deflate
 * calls (where a call ends, a deflate block may end), unlike zlib's. The
 * package gzips a change file in the pieces its rows were flushed in, a
 * rerun after a crash in the pieces it reads from the archive, and both
 * must give the same bytes (docs/design.md §4 step 6b). So the input is
 * gathered here and igzip is only ever called with whole blocks of
 * GZ_BLOCK bytes and one last, shorter one: the calls, and so the bytes,
 * depend on the data alone. */
#define GZ_BLOCK (256 << 10)
#define GZ_OUT (64 << 10)
/* Level 1: the lake writes every change once more, and igzip's level 1
 * already packs CSV tighter than zlib's level 1 (docs/bench.md). */
#define GZ_LEVEL 1
#define GZ_LEVEL_BUF ISAL_DEF_LVL1_DEFAULT

/* Owns level_buf, block and out. */
struct gzstream {
	struct isal_zstream z;
	uint8_t *level_buf;
	uint8_t *block; /* the input gathered for the next call */
	size_t used;
	uint8_t *out;
	gzstream_emit emit;
	void *ctx;
};

struct gzstream *gzstream_new(gzstream_emit emit, void *ctx)
{
	/* Zeroed, igzip's state and buffers alike: nothing in them may
	 * differ from one run to the next. */
	struct gzstream *g = xcalloc(1, sizeof(*g));
	g->level_buf = xcalloc(1, GZ_LEVEL_BUF);
	g->block = xmalloc(GZ_BLOCK);
	g->out = xmalloc(GZ_OUT);
	g->emit = emit;
	g->ctx = ctx;
	isal_deflate_init(&g->z);
	g->z.gzip_flag = IGZIP_GZIP; /* its generic header: mtime 0, no name */
	g->z.level = GZ_LEVEL;
	g->z.level_buf = g->level_buf;
	g->z.level_buf_size = GZ_LEVEL_BUF;
	return g;
}

/* One isal_deflate call's worth: the gathered block (the last with end
 * set), its output handed on until igzip has taken all of the block (and
 * with end, written the trailer). */
static int deflate_block(struct gzstream *g, bool end)
{
	g->z.next_in = g->block;
	g->z.avail_in = (uint32_t)g->used;
	g->z.end_of_stream = end;
	int rc = 0;
	do {
		g->z.next_out = g->out;
		g->z.avail_out = GZ_OUT;
		int r = isal_deflate(&g->z);
		if (r != COMP_OK)
			return err_set(CDC_ERUNTIME, "gzip: igzip's isal_deflate failed (code %d)",
				       r);
		size_t n = GZ_OUT - g->z.avail_out;
		if (n)
			rc = g->emit(g->ctx, g->out, n);
	} while (!rc && (g->z.avail_in || (end && g->z.internal_state.state != ZSTATE_END)));
	g->used = 0;
	return rc;
}

int gzstream_write(struct gzstream *g, const void *p, size_t n)
{
	const uint8_t *q = p;
	while (n) {
		size_t take = GZ_BLOCK - g->used < n ? GZ_BLOCK - g->used : n;
		memcpy(g->block + g->used, q, take);
		g->used += take;
		q += take;
		n -= take;
		/* A full block waits for more input: the last call must carry
		 * end_of_stream, and only close knows which one that is. */
		if (g->used == GZ_BLOCK && n) {
			int rc = deflate_block(g, false);
			if (rc)
				return rc;
		}
	}
	return 0;
}

int gzstream_finish(struct gzstream *g)
{
	return deflate_block(g, true);
}

void gzstream_free(struct gzstream *g)
{
	if (!g)
		return;
	free(g->level_buf);
	free(g->block);
	free(g->out);
	free(g);
}
