#!/usr/bin/env bash
# A table named twice — `tables = t, t` in the config, `load t t` on the
# command line, or `triggers install t t` — is one table: each row is loaded
# once and the replica equals the source.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"

persons_db "$SRC_DB"
core_config "[capture]" "tables = Persons, Persons"
cdc triggers install Persons Persons
cdc load
mapfile -t archives < <(published)
assert_eq 1 "${#archives[@]}" "published batches"
assert_eq 1 "$(manifest "${archives[0]}" | jq '.tables | length')" "tables in the load batch"
assert_eq 101 "$(tar -xOf "${archives[0]}" --exclude manifest.json | wc -l)" "rows in the load of tables = Persons, Persons"

cdc load Persons Persons
mapfile -t archives < <(published)
assert_eq 2 "${#archives[@]}" "published batches"
assert_eq 101 "$(tar -xOf "${archives[1]}" --exclude manifest.json | wc -l)" "rows in the load of load Persons Persons"
check_chain
apply_and_compare "$T/replica.db"
