/* The S3 client's pure decisions: retry or not, how long to wait, part sizes,
 * bucket URLs and addressing style; and the hashes of a file range. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "err.h"
#include "hash.h"
#include "s3.h"
#include "sigv4.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MIB (1LL << 20)

static void backoff_grows_exponentially_under_full_jitter(void **state)
{
	(void)state;
	/* The top of the jitter range doubles from 250 ms... */
	assert_int_equal(s3_backoff_ms(1, -1, 0.999999), 249);
	assert_int_equal(s3_backoff_ms(2, -1, 0.999999), 499);
	assert_int_equal(s3_backoff_ms(3, -1, 0.999999), 999);
	assert_int_equal(s3_backoff_ms(5, -1, 0.5), 2000);
	/* ...and the bottom is zero: full jitter spreads retrying clients. */
	assert_int_equal(s3_backoff_ms(4, -1, 0.0), 0);
}

static void backoff_is_capped(void **state)
{
	(void)state;
	assert_int_equal(s3_backoff_ms(8, -1, 0.999999), 19999);
	assert_int_equal(s3_backoff_ms(60, -1, 0.5), 10000);
	assert_int_equal(s3_backoff_ms(1000, -1, 0.5), 10000);
}

static void retry_after_sets_a_floor_with_its_own_cap(void **state)
{
	(void)state;
	assert_int_equal(s3_backoff_ms(1, 3000, 0.5), 3000);
	assert_int_equal(s3_backoff_ms(8, 3000, 0.9), 18000); /* jitter already longer */
	assert_int_equal(s3_backoff_ms(1, 3600000, 0.5), 120000);
	assert_int_equal(s3_backoff_ms(1, 0, 0.5), 125);
}

static void retry_after_reads_seconds_and_http_dates(void **state)
{
	(void)state;
	assert_int_equal(s3_parse_retry_after("7", 0), 7000);
	assert_int_equal(s3_parse_retry_after("0", 0), 0);
	assert_int_equal(s3_parse_retry_after(NULL, 0), -1);
	assert_int_equal(s3_parse_retry_after("", 0), -1);
	assert_int_equal(s3_parse_retry_after("-3", 0), -1);
	assert_int_equal(s3_parse_retry_after("soon", 0), -1);
	/* Sun, 06 Nov 1994 08:49:37 GMT = 784111777 */
	assert_int_equal(s3_parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", 784111770), 7000);
	assert_int_equal(s3_parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", 784111800), 0);
}

static void server_time_of_a_skew_error_is_read(void **state)
{
	(void)state;
	assert_int_equal(s3_parse_iso_time("1994-11-06T08:49:37.000Z"), 784111777);
	assert_int_equal(s3_parse_iso_time("1994-11-06T08:49:37Z"), 784111777);
	assert_int_equal(s3_parse_iso_time("1994-11-06 08:49:37"), -1);
	assert_int_equal(s3_parse_iso_time(""), -1);
	assert_int_equal(s3_parse_iso_time(NULL), -1);
}

static void server_errors_and_throttling_are_retried(void **state)
{
	(void)state;
	assert_true(s3_retryable_status(0, NULL)); /* no reply: transport decides */
	assert_true(s3_retryable_status(500, NULL));
	assert_true(s3_retryable_status(502, NULL));
	assert_true(s3_retryable_status(503, "SlowDown"));
	assert_true(s3_retryable_status(504, NULL));
	assert_true(s3_retryable_status(429, NULL));
	assert_true(s3_retryable_status(400, "RequestTimeout"));
	assert_true(s3_retryable_status(200, "InternalError")); /* 200 with <Error> */
	assert_true(s3_retryable_status(403, "RequestTimeTooSkewed"));
}

static void client_errors_fail_at_once(void **state)
{
	(void)state;
	assert_false(s3_retryable_status(403, "SignatureDoesNotMatch"));
	assert_false(s3_retryable_status(403, "AccessDenied"));
	assert_false(s3_retryable_status(404, "NoSuchBucket"));
	assert_false(s3_retryable_status(400, "InvalidArgument"));
	assert_false(s3_retryable_status(400, NULL));
	assert_false(s3_retryable_status(412, "PreconditionFailed"));
	assert_false(s3_retryable_status(501, "NotImplemented"));
}

static void part_size_is_configured_size_when_parts_fit(void **state)
{
	(void)state;
	assert_int_equal(s3_part_size(1LL << 30, 16 * MIB), 16 * MIB);
	assert_int_equal(s3_part_size(10000 * 5 * MIB, 5 * MIB), 5 * MIB);
	assert_int_equal(s3_part_size(100, 1 * MIB), 5 * MIB); /* S3's minimum */
}

/* A streamed upload (docs/design.md §4 step 5): part 1 is the head and the
 * frame's first part, each next one a part, the last the rest; its part
 * k + 1 is the frame's bytes k * part to (k + 1) * part, as sent early. */
static void stream_parts_put_the_head_in_the_first_part(void **state)
{
	(void)state;
	int64_t b[8];
	/* head 1000, parts of 5 MiB, 3 parts and 7 bytes more */
	int64_t size = 1000 + 3 * 5 * MIB + 7;
	assert_int_equal(s3_stream_parts(size, 1000, 5 * MIB, b), 4);
	assert_int_equal(b[0], 0);
	assert_int_equal(b[1], 1000 + 5 * MIB);
	assert_int_equal(b[2], 1000 + 10 * MIB);
	assert_int_equal(b[3], 1000 + 15 * MIB);
	assert_int_equal(b[4], size);
	/* ends exactly on a part: no empty last part */
	assert_int_equal(s3_stream_parts(1000 + 3 * 5 * MIB, 1000, 5 * MIB, b), 3);
	assert_int_equal(b[3], 1000 + 15 * MIB);
	assert_int_equal(b[2], 1000 + 10 * MIB);
	/* a last part of one byte */
	assert_int_equal(s3_stream_parts(1000 + 5 * MIB + 1, 1000, 5 * MIB, b), 2);
	assert_int_equal(b[1], 1000 + 5 * MIB);
	assert_int_equal(b[2], 1000 + 5 * MIB + 1);
	/* the count alone */
	assert_int_equal(s3_stream_parts(size, 1000, 5 * MIB, NULL), 4);
}

static void stream_parts_refused_outside_s3_limits(void **state)
{
	(void)state;
	/* one part only: nothing to stream */
	assert_int_equal(s3_stream_parts(1000 + 5 * MIB, 1000, 5 * MIB, NULL), 0);
	assert_int_equal(s3_stream_parts(10, 0, 5 * MIB, NULL), 0);
	/* parts under S3's 5 MiB minimum, a negative head */
	assert_int_equal(s3_stream_parts(100 * MIB, 0, 5 * MIB - 1, NULL), 0);
	assert_int_equal(s3_stream_parts(100 * MIB, -1, 5 * MIB, NULL), 0);
	/* a first part over 5 GiB */
	assert_int_equal(s3_stream_parts(20LL << 30, 1, 5LL << 30, NULL), 0);
	assert_int_equal(s3_stream_parts(20LL << 30, 0, 5LL << 30, NULL), 4);
	/* 10,000 parts hold it, 10,001 do not */
	int64_t part = 5 * MIB, head = 512;
	assert_int_equal(s3_stream_parts(head + 10000 * part, head, part, NULL), 10000);
	assert_int_equal(s3_stream_parts(head + 10000 * part + 1, head, part, NULL), 0);
}

static void part_size_grows_to_stay_within_10000_parts(void **state)
{
	(void)state;
	int64_t size = 10000 * 5 * MIB + 1;
	int64_t part = s3_part_size(size, 5 * MIB);
	assert_int_equal(part, 6 * MIB);
	assert_true((size + part - 1) / part <= 10000);
	size = 5LL << 40; /* 5 TiB, S3's largest object */
	part = s3_part_size(size, 16 * MIB);
	assert_true((size + part - 1) / part <= 10000);
	assert_int_equal(part % MIB, 0);
}

static void bucket_url_splits_bucket_and_prefix(void **state)
{
	(void)state;
	static const struct {
		const char *url, *bucket, *prefix;
	} v[] = {
		{"s3://my-bucket", "my-bucket", ""},
		{"s3://my-bucket/", "my-bucket", ""},
		{"s3://my-bucket/some/prefix", "my-bucket", "some/prefix/"},
		{"s3://my.dotted.bucket/p/", "my.dotted.bucket", "p/"},
		{"s3://b_1//p", "b_1", "p/"},
	};
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		char *bucket, *prefix;
		assert_int_equal(s3_parse_url(v[i].url, &bucket, &prefix), 0);
		assert_string_equal(bucket, v[i].bucket);
		assert_string_equal(prefix, v[i].prefix);
		free(bucket);
		free(prefix);
	}
}

static void bad_bucket_names_are_usage_errors(void **state)
{
	(void)state;
	static const char *const bad[] = {"s3://",	"s3://ab",    "s3:///prefix",
					  "s3://a b/c", "s3://b?x=1", "file:x"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *bucket, *prefix;
		assert_int_equal(s3_parse_url(bad[i], &bucket, &prefix), CDC_EUSAGE);
		assert_null(bucket);
		assert_non_null(strstr(err_msg(), "[target] url"));
	}
	/* the message lists what the check lets through: '_' too (s3://b_1) */
	char *bucket, *prefix;
	assert_int_equal(s3_parse_url("s3://a+b/p", &bucket, &prefix), CDC_EUSAGE);
	assert_non_null(strstr(err_msg(), "letters, digits, '.', '-', '_')"));
	err_clear();
}

static void auto_style_is_virtual_on_aws_and_path_elsewhere(void **state)
{
	(void)state;
	assert_false(s3_use_path_style(PATH_STYLE_AUTO, NULL, "bucket"));
	assert_false(s3_use_path_style(PATH_STYLE_AUTO, "", "bucket"));
	assert_true(s3_use_path_style(PATH_STYLE_AUTO, NULL, "my.bucket"));
	assert_true(s3_use_path_style(PATH_STYLE_AUTO, "http://127.0.0.1:9000", "bucket"));
	assert_true(s3_use_path_style(PATH_STYLE_PATH, NULL, "bucket"));
	assert_false(s3_use_path_style(PATH_STYLE_VIRTUAL, "http://localhost:9000", "bucket"));
}

/* A range over several 1 MiB reads, starting and ending inside one: the
 * bytes hashed are exactly the range's, in order, for both hashes. */
static void sha256_range_hashes_exactly_the_range(void **state)
{
	(void)state;
	size_t size = (size_t)(2 * MIB + MIB / 2 + 3);
	unsigned char *bytes = malloc(size);
	assert_non_null(bytes);
	for (size_t i = 0; i < size; i++)
		bytes[i] = (unsigned char)(i * 7 + i / 251);
	FILE *f = tmpfile();
	assert_non_null(f);
	assert_int_equal(fwrite(bytes, 1, size, f), size);
	assert_int_equal(fflush(f), 0);
	int fd = fileno(f);
	int64_t off = MIB - 5, len = MIB + MIB / 2 + 1;

	char got[SIGV4_HEX_LEN + 1], want[SIGV4_HEX_LEN + 1];
	struct hash_stream xxh, whole;
	hash_stream_init(&xxh);
	hash_stream_init(&whole);
	assert_int_equal(s3_sha256_range(fd, off, len, &xxh, got), 0);
	sigv4_sha256_hex(want, bytes + off, (size_t)len);
	assert_string_equal(got, want);
	char xgot[HASH_HEX_LEN + 1], xwant[HASH_HEX_LEN + 1];
	hash_stream_update(&whole, bytes + off, (size_t)len);
	hash_stream_hex(&xxh, xgot);
	hash_stream_hex(&whole, xwant);
	assert_string_equal(xgot, xwant);

	/* without the XXH3 stream, the same SHA-256 */
	assert_int_equal(s3_sha256_range(fd, off, len, NULL, got), 0);
	assert_string_equal(got, want);
	/* a file that ends before the range; a read that fails */
	assert_int_equal(s3_sha256_range(fd, (int64_t)size - 10, 11, NULL, got), -1);
	assert_int_equal(s3_sha256_range(-1, 0, 1, NULL, got), EBADF);
	hash_stream_free(&xxh);
	hash_stream_free(&whole);
	fclose(f);
	free(bytes);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(backoff_grows_exponentially_under_full_jitter),
		cmocka_unit_test(backoff_is_capped),
		cmocka_unit_test(retry_after_sets_a_floor_with_its_own_cap),
		cmocka_unit_test(retry_after_reads_seconds_and_http_dates),
		cmocka_unit_test(server_time_of_a_skew_error_is_read),
		cmocka_unit_test(server_errors_and_throttling_are_retried),
		cmocka_unit_test(client_errors_fail_at_once),
		cmocka_unit_test(part_size_is_configured_size_when_parts_fit),
		cmocka_unit_test(part_size_grows_to_stay_within_10000_parts),
		cmocka_unit_test(stream_parts_put_the_head_in_the_first_part),
		cmocka_unit_test(stream_parts_refused_outside_s3_limits),
		cmocka_unit_test(bucket_url_splits_bucket_and_prefix),
		cmocka_unit_test(bad_bucket_names_are_usage_errors),
		cmocka_unit_test(auto_style_is_virtual_on_aws_and_path_elsewhere),
		cmocka_unit_test(sha256_range_hashes_exactly_the_range),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
