#!/usr/bin/env bash
# Staged archives hold the data: even under umask 000 the state dir and the
# staging dir are 0700, staged archives and the state database 0600, and
# nothing cdcpack writes (state, staging, bucket, replica) is world-writable.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"

umask 000
persons_loaded
sql "UPDATE Persons SET City = 'Private' WHERE PersonID = 1"
cdc run
cdc apply --to "sqlite:$T/replica.db"

assert_eq 700 "$(stat -c %a "$STATE_DIR")" "mode of the state dir"
assert_eq 700 "$(stat -c %a "$STATE_DIR/staging")" "mode of the staging dir"
assert_eq 600 "$(stat -c %a "$STATE_DIR/state.db")" "mode of the state database"
staged=$(find "$STATE_DIR/staging" -type f -name 'src-*')
[[ -n $staged ]] || fail "nothing in staging"
assert_eq "600 600" "$(stat -c %a $staged | tr '\n' ' ' | sed 's/ $//')" "modes of the staged archives"
assert_eq "" "$(find "$STATE_DIR" "$BUCKET" "$T/replica.db" -perm -o+w ! -type l)" "world-writable files"
