#!/usr/bin/env bash
# The README's recovery path for a lost state dir, followed step by step.
# The lost chain cannot continue (a fresh state dir is refused, exit 3, by
# the bucket's batches; a fresh one under a new [source] name is refused by
# the changelog's owner record); `triggers remove --drop-changelog`, a new
# [source] name and state dir, `triggers install` and `load` start a new chain, which
# ships every later change, and a replica built from it equals the source.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"

persons_loaded
sql "UPDATE Persons SET City = 'Before' WHERE PersonID = 1"
cdc run
rm -rf "$STATE_DIR"
sql "UPDATE Persons SET City = 'Between' WHERE PersonID = 2"
cdc_status 3 run
assert_contains "$T/last.err" "README: Recovery"
sed -i -e 's/^name = src$/name = src2/' -e "s|^dir = .*|dir = $T/state2|" "$CDCPACK_CONFIG"
cdc_status 3 run
assert_contains "$T/last.err" "is consumed by another chain"
assert_contains "$T/last.err" "README: Recovery"
rm -rf "$T/state2"

cdc triggers remove --drop-changelog
cdc triggers install
cdc load
sql "UPDATE Persons SET City = 'After' WHERE PersonID = 3; DELETE FROM Persons WHERE PersonID = 4;"
cdc run
assert_eq 2 "$(find "$BUCKET/cdc/src2" -type f | wc -l)" "the new chain's batches"
cdc apply --to "sqlite:$T/replica.db"
assert_same_file <(sqlite_dump_tables "$SRC_DB") <(sqlite_dump_tables "$T/replica.db") "the new chain's replica"
