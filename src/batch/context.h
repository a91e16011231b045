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

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

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
};

/* What a run did, for the command's report. */
struct run_result {
	int recovered;
	int batches;
	int64_t rows;
	int64_t bytes;
	json_t *published;  /* array of {"id","key","kind","rows","bytes"}; owned */
	json_t *reconciled; /* a reconcile's per-table report, NULL when none ran; owned */
	bool ok;	    /* the run ended without error */
};

#endif
