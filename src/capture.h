/* Capture (DESIGN.md §4 step 3) and its acknowledgement (step 7), by capture mode. */
#ifndef CDCPACK_CAPTURE_H
#define CDCPACK_CAPTURE_H

#include "package.h"
#include "pipeline.h"

/* Rebuilds the triggers of tables whose columns changed; warns about
 * captured tables that have none. */
int capture_check_drift(struct pipeline *p);
/* Fills pk with the changes visible now, at most max_rows of them. */
int capture_changes(struct pipeline *p, struct package *pk);
/* Fills pk with one consistent snapshot of tables, and with the changelog
 * seqs that snapshot already reflects (they are acknowledged with the load,
 * so the first cdc batch neither loses nor repeats them). */
int capture_load(struct pipeline *p, const struct strv *tables, struct package *pk);
/* Acknowledges b at the source: deletes exactly its changelog seqs. */
int capture_ack(struct pipeline *p, const struct batch *b);

#endif
