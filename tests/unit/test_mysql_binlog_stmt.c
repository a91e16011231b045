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

#include "buf.h"
#include "mysql_binlog_stmt.h"
#include "mysql_driver.h"

#include <stdlib.h>
#include <string.h>

/* The server the statements were logged by: MariaDB 10.11.19. */
#define SERVER 101119UL

static void expect(const char *sql, enum binlog_stmt_kind kind, const char *db, const char *table)
{
	struct binlog_stmt s;
	binlog_stmt_parse(sql, strlen(sql), SERVER, &s);
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

/* A name in the log names a captured database or table as the server
 * compares names: by bytes under lower_case_table_names = 0 (Linux's
 * default: Shop and shop are two databases), in any letter case under 1
 * (names stored folded) and 2 (stored as given, compared folded), where a
 * URL's Shop is the server's shop and a statement may spell SHOP. */
static void names_compare_as_the_server_does(void **state)
{
	(void)state;
	static const struct {
		const char *log, *want;
		bool is[3]; /* under lower_case_table_names 0, 1, 2 */
	} cases[] = {
		{"shop", "shop", {true, true, true}},
		{"shop", "Shop", {false, true, true}},
		{"SHOP", "shop", {false, true, true}},
		{"shop", "shops", {false, false, false}},
		{"shops", "shop", {false, false, false}},
		{"sh0p", "shop", {false, false, false}},
		{"", "", {true, true, true}},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		for (long lctn = 0; lctn < 3; lctn++)
			assert_int_equal(binlog_name_is(cases[i].log, strlen(cases[i].log),
							cases[i].want, lctn),
					 cases[i].is[lctn]);
	/* n bounds the name: the log's strings are not NUL-terminated */
	assert_true(binlog_name_is("shop.t", 4, "SHOP", 1));
	assert_false(binlog_name_is("shop.t", 4, "shop.t", 0));
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
	/* sql_mode ANSI_QUOTES: the server logs the statement as given */
	expect("TRUNCATE TABLE \"peo\"\"ple\"", BINLOG_STMT_TRUNCATE, NULL, "peo\"ple");
	expect("TRUNCATE \"my db\".\"a`b\"", BINLOG_STMT_TRUNCATE, "my db", "a`b");
	/* MariaDB's lock wait; the server truncates and logs it as given */
	expect("TRUNCATE TABLE a WAIT 1", BINLOG_STMT_TRUNCATE, NULL, "a");
	expect("truncate a nowait;", BINLOG_STMT_TRUNCATE, NULL, "a");
	/* executable comments the server ran (no version, or one up to its
	 * own) are statement text: it runs and logs them as given */
	expect("TRUNCATE /*!50000 TABLE */ a", BINLOG_STMT_TRUNCATE, NULL, "a");
	expect("/*!TRUNCATE TABLE a*/", BINLOG_STMT_TRUNCATE, NULL, "a");
	expect("/*!40000 TRUNCATE db.a NOWAIT */", BINLOG_STMT_TRUNCATE, "db", "a");
	expect("/*M!100100 truncate `a` */ ;", BINLOG_STMT_TRUNCATE, NULL, "a");
	expect("/*!101119 TRUNCATE a */", BINLOG_STMT_TRUNCATE, NULL, "a");
	expect("TRUNCATE /*!100000 TABLE `a`*/", BINLOG_STMT_TRUNCATE, NULL, "a");
}

static void not_a_truncate(void **state)
{
	(void)state;
	expect("TRUNCATE TABLE", BINLOG_STMT_OTHER, NULL, NULL);
	expect("TRUNCATE TABLE a, b", BINLOG_STMT_OTHER, NULL, NULL);
	expect("TRUNCATE TABLE a WAIT", BINLOG_STMT_OTHER, NULL, NULL);
	expect("TRUNCATE TABLE a WAIT 1 x", BINLOG_STMT_OTHER, NULL, NULL);
	/* a later version's executable comment is a comment: not run */
	expect("/*!101120 TRUNCATE a */", BINLOG_STMT_OTHER, NULL, NULL);
	expect("/*M!999999 TRUNCATE a */", BINLOG_STMT_OTHER, NULL, NULL);
	expect("TRUNCATE a /*!999999 , b */", BINLOG_STMT_TRUNCATE, NULL, "a");
	/* nested executable comments: not understood */
	expect("/*!TRUNCATE /*!TABLE */ a */", BINLOG_STMT_OTHER, NULL, NULL);
	expect("TRUNCATEX a", BINLOG_STMT_OTHER, NULL, NULL);
	expect("TRUNCATE `unclosed", BINLOG_STMT_OTHER, NULL, NULL);
	expect("TRUNCATE ``", BINLOG_STMT_OTHER, NULL, NULL);
	expect("TRUNCATE \"\"", BINLOG_STMT_OTHER, NULL, NULL);
	expect("TRUNCATE \"unclosed", BINLOG_STMT_OTHER, NULL, NULL);
	expect("TRUNCATE TABLES a", BINLOG_STMT_OTHER, NULL, NULL);
	expect("TRUNCATE db.", BINLOG_STMT_OTHER, NULL, NULL);
	expect("", BINLOG_STMT_OTHER, NULL, NULL);
}

/* Statements after which table names stand for other tables (or none),
 * one or several in each: want lists them as db.table (db empty for the
 * default database), comma-separated; NULL: not such a statement. */
static void expect_names(const char *sql, const char *want)
{
	struct binlog_stmt s;
	binlog_stmt_parse(sql, strlen(sql), SERVER, &s);
	if (!want) {
		assert_int_equal(s.kind, BINLOG_STMT_OTHER);
		assert_int_equal(s.tables.n, 0);
		binlog_stmt_free(&s);
		return;
	}
	assert_int_equal(s.kind, BINLOG_STMT_REPLACES);
	struct buf got = BUF_INIT;
	for (size_t i = 0; i < s.tables.n; i++)
		buf_addf(&got, "%s%s.%s", i ? "," : "", s.dbs.v[i], s.tables.v[i]);
	assert_string_equal(buf_str(&got), want);
	buf_free(&got);
	binlog_stmt_free(&s);
}

static void replacing_statements(void **state)
{
	(void)state;
	expect_names("DROP TABLE people", ".people");
	expect_names("DROP TABLE `a`,`b` /* generated by server */", ".a,.b");
	expect_names("drop table if exists shop.a, `x.y`", "shop.a,.x.y");
	expect_names("RENAME TABLE a TO t, b TO a, t TO b", ".a,.t,.b,.a,.t,.b");
	expect_names("RENAME TABLE IF EXISTS d.a WAIT 3 TO e.b, c NOWAIT TO d", "d.a,e.b,.c,.d");
	expect_names("CREATE TABLE a (id INT PRIMARY KEY)", ".a");
	expect_names("CREATE OR REPLACE TABLE `s`.`a`(id INT)", "s.a");
	expect_names("create table if not exists a like b", ".a");
	expect_names("/* c */ RENAME  TABLE a TO b", ".a,.b");
	/* the grammar's TABLES, and ANSI_QUOTES names, logged as given */
	expect_names("rename tables a to t, b to a, t to b", ".a,.t,.b,.a,.t,.b");
	expect_names("DROP TABLES a, b", ".a,.b");
	expect_names("RENAME TABLE \"a\" TO \"t\", \"d\".\"b\" TO a", ".a,.t,d.b,.a");
	expect_names("DROP TABLE IF EXISTS \"x\"\"y\"", ".x\"y");
	expect_names("CREATE TABLE \"a\" (id INT)", ".a");
	expect_names("ALTER TABLE \"a\" ADD \"c\" INT, RENAME TO \"b\"", ".a,.b");
	expect_names("CREATE TABLES a (id INT)", NULL);
	expect_names("RENAME TABLESX a TO b", NULL);
	expect_names("CREATE INDEX i ON a(x)", NULL);
	expect_names("CREATE OR REPLACE VIEW v AS SELECT 1", NULL);
	expect_names("CREATE TEMPORARY TABLE a (id INT)", NULL);
	expect_names("DROP INDEX i ON a", NULL);
	expect_names("DROPTABLE a", NULL);
	expect_names("RENAME TABLE a", NULL);
	expect_names("RENAME TABLE a TO", NULL);
	expect_names("DROP TABLE a,", NULL);
	expect_names("CREATE TABLE IF EXISTS a (id INT)", NULL);
	expect_names("ALTER TABLE a RENAME COLUMN x TO y", NULL);
}

/* ALTER TABLE a ... RENAME b gives a's name away as RENAME TABLE a TO b
 * does; every other ALTER stays DDL on the tables it names. */
static void alter_table_rename(void **state)
{
	(void)state;
	expect_names("ALTER TABLE a RENAME TO b", ".a,.b");
	expect_names("alter table a rename b;", ".a,.b");
	expect_names("ALTER TABLE a RENAME AS b", ".a,.b");
	expect_names("ALTER TABLE db.a RENAME TO db2.b", "db.a,db2.b");
	expect_names("ALTER TABLE `my db`.`peo``ple` RENAME TO `x.y`", "my db.peo`ple,.x.y");
	expect_names("ALTER /* c */ TABLE a -- why\n RENAME # note\n TO `b`", ".a,.b");
	expect_names("ALTER ONLINE IGNORE TABLE IF EXISTS a NOWAIT RENAME TO b", ".a,.b");
	expect_names("ALTER TABLE a WAIT 5 RENAME TO b", ".a,.b");
	expect_names("ALTER TABLE a ADD COLUMN c INT DEFAULT 1, RENAME TO b", ".a,.b");
	expect_names("ALTER TABLE a RENAME TO b, ADD INDEX i (x, y), COMMENT 'x, RENAME TO c'",
		     ".a,.b");
	expect_names("ALTER TABLE a ADD c VARCHAR(9) DEFAULT 'it''s, \\' RENAME', RENAME b",
		     ".a,.b");
	expect_names("ALTER TABLE a ADD c INT COMMENT \"x\", RENAME COLUMN c TO d, RENAME TO b",
		     ".a,.b");
	expect_names("ALTER TABLE a ADD `RENAME, x` INT, RENAME TO b", ".a,.b");
	expect_names("ALTER TABLE a RENAME INDEX i TO j", NULL);
	expect_names("ALTER TABLE a RENAME KEY i TO j, RENAME COLUMN x TO y", NULL);
	expect_names("ALTER TABLE a COMMENT 'RENAME TO b'", NULL);
	expect_names("ALTER TABLE a ADD c INT, COMMENT 'x', RENAME_X INT", NULL);
	expect_names("ALTER TABLE a RENAME TO", NULL);
	expect_names("ALTER TABLE a RENAME TO b, ADD c INT DEFAULT 'unclosed", NULL);
	expect_names("ALTER TABLE a ADD c INT) , RENAME TO b", NULL);
	/* executable comments the server ran are statement text; a later
	 * version's are comments */
	expect_names("ALTER TABLE a /*!50100 RENAME TO b */", ".a,.b");
	expect_names("ALTER TABLE a RENAME TO b /*!50100 , RENAME TO c */", ".a,.b,.a,.c");
	expect_names("/*!50001 RENAME TABLE a TO t, b TO a, t TO b */", ".a,.t,.b,.a,.t,.b");
	expect_names("ALTER TABLE a /*M!100100 EXCHANGE PARTITION p WITH TABLE b */", ".a,.b");
	expect_names("/*!DROP TABLE `a` */", ".a");
	expect_names("ALTER TABLE a /*!999999 RENAME TO b */", NULL);
	expect_names("/*!101120 RENAME TABLE a TO b */", NULL);
	expect_names("ALTER TABLE a /*!50100 ADD c INT /*!50100 , RENAME TO b */ */", NULL);
	expect_names("ALTER TABLE", NULL);
	expect_names("ALTER TABLE a", NULL);
	expect_names("ALTER VIEW v RENAME TO w", NULL);
	expect_names("ALTERTABLE a RENAME TO b", NULL);
}

/* ALTER TABLE specs that move rows with no row event logged list a (and
 * the table the rows went to or came from); partition specs that keep the
 * rows (ADD, REORGANIZE, COALESCE, REMOVE PARTITIONING) do not. */
static void alter_table_moves_rows(void **state)
{
	(void)state;
	expect_names("ALTER TABLE a TRUNCATE PARTITION p2", ".a");
	expect_names("alter table d.a truncate partition all", "d.a");
	expect_names("ALTER TABLE a DROP PARTITION p1, p2", ".a");
	expect_names("ALTER TABLE a DROP PARTITION IF EXISTS p1", ".a");
	expect_names("ALTER TABLE a EXCHANGE PARTITION p WITH TABLE d.b WITHOUT VALIDATION",
		     ".a,d.b");
	expect_names("ALTER TABLE `a` CONVERT PARTITION `p 1` TO TABLE \"b\"", ".a,.b");
	expect_names("ALTER TABLE a CONVERT TABLE b TO PARTITION p VALUES LESS THAN (50)", ".a,.b");
	expect_names("ALTER TABLE a ADD c INT, DROP PARTITION p", ".a");
	expect_names("ALTER TABLE a ADD PARTITION (PARTITION p9 VALUES LESS THAN (90))", NULL);
	expect_names(
		"ALTER TABLE a REORGANIZE PARTITION p1 INTO (PARTITION p1 VALUES LESS THAN (5), "
		"PARTITION p1b VALUES LESS THAN (10))",
		NULL);
	expect_names("ALTER TABLE a COALESCE PARTITION 2", NULL);
	expect_names("ALTER TABLE a REMOVE PARTITIONING", NULL);
	expect_names("ALTER TABLE a DROP COLUMN `partition`", NULL);
	expect_names("ALTER TABLE a DROP `partition`", NULL);
	expect_names("ALTER TABLE a CONVERT TO CHARACTER SET utf8mb4", NULL);
	expect_names("ALTER TABLE a EXCHANGE PARTITION p WITH TABLE", NULL);
	expect_names("ALTER TABLE a CONVERT TABLE", NULL);
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
		cmocka_unit_test(names_compare_as_the_server_does),
		cmocka_unit_test(truncate_spellings),
		cmocka_unit_test(not_a_truncate),
		cmocka_unit_test(replacing_statements),
		cmocka_unit_test(alter_table_rename),
		cmocka_unit_test(alter_table_moves_rows),
		cmocka_unit_test(gtid_state_advances_per_domain),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
