#!/usr/bin/env bash
# A load killed after staging (after-stage) is finished by the next run
# before anything new is captured: the load is
# published once as batch 1, changes made before the load (after triggers
# install) are in it and not shipped again, later changes ship once, and
# the replica equals the source. A load killed right after its capture
# leaves nothing behind, and a second `load` works.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"

for point in after-capture after-stage; do
	core_use "$T/$point"
	persons_db "$SRC_DB"
	core_config
	cdc triggers install
	sql "UPDATE Persons SET City = 'Pre-load' WHERE PersonID = 1"
	got=0
	{ CDCPACK_FAULT=crash:$point "$CDCPACK" load >"$T/crash.out" 2>"$T/crash.err"; } 2>/dev/null || got=$?
	assert_eq 137 "$got" "exit status of a load killed at $point"
	if [[ $point == after-capture ]]; then
		assert_eq 0 "$(published_count)" "$point: published after the killed load"
		cdc load
	fi
	sql "UPDATE Persons SET City = 'Post-load' WHERE PersonID = 2"
	run_until_idle
	mapfile -t archives < <(published)
	assert_eq 2 "${#archives[@]}" "$point: published batches (load + cdc)"
	assert_eq load "$(manifest "${archives[0]}" | jq -r .batch.kind)" "$point: kind of batch 1"
	assert_eq "1,Bob Ortiz,Pre-load" "$(archive_member "${archives[0]}" Persons/LOAD00000001.csv | head -n 1)" \
		"$point: row 1 in the load"
	assert_eq "U,2,Carla Nguyen,Post-load" "$(cdc_rows)" "$point: cdc rows"
	check_chain
	apply_and_compare "$T/$point/replica.db"
done
