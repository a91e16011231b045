#!/usr/bin/env bash
# [batch] max_rows = 10: a load of 101 rows is one batch of 11 files named
# LOAD00000001..LOAD0000000B (hex, as DMS counts); 35 changes make 4 batches
# (10, 10, 10, 5 rows) in one run, chained by `previous`; with
# --max-batches 2 a run stops after 2 batches and the next run ships the rest.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"

persons_loaded '[batch]' 'max_rows = 10'
load=$(published)
manifest "$load" >"$T/load.json"
want_files=$(for i in 1 2 3 4 5 6 7 8 9 10 11; do printf 'Persons/LOAD%08X.csv\n' "$i"; done)
assert_eq "$want_files" "$(jq -r '.tables[].file' "$T/load.json")" "load files"
assert_eq "10 10 10 10 10 10 10 10 10 10 1" "$(jq -r '[.tables[].rows] | join(" ")' "$T/load.json")" "rows per load file"
assert_eq 10 "$(archive_member "$load" Persons/LOAD0000000A.csv | wc -l)" "rows in LOAD0000000A.csv"

sql "UPDATE Persons SET City = 'One ' || PersonID WHERE PersonID <= 35"
cdc --json run
assert_eq "4 35" "$(jq -r '"\(.batches) \(.rows)"' "$T/last.out")" "batches and rows of a run of 35 changes"
assert_eq "10 10 10 5" "$(jq -r '[.published[].rows] | join(" ")' "$T/last.out")" "rows per batch"
assert_eq 5 "$(published_count)" "published batches"

sql "UPDATE Persons SET City = 'Two ' || PersonID WHERE PersonID <= 35"
cdc --json run --max-batches 2
assert_eq "2 20" "$(jq -r '"\(.batches) \(.rows)"' "$T/last.out")" "batches and rows with --max-batches 2"
assert_eq 7 "$(published_count)" "published batches after --max-batches 2"
cdc --json status
assert_eq 15 "$(jq .pending "$T/last.out")" "changes still pending"
cdc --json run
assert_eq "2 15" "$(jq -r '"\(.batches) \(.rows)"' "$T/last.out")" "batches and rows of the next run"
check_chain

cdc_rows >"$T/rows.csv"
sqlite3 "$SRC_DB" "SELECT 'U,' || PersonID || ',' || FullName || ',One ' || PersonID FROM Persons WHERE PersonID <= 35 ORDER BY PersonID;
	SELECT 'U,' || PersonID || ',' || FullName || ',Two ' || PersonID FROM Persons WHERE PersonID <= 35 ORDER BY PersonID" >"$T/want.csv"
assert_same_file "$T/want.csv" "$T/rows.csv" "cdc rows across the split batches are not the 70 changes in order"
apply_and_compare "$T/replica.db"
