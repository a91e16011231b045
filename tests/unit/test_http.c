/* The HTTP layer's handle reuse: each exchange on one handle says its own
 * failure, whatever the one before it left in libcurl. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "err.h"
#include "http.h"

#include <string.h>

/* libcurl 7.88 refuses an option on a handle whose last transfer could not
 * resolve its host: the second attempt said "Failed initialization", not
 * why. A .invalid name never resolves (RFC 6761), offline or not. */
static void a_failed_resolve_is_said_again_on_the_same_handle(void **state)
{
	(void)state;
	struct http_options opt = {NULL, 5, 1024, 60, 10};
	struct http *h = NULL;
	assert_int_equal(http_open(&h, &opt), 0);
	struct http_request req = {.method = "HEAD",
				   .url = "http://cdcpack-test.invalid/x",
				   .body_fd = -1,
				   .out_fd = -1};
	for (int i = 0; i < 3; i++) {
		struct http_response resp = {0};
		assert_int_equal(http_perform(h, &req, &resp), CDC_ERUNTIME);
		assert_non_null(strstr(resp.error, "cdcpack-test.invalid"));
		assert_true(http_unreached(&resp));
		http_response_free(&resp);
	}
	http_close(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_failed_resolve_is_said_again_on_the_same_handle),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
