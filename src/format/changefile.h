/* Change files: the one place that knows the CSV (DMS-shaped, docs/design.md §5)
 * and JSONL formats, for writing (capture) and reading (apply). */
#ifndef CDCPACK_CHANGEFILE_H
#define CDCPACK_CHANGEFILE_H

#include "buf.h"
#include "config.h"
#include "value.h"

#include <stdint.h>

/* RFC 4180: quoted only when it holds a comma, quote, CR or LF, or is empty
 * (an empty unquoted field means NULL). */
void csv_add_field(struct buf *out, const char *p, size_t n);

/* One CSV record ending in "\n". op 0 writes no Op column (load files). */
void changefile_csv_record(struct buf *out, const struct table_def *def, char op,
			   const struct value *row);
void changefile_csv_header(struct buf *out, const struct table_def *def, bool op_column);
/* One JSONL line {"op","seq","ts","table","key","before","after"}; seq < 0
 * and ts NULL write null. */
void changefile_jsonl_record(struct buf *out, const struct table_def *def, char op, int64_t seq,
			     const char *ts, const struct value *before, const struct value *after);

struct changefile_reader;

/* Reads path as written for def. The reader keeps a pointer to def. */
int changefile_open(struct changefile_reader **out, const char *path, const struct table_def *def,
		    enum batch_format format, bool op_column, bool header);
/* 1 with the next change (images borrowed until the next call), 0 at the
 * end, or a CDC_E* code naming the line. A CSV record fills the image its
 * op implies: after for I/U, before for D. */
int changefile_next(struct changefile_reader *r, char *op, const struct value **before,
		    const struct value **after);
void changefile_close(struct changefile_reader *r);

#endif
