#!/usr/bin/env bash
# After `triggers remove --drop-changelog` and `triggers install`, the new
# changelog numbers its rows from 1 again. A batch read from the old one and
# not yet acknowledged (killed after publish) must not acknowledge, by seq,
# the new rows that reuse its numbers: each batch records the changelog
# generation it read, and acknowledges nothing in another generation.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"

persons_loaded
sql "UPDATE Persons SET City = 'Old' WHERE PersonID = 1"
got=0
CDCPACK_FAULT=crash:after-publish "$CDCPACK" run >"$T/crash.out" 2>"$T/crash.err" || got=$?
assert_eq 137 "$got" "run killed after publish"

cdc triggers remove --drop-changelog
cdc triggers install
sql "UPDATE Persons SET City = 'New' WHERE PersonID = 2"
assert_eq 1 "$(sqlite3 "$SRC_DB" "SELECT min(seq) FROM cdcpack_changelog")" "the new changelog's first seq"
cdc run
cp "$T/last.err" "$T/run.err"
assert_eq 3 "$(published_count)" "published batches"
cdc ls # (check_chain would refuse: the two generations' seqs overlap, as they may)
cdc apply --to "sqlite:$T/replica.db"
assert_eq New "$(sqlite3 "$T/replica.db" "SELECT City FROM Persons WHERE PersonID = 2")" "the change in the new changelog"
assert_eq Old "$(sqlite3 "$T/replica.db" "SELECT City FROM Persons WHERE PersonID = 1")" "the change in the old changelog"
assert_contains "$T/run.err" "was read from an earlier changelog"
