/* A scan on a thread of its own, its output handed over through a few
 * fixed-size chunks, so that reading the source overlaps with the work
 * done on what it reads while memory stays bounded: side A of a diff of
 * two databases (its key records), and snapshot capture's scan (whole
 * rows). The thread uses the source's connection alone until
 * rec_queue_finish (rec_queue_scan_rows: until it) returns; the caller
 * must not touch it meanwhile. */
#ifndef CDCPACK_RECQUEUE_H
#define CDCPACK_RECQUEUE_H

#include "diff.h"
#include "source.h"

struct rec_queue;

/* Starts scanning def's table of src (inside a read the caller began) in
 * the order of plan's key classes; records are made per plan's side A, and
 * their keys checked to rise (label names the side in that error). */
int rec_queue_start(struct rec_queue **out, const struct source_ops *ops, struct source *src,
		    const struct table_def *def, const struct diff_plan *plan, const char *label);
struct rec_source rec_queue_source(struct rec_queue *q);
/* Stops the scan if it still runs and waits for the thread; returns its
 * error, if it failed before being stopped. Frees q; accepts NULL. */
int rec_queue_finish(struct rec_queue *q);
/* rec_queue_finish after the consumer's rc: a failed consumer's rc, with
 * its message kept, else the scan's. */
int rec_queue_end(struct rec_queue *q, int rc);

/* ops->read->scan(src, def, key_order, fn, ctx) with the reading on a thread of its
 * own (the source's connection is that thread's until this returns) and
 * fn called on this one, with copies of the rows, valid for the call: the
 * source's work (SQLite's VM, the values' conversion) overlaps with fn's
 * (snapshot capture: hashing, the merge, the snapshot files, packaging),
 * in the same bounded chunks. */
int rec_queue_scan_rows(const struct source_ops *ops, struct source *src,
			const struct table_def *def, const enum canon_class *key_order, row_fn fn,
			void *ctx);

#endif
