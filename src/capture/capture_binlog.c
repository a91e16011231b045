/* Binlog capture ([capture] mode = binlog, issue 14): changes read from the
 * MySQL/MariaDB binary log (the source's log_ops) rather than a changelog:
 * the source keeps no triggers and no changelog. The first run is a load
 * in one consistent snapshot with the log position it reflects; each later
 * run reads the log from the last acknowledged batch's position, up to a
 * commit, and the batch's end position becomes current when the batch is
 * acknowledged (binlogpos.h): exactly once by position. */
#include "capture.h"

#include "binlogpos.h"
#include "buf.h"
#include "err.h"
#include "log.h"

#include <stdlib.h>

static int binlog_check_source(const struct source_ops *ops, struct source *src,
			       const struct strv *tables)
{
	int rc = source_need_role(ops, ROLE_LOG, "[capture] mode = binlog");
	return rc ? rc : ops->log->check(src, tables);
}

static int binlog_check(struct pipeline *p)
{
	return binlog_check_source(p->sops, p->src, &p->tables);
}

static int binlog_first_load(struct pipeline *p, bool *load)
{
	struct binlogpos *bp = NULL;
	char *pos = NULL;
	int rc = binlogpos_open(&bp, state_dir(p->st));
	if (!rc)
		rc = binlogpos_current(bp, &pos);
	*load = !rc && !pos;
	free(pos);
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

static int add_change(void *ctx, const struct change *c)
{
	return package_add_change(ctx, c);
}

/* The batch being built will be staged as the next seq: the run lock
 * keeps anyone else from staging in between. */
static int record_end(struct pipeline *p, struct binlogpos *bp, const char *end)
{
	int64_t seq;
	char *previous_id = NULL;
	int rc = state_next_seq(p->st, &seq, &previous_id);
	free(previous_id);
	return rc ? rc : binlogpos_pending(bp, seq, end);
}

static int binlog_changes(struct pipeline *p, struct package *pk)
{
	struct binlogpos *bp = NULL;
	struct table_def **defs = NULL;
	char *from = NULL, *end = NULL;
	int rc = binlogpos_open(&bp, state_dir(p->st));
	if (!rc)
		rc = binlogpos_current(bp, &from);
	if (!rc && !from)
		rc = err_set(CDC_ERUNTIME,
			     "binlog mode: no acknowledged position; run 'cdcpack load'");
	if (!rc)
		rc = describe_all(p, &p->tables, &defs);
	if (!rc)
		rc = p->sops->log->read(p->src, from, defs, p->tables.n, p->cfg->max_rows,
					add_change, pk, &end);
	if (!rc)
		rc = record_end(p, bp, end);
	free_defs(defs, p->tables.n);
	free(from);
	free(end);
	binlogpos_close(bp);
	return rc;
}

/* One consistent snapshot of every captured table, and the log position
 * it reflects: the first change batch reads from exactly there. */
static int binlog_load(struct pipeline *p, const struct strv *tables, struct package *pk)
{
	if (tables->n != p->tables.n)
		return err_set(CDC_EUSAGE,
			       "binlog mode loads every captured table at once (one log position "
			       "serves them all): run 'cdcpack load' without table names");
	struct binlogpos *bp = NULL;
	struct table_def **defs = xcalloc(tables->n ? tables->n : 1, sizeof(*defs));
	char *pos = NULL;
	int rc = binlogpos_open(&bp, state_dir(p->st));
	if (!rc)
		rc = p->sops->read->begin_read(p->src);
	if (!rc)
		rc = p->sops->log->position(p->src, &pos);
	for (size_t i = 0; i < tables->n && !rc; i++)
		rc = capture_scan_table(p, tables->v[i], pk, &defs[i]);
	int end = p->sops->read->end_read(p->src);
	rc = rc ? rc : end;
	if (!rc)
		rc = record_end(p, bp, pos);
	if (!rc)
		log_debug("binlog load at=%s", pos);
	free_defs(defs, tables->n);
	free(pos);
	binlogpos_close(bp);
	return rc;
}

static int binlog_ack(struct pipeline *p, const struct batch *b)
{
	struct binlogpos *bp = NULL;
	int rc = binlogpos_open(&bp, state_dir(p->st));
	if (!rc)
		rc = binlogpos_promote(bp, b->seq);
	binlogpos_close(bp);
	return rc;
}

const struct capture_ops binlog_capture_ops = {
	.name = "binlog",
	.uses_changelog = false,
	.pending_unknown = "binlog mode: changes are the binary log's after the last acknowledged "
			   "position, which status does not read yet",
	.batches_until_idle = true,
	.check_source = binlog_check_source,
	.check = binlog_check,
	.first_load = binlog_first_load,
	.changes = binlog_changes,
	.load = binlog_load,
	.ack = binlog_ack,
};
