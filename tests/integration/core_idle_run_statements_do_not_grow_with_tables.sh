#!/usr/bin/env bash
# An idle run (nothing changed since the last batch) runs the same number of
# statements on the source whatever the number of captured tables (issue 18
# item 15: 10,000 tables in under 1 s): the trigger check and the comparison
# of each table's columns with the shipped ones are skipped while the schema
# stamp is the last clean look's, the trigger schema is parsed only when a
# change is there to decode, and cdcpack's own tables are looked up without
# reading every table's and trigger's SQL. `-v` says at close how many
# statements the source ran; a count, not a time, so a loaded machine
# cannot make it flaky. A change made after the growth still ships.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"

# tables FROM TO: creates tFROM..tTO with a row each, in one transaction.
tables() {
	{
		echo "BEGIN;"
		for ((i = $1; i <= $2; i++)); do
			echo "CREATE TABLE t$i(id INTEGER PRIMARY KEY, a TEXT, b REAL);"
			echo "INSERT INTO t$i VALUES(1, 'row of t$i', $i.5);"
		done
		echo "COMMIT;"
	} | sqlite3 "$SRC_DB"
}

# idle_statements: the source statements of a second idle run (the first
# after a change of the schema looks at every table and keeps the stamp).
# The second opens the source (cdc_opened): an untouched one is not opened
# at all (core_idle_run_leaves_unchanged_source_closed.sh), and this counts
# the statements of a run that opens it.
idle_statements() {
	cdc -v run
	cdc_opened -v run
	sed -n 's/.*source .*: \([0-9]*\) statement(s).*/\1/p' "$T/last.err"
}

tables 1 10
core_config
cdc -q triggers install
cdc load
few=$(idle_statements)
[[ $few =~ ^[0-9]+$ ]] || fail "no statement count in the verbose output: $(cat "$T/last.err")"

tables 11 120
cdc -q triggers install
cdc load t$(seq -s ' t' 11 120)
many=$(idle_statements)
assert_eq "$few" "$many" "source statements of an idle run, 10 tables vs 120"
# and the reason: the stamps held
assert_contains "$T/last.err" "schema unchanged since the last check"
assert_contains "$T/last.err" "schema unchanged since the last comparison"

# the shortcut hides no change: one made now ships with the next run
sql "INSERT INTO t77 VALUES(2, 'late', 2.5); UPDATE t3 SET a = 'changed' WHERE id = 1;"
cdc run
assert_eq '["t3","t77"]' "$(manifest "$(published | tail -n 1)" | jq -c '[.tables[].name] | sort')" \
	"tables of the batch after the idle runs"
check_chain
