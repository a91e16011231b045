#!/usr/bin/env bash
# Symlinks planted in the state dir (by whoever could write it while it was
# loose, or restored from a careless backup) are never followed: not at
# staging (a run would write archives there and prune would delete every
# other file of the folder it names), not at the lock, not at the state
# database or its WAL (SQLite would write through them). Each is refused with
# exit 2 naming the file, before anything is captured; what the symlink
# names is untouched. Removed, the next run ships as usual.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"

persons_loaded
sql "UPDATE Persons SET City = 'Planted' WHERE PersonID = 1"
mkdir -p "$T/elsewhere"
echo precious >"$T/elsewhere/keep.txt"
echo precious >"$T/victim"

# refused NAME TEXT: the run exits 2 with TEXT; nothing published or harmed.
refused() {
	cdc_status 2 run
	assert_contains "$T/last.err" "$STATE_DIR/$1"
	assert_contains "$T/last.err" "$2"
	assert_eq 1 "$(published_count)" "published with a symlink at $1"
	assert_eq precious "$(cat "$T/elsewhere/keep.txt")" "a file in the folder $1 named"
	assert_eq "keep.txt" "$(ls "$T/elsewhere")" "the folder $1 named"
	assert_eq precious "$(cat "$T/victim")" "the file $1 named"
}

mv "$STATE_DIR/staging" "$T/staging.real"
ln -s "$T/elsewhere" "$STATE_DIR/staging"
refused staging "staging dir is a symbolic link"
rm "$STATE_DIR/staging"
mv "$T/staging.real" "$STATE_DIR/staging"

rm -f "$STATE_DIR/lock"
ln -s "$T/victim" "$STATE_DIR/lock"
refused lock "lock file is a symbolic link"
rm "$STATE_DIR/lock"

[[ ! -e $STATE_DIR/state.db-wal ]] || fail "a WAL left after a clean run"
ln -s "$T/victim" "$STATE_DIR/state.db-wal"
refused state.db-wal "not a regular file"
rm "$STATE_DIR/state.db-wal"

mv "$STATE_DIR/state.db" "$T/state.db.real"
ln -s "$T/state.db.real" "$STATE_DIR/state.db"
refused state.db "not a regular file"
rm "$STATE_DIR/state.db"
mv "$T/state.db.real" "$STATE_DIR/state.db"

cdc run
assert_eq 2 "$(published_count)" "published once the symlinks are gone"
check_chain
cdc apply --to "sqlite:$T/replica.db"
