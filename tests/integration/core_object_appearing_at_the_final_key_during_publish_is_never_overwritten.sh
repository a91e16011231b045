#!/usr/bin/env bash
# An object that appears at the final key between publish's check of that
# key and its copy (the run held at before-final-copy; someone else puts a
# file of the archive's size there): the file: target links, never
# replaces, so the run stops with exit 3 naming the key, the foreign file
# keeps its bytes, nothing is acknowledged. Once it is moved away, the next
# run publishes the batch.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"

persons_loaded
sql "UPDATE Persons SET City = 'Race' WHERE PersonID = 1"
start_held held before-final-copy 1500 run
read -r seq key < <(sqlite3 -separator ' ' "$STATE_DIR/state.db" "SELECT seq, key FROM batches ORDER BY seq DESC LIMIT 1")
assert_eq 2 "$seq" "the batch held at before-final-copy"
[[ -f $BUCKET/_tmp/$key ]] || fail "no temp object at _tmp/$key while held before the copy"
assert_eq "" "$(find "$BUCKET/cdc" -name "${key##*/}")" "final object before the copy"
head -c "$(stat -c %s "$BUCKET/_tmp/$key")" /dev/urandom >"$T/foreign"
mkdir -p "$(dirname "$BUCKET/cdc/$key")"
cp "$T/foreign" "$BUCKET/cdc/$key"
wait_exit "$HELD_PID" 20
cp "$T/held.err" "$T/last.err"
assert_eq 3 "$EXIT_STATUS" "exit status of the run that found a foreign object at the final key ($(tail -n 2 "$T/held.err"))"
assert_contains "$T/held.err" "cdc/$key holds"
cmp -s "$T/foreign" "$BUCKET/cdc/$key" || fail "the foreign object at the final key was overwritten"
assert_eq 1 "$(sql "SELECT count(*) FROM cdcpack_changelog")" "changelog rows after the refused publish"
assert_eq 0 "$(sqlite3 "$STATE_DIR/state.db" "SELECT count(*) FROM batches WHERE seq = 2 AND state >= 2")" \
	"batch 2 recorded as published"

rm "$BUCKET/cdc/$key"
cdc run
assert_eq "" "$(temp_objects)" "temp objects after the rerun"
check_cdc_rows "cdc rows once the foreign object is gone" 'U,1,Bob Ortiz,Race'
check_chain
