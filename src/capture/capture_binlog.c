/* Binlog capture ([capture] mode = binlog, issue 14): changes read from the
 * MySQL/MariaDB binary log (the source's log_ops) rather than a changelog:
 * the source keeps no triggers and no changelog. The first run is a load
 * in one consistent snapshot with the log position it reflects; each later
 * run reads the log from the last acknowledged batch's position, up to a
 * commit, and the batch's end position becomes current when the batch is
 * acknowledged (binlogpos.h): exactly once by position. */
#include "capture.h"

#include "binlog_cascade.h"
#include "binlogpos.h"
#include "buf.h"
#include "codec.h"
#include "err.h"
#include "log.h"
#include "reconcile.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int binlog_check_source(const struct source_ops *ops, struct source *src,
			       const struct strv *tables, bool reconcile)
{
	int rc = source_need_role(ops, ROLE_LOG, "[capture] mode = binlog");
	return rc ? rc : ops->log->check(src, tables, reconcile);
}

static int binlog_check(struct pipeline *p)
{
	return binlog_check_source(p->sops, p->src, &p->tables, p->cfg->reconcile_kept);
}

static int binlog_first_load(struct pipeline *p, bool *load)
{
	struct binlogpos *bp = NULL;
	struct log_pos pos = {0};
	int rc = binlogpos_open(&bp, state_dir(p->st), true);
	if (!rc)
		rc = binlogpos_current(bp, &pos);
	*load = !rc && !pos.pos;
	log_pos_free(&pos);
	binlogpos_close(bp);
	return rc;
}

/* The tables' definitions now, alive until the read ends (the package
 * tells files apart by def pointer). */
static int describe_all(struct pipeline *p, const struct strv *tables, struct table_def ***defs)
{
	*defs = xcalloc(tables->n ? tables->n : 1, sizeof(**defs));
	int rc = 0;
	for (size_t i = 0; i < tables->n && !rc; i++)
		rc = p->sops->read->describe(p->src, tables->v[i], &(*defs)[i]);
	return rc;
}

static void free_defs(struct table_def **defs, size_t n)
{
	for (size_t i = 0; i < n && defs; i++)
		table_def_free(defs[i]);
	free(defs);
}

/* The batch being built will be staged as the next seq: the run lock
 * keeps anyone else from staging in between. */
static int record_end(struct pipeline *p, struct binlogpos *bp, const struct log_pos *end)
{
	int64_t seq;
	char *previous_id = NULL;
	int rc = state_next_seq(p->st, &seq, &previous_id);
	free(previous_id);
	return rc ? rc : binlogpos_pending(bp, seq, end);
}

/* Tables whose name the read saw given to another table (log_pos.replaced):
 * the next column comparison ships them as loads. */
static int mark_replaced(struct pipeline *p, const struct strv *tables)
{
	int rc = 0;
	for (size_t i = 0; i < tables->n && !rc; i++) {
		log_warn("table %s: a DROP, RENAME or CREATE TABLE in the binary log gave its name "
			 "to another table: it ships whole as a load",
			 NAME_SHOWN_SHORT(tables->v[i]));
		rc = state_mark_replaced(p->st, tables->v[i]);
	}
	return rc;
}

static int binlog_changes(struct pipeline *p, struct package *pk)
{
	struct binlogpos *bp = NULL;
	struct table_def **defs = NULL;
	struct log_pos from = {0}, end = {0};
	struct cascade_reading cr;
	int rc = cascade_reading_open(p, pk, &cr);
	if (!rc)
		rc = binlogpos_open(&bp, state_dir(p->st), true);
	if (!rc)
		rc = binlogpos_current(bp, &from);
	if (!rc && !from.pos)
		rc = err_set(CDC_ERUNTIME,
			     "binlog mode: no acknowledged position; run 'cdcpack load'");
	if (!rc)
		rc = describe_all(p, &p->tables, &defs);
	if (!rc)
		rc = p->sops->log->read(p->src, &from, defs, p->tables.n, p->cfg->max_rows,
					cascade_add_change, &cr, &end);
	if (!rc)
		rc = mark_replaced(p, &end.replaced);
	/* Before the batch is staged: a run killed after it still owes the
	 * reconcile. */
	if (!rc)
		rc = cascade_reading_note(p, &cr);
	if (!rc)
		rc = record_end(p, bp, &end);
	cascade_reading_close(&cr);
	free_defs(defs, p->tables.n);
	log_pos_free(&from);
	log_pos_free(&end);
	binlogpos_close(bp);
	return rc;
}

/* A load of some tables at position at: the read position stays cur,
 * and each loaded table's events before at are skipped (the load carries
 * them), so the other tables' changes logged meanwhile still ship. */
static void skip_loaded(struct log_pos *cur, const struct strv *tables, const char *at)
{
	struct log_pos keep = {0};
	for (size_t i = 0; i < cur->skip_tables.n; i++) {
		if (strv_contains(tables, cur->skip_tables.v[i]))
			continue;
		strv_push(&keep.skip_tables, cur->skip_tables.v[i]);
		strv_push(&keep.skip_until, cur->skip_until.v[i]);
	}
	for (size_t i = 0; i < tables->n; i++) {
		strv_push(&keep.skip_tables, tables->v[i]);
		strv_push(&keep.skip_until, at);
	}
	strv_free(&cur->skip_tables);
	strv_free(&cur->skip_until);
	cur->skip_tables = keep.skip_tables;
	cur->skip_until = keep.skip_until;
}

/* One consistent snapshot of the tables, and the log position it
 * reflects. Every captured table (the first load): the first change batch
 * reads from exactly there. Some of them (a table whose columns changed,
 * or 'cdcpack load TABLE'): see skip_loaded. */
static int binlog_load(struct pipeline *p, const struct strv *tables, struct package *pk)
{
	struct binlogpos *bp = NULL;
	struct table_def **defs = xcalloc(tables->n ? tables->n : 1, sizeof(*defs));
	struct log_pos at = {0}, cur = {0};
	bool some = tables->n != p->tables.n;
	int rc = binlogpos_open(&bp, state_dir(p->st), true);
	if (!rc && some)
		rc = binlogpos_current(bp, &cur);
	if (!rc && some && !cur.pos)
		rc = err_set(CDC_EUSAGE,
			     "binlog mode: the first load carries every captured table (one log "
			     "position starts them all): run 'cdcpack load' without table names");
	if (!rc)
		rc = p->sops->read->begin_read(p->src);
	if (!rc)
		rc = p->sops->log->position(p->src, &at);
	for (size_t i = 0; i < tables->n && !rc; i++)
		rc = capture_scan_table(p, tables->v[i], pk, &defs[i]);
	int end = p->sops->read->end_read(p->src);
	rc = rc ? rc : end;
	if (!rc && some)
		skip_loaded(&cur, tables, at.pos);
	if (!rc)
		rc = record_end(p, bp, some ? &cur : &at);
	if (!rc)
		log_debug("binlog load at=%s gtid=%s tables=%zu", at.pos, at.gtid ? at.gtid : "-",
			  tables->n);
	free_defs(defs, tables->n);
	log_pos_free(&at);
	log_pos_free(&cur);
	binlogpos_close(bp);
	return rc;
}

static int binlog_ack(struct pipeline *p, const struct batch *b)
{
	struct binlogpos *bp = NULL;
	int rc = binlogpos_open(&bp, state_dir(p->st), true);
	if (!rc)
		rc = binlogpos_promote(bp, b->seq);
	binlogpos_close(bp);
	return rc;
}

/* Reads the position without creating binlog.db where no run made one. */
static int binlog_lag(const struct source_ops *ops, struct source *src, const char *state_dir,
		      struct log_pos *pos, struct log_lag *out)
{
	memset(pos, 0, sizeof(*pos));
	memset(out, 0, sizeof(*out));
	char *path = xasprintf("%s/binlog.db", state_dir);
	struct stat sb;
	bool have = stat(path, &sb) == 0;
	free(path);
	if (!have || !ops->log || !ops->log->lag)
		return 0;
	struct binlogpos *bp = NULL;
	int rc = binlogpos_open(&bp, state_dir, false);
	if (!rc)
		rc = binlogpos_current(bp, pos);
	binlogpos_close(bp);
	if (!rc && pos->pos)
		rc = ops->log->lag(src, pos->pos, out);
	return rc;
}

/* ---- reconcile (docs/design.md §4 step 3b, binlog mode) ---- */

/* The changes pending at the reconcile's snapshot are the log's from the
 * acknowledged position (from) to the snapshot's: read to there at least
 * (a read stops at the log's end or before a statement on a captured
 * table, so it is read again from where it stopped); what it passes after
 * the snapshot's position is marked too, which only leaves more keys to
 * the next reconcile. */
static int binlog_pending(struct pipeline *p, void *ctx, change_fn mark, void *mark_ctx)
{
	const struct log_ops *log = p->sops->log;
	const struct log_pos *cur = ctx;
	struct log_pos at = {0}, got = {0};
	struct table_def **defs = NULL;
	int rc = log->position(p->src, &at);
	if (!rc)
		rc = describe_all(p, &p->tables, &defs);
	while (!rc && log->cmp(cur->pos, at.pos) < 0) {
		struct log_pos end = {0};
		rc = log->read(p->src, cur, defs, p->tables.n, INT64_MAX, mark, mark_ctx, &end);
		if (!rc && log->cmp(end.pos, cur->pos) <= 0)
			rc = err_set(CDC_ERUNTIME,
				     "reconcile: the binary log read from %s stops there, before "
				     "%s (the reconcile's snapshot)",
				     cur->pos, at.pos);
		log_pos_free(&got);
		got = end;
		cur = &got;
	}
	free_defs(defs, p->tables.n);
	log_pos_free(&at);
	log_pos_free(&got);
	return rc;
}

/* The reconcile batch moves the log position nowhere: acknowledged, it
 * leaves the position where it was, and the cdc batches after it read the
 * pending changes from there. */
static int binlog_reconcile(struct pipeline *p, const struct strv *tables, struct package *pk,
			    struct reconcile_result *out)
{
	struct binlogpos *bp = NULL;
	struct log_pos from = {0};
	int rc = binlogpos_open(&bp, state_dir(p->st), true);
	if (!rc)
		rc = binlogpos_current(bp, &from);
	if (!rc && !from.pos)
		rc = err_set(CDC_ERUNTIME,
			     "binlog mode: no acknowledged position to reconcile from; run "
			     "'cdcpack load'");
	if (!rc)
		rc = reconcile_tables(p, tables, pk, out, binlog_pending, &from);
	if (!rc)
		rc = record_end(p, bp, &from);
	log_pos_free(&from);
	binlogpos_close(bp);
	return rc;
}

const struct capture_ops binlog_capture_ops = {
	.name = "binlog",
	.uses_changelog = false,
	.pending_unknown = "binlog mode: changes are the binary log's after the last acknowledged "
			   "position; status gives how many bytes of log that is",
	.batches_until_idle = true,
	.load_new_tables = true,
	.check_source = binlog_check_source,
	.check = binlog_check,
	.first_load = binlog_first_load,
	.changes = binlog_changes,
	.load = binlog_load,
	.ack = binlog_ack,
	.lag = binlog_lag,
	.reconcile = binlog_reconcile,
	.reconcile_due = binlog_cascade_due,
	.reconcile_done = binlog_cascade_done,
};
