#!/usr/bin/env bash
# run.sh: alone (a disk filled up: nothing else may write meanwhile)
# The state dir on a small tmpfs, filled so that a run runs out of space at
# different steps (no space at all; space for part of the change files;
# space for the change files but not the archive): each run exits 3 naming
# a path in the state dir, acknowledges nothing (the changelog keeps every
# row) and publishes nothing, as does a run whose state dir fills while it
# waits after staging; once space is back, the next runs ship every
# change exactly once and the replica equals the source. Where mounting is
# not permitted, a file size limit (RLIMIT_FSIZE, below the change file's
# size) injects the failure instead.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"
source "$ROOT/tests/lib/crash.sh"
cm_init sqlite file

# The state dir fills while a run waits after staging its batch (held at
# after-stage): recording the upload fails, so the run exits 3 naming the
# state dir, having published and acknowledged nothing; the next run with
# space carries the batch forward.
full_after_stage() {
	cm_setup
	cm_writer_play 12
	start_held held after-stage 3000 run
	cm_state_snapshot >"$CM_DIR/before.state"
	cm_fill "$STATE_DIR" 0
	wait_exit "$HELD_PID" 30
	cp "$T/held.err" "$T/last.err"
	assert_eq 3 "$EXIT_STATUS" "exit status of the run whose state dir filled after staging (log: $(tail -n 3 "$T/held.err"))"
	cm_expect_runtime_failure "run whose state dir filled after staging" "$STATE_DIR/"
	cm_unfill "$STATE_DIR"
	cdc --json run
	cm_expect_recovered 1 "batches the run with space carried forward"
	run_until_idle
	assert_eq 0 "$(cm_changelog_count)" "changelog rows left after the runs with space"
	cm_check_all
}

cm_scenario() {
	local free=$1 mounted=1
	cm_case "free-$free"
	if [[ $free == after-stage ]]; then
		if cm_tmpfs "$STATE_DIR" 8m; then
			full_after_stage
		fi
		return 0
	fi
	cm_tmpfs "$STATE_DIR" 8m || mounted=0
	cm_setup '[batch]' 'compression = none'
	cm_writer_play 12
	cm_bulk 8000 # a change file of about 2.5 MB, and as much again for the archive
	cm_state_snapshot >"$CM_DIR/before.state"
	if ((mounted)); then
		cm_fill "$STATE_DIR" $((free * 1024))
	else
		# a per-file limit under the change file's size: fails in the work dir
		cm_limit_file_size $((free < 1024 ? free + 64 : 1024))
	fi
	cdc_status 3 run
	cm_expect_runtime_failure "run with $free KiB free in the state dir" "$STATE_DIR/"
	cdc_status 3 run
	cm_expect_runtime_failure "second run with $free KiB free in the state dir" "$STATE_DIR/"
	cm_unfill "$STATE_DIR"
	cm_unlimit
	run_until_idle
	assert_eq 0 "$(cm_changelog_count)" "changelog rows left after the runs with space"
	cm_check_all
}
cm_cases 0 1024 3072 after-stage
