#!/usr/bin/env bash
# The published state (state/published.db, kept with [capture] reconcile
# on) records its layout (meta format) and the build that last wrote it
# (meta cdcpack), as state.db, binlog.db and the snapshot index do. One a
# newer build wrote (a higher format) could be read wrong: run, load and
# reconcile refuse it, exit 2, naming the file, the format, the build that
# wrote it and this one, leave it as it was and publish nothing. A store of
# the builds before the number (no meta) is read as format 1, and the next
# run records the number; status never opens it.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"

store=$STATE_DIR/published.db
meta() { sqlite3 "$store" "SELECT v FROM meta WHERE k = '$1'"; }
persons_loaded '[capture]' 'reconcile = manual'
cdc run
version=$("$CDCPACK" --version)
assert_eq 1 "$(meta format)" "the published state format this build writes"
assert_eq "$version" "cdcpack $(meta cdcpack)" "the build that wrote published.db"

echo "case: a store the builds before the number made"
sqlite3 "$store" "DROP TABLE meta"
cdc status
assert_eq 0 "$(sqlite3 "$store" "SELECT count(*) FROM sqlite_master WHERE name = 'meta'")" \
	"meta tables status made in published.db"
sql "UPDATE Persons SET City = 'Oslo' WHERE PersonID = 1"
cdc run
assert_eq 1 "$(meta format)" "the format recorded in a store that had none"
cdc reconcile

echo "case: a newer build's store"
sqlite3 "$store" "UPDATE meta SET v = '2' WHERE k = 'format';
	UPDATE meta SET v = '0.2.0 (commit 0123456789ab)' WHERE k = 'cdcpack';"
sql "UPDATE Persons SET City = 'Bergen' WHERE PersonID = 1"
snap() { sha256sum "$store" && sqlite3 "$store" .dump; }
snap >"$T/before"
count=$(published_count)
for cmd in run load reconcile; do
	cdc_status 2 $cmd
	assert_contains "$T/last.err" "$store: published state format 2, written by cdcpack 0.2.0 (commit 0123456789ab); this cdcpack (${version#cdcpack }) reads formats up to 1 and would read it wrong: run that build or a newer one"
	snap >"$T/after"
	cmp -s "$T/before" "$T/after" || fail "published.db changed by a refused $cmd"
done
assert_eq "$count" "$(published_count)" "batches published while refused"
cdc status

echo "case: the format this build knows"
sqlite3 "$store" "UPDATE meta SET v = '1' WHERE k = 'format'"
cdc run
assert_eq "$version" "cdcpack $(meta cdcpack)" "the build that wrote published.db after the run"
apply_and_compare "$T/replica.db"
echo ok
