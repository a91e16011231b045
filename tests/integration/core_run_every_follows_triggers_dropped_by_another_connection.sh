#!/usr/bin/env bash
# A long-lived run (`run --every`) keeps what it read of the source's schema
# (src/source/sqlite/sqlite_catalog.c) only while PRAGMA schema_version
# stays put: a trigger another connection drops between two cycles is seen
# by the next cycle, which names the table whose changes are no longer
# captured, instead of trusting the schema it read in the cycle before.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"

persons_loaded
# DDL since the load's trigger check: the first cycle checks the triggers
# again, so the loop holds a read of the schema before the drop below.
sql "CREATE INDEX persons_city ON Persons(City)"

count_is() { [[ $(published_count) == "$1" ]]; }
warned() { grep -qF "table Persons has no cdcpack triggers" "$T/loop.err"; }

"$CDCPACK" run --every 1s >"$T/loop.out" 2>"$T/loop.err" &
loop=$!
stop_loop() { # the loop never outlives the test, even a failed one
	local rc=$?
	kill -9 "$loop" 2>/dev/null || true
	(exit "$rc")
	cleanup_tmp
}
trap stop_loop EXIT
sql_beside_a_run "UPDATE Persons SET City = 'Loop 1' WHERE PersonID = 1"
wait_for 20 "the loop's first batch" count_is 2
assert_not_contains "$T/loop.err" "has no cdcpack triggers"

sql_beside_a_run "$(drop_triggers_sql Persons | head -n 1)"
assert_eq 2 "$(triggers_of Persons | wc -l)" "Persons' triggers after one was dropped"
wait_for 20 "a cycle to name the table whose trigger another connection dropped" warned

kill -TERM "$loop"
wait_exit "$loop" 5
assert_eq 0 "$EXIT_STATUS" "exit status of run --every after SIGTERM (log: $(tail -n 3 "$T/loop.err"))"
