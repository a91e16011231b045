#!/usr/bin/env bash
# run.sh: alone (a disk filled up: nothing else may write meanwhile)
# A file: target on a small tmpfs, filled (no space at all; space for part
# of the archive): a run stages its batch, fails the upload with exit 3
# naming the target path, acknowledges and publishes nothing and leaves no
# partial object (no side file under the temp prefix either); once space is
# back, the next run carries the staged batch forward and every change
# ships exactly once; the replica equals the source. Where mounting is not
# permitted, a plain file in the way of the temp prefix's directory injects
# the failure instead.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"
source "$ROOT/tests/lib/crash.sh"
cm_init sqlite file

cm_scenario() {
	local free=$1 mounted=1
	cm_case "free-$free"
	cm_tmpfs "$BUCKET" 4m || mounted=0
	cm_setup '[batch]' 'compression = none'
	cm_writer_play 12
	cm_bulk 8000 # an archive of about 2.5 MB
	cm_state_snapshot >"$CM_DIR/before.state"
	if ((mounted)); then
		cm_fill "$BUCKET" $((free * 1024))
	else
		# a size limit would stop the staging first: a plain file where
		# the temp prefix's directory goes makes the upload fail instead
		echo "not a directory" >"$BUCKET/_tmp"
	fi
	cdc_status 3 run
	cm_expect_runtime_failure "run with $free KiB free in the target" "$BUCKET/"
	((mounted)) && assert_eq "" "$(temp_objects)" "files left under the temp prefix after the failed upload"
	cdc --json status
	assert_eq 1 "$(jq '.batches.staged' "$T/last.out")" "staged batches after the failed upload"
	cdc_status 3 run
	cm_expect_runtime_failure "second run with $free KiB free in the target" "$BUCKET/"
	cm_unfill "$BUCKET"
	((mounted)) || rm "$BUCKET/_tmp"
	cdc --json run
	cm_expect_recovered 1 "batches the run with space carried forward"
	run_until_idle
	cm_check_all
}
cm_cases 0 1024
