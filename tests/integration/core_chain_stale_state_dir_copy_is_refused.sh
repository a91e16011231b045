#!/usr/bin/env bash
# A stale copy of the state dir (restored from a backup, copied by hand)
# must not publish: it would number its next batch as one the bucket holds
# already (a second batch 3 under another key, and every consumer's `ls` and
# `apply` stuck on it). The source's changelog owner record knows the last
# batch staged or acknowledged; a state dir that records less is refused with exit 3,
# naming what happened and where to go, and nothing is published. The
# recovery path the README gives (start another chain: drop the changelog,
# new [source] name and state dir, triggers install, load) then works.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"

persons_loaded
sql "UPDATE Persons SET City = 'One' WHERE PersonID = 1"
cdc run
cp -a "$STATE_DIR" "$T/backup"
sql "UPDATE Persons SET City = 'Two' WHERE PersonID = 2"
cdc run
assert_eq 3 "$(published_count)" "published before the restore"

mv "$STATE_DIR" "$T/state.current"
cp -a "$T/backup" "$STATE_DIR"
sql "UPDATE Persons SET City = 'Three' WHERE PersonID = 3"
cdc_status 3 run
assert_contains "$T/last.err" "has seen batch 3 of this chain (staged or acknowledged), but this state dir records batches up to 2 only"
assert_contains "$T/last.err" "README: Recovery"
cdc_status 3 load
assert_eq 3 "$(published_count)" "published by the stale copy"
check_chain
cdc ls
cdc apply --to "sqlite:$T/replica.db"
assert_eq Two "$(sqlite3 "$T/replica.db" "SELECT City FROM Persons WHERE PersonID = 2")" "batch 3 on the replica"

# A copy made just before a batch that was published but is not yet
# acknowledged (the run was killed): stale too, the source saw it staged.
rm -rf "$STATE_DIR"
mv "$T/state.current" "$STATE_DIR"
cp -a "$STATE_DIR" "$T/backup2"
got=0
CDCPACK_FAULT=crash:after-publish "$CDCPACK" run >"$T/crash.out" 2>"$T/crash.err" || got=$?
assert_eq 137 "$got" "run killed after publish"
assert_eq 4 "$(published_count)" "published before the second restore"
mv "$STATE_DIR" "$T/state.current"
cp -a "$T/backup2" "$STATE_DIR"
cdc_status 3 run
assert_contains "$T/last.err" "has seen batch 4 of this chain (staged or acknowledged), but this state dir records batches up to 3 only"
assert_eq 4 "$(published_count)" "published by the second stale copy"
rm -rf "$STATE_DIR"
mv "$T/state.current" "$STATE_DIR"
cdc run
assert_eq 4 "$(published_count)" "published once the current state dir is back"
check_chain

# Recovery (README): the old chain ends; a new one starts with a load.
cdc triggers remove --drop-changelog
sed -i -e 's/^name = src$/name = src2/' -e "s|^dir = .*|dir = $T/state2|" "$CDCPACK_CONFIG"
cdc triggers install
cdc load
sql "UPDATE Persons SET City = 'Four' WHERE PersonID = 4"
cdc run
cdc apply --to "sqlite:$T/replica2.db"
assert_same_file <(sqlite_dump_tables "$SRC_DB") <(sqlite_dump_tables "$T/replica2.db") "the new chain's replica"
