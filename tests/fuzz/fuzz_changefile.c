/* The CSV and JSONL change-file reader (src/format/changefile.c) over a fixed
 * table. The first input byte picks the reader's options (bit 0: JSONL,
 * bit 1: Op column, bit 2: header row, bit 3: the types are a SQLite
 * source's, whose NUMERIC and BLOB columns read otherwise than MySQL's,
 * bit 4: base64 BLOBs, bit 5: DMS's options set: ';', NULL spelt "NULL",
 * a timestamp column), the rest is the file. Every value
 * handed out is read in full, so a pointer past its buffer is caught, and
 * written back as a JSONL record (any bytes in any value: the writer must
 * take them, as it takes whatever a source holds). */
#include "fuzz.h"

#include "changefile.h"
#include "err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static volatile unsigned sink;
static struct table_def *def;
static char *path;

/* One column of each way a declared type is read (value_type_for_decl),
 * and a typeless one (quoted text vs bare number). */
static void setup(void)
{
	def = calloc(1, sizeof(*def));
	def->name = xstrdup("T");
	table_def_add_column(def, "id", "INTEGER", true);
	table_def_add_column(def, "name", "TEXT", false);
	table_def_add_column(def, "price", "REAL", false);
	table_def_add_column(def, "data", "BLOB", false);
	table_def_add_column(def, "any", "", false);
	table_def_add_column(def, "amount", "DECIMAL(10,2)", false);
	path = xasprintf("%s/change", fuzz_scratch_dir());
}

static void touch_row(const struct value *row)
{
	if (!row)
		return;
	for (size_t i = 0; i < def->ncols; i++) {
		const struct value *v = &row[i];
		if (v->type == VAL_TEXT || v->type == VAL_BLOB)
			sink += fuzz_touch(v->p, v->n);
		else if (v->type > VAL_BLOB)
			__builtin_trap();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!def)
		setup();
	if (size < 1)
		return 0;
	unsigned opts = data[0];
	def->type_affinity = opts & 8;
	fuzz_write_file(path, data + 1, size - 1);
	struct changefile_reader *r;
	struct csv_style style = csv_style_default;
	if (opts & 16)
		style.binary = BINARY_BASE64;
	if (opts & 32) {
		style.delimiter = ';';
		memcpy(style.null_value, "NULL", 5);
		style.timestamp = true;
	}
	int rc = changefile_open(&r, path, def, opts & 1 ? FORMAT_JSONL : FORMAT_CSV, opts & 2,
				 opts & 4, &style);
	for (int n = 0; rc == 0; n++) {
		char op = 0;
		const struct value *before = NULL, *after = NULL;
		int got = changefile_next(r, &op, &before, &after);
		if (got <= 0) {
			rc = got;
			break;
		}
		/* A change is I, U or D and carries the image its op needs, or
		 * a T (the table emptied) that carries none. */
		bool images_fit = op == 'T'   ? !before && !after
				  : op == 'D' ? before != NULL
					      : after != NULL;
		if ((op != 'I' && op != 'U' && op != 'D' && op != 'T') || !images_fit)
			__builtin_trap();
		touch_row(before);
		touch_row(after);
		struct buf out = BUF_INIT;
		changefile_jsonl_record(&out, def, op, n, NULL, before, after);
		if (out.len < 2 || out.data[out.len - 1] != '\n')
			__builtin_trap();
		buf_free(&out);
		if (n > 100000)
			__builtin_trap(); /* more records than bytes: the reader loops */
	}
	if (rc)
		sink += (unsigned)err_msg()[0];
	changefile_close(r);
	err_clear();
	return 0;
}
