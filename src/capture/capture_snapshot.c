/* Snapshot capture (docs/design.md §4 step 3, mode = snapshot): in one
 * consistent read, each captured table is scanned in key order and merged
 * with its stored snapshot (snapstore.h) by the diff engine (diff.h): a new
 * key is I, another row hash U (the new image), a missing key D (the key,
 * the rest NULL). The new snapshot is written beside the old one as the
 * scan goes and becomes current only when its batch is acknowledged
 * (step 7), so a run killed at any point re-derives the same changes. */
#include "capture.h"

#include "diff.h"
#include "codec.h"
#include "err.h"
#include "log.h"
#include "progress.h"
#include "naming.h"
#include "recqueue.h"
#include "snapstore.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* One capture: the batch it fills and the seq that batch will get. Owns
 * ss and defs (the package tells files apart by def pointer, so every def
 * lives until the capture ends). */
struct snap_capture {
	struct pipeline *p;
	struct package *pk;
	struct snapstore *ss;
	int64_t seq;
	bool load;
	char ts[MOMENT_ISO_LEN];
	struct table_def **defs;
	size_t ndefs;
};

/* One table being merged. Owns plan, writer and drow. */
struct snap_table {
	struct snap_capture *cap;
	const struct table_def *def;
	struct diff_plan plan;
	struct snap_writer *w;
	struct value *drow; /* a D image: the key, the rest NULL */
};

static int no_records(void *ctx, struct keyrec *out)
{
	(void)ctx;
	(void)out;
	return 0;
}

static int emit_change(void *ctx, char op, const struct value *b_row, const struct keyrec *a)
{
	struct snap_table *t = ctx;
	if (t->cap->load)
		return package_add_load_row(t->cap->pk, t->def, b_row);
	/* Snapshot changes have no changelog seq; ts is when the snapshot was read. */
	struct change c = {.seq = -1, .ts = t->cap->ts, .op = op, .def = t->def};
	if (op == 'D') {
		diff_key_row(&t->plan, a, t->drow, t->def->ncols);
		c.before = t->drow;
	} else {
		c.after = b_row;
	}
	return package_add_change(t->cap->pk, &c);
}

static int keep_record(void *ctx, const uint8_t *key, size_t klen, uint64_t hash)
{
	struct snap_table *t = ctx;
	return snap_writer_add(t->w, key, klen, hash);
}

static bool same_key(const struct table_def *a, const struct table_def *b)
{
	size_t i = 0, j = 0;
	for (;; i++, j++) {
		while (i < a->ncols && !a->cols[i].key)
			i++;
		while (j < b->ncols && !b->cols[j].key)
			j++;
		if (i == a->ncols || j == b->ncols)
			return i == a->ncols && j == b->ncols;
		if (strcasecmp(a->cols[i].name, b->cols[j].name) != 0)
			return false;
	}
}

/* Whether the stored snapshot can be merged with; says why when not. */
static bool usable(const struct snap_entry *cur, const struct table_def *def)
{
	if (!same_key(cur->def, def)) {
		char *word = name_for_shell(def->name);
		log_warn("table %s: its key changed since the last snapshot: every row is shipped "
			 "as I, and rows deleted since then are not shipped as D (run `cdcpack "
			 "load %s`%s to refresh replicas)",
			 NAME_SHOWN_SHORT(def->name), word, name_shell_note(def->name));
		free(word);
		return false;
	}
	if (!table_def_same(cur->def, def))
		log_warn("schema drift on table %s: its columns changed since the last snapshot; "
			 "every row is shipped as U with the new column list",
			 NAME_SHOWN_SHORT(def->name));
	if (cur->hashver != HASH_VERSION)
		log_warn("table %s: its snapshot was hashed by another cdcpack version; every row "
			 "is shipped as U this once",
			 NAME_SHOWN_SHORT(def->name));
	return true;
}

/* The scan's rows go to the merge, counted on a progress line. */
struct scan_feed {
	struct diff_merge *m;
	struct progress bar;
};

static int feed_row(void *ctx, const struct value *row)
{
	struct scan_feed *f = ctx;
	progress_add(&f->bar, 1);
	return diff_merge_row(f->m, row);
}

static int merge_table(struct snap_table *t, const struct snap_entry *cur, struct snap_entry *made)
{
	struct pipeline *p = t->cap->p;
	struct snap_reader *r = NULL;
	int rc = cur ? snap_reader_open(&r, t->cap->ss, cur) : 0;
	struct diff_merge m = {
		.plan = &t->plan,
		.table = t->def->name,
		.a_label = "the stored snapshot",
		.b_label = p->cfg->source_url,
		.a = r ? snap_reader_source(r) : (struct rec_source){no_records, NULL},
		.hashes_unknown = cur && cur->hashver != HASH_VERSION,
		/* The stored keys rose when they were written (they were this scan's
		 * keys then, checked by the merge that wrote them), and the reader
		 * fails the capture at the end unless the file is that one, byte
		 * for byte: nothing of a damaged file is staged. Under another
		 * column list (or hash version) the key comparison may differ:
		 * checked again. */
		.a_checked =
			cur && cur->hashver == HASH_VERSION && table_def_same(cur->def, t->def),
		.emit = emit_change,
		.keep = keep_record,
		.ctx = t,
	};
	if (!rc)
		rc = diff_merge_start(&m);
	struct scan_feed feed = {&m, {0}};
	char label[96];
	snprintf(label, sizeof(label), "scan %s", NAME_SHOWN_SHORT(t->def->name));
	progress_start(&feed.bar, label, "rows", -1);
	if (!rc)
		/* Read on a second thread: the source's VM and value conversion
		 * overlap with the hashing, merging and packaging done here. */
		rc = rec_queue_scan_rows(p->sops, p->src, t->def, t->plan.key_classes, feed_row,
					 &feed);
	progress_end(&feed.bar);
	if (!rc)
		rc = diff_merge_finish(&m);
	if (!rc) {
		rc = snap_writer_close(t->w, made); /* frees the writer either way */
		t->w = NULL;
	}
	if (!rc)
		log_info(
			"table captured table=%s rows=%lld inserted=%lld updated=%lld deleted=%lld",
			NAME_SHOWN_SHORT(t->def->name), (long long)m.rows_b, (long long)m.inserted,
			(long long)m.updated, (long long)m.deleted);
	diff_merge_free(&m);
	snap_reader_close(r);
	return rc;
}

/* The current snapshot of def's table to merge with: 1 when there is a
 * usable one, 0 when the table starts from nothing (a load, a new table). */
static int previous(struct snap_capture *cap, const struct table_def *def, struct snap_entry *cur)
{
	memset(cur, 0, sizeof(*cur));
	if (cap->load)
		return 0;
	int rc = snapstore_current(cap->ss, def->name, cur);
	if (rc == 1 && !usable(cur, def)) {
		snap_entry_clear(cur);
		rc = 0;
	}
	return rc;
}

static int capture_table(struct snap_capture *cap, const struct table_def *def, size_t index)
{
	struct snap_table t = {.cap = cap, .def = def};
	struct snap_entry cur, made = {0};
	int found = previous(cap, def, &cur);
	int rc = found < 0 ? found : 0;
	if (!rc && cap->load)
		rc = package_add_table(cap->pk, def);
	if (!rc)
		rc = snap_writer_open(&t.w, cap->ss, cap->seq, index);
	if (!rc) {
		diff_plan_init(&t.plan, def, cap->p->sops->driver, def, cap->p->sops->driver);
		t.drow = xcalloc(def->ncols, sizeof(*t.drow));
		rc = merge_table(&t, found == 1 ? &cur : NULL, &made);
	}
	if (!rc) {
		made.table = xstrdup(def->name);
		made.seq = cap->seq;
		made.hashver = HASH_VERSION;
		made.def = table_def_copy(def);
		rc = snapstore_add_pending(cap->ss, &made);
	}
	snap_writer_abort(t.w);
	diff_plan_free(&t.plan);
	free(t.drow);
	snap_entry_clear(&cur);
	snap_entry_clear(&made);
	return rc ? err_prefix(rc, "snapshot of table %s", NAME_SHOWN_SHORT(def->name)) : 0;
}

static int capture_tables(struct snap_capture *cap, const struct strv *tables)
{
	struct pipeline *p = cap->p;
	cap->defs = xcalloc(tables->n ? tables->n : 1, sizeof(*cap->defs));
	int rc = p->sops->read->begin_read(p->src);
	for (size_t i = 0; i < tables->n && !rc; i++) {
		rc = p->sops->read->describe(p->src, tables->v[i], &cap->defs[i]);
		cap->ndefs = i + 1;
		if (!rc)
			rc = capture_table(cap, cap->defs[i], i);
	}
	int end = p->sops->read->end_read(p->src);
	return rc ? rc : end;
}

/* The batch this capture fills will be staged as the next seq: the run
 * lock keeps anyone else from staging in between. */
static int run_capture(struct pipeline *p, const struct strv *tables, struct package *pk, bool load)
{
	struct snap_capture cap = {.p = p, .pk = pk, .load = load};
	char *previous_id = NULL;
	moment_iso(moment_now(), cap.ts);
	int rc = state_next_seq(p->st, &cap.seq, &previous_id);
	free(previous_id);
	if (!rc)
		rc = snapstore_open(&cap.ss, state_dir(p->st));
	if (!rc)
		rc = snapstore_begin(cap.ss, cap.seq);
	if (!rc)
		rc = capture_tables(&cap, tables);
	for (size_t i = 0; i < cap.ndefs; i++)
		table_def_free(cap.defs[i]);
	free(cap.defs);
	snapstore_close(cap.ss);
	return rc;
}

static int snapshot_first_run(struct pipeline *p, bool *first)
{
	struct snapstore *ss = NULL;
	*first = true;
	int rc = snapstore_open(&ss, state_dir(p->st));
	for (size_t i = 0; i < p->tables.n && !rc && *first; i++) {
		struct snap_entry cur;
		rc = snapstore_current(ss, p->tables.v[i], &cur);
		if (rc == 1)
			*first = false;
		rc = rc < 0 ? rc : 0;
		snap_entry_clear(&cur);
	}
	snapstore_close(ss);
	return rc;
}

static int snapshot_capture(struct pipeline *p, struct package *pk)
{
	return run_capture(p, &p->tables, pk, false);
}

static int snapshot_load(struct pipeline *p, const struct strv *tables, struct package *pk)
{
	return run_capture(p, tables, pk, true);
}

static int snapshot_ack(struct pipeline *p, const struct batch *b)
{
	struct snapstore *ss = NULL;
	int rc = snapstore_open(&ss, state_dir(p->st));
	if (!rc)
		rc = snapstore_promote(ss, b->seq);
	snapstore_close(ss);
	return rc;
}

const struct capture_ops snapshot_capture_ops = {
	.name = "snapshot",
	.uses_changelog = false,
	.pending_unknown = "snapshot mode: changes are found by the next run's full scan of the "
			   "tables, which status does not do",
	.batches_until_idle = false,
	.check = NULL,
	.first_load = snapshot_first_run,
	.changes = snapshot_capture,
	.load = snapshot_load,
	.ack = snapshot_ack,
};
