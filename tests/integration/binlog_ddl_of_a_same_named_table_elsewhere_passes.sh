#!/usr/bin/env bash
# mode = binlog: DDL on a table of the same name in ANOTHER database (its
# own default database, the name unqualified) does not concern the captured
# table, so it does not end the batch: one run ships the captured table's
# changes on both sides of it (FINDINGS.md F20: two torture cases sharing a
# server ended each other's batches, so a step's closing run left changes
# for the next one). The same DDL naming the source's database (`db`.t
# from another default database) still ends the batch before it, and the
# next run goes on past it.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/mysql.sh"
source "$ROOT/tests/lib/binlog.sh"

db=$(mysql_fresh_db binlog_elsewhere)
other=$(mysql_fresh_db binlog_elsewhere_other)
mysql_exec "$db" "CREATE TABLE people(id INT PRIMARY KEY, name VARCHAR(40));
INSERT INTO people VALUES (1, 'one')"
mysql_exec "$other" "CREATE TABLE people(id INT PRIMARY KEY, name VARCHAR(40))"
binlog_user "$db"
write_config "$T/cdcpack.conf" "$url" "file:$T/bucket" '[capture]' 'mode = binlog'
export CDCPACK_CONFIG=$T/cdcpack.conf
assert_status 0 "$CDCPACK" run

# rows shipped so far, counted in the replica after an apply
shipped() {
	assert_status 0 "$CDCPACK" apply --to "sqlite:$T/replica.db"
	sqlite3 "$T/replica.db" "SELECT group_concat(id, ' ') FROM (SELECT id FROM people ORDER BY id)"
}

mysql_exec "$db" "INSERT INTO people VALUES (2, 'two')"
mysql_exec "$other" "ALTER TABLE people ADD COLUMN age INT; CREATE INDEX by_name ON people(name);
OPTIMIZE TABLE people; ALTER TABLE people DROP COLUMN age"
mysql_exec "$db" "INSERT INTO people VALUES (3, 'three')"
assert_status 0 "$CDCPACK" run
assert_not_contains "$T/last.err" "batch ends before"
assert_eq "1 2 3" "$(shipped)" "one run past DDL on $other.people"

# Naming the captured table by its database: a boundary, as before.
mysql_exec "$db" "INSERT INTO people VALUES (4, 'four')"
mysql_exec "$other" "CREATE INDEX by_name ON \`$db\`.people(name)"
mysql_exec "$db" "INSERT INTO people VALUES (5, 'five')"
assert_status 0 "$CDCPACK" run
assert_contains "$T/last.err" "batch ends before a statement on captured table people"
assert_eq "1 2 3 4" "$(shipped)" "the batch ends before CREATE INDEX ON $db.people"
assert_status 0 "$CDCPACK" run
assert_eq "1 2 3 4 5" "$(shipped)" "the next run goes on past it"
assert_status 0 "$CDCPACK" verify --against "sqlite:$T/replica.db"
echo ok
