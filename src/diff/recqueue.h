/* Side A of a diff of two databases: a thread scans A's table and hands
 * its key records over through a few fixed-size chunks, so that both
 * databases are read and hashed at once while memory stays bounded. The
 * thread uses A's connection alone until rec_queue_finish returns; the
 * caller must not touch it meanwhile. */
#ifndef CDCPACK_RECQUEUE_H
#define CDCPACK_RECQUEUE_H

#include "diff.h"
#include "source.h"

struct rec_queue;

/* Starts scanning def's table of src (inside a read the caller began);
 * records are made per plan's side A, and their keys checked to rise
 * (label names the side in that error). */
int rec_queue_start(struct rec_queue **out, const struct source_ops *ops, struct source *src,
		    const struct table_def *def, const struct diff_plan *plan, const char *label);
struct rec_source rec_queue_source(struct rec_queue *q);
/* Stops the scan if it still runs and waits for the thread; returns its
 * error, if it failed before being stopped. Frees q; accepts NULL. */
int rec_queue_finish(struct rec_queue *q);

#endif
