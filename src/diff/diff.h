/* The hashed diff engine behind snapshot capture, `diff` and `verify`
 * (docs/design.md §4, §6): side A is a stream of key records (a stored
 * snapshot, or another database scanned in a thread), side B a live scan
 * in key order, and one merge pass pairs them by key: a key only in B is
 * I, a key in both with another row hash is U, a key only in A is D.
 * Memory does not grow with the tables: one record of A and one row of B
 * at a time. */
#ifndef CDCPACK_DIFF_H
#define CDCPACK_DIFF_H

#include "keyrec.h"
#include "rowhash.h"
#include "strv.h"
#include "value.h"

#include <stdbool.h>
#include <stdint.h>

/* How one table's rows on two sides are paired and hashed: columns are
 * matched by name (case-insensitively, as both engines treat them), the
 * hash covers the columns both sides have, in A's order. Owns its arrays
 * and lists; names point into A's def. */
struct diff_plan {
	size_t nkeys;
	size_t *a_keys, *b_keys; /* key columns in key order: positions in each def */
	enum canon_class *key_classes;
	const char **key_names;
	size_t nhash;
	size_t *a_hash, *b_hash; /* hashed columns: positions in each def */
	enum canon_class *hash_classes;
	struct strv only_a, only_b; /* column names one side lacks */
	char *key_problem;	    /* why rows cannot be paired by key; NULL when they can */
};

/* Pairs def a (of a source of driver a_driver) with def b. */
void diff_plan_init(struct diff_plan *p, const struct table_def *a, const char *a_driver,
		    const struct table_def *b, const char *b_driver);
void diff_plan_free(struct diff_plan *p);

/* Side A's record of row: key into key (appended), row hash returned; enc is scratch. */
uint64_t diff_record_a(const struct diff_plan *p, const struct value *row, struct buf *key,
		       struct buf *enc);

/* One merge of A's records with B's rows. The caller sets the first block,
 * calls diff_merge_start, hands every row of B's scan (in key order) to
 * diff_merge_row (a row_fn), then calls diff_merge_finish. */
struct diff_merge {
	const struct diff_plan *plan;
	const char *table; /* for messages */
	const char *a_label, *b_label;
	struct rec_source a; /* A's records in key order */
	bool hashes_unknown; /* A's hashes are of another HASH_VERSION: paired keys are U */
	bool a_checked;	     /* A's producer checked its key order itself */
	/* Each difference: I and U carry B's row, U and D A's record. */
	int (*emit)(void *ctx, char op, const struct value *b_row, const struct keyrec *a);
	/* Optional: every row of B as a record (a snapshot being written). */
	int (*keep)(void *ctx, const uint8_t *key, size_t klen, uint64_t hash);
	void *ctx;

	int64_t rows_a, rows_b, inserted, updated, deleted, same;

	/* Internal: A's current record, and the previous key of each side. */
	struct keyrec cur;
	int have;
	struct buf key, prev_b, prev_a, enc;
};

int diff_merge_start(struct diff_merge *m);
int diff_merge_row(void *m, const struct value *row);
/* Every record of A not yet paired is a D. */
int diff_merge_finish(struct diff_merge *m);
void diff_merge_free(struct diff_merge *m);

/* 0 when key comes strictly after prev (keys in ascending order, one row
 * each), else a CDC_ERUNTIME naming the table, the side and both keys. */
int diff_check_order(const struct diff_plan *p, const char *table, const char *side,
		     const struct buf *prev, const uint8_t *key, size_t n);

/* B's layout of A's key record: key values at B's key positions, the rest
 * NULL (a snapshot's D image). row has b's ncols entries. */
void diff_key_row(const struct diff_plan *p, const struct keyrec *a, struct value *row,
		  size_t ncols);

#endif
