#!/usr/bin/env bash
# One run at a time per state dir: while a run is held at after-stage, a
# second `run` (and a `load`) exits 75, says why, and changes nothing -- no
# object, no staged file, no state change, its pending change still pending.
# After a run is killed with SIGKILL, the next run is not blocked: it
# finishes the killed run's batch and ships the rest, each change once.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"

persons_loaded
sql "UPDATE Persons SET City = 'First' WHERE PersonID = 1"

snapshot() {
	{ find "$BUCKET" "$STATE_DIR/staging" -type f 2>/dev/null || true; } | sort
	sqlite3 "$STATE_DIR/state.db" .dump
	sqlite3 "$SRC_DB" "SELECT seq, op, tbl FROM cdcpack_changelog ORDER BY seq"
}

start_held first after-stage 3000 run
sql "UPDATE Persons SET City = 'Second' WHERE PersonID = 2"
before=$(snapshot)
cdc_status 75 run
assert_contains "$T/last.err" "lock"
cdc_status 75 --json run
jq -e '.ok == false and .exit_code == 75 and .command == "run"' "$T/last.out" >/dev/null ||
	fail "--json report of a locked-out run: $(cat "$T/last.out")"
cdc_status 75 load
assert_eq "$before" "$(snapshot)" "target, staging, state and changelog after the locked-out commands"
wait "$HELD_PID" || fail "the held run failed: $(cat "$T/first.err")"
assert_eq 2 "$(published_count)" "published after the held run (load + its batch)"

# A killed run leaves its lock file behind; the lock must not outlive it.
sql "UPDATE Persons SET City = 'Third' WHERE PersonID = 3"
start_held killed after-stage 10000 run
kill -9 "$HELD_PID"
wait "$HELD_PID" 2>/dev/null || true
sql "UPDATE Persons SET City = 'Fourth' WHERE PersonID = 4"
cdc --json run
assert_eq 1 "$(jq .recovered "$T/last.out")" "batches the run after the kill recovered"
run_until_idle
check_cdc_rows "cdc rows are not each change once" \
	'U,1,Bob Ortiz,First' 'U,2,Carla Nguyen,Second' 'U,3,Dev Khan,Third' 'U,4,Eve Berg,Fourth'
check_chain
apply_and_compare "$T/replica.db"
