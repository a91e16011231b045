#include "status.h"

#include "buf.h"
#include "capture.h"
#include "err.h"
#include "naming.h"
#include "pipeline.h"
#include "publish.h"
#include "recrecord.h"
#include "source.h"
#include "target.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

void status_result_free(struct status_result *res)
{
	free(res->chain);
	free(res->written_by);
	if (res->last) {
		free(res->last->id);
		free(res->last->key);
		free(res->last->created);
		free(res->last->published_at);
		free(res->last);
	}
	for (size_t i = 0; i < res->ntables; i++) {
		free(res->tables[i].name);
		free(res->tables[i].stray);
	}
	free(res->tables);
	free(res->target_error);
	reconcile_result_destroy(res->last_reconcile);
	log_pos_free(&res->log_at);
	log_lag_free(&res->log_lag);
	memset(res, 0, sizeof(*res));
}

static void count_batches(const struct config *cfg, const struct batch *v, size_t n,
			  struct status_result *res)
{
	const struct batch *last = NULL;
	for (size_t i = 0; i < n; i++) {
		res->batches[v[i].state]++;
		if (v[i].state >= BATCH_PUBLISHED)
			last = &v[i];
	}
	if (!last)
		return;
	res->last = xcalloc(1, sizeof(*res->last));
	*res->last = (struct status_last){
		.id = xstrdup(last->id),
		.key = publish_final_key(cfg, last),
		.created = xstrdup(last->created),
		.published_at = last->published_at ? xstrdup(last->published_at) : NULL,
		.rows = last->rows,
	};
}

/* The state dir's chain and batches, read without writing a byte: status
 * must not create a state dir that no run made, and works where it cannot
 * write (a read-only mount, an operator's inspection). */
static int read_state(const struct config *cfg, struct status_result *res)
{
	struct state *st = NULL;
	struct batch *v = NULL;
	size_t n = 0;
	struct stat sb;
	int rc = stat(cfg->state_dir, &sb) == 0
			 ? state_open_read(&st, cfg->state_dir, cfg->source_name)
			 : 0;
	if (!rc && st)
		rc = state_all(st, &v, &n);
	if (!rc) {
		/* A state dir an earlier cdcpack made has no chain id until a run
		 * of this version opens it for writing: none yet, as without one. */
		res->chain = st && state_chain(st) ? xstrdup(state_chain(st)) : NULL;
		/* who to run after an upgrade or downgrade went wrong */
		res->written_by = st && state_built_by(st) ? xstrdup(state_built_by(st)) : NULL;
		count_batches(cfg, v, n, res);
	}
	if (!rc && st)
		rc = pipeline_last_reconcile(st, &res->last_reconcile);
	batches_free(v, n);
	state_close(st);
	return rc;
}

static struct status_table *add_table(struct status_result *res, const char *name)
{
	res->tables = xrealloc(res->tables, (res->ntables + 1) * sizeof(*res->tables));
	struct status_table *t = &res->tables[res->ntables++];
	*t = (struct status_table){.name = xstrdup(name)};
	return t;
}

/* A table's pending changes, as its triggers keep them; stray: it is out
 * of capture, yet its pending changes ship all the same, so they count. */
static int count_table(const struct source_ops *ops, struct source *src, const char *table,
		       bool stray, struct status_result *res)
{
	struct table_def *def = NULL;
	struct trigger_status ts = {0};
	int rc = source_trigger_status(ops, src, table, &def, &ts);
	if (!rc) {
		struct status_table *t = add_table(res, table);
		t->counted = true;
		t->pending = ts.pending;
		t->installed = stray || ts.installed;
		t->drift = !stray && ts.drift;
		t->stray = stray ? source_stray_warning(table) : NULL;
		res->pending += ts.pending;
		if (!stray && ts.oldest[0] &&
		    (!res->oldest[0] || strcmp(ts.oldest, res->oldest) < 0))
			memcpy(res->oldest, ts.oldest, sizeof(res->oldest));
	}
	trigger_status_free(&ts);
	table_def_free(def);
	return rc;
}

static void measure_lag(struct status_result *res)
{
	struct moment then;
	if (!res->oldest[0] || moment_parse(res->oldest, &then) != 0)
		return;
	struct moment now = moment_now();
	double lag = (double)(now.sec - then.sec) + (now.ms - then.ms) / 1000.0;
	res->lagging = true;
	res->lag_seconds = lag < 0 ? 0 : lag;
}

/* A mode that reads a log: how far the log runs past the acknowledged
 * position (bytes, and seconds from the next transaction's commit time),
 * and a warning when the server is about to purge that position. */
static int read_log_lag(const struct config *cfg, const struct source_ops *ops, struct source *src,
			struct status_result *res)
{
	const struct capture_ops *cops = capture_ops_for(cfg->mode);
	if (!cops->lag)
		return 0;
	res->reads_log = true;
	return cops->lag(ops, src, cfg->state_dir, &res->log_at, &res->log_lag);
}

/* Only a mode that keeps a changelog can count what waits without a scan:
 * another names its captured tables, uncounted. */
static int count_pending(const struct config *cfg, struct status_result *res)
{
	const struct source_ops *ops = NULL;
	struct source *src = NULL;
	struct strv tables = {0}, stray = {0};
	struct source_options opt = {.changelog = cfg->changelog,
				     .password_file = cfg->password_file,
				     .read_only = true};
	const char *unknown = capture_ops_for(cfg->mode)->pending_unknown;
	int rc = source_open(&ops, &src, cfg->source_url, &opt);
	if (!rc && !unknown)
		rc = source_need_role(ops, ROLE_CHANGELOG, cfg->path_shown);
	if (!rc)
		rc = pipeline_resolve_tables(cfg, ops, src, &tables);
	for (size_t i = 0; i < tables.n && !rc && !unknown; i++)
		rc = count_table(ops, src, tables.v[i], false, res);
	if (!rc && !unknown)
		rc = source_stray_triggers(ops, src, &tables, &stray);
	for (size_t i = 0; i < stray.n && !rc; i++)
		rc = count_table(ops, src, stray.v[i], true, res);
	for (size_t i = 0; i < tables.n && !rc && unknown; i++)
		add_table(res, tables.v[i]);
	if (!rc && unknown) {
		res->pending_unknown = unknown;
		rc = read_log_lag(cfg, ops, src, res);
	} else {
		measure_lag(res);
	}
	strv_free(&stray);
	strv_free(&tables);
	if (ops)
		ops->close(src);
	return rc;
}

int status_run(const struct config *cfg, struct status_result *res)
{
	memset(res, 0, sizeof(*res));
	int rc = read_state(cfg, res);
	if (rc)
		return rc;
	res->have = STATUS_STATE;
	rc = count_pending(cfg, res);
	res->have = STATUS_PENDING;
	if (rc)
		return rc;
	rc = target_probe(cfg);
	res->target_reachable = rc == 0;
	res->target_error = rc ? xstrdup(err_msg()) : NULL;
	err_clear();
	res->have = STATUS_TARGET;
	return 0;
}
