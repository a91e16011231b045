#include "apply.h"

#include "archive.h"
#include "buf.h"
#include "changefile.h"
#include "claim.h"
#include "codec.h"
#include "err.h"
#include "fault.h"
#include "fsutil.h"
#include "log.h"
#include "manifest.h"
#include "redact.h"
#include "source.h"
#include "stop.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

struct list_ctx {
	const struct config *cfg;
	struct published *v;
	size_t n, cap;
};

static int collect(void *ctx, const char *key, int64_t size)
{
	struct list_ctx *lc = ctx;
	const char *rel = key + strlen(lc->cfg->final_prefix);
	int64_t seq;
	struct moment created;
	if (batch_key_parse(rel, lc->cfg->source_name, &seq, &created) != 0)
		return 0; /* not ours: other files may share the prefix */
	if (lc->n == lc->cap) {
		lc->cap = lc->cap ? lc->cap * 2 : 64;
		lc->v = xrealloc(lc->v, lc->cap * sizeof(*lc->v));
	}
	lc->v[lc->n++] = (struct published){seq, xstrdup(key), created, size};
	return 0;
}

static int by_seq(const void *a, const void *b)
{
	const struct published *x = a, *y = b;
	return (x->seq > y->seq) - (x->seq < y->seq);
}

int published_list(const struct target_ops *ops, struct target *tgt, const struct config *cfg,
		   struct published **out, size_t *n)
{
	struct list_ctx lc = {.cfg = cfg};
	char *prefix = xasprintf("%s%s/", cfg->final_prefix, cfg->source_name);
	int rc = ops->list(tgt, prefix, collect, &lc);
	free(prefix);
	if (lc.n)
		qsort(lc.v, lc.n, sizeof(*lc.v), by_seq);
	for (size_t i = 1; i < lc.n && !rc; i++)
		if (lc.v[i].seq == lc.v[i - 1].seq)
			rc = err_set(CDC_ERUNTIME,
				     "two published objects claim batch %lld: %s and %s",
				     (long long)lc.v[i].seq, lc.v[i - 1].key, lc.v[i].key);
	if (rc) {
		published_free(lc.v, lc.n);
		return rc;
	}
	*out = lc.v;
	*n = lc.n;
	return 0;
}

void published_free(struct published *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i].key);
	free(v);
}

void apply_result_free(struct apply_result *res)
{
	strv_free(&res->applied);
	strv_free(&res->warnings);
	memset(res, 0, sizeof(*res));
}

/* Everything one apply holds. */
struct applier {
	const struct config *cfg;
	const struct target_ops *tops;
	struct target *tgt;
	const struct source_ops *rops;
	struct source *replica;
	char *tmp;		      /* private temp dir */
	char *last_id;		      /* last applied batch id, for the chain check */
	char *last_chain;	      /* the chain of the last batch read that names one */
	char claim[CHAIN_ID_LEN + 1]; /* the chain owning the source name at the target; "" none */
	/* The chain's published batches (borrowed), the seq being applied,
	 * --until (borrowed, or NULL). */
	const struct published *later;
	size_t nlater;
	int64_t seq;
	const struct moment *until;
	/* The later batches the look-ahead fetched, each with the tables it
	 * loads (none for a cdc batch): a batch is fetched for it once, not once
	 * per table that asks. */
	struct seen_batch *seen;
	size_t nseen;
	bool said_partial; /* the cdc_ops warning was given */
};

struct seen_batch {
	int64_t seq;
	struct strv loads;
};

/* Which changes of a file one pass applies. */
enum pass { PASS_ALL, PASS_DELETES, PASS_UPSERTS };

/* T (binlog mode's TRUNCATE) empties the table where it stands in the
 * file's order, inside the batch's transaction. */
static int apply_change(struct applier *a, const struct table_def *def, char op,
			const struct value *before, const struct value *after)
{
	const struct replica_ops *r = a->rops->replica;
	if (op == 'T') {
		if (!r->truncate)
			return err_set(CDC_ERUNTIME, "this replica cannot empty table %s (T)",
				       NAME_SHOWN_SHORT(def->name));
		/* Rows gathered into a multi-row statement come before the
		 * TRUNCATE in change order: they go first. */
		int rc = r->flush ? r->flush(a->replica) : 0;
		return rc ? rc : r->truncate(a->replica, def);
	}
	return op == 'D' ? r->delete (a->replica, def, before) : r->upsert(a->replica, def, after);
}

/* Reads every change of f in order; with a set, applies each the pass
 * takes to the replica (I and U upsert, D deletes by key). Counts every
 * change read in *n, and each op in ops (I, U, D, T) when it is given. */
static int each_change(struct applier *a, const struct manifest_file *f, enum pass pass, int64_t *n,
		       int64_t ops[4])
{
	struct changefile_reader *r;
	int rc = changefile_open(&r, f->local, f->def, f->format, f->op_column, f->header, &f->csv);
	char op;
	const struct value *before, *after;
	int got = 0;
	while (!rc && (got = changefile_next(r, &op, &before, &after)) == 1) {
		/* A stop rolls the batch's transaction back. */
		rc = stop_check();
		if (rc)
			break;
		bool take = pass == PASS_ALL || (pass == PASS_DELETES) == (op == 'D' || op == 'T');
		if (a && take)
			rc = apply_change(a, f->def, op, before, after);
		(*n)++;
		if (ops)
			ops[strchr("IUDT", op) - "IUDT"]++;
	}
	if (!rc && got < 0)
		rc = got;
	if (!rc && a && a->rops->replica->flush)
		rc = a->rops->replica->flush(a->replica);
	/* Said once a file: every pass reads all of it, the deletes' first. */
	if (!rc && a && pass != PASS_DELETES && changefile_old_spelling(r))
		log_warn("%s", changefile_old_spelling(r));
	changefile_close(r);
	return rc;
}

static int apply_file(struct applier *a, const struct manifest_file *f, enum pass pass,
		      int64_t *rows)
{
	int64_t n = 0;
	int rc = each_change(a, f, pass, &n, NULL); /* the counts were checked by check_file */
	if (pass != PASS_DELETES)
		*rows += n;
	return rc ? err_prefix(rc, "apply %s", NAME_SHOWN_SHORT(f->path)) : 0;
}

/* Reads a change file through once without applying it: a batch whose
 * files do not parse or do not hold the rows the manifest says is refused
 * before anything, even a CREATE TABLE, touches the replica. */
static int check_file(const struct manifest_file *f)
{
	int64_t n = 0, ops[4] = {0};
	int rc = each_change(NULL, f, PASS_ALL, &n, ops);
	if (!rc && n != f->rows)
		rc = err_set(CDC_ERUNTIME, "table %s holds %lld rows, the manifest says %lld",
			     NAME_SHOWN_SHORT(f->def->name), (long long)n, (long long)f->rows);
	/* The per-op counts too, where the file says each row's op (F34: JSONL
	 * always; CSV with an Op column); a CSV file without one holds inserts,
	 * whatever its manifest says. */
	bool ops_said = f->op_column || f->format == FORMAT_JSONL;
	for (int i = 0; i < 4 && !rc && ops_said; i++)
		if (ops[i] != f->ops[i])
			rc = err_set(CDC_ERUNTIME,
				     "table %s holds %lld %c rows, the manifest says %lld",
				     NAME_SHOWN_SHORT(f->def->name), (long long)ops[i], "IUDT"[i],
				     (long long)f -> ops[i]);
	return rc ? err_prefix(rc, "check %s", NAME_SHOWN_SHORT(f->path)) : 0;
}

/* A load replaces each table's contents, once per table per batch. */
static int truncate_for_load(struct applier *a, const struct manifest *m, size_t i)
{
	if (strcmp(m->kind, "load") != 0 || !a->rops->replica->truncate)
		return 0;
	for (size_t j = 0; j < i; j++)
		if (strcmp(m->files[j].def->name, m->files[i].def->name) == 0)
			return 0;
	return a->rops->replica->truncate(a->replica, m->files[i].def);
}

/* How a replica table stands to the columns a file carries. */
enum fit {
	FIT_ABSENT, /* no such table */
	FIT_SAME,   /* the very columns, types and key */
	FIT_WIDER,  /* those, and columns of its own */
	FIT_OTHER,  /* a column missing, retyped or keyed otherwise: *why says which */
	FIT_ALIAS,  /* the same, but its INTEGER key is a rowid alias, which refuses the
		     * text keys the source's may hold (F28; a replica made before) */
};

static enum fit column_fit(const struct applier *a, const struct table_def *have,
			   const struct table_def *def, char **why)
{
	for (size_t i = 0; i < def->ncols; i++) {
		const struct column *want = &def->cols[i], *found = NULL;
		for (size_t j = 0; j < have->ncols && !found; j++)
			if (strcasecmp(have->cols[j].name, want->name) == 0)
				found = &have->cols[j];
		if (!found)
			*why = xasprintf("it has no column %s", NAME_SHOWN_SHORT(want->name));
		else if (found->key != want->key)
			*why = xasprintf("column %s is %sa key column there",
					 NAME_SHOWN_SHORT(want->name), found->key ? "" : "not ");
		else if (!a->rops->replica->same_type(found->type, want, def->foreign))
			*why = xasprintf("column %s is %s there, not %s",
					 NAME_SHOWN_SHORT(want->name),
					 NAME_SHOWN_SHORT(found->type), want->type);
		if (*why)
			return FIT_OTHER;
	}
	if (table_def_nkeys(have) != table_def_nkeys(def)) {
		*why = xstrdup("its key has other columns");
		return FIT_OTHER;
	}
	/* Only SQLite (type affinity) has aliases; cdc batches of integer keys
	 * still fit such a table, a load makes it anew. */
	if (def->int_key_not_alias && !have->int_key_not_alias && have->type_affinity) {
		*why = xstrdup("its INTEGER key is a rowid alias there, which takes no text");
		return FIT_ALIAS;
	}
	return have->ncols == def->ncols ? FIT_SAME : FIT_WIDER;
}

static int replica_fit(struct applier *a, const struct table_def *def, enum fit *fit, char **why)
{
	struct table_def *have = NULL;
	*why = NULL;
	*fit = FIT_ABSENT;
	int rc = a->rops->read->describe(a->replica, def->name, &have);
	if (rc == CDC_ENOTFOUND) {
		err_clear();
		return 0;
	}
	if (!rc)
		*fit = column_fit(a, have, def, why);
	table_def_free(have);
	return rc;
}

/* A published batch downloaded and unpacked: its manifest, whose change
 * files live under dir until fetched_drop removes them. */
struct fetched {
	char *dir;
	struct manifest m;
};

/* Fetches p into the temp dir's subdirectory slot (the batch being applied
 * and the look-ahead each have one, both open at once), checking it as
 * archive_read_batch does; the archive goes once unpacked. On error, f
 * still goes to fetched_drop. */
static int fetch_batch(struct applier *a, const struct published *p, const char *slot,
		       struct fetched *f)
{
	/* Named as at the target, so that messages name the archive. */
	const char *base = strrchr(p->key, '/') ? strrchr(p->key, '/') + 1 : p->key;
	char *archive = xasprintf("%s/%s", a->tmp, base);
	*f = (struct fetched){.dir = xasprintf("%s/%s", a->tmp, slot)};
	int rc = fs_remove_tree(f->dir);
	if (!rc)
		rc = fs_mkdirs(f->dir, 0700);
	if (!rc)
		rc = a->tops->get_file(a->tgt, p->key, archive);
	if (!rc)
		rc = archive_read_batch(archive, f->dir, &f->m);
	unlink(archive);
	free(archive);
	return rc;
}

static void fetched_drop(struct fetched *f)
{
	manifest_free(&f->m);
	if (f->dir)
		fs_remove_tree(f->dir);
	free(f->dir);
	*f = (struct fetched){0};
}

/* The tables later batch p loads, fetching it the first time it is asked. */
static int later_loads(struct applier *a, const struct published *p, const struct strv **loads)
{
	for (size_t i = 0; i < a->nseen; i++)
		if (a->seen[i].seq == p->seq) {
			*loads = &a->seen[i].loads;
			return 0;
		}
	struct fetched f;
	int rc = fetch_batch(a, p, "lookahead", &f);
	if (!rc) {
		a->seen = xrealloc(a->seen, (a->nseen + 1) * sizeof(*a->seen));
		struct seen_batch *b = &a->seen[a->nseen++];
		*b = (struct seen_batch){.seq = p->seq};
		for (size_t j = 0; j < f.m.nfiles && strcmp(f.m.kind, "load") == 0; j++)
			strv_push(&b->loads, f.m.files[j].def->name);
		*loads = &b->loads;
	}
	fetched_drop(&f);
	return rc;
}

/* Whether a batch after the one being applied (and within --until) loads
 * table: its rows then replace whatever this one leaves. Asked only when a
 * cdc batch does not fit the replica. Asked again for each such batch, from
 * the seq being applied: an answer kept per table went stale once apply
 * passed the load it found (F30); later_loads keeps the one fetch per
 * batch (F21). */
static int reloaded_later(struct applier *a, const char *table, bool *yes)
{
	*yes = false;
	int rc = 0;
	for (size_t i = 0; i < a->nlater && !rc && !*yes; i++) {
		const struct published *p = &a->later[i];
		const struct strv *loads = NULL;
		if (p->seq <= a->seq || (a->until && p->created.sec > a->until->sec))
			continue;
		rc = later_loads(a, p, &loads);
		*yes = !rc && strv_contains(loads, table);
	}
	return rc;
}

/* A cdc file whose columns the replica table does not have as they are: a
 * change file cannot say what the rows it does not touch hold now (a
 * renamed column, one added with a default, a retyped key). Refused, unless
 * a later batch of this apply loads the table. */
static int check_cdc_fit(struct applier *a, const struct manifest *m, const struct table_def *def,
			 const char *why)
{
	bool later = false;
	int rc = reloaded_later(a, def->name, &later);
	if (rc || later)
		return rc;
	char *word = name_for_shell(def->name);
	rc = err_set(CDC_ERUNTIME,
		     "table %s: batch %s carries columns the replica table does not have as "
		     "they are (%s): the source's schema changed in a way its changes cannot "
		     "carry. Run `cdcpack load %s`%s at the source, then apply again (the load "
		     "replaces the table, with its new definition); nothing of this batch was "
		     "applied",
		     NAME_SHOWN_SHORT(def->name), m->batch_id, why, word,
		     name_shell_note(def->name));
	free(word);
	return rc;
}

/* Before the batch's transaction (MySQL commits on DDL): the replica table
 * takes the file's definition. A load recreates a table whose columns
 * differ (it replaces the rows anyway); a cdc batch must fit it. */
static int prepare_table(struct applier *a, const struct manifest *m, size_t i)
{
	const struct table_def *def = m->files[i].def;
	bool load = strcmp(m->kind, "load") == 0;
	enum fit fit;
	char *why = NULL;
	int rc = replica_fit(a, def, &fit, &why);
	if (!rc && load && (fit == FIT_WIDER || fit == FIT_OTHER || fit == FIT_ALIAS)) {
		log_info("replica table recreated table=%s why=\"%s\"", NAME_SHOWN_SHORT(def->name),
			 why ? why : "it has columns the load does not carry");
		rc = a->rops->replica->drop_table(a->replica, def);
	} else if (!rc && !load && fit == FIT_OTHER) {
		rc = check_cdc_fit(a, m, def, why);
	}
	free(why);
	if (!rc)
		rc = a->rops->replica->create_table(a->replica, def);
	return rc;
}

/* Rolls back a failed batch. The first error (what failed, on which table)
 * is what the user must read: a rollback that fails too (the connection
 * lost) is told after it, never instead of it. */
static void roll_back(struct applier *a)
{
	char *first = xstrdup(err_msg());
	if (a->rops->replica->rollback(a->replica) != 0) {
		char *second = xstrdup(err_msg());
		err_set_message("%s; rolling the batch back failed too: %s", first, second);
		free(second);
	} else {
		err_set_message("%s", first);
	}
	free(first);
}

static int apply_manifest(struct applier *a, struct manifest *m, int64_t *rows)
{
	int rc = 0;
	for (size_t i = 0; i < m->nfiles && !rc; i++) {
		m->files[i].def->foreign = strcmp(m->driver, a->rops->driver) != 0;
		rc = check_file(&m->files[i]);
	}
	/* SQLite's DDL (a load's DROP and CREATE) is part of the batch's
	 * transaction; MySQL commits any open transaction on DDL, so there it
	 * runs first. */
	bool in_txn = a->rops->replica->ddl_in_transaction;
	if (!rc && in_txn)
		rc = a->rops->replica->begin(a->replica);
	for (size_t i = 0; i < m->nfiles && !rc; i++)
		rc = prepare_table(a, m, i);
	if (!rc && !in_txn)
		rc = a->rops->replica->begin(a->replica);
	/* A snapshot batch is the difference of two snapshots: each key at most
	 * once, so its changes commute, and deletes go first. A key whose type
	 * changed (TEXT '1' -> INTEGER 1) ships as I of the new and D of the
	 * old; on a replica that keeps the old type both are one row, and the
	 * delete must not come last. A reconcile batch is such a difference
	 * too (docs/design.md §4 step 3b). Trigger batches keep their order. */
	bool snapshot = strcmp(m->mode, "snapshot") == 0 || strcmp(m->kind, "reconcile") == 0;
	for (size_t i = 0; snapshot && i < m->nfiles && !rc; i++)
		rc = apply_file(a, &m->files[i], PASS_DELETES, rows);
	for (size_t i = 0; i < m->nfiles && !rc; i++) {
		rc = truncate_for_load(a, m, i);
		if (!rc)
			rc = apply_file(a, &m->files[i], snapshot ? PASS_UPSERTS : PASS_ALL, rows);
	}
	if (!rc)
		rc = a->rops->replica->mark_applied(a->replica, a->cfg->source_name, m->batch_id,
						    m->seq, m->created);
	if (!rc)
		fault_point("apply-before-commit");
	if (!rc)
		rc = a->rops->replica->commit(a->replica);
	if (rc)
		roll_back(a);
	return rc;
}

static int check_manifest(struct applier *a, const struct manifest *m, const struct published *p)
{
	if (m->seq != p->seq)
		return err_set(CDC_ERUNTIME, "%s: manifest says batch %lld, the key says %lld",
			       p->key, (long long)m->seq, (long long)p->seq);
	if (strcmp(m->source_name, a->cfg->source_name) != 0)
		return err_set(CDC_ERUNTIME, "%s: batch of source '%s', not '%s'", p->key,
			       m->source_name, a->cfg->source_name);
	/* One name, one chain: batch ids and "previous" are the same in two
	 * chains under one name, so only the chain id tells a batch of another
	 * database or state dir apart (src/claim.h). */
	const char *owner = a->claim[0] ? a->claim : a->last_chain;
	if (m->chain && owner && strcmp(m->chain, owner) != 0)
		return err_set(CDC_ERUNTIME,
			       "%s: batch of chain %s, but source '%s' at %s is chain %s: another "
			       "database or state dir published under this name; nothing of it was "
			       "applied (move its objects away, and give that source its own "
			       "[source] name)",
			       p->key, m->chain, m->source_name, a->cfg->target_url, owner);
	if (m->chain) {
		free(a->last_chain);
		a->last_chain = xstrdup(m->chain);
	}
	bool first = p->seq == 1;
	const char *want = first ? NULL : a->last_id;
	if (first ? m->previous != NULL
		  : (want && (!m->previous || strcmp(m->previous, want) != 0))) {
		/* the archive's "previous" is any string: escaped and cut */
		char shown[NAME_SHOWN_SHORT_SIZE];
		return err_set(CDC_ERUNTIME, "%s: chain broken: previous is %s, expected %s",
			       p->key,
			       m->previous ? name_shown_short_in(shown, m->previous) : "null",
			       want ? want : "null");
	}
	return 0;
}

/* A chain written with [batch] cdc_ops other than all carries no deletes
 * (nor updates): the replica keeps rows the source no longer has as they
 * were, and verify reports them. Said once per apply. */
static void say_partial_ops(struct applier *a, const struct manifest *m, struct apply_result *res)
{
	for (size_t i = 0; i < m->nfiles && !a->said_partial; i++) {
		if (m->files[i].cdc_ops == CDC_OPS_ALL)
			continue;
		char *msg =
			xasprintf("batch %s was written with cdc_ops = %s: rows deleted%s at the "
				  "source keep their earlier state in the replica, which is not "
				  "a copy of the source",
				  m->batch_id, config_cdc_ops_name(m->files[i].cdc_ops),
				  m->files[i].cdc_ops == CDC_OPS_INSERTS ? " or updated" : "");
		log_warn("%s", msg);
		strv_push(&res->warnings, msg);
		free(msg);
		a->said_partial = true;
	}
}

static int apply_one(struct applier *a, const struct published *p, const struct apply_options *o,
		     struct apply_result *res, bool *stop)
{
	struct fetched f;
	int64_t rows = 0;
	int rc = fetch_batch(a, p, "files", &f);
	struct manifest *m = &f.m;
	if (!rc)
		rc = check_manifest(a, m, p);
	if (!rc)
		say_partial_ops(a, m, res);
	struct moment created;
	if (!rc && o->has_until && moment_parse(m->created, &created) == 0 &&
	    moment_cmp(created, o->until) > 0) {
		*stop = true;
	} else if (!rc) {
		rc = apply_manifest(a, m, &rows);
		if (!rc) {
			log_info("batch applied id=%s kind=%s rows=%lld", m->batch_id, m->kind,
				 (long long)rows);
			free(a->last_id);
			a->last_id = xstrdup(m->batch_id);
			strv_push(&res->applied, m->batch_id);
			res->batches++;
			res->rows += rows;
			res->last_seq = m->seq;
		}
	}
	fetched_drop(&f);
	return rc && !strstr(err_msg(), p->key) ? err_prefix(rc, "apply %s", p->key) : rc;
}

static int apply_chain(struct applier *a, const struct apply_options *o, struct apply_result *res)
{
	int64_t last = 0;
	int rc =
		a->rops->replica->last_applied(a->replica, a->cfg->source_name, &last, &a->last_id);
	struct published *v = NULL;
	size_t n = 0;
	if (!rc)
		rc = published_list(a->tops, a->tgt, a->cfg, &v, &n);
	res->last_seq = last;
	int64_t want = last + 1;
	bool stop = false;
	for (size_t i = 0; i < n && !rc && !stop; i++) {
		if (v[i].seq < want)
			continue;
		if (v[i].seq > want) {
			rc = err_set(CDC_ERUNTIME,
				     "chain gap: batch %lld of %s is missing at the target (next "
				     "found: %s); nothing after it was applied",
				     (long long)want, a->cfg->source_name, v[i].key);
			break;
		}
		/* A published key's time is its batch's creation second: skip the
		 * download when it is already past --until. */
		if (o->has_until && v[i].created.sec > o->until.sec)
			break;
		rc = stop_check();
		a->later = v;
		a->nlater = n;
		a->seq = v[i].seq;
		a->until = o->has_until ? &o->until : NULL;
		if (!rc)
			rc = apply_one(a, &v[i], o, res, &stop);
		want++;
	}
	published_free(v, n);
	return rc;
}

static int refuse_source(const char *to_url, const char *why)
{
	char *shown = url_redact(to_url);
	int rc = err_set(CDC_EUSAGE,
			 "apply --to %s: %s; applying there would delete the source's unpublished "
			 "rows: give a replica database of its own",
			 shown, why);
	free(shown);
	return rc;
}

/* A replica is never the source itself, nor any database cdcpack captures
 * from (it holds a changelog): apply would overwrite changes not yet
 * published there. */
static int check_not_a_source(struct applier *a, const char *to_url)
{
	const char *names[] = {a->cfg->changelog, "cdcpack_changelog"};
	for (size_t i = 0; i < 2; i++) {
		if (!names[i] || (i && a->cfg->changelog && strcmp(names[i], names[0]) == 0))
			continue;
		struct table_def *def = NULL;
		int rc = a->rops->read->describe(a->replica, names[i], &def);
		table_def_free(def);
		if (rc == 0) {
			char *why = xasprintf("it holds cdcpack's changelog table %s (it is a "
					      "captured source)",
					      names[i]);
			rc = refuse_source(to_url, why);
			free(why);
			return rc;
		}
		if (rc != CDC_ENOTFOUND)
			return rc;
		err_clear();
	}
	return 0;
}

int apply_run(const struct config *cfg, const struct apply_options *o, struct apply_result *res)
{
	memset(res, 0, sizeof(*res));
	struct applier a = {.cfg = cfg};
	/* The replica's own credentials: the source's never leave for it. */
	struct source_options opt = {.changelog = cfg->changelog,
				     .password_file = o->password_file,
				     .password_env = REPLICA_PASSWORD_ENV,
				     .create = true};
	int rc = source_same_database(cfg->source_url, o->to_url)
			 ? refuse_source(o->to_url, "that is the configured source database")
			 : 0;
	if (!rc)
		rc = target_open(&a.tops, &a.tgt, cfg);
	if (!rc)
		rc = source_open(&a.rops, &a.replica, o->to_url, &opt);
	if (!rc)
		rc = source_need_role(a.rops, ROLE_REPLICA, "apply --to");
	if (!rc)
		rc = check_not_a_source(&a, o->to_url);
	const char *base = getenv("TMPDIR");
	a.tmp = xasprintf("%s/cdcpack-apply.XXXXXX", base && *base ? base : "/tmp");
	if (!rc && !mkdtemp(a.tmp))
		rc = err_set(CDC_ERUNTIME, "%s: cannot create temp dir", a.tmp);
	if (!rc)
		rc = claim_read(a.tops, a.tgt, cfg, a.tmp, a.claim);
	if (!rc)
		rc = apply_chain(&a, o, res);
	fs_remove_tree(a.tmp);
	free(a.tmp);
	free(a.last_id);
	for (size_t i = 0; i < a.nseen; i++)
		strv_free(&a.seen[i].loads);
	free(a.seen);
	free(a.last_chain);
	if (a.rops)
		a.rops->close(a.replica);
	if (a.tops)
		a.tops->close(a.tgt);
	return rc;
}
