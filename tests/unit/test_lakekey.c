/* Lake keys: AWS DMS's S3 layout (docs/design.md §5, issue 13). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "lakekey.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* 2026-11-24T10:11:12.345Z */
static const struct moment when = {1795515072, 345};

static struct lake_layout layout(enum lake_partition p, enum lake_delimiter d)
{
	return (struct lake_layout){.prefix = "dms/",
				    .schema = "shop",
				    .compression = LAKE_GZIP,
				    .partition = p,
				    .delimiter = d,
				    .format = FORMAT_CSV};
}

static void expect_cdc(enum lake_partition p, enum lake_delimiter d, const char *want)
{
	struct lake_layout l = layout(p, d);
	char *key = lakekey_cdc(&l, "orders", "20261124-101112345.csv", when);
	assert_string_equal(key, want);
	free(key);
}

static void load_keys_count_in_hex(void **state)
{
	(void)state;
	struct lake_layout l = layout(LAKE_PART_YYYYMMDD, LAKE_DELIM_SLASH);
	char *key = lakekey_load(&l, "orders", 1);
	/* Load files have no date folders in DMS's layout. */
	assert_string_equal(key, "dms/shop/orders/LOAD00000001.csv.gz");
	free(key);
	l.compression = LAKE_NONE;
	key = lakekey_load(&l, "orders", 10);
	assert_string_equal(key, "dms/shop/orders/LOAD0000000A.csv");
	free(key);
}

static void cdc_keys_take_every_date_partition(void **state)
{
	(void)state;
	const char *f = "20261124-101112345.csv.gz";
	char want[128];
	struct {
		enum lake_partition p;
		enum lake_delimiter d;
		const char *folders;
	} cases[] = {
		{LAKE_PART_NONE, LAKE_DELIM_SLASH, ""},
		{LAKE_PART_YYYYMMDD, LAKE_DELIM_SLASH, "2026/11/24/"},
		{LAKE_PART_YYYYMMDDHH, LAKE_DELIM_SLASH, "2026/11/24/10/"},
		{LAKE_PART_YYYYMM, LAKE_DELIM_SLASH, "2026/11/"},
		{LAKE_PART_MMYYYYDD, LAKE_DELIM_SLASH, "11/2026/24/"},
		{LAKE_PART_DDMMYYYY, LAKE_DELIM_SLASH, "24/11/2026/"},
		{LAKE_PART_YYYYMMDD, LAKE_DELIM_DASH, "2026-11-24/"},
		{LAKE_PART_YYYYMMDD, LAKE_DELIM_UNDERSCORE, "2026_11_24/"},
		{LAKE_PART_YYYYMMDDHH, LAKE_DELIM_NONE, "2026112410/"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(want, sizeof(want), "dms/shop/orders/%s%s", cases[i].folders, f);
		expect_cdc(cases[i].p, cases[i].d, want);
	}
}

/* A schema or table name cannot add or remove key segments. */
static void names_stay_one_segment(void **state)
{
	(void)state;
	struct lake_layout l = layout(LAKE_PART_NONE, LAKE_DELIM_SLASH);
	l.schema = "a/b";
	char *key = lakekey_load(&l, "../t", 1);
	assert_string_equal(key, "dms/a%2Fb/%2E.%2Ft/LOAD00000001.csv.gz");
	free(key);
	l.format = FORMAT_JSONL;
	l.compression = LAKE_NONE;
	key = lakekey_cdc(&l, "t", "20261124-101112345-2.jsonl", when);
	assert_string_equal(key, "dms/a%2Fb/t/20261124-101112345-2.jsonl");
	free(key);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(load_keys_count_in_hex),
		cmocka_unit_test(cdc_keys_take_every_date_partition),
		cmocka_unit_test(names_stay_one_segment),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
