/* The diff engine's pure parts: column pairing (diff_plan), the streaming
 * merge of A's key records with B's rows, and the stored snapshot files
 * (snapstore.c): pending until promoted, checked when read back. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "buf.h"
#include "diff.h"
#include "err.h"
#include "fsutil.h"
#include "snapstore.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct table_def *make_def(const char *name, const char *const *cols, const bool *keys,
				  size_t n)
{
	struct table_def *def = calloc(1, sizeof(*def));
	def->name = xstrdup(name);
	for (size_t i = 0; i < n; i++)
		table_def_add_column(def, cols[i], i ? "TEXT" : "INTEGER", keys[i]);
	return def;
}

static struct table_def *kv_def(void)
{
	static const char *const cols[] = {"id", "v"};
	static const bool keys[] = {true, false};
	return make_def("t", cols, keys, 2);
}

/* Side A as records in memory. */
struct mem_source {
	struct buf recs;
	size_t pos;
};

static int mem_next(void *ctx, struct keyrec *out)
{
	struct mem_source *s = ctx;
	size_t used;
	if (s->pos >= s->recs.len)
		return 0;
	int got = keyrec_parse((const uint8_t *)s->recs.data + s->pos, s->recs.len - s->pos, 1, out,
			       &used);
	s->pos += used;
	return got;
}

static void add_a(struct mem_source *s, const struct diff_plan *p, int64_t id, const char *v)
{
	struct value row[2] = {{.type = VAL_INT, .i = id},
			       {.type = VAL_TEXT, .p = v, .n = strlen(v)}};
	struct buf key = BUF_INIT, enc = BUF_INIT;
	uint64_t h = diff_record_a(p, row, &key, &enc);
	keyrec_put(&s->recs, (const uint8_t *)key.data, key.len, h);
	buf_free(&key);
	buf_free(&enc);
}

/* What the merge said, as "U2 I3 D4 " and the records it kept. */
struct seen {
	struct buf ops;
	int kept;
};

static int on_emit(void *ctx, char op, const struct value *b_row, const struct keyrec *a)
{
	struct seen *s = ctx;
	struct value key;
	if (b_row)
		key = b_row[0];
	else
		keyrec_decode(a, &key, NULL, 1);
	buf_addf(&s->ops, "%c%lld ", op, (long long)key.i);
	return 0;
}

static int on_keep(void *ctx, const uint8_t *key, size_t klen, uint64_t hash)
{
	(void)key;
	(void)klen;
	(void)hash;
	((struct seen *)ctx)->kept++;
	return 0;
}

static int feed_b(struct diff_merge *m, const int64_t *ids, const char *const *vals, size_t n)
{
	int rc = diff_merge_start(m);
	for (size_t i = 0; i < n && !rc; i++) {
		struct value row[2] = {{.type = VAL_INT, .i = ids[i]},
				       {.type = VAL_TEXT, .p = vals[i], .n = strlen(vals[i])}};
		rc = diff_merge_row(m, row);
	}
	return rc ? rc : diff_merge_finish(m);
}

static int run_merge(struct mem_source *a, const int64_t *ids, const char *const *vals, size_t n,
		     bool unknown, struct seen *seen, struct diff_plan *p)
{
	struct diff_merge m = {.plan = p,
			       .table = "t",
			       .a_label = "A",
			       .b_label = "B",
			       .a = {mem_next, a},
			       .hashes_unknown = unknown,
			       .emit = on_emit,
			       .keep = on_keep,
			       .ctx = seen};
	int rc = feed_b(&m, ids, vals, n);
	diff_merge_free(&m);
	return rc;
}

static void merge_finds_inserts_updates_and_deletes(void **state)
{
	(void)state;
	struct table_def *def = kv_def();
	struct diff_plan p;
	diff_plan_init(&p, def, "sqlite", def, "sqlite");
	struct mem_source a = {0};
	add_a(&a, &p, 1, "a");
	add_a(&a, &p, 2, "b");
	add_a(&a, &p, 4, "d");
	add_a(&a, &p, 6, "f");
	static const int64_t ids[] = {0, 1, 2, 3, 6};
	static const char *const vals[] = {"z", "a", "B", "c", "f"};
	struct seen seen = {0};
	assert_int_equal(run_merge(&a, ids, vals, 5, false, &seen, &p), 0);
	assert_string_equal(buf_str(&seen.ops), "I0 U2 I3 D4 ");
	assert_int_equal(seen.kept, 5);

	/* Hashes of another version: every paired key is U. */
	a.pos = 0;
	buf_reset(&seen.ops);
	assert_int_equal(run_merge(&a, ids, vals, 5, true, &seen, &p), 0);
	assert_string_equal(buf_str(&seen.ops), "I0 U1 U2 I3 D4 U6 ");
	buf_free(&seen.ops);
	buf_free(&a.recs);
	diff_plan_free(&p);
	table_def_free(def);
}

static void merge_refuses_keys_out_of_order(void **state)
{
	(void)state;
	struct table_def *def = kv_def();
	struct diff_plan p;
	diff_plan_init(&p, def, "sqlite", def, "sqlite");
	struct mem_source a = {0};
	struct seen seen = {0};
	static const int64_t down[] = {1, 3, 2};
	static const char *const vals[] = {"a", "c", "b"};
	assert_int_equal(run_merge(&a, down, vals, 3, false, &seen, &p), CDC_ERUNTIME);
	assert_non_null(strstr(err_msg(), "B gave key (id=2) after (id=3)"));
	static const int64_t twice[] = {1, 1};
	assert_int_equal(run_merge(&a, twice, vals, 2, false, &seen, &p), CDC_ERUNTIME);
	/* Side A is checked too when its producer did not. */
	add_a(&a, &p, 5, "e");
	add_a(&a, &p, 4, "d");
	assert_int_equal(run_merge(&a, down, vals, 0, false, &seen, &p), CDC_ERUNTIME);
	assert_non_null(strstr(err_msg(), "A gave key (id=4) after (id=5)"));
	err_clear();
	buf_free(&seen.ops);
	buf_free(&a.recs);
	diff_plan_free(&p);
	table_def_free(def);
}

static void plans_pair_columns_by_name(void **state)
{
	(void)state;
	static const char *const ca[] = {"ID", "name", "gone"};
	static const char *const cb[] = {"id", "extra", "Name"};
	static const bool keys[] = {true, false, false};
	struct table_def *a = make_def("t", ca, keys, 3), *b = make_def("t", cb, keys, 3);
	struct diff_plan p;
	diff_plan_init(&p, a, "sqlite", b, "mysql");
	assert_null(p.key_problem);
	assert_int_equal(p.nhash, 2);
	assert_int_equal(p.a_hash[1], 1);
	assert_int_equal(p.b_hash[1], 2);
	assert_int_equal(p.only_a.n, 1);
	assert_string_equal(p.only_a.v[0], "gone");
	assert_string_equal(p.only_b.v[0], "extra");
	diff_plan_free(&p);
	static const bool other_keys[] = {false, true, false};
	struct table_def *c = make_def("t", cb, other_keys, 3);
	diff_plan_init(&p, a, "sqlite", c, "sqlite");
	assert_non_null(p.key_problem);
	assert_non_null(strstr(p.key_problem, "(ID) against (extra)"));
	diff_plan_free(&p);
	table_def_free(a);
	table_def_free(b);
	table_def_free(c);
}

static char *temp_dir(void)
{
	char tmpl[] = "/tmp/cdcpack-unit.XXXXXX";
	assert_non_null(mkdtemp(tmpl));
	return xstrdup(tmpl);
}

static void write_snapshot(struct snapstore *ss, int64_t seq, int rows, struct snap_entry *e)
{
	struct table_def *def = kv_def();
	struct snap_writer *w;
	assert_int_equal(snap_writer_open(&w, ss, seq, 0), 0);
	for (int i = 0; i < rows; i++) {
		struct value row[1] = {{.type = VAL_INT, .i = i * 3}};
		struct buf key = BUF_INIT;
		static const size_t first = 0;
		keyrec_encode_key(&key, row, &first, 1);
		assert_int_equal(
			snap_writer_add(w, (const uint8_t *)key.data, key.len, (uint64_t)i), 0);
		buf_free(&key);
	}
	memset(e, 0, sizeof(*e));
	assert_int_equal(snap_writer_close(w, e), 0);
	e->table = xstrdup("t");
	e->seq = seq;
	e->hashver = HASH_VERSION;
	e->def = def;
}

/* Reads e back; with check, each record must be the one write_snapshot wrote. */
static int read_all(struct snapstore *ss, const struct snap_entry *e, int *rows, bool check)
{
	struct snap_reader *r;
	int rc = snap_reader_open(&r, ss, e);
	if (rc)
		return rc;
	struct rec_source src = snap_reader_source(r);
	struct keyrec rec;
	*rows = 0;
	while ((rc = src.next(src.ctx, &rec)) == 1) {
		struct value v;
		keyrec_decode(&rec, &v, NULL, 1);
		if (check && (v.i != *rows * 3 || rec.hash != (uint64_t)*rows)) {
			rc = -99;
			break;
		}
		(*rows)++;
	}
	snap_reader_close(r);
	return rc;
}

static void snapshots_are_pending_until_promoted(void **state)
{
	(void)state;
	char *dir = temp_dir();
	struct snapstore *ss;
	assert_int_equal(snapstore_open(&ss, dir), 0);
	assert_int_equal(snapstore_begin(ss, 1), 0);
	struct snap_entry e, cur;
	write_snapshot(ss, 1, 70000, &e); /* several buffers' worth */
	assert_int_equal(snapstore_add_pending(ss, &e), 0);
	assert_int_equal(snapstore_current(ss, "t", &cur), 0);
	assert_int_equal(snapstore_promote(ss, 1), 0);
	assert_int_equal(snapstore_current(ss, "t", &cur), 1);
	assert_string_equal(cur.file, e.file);
	assert_int_equal(cur.rows, 70000);
	int rows;
	assert_int_equal(read_all(ss, &cur, &rows, true), 0);
	assert_int_equal(rows, 70000);
	/* Promoting again changes nothing; a capture never staged is dropped. */
	assert_int_equal(snapstore_promote(ss, 1), 0);
	struct snap_entry e2;
	write_snapshot(ss, 2, 10, &e2);
	assert_int_equal(snapstore_add_pending(ss, &e2), 0);
	assert_int_equal(snapstore_begin(ss, 2), 0);
	assert_int_equal(snapstore_promote(ss, 2), 0);
	snap_entry_clear(&cur);
	assert_int_equal(snapstore_current(ss, "t", &cur), 1);
	assert_int_equal(cur.seq, 1);
	char *gone = xasprintf("%s/snapshot/%s", dir, e2.file);
	assert_int_not_equal(access(gone, F_OK), 0);

	/* A flipped byte is found when the file is read back. */
	char *path = xasprintf("%s/snapshot/%s", dir, cur.file);
	FILE *f = fopen(path, "r+b");
	assert_non_null(f);
	fseek(f, 5000, SEEK_SET);
	int c = fgetc(f);
	fseek(f, 5000, SEEK_SET);
	fputc(c ^ 0x01, f);
	fclose(f);
	assert_int_equal(read_all(ss, &cur, &rows, false), CDC_ERUNTIME);
	assert_non_null(strstr(err_msg(), "damaged snapshot"));
	err_clear();

	snap_entry_clear(&e);
	snap_entry_clear(&e2);
	snap_entry_clear(&cur);
	snapstore_close(ss);
	fs_remove_tree(dir);
	free(path);
	free(gone);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(merge_finds_inserts_updates_and_deletes),
		cmocka_unit_test(merge_refuses_keys_out_of_order),
		cmocka_unit_test(plans_pair_columns_by_name),
		cmocka_unit_test(snapshots_are_pending_until_promoted),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
