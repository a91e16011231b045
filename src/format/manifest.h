/* manifest.json (format cdcpack/1, docs/design.md §5): built by package, read and
 * checked by show and apply. schemas/manifest.schema.json describes it. */
#ifndef CDCPACK_MANIFEST_H
#define CDCPACK_MANIFEST_H

#include "changefile.h"
#include "config.h"
#include "hash.h"
#include "value.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

/* One change file in the archive. Owns def, path and local. */
struct manifest_file {
	struct table_def *def;
	char *path; /* entry name in the archive */
	enum batch_format format;
	bool op_column;
	bool header;
	/* DMS's output options the file was written with: CSV spellings (in
	 * an archive written before them, base64 BLOBs), the timestamp
	 * column's name (NULL: none), which change ops it keeps. */
	struct csv_style csv;
	char *timestamp_column;
	enum cdc_ops cdc_ops;
	int64_t rows;
	int64_t ops[4];		     /* I, U, D, T (a table emptied; binlog TRUNCATE) */
	int64_t first_seq, last_seq; /* -1: null (outside trigger mode) */
	int64_t schema_version;	     /* 0: not recorded */
	int64_t bytes;
	char xxh128[HASH_HEX_LEN + 1];
	char *local; /* reader only: where the entry was extracted */
};

/* Owns every string and the files array; manifest_free releases them. */
struct manifest {
	char *batch_id;
	int64_t seq;
	char *kind;	/* "load" | "cdc" */
	char *mode;	/* "trigger" | "snapshot" */
	char *created;	/* ISO 8601 UTC with milliseconds */
	char *previous; /* NULL for the first batch of a chain */
	/* The id of the chain that wrote it (32 hex digits, src/claim.h); NULL
	 * in an archive written before cdcpack recorded it. */
	char *chain;
	char *source_name;
	char *driver;
	struct manifest_file *files;
	size_t nfiles;
	/* Reader only: the manifest's own checksum as read ("" in an archive
	 * written before cdcpack recorded one). */
	char xxh128[HASH_HEX_LEN + 1];
};

/* The manifest format this build writes and reads, "format": "cdcpack/1";
 * a higher number is refused (exit 2) as made by a newer build. Fields that
 * an earlier build may ignore are added without raising it. */
#define MANIFEST_FORMAT 1
/* "csv_spellings" of a CSV file: the spellings of docs/design.md §5 "CSV
 * spellings" (commit 0bb874c); absent: maybe the ones before them. */
#define CSV_SPELLINGS 2

struct manifest_file *manifest_add_file(struct manifest *m);
json_t *manifest_to_json(const struct manifest *m);
/* manifest.json as archived (owned by the caller), ending in its own checksum,
 * "manifest_xxh128": the XXH3-128 of these bytes with that value's 32 digits
 * read as 32 zeros. NULL (with err_set) when it cannot be encoded. */
char *manifest_text(const struct manifest *m);
/* Parses and checks text (named what in messages), its own checksum when it
 * has one; CDC_ERUNTIME when it is not a valid manifest. */
int manifest_parse(struct manifest *m, const char *text, size_t len, const char *what);
void manifest_free(struct manifest *m);
const char *manifest_op_name(int i);

#endif
