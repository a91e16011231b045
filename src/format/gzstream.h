/* One gzip member made as its bytes arrive, with ISA-L's igzip (the lake's
 * per-file CompressionType GZIP, issue 13): about a third of zlib's CPU at
 * level 1, and still one stream that every gzip reader reads whole; and
 * what a gzip file holds, read back by igzip's inflate. */
#ifndef CDCPACK_GZSTREAM_H
#define CDCPACK_GZSTREAM_H

#include "hash.h"

#include <stddef.h>
#include <stdint.h>

/* Takes n compressed bytes at p; 0, or a negative code with the message
 * set (the stream stops at the first). */
typedef int (*gzstream_emit)(void *ctx, const void *p, size_t n);

/* Owns its igzip state and buffers; gzstream_free releases them. */
struct gzstream;

/* A new stream handing its output to emit(ctx, ...). Its header names no
 * file and no time (mtime 0, OS 255): the same bytes give the same gzip. */
struct gzstream *gzstream_new(gzstream_emit emit, void *ctx);
/* Compresses the next n bytes; emit's code, or CDC_ERUNTIME when igzip
 * refuses. */
int gzstream_write(struct gzstream *z, const void *p, size_t n);
/* Compresses what is left and writes the trailer; the stream is done. */
int gzstream_finish(struct gzstream *z);
/* NULL: nothing. */
void gzstream_free(struct gzstream *z);

/* The XXH3-128 and size of what the gzip file at path holds: one or more
 * whole gzip members (any gzip writer's: another build's igzip, zlib) and
 * nothing after them, read in fixed buffers. CDC_ERUNTIME naming path for
 * anything else (damaged, cut short, bytes after the last member), so a
 * caller never takes a part for the whole. */
int gzstream_content(const char *path, char xxh128[HASH_HEX_LEN + 1], int64_t *size);

#endif
