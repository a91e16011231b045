/* Statements in the binary log that binlog capture follows
 * (mysql_binlog_stmt.c): every spelling of TRUNCATE it ships as a T row,
 * and look-alikes it must not take for one (those stop the run when they
 * name a captured table). And the GTID state a read carries forward
 * (mysql_binlog_files.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "mysql_binlog_stmt.h"
#include "mysql_driver.h"

#include <stdlib.h>
#include <string.h>

static void expect(const char *sql, enum binlog_stmt_kind kind, const char *db, const char *table)
{
	struct binlog_stmt s;
	binlog_stmt_parse(sql, strlen(sql), &s);
	assert_int_equal(s.kind, kind);
	if (db)
		assert_string_equal(s.db, db);
	else
		assert_null(s.db);
	if (table)
		assert_string_equal(s.table, table);
	else
		assert_null(s.table);
	binlog_stmt_free(&s);
}

static void truncate_spellings(void **state)
{
	(void)state;
	expect("TRUNCATE TABLE people", BINLOG_STMT_TRUNCATE, NULL, "people");
	expect("truncate people", BINLOG_STMT_TRUNCATE, NULL, "people");
	expect("  TRUNCATE\n\tTABLE `peo``ple` ; ", BINLOG_STMT_TRUNCATE, NULL, "peo`ple");
	expect("TRUNCATE /* why */ db1.`people`", BINLOG_STMT_TRUNCATE, "db1", "people");
	expect("TRUNCATE `my db` . t_1$", BINLOG_STMT_TRUNCATE, "my db", "t_1$");
	expect("TRUNCATE TABLE `table`", BINLOG_STMT_TRUNCATE, NULL, "table");
}

static void not_a_truncate(void **state)
{
	(void)state;
	expect("TRUNCATE TABLE", BINLOG_STMT_OTHER, NULL, NULL);
	expect("TRUNCATE TABLE a, b", BINLOG_STMT_OTHER, NULL, NULL);
	expect("TRUNCATE TABLE a WAIT 1", BINLOG_STMT_OTHER, NULL, NULL);
	expect("TRUNCATE /*!50000 TABLE */ a", BINLOG_STMT_OTHER, NULL, NULL);
	expect("TRUNCATEX a", BINLOG_STMT_OTHER, NULL, NULL);
	expect("TRUNCATE `unclosed", BINLOG_STMT_OTHER, NULL, NULL);
	expect("TRUNCATE ``", BINLOG_STMT_OTHER, NULL, NULL);
	expect("TRUNCATE db.", BINLOG_STMT_OTHER, NULL, NULL);
	expect("DROP TABLE people", BINLOG_STMT_OTHER, NULL, NULL);
	expect("", BINLOG_STMT_OTHER, NULL, NULL);
}

static void expect_gtid(const char *state, uint32_t d, uint32_t s, uint64_t n, const char *want)
{
	char *got = mysql_gtid_advance(state, d, s, n);
	assert_string_equal(got, want);
	free(got);
}

/* Each domain keeps its last GTID, domains in ascending order. */
static void gtid_state_advances_per_domain(void **state)
{
	(void)state;
	expect_gtid("", 0, 1, 1, "0-1-1");
	expect_gtid(NULL, 0, 1, 1, "0-1-1");
	expect_gtid("0-1-57", 0, 1, 58, "0-1-58");
	expect_gtid("0-1-57", 0, 2, 58, "0-2-58");
	expect_gtid("0-1-57,2-1-9", 1, 3, 4, "0-1-57,1-3-4,2-1-9");
	expect_gtid("1-3-4,2-1-9", 0, 1, 1, "0-1-1,1-3-4,2-1-9");
	expect_gtid("0-1-57,2-1-9", 2, 1, 10, "0-1-57,2-1-10");
	expect_gtid("0-1-57", 4294967295u, 4294967295u, 18446744073709551615ull,
		    "0-1-57,4294967295-4294967295-18446744073709551615");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(truncate_spellings),
		cmocka_unit_test(not_a_truncate),
		cmocka_unit_test(gtid_state_advances_per_domain),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
