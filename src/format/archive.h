/* Batch archives: tar (pax) + compression via libarchive, manifest.json
 * first (docs/design.md §5, §8 notes on libarchive 3.6.2). */
#ifndef CDCPACK_ARCHIVE_H
#define CDCPACK_ARCHIVE_H

#include "config.h"
#include "hash.h"
#include "manifest.h"

#include <stdint.h>
#include <time.h>

/* Writes the archive to path (created 0600, fsynced): manifest.json, then
 * each file of m from its local path. Gives the archive's XXH3-128 and size. */
int archive_write_batch(const char *path, enum compression c, time_t mtime,
			const struct manifest *m, char xxh128[HASH_HEX_LEN + 1], int64_t *size);

/* The same archive with COMPRESS_ZSTD, its files' data taken from frames
 * (frames[i]: a file holding file i's bytes as one zstd frame, from
 * archive_stream; NULL: compressed here from its local copy): a run of
 * zstd frames that decompresses to the very tar stream archive_write_batch
 * writes (its compressed bytes differ). *first_at: where the bytes of
 * frames[0] begin in the archive, copied as they are (an upload may have
 * sent them early, docs/design.md §4 step 5); -1 when they are not there. */
int archive_write_frames(const char *path, time_t mtime, const struct manifest *m,
			 const char *const *frames, char xxh128[HASH_HEX_LEN + 1], int64_t *size,
			 int64_t *first_at);

/* Writes the bytes file src holds into a new file dst as one gzip stream
 * (igzip, gzstream.h: no name or time in its header, the same bytes give
 * the same gzip; the lake's per-file CompressionType), not fsynced (a work
 * file: the upload's copy is the durable one); gives its XXH3-128 and size. */
int archive_gzip_file(const char *src, int64_t bytes, const char *dst,
		      char xxh128[HASH_HEX_LEN + 1], int64_t *size);

/* A file compressed as its bytes arrive, one stream (raw, no tar): with
 * COMPRESS_GZIP the stream archive_gzip_file makes, by igzip (the same
 * bytes give the same gzip however they are split: the package gzips each
 * change file for the lake as it writes it, issue 13); with COMPRESS_ZSTD
 * one zstd frame at level 3, as archive_write_frames takes it, made on
 * zstd's own workers (zstream.h: the same bytes give the same frame). A
 * failed open leaves *out NULL. Close frees g (NULL: nothing), and gives
 * the stream's XXH3-128 and size (either may be NULL). */
struct archive_stream;
int archive_stream_open(struct archive_stream **out, const char *dst, enum compression c);
int archive_stream_write(struct archive_stream *g, const void *p, size_t n);
/* The bytes written to dst so far (from the thread that writes g): dst
 * only grows, and what it holds is final. */
int64_t archive_stream_size(const struct archive_stream *g);
int archive_stream_close(struct archive_stream *g, char xxh128[HASH_HEX_LEN + 1], int64_t *size);

/* Reads the archive at path into m, extracting each change file into dir
 * (m->files[i].local). Refuses (CDC_ERUNTIME, naming the archive and the
 * fault) a missing or late manifest, unsafe or unknown entry names, links
 * and other non-files, duplicates, sizes or checksums that differ from the
 * manifest, and files the manifest lists but the archive lacks. */
int archive_read_batch(const char *path, const char *dir, struct manifest *m);

/* Reads only the archive's manifest into m (its files' local paths NULL):
 * the first entry, so only the archive's first block is decompressed. */
int archive_read_manifest(const char *path, struct manifest *m);

#endif
