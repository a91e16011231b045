#!/usr/bin/env bash
# The file: target writes an object beside its key, as .NAME.part, and
# renames it in place. That name is predictable (it must be: a run killed
# mid-upload leaves it for the next one to replace), so someone who can
# write the bucket can plant a symlink there before the upload. cdcpack must
# neither write through it (it would overwrite any file the process can
# write) nor publish the symlink: the part file is created O_EXCL|O_NOFOLLOW
# after removing whatever sits at its name.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"

persons_loaded
sql "UPDATE Persons SET City = 'Planted' WHERE PersonID = 1"
# Stage the batch and stop before the upload: its key is then known.
got=0
CDCPACK_FAULT=crash:after-stage "$CDCPACK" run >"$T/crash.out" 2>"$T/crash.err" || got=$?
assert_eq 137 "$got" "run killed after staging"
key=$(sqlite3 "$STATE_DIR/state.db" "SELECT key FROM batches WHERE state = 0")
[[ -n $key ]] || fail "no staged batch recorded"

echo precious >"$T/victim"
for prefix in _tmp cdc; do
	part=$BUCKET/$prefix/$(dirname "$key")/.$(basename "$key").part
	mkdir -p "$(dirname "$part")"
	ln -s "$T/victim" "$part"
done
cdc run
assert_eq precious "$(cat "$T/victim")" "the file the planted symlink named"
final=$BUCKET/cdc/$key
[[ -f $final && ! -L $final ]] || fail "$final is not a regular file: $(ls -l "$final" 2>&1)"
assert_eq 2 "$(published_count)" "published batches"
check_chain
cdc apply --to "sqlite:$T/replica.db"
assert_eq Planted "$(sqlite3 "$T/replica.db" "SELECT City FROM Persons WHERE PersonID = 1")" "the change on the replica"
