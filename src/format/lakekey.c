#include "lakekey.h"

#include "buf.h"

#include <stdlib.h>
#include <string.h>

struct lake_layout lakekey_layout(const struct config *cfg)
{
	return (struct lake_layout){.prefix = cfg->lake_prefix,
				    .schema = cfg->lake_schema,
				    .compression = cfg->lake_compression,
				    .partition = cfg->lake_partition,
				    .delimiter = cfg->lake_delimiter,
				    .format = cfg->format};
}

/* "<prefix><schema>/<table>/": both names escaped as archive folders are, so
 * neither can make more or fewer key segments than one. */
static void table_folder(struct buf *b, const struct lake_layout *l, const char *table)
{
	char *schema = table_dir_name(l->schema);
	char *dir = table_dir_name(table);
	buf_addf(b, "%s%s/%s/", l->prefix, schema, dir);
	free(schema);
	free(dir);
}

static char *finish(struct buf *b, const struct lake_layout *l)
{
	if (l->compression == LAKE_GZIP)
		buf_adds(b, ".gz");
	return buf_detach(b);
}

char *lakekey_load(const struct lake_layout *l, const char *table, unsigned index)
{
	struct buf b = BUF_INIT;
	table_folder(&b, l, table);
	char *name = load_file_name(index, l->format);
	buf_adds(&b, name);
	free(name);
	return finish(&b, l);
}

/* DMS's DatePartitionSequence, joined by its DatePartitionDelimiter, then a
 * '/' (DMS ends the date part with a folder even when the delimiter is
 * none: 20261207/). */
static void date_folders(struct buf *b, const struct lake_layout *l, struct moment created)
{
	static const char *const orders[] = {"", "YMD", "YMDH", "YM", "MYD", "DMY"};
	static const char delims[] = {'/', '-', '_', '\0'};
	if (l->partition == LAKE_PART_NONE)
		return;
	struct tm tm;
	gmtime_r(&created.sec, &tm);
	const char *order = orders[l->partition];
	for (const char *p = order; *p; p++) {
		if (p != order && delims[l->delimiter])
			buf_addc(b, delims[l->delimiter]);
		if (*p == 'Y')
			buf_addf(b, "%04d", tm.tm_year + 1900);
		else if (*p == 'M')
			buf_addf(b, "%02d", tm.tm_mon + 1);
		else if (*p == 'D')
			buf_addf(b, "%02d", tm.tm_mday);
		else
			buf_addf(b, "%02d", tm.tm_hour);
	}
	buf_addc(b, '/');
}

char *lakekey_cdc(const struct lake_layout *l, const char *table, const char *name,
		  struct moment created)
{
	struct buf b = BUF_INIT;
	table_folder(&b, l, table);
	date_folders(&b, l, created);
	buf_adds(&b, name);
	return finish(&b, l);
}
