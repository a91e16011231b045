/* The handles one command of the batch job holds open (docs/design.md §4),
 * and what a run did. Below the engine, so that the capture modes and the
 * publish step work on them without including the pipeline that drives
 * them (docs/architecture.md). */
#ifndef CDCPACK_CONTEXT_H
#define CDCPACK_CONTEXT_H

#include "config.h"
#include "source.h"
#include "state.h"
#include "target.h"

#include <stdbool.h>
#include <stdint.h>

struct package;
struct pubstore;

/* Owned by the pipeline: everything a run touches. */
struct pipeline {
	const struct config *cfg;
	const struct source_ops *sops;
	struct source *src;
	const struct capture_ops *cops; /* the capture mode (capture.h) */
	const struct target_ops *tops;
	struct target *tgt;
	struct state *st;
	int lock_fd;
	struct strv tables;	  /* captured tables, resolved from [capture] */
	struct chain_owner owner; /* trigger mode: the changelog's owner, as checked at open */
	bool claimed;		  /* the target's claim of the source name is this chain's */
	struct pubstore *pub;	  /* the published state (pubstore.h); NULL: not kept */
	/* The package this run just staged, while its batch is published:
	 * the lake step takes its copies of the change files (package.h)
	 * rather than unpack the archive. NULL otherwise (recovery). */
	const struct package *staged;
	/* The upload of the package being captured, begun while it is
	 * compressed (target.h, stream_begin); NULL when none. */
	struct target_stream *stream;
	/* Idle runs (engine/idle.h): the stamp taken before the source was
	 * opened this cycle (owned; NULL: none), and whether this cycle found
	 * it the last clean run's and leaves the source closed. */
	char *idle_stamp;
	bool idle;
};

/* A reconcile's finding for one table (docs/design.md §4 step 3b). */
struct reconcile_table {
	char *table;   /* owned */
	char *skipped; /* why it was not compared (owned), or NULL */
	int64_t rows, inserted, updated, deleted, pending;
};

/* What one reconcile found: when, the batch that repaired it (NULL when
 * nothing differed), and per table. Always on the heap; freed, with what
 * it holds, by reconcile_result_destroy (recrecord.h). */
struct reconcile_result {
	char *at, *batch; /* owned */
	struct reconcile_table *tables;
	size_t ntables;
};

/* One batch a run (or load) published and acknowledged. */
struct run_batch {
	char *id, *key, *kind; /* owned; key is the final key */
	int64_t seq, rows, bytes;
};

/* What a run did; the command renders it as text or --json (src/cli/report.h).
 * Freed by run_result_free (pipeline.h). */
struct run_result {
	int recovered;
	int batches; /* how many published[] holds */
	int64_t rows;
	int64_t bytes;
	struct run_batch *published;	     /* in the order published; owned */
	struct reconcile_result *reconciled; /* a reconcile's findings, NULL when none ran; owned */
	bool ok;			     /* the run ended without error */
};

#endif
