#include "diff.h"

#include "codec.h"
#include "err.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/types.h>

static ssize_t column_named(const struct table_def *def, const char *name)
{
	for (size_t i = 0; i < def->ncols; i++)
		if (strcasecmp(def->cols[i].name, name) == 0)
			return (ssize_t)i;
	return -1;
}

static enum canon_class class_of(const struct column *a, const char *a_driver,
				 const struct column *b, const char *b_driver)
{
	return canon_class_merge(canon_class_for(a->type, a_driver),
				 canon_class_for(b->type, b_driver));
}

static void pair_columns(struct diff_plan *p, const struct table_def *a, const char *a_driver,
			 const struct table_def *b, const char *b_driver)
{
	p->a_hash = xcalloc(a->ncols, sizeof(*p->a_hash));
	p->b_hash = xcalloc(a->ncols, sizeof(*p->b_hash));
	p->hash_classes = xcalloc(a->ncols, sizeof(*p->hash_classes));
	for (size_t i = 0; i < a->ncols; i++) {
		ssize_t j = column_named(b, a->cols[i].name);
		if (j < 0) {
			strv_push(&p->only_a, a->cols[i].name);
			continue;
		}
		p->a_hash[p->nhash] = i;
		p->b_hash[p->nhash] = (size_t)j;
		p->hash_classes[p->nhash++] =
			class_of(&a->cols[i], a_driver, &b->cols[j], b_driver);
	}
	for (size_t j = 0; j < b->ncols; j++)
		if (column_named(a, b->cols[j].name) < 0)
			strv_push(&p->only_b, b->cols[j].name);
}

static void key_list(struct buf *out, const struct table_def *def)
{
	for (size_t i = 0, n = 0; i < def->ncols; i++) {
		if (!def->cols[i].key)
			continue;
		buf_adds(out, n++ ? ", " : ""); /* for messages: shown as names are */
		text_shown_add(out, def->cols[i].name, strlen(def->cols[i].name), true);
	}
}

/* Both scans order by their key columns in column order: the same names in
 * the same order on both sides, or the two streams cannot be merged. */
static void pair_keys(struct diff_plan *p, const struct table_def *a, const char *a_driver,
		      const struct table_def *b, const char *b_driver)
{
	size_t na = table_def_nkeys(a), nb = table_def_nkeys(b);
	p->a_keys = xcalloc(na ? na : 1, sizeof(*p->a_keys));
	p->b_keys = xcalloc(na ? na : 1, sizeof(*p->b_keys));
	p->key_classes = xcalloc(na ? na : 1, sizeof(*p->key_classes));
	p->key_names = xcalloc(na ? na : 1, sizeof(*p->key_names));
	bool same = na == nb && na > 0;
	size_t j = 0;
	for (size_t i = 0; i < a->ncols && same; i++) {
		if (!a->cols[i].key)
			continue;
		while (j < b->ncols && !b->cols[j].key)
			j++;
		same = strcasecmp(a->cols[i].name, b->cols[j].name) == 0;
		p->a_keys[p->nkeys] = i;
		p->b_keys[p->nkeys] = j;
		p->key_names[p->nkeys] = a->cols[i].name;
		p->key_classes[p->nkeys++] = class_of(&a->cols[i], a_driver, &b->cols[j], b_driver);
		j++;
	}
	if (same)
		return;
	struct buf why = BUF_INIT;
	buf_adds(&why, "the keys differ: (");
	key_list(&why, a);
	buf_adds(&why, ") against (");
	key_list(&why, b);
	buf_adds(&why, ")");
	p->key_problem = buf_detach(&why);
	p->nkeys = 0;
}

void diff_plan_init(struct diff_plan *p, const struct table_def *a, const char *a_driver,
		    const struct table_def *b, const char *b_driver)
{
	memset(p, 0, sizeof(*p));
	pair_columns(p, a, a_driver, b, b_driver);
	pair_keys(p, a, a_driver, b, b_driver);
}

void diff_plan_free(struct diff_plan *p)
{
	free(p->a_keys);
	free(p->b_keys);
	free(p->key_classes);
	free(p->key_names);
	free(p->a_hash);
	free(p->b_hash);
	free(p->hash_classes);
	strv_free(&p->only_a);
	strv_free(&p->only_b);
	free(p->key_problem);
	memset(p, 0, sizeof(*p));
}

uint64_t diff_record_a(const struct diff_plan *p, const struct value *row, struct buf *key,
		       struct buf *enc)
{
	keyrec_encode_key(key, row, p->a_keys, p->nkeys);
	return rowhash(enc, row, p->a_hash, p->hash_classes, p->nhash);
}

void diff_key_row(const struct diff_plan *p, const struct keyrec *a, struct value *row,
		  size_t ncols)
{
	memset(row, 0, ncols * sizeof(*row));
	keyrec_decode(a, row, p->b_keys, p->nkeys);
}

static void describe(struct buf *out, const struct diff_plan *p, const uint8_t *key, size_t n)
{
	struct keyrec r = {key, n, 0};
	struct value *v = xcalloc(p->nkeys, sizeof(*v));
	keyrec_decode(&r, v, NULL, p->nkeys);
	keyrec_describe(out, v, p->key_names, p->nkeys);
	free(v);
}

/* Two keys of one side that are one key as the merge compares them, but
 * not byte for byte: two spellings of one moment ('2024-01-02T03:04:05Z'
 * and '2024-01-02 03:04:05'), or of one number under a DECIMAL class ('3'
 * and '3.0'). The other side's row of that key could be either, so the
 * rows are not paired at all rather than perhaps wrongly. */
static int two_spellings(const char *table, const char *side, const struct buf *a,
			 const struct buf *b)
{
	return err_set(CDC_ERUNTIME,
		       "table %s: %s holds keys (%s) and (%s), which are one key as diff compares "
		       "them (one moment, or one number, spelt twice): which of the two rows the "
		       "other side's row of that key is cannot be told, and this table's rows "
		       "cannot be paired; give the rows one spelling",
		       NAME_SHOWN_SHORT(table), side, buf_str(a), buf_str(b));
}

/* Keys must rise strictly on each side, or pairing them would be wrong. */
int diff_check_order(const struct diff_plan *p, const char *table, const char *side,
		     const struct buf *prev, const uint8_t *key, size_t n)
{
	const uint8_t *pk = (const uint8_t *)prev->data;
	int c = keyrec_cmp(pk, prev->len, key, n, p->key_classes, p->nkeys);
	if (c < 0)
		return 0;
	struct buf a = BUF_INIT, b = BUF_INIT;
	describe(&a, p, pk, prev->len);
	describe(&b, p, key, n);
	int rc;
	if (c == 0 && (n != prev->len || memcmp(pk, key, n) != 0))
		rc = two_spellings(table, side, &a, &b);
	else
		rc = err_set(CDC_ERUNTIME,
			     "table %s: %s gave key (%s) after (%s): keys must come in ascending "
			     "order (numbers by value, text and blobs by bytes), one row each; a "
			     "collation, keys of mixed types or a duplicate key break that, and "
			     "this table's rows cannot be paired",
			     NAME_SHOWN_SHORT(table), side, buf_str(&b), buf_str(&a));
	buf_free(&a);
	buf_free(&b);
	return rc;
}

static int advance_a(struct diff_merge *m)
{
	m->have = m->a.next(m->a.ctx, &m->cur);
	if (m->have <= 0)
		return m->have;
	int rc = 0;
	if (!m->a_checked && m->rows_a)
		rc = diff_check_order(m->plan, m->table, m->a_label, &m->prev_a, m->cur.key,
				      m->cur.klen);
	m->rows_a++;
	if (!m->a_checked) {
		/* A's record is gone at the next read: its key is kept for the next check. */
		buf_reset(&m->prev_a);
		buf_add(&m->prev_a, m->cur.key, m->cur.klen);
	}
	return rc;
}

int diff_merge_start(struct diff_merge *m)
{
	m->have = 0;
	return advance_a(m);
}

static int emit_delete(struct diff_merge *m)
{
	m->deleted++;
	int rc = m->emit ? m->emit(m->ctx, 'D', NULL, &m->cur) : 0;
	return rc ? rc : advance_a(m);
}

static int cmp_a(const struct diff_merge *m)
{
	if (m->have != 1)
		return 1; /* A is done: everything left in B comes after it */
	return keyrec_cmp(m->cur.key, m->cur.klen, (const uint8_t *)m->key.data, m->key.len,
			  m->plan->key_classes, m->plan->nkeys);
}

/* B's row against A's records up to its key; c compares A's current key
 * with B's. */
static int pair(struct diff_merge *m, const struct value *row, uint64_t hash, int c)
{
	int rc = 0;
	while (!rc && c < 0) {
		rc = emit_delete(m);
		c = rc ? 0 : cmp_a(m);
	}
	if (rc)
		return rc;
	if (c > 0) {
		m->inserted++;
		return m->emit ? m->emit(m->ctx, 'I', row, NULL) : 0;
	}
	if (m->hashes_unknown || m->cur.hash != hash) {
		m->updated++;
		rc = m->emit ? m->emit(m->ctx, 'U', row, &m->cur) : 0;
	} else {
		m->same++;
	}
	return rc ? rc : advance_a(m);
}

int diff_merge_row(void *ctx, const struct value *row)
{
	struct diff_merge *m = ctx;
	const struct diff_plan *p = m->plan;
	buf_reset(&m->key);
	keyrec_encode_key(&m->key, row, p->b_keys, p->nkeys);
	uint64_t hash = rowhash(&m->enc, row, p->b_hash, p->hash_classes, p->nhash);
	int c = cmp_a(m), rc = 0;
	/* After a row of B, A's current key is past it; so a key of B at or past
	 * A's current one is past the previous key of B too, and only a key
	 * before A's needs the check. */
	if (c > 0 && m->rows_b)
		rc = diff_check_order(p, m->table, m->b_label, &m->prev_b,
				      (const uint8_t *)m->key.data, m->key.len);
	m->rows_b++;
	if (!rc)
		rc = pair(m, row, hash, c);
	if (!rc && m->keep)
		rc = m->keep(m->ctx, (const uint8_t *)m->key.data, m->key.len, hash);
	struct buf swap = m->prev_b; /* this key is the next row's previous one */
	m->prev_b = m->key;
	m->key = swap;
	return rc;
}

int diff_merge_finish(struct diff_merge *m)
{
	int rc = 0;
	while (!rc && m->have == 1)
		rc = emit_delete(m);
	return rc ? rc : m->have < 0 ? m->have : 0;
}

void diff_merge_free(struct diff_merge *m)
{
	buf_free(&m->key);
	buf_free(&m->prev_a);
	buf_free(&m->prev_b);
	buf_free(&m->enc);
}
