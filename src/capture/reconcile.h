/* Reconcile for changelog capture (docs/design.md §4 step 3b): what the
 * source holds against what the acknowledged chain gave consumers (the
 * published state, pubstore.h), shipped as a batch of kind reconcile. */
#ifndef CDCPACK_RECONCILE_H
#define CDCPACK_RECONCILE_H

#include "context.h"
#include "package.h"

/* In one consistent read: the keys with changes in the changelog, then
 * each table scanned, hashed and compared with the published state; pk
 * receives the I/U/D that bring consumers to the source's state, except
 * for keys with pending changes (the normal batches carry those). Adds
 * each table's finding to out. */
int changelog_reconcile(struct pipeline *p, const struct strv *tables, struct package *pk,
			struct reconcile_result *out);

#endif
