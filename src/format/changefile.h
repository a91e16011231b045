/* Change files: the one place that knows the CSV (DMS-shaped, docs/design.md §5)
 * and JSONL formats, for writing (capture) and reading (apply). */
#ifndef CDCPACK_CHANGEFILE_H
#define CDCPACK_CHANGEFILE_H

#include "buf.h"
#include "config.h"
#include "value.h"

#include <stdint.h>

/* How a CSV change file is spelt beyond RFC 4180 ([batch] csv_delimiter,
 * csv_null_value, binary_encoding, timestamp_column; docs/design.md §5). */
struct csv_style {
	char delimiter;
	char null_value[CSV_NULL_MAX + 1]; /* "": NULL is an empty unquoted field */
	enum binary_encoding binary;
	bool timestamp; /* a last column holds each row's time */
	/* Read from an archive that names no chain: written before 2026-12-07,
	 * maybe by a build before today's spellings (commit 0bb874c), which
	 * left no mark of them: fields those builds spelt otherwise are read by
	 * today's rules, with a warning. */
	bool before_chains;
};

/* The default: ',', "", hex, no timestamp column. */
extern const struct csv_style csv_style_default;
/* What archives written before these options hold: base64 BLOBs. */
extern const struct csv_style csv_style_before;
void csv_style_of(struct csv_style *s, const struct config *cfg);

/* RFC 4180: quoted only when it holds a comma, quote, CR or LF, or is empty
 * (an empty unquoted field means NULL). */
void csv_add_field(struct buf *out, const char *p, size_t n);

/* One CSV record ending in "\n", spelt as style says (NULL: the default).
 * op 0 writes no Op column (load files); ts is the timestamp column's
 * value, written only when style has one. */
void changefile_csv_record(struct buf *out, const struct csv_style *style,
			   const struct table_def *def, char op, const struct value *row,
			   const char *ts);
/* ts_name: the timestamp column's name, NULL when none. */
void changefile_csv_header(struct buf *out, const struct csv_style *style,
			   const struct table_def *def, bool op_column, const char *ts_name);
/* One JSONL line {"op","seq","ts","table","key","before","after"}; seq < 0
 * and ts NULL write null. */
void changefile_jsonl_record(struct buf *out, const struct table_def *def, char op, int64_t seq,
			     const char *ts, const struct value *before, const struct value *after);

struct changefile_reader;

/* Reads path as written for def (CSV: spelt as style says, NULL: the
 * default). The reader keeps a pointer to def and a copy of style. */
int changefile_open(struct changefile_reader **out, const char *path, const struct table_def *def,
		    enum batch_format format, bool op_column, bool header,
		    const struct csv_style *style);
/* 1 with the next change (images borrowed until the next call), 0 at the
 * end, or a CDC_E* code naming the line. A CSV record fills the image its
 * op implies: after for I/U, before for D. */
int changefile_next(struct changefile_reader *r, char *op, const struct value **before,
		    const struct value **after);
void changefile_close(struct changefile_reader *r);
/* NULL, or what the file read so far holds that an earlier build may have
 * spelt otherwise (csv_style.before_chains): a warning for the user. */
const char *changefile_old_spelling(const struct changefile_reader *r);

#endif
