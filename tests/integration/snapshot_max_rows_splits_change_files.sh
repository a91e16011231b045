#!/usr/bin/env bash
# A snapshot run is one consistent diff, shipped as one batch however many
# rows changed; with [batch] max_rows its change files split (as a load's
# do), named yyyymmdd-hhmmssSSS, then -2, -3, ..., and apply reads them in
# order: the replica equals the source.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"
source "$ROOT/tests/lib/snapshot.sh"

persons_db "$SRC_DB"
snapshot_config '[batch]' 'max_rows = 2'
cdc --json run
load=$(published)
assert_eq "51 101" "$(manifest "$load" | jq -r '"\(.tables | length) \([.tables[].rows] | add)"')" \
	"load files of at most 2 rows"

sql "UPDATE Persons SET FullName = 'ABC XYZ' WHERE PersonID = 7;
     INSERT INTO Persons VALUES(130, 'Alica Bing', 'New York');
     UPDATE Persons SET PersonID = 200 WHERE PersonID = 2;
     DELETE FROM Persons WHERE PersonID = 10;"
cdc --json run
assert_eq "1 5" "$(jq -r '"\(.batches) \(.published[0].rows)"' "$T/last.out")" "one batch of 5 changes"
change=$(published | tail -n 1)
manifest "$change" >cdc.json
assert_eq "2 2 1" "$(jq -r '[.tables[].rows] | map(tostring) | join(" ")' cdc.json)" "rows per change file"
jq -r '.tables[].file' cdc.json >files.txt
grep -Eq '^Persons/[0-9]{8}-[0-9]{9}\.csv$' <(sed -n 1p files.txt) || fail "first file: $(cat files.txt)"
assert_eq "$(sed -n 1p files.txt | sed 's/\.csv$/-2.csv/') $(sed -n 1p files.txt | sed 's/\.csv$/-3.csv/')" \
	"$(sed -n 2,3p files.txt | paste -sd' ')" "later file names"
check_cdc_rows "changes in key order" 'D,2,,' 'U,7,ABC XYZ,Phoenix' 'D,10,,' 'I,130,Alica Bing,New York' \
	'I,200,Carla Nguyen,Chicago'
check_archive "$change"
snapshot_check_chain
apply_and_compare "$T/replica.db"
