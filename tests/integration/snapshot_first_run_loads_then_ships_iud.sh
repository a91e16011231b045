#!/usr/bin/env bash
# mode = snapshot on SQLite, no triggers: the first run publishes a load
# (DMS's LOAD00000001.csv), an idle run publishes nothing, and a run after
# changes ships them in key order: a new key as I, a changed row as U with
# its new image, a missing key as D with the key and NULLs (docs/design.md §5),
# a key change as D of the old key and I of the new. A row updated to the
# same values ships nothing. A replica rebuilt by apply equals the source.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"
source "$ROOT/tests/lib/snapshot.sh"

persons_db "$SRC_DB"
snapshot_config
cdc --json run
assert_eq "1 load" "$(jq -r '"\(.batches) \(.published[0].kind)"' "$T/last.out")" "first run"
load=$(published)
manifest "$load" >load.json
assert_eq "snapshot load null" "$(jq -r '"\(.batch.mode) \(.batch.kind) \(.batch.previous)"' load.json)" \
	"load manifest"
assert_eq "Persons/LOAD00000001.csv 101" "$(jq -r '.tables[0] | "\(.file) \(.rows)"' load.json)" \
	"load file"
assert_eq "10,Jack Hicks,Houston" "$(archive_member "$load" Persons/LOAD00000001.csv | sed -n 10p)" \
	"load row 10"
[[ -z $(sqlite3 "$SRC_DB" "SELECT name FROM sqlite_schema WHERE name LIKE 'cdcpack%'") ]] ||
	fail "snapshot mode created objects in the source"

cdc --json run
assert_eq 0 "$(jq .batches "$T/last.out")" "batches of an idle run"

sql "UPDATE Persons SET FullName = 'ABC XYZ' WHERE PersonID = 7;
     INSERT INTO Persons VALUES(130, 'Alica Bing', 'New York');
     UPDATE Persons SET PersonID = 200 WHERE PersonID = 2;
     DELETE FROM Persons WHERE PersonID = 10;
     UPDATE Persons SET City = City WHERE PersonID = 8;"
cdc --json run
assert_eq "1 cdc 5" "$(jq -r '"\(.batches) \(.published[0].kind) \(.published[0].rows)"' "$T/last.out")" \
	"run after changes"
printf '%s\n' 'D,2,,' 'U,7,ABC XYZ,Phoenix' 'D,10,,' 'I,130,Alica Bing,New York' \
	'I,200,Carla Nguyen,Chicago' >want.csv
cdc_rows >rows.csv
if ! cmp -s want.csv rows.csv; then
	diff want.csv rows.csv >&2 || true
	fail "snapshot cdc rows (< expected, > published)"
fi
manifest "$(published | tail -1)" >cdc.json
assert_eq '{"I":2,"U":1,"D":2} null null' \
	"$(jq -c -r '.tables[0] | "\(.ops | tojson) \(.first_seq) \(.last_seq)"' cdc.json)" "cdc manifest"
check_archive "$(published | tail -1)"

cdc --json run
assert_eq 0 "$(jq .batches "$T/last.out")" "batches of a second idle run"
snapshot_check_chain
apply_and_compare "$T/replica.db"

# jsonl batches carry the same changes; a D's before image is the key.
core_use "$T/jsonl"
persons_db "$SRC_DB"
snapshot_config '[batch]' 'format = jsonl'
cdc run
sql "DELETE FROM Persons WHERE PersonID = 10; UPDATE Persons SET City = 'Rome' WHERE PersonID = 3;"
cdc run
assert_eq 'U 3 null Rome|D 10 null null' \
	"$(cdc_rows | jq -r '"\(.op) \(.key.PersonID) \(.before.City) \(.after.City)"' | paste -sd'|')" \
	"jsonl changes"
apply_and_compare "$T/jsonl/replica.db"
