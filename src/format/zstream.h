/* One zstd frame made as its bytes arrive, on zstd's own worker threads
 * (libzstd's multi-threaded mode, issue 16 "both cores"): the archive's
 * frame of a change file (archive.h, archive_stream). */
#ifndef CDCPACK_ZSTREAM_H
#define CDCPACK_ZSTREAM_H

#include <stddef.h>

/* Takes n compressed bytes at p; 0, or a negative code with the message
 * set (the stream stops at the first). */
typedef int (*zstream_emit)(void *ctx, const void *p, size_t n);

/* Owns its zstd context (and so its workers) and its output buffer;
 * zstream_free releases them. */
struct zstream;

/* A new level-3 frame handing its output to emit(ctx, ...); NULL when zstd
 * cannot make or set up a context. The frame's bytes depend on the data
 * alone, not on how it is split into writes. */
struct zstream *zstream_new(zstream_emit emit, void *ctx);
/* Compresses the next n bytes (zstd's workers may still be at them);
 * emit's code, or CDC_ERUNTIME when zstd refuses. */
int zstream_write(struct zstream *z, const void *p, size_t n);
/* Compresses what is left and ends the frame; the stream is done. */
int zstream_finish(struct zstream *z);
/* NULL: nothing. Stops the workers. */
void zstream_free(struct zstream *z);

#endif
