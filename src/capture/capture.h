/* The capture modes (docs/design.md §4 step 3, and its acknowledgement,
 * step 7) behind one table of functions, in the manner of source_ops: the
 * pipeline calls p->cops and never tests the mode. A new mode (the binlog
 * reader) is a file in src/capture/ with its own capture_ops and one line
 * in capture_ops_for (docs/architecture.md). */
#ifndef CDCPACK_CAPTURE_H
#define CDCPACK_CAPTURE_H

#include "context.h"
#include "package.h"

#include <stdbool.h>

struct capture_ops {
	const char *name; /* [capture] mode, and the manifest's capture.mode */
	/* The mode reads cdcpack's changelog in the source: the owner record,
	 * the check that the changelog's names are cdcpack's own, and
	 * `cdcpack triggers` apply to it. */
	bool uses_changelog;
	/* Why `status` cannot count this mode's pending changes (NULL: it
	 * counts the changelog's rows). */
	const char *pending_unknown;
	/* A table the chain never shipped, once it has shipped others, ships
	 * as a load (binlog: a table created, renamed to its name or newly
	 * captured has rows the log read from the chain's position does not
	 * carry whole). false: it starts from its columns now. */
	bool load_new_tables;
	/* A run repeats capture while a batch comes back full (max_rows);
	 * false: one batch per run (a snapshot reads whole tables). */
	bool batches_until_idle;

	/* cdcpack init: whether the source is set up for this mode (binlog:
	 * the server's log settings and the user's privileges). reconcile:
	 * [capture] reconcile is on (binlog mode then takes tables a cascading
	 * foreign key changes, see reconcile_due). NULL: nothing to check. */
	int (*check_source)(const struct source_ops *ops, struct source *src,
			    const struct strv *tables, bool reconcile);
	/* Before capture: follow what changed in the source's schema
	 * (trigger mode rebuilds the triggers of a table whose columns
	 * changed, warns about tables it cannot see). NULL: nothing to do. */
	int (*check)(struct pipeline *p);
	/* *load is true when this run must ship a load rather than changes
	 * (the first run in snapshot mode). */
	int (*first_load)(struct pipeline *p, bool *load);
	/* Fills pk with the changes visible now: trigger mode at most max_rows
	 * of them, snapshot mode every table's changes since its snapshot. */
	int (*changes)(struct pipeline *p, struct package *pk);
	/* Fills pk with one consistent snapshot of tables, and with what that
	 * snapshot already reflects, to be acknowledged with it: the changelog
	 * seqs of those tables (never another table's, whose change the load
	 * does not carry), or the tables' new stored snapshots. */
	int (*load)(struct pipeline *p, const struct strv *tables, struct package *pk);
	/* Acknowledges b at the source: deletes exactly its changelog seqs
	 * (trigger), or makes the snapshots it was made from current (snapshot). */
	int (*ack)(struct pipeline *p, const struct batch *b);
	/* status: how far the source's log runs past the acknowledged position
	 * (*pos, filled; pos->pos NULL before the first load, or without a
	 * state dir). NULL: the mode reads no log. */
	int (*lag)(const struct source_ops *ops, struct source *src, const char *state_dir,
		   struct log_pos *pos, struct log_lag *out);
	/* Fills pk with what brings consumers to the source's state: the
	 * tables compared with the published state (p->pub, kept for every
	 * batch of a mode that has this), one entry per table added to
	 * out (docs/design.md §4 step 3b). NULL: the mode cannot reconcile. */
	int (*reconcile)(struct pipeline *p, const struct strv *tables, struct package *pk,
			 struct reconcile_result *out);
	/* Tables the run must reconcile once its batches are acknowledged
	 * (binlog mode: the children of a cascading foreign key whose
	 * parent's delete or key update a read passed, changed below the
	 * log), kept in the state until reconcile_done; none in *out: nothing
	 * due. NULL: the mode has none. */
	int (*reconcile_due)(struct pipeline *p, struct strv *out);
	/* A reconcile of covered is acknowledged (a run's or a manual one):
	 * they are due no more. */
	int (*reconcile_done)(struct pipeline *p, const struct strv *covered);
};

extern const struct capture_ops trigger_capture_ops;
extern const struct capture_ops snapshot_capture_ops;
extern const struct capture_ops binlog_capture_ops;

/* The capture mode [capture] mode names. */
const struct capture_ops *capture_ops_for(enum capture_mode mode);

/* For the modes: scans table into pk as load rows (its def returned, owned
 * by the caller, alive until the read ends), with a progress bar and the
 * mid-load fault point. */
int capture_scan_table(struct pipeline *p, const char *table, struct package *pk,
		       struct table_def **def);

/* What a clean look at every captured table depends on, hashed into *out
 * (owned; NULL when the driver has no schema stamp): this cdcpack, check
 * (what the look was: "triggers", "columns"), the source, its changelog
 * and that changelog's generation, the captured tables, and the driver's
 * schema stamp. A run whose stamp equals the one kept after the last clean
 * look skips looking at each table (an idle run over 10,000 tables). */
int capture_schema_stamp(struct pipeline *p, const char *check, char **out);

#endif
