#!/usr/bin/env bash
# The run lock with a MySQL source and an s3: target, under a writer (what
# core_lock_* does not cover): four runs started at the same instant, three
# rounds -- each exits 0 or 75 (a 75 says the lock is held), at least one
# works; `run --every` holds the lock between its cycles -- a one-shot run
# exits 75 meanwhile while `status` and `ls` still answer; the loop killed
# with SIGKILL leaves no lock behind -- the next run works at once. In the
# end every change ships exactly once and the replica equals the source.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"
source "$ROOT/tests/lib/crash.sh"
cm_init mysql s3

cm_case lock
cm_setup '[batch]' 'max_rows = 25'
cm_writer_script 300
cm_writer_start

for round in 1 2 3; do
	pids=()
	for i in 1 2 3 4; do
		"$CDCPACK" run >"$CM_DIR/r$round.$i.out" 2>"$CM_DIR/r$round.$i.err" &
		pids+=($!)
	done
	worked=0 statuses=
	for i in 1 2 3 4; do
		wait_exit "${pids[i - 1]}" 60
		statuses+=" $EXIT_STATUS"
		case $EXIT_STATUS in
		0) worked=$((worked + 1)) ;;
		75) assert_contains "$CM_DIR/r$round.$i.err" "holds the lock" ;;
		*) fail "round $round: a run started with three others exited $EXIT_STATUS: $(tail -n 3 "$CM_DIR/r$round.$i.err")" ;;
		esac
	done
	((worked >= 1)) || fail "round $round: no run of four worked (exit statuses:$statuses)"
	echo "round $round: four runs at once exited$statuses"
done

"$CDCPACK" run --every 1s >"$CM_DIR/every.out" 2>"$CM_DIR/every.err" &
every=$!
cm_on_exit "kill -9 $every"
wait_for 20 "run --every to start its loop" cm_catches_sigterm "$every"
cdc_status 75 run
assert_contains "$T/last.err" "holds the lock"
cdc status
cdc ls
kill -9 "$every"
{ wait "$every" || true; } 2>/dev/null
cdc --json run
echo "the run after the killed loop recovered $(jq .recovered "$T/last.out") batch(es)"

cm_writer_stop
echo "the writer played $CM_WRITER_STEPS steps"
cm_rerun_and_check 30
