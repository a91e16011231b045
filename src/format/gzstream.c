#include "gzstream.h"

#include "buf.h"
#include "err.h"

#include <errno.h>
#include <fcntl.h>
#include <isa-l/igzip_lib.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

/* Reading: owns state, in and out (fixed sizes, whatever the file's). */
struct gunzip {
	struct inflate_state *state;
	uint8_t *in, *out;
	int fd;
	bool eof;
	struct hash_stream h;
	int64_t size;
};

/* More input when igzip has taken all it was given; eof at the file's end. */
static int refill(struct gunzip *u, const char *path)
{
	if (u->state->avail_in || u->eof)
		return 0;
	ssize_t n = read(u->fd, u->in, GZ_OUT);
	if (n < 0)
		return err_set(CDC_ERUNTIME, "%s: cannot read: %s", path, strerror(errno));
	u->state->next_in = u->in;
	u->state->avail_in = (uint32_t)n;
	u->eof = n == 0;
	return 0;
}

/* One gzip member, from its header to its checked trailer (CRC-32, size). */
static int inflate_member(struct gunzip *u, const char *path)
{
	isal_inflate_reset(u->state);
	u->state->crc_flag = ISAL_GZIP;
	while (u->state->block_state != ISAL_BLOCK_FINISH) {
		int rc = refill(u, path);
		if (rc)
			return rc;
		u->state->next_out = u->out;
		u->state->avail_out = GZ_OUT;
		int r = isal_inflate(u->state);
		if (r != ISAL_DECOMP_OK)
			return err_set(CDC_ERUNTIME, "%s: not gzip, or damaged (igzip code %d)",
				       path, r);
		size_t n = GZ_OUT - u->state->avail_out;
		hash_stream_update(&u->h, u->out, n);
		u->size += (int64_t)n;
		/* No input left, none to come, nothing more out: the member's
		 * end is missing. */
		bool stuck = !n && !u->state->avail_in && u->eof;
		if (stuck && u->state->block_state != ISAL_BLOCK_FINISH)
			return err_set(CDC_ERUNTIME,
				       "%s: ends inside a gzip member (cut short, or other bytes "
				       "after the last)",
				       path);
	}
	return 0;
}

int gzstream_content(const char *path, char xxh128[HASH_HEX_LEN + 1], int64_t *size)
{
	struct gunzip u = {.fd = open(path, O_RDONLY | O_CLOEXEC)};
	if (u.fd < 0)
		return err_set(CDC_ERUNTIME, "%s: cannot open: %s", path, strerror(errno));
	u.state = xcalloc(1, sizeof(*u.state));
	u.in = xmalloc(GZ_OUT);
	u.out = xmalloc(GZ_OUT);
	isal_inflate_init(u.state);
	hash_stream_init(&u.h);
	/* A member, then another as long as bytes follow (gzip's own rule:
	 * concatenated members are one file). */
	int rc = inflate_member(&u, path);
	while (!rc && !(rc = refill(&u, path)) && !u.eof)
		rc = inflate_member(&u, path);
	if (!rc) {
		hash_stream_hex(&u.h, xxh128);
		*size = u.size;
	}
	hash_stream_free(&u.h);
	free(u.state);
	free(u.in);
	free(u.out);
	close(u.fd);
	return rc;
}
