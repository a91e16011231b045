/* The batch job of docs/design.md §4: lock, recover, capture, package, stage,
 * upload to temp, publish to final, acknowledge, prune. Knows nothing of
 * argv or printing; results come back in struct run_result. */
#ifndef CDCPACK_PIPELINE_H
#define CDCPACK_PIPELINE_H

#include "config.h"
#include "source.h"
#include "state.h"
#include "target.h"

#include <jansson.h>
#include <stdbool.h>
#include <signal.h>

/* Owned by the pipeline: everything a run touches. */
struct pipeline {
	const struct config *cfg;
	const struct source_ops *sops;
	struct source *src;
	const struct target_ops *tops;
	struct target *tgt;
	struct state *st;
	int lock_fd;
	struct strv tables;	  /* captured tables, resolved from [capture] */
	struct chain_owner owner; /* trigger mode: the changelog's owner, as checked at open */
	bool claimed;		  /* the target's claim of the source name is this chain's */
};

/* What a run did, for the command's report. */
struct run_result {
	int recovered;
	int batches;
	int64_t rows;
	int64_t bytes;
	json_t *published; /* array of {"id","key","kind","rows","bytes"}; owned */
	bool ok;	   /* the run ended without error */
};

/* Set from SIGINT/SIGTERM handlers to the signal's number: run stops
 * between steps, every other command at its next check and unwinds through
 * its cleanup (README "Exit codes": 128 + the signal). */
extern volatile sig_atomic_t pipeline_stop;
/* Catches SIGINT and SIGTERM into pipeline_stop; restart: interrupted
 * system calls resume (everything but run, whose nap must wake). */
void pipeline_catch_stop(bool restart);
/* 0, or when a stop was asked for, CDC_EINTR with "stopped by SIGTERM". */
int pipeline_check_stop(void);

/* Takes the lock, opens state, source and target. */
int pipeline_open(struct pipeline *p, const struct config *cfg);
void pipeline_close(struct pipeline *p);
/* Captured tables: [capture] tables (each must exist) or every user table,
 * less the exclude globs. */
int pipeline_resolve_tables(const struct config *cfg, const struct source_ops *sops,
			    struct source *src, struct strv *out);

/* One cycle: recover, then cdc batches until idle or max_batches (0 = no limit). */
int pipeline_run(struct pipeline *p, int max_batches, struct run_result *res);
/* Recover, then a load batch of tables (all captured tables when empty). */
int pipeline_load(struct pipeline *p, const struct strv *tables, struct run_result *res);
void run_result_free(struct run_result *res);

#endif
