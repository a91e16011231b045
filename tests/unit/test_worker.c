/* The package's worker thread (issue 16): jobs run in the order handed
 * over, each sees its own bytes, a failure stops the rest and reaches the
 * submitting thread with its message. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "err.h"
#include "worker.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct sink {
	struct buf seen;
	int jobs;
	int fail_at; /* the job that fails, 0: none */
};

static int append(void *ctx, const struct buf *data)
{
	struct sink *s = ctx;
	if (++s->jobs == s->fail_at)
		return err_set(CDC_ERUNTIME, "job %d: disk full", s->jobs);
	buf_add(&s->seen, data->data, data->len);
	return 0;
}

static void jobs_run_in_order_with_their_bytes(void **state)
{
	(void)state;
	struct worker *w;
	assert_int_equal(worker_start(&w, 2), 0);
	struct sink s = {0};
	struct buf want = {0}, b = {0};
	for (int i = 0; i < 1000; i++) {
		buf_addf(&b, "row %d;", i);
		buf_addf(&want, "row %d;", i);
		if (i % 7 == 6)
			assert_int_equal(worker_submit(w, append, &s, &b), 0);
		assert_true(i % 7 != 6 || b.len == 0);
	}
	assert_int_equal(worker_submit(w, append, &s, &b), 0);
	assert_int_equal(worker_drain(w), 0);
	assert_int_equal(s.seen.len, want.len);
	assert_memory_equal(s.seen.data, want.data, want.len);
	worker_stop(w);
	buf_free(&s.seen);
	buf_free(&want);
	buf_free(&b);
}

static void a_failure_stops_the_rest_and_reaches_the_caller(void **state)
{
	(void)state;
	struct worker *w;
	assert_int_equal(worker_start(&w, 1), 0);
	struct sink s = {.fail_at = 3};
	struct buf b = {0};
	int rc = 0;
	for (int i = 0; i < 50 && !rc; i++) {
		buf_addf(&b, "%d", i);
		rc = worker_submit(w, append, &s, &b);
	}
	int drained = worker_drain(w);
	assert_int_equal(drained, CDC_ERUNTIME);
	assert_string_equal(err_msg(), "job 3: disk full");
	assert_int_equal(rc == 0 || rc == CDC_ERUNTIME, 1);
	assert_int_equal(s.jobs, 3); /* none ran after the failure */
	worker_stop(w);
	buf_free(&s.seen);
	buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(jobs_run_in_order_with_their_bytes),
		cmocka_unit_test(a_failure_stops_the_rest_and_reaches_the_caller),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
