#!/usr/bin/env bash
# Snapshot mode through schema changes and accidents:
# - a column added, then dropped: the table ships whole as a load batch
#   with the new column list, and the run says why; the replica takes each
#   definition (the dropped column goes);
# - a table created later ships its rows as I in a cdc batch;
# - a NOCASE text key ('a', 'B', 'c') is merged in byte order, not
#   mis-paired by the collation;
# - a table without a primary key is keyed by its rowid;
# - a damaged stored snapshot stops the run (exit 3, nothing published,
#   the way out named) and `cdcpack load TABLE` starts the table over.
# Each time a replica rebuilt by apply equals the source.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"
source "$ROOT/tests/lib/snapshot.sh"

persons_db "$SRC_DB"
sql "CREATE TABLE Tags(name TEXT COLLATE NOCASE PRIMARY KEY, n INT);
     INSERT INTO Tags VALUES ('a', 1), ('B', 2), ('c', 3);
     CREATE TABLE Loose(x, y); INSERT INTO Loose VALUES (1, 'one'), (2, 'two');"
snapshot_config
cdc run
assert_eq "B,2|a,1|c,3" "$(archive_member "$(published)" Tags/LOAD00000001.csv | paste -sd'|')" \
	"Tags load rows, in byte order"

sql "ALTER TABLE Persons ADD COLUMN Email TEXT;
     UPDATE Persons SET Email = 'eve@example.com' WHERE PersonID = 4;
     UPDATE Tags SET n = 20 WHERE name = 'B';
     DELETE FROM Tags WHERE name = 'a';
     INSERT INTO Tags VALUES ('A ', 4);
     UPDATE Loose SET y = 'TWO' WHERE x = 2;
     INSERT INTO Loose VALUES (3, 'three');"
cdc run
assert_contains "$T/last.err" "table Persons: its columns changed since the chain last shipped it"
reload=$(published | tail -2 | head -1)
manifest "$reload" >reload.json
assert_eq "load 101 Email" \
	"$(jq -r '.batch.kind as $k | .tables[] | select(.name == "Persons") | "\($k) \(.rows) \(.columns[-1].name)"' reload.json)" \
	"Persons after ADD COLUMN: a load, with the new column"
assert_eq "4,Eve Berg,El Paso,eve@example.com" \
	"$(archive_member "$reload" Persons/LOAD00000001.csv | sed -n 4p)" \
	"Persons row 4 carries the new column"
last=$(published | tail -1)
manifest "$last" >drift.json
assert_eq "Loose Tags" "$(jq -r '[.tables[].name] | sort | join(" ")' drift.json)" "tables of the cdc batch"
assert_eq "I,A ,4|U,B,20|D,a," \
	"$(archive_member "$last" "$(jq -r '.tables[] | select(.name == "Tags") | .file' drift.json)" | paste -sd'|')" \
	"Tags changes, paired by bytes"
assert_eq "U,2,2,\"TWO\"|I,3,3,\"three\"" \
	"$(archive_member "$last" "$(jq -r '.tables[] | select(.name == "Loose") | .file' drift.json)" | paste -sd'|')" \
	"Loose changes, keyed by rowid"

sql "CREATE TABLE Extra(id INTEGER PRIMARY KEY, v TEXT); INSERT INTO Extra VALUES (1, 'x'), (2, 'y');"
cdc --json run
assert_eq "cdc 2" "$(jq -r '.published[0] | "\(.kind) \(.rows)"' "$T/last.out")" "a new table's first rows"
assert_eq "I,1,x|I,2,y" "$(archive_member "$(published | tail -1)" Extra/"$(manifest "$(published | tail -1)" | jq -r '.tables[0].file | split("/")[1]')" | paste -sd'|')" \
	"a new table ships as I rows"
cdc --json run
assert_eq 0 "$(jq .batches "$T/last.out")" "idle after the new table"
apply_and_compare "$T/replica.db"

# A column dropped: the table ships whole without it, and the replica's
# table loses it too.
sql "ALTER TABLE Persons DROP COLUMN Email;"
cdc --json run
assert_eq "load 101" "$(jq -r '.published[0] | "\(.kind) \(.rows)"' "$T/last.out")" "after DROP COLUMN"
apply_and_compare "$T/replica.db"
assert_eq "PersonID FullName City" "$(sqlite3 "$T/replica.db" "SELECT name FROM pragma_table_info('Persons')" | tr '\n' ' ' | sed 's/ $//')" \
	"replica columns after DROP COLUMN"

# A damaged snapshot file: the run stops before publishing anything.
count=$(published_count)
snap=$(sqlite3 "$STATE_DIR/snapshot/index.db" "SELECT file FROM current WHERE tbl = 'Persons'")
[[ -n $snap ]] || fail "no current snapshot of Persons in the index"
printf '\x7f\x7f\x7f\x7f' | dd of="$STATE_DIR/snapshot/$snap" bs=1 seek=200 conv=notrunc status=none
sql "UPDATE Persons SET City = 'Oslo' WHERE PersonID = 1;"
cdc_status 3 run
assert_contains "$T/last.err" "damaged snapshot"
assert_contains "$T/last.err" "cdcpack load Persons"
assert_eq "$count" "$(published_count)" "batches published from a damaged snapshot"
cdc load Persons
cdc --json run
assert_eq 0 "$(jq .batches "$T/last.out")" "idle after reloading Persons"
rm "$T/replica.db"
apply_and_compare "$T/replica.db"
snapshot_check_chain
