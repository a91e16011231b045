#include "zstream.h"

#include "buf.h"
#include "err.h"

#include <stdbool.h>
#include <stdlib.h>
#include <zstd.h>

/* Level 3: the archive's documented level (docs/design.md §5). */
#define ZS_LEVEL 3
/* Two workers compress while the caller's thread hands them the data:
 * a change file's zstd was the run's longest side on one core (a cdc run
 * of 1.5 KB BLOBs: 80% of its CPU, docs/bench.md). */
#define ZS_WORKERS 2
/* Jobs of 1 MiB instead of zstd's default (4 windows, 8 MiB at level 3):
 * the input zstd buffers is a few jobs, so a stream holds about 12 MiB
 * rather than 40; each job still starts from the 256 KiB before it. */
#define ZS_JOB (1 << 20)

/* Owns cctx and out. */
struct zstream {
	ZSTD_CCtx *cctx;
	void *out;
	size_t cap;
	zstream_emit emit;
	void *ctx;
};

struct zstream *zstream_new(zstream_emit emit, void *ctx)
{
	/* nbWorkers fails only in a libzstd built without threads, which
	 * then compresses on the caller's thread (and takes no job size):
	 * slower, the frame as valid. */
	ZSTD_CCtx *cctx = ZSTD_createCCtx();
	bool ok = cctx &&
		  !ZSTD_isError(ZSTD_CCtx_setParameter(cctx, ZSTD_c_compressionLevel, ZS_LEVEL)) &&
		  (ZSTD_isError(ZSTD_CCtx_setParameter(cctx, ZSTD_c_nbWorkers, ZS_WORKERS)) ||
		   !ZSTD_isError(ZSTD_CCtx_setParameter(cctx, ZSTD_c_jobSize, ZS_JOB)));
	if (!ok) {
		ZSTD_freeCCtx(cctx);
		return NULL;
	}
	struct zstream *z = xcalloc(1, sizeof(*z));
	z->cctx = cctx;
	z->cap = ZSTD_CStreamOutSize();
	z->out = xmalloc(z->cap);
	z->emit = emit;
	z->ctx = ctx;
	return z;
}

/* Feeds in to zstd with mode, handing its output on, until it has taken
 * all of in (continue) or ended the frame (end). */
static int pump(struct zstream *z, ZSTD_inBuffer *in, ZSTD_EndDirective mode)
{
	for (;;) {
		ZSTD_outBuffer o = {z->out, z->cap, 0};
		size_t left = ZSTD_compressStream2(z->cctx, &o, in, mode);
		if (ZSTD_isError(left))
			return err_set(CDC_ERUNTIME, "zstd: %s", ZSTD_getErrorName(left));
		int rc = o.pos ? z->emit(z->ctx, z->out, o.pos) : 0;
		if (rc)
			return rc;
		if (mode == ZSTD_e_end ? left == 0 : in->pos == in->size)
			return 0;
	}
}

int zstream_write(struct zstream *z, const void *p, size_t n)
{
	ZSTD_inBuffer in = {p, n, 0};
	return n ? pump(z, &in, ZSTD_e_continue) : 0;
}

int zstream_finish(struct zstream *z)
{
	ZSTD_inBuffer in = {NULL, 0, 0};
	return pump(z, &in, ZSTD_e_end);
}

void zstream_free(struct zstream *z)
{
	if (!z)
		return;
	ZSTD_freeCCtx(z->cctx);
	free(z->out);
	free(z);
}
