/* Binlog mode and foreign-key cascades (issue 14 item 5): InnoDB changes
 * the rows a CASCADE / SET NULL / SET DEFAULT key acts on below the binary
 * log. With [capture] reconcile on, a read that passes a delete or key
 * update of such a key's parent makes the children (and theirs) due for a
 * reconcile, which the run does once its batches are acknowledged; the
 * due tables are kept in the state until then, so a killed run's next run
 * does it. */
#ifndef CDCPACK_BINLOG_CASCADE_H
#define CDCPACK_BINLOG_CASCADE_H

#include "context.h"
#include "package.h"
#include "source.h"

/* What a read passes changes through: the package, and the captured
 * tables' cascading keys (none when reconcile is off). */
struct cascade_reading {
	struct package *pk;
	struct log_cascade *keys;
	size_t nkeys;
	struct strv due; /* children whose parent's delete or key update passed */
};

int cascade_reading_open(struct pipeline *p, struct package *pk, struct cascade_reading *r);
/* A change_fn: adds c to r->pk, noting the children it makes due. */
int cascade_add_change(void *ctx, const struct change *c);
/* Adds what the read made due (and the children of those) to the state. */
int cascade_reading_note(struct pipeline *p, struct cascade_reading *r);
void cascade_reading_close(struct cascade_reading *r);

/* capture_ops.reconcile_due and reconcile_done for binlog mode. */
int binlog_cascade_due(struct pipeline *p, struct strv *out);
int binlog_cascade_done(struct pipeline *p, const struct strv *covered);

#endif
