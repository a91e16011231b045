/* Two databases compared table by table (docs/design.md §6 diff and verify):
 * each side is read in one consistent read, A's tables scanned in a thread
 * of their own while B's stream into the merge (diff.h). Tables on one
 * side only, other column sets and other keys are reported, not fatal. */
#ifndef CDCPACK_DBDIFF_H
#define CDCPACK_DBDIFF_H

#include "diff.h"
#include "source.h"
#include "strv.h"

/* One open database. Owns db. */
struct dbdiff_side {
	const char *url; /* borrowed */
	const struct source_ops *ops;
	struct source *db;
	/* Columns only this side has are reported but are no difference: a
	 * replica keeps the columns its source dropped (verify sets it on B). */
	bool extra_columns_ok;
};

enum dbdiff_status {
	DBDIFF_COMPARED,    /* rows paired by key (columns may still differ) */
	DBDIFF_ONLY_A,	    /* B has no such table: all of A's rows count as deleted */
	DBDIFF_ONLY_B,	    /* A has no such table: all of B's rows count as inserted */
	DBDIFF_KEYS_DIFFER, /* rows cannot be paired */
};

/* One table as the sink sees it; everything borrowed. */
struct dbdiff_table {
	const char *name;	       /* A's spelling when A has it */
	const struct table_def *a, *b; /* NULL on the side that lacks it */
	const struct diff_plan *plan;  /* NULL unless both sides have the table */
	enum dbdiff_status status;
	int64_t rows_a, rows_b, inserted, updated, deleted;
};

/* Optional callbacks for row-level output. */
struct dbdiff_sink {
	int (*table)(void *ctx, const struct dbdiff_table *t); /* before its rows */
	/* I and U carry B's row; U and D A's key record. */
	int (*row)(void *ctx, const struct dbdiff_table *t, char op, const struct value *b_row,
		   const struct keyrec *a);
	int (*table_done)(void *ctx, const struct dbdiff_table *t); /* counts final */
	void *ctx;
	/* Every 64Ki rows of B: how far the table's merge has come (a progress bar). */
	void (*progress)(void *ctx, const struct dbdiff_table *t, int64_t rows_b);
	void *progress_ctx;
};

/* One compared table's outcome, for the command's report. */
struct dbdiff_table_result {
	char *name; /* owned */
	enum dbdiff_status status;
	int64_t rows_a, rows_b, inserted, updated, deleted;
	struct strv only_a, only_b; /* columns only one side has (when both have the table) */
	char *problem;		    /* why the rows could not be paired, or NULL; owned */
};

/* What a diff found; the commands render it (src/cli/report.h). Freed by
 * dbdiff_result_free. */
struct dbdiff_result {
	int64_t differences; /* differing rows, plus one per table whose presence, columns or key
				differ */
	struct dbdiff_table_result *tables; /* in the order compared; owned */
	size_t ntables;
};

/* "compared", "only_in_a", "only_in_b", "keys_differ": the report's spelling. */
const char *dbdiff_status_name(enum dbdiff_status s);

int dbdiff_open(struct dbdiff_side *s, const char *url, const struct source_options *opt);
void dbdiff_close(struct dbdiff_side *s);
/* The tables to compare: those wanted (each must exist on a side; CDC_EUSAGE
 * otherwise), or when none every user table of either side, A's first. */
int dbdiff_tables(struct dbdiff_side *a, struct dbdiff_side *b, const struct strv *wanted,
		  struct strv *out);
/* Compares tables, each side in one consistent read: 0 when equal,
 * CDC_EDIFF when not, or an error. A table neither side has is an error. */
int dbdiff_run(struct dbdiff_side *a, struct dbdiff_side *b, const struct strv *tables,
	       const struct dbdiff_sink *sink, struct dbdiff_result *res);
void dbdiff_result_free(struct dbdiff_result *res);

#endif
