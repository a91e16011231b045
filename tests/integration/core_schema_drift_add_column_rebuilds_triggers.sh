#!/usr/bin/env bash
# Schema drift: after `ALTER TABLE Persons ADD COLUMN Email`, `triggers
# status` reports drift; the next run says it rebuilds the triggers and
# ships the table whole as a load batch with the new column (the changes
# made between the ALTER and the run are in it, acknowledged with it, and
# ship in no cdc batch); later batches carry the new column in their
# manifest and rows. A replica, whether applied incrementally or from
# scratch, gets the column and equals the source.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"

persons_loaded
sql "UPDATE Persons SET City = 'Before' WHERE PersonID = 1"
cdc run
cdc apply --to "sqlite:$T/incremental.db"

sql "ALTER TABLE Persons ADD COLUMN Email TEXT"
sql "UPDATE Persons SET City = 'Between' WHERE PersonID = 2;
     INSERT INTO Persons(PersonID, FullName, City) VALUES(150, 'Mid Way', 'Gap');"
cdc triggers status
assert_contains "$T/last.out" "DRIFT"
cdc --json status
assert_eq true "$(jq '.tables[] | select(.name == "Persons") | .drift' "$T/last.out")" "drift in status --json"

cdc run
assert_contains "$T/last.err" "schema drift on table Persons"
assert_contains "$T/last.err" "rebuilding its triggers"
assert_contains "$T/last.err" "table Persons: its columns changed since the chain last shipped it"
cdc triggers status
assert_not_contains "$T/last.out" "DRIFT"

sql "UPDATE Persons SET Email = 'three@example.com' WHERE PersonID = 3;
     INSERT INTO Persons VALUES(151, 'New Col', 'Now', 'new@example.com');
     UPDATE Persons SET Email = 'mid@example.com' WHERE PersonID = 150;"
cdc run

mapfile -t archives < <(published)
assert_eq 4 "${#archives[@]}" "published batches (load, before, reload, after)"
reload=$(manifest "${archives[2]}" | jq -c '[.batch.kind, [.tables[] | [.name, .rows, [.columns[].name]]]]')
assert_eq '["load",[["Persons",102,["PersonID","FullName","City","Email"]]]]' "$reload" \
	"the batch of the rebuild: Persons whole, with the new column"
after=$(manifest "${archives[3]}" | jq -c '[.tables[] | [.columns[].name]]')
assert_eq '[["PersonID","FullName","City","Email"]]' "$after" "Persons columns in the batch after the rebuild"
tar -xOf "${archives[2]}" --exclude manifest.json | grep -E '^(2|150),' >"$T/between.csv"
assert_lines "$T/between.csv" "rows changed between ALTER and rebuild, in the load" '2,Carla Nguyen,Between,' \
	'150,Mid Way,Gap,'
tar -xOf "${archives[3]}" --exclude manifest.json >"$T/after.csv"
assert_lines "$T/after.csv" "rows after the rebuild" 'U,3,Dev Khan,Dallas,three@example.com' \
	'I,151,New Col,Now,new@example.com' 'U,150,Mid Way,Gap,mid@example.com'
check_chain

cdc apply --to "sqlite:$T/incremental.db"
assert_eq Email "$(sqlite3 "$T/incremental.db" "SELECT name FROM pragma_table_info('Persons') WHERE cid = 3")" \
	"column added to the incremental replica"
cdc verify --against "sqlite:$T/incremental.db"
check_replica_equals_source "$T/incremental.db"
apply_and_compare "$T/fresh.db"
