#!/usr/bin/env bash
# The state dir's file system remounted read-only (a tmpfs; `mount -o
# remount,ro`): with new changes waiting, and after a run killed at
# after-stage left a batch to carry forward, a run exits 3 naming the state
# dir, acknowledges and publishes nothing; remounted read-write, the next
# runs ship every change exactly once (the killed run's batch first) and
# the replica equals the source. Where mounting is not permitted, the state
# dir is made read-only with chmod instead (which binds only non-root).
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"
source "$ROOT/tests/lib/crash.sh"
cm_init sqlite file

readonly_state() { # readonly_state ro|rw
	if ((mounted)); then
		mount -o "remount,$1" "$STATE_DIR"
	elif [[ $1 == ro ]]; then
		chmod -R a-w "$STATE_DIR"
	else
		chmod -R u+w "$STATE_DIR"
	fi
}

cm_scenario() {
	local kind=$1
	mounted=1
	cm_case "$kind"
	cm_tmpfs "$STATE_DIR" 16m || mounted=0
	cm_setup
	cm_writer_play 10
	local recovered=0
	if [[ $kind == after-stage ]]; then
		{ CDCPACK_FAULT=crash:after-stage "$CDCPACK" run >"$CM_DIR/crash.out" 2>&1; } 2>/dev/null &&
			fail "the run with CDCPACK_FAULT=crash:after-stage did not crash"
		assert_contains "$CM_DIR/crash.out" "crash at after-stage"
		recovered=1
		cm_writer_script 5 11
		cm_writer_start 0
		cm_writer_wait
	fi
	cm_state_snapshot >"$CM_DIR/before.state"
	readonly_state ro
	cm_on_exit "mount -o remount,rw '$STATE_DIR'; chmod -R u+w '$STATE_DIR'"
	cdc_status 3 run
	cm_expect_runtime_failure "run on a read-only state dir ($kind)" "$STATE_DIR"
	cdc_status 3 --json run
	jq -e '.ok == false and .exit_code == 3' "$T/last.out" >/dev/null ||
		fail "--json report of the failed run: $(cat "$T/last.out")"
	readonly_state rw
	cdc --json run
	cm_expect_recovered "$recovered" "batches the first run after the remount recovered"
	run_until_idle
	cm_check_all
}
cm_cases pending-changes after-stage
