#!/usr/bin/env bash
# The DMS example: Persons(101 rows) loaded, then an update, three inserts,
# another update and a delete. The cdc file of the published archive holds
# exactly DMS's rows in change order; the load file is LOAD00000001.csv with
# the 101 rows and no Op column; the key has the documented shape;
# manifest.json is the first entry; every checksum is xxhsum -H2's; and a
# replica built by apply equals the source.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"

persons_loaded
sql "UPDATE Persons SET FullName = 'ABC XYZ' WHERE PersonID = 7;
     INSERT INTO Persons VALUES(130, 'Alica Bing', 'New York');
     INSERT INTO Persons VALUES(131, 'Malinda Bing', 'Detroit');
     INSERT INTO Persons VALUES(132, 'Chandler Bing', 'Portland');
     UPDATE Persons SET FullName = 'ABC XYZ' WHERE PersonID = 8;
     DELETE FROM Persons WHERE PersonID = 10;"
cdc --json run
assert_eq 1 "$(jq .batches "$T/last.out")" "batches published by the run"

mapfile -t archives < <(published)
assert_eq 2 "${#archives[@]}" "published archives (load + cdc)"
load=${archives[0]} change=${archives[1]}

# Key: cdc/<source>/YYYY/MM/DD/<source>-<SEQ:08>-<YYYYMMDDTHHMMSSZ>.tar.zst,
# the date directories being those of the stamp.
for a in "$load" "$change"; do
	key=${a#"$BUCKET/"}
	[[ $key =~ ^cdc/src/([0-9]{4})/([0-9]{2})/([0-9]{2})/src-0000000[12]-([0-9]{4})([0-9]{2})([0-9]{2})T[0-9]{6}Z\.tar\.zst$ ]] ||
		fail "key [$key] does not have the shape cdc/src/YYYY/MM/DD/src-SEQ-YYYYMMDDTHHMMSSZ.tar.zst"
	assert_eq "${BASH_REMATCH[1]}${BASH_REMATCH[2]}${BASH_REMATCH[3]}" \
		"${BASH_REMATCH[4]}${BASH_REMATCH[5]}${BASH_REMATCH[6]}" "date directories vs stamp of $key"
	check_archive "$a"
done
[[ $(basename "$load") == src-00000001-* ]] || fail "load is not batch 1: $load"
[[ $(basename "$change") == src-00000002-* ]] || fail "cdc is not batch 2: $change"

# The load batch: one file, DMS's name, 101 rows, no Op column.
manifest "$load" >"$T/load.json"
assert_eq load "$(jq -r .batch.kind "$T/load.json")" "kind of batch 1"
assert_eq "Persons/LOAD00000001.csv" "$(jq -r '[.tables[].file] | join(" ")' "$T/load.json")" "load files"
assert_eq false "$(jq -r '.tables[0].op_column' "$T/load.json")" "op_column of the load file"
tar --zstd -xOf "$load" Persons/LOAD00000001.csv >"$T/load.csv"
assert_eq 101 "$(wc -l <"$T/load.csv")" "rows in LOAD00000001.csv"
assert_eq 101 "$(jq '.tables[0].rows' "$T/load.json")" "rows in the load manifest"
assert_eq "1,Bob Ortiz,Boston" "$(head -n 1 "$T/load.csv")" "load row 1"
assert_eq "7,Ann Nguyen,Phoenix" "$(sed -n 7p "$T/load.csv")" "load row 7"
assert_eq "10,Jack Hicks,Houston" "$(sed -n 10p "$T/load.csv")" "load row 10"

# The cdc batch: one file named by time, exactly DMS's rows.
manifest "$change" >"$T/cdc.json"
assert_eq cdc "$(jq -r .batch.kind "$T/cdc.json")" "kind of batch 2"
assert_eq src-00000001 "$(jq -r .batch.previous "$T/cdc.json")" "previous of batch 2"
file=$(jq -r '.tables[0].file' "$T/cdc.json")
[[ $file =~ ^Persons/[0-9]{8}-[0-9]{9}\.csv$ ]] || fail "cdc file name [$file] is not Persons/YYYYMMDD-HHMMSSmmm.csv"
tar --zstd -xOf "$change" "$file" >"$T/cdc.csv"
assert_lines "$T/cdc.csv" "cdc file is not DMS's rows" 'U,7,ABC XYZ,Phoenix' 'I,130,Alica Bing,New York' \
	'I,131,Malinda Bing,Detroit' 'I,132,Chandler Bing,Portland' 'U,8,ABC XYZ,Denver' 'D,10,Jack Hicks,Houston'
assert_eq '{"I":3,"U":2,"D":1}' "$(jq -c '.tables[0].ops' "$T/cdc.json")" "ops in the manifest"
assert_eq 6 "$(jq '.tables[0].rows' "$T/cdc.json")" "rows in the manifest"
assert_eq true "$(jq '.tables[0].op_column' "$T/cdc.json")" "op_column of the cdc file"
assert_eq '["PersonID","FullName","City"]' "$(jq -c '[.tables[0].columns[].name]' "$T/cdc.json")" "columns"

# show checks the same checksums and agrees.
cdc show "$change"
assert_contains "$T/last.out" "src-00000002"

apply_and_compare "$T/replica.db"
assert_eq "" "$(temp_objects)" "objects left under the temp prefix"
