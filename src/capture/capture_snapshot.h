/* Snapshot capture (docs/design.md §4 step 3, mode = snapshot): in one
 * consistent read, each captured table is scanned in key order and merged
 * with its stored snapshot (snapstore.h) by the diff engine (diff.h): a new
 * key is I, another row hash U (the new image), a missing key D (the key,
 * the rest NULL). The new snapshot is written beside the old one as the
 * scan goes and becomes current only when its batch is acknowledged
 * (step 7), so a run killed at any point re-derives the same changes. */
#ifndef CDCPACK_CAPTURE_SNAPSHOT_H
#define CDCPACK_CAPTURE_SNAPSHOT_H

#include "package.h"
#include "context.h"

#include <stdbool.h>

/* *first is true when no captured table has a stored snapshot yet: the
 * first snapshot run ships a load. */
int snapshot_first_run(struct pipeline *p, bool *first);
/* Fills pk (a cdc batch) with every table's changes since its snapshot. */
int snapshot_capture(struct pipeline *p, struct package *pk);
/* Fills pk (a load batch) with tables in full; their snapshots start over. */
int snapshot_load(struct pipeline *p, const struct strv *tables, struct package *pk);
/* Makes the snapshots batch b was made with current. */
int snapshot_ack(struct pipeline *p, const struct batch *b);

#endif
