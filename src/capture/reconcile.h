/* Reconcile for changelog capture (docs/design.md §4 step 3b): what the
 * source holds against what the acknowledged chain gave consumers (the
 * published state, pubstore.h), shipped as a batch of kind reconcile. */
#ifndef CDCPACK_RECONCILE_H
#define CDCPACK_RECONCILE_H

#include "context.h"
#include "package.h"

/* Inside the read: passes mark each change pending at the read's
 * snapshot (those the normal batches will ship; more is safe, fewer is
 * not). */
typedef int (*reconcile_pending_fn)(struct pipeline *p, void *ctx, change_fn mark, void *mark_ctx);

/* In one consistent read: the keys with changes pending (pending(p, ctx,
 * ...)), then each table scanned, hashed and compared with the published
 * state; pk receives the I/U/D that bring consumers to the source's state,
 * except for keys with pending changes (the normal batches carry those).
 * Adds each table's finding to out. */
int reconcile_tables(struct pipeline *p, const struct strv *tables, struct package *pk,
		     struct reconcile_result *out, reconcile_pending_fn pending, void *ctx);

/* Trigger mode: the pending changes are the changelog's. */
int changelog_reconcile(struct pipeline *p, const struct strv *tables, struct package *pk,
			struct reconcile_result *out);

#endif
