/* Row hashing for snapshot capture, diff and verify (docs/design.md §4, §6):
 * each value is put into a canonical, type-tagged, length-prefixed form,
 * so that the same logical row hashes the same whichever engine it came
 * from, and the rows' bytes are hashed with XXH3-64.
 *
 * Why 64 bits and not 128: a row hash is only ever compared with the hash
 * of the same key (the previous snapshot's, or the other database's), never
 * searched for among all rows, so there is no birthday bound: a changed row
 * goes unnoticed with probability 2^-64 per change. 128 bits would double
 * the stored snapshot (8 more bytes a row) for no practical gain.
 *
 * The canonical form (HASH_VERSION 1), one value after another:
 *   NULL              'N'
 *   integral number   'I' int64 little-endian (also REAL 3.0, DECIMAL '3.00', -0.0)
 *   other REAL        'R' IEEE-754 bits little-endian (one NaN)
 *   other DECIMAL     'D' sign byte, zigzag varint exponent, varint length, digits
 *   text              'T' varint length, UTF-8 bytes
 *   blob              'B' varint length, bytes
 * The column's declared type picks how text is read (see enum canon_class):
 * MySQL hands DECIMAL and dates over as text, SQLite keeps what was written. */
#ifndef CDCPACK_ROWHASH_H
#define CDCPACK_ROWHASH_H

#include "buf.h"
#include "value.h"

#include <stdbool.h>
#include <stdint.h>

/* Changes whenever the canonical form does: stored hashes of another
 * version cannot be compared. */
#define HASH_VERSION 1

/* How a column's values are canonicalised, from its declared type. */
enum canon_class {
	CANON_PLAIN,	/* as they come */
	CANON_DECIMAL,	/* DECIMAL/NUMERIC, YEAR, unsigned: numeric text is a number */
	CANON_TEMPORAL, /* DATE/DATETIME/TIMESTAMP/TIME: one spelling of a moment */
	CANON_FLOAT32,	/* a single-precision FLOAT (MySQL's): REALs rounded to it first */
};

/* The class for a column declared `decl` by a source of driver (as manifests
 * name it: its registered type rules say how its FLOAT hashes). */
enum canon_class canon_class_for(const char *decl, const char *driver);
/* The class to compare a column declared differently on two sides with. */
enum canon_class canon_class_merge(enum canon_class a, enum canon_class b);

enum canon_kind { CK_NULL, CK_INT, CK_REAL, CK_DEC, CK_TEXT, CK_BLOB };

/* A value in canonical form. p points into the source value, or into buf
 * (a normalised date, a decimal's digits): a canon must not be copied
 * while p points into its own buf. */
struct canon {
	enum canon_kind kind;
	int64_t i;     /* CK_INT; CK_DEC: the exponent (value = digits x 10^i) */
	double r;      /* CK_REAL */
	bool neg;      /* CK_DEC */
	const char *p; /* CK_TEXT, CK_BLOB, CK_DEC digits (no leading or trailing zeros) */
	size_t n;
	char buf[80];
};

void canon_value(const struct value *v, enum canon_class c, struct canon *out);
/* Total order matching SQLite's BINARY collation (NULL < numbers < text <
 * blob; numbers by value, text and blobs by bytes). */
int canon_cmp(const struct canon *a, const struct canon *b);
/* Appends the canonical bytes of v (the form above). */
void canon_encode(struct buf *out, const struct value *v, enum canon_class c);

/* XXH3-64 of the canonical bytes of row[cols[0]], row[cols[1]], ...
 * enc is scratch space, reused across rows. */
uint64_t rowhash(struct buf *enc, const struct value *row, const size_t *cols,
		 const enum canon_class *classes, size_t n);

/* LEB128 varints, shared by the record formats built on this one. */
void varint_put(struct buf *out, uint64_t v);
/* Writes v at d (10 bytes of room); returns the bytes written. */
static inline size_t varint_write(uint8_t *d, uint64_t v)
{
	size_t n = 0;
	while (v > 0x7f) {
		d[n++] = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	d[n++] = (uint8_t)v;
	return n;
}
/* Reads a varint from p[0..n); returns bytes used, 0 when truncated or too long. */
static inline size_t varint_get(const uint8_t *p, size_t n, uint64_t *v)
{
	uint64_t x = 0;
	for (size_t i = 0; i < n && i < 10; i++) {
		x |= (uint64_t)(p[i] & 0x7f) << (7 * i);
		if (!(p[i] & 0x80)) {
			*v = x;
			return i + 1;
		}
	}
	return 0;
}

#endif
