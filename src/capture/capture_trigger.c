/* Trigger capture (docs/design.md §4 step 3, mode = trigger): the source's
 * audit triggers write each change into the changelog; a run reads it in
 * seq order, and acknowledging a batch deletes exactly the rows it carried. */
#include "capture.h"

#include "buf.h"
#include "codec.h"
#include "err.h"
#include "log.h"
#include "reconcile.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* *clean: the table's triggers are installed and current, nothing said. */
static int check_table(struct pipeline *p, const char *table, bool *clean)
{
	struct table_def *def = NULL;
	struct trigger_status ts = {.skip_pending = true};
	int rc = p->sops->read->describe(p->src, table, &def);
	if (!rc)
		rc = p->sops->changelog->triggers_status(p->src, def, &ts);
	char *word = name_for_shell(table);
	if (!rc && ts.renamed) {
		/* Renamed: rebuilt under the new name, the old triggers dropped in
		 * the same step, so each change is logged once, under one name. */
		log_warn("table %s was renamed: rebuilding its triggers so that its changes are "
			 "logged as %s (changes logged before under the old name ship under it); "
			 "run `cdcpack load %s`%s to give replicas its rows under this name",
			 NAME_SHOWN_SHORT(table), NAME_SHOWN_SHORT(table), word,
			 name_shell_note(table));
		rc = p->sops->changelog->triggers_install(p->src, def);
	} else if (!rc && !ts.installed)
		log_warn("table %s has no cdcpack triggers: its changes are not captured; run "
			 "`cdcpack triggers install %s`, then `cdcpack load %s`%s to ship the rows "
			 "it already holds",
			 NAME_SHOWN_SHORT(table), word, word, name_shell_note(table));
	free(word);
	if (!rc && ts.drift) {
		log_warn("schema drift on table %s: rebuilding its triggers (the table then "
			 "ships whole as a load, its changes logged since the ALTER with it)",
			 NAME_SHOWN_SHORT(table));
		rc = p->sops->changelog->triggers_install(p->src, def);
	} else if (!rc && ts.outdated) {
		log_info("table %s: rebuilding its triggers, made by an earlier cdcpack",
			 NAME_SHOWN_SHORT(table));
		rc = p->sops->changelog->triggers_install(p->src, def);
	}
	*clean = ts.installed && !ts.renamed && !ts.drift && !ts.outdated;
	trigger_status_free(&ts);
	table_def_free(def);
	return rc;
}

static int warn_stray(struct pipeline *p, bool *clean)
{
	struct strv stray = {0};
	int rc = source_stray_triggers(p->sops, p->src, &p->tables, &stray);
	*clean = stray.n == 0;
	for (size_t i = 0; i < stray.n && !rc; i++) {
		char *why = source_stray_warning(stray.v[i]);
		log_warn("%s", why);
		free(why);
	}
	strv_free(&stray);
	return rc;
}

/* The stamp of the last drift check that found every table's triggers
 * current and nothing to say, kept in the state dir. */
#define VERIFIED_KEY "verified_schema"

/* Every captured table's triggers are checked (and rebuilt after a rename
 * or an ALTER) unless nothing they depend on changed since the last check
 * that found them all current: an idle run over 10,000 tables then reads
 * one stamp instead of describing each table. The stamp is taken before
 * the checks, so DDL that lands while they run is seen by the next run. */
static int trigger_check(struct pipeline *p)
{
	char *stamp = NULL, *last = NULL;
	int rc = capture_schema_stamp(p, "triggers", &stamp);
	if (!rc && stamp)
		rc = state_meta_get(p->st, VERIFIED_KEY, &last);
	bool same = !rc && stamp && last && strcmp(stamp, last) == 0;
	free(last);
	if (same)
		log_debug("schema unchanged since the last check: triggers of %zu table(s) current",
			  p->tables.n);
	bool clean = true;
	for (size_t i = 0; i < p->tables.n && !rc && !same; i++) {
		bool ok;
		rc = check_table(p, p->tables.v[i], &ok);
		clean = clean && ok;
	}
	bool no_stray = true;
	if (!rc && !same)
		rc = warn_stray(p, &no_stray);
	if (!rc && !same && stamp && clean && no_stray)
		rc = state_meta_set(p->st, VERIFIED_KEY, stamp);
	free(stamp);
	return rc;
}

/* A changes read: the package it fills, and what tells a reused seq. */
struct changes_read {
	struct pipeline *p;
	struct package *pk;
	const char *generation;
	int64_t acked_top;	   /* the highest seq an acknowledged batch carried */
	struct acked_range *acked; /* those ending at or above the first change below it */
	size_t nacked;
	bool loaded;
};

/* The acknowledged range holding seq, if any (ranges ascending by lo; two
 * share at most an end, a marker's seq: docs/design.md §4 step 7). */
static const struct acked_range *acked_range_of(const struct changes_read *r, int64_t seq)
{
	size_t lo = 0, hi = r->nacked;
	while (lo < hi) { /* the first range starting above seq */
		size_t mid = lo + (hi - lo) / 2;
		if (r->acked[mid].lo <= seq)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo && r->acked[lo - 1].hi >= seq ? &r->acked[lo - 1] : NULL;
}

/* A change whose seq an acknowledged batch already carried is refused, not
 * shipped again or skipped: its changelog reuses seqs (a marker row deleted
 * by hand), so consumers would hold two changes under one seq. Only seqs at
 * or below the acknowledged top are looked up: rows a load left behind. */
static int check_not_acked(struct changes_read *r, const struct change *c)
{
	if (c->seq > r->acked_top)
		return 0;
	int rc = 0;
	if (!r->loaded)
		rc = state_acked_ranges(r->p->st, r->generation, c->seq, &r->acked, &r->nacked);
	r->loaded = true;
	const struct acked_range *hit = rc ? NULL : acked_range_of(r, c->seq);
	if (hit)
		rc = err_set(CDC_ERUNTIME,
			     "changelog seq %lld (table %s) was already carried by batch %lld, "
			     "acknowledged: the changelog reuses seqs (its row of op '%c', which "
			     "holds the highest seq, was deleted by hand?), and consumers would "
			     "hold two changes under one seq; recreate it ('cdcpack triggers "
			     "remove --drop-changelog', 'cdcpack triggers install', then 'cdcpack "
			     "load')",
			     (long long)c->seq, NAME_SHOWN_SHORT(c->def->name),
			     (long long)hit->batch, CHANGE_MARKER);
	return rc;
}

static int add_change(void *ctx, const struct change *c)
{
	struct changes_read *r = ctx;
	if (c->op == CHANGE_MARKER) { /* acknowledged with the batch, if one ships */
		package_add_seq(r->pk, c->seq);
		return 0;
	}
	int rc = check_not_acked(r, c);
	return rc ? rc : package_add_change(r->pk, c);
}

static int trigger_first_load(struct pipeline *p, bool *load)
{
	(void)p;
	*load = false;
	return 0;
}

static int trigger_changes(struct pipeline *p, struct package *pk)
{
	struct changes_read r = {.p = p,
				 .pk = pk,
				 .generation = p->owner.generation[0] ? p->owner.generation : NULL};
	int rc = state_acked_top(p->st, r.generation, &r.acked_top);
	if (!rc && r.acked_top > 0 && p->sops->changelog->keep_seqs)
		rc = p->sops->changelog->keep_seqs(p->src, r.acked_top);
	if (!rc)
		rc = p->sops->read->begin_read(p->src);
	if (rc)
		return rc;
	rc = p->sops->changelog->read_changes(p->src, p->cfg->max_rows, add_change, &r);
	int end = p->sops->read->end_read(p->src);
	free(r.acked);
	return rc ? rc : end;
}

static int add_seq(void *ctx, int64_t seq)
{
	package_add_seq(ctx, seq);
	return 0;
}

static int trigger_load(struct pipeline *p, const struct strv *tables, struct package *pk)
{
	/* Every def stays alive until the read ends: the package tells files apart
	 * by def pointer while rows arrive (it keeps copies of its own). */
	struct table_def **defs = xcalloc(tables->n ? tables->n : 1, sizeof(*defs));
	int rc = p->sops->read->begin_read(p->src);
	if (!rc)
		rc = p->sops->changelog->seqs(p->src, tables, add_seq, pk);
	for (size_t i = 0; i < tables->n && !rc; i++) {
		rc = capture_scan_table(p, tables->v[i], pk, &defs[i]);
		if (!rc)
			log_debug("table loaded table=%s", NAME_SHOWN_SHORT(tables->v[i]));
	}
	int end = p->sops->read->end_read(p->src);
	for (size_t i = 0; i < tables->n; i++)
		table_def_free(defs[i]);
	free(defs);
	return rc ? rc : end;
}

static int trigger_ack(struct pipeline *p, const struct batch *b)
{
	struct chain_ack who = {
		.chain = state_chain(p->st), .generation = b->generation, .batch = b->seq};
	return p->sops->changelog->ack(p->src, (const int64_t(*)[2])b->ranges, b->nranges, &who);
}

const struct capture_ops trigger_capture_ops = {
	.name = "trigger",
	.uses_changelog = true,
	.batches_until_idle = true,
	.check = trigger_check,
	.first_load = trigger_first_load,
	.changes = trigger_changes,
	.load = trigger_load,
	.ack = trigger_ack,
	.reconcile = changelog_reconcile,
};
