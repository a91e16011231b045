/* The text a person reads (report.h). */
#include "report.h"

#include "codec.h"
#include "recrecord.h"

#include <stdlib.h>

/* A reconcile's per-table counts, one line each. */
static void reconcile_text(struct buf *out, const struct reconcile_result *r)
{
	for (size_t i = 0; i < r->ntables; i++) {
		const struct reconcile_table *t = &r->tables[i];
		char *name = name_shown(t->table);
		if (t->skipped)
			buf_addf(out, "reconcile %s: not compared (%s)\n", name, t->skipped);
		else
			buf_addf(out,
				 "reconcile %s: rows=%lld inserted=%lld updated=%lld deleted=%lld "
				 "pending=%lld\n",
				 name, (long long)t->rows, (long long)t->inserted,
				 (long long)t->updated, (long long)t->deleted,
				 (long long)t->pending);
		free(name);
	}
}

void report_run_text(struct buf *out, const struct run_result *res)
{
	for (int i = 0; i < res->batches; i++)
		buf_addf(out, "published %s  %s  rows=%lld\n", res->published[i].kind,
			 res->published[i].key, (long long)res->published[i].rows);
	if (res->batches == 0 && res->ok)
		buf_adds(out, "nothing to publish\n");
	if (res->reconciled)
		reconcile_text(out, res->reconciled);
}

void report_apply_text(struct buf *out, const struct apply_result *res)
{
	buf_addf(out, "applied %d batch(es), %lld row(s); replica is at batch %lld\n", res->batches,
		 (long long)res->rows, (long long)res->last_seq);
}

/* "a, b" */
static void add_names(struct buf *out, const struct strv *names)
{
	for (size_t i = 0; i < names->n; i++) {
		char *name = name_shown(names->v[i]);
		buf_adds(out, i ? ", " : "");
		buf_adds(out, name);
		free(name);
	}
}

/* Why a table differs other than by rows: its presence, columns or key. */
static void verify_reasons(struct buf *out, const struct dbdiff_table_result *t, const char *name)
{
	if (t->status == DBDIFF_ONLY_A)
		buf_addf(out, "  table %s is missing in the replica\n", name);
	if (t->problem)
		buf_addf(out, "  table %s: %s; its rows were not compared\n", name, t->problem);
	if (t->only_a.n) {
		buf_addf(out, "  table %s: columns only in the source: ", name);
		add_names(out, &t->only_a);
		buf_addc(out, '\n');
	}
	if (t->only_b.n) {
		buf_addf(out, "  table %s: columns only in the replica: ", name);
		add_names(out, &t->only_b);
		buf_adds(out, " (allowed: rows compare on the source's columns)\n");
	}
}

void report_verify_text(struct buf *out, bool equal, const struct compare_result *res)
{
	for (size_t i = 0; i < res->diff.ntables; i++) {
		const struct dbdiff_table_result *t = &res->diff.tables[i];
		char *name = name_shown(t->name);
		buf_addf(out, "%-24s only-in-source=%lld only-in-replica=%lld different=%lld\n",
			 name, (long long)t->deleted, (long long)t->inserted,
			 (long long)t->updated);
		verify_reasons(out, t, name);
		free(name);
	}
	buf_adds(out, equal ? "replica matches the source\n"
			    : "replica differs from the source (-v lists the keys)\n");
}

void report_diff_text(struct buf *out, bool equal, const struct dbdiff_result *res)
{
	for (size_t i = 0; i < res->ntables; i++) {
		const struct dbdiff_table_result *t = &res->tables[i];
		char *name = name_shown(t->name);
		buf_addf(out, "%-24s %-11s inserted=%lld updated=%lld deleted=%lld\n", name,
			 dbdiff_status_name(t->status), (long long)t->inserted,
			 (long long)t->updated, (long long)t->deleted);
		free(name);
	}
	buf_adds(out, equal ? "A and B hold the same rows\n" : "A and B differ\n");
}

static void status_batches_text(struct buf *out, const struct status_result *res)
{
	buf_adds(out, "batches:");
	for (int s = BATCH_STAGED; s <= BATCH_ACKED; s++)
		buf_addf(out, " %s=%lld", batch_state_name((enum batch_state)s),
			 (long long)res->batches[s]);
	buf_addc(out, '\n');
	const struct status_last *last = res->last;
	if (!last)
		buf_adds(out, "last published: none\n");
	else
		buf_addf(out, "last published: %s  %s  rows=%lld  at %s\n", last->id, last->key,
			 (long long)last->rows, last->published_at ? last->published_at : "?");
}

/* A mode that cannot count what waits: the log's lag where it reads one. */
static void status_log_text(struct buf *out, const struct status_result *res)
{
	const struct log_pos *at = &res->log_at;
	if (!res->reads_log)
		buf_adds(out, "lag: unknown\n");
	else if (at->pos && !res->log_lag.gone)
		buf_addf(out, "lag: %lld bytes of binary log after %s%s%s%s, %lld s\n",
			 (long long)res->log_lag.bytes, at->pos, at->gtid ? " (gtid " : "",
			 at->gtid ? at->gtid : "", at->gtid ? ")" : "",
			 (long long)res->log_lag.seconds);
	else
		buf_addf(out, "lag: unknown%s\n", at->pos ? "" : " (no acknowledged position)");
	if (res->log_lag.warning)
		buf_addf(out, "  warning: %s\n", res->log_lag.warning);
}

static void status_pending_text(struct buf *out, const struct status_result *res)
{
	buf_adds(out, "pending changes:\n");
	for (size_t i = 0; i < res->ntables; i++) {
		const struct status_table *t = &res->tables[i];
		char *name = name_shown(t->name);
		if (!t->counted)
			buf_addf(out, "  %-24s pending=unknown\n", name);
		else if (t->stray)
			buf_addf(out, "  %-24s pending=%lld (not captured)\n  warning: %s\n", name,
				 (long long)t->pending, t->stray);
		else
			buf_addf(out, "  %-24s pending=%lld%s%s\n", name, (long long)t->pending,
				 t->installed ? "" : " (no triggers)", t->drift ? " (drift)" : "");
		free(name);
	}
	if (res->pending_unknown) {
		buf_addf(out, "  (%s)\n", res->pending_unknown);
		status_log_text(out, res);
	} else if (res->lagging) {
		buf_addf(out, "lag: %.1f s (oldest pending change at %s)\n", res->lag_seconds,
			 res->oldest);
	} else {
		buf_adds(out, "lag: none (nothing pending)\n");
	}
}

static void status_written_by_text(struct buf *out, const struct status_result *res)
{
	if (!res->written_by) {
		buf_adds(out, "state written by: not recorded (no state dir yet, or a cdcpack "
			      "before 2026-12-07 18:34 UTC wrote it last)\n");
		return;
	}
	char *by = name_shown(res->written_by); /* state.db is a file anyone may edit */
	buf_addf(out, "state written by: cdcpack %s\n", by);
	free(by);
}

void report_status_text(struct buf *out, const struct config *cfg, const struct status_result *res)
{
	/* Both URLs as the config wrote them: a file: path holds any bytes. */
	char *url = name_shown(cfg->source_url ? cfg->source_url : "");
	char *target = name_shown(cfg->target_url ? cfg->target_url : "");
	buf_addf(out, "source %s (%s, %s mode)  target %s\n", cfg->source_name, url,
		 config_mode_name(cfg->mode), target);
	free(target);
	free(url);
	if (res->have < STATUS_STATE)
		return;
	buf_addf(out, "chain: %s\n",
		 res->chain ? res->chain
			    : "none yet (no state dir, or one an earlier cdcpack made: the next "
			      "run gives it one)");
	status_written_by_text(out, res);
	status_batches_text(out, res);
	const struct reconcile_result *r = res->last_reconcile;
	if (r)
		buf_addf(out, "last reconcile: %s  repaired=%lld  batch %s\n", r->at,
			 (long long)reconcile_repaired(r),
			 r->batch ? r->batch : "none (nothing to repair)");
	else
		buf_adds(out, "last reconcile: none\n");
	if (res->have >= STATUS_PENDING)
		status_pending_text(out, res);
	if (res->have >= STATUS_TARGET)
		buf_addf(out, "target: %s%s\n",
			 res->target_reachable ? "reachable" : "NOT reachable: ",
			 res->target_error ? res->target_error : "");
}
