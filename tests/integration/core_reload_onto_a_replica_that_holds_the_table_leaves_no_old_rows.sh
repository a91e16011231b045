#!/usr/bin/env bash
# Applying a load batch onto a replica that already holds the table (a
# reload: `load TABLE` after the first load was applied) replaces the table:
# rows deleted at the source before the reload are gone from the replica,
# whether the reload is applied alone or in one apply with the first load;
# other tables keep their rows.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"

persons_db "$SRC_DB"
sql "CREATE TABLE Other(id INTEGER PRIMARY KEY, v TEXT); INSERT INTO Other VALUES(1, 'one'), (2, 'two');"
core_config
cdc triggers install
cdc load
cdc apply --to "sqlite:$T/replica.db"
assert_eq 101 "$(sqlite3 "$T/replica.db" "SELECT count(*) FROM Persons")" "Persons rows after the first load"

sql "DELETE FROM Persons WHERE PersonID IN (2, 3); UPDATE Persons SET City = 'Reloaded' WHERE PersonID = 4;
     INSERT INTO Persons VALUES(150, 'New Comer', 'Nome');"
cdc load Persons
assert_eq load "$(manifest "$(published | tail -n 1)" | jq -r .batch.kind)" "kind of batch 2"
cdc apply --to "sqlite:$T/replica.db"
assert_eq "" "$(sqlite3 "$T/replica.db" "SELECT PersonID FROM Persons WHERE PersonID IN (2, 3)")" \
	"rows deleted before the reload, left in the replica"
check_replica_equals_source "$T/replica.db"

# The same chain applied in one go onto a fresh replica.
cdc apply --to "sqlite:$T/fresh.db"
check_replica_equals_source "$T/fresh.db"
