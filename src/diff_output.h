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
 * table. a_driver picks the SQL dialect. */
int diff_output_open(struct diff_output **out, enum diff_format format, FILE *stream,
		     const char *dir, const char *a_driver);
struct dbdiff_sink diff_output_sink(struct diff_output *o);
/* Writes what is left (COMMIT for sql) and reports a failed write. */
int diff_output_close(struct diff_output *o);
/* Frees o without writing; accepts NULL. */
void diff_output_free(struct diff_output *o);

#endif
