#!/usr/bin/env bash
# A table named twice in the config (`tables = t, t`) is one table: each row
# is loaded once and the replica equals the source. On the command line
# (`load t t`, `triggers install t t`) the repetition is refused (exit 2,
# naming the table) and nothing is done: a typo there is worth a word.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"

persons_db "$SRC_DB"
core_config "[capture]" "tables = Persons, Persons"
cdc_status 2 triggers install Persons Persons
assert_contains "$T/last.err" "table 'Persons' named twice"
cdc triggers install
cdc load
mapfile -t archives < <(published)
assert_eq 1 "${#archives[@]}" "published batches"
assert_eq 1 "$(manifest "${archives[0]}" | jq '.tables | length')" "tables in the load batch"
assert_eq 101 "$(tar -xOf "${archives[0]}" --exclude manifest.json | wc -l)" "rows in the load of tables = Persons, Persons"

cdc_status 2 load Persons Persons
assert_contains "$T/last.err" "table 'Persons' named twice"
mapfile -t archives < <(published)
assert_eq 1 "${#archives[@]}" "published batches after the refused load"
cdc load Persons
mapfile -t archives < <(published)
assert_eq 2 "${#archives[@]}" "published batches"
assert_eq 101 "$(tar -xOf "${archives[1]}" --exclude manifest.json | wc -l)" "rows in the load of load Persons"
check_chain
apply_and_compare "$T/replica.db"
