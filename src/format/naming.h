/* Names: batch ids, object keys, DMS file names, timestamps (docs/design.md §5). */
#ifndef CDCPACK_NAMING_H
#define CDCPACK_NAMING_H

#include "config.h"

#include <stdint.h>
#include <time.h>

#define MOMENT_ISO_LEN 64

/* A moment in UTC with milliseconds. */
struct moment {
	time_t sec;
	int ms;
};

struct moment moment_now(void);
/* "2026-11-24T10:11:12.345Z" */
void moment_iso(struct moment m, char out[MOMENT_ISO_LEN]);
/* Parses ISO 8601 UTC ("2026-11-24", "2026-11-24T10:11:12", optional .mmm and Z,
 * or a space instead of T). Returns -1 when s is not such a time. */
int moment_parse(const char *s, struct moment *out);
int moment_cmp(struct moment a, struct moment b);
/* "2026-11-24 10:11:12.345000": DMS's timestamp column (yyyy-MM-dd HH:mm:ss.SSSSSS). */
void moment_dms(struct moment m, char out[MOMENT_ISO_LEN]);

/* "shop-00000007" */
char *batch_id(const char *source, int64_t seq);
/* "shop/2026/11/24/shop-00000007-20261124T101112Z.tar.zst": the key below the
 * temp or final prefix. */
char *batch_key(const char *source, int64_t seq, struct moment created, enum compression c);
/* Reads seq and the time back from a key made by batch_key; -1 when key is not one. */
int batch_key_parse(const char *key, const char *source, int64_t *seq, struct moment *created);
/* "LOAD00000001.csv": load files count in upper-case hex, as DMS does. */
char *load_file_name(unsigned index, enum batch_format f);
/* "20261124-101112345.csv", with "-N" before the suffix for the Nth (N > 1)
 * file of one table in one batch. */
char *cdc_file_name(struct moment created, unsigned nth, enum batch_format f);
/* A table name as an archive folder: bytes that could make it a path other
 * than one plain segment ('/', '\', control bytes, '%', a leading '.') are
 * %XX-escaped. The manifest keeps the real name. */
char *table_dir_name(const char *table);

#endif
