/* Snapshot capture's scan on a thread of its own (rec_queue_scan_rows,
 * issue 16 "both cores"): every row reaches the caller's function on the
 * calling thread, in order and value for value (every type, empty and
 * NUL-holding bytes, a row wider than a chunk); a failure of that function
 * stops the scan and is what the caller gets, message and all; a failure
 * of the scan reaches the caller with its own (the rows the caller saw
 * before it being the scan's first). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "err.h"
#include "recqueue.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NROWS 50000
#define WIDE (300 << 10) /* wider than a chunk (128 KiB) */

/* The fake source: its scan makes NROWS rows, failing after fail_after
 * rows when set, and records the thread it ran on and the rows it made. */
struct fake {
	int fail_after;
	int made;
	pthread_t thread;
	char *wide;
	const enum canon_class *order; /* the key_order the scan was given */
};

static void make_row(const struct fake *f, int i, struct value *row)
{
	static const char blob[] = {'a', '\0', 'b', '\0'};
	memset(row, 0, 5 * sizeof(*row));
	row[0] = (struct value){.type = VAL_INT, .i = (int64_t)i * 1000003 - (INT64_C(1) << 40)};
	row[1] = (struct value){.type = VAL_REAL, .r = i * 0.1 - 7.25};
	if (i % 7 == 0)
		row[2] = (struct value){.type = VAL_NULL};
	else if (i == 12345)
		row[2] = (struct value){.type = VAL_TEXT, .p = f->wide, .n = WIDE};
	else
		row[2] = (struct value){.type = VAL_TEXT, .p = "text value", .n = (size_t)(i % 11)};
	row[3] = (struct value){.type = VAL_BLOB, .p = blob, .n = (size_t)(i % 5)};
	row[4] = (struct value){.type = VAL_TEXT, .p = "", .n = 0};
}

static int fake_scan(struct source *src, const struct table_def *def,
		     const enum canon_class *key_order, row_fn fn, void *ctx)
{
	struct fake *f = (struct fake *)src;
	f->thread = pthread_self();
	f->order = key_order;
	struct value row[5];
	if (def->ncols != 5) /* no cmocka assertion on this thread */
		return err_set(CDC_ERUNTIME, "fake scan: %zu columns", def->ncols);
	for (int i = 0; i < NROWS; i++) {
		if (f->fail_after && i == f->fail_after)
			return err_set(CDC_ERUNTIME, "scan: disk I/O error at row %d", i);
		make_row(f, i, row);
		f->made++;
		int rc = fn(ctx, row);
		if (rc)
			return rc;
	}
	return 0;
}

static const struct source_read_ops fake_read = {.scan = fake_scan};
static const struct source_ops fake_ops = {.driver = "fake", .read = &fake_read};

struct seen {
	struct fake *f;
	int rows;
	int fail_at; /* the row whose call fails, 0: none */
	pthread_t thread;
};

static void same_value(const struct value *got, const struct value *want)
{
	assert_int_equal(got->type, want->type);
	if (want->type == VAL_INT)
		assert_true(got->i == want->i);
	if (want->type == VAL_REAL)
		assert_memory_equal(&got->r, &want->r, sizeof(double));
	if (want->type >= VAL_TEXT) {
		assert_int_equal(got->n, want->n);
		if (want->n)
			assert_memory_equal(got->p, want->p, want->n);
		assert_int_equal(got->p[got->n], '\0'); /* as a driver's text ends */
	}
}

static int check_row(void *ctx, const struct value *row)
{
	struct seen *s = ctx;
	s->thread = pthread_self();
	if (s->fail_at && s->rows == s->fail_at)
		return err_set(CDC_ERUNTIME, "merge: stopped at row %d", s->rows);
	struct value want[5];
	make_row(s->f, s->rows, want);
	for (int c = 0; c < 5; c++)
		same_value(&row[c], &want[c]);
	s->rows++;
	return 0;
}

static struct table_def *five_columns(void)
{
	struct table_def *def = calloc(1, sizeof(*def));
	def->name = strdup("t");
	const char *names[] = {"a", "b", "c", "d", "e"};
	for (int c = 0; c < 5; c++)
		table_def_add_column(def, names[c], "", c == 0);
	return def;
}

static char *wide_text(void)
{
	char *w = malloc(WIDE + 1);
	for (size_t k = 0; k < WIDE; k++)
		w[k] = (char)('a' + k % 26);
	w[WIDE] = '\0';
	return w;
}

static void every_row_arrives_in_order_on_the_calling_thread(void **state)
{
	(void)state;
	struct table_def *def = five_columns();
	struct fake f = {.wide = wide_text()};
	struct seen s = {.f = &f};
	const enum canon_class order[] = {CANON_TEMPORAL};
	assert_int_equal(
		rec_queue_scan_rows(&fake_ops, (struct source *)&f, def, order, check_row, &s), 0);
	assert_int_equal(s.rows, NROWS);
	assert_ptr_equal(f.order, order); /* the key order reaches the driver's scan */
	assert_true(pthread_equal(s.thread, pthread_self()));
	assert_false(pthread_equal(f.thread, pthread_self()));
	free(f.wide);
	table_def_free(def);
}

static void a_failing_caller_stops_the_scan_with_its_message(void **state)
{
	(void)state;
	struct table_def *def = five_columns();
	struct fake f = {.wide = wide_text()};
	struct seen s = {.f = &f, .fail_at = 1000};
	int rc = rec_queue_scan_rows(&fake_ops, (struct source *)&f, def, NULL, check_row, &s);
	assert_int_equal(rc, CDC_ERUNTIME);
	assert_string_equal(err_msg(), "merge: stopped at row 1000");
	assert_int_equal(s.rows, 1000);
	assert_true(f.made < NROWS); /* stopped, not read to the end */
	free(f.wide);
	table_def_free(def);
}

static void a_failing_scan_reaches_the_caller_with_its_message(void **state)
{
	(void)state;
	struct table_def *def = five_columns();
	struct fake f = {.wide = wide_text(), .fail_after = 20000};
	struct seen s = {.f = &f};
	int rc = rec_queue_scan_rows(&fake_ops, (struct source *)&f, def, NULL, check_row, &s);
	assert_int_equal(rc, CDC_ERUNTIME);
	assert_string_equal(err_msg(), "scan: disk I/O error at row 20000");
	assert_true(s.rows <= 20000); /* those it saw were the first, in order */
	free(f.wide);
	table_def_free(def);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_row_arrives_in_order_on_the_calling_thread),
		cmocka_unit_test(a_failing_caller_stops_the_scan_with_its_message),
		cmocka_unit_test(a_failing_scan_reaches_the_caller_with_its_message),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	err_clear();
	return rc;
}
