/* Reconcile (docs/design.md §4 step 3b): in one consistent read of the
 * source, the keys with changes pending (in the changelog, or in the
 * binary log after the acknowledged position: the mode says) are set
 * aside, then each table is scanned and each row's key and hash looked up
 * in the published state (pubstore.h): a key consumers lack is I, another
 * hash U, a published key the scan did not see D.
 *
 * The invariant that keeps it from racing live writers: a key with a
 * change pending at the read's snapshot is left to the normal batches,
 * which ship that change (and the published state follows them); a change
 * committed after the snapshot is not in the scan and ships after the
 * reconcile batch. So the batch never doubles nor reverts a captured
 * change; a key it skips is compared again by the next reconcile. A
 * pending TRUNCATE sets the whole table aside.
 *
 * Cost: one lookup per row in the published state; the table is scanned a
 * second time (in the same read) only when published keys went missing,
 * to name them. */
#include "reconcile.h"

#include "codec.h"
#include "err.h"
#include "keyrec.h"
#include "log.h"
#include "naming.h"
#include "progress.h"
#include "pubstore.h"
#include "stop.h"

#include <stdlib.h>
#include <string.h>

/* The codec of each table the changelog names, by name. Owns everything. */
struct busy_ctx {
	struct pipeline *p;
	char **names;
	struct pub_codec *codecs;
	size_t n;
	struct buf ckey, key;
	int64_t marked;
};

static struct pub_codec *busy_codec(struct busy_ctx *b, const struct table_def *def)
{
	for (size_t i = 0; i < b->n; i++)
		if (strcmp(b->names[i], def->name) == 0)
			return &b->codecs[i];
	b->names = xrealloc(b->names, (b->n + 1) * sizeof(*b->names));
	b->codecs = xrealloc(b->codecs, (b->n + 1) * sizeof(*b->codecs));
	b->names[b->n] = xstrdup(def->name);
	pub_codec_init(&b->codecs[b->n], def, b->p->sops->driver);
	return &b->codecs[b->n++];
}

static int mark_image(struct busy_ctx *b, const struct table_def *def, const struct value *row)
{
	if (!row)
		return 0;
	pub_codec_row(busy_codec(b, def), row, &b->ckey, &b->key);
	b->marked++;
	return pubstore_mark(b->p->pub, "busy", def->name, (const uint8_t *)b->ckey.data,
			     b->ckey.len);
}

/* A TRUNCATE pending: the table's empty key marks it all busy. */
static const uint8_t whole_table[1];

/* A change pending: its keys (old and new) are busy. */
static int mark_busy(void *ctx, const struct change *c)
{
	struct busy_ctx *b = ctx;
	if (c->op == CHANGE_MARKER) /* no change: the changelog's seq holder */
		return 0;
	if (c->op == 'T') {
		b->marked++;
		return pubstore_mark(b->p->pub, "busy", c->def->name, whole_table, 0);
	}
	int rc = mark_image(b, c->def, c->before);
	return rc ? rc : mark_image(b, c->def, c->after);
}

static int read_busy(struct pipeline *p, reconcile_pending_fn pending, void *ctx)
{
	struct busy_ctx b = {.p = p};
	int rc = pending(p, ctx, mark_busy, &b);
	if (!rc)
		log_debug("reconcile: %lld pending image(s), their keys left to the normal "
			  "batches",
			  (long long)b.marked);
	for (size_t i = 0; i < b.n; i++) {
		free(b.names[i]);
		pub_codec_free(&b.codecs[i]);
	}
	free(b.names);
	free(b.codecs);
	buf_free(&b.ckey);
	buf_free(&b.key);
	return rc;
}

/* One table being reconciled. Owns codec, the buffers and drow. */
struct rec_table {
	struct pipeline *p;
	struct package *pk;
	const struct table_def *def;
	const char *ts;
	struct pub_codec codec;
	struct buf ckey, key;
	struct value *drow; /* a D image: the key, the rest NULL */
	struct pub_walk *walk;
	struct progress bar;
	int64_t rows, found, inserted, updated, deleted, pending;
};

static int emit(struct rec_table *t, char op, const struct value *row)
{
	struct change c = {.seq = -1, .ts = t->ts, .op = op, .def = t->def};
	if (op == 'D')
		c.before = row;
	else
		c.after = row;
	int64_t *n = op == 'I' ? &t->inserted : op == 'U' ? &t->updated : &t->deleted;
	(*n)++;
	return package_add_change(t->pk, &c);
}

/* First pass: each row against its published hash. */
static int compare_row(void *ctx, const struct value *row)
{
	struct rec_table *t = ctx;
	struct pubstore *ps = t->p->pub;
	progress_add(&t->bar, 1);
	int rc = stop_check();
	if (rc)
		return rc;
	t->rows++;
	uint64_t hash = pub_codec_row(&t->codec, row, &t->ckey, &t->key), was = 0;
	const uint8_t *ck = (const uint8_t *)t->ckey.data;
	int found = pub_walk_find(t->walk, ck, t->ckey.len, &was);
	if (found < 0)
		return found;
	t->found += found;
	if (found && was == hash)
		return 0;
	int busy = pubstore_marked(ps, "busy", t->def->name, ck, t->ckey.len);
	if (busy) {
		t->pending += busy > 0;
		return busy < 0 ? busy : 0;
	}
	return emit(t, found ? 'U' : 'I', row);
}

/* Second pass (published keys went missing): the keys the scan holds. */
static int see_row(void *ctx, const struct value *row)
{
	struct rec_table *t = ctx;
	pub_codec_row(&t->codec, row, &t->ckey, &t->key);
	return pubstore_mark(t->p->pub, "seen", t->def->name, (const uint8_t *)t->ckey.data,
			     t->ckey.len);
}

static int delete_key(void *ctx, const uint8_t *key, size_t n)
{
	struct rec_table *t = ctx;
	struct keyrec r = {.key = key, .klen = n};
	memset(t->drow, 0, t->def->ncols * sizeof(*t->drow));
	keyrec_decode(&r, t->drow, t->codec.keys, t->codec.nkeys);
	return emit(t, 'D', t->drow);
}

static int find_deleted(struct rec_table *t)
{
	struct pipeline *p = t->p;
	int rc = pubstore_clear(p->pub, "seen");
	if (!rc)
		rc = p->sops->read->scan(p->src, t->def, NULL, see_row, t);
	if (!rc)
		rc = pubstore_unseen(p->pub, t->def->name, delete_key, t);
	if (!rc)
		rc = pubstore_clear(p->pub, "seen");
	return rc;
}

static void add_finding(struct reconcile_result *out, const struct rec_table *t,
			const char *skipped)
{
	out->tables = xrealloc(out->tables, (out->ntables + 1) * sizeof(*out->tables));
	out->tables[out->ntables++] = (struct reconcile_table){
		.table = xstrdup(t->def->name),
		.skipped = skipped ? xstrdup(skipped) : NULL,
		.rows = t->rows,
		.inserted = t->inserted,
		.updated = t->updated,
		.deleted = t->deleted,
		.pending = t->pending,
	};
}

static void log_table(const struct rec_table *t)
{
	int64_t repaired = t->inserted + t->updated + t->deleted;
	if (repaired)
		log_warn("reconcile of table %s: %lld row(s) consumers hold differ from the source "
			 "(inserted=%lld updated=%lld deleted=%lld), changes capture missed (a "
			 "write without triggers, a cascade, a REPLACE, a changelog row deleted; "
			 "binlog mode: a write with sql_log_bin = 0); the reconcile batch repairs "
			 "them",
			 NAME_SHOWN_SHORT(t->def->name), (long long)repaired,
			 (long long)t->inserted, (long long)t->updated, (long long)t->deleted);
	log_info("table reconciled table=%s rows=%lld inserted=%lld updated=%lld deleted=%lld "
		 "pending=%lld",
		 NAME_SHOWN_SHORT(t->def->name), (long long)t->rows, (long long)t->inserted,
		 (long long)t->updated, (long long)t->deleted, (long long)t->pending);
}

static int compare_table(struct rec_table *t, int64_t published)
{
	struct pipeline *p = t->p;
	char label[96];
	snprintf(label, sizeof(label), "reconcile %s", NAME_SHOWN_SHORT(t->def->name));
	progress_start(&t->bar, label, "rows", -1);
	int rc = pub_walk_open(p->pub, t->def->name, &t->walk);
	if (!rc)
		rc = p->sops->read->scan(p->src, t->def, NULL, compare_row, t);
	progress_end(&t->bar);
	pub_walk_close(t->walk);
	t->walk = NULL;
	if (!rc && t->found < published)
		rc = find_deleted(t);
	return rc;
}

static int reconcile_one_table(struct pipeline *p, const struct table_def *def, const char *ts,
			       struct package *pk, struct reconcile_result *out)
{
	struct rec_table t = {.p = p, .pk = pk, .def = def, .ts = ts};
	bool baseline = false;
	int64_t published = 0;
	int rc = pubstore_table(p->pub, def->name, &baseline, &published);
	int truncated = rc ? 0 : pubstore_marked(p->pub, "busy", def->name, whole_table, 0);
	if (truncated) {
		log_info("reconcile: table %s has a TRUNCATE pending; the next reconcile compares "
			 "it",
			 NAME_SHOWN_SHORT(def->name));
		if (truncated > 0)
			add_finding(out, &t, "a TRUNCATE pending");
		return truncated < 0 ? truncated : 0;
	}
	if (!rc && !baseline) {
		char *word = name_for_shell(def->name);
		log_warn("reconcile: table %s has no published state to compare with (no load of "
			 "it acknowledged since this cdcpack keeps one); run `cdcpack load %s`%s "
			 "once, and reconciles compare it from then on",
			 NAME_SHOWN_SHORT(def->name), word, name_shell_note(def->name));
		free(word);
		add_finding(out, &t, "no load acknowledged");
		return 0;
	}
	pub_codec_init(&t.codec, def, p->sops->driver);
	t.drow = xcalloc(def->ncols ? def->ncols : 1, sizeof(*t.drow));
	if (!rc)
		rc = compare_table(&t, published);
	if (!rc) {
		log_table(&t);
		add_finding(out, &t, NULL);
	}
	pub_codec_free(&t.codec);
	buf_free(&t.ckey);
	buf_free(&t.key);
	free(t.drow);
	return rc ? err_prefix(rc, "reconcile of table %s", NAME_SHOWN_SHORT(def->name)) : 0;
}

int reconcile_tables(struct pipeline *p, const struct strv *tables, struct package *pk,
		     struct reconcile_result *out, reconcile_pending_fn pending, void *ctx)
{
	char ts[MOMENT_ISO_LEN];
	moment_iso(moment_now(), ts);
	/* Every def lives until the read ends: the package tells files apart
	 * by def pointer. */
	struct table_def **defs = xcalloc(tables->n ? tables->n : 1, sizeof(*defs));
	int rc = p->sops->read->begin_read(p->src);
	if (rc) {
		free(defs);
		return rc;
	}
	rc = read_busy(p, pending, ctx);
	for (size_t i = 0; i < tables->n && !rc; i++) {
		rc = p->sops->read->describe(p->src, tables->v[i], &defs[i]);
		if (!rc)
			rc = reconcile_one_table(p, defs[i], ts, pk, out);
	}
	int end = p->sops->read->end_read(p->src);
	for (size_t i = 0; i < tables->n; i++)
		table_def_free(defs[i]);
	free(defs);
	return rc ? rc : end;
}

static int changelog_pending(struct pipeline *p, void *ctx, change_fn mark, void *mark_ctx)
{
	(void)ctx;
	return p->sops->changelog->read_changes(p->src, INT64_MAX, mark, mark_ctx);
}

int changelog_reconcile(struct pipeline *p, const struct strv *tables, struct package *pk,
			struct reconcile_result *out)
{
	return reconcile_tables(p, tables, pk, out, changelog_pending, NULL);
}
