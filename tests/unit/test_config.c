/* Config parsing: every error names file:line: key (docs/design.md §3). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "config.h"
#include "err.h"

#include <stdio.h>
#include <string.h>

static const char base[] = "[source]\nurl = sqlite:shop.db\n[target]\nurl = file:bucket\n";

static int parse(const char *extra, struct config *cfg)
{
	char text[2048];
	snprintf(text, sizeof(text), "%s%s", base, extra);
	config_defaults(cfg);
	return config_parse(cfg, "t.conf", text, strlen(text));
}

static void expect_error(const char *extra, const char *message)
{
	struct config cfg;
	int rc = parse(extra, &cfg);
	assert_int_equal(rc, CDC_EUSAGE);
	if (!strstr(err_msg(), message))
		fail_msg("message [%s] lacks [%s]", err_msg(), message);
	config_free(&cfg);
}

/* A table named twice is one table: loading it twice would duplicate rows. */
static void repeated_tables_count_once(void **state)
{
	(void)state;
	struct config cfg;
	assert_int_equal(parse("[capture]\ntables = t, b, t, a, b, t\n", &cfg), 0);
	assert_int_equal(cfg.tables.n, 3);
	assert_string_equal(cfg.tables.v[0], "t");
	assert_string_equal(cfg.tables.v[1], "b");
	assert_string_equal(cfg.tables.v[2], "a");
	assert_null(cfg.tables.v[3]);
	config_free(&cfg);
}

static void defaults_fill_every_key(void **state)
{
	(void)state;
	struct config cfg;
	assert_int_equal(parse("", &cfg), 0);
	assert_string_equal(cfg.source_name, "shop");
	assert_int_equal(cfg.mode, CAPTURE_TRIGGER);
	assert_string_equal(cfg.changelog, "cdcpack_changelog");
	assert_int_equal(cfg.format, FORMAT_CSV);
	assert_int_equal(cfg.compression, COMPRESS_ZSTD);
	assert_int_equal(cfg.max_rows, 500000);
	assert_false(cfg.csv_header);
	assert_false(cfg.load_op_column);
	assert_string_equal(cfg.state_dir, ".cdcpack");
	assert_int_equal(cfg.keep_local_s, 7 * 86400);
	assert_string_equal(cfg.temp_prefix, "_tmp/");
	assert_string_equal(cfg.final_prefix, "cdc/");
	assert_string_equal(cfg.region, "us-east-1");
	assert_null(cfg.endpoint);
	assert_int_equal(cfg.part_size, 16 << 20);
	assert_int_equal(cfg.max_retries, 8);
	config_free(&cfg);
}

static void values_and_inline_comments_parse(void **state)
{
	(void)state;
	struct config cfg;
	assert_int_equal(parse("[capture]\nmode = snapshot ; why\ntables = a, b ,c\n"
			       "exclude = tmp_*\n[batch]\nformat = jsonl\ncompression = xz\n"
			       "max_rows = 10K\ncsv_header = true\n[state]\nkeep_local = 12h\n"
			       "[target]\npart_size = 5M\nprefix_unused_is_error = 1\n",
			       &cfg),
			 CDC_EUSAGE);
	config_free(&cfg);
	assert_int_equal(parse("[capture]\nmode = snapshot ; why\ntables = a, b ,c\n"
			       "exclude = tmp_*\n[batch]\nformat = jsonl\ncompression = xz\n"
			       "max_rows = 10K\ncsv_header = true\n[state]\nkeep_local = 12h\n"
			       "[target]\npart_size = 5M\nfinal_prefix = out\n",
			       &cfg),
			 0);
	assert_int_equal(cfg.mode, CAPTURE_SNAPSHOT);
	assert_int_equal(cfg.tables.n, 3);
	assert_string_equal(cfg.tables.v[1], "b");
	assert_int_equal(cfg.format, FORMAT_JSONL);
	assert_int_equal(cfg.compression, COMPRESS_XZ);
	assert_int_equal(cfg.max_rows, 10240);
	assert_true(cfg.csv_header);
	assert_int_equal(cfg.keep_local_s, 12 * 3600);
	assert_int_equal(cfg.part_size, 5 << 20);
	assert_string_equal(cfg.final_prefix, "out/");
	config_free(&cfg);
}

static void unknown_key_names_file_line_and_key(void **state)
{
	(void)state;
	expect_error("[batch]\ncompresion = zstd\n",
		     "t.conf:6: compresion: unknown key in [batch]");
}

static void unknown_section_is_named(void **state)
{
	(void)state;
	expect_error("[targets]\n", "t.conf:5: [targets]: unknown section");
}

static void bad_values_are_named(void **state)
{
	(void)state;
	expect_error("[batch]\ncompression = lz4\n", "t.conf:6: compression: 'lz4'");
	expect_error("[batch]\nmax_rows = 0\n", "t.conf:6: max_rows:");
	expect_error("[batch]\ncsv_header = maybe\n", "t.conf:6: csv_header:");
	expect_error("[state]\nkeep_local = 7 days\n", "t.conf:6: keep_local:");
	expect_error("[target]\npart_size = 1M\n", "t.conf:6: part_size:");
	expect_error("[target]\npath_style = sometimes\n", "t.conf:6: path_style:");
	expect_error("[target]\nendpoint = ftp://x\n", "t.conf:6: endpoint:");
	expect_error("[capture]\nmode = log\n", "t.conf:6: mode:");
	expect_error("[source]\nname = a/b\n", "t.conf:6: name:");
	expect_error("[source]\nurl = postgres://x\n", "t.conf:6: url:");
	expect_error("[target]\nfinal_prefix = ../up\n", "t.conf:6: final_prefix:");
}

static void malformed_lines_are_named(void **state)
{
	(void)state;
	expect_error("just words\n", "t.conf:5: expected 'key = value'");
	expect_error("[batch\n", "t.conf:5: malformed section header");
	expect_error("= x\n", "t.conf:5: expected 'key = value', got no key");
}

/* Some Windows editors start a UTF-8 file with a byte order mark. */
static void byte_order_mark_is_skipped(void **state)
{
	(void)state;
	struct config cfg;
	config_defaults(&cfg);
	const char *text = "\xef\xbb\xbf[source]\nurl = sqlite:x.db\n[target]\nurl = file:b\n";
	assert_int_equal(config_parse(&cfg, "t.conf", text, strlen(text)), 0);
	assert_string_equal(cfg.source_url, "sqlite:x.db");
	config_free(&cfg);
}

static void missing_urls_are_named(void **state)
{
	(void)state;
	struct config cfg;
	config_defaults(&cfg);
	const char *text = "[source]\nurl = sqlite:x.db\n";
	assert_int_equal(config_parse(&cfg, "t.conf", text, strlen(text)), CDC_EUSAGE);
	assert_non_null(strstr(err_msg(), "[target] url: missing"));
	config_free(&cfg);
}

static void missing_file_is_usage_error(void **state)
{
	(void)state;
	struct config cfg;
	config_defaults(&cfg);
	assert_int_equal(config_load(&cfg, "/nonexistent/cdcpack.conf"), CDC_EUSAGE);
	assert_non_null(strstr(err_msg(), "/nonexistent/cdcpack.conf: cannot open"));
	config_free(&cfg);
}

static void sizes_and_durations(void **state)
{
	(void)state;
	int64_t v;
	assert_int_equal(parse_size("16M", &v), 0);
	assert_int_equal(v, 16 << 20);
	assert_int_equal(parse_size("2G", &v), 0);
	assert_int_equal(v, 2LL << 30);
	assert_int_equal(parse_size("12Q", &v), -1);
	assert_int_equal(parse_size("-1", &v), -1);
	assert_int_equal(parse_duration("90s", &v), 0);
	assert_int_equal(v, 90);
	assert_int_equal(parse_duration("7d", &v), 0);
	assert_int_equal(v, 604800);
	assert_int_equal(parse_duration("5x", &v), -1);
}

/* [lake] (issue 13): off unless prefix is set; DMS's option names. */
static void lake_section_parses_and_checks(void **state)
{
	(void)state;
	struct config cfg;
	assert_int_equal(parse("", &cfg), 0);
	assert_null(cfg.lake_prefix);
	assert_int_equal(cfg.lake_compression, LAKE_NONE);
	config_free(&cfg);
	assert_int_equal(parse("[lake]\nprefix = dms\ncompression = gzip\ndate_partition = "
			       "YYYYMMDDHH\ndate_delimiter = dash\n",
			       &cfg),
			 0);
	assert_string_equal(cfg.lake_prefix, "dms/");
	assert_string_equal(cfg.lake_schema, "shop");
	assert_int_equal(cfg.lake_compression, LAKE_GZIP);
	assert_int_equal(cfg.lake_partition, LAKE_PART_YYYYMMDDHH);
	assert_int_equal(cfg.lake_delimiter, LAKE_DELIM_DASH);
	config_free(&cfg);
	assert_int_equal(parse("[lake]\nprefix =\n", &cfg), 0);
	assert_null(cfg.lake_prefix);
	config_free(&cfg);
	expect_error("[lake]\ncompression = zstd\n", "t.conf:6: compression: 'zstd'");
	expect_error("[lake]\ndate_partition = yyyymmdd\n", "t.conf:6: date_partition:");
	expect_error("[lake]\ndate_delimiter = comma\n", "t.conf:6: date_delimiter:");
	expect_error("[lake]\nprefix = ../x\n", "t.conf:6: prefix:");
	expect_error("[lake]\nbucket = x\n", "t.conf:6: bucket: unknown key in [lake]");
	expect_error("[lake]\nprefix = cdc/lake\n", "[lake] prefix: 'cdc/lake/'");
	expect_error("[lake]\nprefix = _tmp/\n", "[lake] prefix:");
	expect_error("[target]\nfinal_prefix =\n[lake]\nprefix = shop/x\n", "[lake] prefix:");
	/* Set away from its default with the lake off: no effect, refused. */
	assert_int_equal(parse("[lake]\ncompression = gzip\n", &cfg), 0);
	const char *why;
	assert_string_equal(config_unused_key(&cfg, &why), "[lake] compression");
	config_free(&cfg);
}

/* [batch] DMS output options (issue 13 item 3): defaults, spellings, and
 * values that would break the change files refused naming the key. */
static void batch_output_options_parse_and_check(void **state)
{
	(void)state;
	struct config cfg;
	assert_int_equal(parse("", &cfg), 0);
	assert_null(cfg.timestamp_column);
	assert_int_equal(cfg.cdc_ops, CDC_OPS_ALL);
	assert_int_equal(cfg.csv_delimiter, ',');
	assert_string_equal(cfg.csv_null_value, "");
	assert_int_equal(cfg.binary_encoding, BINARY_HEX);
	config_free(&cfg);
	assert_int_equal(
		parse("[batch]\ntimestamp_column = at\ncdc_ops = inserts\n"
		      "csv_delimiter = \\t\ncsv_null_value = \\N\nbinary_encoding = base64\n",
		      &cfg),
		0);
	assert_string_equal(cfg.timestamp_column, "at");
	assert_int_equal(cfg.cdc_ops, CDC_OPS_INSERTS);
	assert_int_equal(cfg.csv_delimiter, '\t');
	assert_string_equal(cfg.csv_null_value, "\\N");
	assert_int_equal(cfg.binary_encoding, BINARY_BASE64);
	config_free(&cfg);
	assert_int_equal(parse("[batch]\ncsv_delimiter = \";\"\ncsv_null_value = \" \"\n", &cfg),
			 0);
	assert_int_equal(cfg.csv_delimiter, ';');
	assert_string_equal(cfg.csv_null_value, " ");
	config_free(&cfg);
	expect_error("[batch]\ncsv_delimiter = \"\n", "t.conf:6: csv_delimiter: '\"' is the quote");
	expect_error("[batch]\ncsv_delimiter = \xc3\xa9\n", "t.conf:6: csv_delimiter:");
	expect_error("[batch]\ncsv_delimiter = 7\n", "t.conf:6: csv_delimiter: '7'");
	expect_error("[batch]\ncsv_null_value = 1.5\n", "t.conf:6: csv_null_value: '1.5'");
	expect_error("[batch]\ncsv_delimiter = |\ncsv_null_value = a|b\n",
		     "[batch] csv_null_value: 'a|b'");
	expect_error("[batch]\nbinary_encoding = b64\n", "t.conf:6: binary_encoding:");
	expect_error("[batch]\ncdc_ops = none\n", "t.conf:6: cdc_ops:");
	/* jsonl spells its own: the CSV options there have no effect. */
	assert_int_equal(parse("[batch]\nformat = jsonl\ncsv_delimiter = |\n", &cfg), 0);
	const char *why;
	assert_string_equal(config_unused_key(&cfg, &why), "[batch] csv_delimiter");
	config_free(&cfg);
}

static void lake_schema_is_the_mysql_database(void **state)
{
	(void)state;
	struct config cfg;
	config_defaults(&cfg);
	const char *text = "[source]\nurl = mysql://u@h/sales?ssl=0\nname = chain\n[target]\n"
			   "url = file:b\n[lake]\nprefix = dms/\n";
	assert_int_equal(config_parse(&cfg, "t.conf", text, strlen(text)), 0);
	assert_string_equal(cfg.lake_schema, "sales");
	config_free(&cfg);
}

/* [capture] reconcile: off keeps no published state; manual keeps it
 * without a schedule; a duration keeps it and schedules. */
static void reconcile_values(void **state)
{
	(void)state;
	static const struct {
		const char *line;
		bool kept;
		int64_t s;
	} cases[] = {
		{"", false, 0},
		{"[capture]\nreconcile = off\n", false, 0},
		{"[capture]\nreconcile = 0\n", false, 0},
		{"[capture]\nreconcile = manual\n", true, 0},
		{"[capture]\nreconcile = 1d\n", true, 86400},
		{"[capture]\nreconcile = 1d\nreconcile = off\n", false, 0},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		struct config cfg;
		assert_int_equal(parse(cases[i].line, &cfg), 0);
		assert_int_equal(cfg.reconcile_kept, cases[i].kept);
		assert_int_equal(cfg.reconcile_s, cases[i].s);
		config_free(&cfg);
	}
	expect_error("[capture]\nreconcile = sometimes\n", "is not off, manual or a duration");
}

/* [target] object settings: parsed, emptied by an empty value, cross-checked. */
static void object_settings_parse_and_check(void **state)
{
	(void)state;
	struct config cfg;
	assert_int_equal(parse("sse = aws:kms\nsse_kms_key_id = alias/k\nbucket_key = yes\n"
			       "storage_class = GLACIER_IR\ntags = a=1 , b c = x/y@z, e=\n"
			       "acl = private\nexpected_bucket_owner = 111122223333\n",
			       &cfg),
			 0);
	assert_string_equal(cfg.sse, "aws:kms");
	assert_string_equal(cfg.sse_kms_key_id, "alias/k");
	assert_int_equal(cfg.bucket_key, 1);
	assert_int_equal(cfg.tags.n, 6);
	assert_string_equal(cfg.tags.v[2], "b c");
	assert_string_equal(cfg.tags.v[3], "x/y@z");
	assert_string_equal(cfg.tags.v[5], "");
	config_free(&cfg);
	assert_int_equal(
		parse("sse = AES256\nsse = none\ntags = a=1\ntags =\nbucket_key =\n", &cfg), 0);
	assert_null(cfg.sse);
	assert_int_equal(cfg.tags.n, 0);
	assert_int_equal(cfg.bucket_key, -1);
	config_free(&cfg);
	expect_error("sse = aes256\n", "t.conf:5: sse: 'aes256' is not none, AES256 or aws:kms");
	expect_error("sse = AES256\nbucket_key = true\n",
		     "[target] bucket_key: applies with sse = aws:kms only");
	expect_error("sse_kms_key_id = k\n",
		     "[target] sse_kms_key_id: applies with sse = aws:kms only");
	expect_error("storage_class = DEEP_ARCHIVE\n", "storage_class: 'DEEP_ARCHIVE'");
	expect_error("tags = a=1,a=2\n", "tag 'a' is reserved (aws:) or given twice");
	expect_error("tags = a=1,b=2,c=3,d=4,e=5,f=6,g=7,h=8,i=9,j=10,k=11\n",
		     "more than S3's 10 tags");
	expect_error("tags = a=1;2\n", "tags: 'a=1;2' is not key=value");
	expect_error("acl = public-read\n", "acl: 'public-read'");
	expect_error("expected_bucket_owner = 1234\n", "expected_bucket_owner: '1234'");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(defaults_fill_every_key),
		cmocka_unit_test(values_and_inline_comments_parse),
		cmocka_unit_test(unknown_key_names_file_line_and_key),
		cmocka_unit_test(unknown_section_is_named),
		cmocka_unit_test(bad_values_are_named),
		cmocka_unit_test(malformed_lines_are_named),
		cmocka_unit_test(byte_order_mark_is_skipped),
		cmocka_unit_test(missing_urls_are_named),
		cmocka_unit_test(missing_file_is_usage_error),
		cmocka_unit_test(sizes_and_durations),
		cmocka_unit_test(repeated_tables_count_once),
		cmocka_unit_test(lake_section_parses_and_checks),
		cmocka_unit_test(lake_schema_is_the_mysql_database),
		cmocka_unit_test(batch_output_options_parse_and_check),
		cmocka_unit_test(object_settings_parse_and_check),
		cmocka_unit_test(reconcile_values),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
