#!/usr/bin/env bash
# Snapshot capture's store (state/snapshot/index.db, which names the row-hash
# files of each table's current snapshot) records its layout (meta format)
# and the build that last wrote it (meta cdcpack), as state.db does. One a
# newer build wrote (a higher format) could be read wrong: run and load
# refuse it, exit 2, naming the file, the format, the build that wrote it
# and this one, and leave the store as it was. A store of the builds before
# the number (no meta) is read as this build's and recorded.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"

sql "CREATE TABLE a(id INTEGER PRIMARY KEY, v TEXT); INSERT INTO a VALUES (1, 'one');"
core_config '[capture]' 'mode = snapshot'
cdc run
version=$("$CDCPACK" --version)
index=$STATE_DIR/snapshot/index.db
meta() { sqlite3 "$index" "SELECT v FROM meta WHERE k = '$1'"; }
assert_eq 1 "$(meta format)" "the snapshot index format this build writes"
assert_eq "$version" "cdcpack $(meta cdcpack)" "the build that wrote the snapshot index"

echo "case: a store the builds before the number made"
sqlite3 "$index" "DROP TABLE meta"
sql "INSERT INTO a VALUES (2, 'two');"
cdc run
check_cdc_rows "the change after a store without a format" 'I,2,two'
assert_eq 1 "$(meta format)" "the format recorded in a store that had none"

echo "case: a newer build's store"
sqlite3 "$index" "UPDATE meta SET v = '2' WHERE k = 'format';
	UPDATE meta SET v = '0.2.0 (commit 0123456789ab)' WHERE k = 'cdcpack';"
sql "INSERT INTO a VALUES (3, 'three');"
snap() { sha256sum "$index" && sqlite3 "$index" .dump && ls "$STATE_DIR/snapshot"; }
snap >"$T/before"
count=$(published_count)
for cmd in run load; do
	cdc_status 2 $cmd
	assert_contains "$T/last.err" "$index: snapshot index format 2, written by cdcpack 0.2.0 (commit 0123456789ab); this cdcpack (${version#cdcpack }) reads formats up to 1 and would read it wrong: run that build or a newer one"
	snap >"$T/after"
	assert_same_file "$T/before" "$T/after" "the snapshot store after a refused $cmd"
done
assert_eq "$count" "$(published_count)" "batches published while refused"

echo "case: the format this build knows"
sqlite3 "$index" "UPDATE meta SET v = '1' WHERE k = 'format';"
cdc run
check_cdc_rows "the change made while refused, once" 'I,2,two' 'I,3,three'
assert_eq "$version" "cdcpack $(meta cdcpack)" "the build that wrote the snapshot index after the run"
echo "ok"
