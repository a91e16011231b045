/* Row images of the binary log's WRITE/UPDATE/DELETE_ROWS events, decoded
 * from the TABLE_MAP event's column types and metadata (the MySQL
 * replication protocol's "binary row format"). Connector/C 3.3's own
 * decoder, mariadb_rpl_extract_rows, fails on SMALLINT, MEDIUMINT, YEAR,
 * CHAR and ENUM columns and misreads fractional negative TIMEs, so cdcpack
 * decodes the bytes itself. Each value is spelled as the trigger images
 * spell it (mysql_image.h), so a change reads the same in either mode. */
#ifndef CDCPACK_MYSQL_ROWS_H
#define CDCPACK_MYSQL_ROWS_H

#include "buf.h"
#include "coltype.h"
#include "value.h"

#include <stddef.h>
#include <stdint.h>

/* One column as a TABLE_MAP event describes it. */
struct rows_col {
	uint8_t type;  /* enum_field_types; STRING's real type (ENUM, SET) resolved */
	uint32_t meta; /* the type's metadata: length, precision/scale, fsp... */
};

/* A table's map: owned cols. */
struct rows_map {
	struct rows_col *cols;
	size_t ncols;
};

/* Parses a TABLE_MAP's column types and metadata block into m (freed with
 * rows_map_free). CDC_ERUNTIME when the metadata is short. */
int rows_map_parse(struct rows_map *m, const uint8_t *types, size_t ntypes, const uint8_t *meta,
		   size_t metalen);
void rows_map_free(struct rows_map *m);

/* How one row image decodes: the map, and for each column the kind and
 * declared type (information_schema's COLUMN_TYPE) of the table's
 * definition, which supply what the log does not say (signedness, the
 * declared fraction digits). */
struct rows_layout {
	const struct rows_map *map;
	const enum coltype_kind *kinds;
	const struct table_def *def;
};

/* Decodes the row image at *p (up to end) whose columns are those set in
 * present (a bitmap of map->ncols bits) into out[0..ncols), advancing *p.
 * Columns not present are NULL. Text and blobs point into the image; other
 * values into scratch[i], which must outlive out. */
int rows_decode(const struct rows_layout *l, const uint8_t *present, const uint8_t **p,
		const uint8_t *end, struct value *out, struct buf *scratch);

#endif
