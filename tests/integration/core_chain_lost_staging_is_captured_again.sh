#!/usr/bin/env bash
# A staged archive lost before it left the machine (a wiped staging dir, a
# disk swapped) cannot be rebuilt byte for byte, but nothing of it was
# acknowledged: its changes are all in the changelog. The next run forgets
# the batch and captures them again under the same seq, so the chain goes
# on (it used to be blocked forever, with advice that was itself refused).
# A lost load batch is captured again by `load`; `run` says so (exit 3).
# A batch already whole at its temp or final key is finished from there.
# Snapshot mode too: the stored snapshot has not moved, so the next run
# diffs against it again.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"

persons_db "$SRC_DB"
core_config
cdc triggers install
got=0
CDCPACK_FAULT=crash:after-stage "$CDCPACK" load >"$T/crash.out" 2>"$T/crash.err" || got=$?
assert_eq 137 "$got" "load killed after staging"
rm -f "$STATE_DIR"/staging/*
cdc_status 3 run
assert_contains "$T/last.err" "the staged load archive was lost before upload; run 'cdcpack load'"
assert_eq 0 "$(published_count)" "published after losing the load"
cdc load
assert_eq 1 "$(published_count)" "published after the load again"

sql "UPDATE Persons SET City = 'Lost' WHERE PersonID = 1"
# Lost before the upload, and lost after a part of it (mid-upload).
for point in after-stage mid-upload; do
	sql "UPDATE Persons SET City = 'Lost at $point' WHERE PersonID = 2"
	got=0
	CDCPACK_FAULT=crash:$point "$CDCPACK" run >"$T/crash.out" 2>"$T/crash.err" || got=$?
	assert_eq 137 "$got" "run killed at $point"
	rm -f "$STATE_DIR"/staging/*
	# Killed again after forgetting the batch, before staging it anew: the
	# source was told first, so the next run is not taken for a stale copy.
	got=0
	CDCPACK_FAULT=crash:after-capture "$CDCPACK" run >"$T/crash.out" 2>"$T/crash.err" || got=$?
	assert_eq 137 "$got" "run killed after capturing again at $point"
	assert_contains "$T/crash.err" "staged archive lost before upload; its changes are captured again"
	cdc run
done
# Lost after the upload: the temp object is whole, so the batch is finished
# from it, not captured again.
sql "UPDATE Persons SET City = 'Uploaded' WHERE PersonID = 5"
got=0
CDCPACK_FAULT=crash:after-upload "$CDCPACK" run >"$T/crash.out" 2>"$T/crash.err" || got=$?
assert_eq 137 "$got" "run killed after upload"
rm -f "$STATE_DIR"/staging/*
cdc run
assert_not_contains "$T/last.err" "captured again"
# Lost after the copy to the final key (the temp object already deleted,
# "published" not yet recorded): the final object is whole, so the batch is
# finished from it, not captured again (that would publish its changes twice).
sql "UPDATE Persons SET City = 'Copied' WHERE PersonID = 6"
got=0
CDCPACK_FAULT=crash:after-temp-delete "$CDCPACK" run >"$T/crash.out" 2>"$T/crash.err" || got=$?
assert_eq 137 "$got" "run killed after the temp delete"
rm -f "$STATE_DIR"/staging/*
cdc run
assert_not_contains "$T/last.err" "captured again"
assert_eq 5 "$(published_count)" "published batches"
check_chain
cdc apply --to "sqlite:$T/replica.db"
assert_same_file <(sqlite_dump_tables "$SRC_DB") <(sqlite_dump_tables "$T/replica.db") "the replica"

# Snapshot mode.
core_use "$T/snap"
persons_db "$SRC_DB"
core_config '[capture]' 'mode = snapshot'
cdc run
sql "UPDATE Persons SET City = 'Lost in a snapshot' WHERE PersonID = 3; DELETE FROM Persons WHERE PersonID = 4;"
got=0
CDCPACK_FAULT=crash:after-stage "$CDCPACK" run >"$T/crash.out" 2>"$T/crash.err" || got=$?
assert_eq 137 "$got" "snapshot run killed after staging"
rm -f "$STATE_DIR"/staging/*
cdc run
assert_contains "$T/last.err" "staged archive lost before upload; its changes are captured again"
assert_eq 2 "$(published_count)" "published snapshot batches"
cdc ls # (apply below checks the chain; check_chain wants changelog seqs)
cdc apply --to "sqlite:$T/snap/replica.db"
assert_same_file <(sqlite_dump_tables "$SRC_DB") <(sqlite_dump_tables "$T/snap/replica.db") "the snapshot replica"
