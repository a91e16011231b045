/* Object keys and DMS file names (docs/design.md §5). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "naming.h"

#include <stdlib.h>
#include <string.h>

/* 2026-11-24T10:11:12.345Z */
static const struct moment when = {1795515072, 345};

static void batch_key_has_the_documented_shape(void **state)
{
	(void)state;
	char *key = batch_key("shop", 7, when, COMPRESS_ZSTD);
	assert_string_equal(key, "shop/2026/11/24/shop-00000007-20261124T101112Z.tar.zst");
	free(key);
	key = batch_key("shop", 123456789, when, COMPRESS_GZIP);
	assert_string_equal(key, "shop/2026/11/24/shop-123456789-20261124T101112Z.tar.gz");
	free(key);
	key = batch_key("s", 1, when, COMPRESS_NONE);
	assert_string_equal(key, "s/2026/11/24/s-00000001-20261124T101112Z.tar");
	free(key);
}

static void batch_key_parses_back(void **state)
{
	(void)state;
	char *key = batch_key("my shop+1", 42, when, COMPRESS_XZ);
	int64_t seq;
	struct moment m;
	assert_int_equal(batch_key_parse(key, "my shop+1", &seq, &m), 0);
	assert_int_equal(seq, 42);
	assert_int_equal(m.sec, when.sec);
	assert_int_equal(batch_key_parse(key, "my shop", &seq, &m), -1);
	free(key);
	assert_int_equal(batch_key_parse("shop/2026/11/24/shop-0000000x-20261124T101112Z.tar",
					 "shop", &seq, &m),
			 -1);
	assert_int_equal(batch_key_parse("shop/2026/11/24/shop-00000001-20261124T101112Z.zip",
					 "shop", &seq, &m),
			 -1);
	/* Only keys batch_key makes (found by fuzz_naming): no other spelling
	 * of the seq, no impossible date, folders that match the stamp. */
	static const char *const others[] = {
		"shop/2026/11/24/shop-+0000001-20261124T101112Z.tar",
		"shop/2026/11/24/shop- 0000001-20261124T101112Z.tar",
		"shop/2026/02/30/shop-00000001-20260230T101112Z.tar",
		"shop/2026/11/25/shop-00000001-20261124T101112Z.tar",
		"shop/xxxx/yy/zz/shop-00000001-20261124T101112Z.tar",
		"shop/2026/11/24/shop-000000001-20261124T101112Z.tar",
		"shop/2026/11/24/shop-0000001-20261124T101112Z.tar",
		"shop/2026/11/24/shop-1234567890123456789-20261124T101112Z.tar",
	};
	for (size_t i = 0; i < sizeof(others) / sizeof(others[0]); i++)
		assert_int_equal(batch_key_parse(others[i], "shop", &seq, &m), -1);
	assert_int_equal(batch_key_parse("shop/2026/11/24/shop-00000001-20261124T101112Z.tar",
					 "shop", &seq, &m),
			 0);
}

static void batch_key_seq_grows_past_eight_digits(void **state)
{
	(void)state;
	static const int64_t seqs[] = {99999999, 100000000, 123456789012345678};
	for (size_t i = 0; i < sizeof(seqs) / sizeof(seqs[0]); i++) {
		char *key = batch_key("shop", seqs[i], when, COMPRESS_ZSTD);
		int64_t seq = 0;
		struct moment m;
		assert_int_equal(batch_key_parse(key, "shop", &seq, &m), 0);
		assert_int_equal(seq, seqs[i]);
		free(key);
	}
}

static void dms_file_names(void **state)
{
	(void)state;
	char *n = load_file_name(1, FORMAT_CSV);
	assert_string_equal(n, "LOAD00000001.csv");
	free(n);
	n = load_file_name(10, FORMAT_CSV);
	assert_string_equal(n, "LOAD0000000A.csv");
	free(n);
	n = cdc_file_name(when, 1, FORMAT_CSV);
	assert_string_equal(n, "20261124-101112345.csv");
	free(n);
	n = cdc_file_name(when, 2, FORMAT_JSONL);
	assert_string_equal(n, "20261124-101112345-2.jsonl");
	free(n);
}

static void table_dirs_cannot_escape(void **state)
{
	(void)state;
	char *d = table_dir_name("../etc/passwd");
	assert_string_equal(d, "%2E.%2Fetc%2Fpasswd");
	free(d);
	d = table_dir_name("Order Lines");
	assert_string_equal(d, "Order Lines");
	free(d);
	d = table_dir_name("");
	assert_string_equal(d, "%00");
	free(d);
}

static void moments_parse_and_print(void **state)
{
	(void)state;
	struct moment m;
	char iso[MOMENT_ISO_LEN];
	assert_int_equal(moment_parse("2026-11-24T10:11:12.345Z", &m), 0);
	moment_iso(m, iso);
	assert_string_equal(iso, "2026-11-24T10:11:12.345Z");
	assert_int_equal(moment_parse("2026-11-24 10:11:12", &m), 0);
	assert_int_equal(moment_parse("2026-11-24", &m), 0);
	assert_int_equal(moment_parse("yesterday", &m), -1);
	assert_int_equal(moment_parse("2026-11-24T10:11:12+02:00", &m), -1);
	/* strptime takes these; timegm would shift them to another day or minute. */
	assert_int_equal(moment_parse("2026-02-30", &m), -1);
	assert_int_equal(moment_parse("2026-04-31T00:00:00Z", &m), -1);
	assert_int_equal(moment_parse("2026-11-24T10:11:60Z", &m), -1);
	assert_int_equal(moment_parse("2028-02-29T23:59:59.999Z", &m), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(batch_key_has_the_documented_shape),
		cmocka_unit_test(batch_key_parses_back),
		cmocka_unit_test(batch_key_seq_grows_past_eight_digits),
		cmocka_unit_test(dms_file_names),
		cmocka_unit_test(table_dirs_cannot_escape),
		cmocka_unit_test(moments_parse_and_print),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
