#include "capture.h"

#include "buf.h"
#include "capture_snapshot.h"
#include "err.h"
#include "fault.h"
#include "log.h"
#include "context.h"
#include "progress.h"
#include "stop.h"

#include <stdio.h>
#include <stdlib.h>

static int check_table(struct pipeline *p, const char *table)
{
	struct table_def *def = NULL;
	struct trigger_status ts = {0};
	int rc = p->sops->describe(p->src, table, &def);
	if (!rc)
		rc = p->sops->triggers_status(p->src, def, &ts);
	if (!rc && ts.renamed) {
		/* Renamed: rebuilt under the new name, the old triggers dropped in
		 * the same step, so each change is logged once, under one name. */
		log_warn("table %s was renamed: rebuilding its triggers so that its changes are "
			 "logged as %s (changes logged before under the old name ship under it); "
			 "run 'cdcpack load %s' to give replicas its rows under this name",
			 table, table, table);
		rc = p->sops->triggers_install(p->src, def);
	} else if (!rc && !ts.installed)
		log_warn("table %s has no cdcpack triggers: its changes are not captured; run "
			 "'cdcpack triggers install %s', then 'cdcpack load %s' to ship the rows "
			 "it already holds",
			 table, table, table);
	if (!rc && ts.drift) {
		log_warn("schema drift on table %s: rebuilding its triggers; changes made since "
			 "the ALTER carry the columns the old triggers knew",
			 table);
		rc = p->sops->triggers_install(p->src, def);
	}
	trigger_status_free(&ts);
	table_def_free(def);
	return rc;
}

static int warn_stray(struct pipeline *p)
{
	struct strv stray = {0};
	int rc = source_stray_triggers(p->sops, p->src, &p->tables, &stray);
	for (size_t i = 0; i < stray.n && !rc; i++) {
		char *why = source_stray_warning(stray.v[i]);
		log_warn("%s", why);
		free(why);
	}
	strv_free(&stray);
	return rc;
}

int capture_check_drift(struct pipeline *p)
{
	if (p->cfg->mode != CAPTURE_TRIGGER)
		return 0;
	int rc = 0;
	for (size_t i = 0; i < p->tables.n && !rc; i++)
		rc = check_table(p, p->tables.v[i]);
	return rc ? rc : warn_stray(p);
}

static int add_change(void *ctx, const struct change *c)
{
	return package_add_change(ctx, c);
}

int capture_first_load(struct pipeline *p, bool *load)
{
	*load = false;
	return p->cfg->mode == CAPTURE_SNAPSHOT ? snapshot_first_run(p, load) : 0;
}

int capture_changes(struct pipeline *p, struct package *pk)
{
	if (p->cfg->mode == CAPTURE_SNAPSHOT)
		return snapshot_capture(p, pk);
	int rc = p->sops->begin_read(p->src);
	if (rc)
		return rc;
	rc = p->sops->read_changes(p->src, p->cfg->max_rows, add_change, pk);
	int end = p->sops->end_read(p->src);
	return rc ? rc : end;
}

struct load_ctx {
	struct package *pk;
	const struct table_def *def;
	struct progress bar;
};

static int add_load_row(void *ctx, const struct value *row)
{
	struct load_ctx *lc = ctx;
	progress_add(&lc->bar, 1);
	if (lc->bar.done == 1)
		fault_point("mid-load");
	/* load stops within a table: its work files go with the package. */
	int rc = stop_check();
	return rc ? rc : package_add_load_row(lc->pk, lc->def, row);
}

static int add_seq(void *ctx, int64_t seq)
{
	package_add_seq(ctx, seq);
	return 0;
}

static int load_table(struct pipeline *p, const char *table, struct package *pk,
		      struct table_def **def)
{
	int rc = p->sops->describe(p->src, table, def);
	if (!rc)
		rc = package_add_table(pk, *def);
	struct load_ctx lc = {pk, *def, {0}};
	char label[96];
	snprintf(label, sizeof(label), "load %s", table);
	progress_start(&lc.bar, label, "rows", -1);
	if (!rc)
		rc = p->sops->scan(p->src, *def, add_load_row, &lc);
	progress_end(&lc.bar);
	return rc ? err_prefix(rc, "load table %s", table) : 0;
}

int capture_load(struct pipeline *p, const struct strv *tables, struct package *pk)
{
	if (p->cfg->mode == CAPTURE_SNAPSHOT)
		return snapshot_load(p, tables, pk);
	/* Every def stays alive until the read ends: the package tells files apart
	 * by def pointer while rows arrive (it keeps copies of its own). */
	struct table_def **defs = xcalloc(tables->n ? tables->n : 1, sizeof(*defs));
	int rc = p->sops->begin_read(p->src);
	if (!rc && p->cfg->mode == CAPTURE_TRIGGER)
		rc = p->sops->changelog_seqs(p->src, tables, add_seq, pk);
	for (size_t i = 0; i < tables->n && !rc; i++) {
		rc = load_table(p, tables->v[i], pk, &defs[i]);
		if (!rc)
			log_debug("table loaded table=%s", tables->v[i]);
	}
	int end = p->sops->end_read(p->src);
	for (size_t i = 0; i < tables->n; i++)
		table_def_free(defs[i]);
	free(defs);
	return rc ? rc : end;
}

int capture_ack(struct pipeline *p, const struct batch *b)
{
	if (p->cfg->mode == CAPTURE_SNAPSHOT)
		return snapshot_ack(p, b);
	struct chain_ack who = {
		.chain = state_chain(p->st), .generation = b->generation, .batch = b->seq};
	return p->sops->ack(p->src, (const int64_t(*)[2])b->ranges, b->nranges, &who);
}
