#!/usr/bin/env bash
# MySQL orders and compares strings by collation ('a' = 'A' = 'a ' and
# 'e' = 'é' under utf8mb4_general_ci); diff pairs keys by their bytes
# whatever the collations of the two sides, so no key is mis-paired:
# SQLite <-> MySQL, MySQL <-> MySQL (general_ci against nopad_bin), both
# directions, and snapshot capture of the MySQL tables ships exactly the
# keys that changed.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/mysql.sh"

db=$(mysql_fresh_db collate)
mysql_exec "$db" "
CREATE TABLE ci(name VARCHAR(20) PRIMARY KEY, v INT) COLLATE utf8mb4_general_ci;
INSERT INTO ci VALUES ('a', 1), ('B', 2), ('c', 3), ('É', 4), ('f', 5);
CREATE TABLE bin(name VARCHAR(20) PRIMARY KEY, v INT) COLLATE utf8mb4_nopad_bin;
INSERT INTO bin VALUES ('a', 1), ('A', 6), ('a ', 7), ('B', 2), ('c', 3), ('e', 8), ('é', 9),
	('É', 4), ('f', 5);"
url=$(mysql_url "$db")
# The same rows as nopad_bin holds, in SQLite, under both table names.
sqlite3 lite.db "
CREATE TABLE ci(name TEXT PRIMARY KEY, v INT);
CREATE TABLE bin(name TEXT PRIMARY KEY, v INT);
INSERT INTO ci VALUES ('a', 1), ('A', 6), ('a ', 7), ('B', 2), ('c', 3), ('e', 8), ('é', 9),
	('É', 4), ('f', 5);
INSERT INTO bin SELECT * FROM ci;"

# SQLite -> MySQL ci: the keys the collation merged are gone in B, the rest pair.
assert_status 1 "$CDCPACK" diff --table ci --format rows sqlite:lite.db "$url"
assert_eq "D ci name='A'|D ci name='a '|D ci name='e'|D ci name='é'" \
	"$(paste -sd'|' "$T/last.out")" "SQLite -> MySQL general_ci"
assert_status 1 "$CDCPACK" diff --table ci --format rows "$url" sqlite:lite.db
assert_eq "I ci name='A'|I ci name='a '|I ci name='e'|I ci name='é'" \
	"$(paste -sd'|' "$T/last.out")" "MySQL general_ci -> SQLite"
assert_status 0 "$CDCPACK" diff --table bin sqlite:lite.db "$url"

# MySQL <-> MySQL: a general_ci table against a nopad_bin one.
db2=$(mysql_fresh_db collate_b)
mysql_exec "$db2" "CREATE TABLE ci(name VARCHAR(20) PRIMARY KEY, v INT) COLLATE utf8mb4_nopad_bin;
INSERT INTO ci SELECT * FROM \`$db\`.bin;"
assert_status 1 "$CDCPACK" diff --table ci --format rows "$url" "$(mysql_url "$db2")"
assert_eq "I ci name='A'|I ci name='a '|I ci name='e'|I ci name='é'" \
	"$(paste -sd'|' "$T/last.out")" "MySQL general_ci -> MySQL nopad_bin"

# Snapshot capture of both tables: only the keys touched ship.
write_config "$T/cdcpack.conf" "$url" "file:$T/bucket" '[capture]' 'mode = snapshot' \
	'tables = ci, bin'
export CDCPACK_CONFIG=$T/cdcpack.conf
assert_status 0 "$CDCPACK" run
mysql_exec "$db" "UPDATE ci SET v = 40 WHERE name = 'é';
	UPDATE bin SET v = 60 WHERE name = 'A';
	DELETE FROM bin WHERE name = 'a ';
	INSERT INTO bin VALUES ('E', 10);"
assert_status 0 "$CDCPACK" --json run
archive=$(find "$T/bucket" -name '*-00000002-*')
[[ -n $archive ]] || fail "no second batch"
assert_eq "U,É,40" "$(tar -xOf "$archive" --wildcards 'ci/*.csv')" "ci changes"
assert_eq "U,A,60|I,E,10|D,a ," "$(tar -xOf "$archive" --wildcards 'bin/*.csv' | paste -sd'|')" \
	"bin changes, in byte order"
assert_status 0 "$CDCPACK" apply --to sqlite:"$T/replica.db"
assert_status 0 "$CDCPACK" verify --against sqlite:"$T/replica.db"
assert_status 0 "$CDCPACK" diff "$url" sqlite:"$T/replica.db"
