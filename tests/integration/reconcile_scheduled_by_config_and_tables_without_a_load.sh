#!/usr/bin/env bash
# [capture] reconcile = DURATION: a run reconciles when no reconcile is
# recorded or the last is older than DURATION, and not otherwise; with
# manual, or without the key, runs never reconcile. Off (the default) keeps
# no published state, and `reconcile` says how to start one; turned off
# later, the state is dropped (it would go stale). A table with no acknowledged load since
# the published state exists is not compared (skipped, naming the load
# that starts it), and is compared once loaded. `reconcile TABLE` takes
# captured tables only (exit 2 otherwise); snapshot mode refuses the
# command (exit 2).
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"

# reconcile off (the default): no published state is kept, and the command
# says how to start one.
core_use "$T/off"
persons_loaded
cdc run
[[ ! -e $STATE_DIR/published.db ]] || fail "published.db kept with reconcile off"
cdc_status 2 reconcile
assert_contains "$T/last.err" "[capture] reconcile is off"
assert_contains "$T/last.err" "reconcile = manual"

core_use "$T"
persons_loaded '[capture]' 'reconcile = manual'
sql "UPDATE Persons SET City = 'Lost' WHERE PersonID = 4; DELETE FROM cdcpack_changelog"
cdc --json run
assert_eq null "$(jq .reconciled "$T/last.out")" "a run with reconcile = manual"

core_config '[capture]' 'reconcile = 1d'
cdc --json run
assert_eq 1 "$(jq '.reconciled[] | select(.table == "Persons") | .updated' "$T/last.out")" \
	"the first run with reconcile = 1d repairs"
assert_eq reconcile "$(jq -r '.published[-1].kind' "$T/last.out")" "its batch"
sql "UPDATE Persons SET City = 'Lost again' WHERE PersonID = 5; DELETE FROM cdcpack_changelog"
cdc --json run
assert_eq null "$(jq .reconciled "$T/last.out")" "a run within the day does not reconcile"

core_config '[capture]' 'reconcile = 1s'
sleep 1.1
cdc --json run
assert_eq 1 "$(jq '.reconciled[] | select(.table == "Persons") | .updated' "$T/last.out")" \
	"a run after the duration reconciles"

# a table that was never loaded
sql "CREATE TABLE Later(id INTEGER PRIMARY KEY, v TEXT); INSERT INTO Later VALUES (1, 'a')"
cdc triggers install Later
cdc --json reconcile
assert_eq "no load acknowledged" "$(jq -r '.reconciled[] | select(.table == "Later") | .skipped' "$T/last.out")" \
	"a table without a load"
assert_contains "$T/last.err" "cdcpack load Later"
assert_eq 0 "$(jq .batches "$T/last.out")" "nothing published for it"
cdc load Later
sql "INSERT INTO Later VALUES (2, 'b'); DELETE FROM cdcpack_changelog"
cdc --json reconcile Later
assert_eq "1 null" "$(jq -r '.reconciled[0] | "\(.inserted) \(.skipped)"' "$T/last.out")" "Later once loaded"
assert_eq 1 "$(jq '.reconciled | length' "$T/last.out")" "only the table named"

cdc_status 2 reconcile NoSuchTable
assert_contains "$T/last.err" "'NoSuchTable' is not a captured table"
cdc_status 2 reconcile cdcpack_changelog

# Turned off, the published state goes (it would go stale); turned on
# again, each table is compared from its next load.
core_config
cdc run
[[ ! -e $STATE_DIR/published.db ]] || fail "published.db kept after reconcile was turned off"
core_config '[capture]' 'reconcile = manual'
cdc --json reconcile Persons
assert_eq "no load acknowledged" "$(jq -r '.reconciled[0].skipped' "$T/last.out")" \
	"a table after reconcile was off and on again"

core_use "$T/snap"
persons_db "$SRC_DB"
core_config '[capture]' 'mode = snapshot'
cdc_status 2 reconcile
assert_contains "$T/last.err" "capture mode snapshot does not reconcile"
