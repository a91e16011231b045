/* Object keys of the lake layout (docs/design.md §5): AWS DMS's own S3
 * layout, one object per change file, beside the archives in the same
 * target. */
#ifndef CDCPACK_LAKEKEY_H
#define CDCPACK_LAKEKEY_H

#include "config.h"
#include "naming.h"

/* What shapes a lake key; the strings are borrowed. */
struct lake_layout {
	const char *prefix; /* "dms/" */
	const char *schema; /* MySQL database name, or the SQLite source's name */
	enum lake_compression compression;
	enum lake_partition partition;
	enum lake_delimiter delimiter;
	enum batch_format format;
};

/* The layout cfg's [lake] section describes (cfg->lake_prefix set). */
struct lake_layout lakekey_layout(const struct config *cfg);
/* "dms/shop/orders/LOAD0000000A.csv.gz": a table's index-th load file (from
 * 1, counting on across load batches, in upper-case hex as DMS does). */
char *lakekey_load(const struct lake_layout *l, const char *table, unsigned index);
/* "dms/shop/orders/2026/12/07/20261207-013700123.csv.gz": the change file
 * named name (cdc_file_name of the batch's time) in the date folders of
 * created (UTC), none when the layout has no date partition. */
char *lakekey_cdc(const struct lake_layout *l, const char *table, const char *name,
		  struct moment created);

#endif
