/* The MySQL driver's pure parts: how each column type is spelt in a trigger
 * image and read back, how a replica declares it, and the URL. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "buf.h"
#include "err.h"
#include "mysql_image.h"
#include "mysql_url.h"

#include <stdlib.h>
#include <string.h>

static void kinds_follow_the_base_type_name(void **state)
{
	(void)state;
	assert_int_equal(coltype_kind_of("int(11)"), COLTYPE_INT);
	assert_int_equal(coltype_kind_of("tinyint(1)"), COLTYPE_INT);
	assert_int_equal(coltype_kind_of("bigint(20) unsigned"), COLTYPE_UINT);
	assert_int_equal(coltype_kind_of("int unsigned zerofill"), COLTYPE_UINT);
	assert_int_equal(coltype_kind_of("float"), COLTYPE_FLOAT);
	assert_int_equal(coltype_kind_of("double"), COLTYPE_DOUBLE);
	assert_int_equal(coltype_kind_of("decimal(20,6)"), COLTYPE_DECIMAL);
	assert_int_equal(coltype_kind_of("timestamp(3)"), COLTYPE_TIMESTAMP);
	assert_int_equal(coltype_kind_of("datetime(6)"), COLTYPE_TEMPORAL);
	assert_int_equal(coltype_kind_of("year(4)"), COLTYPE_TEMPORAL);
	assert_int_equal(coltype_kind_of("bit(10)"), COLTYPE_BIT);
	assert_int_equal(coltype_kind_of("varbinary(10)"), COLTYPE_BINARY);
	assert_int_equal(coltype_kind_of("longblob"), COLTYPE_BINARY);
	assert_int_equal(coltype_kind_of("varchar(255)"), COLTYPE_TEXT);
	assert_int_equal(coltype_kind_of("json"), COLTYPE_OTHER);
	assert_int_equal(coltype_kind_of("inet6"), COLTYPE_OTHER);
}

static void enum_labels_do_not_decide_the_kind(void **state)
{
	(void)state;
	/* "int" and "unsigned" inside the labels are data, not the type. */
	assert_int_equal(coltype_kind_of("enum('int','unsigned')"), COLTYPE_TEXT);
	assert_int_equal(coltype_kind_of("set('bigint unsigned')"), COLTYPE_TEXT);
}

static void type_width_reads_the_parenthesis(void **state)
{
	(void)state;
	assert_int_equal(coltype_width("timestamp(3)", 0), 3);
	assert_int_equal(coltype_width("timestamp", 0), 0);
	assert_int_equal(coltype_width("bit(64)", 1), 64);
	assert_int_equal(coltype_width("bit", 1), 1);
}

static void expect_expr(const char *type, const char *want)
{
	struct buf b = BUF_INIT;
	mysql_image_expr(&b, "NEW", "c`1", type);
	assert_string_equal(b.data, want);
	buf_free(&b);
}

static void image_expressions_encode_explicitly(void **state)
{
	(void)state;
	expect_expr("longblob", "HEX(NEW.`c``1`)");
	expect_expr("float", "CAST(CAST(NEW.`c``1` AS DOUBLE) AS CHAR)");
	expect_expr("bit(3)", "CAST(NEW.`c``1` + 0 AS CHAR)");
	expect_expr("timestamp(3)", "IF(NEW.`c``1` IS NULL, NULL, COALESCE(CAST(NULLIF("
				    "UNIX_TIMESTAMP(NEW.`c``1`), 0) AS CHAR), '0'))");
	expect_expr("varchar(10)", "CAST(NEW.`c``1` AS CHAR)");
	expect_expr("decimal(5,2)", "CAST(NEW.`c``1` AS CHAR)");
}

static void scan_widens_float_only(void **state)
{
	(void)state;
	struct buf b = BUF_INIT;
	mysql_scan_expr(&b, "f", "float");
	assert_string_equal(b.data, "CAST(`f` AS DOUBLE)");
	buf_reset(&b);
	mysql_scan_expr(&b, "d", "double");
	assert_string_equal(b.data, "`d`");
	buf_free(&b);
}

static void expect_utc(const char *unix_ts, unsigned precision, const char *want)
{
	struct buf b = BUF_INIT;
	assert_int_equal(mysql_unix_to_utc(&b, unix_ts, strlen(unix_ts), precision), 0);
	assert_string_equal(b.data, want);
	buf_free(&b);
}

static void unix_timestamps_become_utc_text(void **state)
{
	(void)state;
	expect_utc("1711848600.123", 3, "2024-03-31 01:30:00.123");
	expect_utc("1711848600", 0, "2024-03-31 01:30:00");
	expect_utc("1711848600.5", 6, "2024-03-31 01:30:00.500000");
	expect_utc("2147483647.999999", 6, "2038-01-19 03:14:07.999999");
	expect_utc("1", 0, "1970-01-01 00:00:01");
	/* MySQL's zero timestamp, which UNIX_TIMESTAMP() reports as 0. */
	expect_utc("0", 3, "0000-00-00 00:00:00.000");
	expect_utc("0.000", 0, "0000-00-00 00:00:00");
	struct buf b = BUF_INIT;
	assert_int_equal(mysql_unix_to_utc(&b, "12x", 3, 0), CDC_ERUNTIME);
	assert_int_equal(mysql_unix_to_utc(&b, "1.2.3", 5, 0), CDC_ERUNTIME);
	assert_int_equal(mysql_unix_to_utc(&b, "", 0, 0), CDC_ERUNTIME);
	buf_free(&b);
	err_clear();
}

static void bits_become_big_endian_bytes(void **state)
{
	(void)state;
	struct buf b = BUF_INIT;
	assert_int_equal(mysql_bit_to_bytes(&b, "513", 3, 2), 0);
	assert_int_equal(b.len, 2);
	assert_memory_equal(b.data, "\x02\x01", 2);
	buf_reset(&b);
	assert_int_equal(mysql_bit_to_bytes(&b, "18446744073709551615", 20, 8), 0);
	assert_memory_equal(b.data, "\xff\xff\xff\xff\xff\xff\xff\xff", 8);
	buf_reset(&b);
	assert_int_equal(mysql_bit_to_bytes(&b, "256", 3, 1), CDC_ERUNTIME);
	assert_int_equal(mysql_bit_to_bytes(&b, "-1", 2, 1), CDC_ERUNTIME);
	buf_free(&b);
	err_clear();
}

static void hex_decodes_both_cases_and_rejects_junk(void **state)
{
	(void)state;
	struct buf b = BUF_INIT;
	assert_int_equal(mysql_unhex(&b, "00fFa0", 6), 0);
	assert_int_equal(b.len, 3);
	assert_memory_equal(b.data, "\x00\xff\xa0", 3);
	buf_reset(&b);
	assert_int_equal(mysql_unhex(&b, "", 0), 0);
	assert_int_equal(b.len, 0);
	assert_int_equal(mysql_unhex(&b, "abc", 3), CDC_ERUNTIME);
	assert_int_equal(mysql_unhex(&b, "zz", 2), CDC_ERUNTIME);
	buf_free(&b);
	err_clear();
}

static void image_fields_decode_by_kind(void **state)
{
	(void)state;
	struct buf scratch = BUF_INIT;
	struct value v;
	assert_int_equal(mysql_decode_image(&v, &scratch, COLTYPE_INT, "bigint(20)",
					    "-9223372036854775808", 20),
			 0);
	assert_int_equal(v.type, VAL_INT);
	assert_true(v.i == INT64_MIN);
	mysql_decode_image(&v, &scratch, COLTYPE_UINT, "bigint(20) unsigned",
			   "18446744073709551615", 20);
	assert_int_equal(v.type, VAL_TEXT); /* beyond int64: exact text */
	assert_int_equal(v.n, 20);
	mysql_decode_image(&v, &scratch, COLTYPE_UINT, "bigint(20) unsigned", "9223372036854775807",
			   19);
	assert_int_equal(v.type, VAL_INT);
	mysql_decode_image(&v, &scratch, COLTYPE_DOUBLE, "double", "1.0000000000000002", 18);
	assert_int_equal(v.type, VAL_REAL);
	assert_true(v.r == 1.0000000000000002);
	mysql_decode_image(&v, &scratch, COLTYPE_DOUBLE, "double", "5e-324", 6);
	assert_int_equal(v.type, VAL_REAL); /* a subnormal is still exact */
	assert_true(v.r == 5e-324);
	mysql_decode_image(&v, &scratch, COLTYPE_BINARY, "blob", "00FF", 4);
	assert_int_equal(v.type, VAL_BLOB);
	assert_int_equal(v.n, 2);
	assert_memory_equal(v.p, "\x00\xff", 2);
	mysql_decode_image(&v, &scratch, COLTYPE_DECIMAL, "decimal(5,2)", "1.50", 4);
	assert_int_equal(v.type, VAL_TEXT);
	mysql_decode_image(&v, &scratch, COLTYPE_TEXT, "varchar(5)", NULL, 0);
	assert_int_equal(v.type, VAL_NULL);
	/* A column retyped under an old trigger: text survives as text. */
	mysql_decode_image(&v, &scratch, COLTYPE_INT, "int(11)", "abc", 3);
	assert_int_equal(v.type, VAL_TEXT);
	buf_free(&scratch);
}

static void text_protocol_fields_decode_by_kind(void **state)
{
	(void)state;
	struct value v;
	mysql_decode_text(&v, COLTYPE_INT, "42", 2);
	assert_int_equal(v.type, VAL_INT);
	assert_int_equal(v.i, 42);
	mysql_decode_text(&v, COLTYPE_BIT, "\x02\x01", 2);
	assert_int_equal(v.type, VAL_BLOB);
	mysql_decode_text(&v, COLTYPE_TEXT, "", 0);
	assert_int_equal(v.type, VAL_TEXT); /* '' is not NULL */
	assert_int_equal(v.n, 0);
	mysql_decode_text(&v, COLTYPE_TIMESTAMP, "2024-01-01 00:00:00", 19);
	assert_int_equal(v.type, VAL_TEXT);
}

static void expect_decl(const char *type, bool key, const char *want)
{
	struct buf b = BUF_INIT;
	mysql_column_decl(&b, type, key);
	assert_string_equal(b.data, want);
	buf_free(&b);
}

static void replica_types_keep_mysql_and_map_sqlite(void **state)
{
	(void)state;
	/* MySQL spellings stay as they are... */
	expect_decl("int(11)", true, "int(11)");
	expect_decl("bigint(20) unsigned", false, "bigint(20) unsigned");
	expect_decl("decimal(20,6)", false, "decimal(20,6)");
	expect_decl("enum('A','b')", false, "enum('A','b')");
	expect_decl("timestamp(3)", false, "timestamp(3)");
	expect_decl("varchar(100)", true, "varchar(100)");
	/* ...widened where they could not be a key or would cap the value. */
	expect_decl("text", true, "varchar(255)");
	expect_decl("text", false, "longtext");
	expect_decl("blob", true, "varbinary(255)");
	expect_decl("mediumtext", false, "mediumtext");
	/* SQLite declarations go by affinity. */
	expect_decl("INTEGER", true, "bigint");
	expect_decl("integer", false, "bigint");
	expect_decl("TEXT", true, "varchar(255)");
	expect_decl("TEXT", false, "longtext");
	expect_decl("REAL", false, "double");
	expect_decl("BLOB", false, "longblob");
	expect_decl("", false, "longtext");
	expect_decl("NUMERIC", false, "longtext");
	expect_decl("DECIMAL(10,2)", false, "decimal(10,2)");
	expect_decl("VARCHAR(10)", false, "longtext");
}

static void expect_url_error(const char *url, const char *needle)
{
	struct mysql_url u;
	assert_int_equal(mysql_url_parse(url, &u), CDC_EUSAGE);
	if (!strstr(err_msg(), needle))
		fail_msg("error for %s: [%s] lacks [%s]", url, err_msg(), needle);
	err_clear();
}

static void urls_parse_with_defaults(void **state)
{
	(void)state;
	struct mysql_url u;
	assert_int_equal(mysql_url_parse("mysql://cdc@db.example:3307/shop", &u), 0);
	assert_string_equal(u.user, "cdc");
	assert_string_equal(u.host, "db.example");
	assert_int_equal(u.port, 3307);
	assert_string_equal(u.db, "shop");
	assert_null(u.socket);
	assert_int_equal(u.ssl, MYSQL_URL_SSL_PREFERRED);
	mysql_url_free(&u);
	assert_int_equal(mysql_url_parse("mysql://a%40b@[::1]/my%20db?socket=/run/m.sock&ssl=verify"
					 "&ssl_ca=/etc/rds.pem",
					 &u),
			 0);
	assert_string_equal(u.user, "a@b");
	assert_string_equal(u.host, "::1");
	assert_int_equal(u.port, 3306);
	assert_string_equal(u.db, "my db");
	assert_string_equal(u.socket, "/run/m.sock");
	assert_int_equal(u.ssl, MYSQL_URL_SSL_VERIFY);
	assert_string_equal(u.ssl_ca, "/etc/rds.pem");
	mysql_url_free(&u);
}

static void bad_urls_are_usage_errors(void **state)
{
	(void)state;
	expect_url_error("mysql://host/db", "no USER@");
	expect_url_error("mysql://cdc@host", "no /DB");
	expect_url_error("mysql://cdc@host/", "no database name");
	expect_url_error("mysql://cdc@host:0/db", "port out of range");
	expect_url_error("mysql://cdc@host:99999/db", "port");
	expect_url_error("mysql://cdc@host:x/db", "bad port");
	expect_url_error("mysql://cdc@host/db?ssl=maybe", "ssl must be");
	expect_url_error("mysql://cdc@host/db?user=x", "unknown query parameter");
	expect_url_error("mysql://cdc@host/a/b", "holds a /");
	expect_url_error("mysql://cdc@/db", "no host");
	expect_url_error("mysql://cdc@host/d%zz", "bad %-escape");
}

static void a_password_in_the_url_is_refused_and_masked(void **state)
{
	(void)state;
	struct mysql_url u;
	assert_int_equal(mysql_url_parse("mysql://cdc:hunter2@host/db", &u), CDC_EUSAGE);
	assert_non_null(strstr(err_msg(), "password"));
	assert_non_null(strstr(err_msg(), "mysql://cdc:***@host/db"));
	assert_null(strstr(err_msg(), "hunter2"));
	err_clear();
	char *r = mysql_url_redact("mysql://u:p@w@h/db");
	assert_string_equal(r, "mysql://u:***@h/db");
	free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(kinds_follow_the_base_type_name),
		cmocka_unit_test(enum_labels_do_not_decide_the_kind),
		cmocka_unit_test(type_width_reads_the_parenthesis),
		cmocka_unit_test(image_expressions_encode_explicitly),
		cmocka_unit_test(scan_widens_float_only),
		cmocka_unit_test(unix_timestamps_become_utc_text),
		cmocka_unit_test(bits_become_big_endian_bytes),
		cmocka_unit_test(hex_decodes_both_cases_and_rejects_junk),
		cmocka_unit_test(image_fields_decode_by_kind),
		cmocka_unit_test(text_protocol_fields_decode_by_kind),
		cmocka_unit_test(replica_types_keep_mysql_and_map_sqlite),
		cmocka_unit_test(urls_parse_with_defaults),
		cmocka_unit_test(bad_urls_are_usage_errors),
		cmocka_unit_test(a_password_in_the_url_is_refused_and_masked),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
