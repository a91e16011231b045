/* How the MySQL driver spells each column type in a row image and turns it
 * back into a struct value. The triggers write a row as JSON_ARRAY() of one
 * string (or null) per column, each made by an explicit expression, because
 * JSON_ARRAY() of raw values loses data: binary strings become
 * "base64:type15:..." (docs/design.md §8), FLOAT prints 6 digits, BIGINT UNSIGNED
 * overflows JSON readers, and TIMESTAMP prints in the writer's time zone.
 * The same column read by a plain SELECT (scan) must give the same value,
 * so both paths live here. */
#ifndef CDCPACK_MYSQL_IMAGE_H
#define CDCPACK_MYSQL_IMAGE_H

#include "buf.h"
#include "coltype.h"
#include "value.h"

#include <stddef.h>

/* `name` with backticks doubled. */
void mysql_add_ident(struct buf *b, const char *name);
/* The SQL expression a trigger puts into the image for column name of row
 * (NEW or OLD). */
void mysql_image_expr(struct buf *b, const char *row, const char *name, const char *column_type);
/* The SQL expression a scan selects for the column (FLOAT widened to DOUBLE). */
void mysql_scan_expr(struct buf *b, const char *name, const char *column_type);

/* One field as a trigger image holds it (s is NULL for null); decoded bytes
 * go into scratch, which must outlive v. Returns 0 or CDC_ERUNTIME. */
int mysql_decode_image(struct value *v, struct buf *scratch, enum coltype_kind kind,
		       const char *column_type, const char *s, size_t n);
/* One field as the text protocol returns it (s is NULL for null); v points
 * into s. */
void mysql_decode_text(struct value *v, enum coltype_kind kind, const char *s, size_t n);

/* The MySQL column type a replica gives a column declared `type` at the
 * source: a MySQL type (lowercase, as information_schema spells it) is kept,
 * widened only where the source spelling would lose data or cannot be a
 * key; anything else is a SQLite declaration, mapped by its affinity. */
void mysql_column_decl(struct buf *b, const char *type, bool key);

/* "1711848600.123" (UNIX_TIMESTAMP) -> "2024-03-31 01:30:00.123" with
 * precision fraction digits; 0 is MySQL's zero timestamp. */
int mysql_unix_to_utc(struct buf *out, const char *s, size_t n, unsigned precision);
/* Decimal text of a BIT value -> nbytes big-endian bytes. */
int mysql_bit_to_bytes(struct buf *out, const char *s, size_t n, unsigned nbytes);
/* Hex text -> bytes. */
int mysql_unhex(struct buf *out, const char *s, size_t n);

#endif
