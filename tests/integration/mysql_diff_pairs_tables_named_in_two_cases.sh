#!/usr/bin/env bash
# diff pairs tables by name, in another case only where that is the one
# match nothing else claims (FINDINGS.md F39). MariaDB on Linux keeps t and
# T apart; against a SQLite t (or a MariaDB database holding only t), A's T
# was paired with B's t as well as A's t ("keys differ"), and with the sides
# the other way round T was left out unsaid: exit 0, "A and B hold the same
# rows", though B held a table of two rows A had not. Now T is a table on
# one side only; a lone table named in another case still pairs (SQLite's
# t with MariaDB's T).
# Fails without the fix: the second diff exits 0.
# Found by `python3 tests/torture/torture_diff_mysql.py --mode cross --seed 1006`
# (once: information_schema lists t and T in either order).
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/mysql.sh"

two=$(mysql_fresh_db two_cases)
one=$(mysql_fresh_db one_case)
mysql_exec "$two" "CREATE TABLE t(id INT PRIMARY KEY, v INT); INSERT INTO t VALUES (1, 1);
CREATE TABLE T(k VARCHAR(5) PRIMARY KEY); INSERT INTO T VALUES ('x'), ('y')"
mysql_exec "$one" "CREATE TABLE t(id INT PRIMARY KEY, v INT); INSERT INTO t VALUES (1, 1)"
sqlite3 s.db "CREATE TABLE t(id INTEGER PRIMARY KEY, v INT); INSERT INTO t VALUES (1, 1)"

check() { # check A B: T on B's side only (2 inserts) or A's (2 deletes), t equal
	assert_status 1 "$CDCPACK" --json diff "$1" "$2"
	assert_contains "$T/last.out" '"name":"t","status":"compared","rows_a":1,"rows_b":1,"inserted":0,"updated":0,"deleted":0'
	assert_contains "$T/last.out" "\"name\":\"T\",\"status\":\"$3\""
	assert_contains "$T/last.out" '"differences":3,'
}
check "$(mysql_url "$two")" sqlite:s.db only_in_a
check sqlite:s.db "$(mysql_url "$two")" only_in_b
check "$(mysql_url "$two")" "$(mysql_url "$one")" only_in_a
check "$(mysql_url "$one")" "$(mysql_url "$two")" only_in_b

# A lone table in another case still pairs.
upper=$(mysql_fresh_db upper_case)
mysql_exec "$upper" "CREATE TABLE T(id INT PRIMARY KEY, v INT); INSERT INTO T VALUES (1, 1)"
assert_status 0 "$CDCPACK" --json diff sqlite:s.db "$(mysql_url "$upper")"
assert_contains "$T/last.out" '"name":"t","status":"compared"'
