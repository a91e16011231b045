#!/usr/bin/env bash
# The staging area cannot take the new archive -- a read-only bind mount of
# state/staging, or staging replaced by a plain file -- while changes wait:
# a run exits 3 naming the staging path, acknowledges and publishes
# nothing, and leaves no half-written archive; once staging is writable
# again, the next runs ship every change exactly once and the replica
# equals the source. Where mounting is not permitted, the bind-mount case
# says so and falls back to the plain-file case.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"
source "$ROOT/tests/lib/crash.sh"
cm_init sqlite file

cm_scenario() {
	local kind=$1 staging
	cm_case "$kind"
	cm_setup
	staging=$STATE_DIR/staging
	[[ -d $staging ]] || fail "no staging dir after the load: $(ls -la "$STATE_DIR")"
	cm_writer_play 10
	cm_state_snapshot >"$CM_DIR/before.state"
	if [[ $kind == read-only ]] && mount --bind "$staging" "$staging" 2>"$CM_DIR/mount.err"; then
		cm_on_exit "umount '$staging' || umount -l '$staging'"
		mount -o remount,bind,ro "$staging"
	else
		[[ $kind == read-only ]] &&
			echo "note: cannot bind-mount $staging ($(cat "$CM_DIR/mount.err")): replacing it by a file instead" >&2
		mv "$staging" "$staging.saved"
		echo "not a directory" >"$staging"
	fi
	cdc_status 3 run
	cm_expect_runtime_failure "run with unwritable staging ($kind)" "$staging"
	find "$STATE_DIR" -name '*.tmp' >"$CM_DIR/tmp.files"
	assert_eq "" "$(cat "$CM_DIR/tmp.files")" "half-written archives left in the state dir"
	if [[ -e $staging.saved ]]; then
		rm "$staging"
		mv "$staging.saved" "$staging"
	else
		umount "$staging"
	fi
	cdc --json run
	cm_expect_recovered 0
	run_until_idle
	cm_check_all
}
cm_cases read-only not-a-directory
