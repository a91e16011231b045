#include "pipeline.h"

#include "apply.h"
#include "buf.h"
#include "capture.h"
#include "claim.h"
#include "codec.h"
#include "coltype.h"
#include "err.h"
#include "fault.h"
#include "fsutil.h"
#include "idle.h"
#include "log.h"
#include "naming.h"
#include "package.h"
#include "publish.h"
#include "pubstore.h"
#include "recrecord.h"
#include "stop.h"

#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static bool excluded(const struct config *cfg, const char *table)
{
	for (size_t i = 0; i < cfg->exclude.n; i++)
		if (fnmatch(cfg->exclude.v[i], table, 0) == 0)
			return true;
	return false;
}

int pipeline_resolve_tables(const struct config *cfg, const struct source_ops *sops,
			    struct source *src, struct strv *out)
{
	struct strv all = {0};
	int rc = sops->read->list_tables(src, &all);
	struct strv_index ix;
	strv_index_init(&ix, &all);
	for (size_t i = 0; i < cfg->tables.n && !rc; i++)
		if (source_reserved_name(cfg->changelog, cfg->tables.v[i]))
			rc = source_reserved_error(cfg->path_shown, cfg->tables.v[i],
						   cfg->changelog);
		else if (!strv_index_has(&ix, cfg->tables.v[i]))
			rc = err_set(CDC_EUSAGE, "%s: [capture] tables: no table named '%s' in %s",
				     cfg->path_shown, NAME_SHOWN_SHORT(cfg->tables.v[i]),
				     cfg->source_url_shown);
	const struct strv *from = cfg->tables.n ? &cfg->tables : &all;
	for (size_t i = 0; i < from->n && !rc; i++)
		if (!excluded(cfg, from->v[i]))
			strv_push(out, from->v[i]);
	strv_index_free(&ix);
	strv_free(&all);
	return rc;
}

/* A lake folder name longer than a file name may be (NAME_MAX on the
 * common file systems) would stop every run after its archive is
 * published: a file: target cannot create the folder. */
#define LAKE_FOLDER_MAX 255

/* Every captured table's name is one an archive may carry (the columns
 * are checked where the table is read: load, install, a schema change)
 * and, with a [lake] prefix, one a lake folder can take. */
static int check_table_names(const struct config *cfg, const char *driver,
			     const struct strv *tables)
{
	int rc = 0;
	for (size_t i = 0; i < tables->n && !rc; i++) {
		const char *name = tables->v[i];
		if (!coltype_name_ok(name)) {
			struct table_def def = {.name = tables->v[i]};
			return coltype_check_capturable(driver, &def);
		}
		char *dir = cfg->lake_prefix ? table_dir_name(name) : NULL;
		if (dir && strlen(dir) > LAKE_FOLDER_MAX) {
			char shown[NAME_SHOWN_SHORT_SIZE];
			rc = err_set(CDC_EUSAGE,
				     "table '%s' cannot be captured with a [lake] prefix: its "
				     "lake folder name is %zu bytes, more than the %d a folder may "
				     "take; rename it, or leave the table out ([capture] exclude)",
				     name_shown_short_in(shown, name), strlen(dir),
				     LAKE_FOLDER_MAX);
		}
		free(dir);
	}
	return rc;
}

static char *work_dir(const struct pipeline *p)
{
	return xasprintf("%s/work", state_dir(p->st));
}

/* A new state dir starts the chain at batch 1. If the target already holds
 * batches of this source (the state dir was lost or moved), a second chain
 * would claim the same seqs, and changes shipped but not acknowledged would
 * ship twice: refuse. One LIST, only while the state holds no batch. */
static int check_fresh_state(struct pipeline *p)
{
	int64_t seq;
	char *previous = NULL;
	int rc = state_next_seq(p->st, &seq, &previous);
	free(previous);
	if (rc || seq != 1)
		return rc;
	struct published *v = NULL;
	size_t n = 0;
	rc = published_list(p->tops, p->tgt, p->cfg, &v, &n);
	if (!rc && n)
		rc = err_set(
			CDC_ERUNTIME,
			"%s: the state dir has no batch, but %s already holds %zu published "
			"batch(es) of source '%s', the last %s; restore the state dir, or start "
			"another chain (README: Recovery)",
			p->cfg->state_dir, p->cfg->target_url, n, p->cfg->source_name,
			v[n - 1].key);
	published_free(v, n);
	return rc;
}

/* One source name, one chain at the target (src/claim.h): before anything is
 * captured, this chain finds the name its own or unclaimed, and it claims
 * it (write) before it stages its first batch: an idle run writes nothing,
 * and a refused chain leaves no claim behind. */
static int claim_source_name(struct pipeline *p, bool write)
{
	char *dir = work_dir(p);
	int rc = claim_take(p->tops, p->tgt, p->cfg, dir, state_chain(p->st), write, &p->claimed);
	free(dir);
	return rc;
}

/* One changelog, one consumer (docs/design.md §1): the source's owner record names
 * the chain that consumes its changelog and the last batch it staged and
 * acknowledged.
 * Another chain's state dir would take changes away from it, and a stale
 * copy of ours would publish seqs that exist already: refuse both. */
static int check_owner(struct pipeline *p)
{
	if (!p->cops->uses_changelog)
		return 0;
	int rc = p->sops->changelog->chain_owner(p->src, state_chain(p->st), &p->owner);
	if (rc || !p->owner.present)
		return rc;
	if (strcmp(p->owner.chain, state_chain(p->st)) != 0)
		return err_set(
			CDC_ERUNTIME,
			"%s: changelog %s of %s is consumed by another chain (%s, last "
			"acknowledged batch %lld), not this state dir's (%s); each change reaches "
			"one consumer, so this one would take changes away from it. Run with that "
			"chain's state dir, or start another chain with its own [capture] "
			"changelog (README: Recovery); nothing was done",
			NAME_SHOWN_SHORT(p->cfg->state_dir), NAME_SHOWN_SHORT(p->cfg->changelog),
			p->cfg->source_url_shown, NAME_SHOWN_SHORT(p->owner.chain),
			(long long)p->owner.acked, state_chain(p->st));
	int64_t next;
	char *previous = NULL;
	rc = state_next_seq(p->st, &next, &previous);
	free(previous);
	int64_t seen = p->owner.acked > p->owner.staged ? p->owner.acked : p->owner.staged;
	if (!rc && seen >= next)
		rc = err_set(
			CDC_ERUNTIME,
			"%s: %s has seen batch %lld of this chain (staged or acknowledged), but "
			"this state dir records batches up to %lld only: it is an older copy "
			"(restored from a backup, copied by hand) and would publish batches "
			"that exist already. Run with the current state dir; if it is lost, "
			"start another chain (README: Recovery); nothing was done",
			NAME_SHOWN_SHORT(p->cfg->state_dir), p->cfg->source_url_shown,
			(long long)seen, (long long)(next - 1));
	return rc;
}

/* The source, the roles the mode needs of it: the first half of its
 * checks, before the target is opened. The stamp of the last clean run
 * goes, whatever happens next: only a run that ends clean records one. */
static int open_source(struct pipeline *p)
{
	const struct config *cfg = p->cfg;
	struct source_options opt = {.changelog = cfg->changelog,
				     .password_file = cfg->password_file,
				     .secure_delete = cfg->changelog_secure_delete};
	int rc = idle_note(p->st, NULL);
	if (!rc)
		rc = source_open(&p->sops, &p->src, cfg->source_url, &opt);
	if (!rc && p->cops->uses_changelog)
		rc = source_need_role(p->sops, ROLE_CHANGELOG, cfg->path_shown);
	return rc;
}

/* The second half: what the source says of the chain and the tables. */
static int check_source(struct pipeline *p)
{
	const struct config *cfg = p->cfg;
	int rc = 0;
	if (p->cops->uses_changelog)
		rc = source_check_own_tables(p->sops, p->src, cfg->changelog);
	if (!rc)
		rc = check_owner(p);
	if (!rc)
		rc = pipeline_resolve_tables(cfg, p->sops, p->src, &p->tables);
	if (!rc)
		rc = check_table_names(cfg, p->sops->driver, &p->tables);
	return rc;
}

static int reconcile_due(struct pipeline *p, bool *due);

/* Whether this cycle may leave the source closed (docs/design.md §4, "Idle
 * runs"): its stamp, taken now, is the last clean run's, and nothing else
 * is to be done: no batch unfinished, no reconcile due. The stamp is kept
 * for the end of the cycle either way. */
static int decide_idle(struct pipeline *p)
{
	free(p->idle_stamp);
	p->idle_stamp = NULL;
	p->idle = false;
	int rc = idle_stamp(p->cfg, &p->idle_stamp);
	bool same = false, due = false;
	if (!rc)
		rc = idle_same(p->st, p->idle_stamp, &same);
	struct batch *v = NULL;
	size_t n = 0;
	if (!rc && same)
		rc = state_unfinished(p->st, &v, &n);
	batches_free(v, n);
	if (!rc && same && n == 0)
		rc = reconcile_due(p, &due);
	p->idle = !rc && same && n == 0 && !due;
	if (p->idle)
		log_debug("source %s unchanged since the last clean run: not opened",
			  p->cfg->source_url_shown);
	return rc;
}

static int open_on(struct pipeline *p, const struct config *cfg, const struct target_ops *tops,
		   struct target *tgt, bool may_idle)
{
	memset(p, 0, sizeof(*p));
	p->cfg = cfg;
	p->cops = capture_ops_for(cfg->mode);
	p->lock_fd = -1;
	p->tops = tops;
	p->tgt = tgt;
	bool fresh = state_dir_is_new(cfg->state_dir);
	int rc = state_lock(cfg->state_dir, &p->lock_fd);
	if (!rc)
		rc = state_open(&p->st, cfg->state_dir, cfg->source_name);
	if (!rc && may_idle)
		rc = decide_idle(p);
	if (!rc && !p->idle)
		rc = open_source(p);
	if (!rc && !p->tops)
		rc = target_open(&p->tops, &p->tgt, cfg);
	if (!rc)
		rc = check_fresh_state(p);
	if (!rc)
		rc = claim_source_name(p, false);
	if (!rc && !p->idle) {
		fresh = false; /* check_owner claims the changelog for this chain */
		rc = check_source(p);
	}
	/* The published state costs every batch a row hash and a write per
	 * row: kept only where reconcile is on (manual or scheduled). */
	if (!rc && p->cops->reconcile && cfg->reconcile_kept)
		rc = pubstore_open(&p->pub, state_dir(p->st));
	else if (!rc)
		rc = pubstore_drop(state_dir(p->st));
	/* Failed before the source's changelog names the chain (the target's
	 * claim was only read): a state dir this open made goes again, so a
	 * first command that fails (a source not reachable) leaves none. */
	if (rc && fresh && p->lock_fd >= 0) {
		state_close(p->st);
		p->st = NULL;
		state_remove_new(cfg->state_dir);
	}
	if (rc)
		pipeline_close(p);
	return rc;
}

int pipeline_open(struct pipeline *p, const struct config *cfg)
{
	return open_on(p, cfg, NULL, NULL, false);
}

int pipeline_open_run(struct pipeline *p, const struct config *cfg)
{
	return open_on(p, cfg, NULL, NULL, true);
}

int pipeline_open_on(struct pipeline *p, const struct config *cfg, const struct target_ops *tops,
		     struct target *tgt)
{
	return open_on(p, cfg, tops, tgt, false);
}

void pipeline_close(struct pipeline *p)
{
	if (p->sops)
		p->sops->close(p->src);
	if (p->tops)
		p->tops->close(p->tgt);
	pubstore_close(p->pub);
	state_close(p->st);
	state_unlock(p->lock_fd);
	strv_free(&p->tables);
	free(p->idle_stamp);
	memset(p, 0, sizeof(*p));
	p->lock_fd = -1;
}

void run_result_free(struct run_result *res)
{
	for (int i = 0; i < res->batches; i++) {
		free(res->published[i].id);
		free(res->published[i].key);
		free(res->published[i].kind);
	}
	free(res->published);
	reconcile_result_destroy(res->reconciled);
	memset(res, 0, sizeof(*res));
}

/* Whether target holds key with b's exact bytes. */
static int holds(struct pipeline *p, const char *key, const struct batch *b, bool *yes, bool *any)
{
	struct object_info info = {0};
	int rc = p->tops->head(p->tgt, key, &info);
	*yes = *any = false;
	if (rc == CDC_ENOTFOUND)
		return 0;
	*any = rc == 0;
	*yes = rc == 0 && info.size == b->bytes && strcmp(info.xxh128, b->xxh128) == 0;
	return rc;
}

/* A batch whose staged archive is gone and which never left the machine (not
 * at the final key, not whole at the temp key) cannot be rebuilt identically,
 * but nothing of it was acknowledged: its changes are all still in the
 * changelog (snapshot mode: the stored snapshot has not moved). Its record
 * goes (and a partial temp object), and the run captures them again under
 * the same seq. A load batch is captured again by `load`; `run` says so.
 * *forgot when the record went. */
static int recapture_if_lost(struct pipeline *p, const struct batch *b, bool may_load, bool *forgot)
{
	*forgot = false;
	if (b->state >= BATCH_PUBLISHED)
		return 0;
	char *path = xasprintf("%s/%s", state_dir(p->st), b->file);
	bool lost = access(path, F_OK) != 0 && errno == ENOENT;
	free(path);
	if (!lost)
		return 0;
	char *final = xasprintf("%s%s", p->cfg->final_prefix, b->key);
	char *temp = xasprintf("%s%s", p->cfg->temp_prefix, b->key);
	bool whole = false, any = false, at_final = false;
	int rc = holds(p, final, b, &whole, &at_final);
	if (!rc && !at_final)
		rc = holds(p, temp, b, &whole, &any);
	if (!rc && !at_final && !whole) {
		if (strcmp(b->kind, "load") == 0 && !may_load)
			rc = err_set(
				CDC_ERUNTIME,
				"batch %s: the staged load archive was lost before upload; run "
				"'cdcpack load' to capture the tables again",
				b->id);
		if (!rc && any)
			rc = p->tops->remove(p->tgt, temp);
		/* The source first: a copy of the state dir still holding the
		 * batch stays newer than what the source has seen. */
		if (!rc && p->owner.present)
			rc = p->sops->changelog->chain_staged(p->src, b->seq, true);
		if (!rc)
			rc = state_forget(p->st, b->seq);
		if (!rc) {
			log_warn("batch %s: staged archive lost before upload; its changes are "
				 "captured again",
				 b->id);
			*forgot = true;
		}
	}
	free(final);
	free(temp);
	return rc;
}

/* Step 2: every batch not yet acknowledged is finished first, oldest first. */
static int recover(struct pipeline *p, bool may_load, struct run_result *res)
{
	struct batch *v;
	size_t n;
	int rc = state_unfinished(p->st, &v, &n);
	for (size_t i = 0; i < n && !rc && !stop_requested; i++) {
		bool forgot;
		rc = recapture_if_lost(p, &v[i], may_load, &forgot);
		if (rc || forgot)
			continue;
		log_info("recovering batch id=%s state=%s", v[i].id, batch_state_name(v[i].state));
		/* A run killed between staging and telling the source. */
		if (p->owner.present)
			rc = p->sops->changelog->chain_staged(p->src, v[i].seq, false);
		if (!rc)
			rc = batch_finish(p, &v[i], res);
		if (!rc)
			res->recovered++;
	}
	batches_free(v, n);
	return rc;
}

/* A new batch's time: now, or a millisecond after the newest batch's when
 * the clock has not passed it, so that change file names (DMS's
 * yyyymmdd-hhmmssSSS, the lake's keys) stay unique and in chain order even
 * for two batches in one millisecond or a clock set back. */
static int batch_moment(struct pipeline *p, struct moment *out)
{
	char *last = NULL;
	struct moment prev;
	int rc = state_last_created(p->st, &last);
	*out = moment_now();
	if (!rc && last && moment_parse(last, &prev) == 0 && moment_cmp(*out, prev) <= 0)
		*out = (struct moment){prev.sec + (prev.ms + 1) / 1000, (prev.ms + 1) % 1000};
	free(last);
	return rc;
}

/* On the package's worker: the archive's first data frame grew. */
static void frame_grew(void *ctx, const char *path, int64_t bytes)
{
	struct pipeline *p = ctx;
	p->tops->stream_grew(p->stream, path, bytes);
}

/* When the target can, the archive's upload begins while it is compressed
 * (docs/design.md §4 step 5): to the temp key the package will be staged
 * under, seq at time at (the run lock keeps anyone else from staging in
 * between; stream_put falls back to a plain upload should the key differ).
 * Streaming is an optimisation: failing to begin it fails nothing. */
static void start_stream(struct pipeline *p, struct package *pk, int64_t seq, struct moment at)
{
	if (!p->cfg->upload_while_compressing || !p->tops->stream_begin ||
	    p->cfg->compression != COMPRESS_ZSTD)
		return;
	struct batch b = {.key = batch_key(p->cfg->source_name, seq, at, p->cfg->compression)};
	char *temp = publish_temp_key(p->cfg, &b);
	if (p->tops->stream_begin(p->tgt, temp, &p->stream) == 0)
		package_watch_frame(pk, frame_grew, p);
	else
		log_debug("no upload while compressing: %s", err_msg());
	err_clear();
	free(temp);
	free(b.key);
}

/* Frees pk, then ends its stream (its worker, which feeds the stream, first). */
static void end_package(struct pipeline *p, struct package *pk)
{
	package_free(pk);
	if (p->stream)
		p->tops->stream_end(p->stream);
	p->stream = NULL;
}

/* A new package of kind, at the batch's time, reading the changelog's
 * generation; when the published state is kept, its rows are noted there
 * for the seq it will be staged as (the run lock keeps anyone else from
 * staging in between). */
static int start_package(struct pipeline *p, const char *kind, struct package **pk)
{
	char *dir = work_dir(p);
	struct moment at;
	int64_t seq;
	char *previous = NULL;
	int rc = batch_moment(p, &at);
	if (!rc)
		rc = package_new(pk, p->cfg, dir, kind, at);
	free(dir);
	if (!rc)
		package_set_generation(*pk, p->owner.generation[0] ? p->owner.generation : NULL);
	if (!rc)
		rc = state_next_seq(p->st, &seq, &previous);
	free(previous);
	if (!rc)
		start_stream(p, *pk, seq, at);
	if (!rc && p->pub)
		rc = pubstore_begin(p->pub, seq, p->sops->driver);
	if (!rc && p->pub)
		package_track(*pk, p->pub);
	return rc;
}

/* Stages pk when it holds anything and takes it through publish and ack. */
static int ship(struct pipeline *p, struct package *pk, bool keep_empty, struct run_result *res)
{
	if (package_rows(pk) == 0 && !keep_empty)
		return 0;
	int rc = p->claimed ? 0 : claim_source_name(p, true);
	if (rc)
		return rc;
	fault_point("after-capture");
	struct batch b;
	rc = package_stage(pk, p->st, p->sops->driver, &b);
	/* Before it can leave the machine, the source learns it exists. */
	if (!rc && p->owner.present)
		rc = p->sops->changelog->chain_staged(p->src, b.seq, false);
	if (!rc) {
		fault_point("after-stage");
		p->staged = pk;
		rc = batch_finish(p, &b, res);
		p->staged = NULL;
	}
	batch_clear(&b);
	return rc;
}

/* The capture mode's look at the source before it captures (see capture.h). */
static int check_capture(struct pipeline *p)
{
	return p->cops->check ? p->cops->check(p) : 0;
}

/* The same test as the trigger drift check's (table_def_same): a table
 * whose triggers it leaves as they are ships cdc files of the columns it
 * has, never a reload at every run. */
static int differs(const char *table, const char *shipped, const struct table_def *now, bool *yes)
{
	json_error_t jerr;
	json_t *doc = json_loads(shipped, 0, &jerr);
	struct table_def *was = xcalloc(1, sizeof(*was));
	was->name = xstrdup(table);
	int rc = doc ? table_def_columns_from_json(was, doc)
		     : err_set(CDC_ERUNTIME, "state: shipped columns of %s: %s",
			       NAME_SHOWN_SHORT(table), jerr.text);
	*yes = !rc && !table_def_same(was, now);
	json_decref(doc);
	table_def_free(was);
	return rc;
}

/* Whether table's columns (names, types, key) differ from those the chain
 * last shipped it with. A table no batch has carried yet starts from its
 * columns now, or, in a mode that says so, once the chain has started
 * (started), ships as a load. */
static int redefined(struct pipeline *p, const char *table, bool started, bool *yes)
{
	struct table_def *def = NULL;
	char *now = NULL, *shipped = NULL;
	int rc = p->sops->read->describe(p->src, table, &def);
	if (!rc)
		rc = coltype_check_capturable(p->sops->driver, def);
	if (!rc)
		now = table_def_columns_text(def);
	if (!rc)
		rc = state_shipped_columns(p->st, table, &shipped);
	if (!rc && shipped)
		rc = differs(table, shipped, def, yes);
	if (!rc && !shipped && started && p->cops->load_new_tables) {
		log_warn("table %s is new to the chain (created, renamed to this name, or newly "
			 "captured): it ships whole as a load",
			 NAME_SHOWN_SHORT(table));
		*yes = true;
		free(now);
		table_def_free(def);
		return 0;
	}
	if (!rc && !shipped)
		rc = state_note_columns(p->st, table, now);
	if (*yes) {
		log_warn("table %s: its columns changed since the chain last shipped it (a column "
			 "added, dropped, renamed or retyped, or another key); change rows cannot "
			 "carry that to replicas, so the table ships whole as a load batch, which "
			 "replicas take with its new definition",
			 NAME_SHOWN_SHORT(table));
		log_debug("table redefined table=%s shipped=%s now=%s", NAME_SHOWN_SHORT(table),
			  shipped, now);
	}
	free(now);
	free(shipped);
	table_def_free(def);
	return rc;
}

/* A table the chain shipped that is no longer captured (dropped at the
 * source, renamed, or taken out of [capture] tables) ships nothing more, and
 * apply never drops a replica table: say so once, then forget it, so that a
 * table of that name captured later starts afresh (README "Schema changes"). */
static int warn_gone(struct pipeline *p)
{
	struct strv shipped = {0};
	int rc = state_shipped_tables(p->st, &shipped);
	/* An index, not strv_contains: 10,000 tables would be 10^8 compares. */
	struct strv_index captured;
	strv_index_init(&captured, &p->tables);
	for (size_t i = 0; i < shipped.n && !rc; i++) {
		if (strv_index_has(&captured, shipped.v[i]))
			continue;
		log_warn(
			"table %s is no longer captured (dropped at the source, renamed, or taken "
			"out of [capture] tables): nothing more of it ships, and replicas keep the "
			"rows it had (apply never drops a table); drop it there if it should go",
			shipped.v[i]);
		rc = state_forget_columns(p->st, shipped.v[i]);
	}
	strv_index_free(&captured);
	strv_free(&shipped);
	return rc;
}

/* The stamp of the last column comparison that found no table redefined,
 * kept in the state dir. */
#define COMPARED_KEY "compared_columns"

/* What a clean column comparison depends on: the source's schema (schema,
 * capture_schema_stamp's, taken before the comparison) and every column
 * list the state records (read after it: the comparison notes new tables'). */
static int columns_stamp(struct pipeline *p, const char *schema, char **out)
{
	char *shipped = NULL;
	int rc = state_shipped_digest(p->st, &shipped);
	if (!rc)
		*out = xasprintf("%s %s", schema, shipped);
	free(shipped);
	return rc;
}

/* Whether the last clean comparison's stamp is still current: then no
 * table's columns can differ from the shipped ones (a table redefined since
 * moved the schema stamp; a comparison that found one kept no stamp, so a
 * run killed before its reload finds it again). */
static int compared_before(struct pipeline *p, const char *schema, bool *same)
{
	*same = false;
	char *now = NULL, *last = NULL;
	int rc = schema ? columns_stamp(p, schema, &now) : 0;
	if (!rc && now)
		rc = state_meta_get(p->st, COMPARED_KEY, &last);
	*same = !rc && now && last && strcmp(now, last) == 0;
	if (*same)
		log_debug("schema unchanged since the last comparison: columns of %zu table(s) "
			  "as shipped",
			  p->tables.n);
	free(now);
	free(last);
	return rc;
}

/* Each captured table's columns compared with the shipped ones, unless the
 * stamp says nothing moved; the tables that differ in *which. */
static int find_redefined(struct pipeline *p, struct strv *which)
{
	char *schema = NULL, *stamp = NULL;
	bool same = false;
	struct strv shipped = {0};
	int rc = state_shipped_tables(p->st, &shipped);
	bool started = shipped.n > 0;
	strv_free(&shipped);
	if (!rc)
		rc = capture_schema_stamp(p, "columns", &schema);
	if (!rc)
		rc = compared_before(p, schema, &same);
	for (size_t i = 0; i < p->tables.n && !rc && !same; i++) {
		bool yes = false;
		rc = redefined(p, p->tables.v[i], started, &yes);
		if (!rc && yes)
			strv_push(which, p->tables.v[i]);
	}
	if (!rc && !same && schema && which->n == 0)
		rc = columns_stamp(p, schema, &stamp);
	if (!rc && stamp)
		rc = state_meta_set(p->st, COMPARED_KEY, stamp);
	free(stamp);
	free(schema);
	return rc;
}

/* A schema change reaches replicas as a load of the changed tables, before
 * any change logged with the new columns (docs/design.md §4, step 3). The
 * state records a batch's columns with the batch, so a run killed before
 * that load is staged sees the change again and ships it then. */
static int reload_redefined(struct pipeline *p, struct run_result *res)
{
	struct strv which = {0};
	int rc = find_redefined(p, &which);
	struct package *pk = NULL;
	if (!rc && which.n)
		rc = start_package(p, "load", &pk);
	if (pk && !rc)
		rc = p->cops->load(p, &which, pk);
	if (pk && !rc)
		rc = ship(p, pk, true, res);
	end_package(p, pk);
	strv_free(&which);
	return rc;
}

static int run_one_batch(struct pipeline *p, struct run_result *res, bool *more)
{
	struct package *pk = NULL;
	bool load = false;
	int rc = p->cops->first_load(p, &load);
	if (!rc)
		rc = start_package(p, load ? "load" : "cdc", &pk);
	if (!rc)
		rc = load ? p->cops->load(p, &p->tables, pk) : p->cops->changes(p, pk);
	*more = !rc && p->cops->batches_until_idle && package_rows(pk) >= p->cfg->max_rows;
	if (!rc)
		rc = ship(p, pk, load, res);
	end_package(p, pk);
	return rc;
}

/* The state's record of the last reconcile: {"at", "batch", "tables"},
 * each table as the --json report shows it. */
#define RECONCILE_KEY "reconcile_last"

static int note_reconcile(struct pipeline *p, const struct reconcile_result *r)
{
	char *text = reconcile_record_text(r);
	int rc = state_meta_set(p->st, RECONCILE_KEY, text);
	free(text);
	return rc;
}

int pipeline_last_reconcile(struct state *st, struct reconcile_result **out)
{
	char *last = NULL;
	int rc = state_meta_get(st, RECONCILE_KEY, &last);
	*out = NULL;
	if (!rc && last) {
		*out = xcalloc(1, sizeof(**out));
		reconcile_record_parse(last, *out);
		if (!(*out)->at) {
			reconcile_result_destroy(*out);
			*out = NULL;
		}
	}
	free(last);
	return rc;
}

/* Step 3b: tables compared with the published state, the difference
 * shipped as a batch of kind reconcile (nothing when there is none);
 * noted as the last reconcile (status, the schedule) unless owed. Once
 * its batch is acknowledged the tables are owed no reconcile, whoever
 * asked for this one (a run, its schedule, `cdcpack reconcile`). */
static int reconcile(struct pipeline *p, const struct strv *tables, bool owed,
		     struct run_result *res)
{
	char at[MOMENT_ISO_LEN];
	moment_iso(moment_now(), at);
	struct reconcile_result *r = xcalloc(1, sizeof(*r));
	r->at = xstrdup(at);
	struct package *pk = NULL;
	int made = res->batches;
	int rc = start_package(p, "reconcile", &pk);
	if (!rc)
		rc = p->cops->reconcile(p, tables, pk, r);
	if (!rc)
		rc = ship(p, pk, false, res);
	end_package(p, pk);
	if (!rc && res->batches > made)
		r->batch = xstrdup(res->published[res->batches - 1].id);
	if (!rc && p->cops->reconcile_done)
		rc = p->cops->reconcile_done(p, tables);
	if (!rc && !owed)
		rc = note_reconcile(p, r);
	if (!rc && !res->reconciled) {
		res->reconciled = r;
		return 0;
	}
	reconcile_result_destroy(r);
	return rc;
}

/* The tables the capture mode says the run must reconcile now that its
 * batches are acknowledged (binlog mode: children of cascading foreign
 * keys, capture.h); none left when the run reconciled every table.
 * Not noted as the last reconcile: its repairs are no missed changes to
 * alert on, and the tables it leaves out keep their schedule. */
static int reconcile_owed(struct pipeline *p, struct run_result *res)
{
	struct strv due = {0};
	int rc = p->cops->reconcile_due && p->pub ? p->cops->reconcile_due(p, &due) : 0;
	if (!rc && due.n) {
		log_info("reconciling %zu table(s) a cascading foreign key changed", due.n);
		rc = reconcile(p, &due, true, res);
	}
	strv_free(&due);
	return rc;
}

/* [capture] reconcile: whether the last reconcile is older than it. */
static int reconcile_due(struct pipeline *p, bool *due)
{
	*due = false;
	if (!p->cfg->reconcile_s || !p->cops->reconcile)
		return 0;
	struct reconcile_result *last = NULL;
	int rc = pipeline_last_reconcile(p->st, &last);
	struct moment at;
	*due = !rc && (!last || moment_parse(last->at, &at) != 0 ||
		       moment_now().sec - at.sec >= p->cfg->reconcile_s);
	reconcile_result_destroy(last);
	return rc;
}

/* Step 8: staged archives of acknowledged batches older than keep_local go,
 * and so do files in staging that no batch names (a run killed between
 * writing an archive and recording it). */
static int prune(struct pipeline *p)
{
	struct batch *v;
	size_t n;
	int rc = state_all(p->st, &v, &n);
	if (rc)
		return rc;
	time_t now = time(NULL);
	struct strv recorded = {0};
	for (size_t i = 0; i < n; i++) {
		const char *slash = strrchr(v[i].file, '/');
		strv_push(&recorded, slash ? slash + 1 : v[i].file);
		struct moment created;
		if (v[i].state != BATCH_ACKED || moment_parse(v[i].created, &created) != 0 ||
		    now - created.sec < p->cfg->keep_local_s)
			continue;
		char *path = xasprintf("%s/%s", state_dir(p->st), v[i].file);
		if (unlink(path) == 0)
			log_debug("pruned staged archive %s", path);
		free(path);
	}
	char *dir = xasprintf("%s/staging", state_dir(p->st));
	/* Never through a symlink planted since the open: it would have us
	 * delete whatever folder it names. */
	rc = fs_private_dir(dir, "staging dir", false);
	DIR *d = rc ? NULL : opendir(dir);
	for (struct dirent *e; d && (e = readdir(d));) {
		if (e->d_name[0] == '.' || strv_contains(&recorded, e->d_name))
			continue;
		char *path = xasprintf("%s/%s", dir, e->d_name);
		log_info("removing unrecorded staging file %s", path);
		unlink(path);
		free(path);
	}
	if (d)
		closedir(d);
	free(dir);
	strv_free(&recorded);
	batches_free(v, n);
	return rc;
}

/* The first cycle was decided at open; a later cycle of run --every whose
 * source is still closed is idle again, or opens the source now. */
static int start_cycle(struct pipeline *p)
{
	if (p->src || p->idle)
		return 0;
	int rc = decide_idle(p);
	if (!rc && !p->idle)
		rc = open_source(p);
	if (!rc && !p->idle)
		rc = check_source(p);
	return rc;
}

/* The end of a clean cycle: its stamp is recorded when nothing is left
 * pending (no batch unfinished, no full batch that may have more behind
 * it, no stop) and nothing was said that an idle run would leave unsaid. */
static int note_clean(struct pipeline *p, bool more, unsigned long warned)
{
	struct batch *v = NULL;
	size_t n = 0;
	if (!p->idle_stamp || p->idle || more || stop_requested || log_warnings() != warned)
		return 0;
	int rc = state_unfinished(p->st, &v, &n);
	batches_free(v, n);
	if (!rc && n == 0)
		rc = idle_note(p->st, p->idle_stamp);
	return rc;
}

/* The full cycle: recover, capture until idle, reconcile when due. */
static int full_cycle(struct pipeline *p, int max_batches, struct run_result *res)
{
	unsigned long warned = log_warnings();
	int rc = recover(p, false, res);
	if (!rc)
		rc = check_capture(p);
	if (!rc)
		rc = warn_gone(p);
	if (!rc)
		rc = reload_redefined(p, res);
	bool more = true;
	for (int made = 0;
	     !rc && more && !stop_requested && (max_batches <= 0 || made < max_batches); made++)
		rc = run_one_batch(p, res, &more);
	bool due = false;
	if (!rc && !stop_requested)
		rc = reconcile_due(p, &due);
	if (!rc && due)
		rc = reconcile(p, &p->tables, false, res);
	if (!rc && !stop_requested)
		rc = reconcile_owed(p, res);
	if (!rc)
		rc = note_clean(p, more, warned);
	return rc;
}

int pipeline_run(struct pipeline *p, int max_batches, struct run_result *res)
{
	int rc = start_cycle(p);
	if (!rc && !p->idle)
		rc = full_cycle(p, max_batches, res);
	/* The stamp was this cycle's: the next one decides afresh. */
	free(p->idle_stamp);
	p->idle_stamp = NULL;
	p->idle = false;
	if (!rc)
		rc = prune(p);
	if (!rc && stop_requested)
		log_info("stop requested: ending the run between steps");
	return rc == CDC_EINTR ? 0 : rc;
}

/* The tables a command names must be captured ones. */
static int check_named(struct pipeline *p, const char *cmd, const struct strv *tables)
{
	for (size_t i = 0; i < tables->n; i++)
		if (source_reserved_name(p->cfg->changelog, tables->v[i]))
			return source_reserved_error(cmd, tables->v[i], p->cfg->changelog);
		else if (!strv_contains(&p->tables, tables->v[i]))
			return err_set(CDC_EUSAGE,
				       "%s: '%s' is not a captured table (see [capture] "
				       "tables and exclude in %s)",
				       cmd, NAME_SHOWN_SHORT(tables->v[i]), p->cfg->path_shown);
	return 0;
}

int pipeline_reconcile(struct pipeline *p, const struct strv *tables, struct run_result *res)
{
	if (!p->cops->reconcile)
		return err_set(CDC_EUSAGE,
			       "reconcile: capture mode %s does not reconcile (snapshot mode "
			       "compares every row at every run)",
			       p->cops->name);
	if (p->cfg->cdc_ops != CDC_OPS_ALL)
		return err_set(CDC_EUSAGE,
			       "reconcile: %s: [batch] cdc_ops = %s leaves changes out on purpose, "
			       "which a reconcile would ship",
			       p->cfg->path_shown, config_cdc_ops_name(p->cfg->cdc_ops));
	if (!p->pub)
		return err_set(CDC_EUSAGE,
			       "reconcile: %s: [capture] reconcile is off, so no published state "
			       "is kept to compare with; set reconcile = manual (or a duration "
			       "like 1d), then run 'cdcpack load' once",
			       p->cfg->path_shown);
	int rc = check_named(p, "reconcile", tables);
	if (!rc)
		rc = recover(p, false, res);
	if (!rc)
		rc = check_capture(p);
	if (!rc)
		rc = reload_redefined(p, res);
	if (!rc)
		rc = reconcile(p, tables->n ? tables : &p->tables, false, res);
	if (!rc)
		rc = prune(p);
	return rc == CDC_EINTR ? 0 : rc;
}

int pipeline_load(struct pipeline *p, const struct strv *tables, struct run_result *res)
{
	const struct strv *which = tables->n ? tables : &p->tables;
	int rc = check_named(p, "load", tables);
	if (rc)
		return rc;
	rc = recover(p, true, res);
	if (!rc)
		rc = check_capture(p);
	struct package *pk = NULL;
	if (!rc)
		rc = start_package(p, "load", &pk);
	if (!rc)
		rc = p->cops->load(p, which, pk);
	if (!rc)
		rc = ship(p, pk, true, res);
	end_package(p, pk);
	if (!rc)
		rc = prune(p);
	return rc == CDC_EINTR ? 0 : rc;
}
