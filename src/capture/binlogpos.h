/* Binlog capture's positions in the state dir (binlog.db): the position
 * each staged batch ends at, and the current one, that of the last
 * acknowledged batch. A batch's position becomes current only when it is
 * acknowledged, so a run killed at any point reads again from the last
 * acknowledged position and ships nothing twice. */
#ifndef CDCPACK_BINLOGPOS_H
#define CDCPACK_BINLOGPOS_H

#include "source.h"

#include <stdbool.h>
#include <stdint.h>

struct binlogpos;

/* Refuses (exit 2) a binlog.db whose format a newer build raised. writer:
 * creates it when missing, brings its layout up to this build's and records
 * this build; else (status) it is read as it is, read-only, writing nothing
 * (a layout before gtid and skips: read without them). */
int binlogpos_open(struct binlogpos **out, const char *state_dir, bool writer);
void binlogpos_close(struct binlogpos *bp); /* accepts NULL */
/* *out (filled): the current position and its GTID state; out->pos NULL
 * when no batch was acknowledged. */
int binlogpos_current(struct binlogpos *bp, struct log_pos *out);
/* Batch seq, being built, ends at at (replacing what a killed run left). */
int binlogpos_pending(struct binlogpos *bp, int64_t seq, const struct log_pos *at);
/* Batch seq was acknowledged: its position is current (no-op for a batch
 * that recorded none). */
int binlogpos_promote(struct binlogpos *bp, int64_t seq);

#endif
