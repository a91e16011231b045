/* The grammar of what an archive may say (src/format/coltype.c, and each
 * driver's type grammar, src/source/NAME/NAME_types.c) and URL redaction
 * (src/base/redact.c): the spellings the drivers write pass, SQL does not. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "coltype.h"
#include "mysql_types.h"
#include "redact.h"
#include "sqlite_types.h"

#include <stdlib.h>
#include <string.h>

static void mysql_spellings(void **state)
{
	(void)state;
	static const char *const good[] = {
		"int(11)",
		"int unsigned",
		"bigint(20) unsigned zerofill",
		"decimal(30,10)",
		"varchar(255)",
		"timestamp(3)",
		"enum('a','b c','it''s')",
		"set('x','y')",
		"float unsigned",
		"double",
		"longblob",
		"bit(10)",
		"json",
		"inet6",
		"year(4)",
		"geometry",
	};
	static const char *const bad[] = {
		"",
		"int,",
		"text, drop column `x` #",
		"varchar(10)) select 1 #",
		"int not null",
		"enum('a') default 'a'",
		"enum('a\\', 'b')",
		"enum('a\\','b')", /* MySQL reads \' as a quote: the label would not end */
		"enum",
		"int(11",
		"int(1,2,3)",
		"varchar(10) character set latin1",
		"tinyint(1);",
		"evil",
		"int /* c */",
		"int\nunsigned",
	};
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		assert_true(mysql_type_valid(good[i]));
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_false(mysql_type_valid(bad[i]));
}

static void sqlite_spellings(void **state)
{
	(void)state;
	static const char *const good[] = {
		"",
		"INTEGER",
		"TEXT",
		"VARCHAR(20)",
		"NUMERIC(10, 5)",
		"DECIMAL ( 10 , 2 )",
		"UNSIGNED BIG INT",
		"DOUBLE PRECISION",
		"int(-1)",
		"x(+1.5)",
		"  REAL  ",
	};
	static const char *const bad[] = {
		"TEXT COLLATE NOCASE",
		"INT NOT NULL",
		"INT PRIMARY",
		"TEXT DEFAULT 1",
		"REAL /* x */",
		"INT(1) UNSIGNED",
		"INT(1",
		"(1)",
		"\"quoted\"",
		"INT;",
		"1INT",
		"INT\x1b",
		"TEXT AS",
		"INT(1,2,3)",
	};
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		assert_true(sqlite_type_valid(good[i]));
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_false(sqlite_type_valid(bad[i]));
}

static void redaction(void **state)
{
	(void)state;
	static const char *const cases[][2] = {
		{"mysql://cdc:pw@h:1/db", "mysql://cdc:***@h:1/db"},
		{"mysql://cdc@h/db?password=pw&ssl=required",
		 "mysql://cdc@h/db?password=***&ssl=required"},
		{"mysql://c:p@ss@h/db?Token=t", "mysql://c:***@h/db?Token=***"},
		{"mysql://cdc@h/db", "mysql://cdc@h/db"},
		{"sqlite:/a:b@c.db", "sqlite:/a:b@c.db"},
		{"s3://bucket/pre?x=1", "s3://bucket/pre?x=1"},
		{"", ""},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *got = url_redact(cases[i][0]);
		assert_string_equal(got, cases[i][1]);
		free(got);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(mysql_spellings),
		cmocka_unit_test(sqlite_spellings),
		cmocka_unit_test(redaction),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
