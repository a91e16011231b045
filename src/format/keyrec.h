/* A key record: a row's key values exactly as the source gave them, and
 * its row hash. Snapshot files are sequences of them, and so is what one
 * side of a diff hands the other. Keys keep the source's own spelling (not
 * the canonical form) because a snapshot's D row must name the row the
 * source and its replicas hold.
 *
 * Record: varint key length, key, row hash (8 bytes little-endian).
 * Key: per key column a type byte (enum value_type), then nothing (NULL),
 * a zigzag varint (INT), 8 bytes (REAL bits) or a varint length and the
 * bytes (TEXT, BLOB). */
#ifndef CDCPACK_KEYREC_H
#define CDCPACK_KEYREC_H

#include "buf.h"
#include "rowhash.h"
#include "value.h"

#include <stddef.h>
#include <stdint.h>

/* A borrowed view of one record, valid until its producer moves on. */
struct keyrec {
	const uint8_t *key;
	size_t klen;
	uint64_t hash;
};

/* Appends the key of row[cols[0..n)] to out. */
void keyrec_encode_key(struct buf *out, const struct value *row, const size_t *cols, size_t n);
/* The most bytes a record with a key of klen bytes takes. */
#define KEYREC_MAX(klen) (10 + (size_t)(klen) + 8)
/* Writes one whole record at dst (KEYREC_MAX(klen) bytes of room); returns its length. */
size_t keyrec_write(uint8_t *dst, const uint8_t *key, size_t klen, uint64_t hash);
/* Appends one whole record. */
void keyrec_put(struct buf *out, const uint8_t *key, size_t klen, uint64_t hash);
/* The record at p[0..n): 1 with *used set, 0 when p holds only part of one,
 * CDC_ERUNTIME when the bytes are not a record. keyrec_frame reads the
 * framing only (records this process just wrote); keyrec_parse also checks
 * that the key holds nkeys values (records read back from a file). */
int keyrec_frame(const uint8_t *p, size_t n, struct keyrec *out, size_t *used);
int keyrec_parse(const uint8_t *p, size_t n, size_t nkeys, struct keyrec *out, size_t *used);
/* The n key values of a parsed record (borrowed from it) into out[pos[k]],
 * or out[k] when pos is NULL. */
void keyrec_decode(const struct keyrec *r, struct value *out, const size_t *pos, size_t n);
/* Orders two parsed keys as canon_cmp orders their values, column by column. */
int keyrec_cmp(const uint8_t *a, size_t an, const uint8_t *b, size_t bn,
	       const enum canon_class *classes, size_t n);
/* Appends "col=value ..." for messages (values shortened). */
void keyrec_describe(struct buf *out, const struct value *keys, const char *const *names, size_t n);

/* Where records come from, one at a time: 1 with *out filled, 0 at the
 * end, or a CDC_E* code. */
struct rec_source {
	int (*next)(void *ctx, struct keyrec *out);
	void *ctx;
};

#endif
