#!/usr/bin/env bash
# tests/torture/FINDINGS.md F25 (fixed). A SQLite table keyed by a DATETIME
# column whose keys mix the two common spellings of a moment ('T' from
# JavaScript's ISO strings, ' ' from SQLite's datetime()) diffs like any
# other: SQLite hands the keys over in byte order (' ' < 'T'), diff compares
# them by the canonical spelling, so the scan orders such a key by its
# canonical value (sqlite_keyorder.c). Likewise a TIME key ('3:04:05' is
# 03:04:05), and text keys of a column declared TEXT in one database and
# NUMERIC in the other ('10' after '3', by value). Two spellings of one
# moment in one table are one key as diff compares them: diff stops (exit
# 3) naming both rather than pairing either with the other side's row.
# Against a MariaDB DATETIME (one spelling) each SQLite spelling pairs with
# its moment, both ways.
# Found by `python3 tests/torture/torture_diff.py --seed 23` (before the fix).
# Fails with the binary before the fix (CDCPACK_BIN=/work/main/bin/cdcpack
# of 069b51e): exit 3, "keys must come in ascending order".
source "$(dirname "$0")/../lib/common.sh"

sqlite3 a.db "CREATE TABLE e(at DATETIME PRIMARY KEY, v);
INSERT INTO e VALUES ('2024-01-02T03:04:05Z', 1), ('2024-01-02 03:04:06', 2),
  ('2024-01-02T03:04:07', 3), ('2024-01-02 03:04:04.5', 4);
CREATE TABLE t(at TIME PRIMARY KEY, v);
INSERT INTO t VALUES ('2024-01-02 03:04:05', 1), ('3:04:05', 2), ('12:00:00', 3);"
cp a.db b.db
assert_status 0 "$CDCPACK" diff sqlite:a.db sqlite:b.db
sqlite3 b.db "UPDATE e SET v = 3 WHERE at = '2024-01-02T03:04:05Z';
  DELETE FROM e WHERE at = '2024-01-02 03:04:06';
  INSERT INTO e VALUES ('2024-01-02T03:04:06.25Z', 5);
  UPDATE t SET v = 9 WHERE at = '3:04:05'"
assert_status 1 "$CDCPACK" diff --format rows sqlite:a.db sqlite:b.db
printf '%s\n' "U e at='2024-01-02T03:04:05Z'" "D e at='2024-01-02 03:04:06'" \
	"I e at='2024-01-02T03:04:06.25Z'" "U t at='3:04:05'" >want
assert_eq "$(cat want)" "$(cat "$T/last.out")" "the changes, in the canonical key order"

# The same moments spelt the other way on one side pair with them.
sqlite3 c.db "CREATE TABLE e(at DATETIME PRIMARY KEY, v);
INSERT INTO e VALUES ('2024-01-02 03:04:05', 1), ('2024-01-02T03:04:06Z', 2),
  ('2024-01-02 03:04:07.000', 3), ('2024-01-02T03:04:04.50', 4);"
assert_status 0 "$CDCPACK" diff --table e sqlite:a.db sqlite:c.db

# TEXT against NUMERIC: '3' and 3 are one number.
sqlite3 n.db "CREATE TABLE k(k NUMERIC PRIMARY KEY, v); INSERT INTO k VALUES (3, 'a'), (10, 'b');"
sqlite3 s.db "CREATE TABLE k(k TEXT PRIMARY KEY, v); INSERT INTO k VALUES ('3', 'a'), ('10', 'b');"
assert_status 0 "$CDCPACK" diff sqlite:n.db sqlite:s.db
assert_status 0 "$CDCPACK" diff sqlite:s.db sqlite:n.db
sqlite3 s.db "INSERT INTO k VALUES ('7', 'c'), ('200', 'd'); UPDATE k SET v = 'B' WHERE k = '10'"
assert_status 1 "$CDCPACK" diff --format rows sqlite:n.db sqlite:s.db
printf '%s\n' "I k k='7'" "U k k='10'" "I k k='200'" >want
assert_eq "$(cat want)" "$(cat "$T/last.out")" "TEXT keys paired with NUMERIC ones by value"

# Two spellings of one moment in one table: exit 3, both named.
sqlite3 d.db "CREATE TABLE e(at DATETIME PRIMARY KEY, v);
INSERT INTO e VALUES ('2024-01-02T03:04:05Z', 1), ('2024-01-02 03:04:05', 2);"
cp d.db d2.db
assert_status 3 "$CDCPACK" diff sqlite:d.db sqlite:d2.db
assert_contains "$T/last.err" "holds keys (at='2024-01-02 03:04:05') and (at='2024-01-02T03:04:05Z'), which are one key as diff compares them"

# Against MariaDB, whose DATETIME has one spelling: each SQLite spelling
# pairs with its moment, in both directions.
if [ -n "${CDCPACK_TEST_MYSQL_ROOT_CNF:-}" ]; then
	source "$ROOT/tests/lib/mysql.sh"
	m=$(mysql_fresh_db datetime_key_spellings)
	mysql_exec "$m" "CREATE TABLE e(at DATETIME(3) PRIMARY KEY, v INT);
	  INSERT INTO e VALUES ('2024-01-02 03:04:05', 1), ('2024-01-02 03:04:06', 2),
	  ('2024-01-02 03:04:07', 3), ('2024-01-02 03:04:04.5', 4)"
	assert_status 0 "$CDCPACK" diff --table e sqlite:a.db "$(mysql_url "$m")"
	assert_status 0 "$CDCPACK" diff --table e "$(mysql_url "$m")" sqlite:a.db
	mysql_exec "$m" "UPDATE e SET v = 7 WHERE at = '2024-01-02 03:04:06'"
	assert_status 1 "$CDCPACK" diff --format rows --table e sqlite:a.db "$(mysql_url "$m")"
	assert_eq "U e at='2024-01-02 03:04:06.000'" "$(cat "$T/last.out")" "MariaDB's changed row"
fi
