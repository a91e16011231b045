#!/usr/bin/env bash
# Issue 11 #10 on MariaDB: a column renamed (through `cdcpack triggers
# alter`, so that no write fails) and a column retyped reach a MariaDB and
# a SQLite replica: the run ships the table whole as a load batch with the
# new definition, apply (exit 0) recreates each replica table with it, and
# each equals the source, compared by the engines' own clients ordered by
# key, column names included.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/mysql.sh"

db=$(mysql_fresh_db rencol)
mysql_exec "$db" "CREATE TABLE r (id int PRIMARY KEY, old varchar(10), n int); INSERT INTO r VALUES (1, 'p', 1), (2, 'q', 2)"
write_config "$T/cdcpack.conf" "$(mysql_url "$db")" "file:$T/bucket"
export CDCPACK_CONFIG=$T/cdcpack.conf
rep=$(mysql_fresh_db rencol_rep)
assert_status 0 "$CDCPACK" triggers install
assert_status 0 "$CDCPACK" load
assert_status 0 "$CDCPACK" apply --to "$(mysql_url "$rep")"
assert_status 0 "$CDCPACK" apply --to "sqlite:$T/replica.db"

mysql_exec "$db" "UPDATE r SET n = 20 WHERE id = 2"
assert_status 0 "$CDCPACK" triggers alter r "ALTER TABLE r RENAME COLUMN old TO new, MODIFY n varchar(20)"
mysql_exec "$db" "UPDATE r SET new = 'P' WHERE id = 1"
assert_status 0 "$CDCPACK" run
mysql_exec "$db" "UPDATE r SET new = 'Q', n = '2x' WHERE id = 2; INSERT INTO r VALUES (3, 's', 'three')"
assert_status 0 "$CDCPACK" run

columns() { mysql_exec "$1" "SELECT GROUP_CONCAT(COLUMN_NAME, ' ', COLUMN_TYPE ORDER BY ORDINAL_POSITION)
	FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = '$1' AND TABLE_NAME = 'r'"; }
want=$(mysql_exec "$db" "SELECT id, new, n FROM r ORDER BY id")
assert_eq "1	P	1
2	Q	2x
3	s	three" "$want" "source rows"
assert_status 0 "$CDCPACK" apply --to "$(mysql_url "$rep")"
assert_eq "$(columns "$db")" "$(columns "$rep")" "MariaDB replica columns"
assert_eq "$want" "$(mysql_exec "$rep" "SELECT id, new, n FROM r ORDER BY id")" "MariaDB replica rows"
assert_status 0 "$CDCPACK" apply --to "sqlite:$T/replica.db"
assert_eq "id new n" "$(sqlite3 "$T/replica.db" "SELECT name FROM pragma_table_info('r')" | tr '\n' ' ' | sed 's/ $//')" \
	"SQLite replica columns"
assert_eq "$want" "$(sqlite3 -separator $'\t' "$T/replica.db" "SELECT id, new, n FROM r ORDER BY id")" \
	"SQLite replica rows"
assert_status 0 "$CDCPACK" verify --against "$(mysql_url "$rep")"
