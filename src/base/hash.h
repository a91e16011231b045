/* XXH3-128 checksums of files and streams, printed as `xxhsum -H2` prints them. */
#ifndef CDCPACK_HASH_H
#define CDCPACK_HASH_H

#include <stddef.h>
#include <stdint.h>

#define HASH_HEX_LEN 32

/* Owns an XXH3 state; hash_stream_free releases it. */
struct hash_stream {
	void *state;
};

void hash_stream_init(struct hash_stream *h);
void hash_stream_update(struct hash_stream *h, const void *p, size_t n);
/* Writes 32 hex digits and a NUL into out. */
void hash_stream_hex(const struct hash_stream *h, char out[HASH_HEX_LEN + 1]);
void hash_stream_free(struct hash_stream *h);

/* Checksum and size of a whole file, read in fixed-size chunks. */
int hash_file(const char *path, char out[HASH_HEX_LEN + 1], int64_t *size);

#endif
