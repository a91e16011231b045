/* Capture (docs/design.md §4 step 3) and its acknowledgement (step 7), by capture mode. */
#ifndef CDCPACK_CAPTURE_H
#define CDCPACK_CAPTURE_H

#include "package.h"
#include "context.h"

/* Rebuilds the triggers of tables whose columns changed; warns about
 * captured tables that have none. */
int capture_check_drift(struct pipeline *p);
/* *load is true when this run must ship a load rather than changes (the
 * first run in snapshot mode). */
int capture_first_load(struct pipeline *p, bool *load);
/* Fills pk with the changes visible now: trigger mode at most max_rows of
 * them, snapshot mode every table's changes since its stored snapshot. */
int capture_changes(struct pipeline *p, struct package *pk);
/* Fills pk with one consistent snapshot of tables, and with the changelog
 * seqs of those tables that snapshot already reflects (never another
 * table's, whose change the load does not carry; they are acknowledged with the load,
 * so the first cdc batch neither loses nor repeats them). In snapshot mode
 * the tables' stored snapshots start over from this load. */
int capture_load(struct pipeline *p, const struct strv *tables, struct package *pk);
/* Acknowledges b at the source: deletes exactly its changelog seqs
 * (trigger), or makes the snapshots it was made from current (snapshot). */
int capture_ack(struct pipeline *p, const struct batch *b);

#endif
