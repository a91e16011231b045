#!/usr/bin/env bash
# `load TABLE` acknowledges the changelog rows of the tables it snapshotted,
# and only those: another table's change, made before the load and not yet
# shipped, stays in the changelog and ships with the next run, once.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"

persons_db "$SRC_DB"
sql "CREATE TABLE Other(id INTEGER PRIMARY KEY, v TEXT); INSERT INTO Other VALUES(1, 'one');"
core_config
cdc triggers install
cdc load
sql "INSERT INTO Other VALUES(2, 'two');
     UPDATE Persons SET City = 'Reloaded' WHERE PersonID = 5;
     UPDATE Other SET v = 'uno' WHERE id = 1;"

cdc load Persons
assert_eq 2 "$(published_count)" "batches after the second load"
load=$(published | tail -n 1)
assert_eq "Persons" "$(manifest "$load" | jq -r '[.tables[].name] | join(" ")')" "tables of the reload"
assert_eq 2 "$(sqlite3 "$SRC_DB" "SELECT count(*) FROM cdcpack_changelog")" \
	"changelog rows of Other left after reloading Persons"

cdc run
check_cdc_rows "the other table's changes made before the reload are not shipped, once each" \
	'I,2,two' 'U,1,uno'
run_until_idle
check_chain
apply_and_compare "$T/replica.db"
