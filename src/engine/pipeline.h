/* The batch job of docs/design.md §4: lock, recover, capture, package, stage,
 * upload to temp, publish to final, acknowledge, prune. Knows nothing of
 * argv or printing; results come back in struct run_result. */
#ifndef CDCPACK_PIPELINE_H
#define CDCPACK_PIPELINE_H

#include "context.h"

#include <stdbool.h>

/* Takes the lock, opens state, source and target. */
int pipeline_open(struct pipeline *p, const struct config *cfg);
/* The same for `run`: the source is left closed while it is unchanged
 * since the last clean run (docs/design.md §4, "Idle runs"); pipeline_run
 * opens it when a cycle finds it changed. */
int pipeline_open_run(struct pipeline *p, const struct config *cfg);
/* The same over a target already open (taken whatever happens, closed by
 * pipeline_close) instead of cfg->target_url's driver: how the unit tests
 * run the pipeline over an in-memory store (tests/unit/mem_target.h). */
int pipeline_open_on(struct pipeline *p, const struct config *cfg, const struct target_ops *tops,
		     struct target *tgt);
void pipeline_close(struct pipeline *p);
/* Captured tables: [capture] tables (each must exist) or every user table,
 * less the exclude globs. */
int pipeline_resolve_tables(const struct config *cfg, const struct source_ops *sops,
			    struct source *src, struct strv *out);

/* One cycle: recover, then cdc batches until idle or max_batches (0 = no limit). */
int pipeline_run(struct pipeline *p, int max_batches, struct run_result *res);
/* Recover, then a load batch of tables (all captured tables when empty). */
int pipeline_load(struct pipeline *p, const struct strv *tables, struct run_result *res);
/* Recover, then a reconcile of tables (all captured tables when empty):
 * docs/design.md §4 step 3b. */
int pipeline_reconcile(struct pipeline *p, const struct strv *tables, struct run_result *res);
/* The last reconcile the state records, or NULL; *out owned (free it with
 * reconcile_result_destroy). */
int pipeline_last_reconcile(struct state *st, struct reconcile_result **out);

void run_result_free(struct run_result *res);

#endif
