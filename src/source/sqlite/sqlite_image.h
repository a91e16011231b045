/* Text row images in the SQLite changelog: triggers of tables wider than
 * SQLITE_IMAGE_MAX_COLS (and every trigger of cdcpack before 2026-11-29)
 * store each row as the comma-joined quote() literals of its columns (NULL,
 * 42, 1.5, 'it''s', X'00FF'); narrower tables' images go into untyped
 * columns, value by value (sqlite_triggers.c). quote() keeps the storage
 * class of every value and, since SQLite 3.29, prints REALs so that they
 * read back bit-exact; JSON would not (json_object() rejects BLOBs and
 * rounds REALs to 15 digits). */
#ifndef CDCPACK_SQLITE_IMAGE_H
#define CDCPACK_SQLITE_IMAGE_H

#include "buf.h"
#include "value.h"

/* Parses exactly n literals from text into out. TEXT and BLOB bytes are
 * decoded into scratch (reset first), which must outlive out. */
int sqlite_image_parse(const char *text, size_t len, size_t n, struct value *out,
		       struct buf *scratch);

#endif
