/* What `cdcpack diff` writes for each differing row (docs/design.md §6): one
 * line per key (rows), the change-file CSV or JSONL of docs/design.md §5, or SQL
 * statements that turn A into B, in A's dialect. Everything here turns A
 * into B: I and U carry B's row, D A's key. */
#ifndef CDCPACK_DIFF_OUTPUT_H
#define CDCPACK_DIFF_OUTPUT_H

#include "dbdiff.h"

#include <stdio.h>

enum diff_format { DIFF_SUMMARY, DIFF_ROWS, DIFF_CSV, DIFF_JSONL, DIFF_SQL };

/* 0, or -1 when name is no format. */
int diff_format_parse(const char *name, enum diff_format *out);

struct diff_output;

/* Rows go to stream, or with dir set (csv) to dir/<table>.csv, one file per
 * table. dialect is side A's SQL; stream_name names stream in
 * messages (it must outlive o). */
int diff_output_open(struct diff_output **out, enum diff_format format, FILE *stream,
		     const char *stream_name, const char *dir, const struct sql_dialect *dialect);
struct dbdiff_sink diff_output_sink(struct diff_output *o);
/* Writes what is left (COMMIT for sql) and reports a failed write. */
int diff_output_close(struct diff_output *o);
/* Creates path's temp sibling (path.XXXXXX, mode as fopen gives), renamed
 * over path once complete, so that a failed or stopped diff leaves no half
 * written file; NULL with the error set when it cannot. */
FILE *diff_output_create(const char *path, char **tmp);
/* Closes f (and frees tmp): renamed to path when ok, else removed. */
int diff_output_commit(FILE *f, char *tmp, const char *path, bool ok);
/* Frees o without writing; accepts NULL. */
void diff_output_free(struct diff_output *o);

#endif
