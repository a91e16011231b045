#!/usr/bin/env bash
# MySQL: an idle run (nothing changed since the last batch) sends the same
# number of statements whatever the number of captured tables (issue 18
# item 15): the schema stamp (a hash of what the trigger check and the
# column comparison read of information_schema, for every table at once)
# lets the run skip asking about each table, and the trigger schema is read
# only when a change is there to decode. `-v` says at close how many
# statements the session sent; a count, not a time. A column added behind
# cdcpack's back moves the stamp (drift is found), and changes still ship.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/mysql.sh"

db=$(mysql_fresh_db idle_statements)
# tables FROM TO: creates tFROM..tTO with a row each.
tables() {
	local i sql=""
	for ((i = $1; i <= $2; i++)); do
		sql+="CREATE TABLE t$i (id int PRIMARY KEY, a varchar(20), b double);
		INSERT INTO t$i VALUES (1, 'row of t$i', $i.5);"
	done
	mysql_exec "$db" "$sql"
}
write_config "$T/cdcpack.conf" "$(mysql_url "$db")" "file:$T/bucket"
export CDCPACK_CONFIG=$T/cdcpack.conf

# idle_statements: the statements of a second idle run (the first after a
# change of the schema looks at every table and keeps the stamp).
idle_statements() {
	assert_status 0 "$CDCPACK" -v run
	assert_status 0 "$CDCPACK" -v run
	sed -n 's/.*source .*: \([0-9]*\) statement(s).*/\1/p' "$T/last.err"
}

tables 1 3
assert_status 0 "$CDCPACK" -q triggers install
assert_status 0 "$CDCPACK" load
few=$(idle_statements)
[[ $few =~ ^[0-9]+$ ]] || fail "no statement count in the verbose output: $(cat "$T/last.err")"

tables 4 12
assert_status 0 "$CDCPACK" -q triggers install
assert_status 0 "$CDCPACK" load t4 t5 t6 t7 t8 t9 t10 t11 t12
many=$(idle_statements)
assert_eq "$few" "$many" "statements of an idle run, 3 tables vs 12"
# and the reason: the stamps held
assert_contains "$T/last.err" "schema unchanged since the last check"
assert_contains "$T/last.err" "schema unchanged since the last comparison"

# a column added by another session moves the stamp: drift is found, and
# the change made after it ships
mysql_exec "$db" "ALTER TABLE t7 ADD COLUMN c int; INSERT INTO t7 VALUES (2, 'late', 2.5, 7)"
assert_status 0 "$CDCPACK" -v run
assert_not_contains "$T/last.err" "schema unchanged since the last check"
assert_contains "$T/last.err" "schema drift on table t7"
mysql_exec "$db" "UPDATE t3 SET a = 'changed' WHERE id = 1"
assert_status 0 "$CDCPACK" run
last=$(find "$T/bucket/cdc" -type f | awk -F/ '{ print $NF "\t" $0 }' | LC_ALL=C sort | cut -f2 | tail -n 1)
assert_eq '["t3"]' "$(tar -xOf "$last" manifest.json | jq -c '[.tables[].name]')" \
	"tables of the last batch"
assert_eq 0 "$(mysql_changelog_count "$db")" "changelog rows left"
