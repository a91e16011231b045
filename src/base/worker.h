/* A second thread for the bytes a run writes (issue 16, "both cores"):
 * while the main thread reads the source and formats rows, the worker
 * writes, hashes and compresses the buffers it is handed, in the order they
 * were handed over. The queue holds at most depth buffers, so memory stays
 * bounded: a producer that runs ahead waits. */
#ifndef CDCPACK_WORKER_H
#define CDCPACK_WORKER_H

#include "buf.h"

#include <stddef.h>

struct worker;

/* A job: consumes data (the worker owns it meanwhile); 0 or a CDC_E*
 * code with the message set (err.h), on the worker's thread. */
typedef int (*worker_fn)(void *ctx, const struct buf *data);

/* Starts the thread; depth >= 1 jobs may wait. */
int worker_start(struct worker **out, size_t depth);
/* Queues fn(ctx, data) behind the jobs before it: data's bytes move to the
 * job and *data is left empty (it takes a spent buffer's memory, to be
 * reused). Waits while depth jobs are queued. After a job has failed, no
 * further job runs, and this (like worker_drain) returns its code, with
 * its message, in the calling thread. */
int worker_submit(struct worker *w, worker_fn fn, void *ctx, struct buf *data);
/* Waits until every job queued has run; the first failure's code. */
int worker_drain(struct worker *w);
/* Drains, ends the thread and frees w (NULL: nothing). */
void worker_stop(struct worker *w);

#endif
