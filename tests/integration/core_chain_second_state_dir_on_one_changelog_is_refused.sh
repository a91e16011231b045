#!/usr/bin/env bash
# One changelog, one consumer: acknowledging deletes the rows, so a second
# state dir reading the same changelog (another [source] name, another
# bucket) would take each change away from the first chain. The source
# records the chain that owns its changelog; a second one is refused with
# exit 3 naming the owner and the way to a second chain, before it captures
# anything. That way (its own [capture] changelog) works: both chains then
# receive every change, and neither captures the other's changelog tables.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"

persons_loaded
second=$T/second.conf
core_second_config "$second"

sql "UPDATE Persons SET City = 'First' WHERE PersonID = 1"
for cmd in run load; do
	cdc_status 3 -c "$second" $cmd
	assert_contains "$T/last.err" "changelog cdcpack_changelog of sqlite:$SRC_DB is consumed by another chain"
	assert_contains "$T/last.err" "start another chain with its own [capture] changelog"
done
[[ ! -d $T/bucket2/cdc ]] || fail "the second chain published: $(find "$T/bucket2" -type f)"
cdc run
assert_eq 2 "$(published_count)" "the first chain's batches"
check_chain

# A second chain with its own changelog: both get every change.
printf '[capture]\nchangelog = second_changelog\n' >>"$second"
cdc -c "$second" triggers install
cdc -c "$second" load
sql "UPDATE Persons SET City = 'Both' WHERE PersonID = 2; DELETE FROM Persons WHERE PersonID = 3;"
cdc run
cdc -c "$second" run
cdc apply --to "sqlite:$T/replica1.db"
cdc -c "$second" apply --to "sqlite:$T/replica2.db"
rows() { sqlite3 -quote "$1" "SELECT * FROM Persons ORDER BY 1"; }
rows "$SRC_DB" >"$T/source.rows"
tables() { sqlite3 "$1" "SELECT group_concat(name, ' ') FROM (SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name)"; }
for r in replica1 replica2; do
	rows "$T/$r.db" >"$T/$r.rows"
	assert_same_file "$T/source.rows" "$T/$r.rows" "Persons on $r"
	assert_eq "Persons cdcpack_applied" "$(tables "$T/$r.db")" "tables on $r"
done
