#!/usr/bin/env bash
# Whoever can write a file: bucket could replace one of its folders by a
# symlink (cdc/src/YYYY/MM/DD -> anywhere), or put a symlink at a key: run
# would then write objects wherever it points, and show/apply read files
# that are not objects. Every folder below the bucket root that a key passes
# through must be a real folder, and an object a regular file: otherwise
# exit 3 naming it, nothing written where the symlink points, nothing
# acknowledged; a listing does not descend into it. With the folder restored the run ships as usual.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"

persons_loaded
load=$(published)
day=$(dirname "$load")
sql "UPDATE Persons SET City = 'Elsewhere' WHERE PersonID = 1"
mkdir -p "$T/elsewhere"
mv "$day" "$T/day.real"
ln -s "$T/elsewhere" "$day"
cdc_status 3 run
assert_contains "$T/last.err" "$day is a symbolic link; refusing to follow it"
assert_eq "" "$(ls -A "$T/elsewhere")" "files written where the symlink points"
assert_eq 1 "$(sqlite3 "$SRC_DB" "SELECT count(*) FROM cdcpack_changelog")" "changes left in the changelog"
# A listing does not descend into it either: apply sees no batch there.
cdc apply --to "sqlite:$T/replica.db"
assert_contains "$T/last.out" "applied 0 batch(es)"
rm "$T/replica.db"
rm "$day"
mv "$T/day.real" "$day"

# A symlink at a key: not an object.
echo "not an archive" >"$T/secret"
mv "$load" "$T/load.real"
ln -s "$T/secret" "$load"
cdc_status 3 show "${load#"$BUCKET"/}"
assert_contains "$T/last.err" "not a regular file"
rm "$load"
mv "$T/load.real" "$load"

cdc run
assert_eq 2 "$(published_count)" "published once the folder is real again"
check_chain
cdc apply --to "sqlite:$T/replica.db"
assert_eq Elsewhere "$(sqlite3 "$T/replica.db" "SELECT City FROM Persons WHERE PersonID = 1")" "the change on the replica"
