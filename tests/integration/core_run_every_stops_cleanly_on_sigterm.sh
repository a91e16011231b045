#!/usr/bin/env bash
# `run --every 1s` loops, shipping new changes each cycle, and stops cleanly
# on SIGTERM: while napping between cycles it exits 0 at once; in the middle
# of a cycle (held at after-stage) it exits 0 after the current step without
# publishing half a batch, and the next run finishes that batch. Every change
# ships once.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"

persons_loaded

count_is() { [[ $(published_count) == "$1" ]]; }

# SIGTERM while napping.
sql "UPDATE Persons SET City = 'Loop 1' WHERE PersonID = 1"
"$CDCPACK" run --every 1s >"$T/loop.out" 2>"$T/loop.err" &
loop=$!
wait_for 20 "the loop's first batch" count_is 2
sql "UPDATE Persons SET City = 'Loop 2' WHERE PersonID = 2"
wait_for 20 "the loop's second cycle to ship the next change" count_is 3
sleep 0.3
kill -TERM "$loop"
wait_exit "$loop" 3
assert_eq 0 "$EXIT_STATUS" "exit status of run --every after SIGTERM (log: $(tail -n 3 "$T/loop.err"))"

# SIGTERM in the middle of a cycle.
sql "UPDATE Persons SET City = 'Held' WHERE PersonID = 3"
start_held held after-stage 1500 run --every 1s
kill -TERM "$HELD_PID"
wait_exit "$HELD_PID" 10
assert_eq 0 "$EXIT_STATUS" "exit status of run --every after SIGTERM mid-cycle (log: $(tail -n 3 "$T/held.err"))"
# Between steps: the held batch may or may not have reached the final
# prefix, but it is whole wherever it is, and the next run finishes it.
n=$(published_count)
[[ $n == 3 || $n == 4 ]] || fail "published batches after a stop mid-cycle: expected 3 or 4, saw $n"
cdc --json status
assert_eq 1 "$(jq '.batches.staged + .batches.uploaded + .batches.published' "$T/last.out")" \
	"unfinished batches left by the stopped run"
run_until_idle
check_archive "$(published | sed -n 4p)"
assert_eq "" "$(temp_objects)" "objects left under the temp prefix"
check_cdc_rows "cdc rows are not each change once" 'U,1,Bob Ortiz,Loop 1' 'U,2,Carla Nguyen,Loop 2' 'U,3,Dev Khan,Held'
check_chain
apply_and_compare "$T/replica.db"
