#!/usr/bin/env bash
# mode = binlog, the DMS example (examples/persons-mysql): Persons (101
# rows) loaded by the first run, then an update, three inserts, another
# update and a delete, one autocommit statement each. The run ships one cdc
# batch whose Persons file is exactly DMS's rows in change order (the same
# rows core_persons_cdc_rows_match_dms.sh expects of trigger mode, byte for
# byte); the load file is LOAD00000001.csv with the 101 rows and no Op
# column; no trigger or changelog table is in the source; a MariaDB replica
# built by apply equals the source, by the mariadb client's own dumps.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/mysql.sh"
source "$ROOT/tests/lib/core.sh"
source "$ROOT/tests/lib/binlog.sh"

ex=$ROOT/examples/persons-mysql
db=$(mysql_fresh_db binlog_persons)
mysql_root -D "$db" <"$ex/persons.sql"
binlog_user "$db"
write_config "$CDCPACK_CONFIG" "$url" "file:$BUCKET" '[capture]' 'mode = binlog' 'tables = Persons'
sed -i -e 's|^url = mysql:.*|&\nname = src|' -e "s|^dir = .*|dir = $STATE_DIR|" "$CDCPACK_CONFIG"

mysql_exec "$db" "SELECT * FROM Persons ORDER BY 1" | tr '\t' , >"$T/source.csv"
cdc --json run
assert_eq load "$(jq -r '.published[0].kind' "$T/last.out")" "the first run's batch"
mysql_root -D "$db" <"$ex/changes.sql"
cdc --json run
assert_eq 1 "$(jq .batches "$T/last.out")" "batches published by the run after the changes"

mapfile -t archives < <(published)
assert_eq 2 "${#archives[@]}" "published archives (load + cdc)"
load=${archives[0]} change=${archives[1]}
check_archive "$load"
check_archive "$change"
[[ $(basename "$load") == src-00000001-* ]] || fail "load is not batch 1: $load"
[[ $(basename "$change") == src-00000002-* ]] || fail "cdc is not batch 2: $change"

# The load batch: one file, DMS's name, 101 rows, no Op column.
manifest "$load" >"$T/load.json"
assert_eq "Persons/LOAD00000001.csv" "$(jq -r '[.tables[].file] | join(" ")' "$T/load.json")" "load files"
assert_eq false "$(jq -r '.tables[0].op_column' "$T/load.json")" "op_column of the load file"
archive_member "$load" Persons/LOAD00000001.csv >"$T/load.csv"
assert_eq 101 "$(wc -l <"$T/load.csv")" "rows in LOAD00000001.csv"
assert_same_file "$T/source.csv" "$T/load.csv" "LOAD00000001.csv is not the source's rows"

# The cdc batch: one file named by time, exactly DMS's rows, byte for byte
# (the rows trigger mode ships too).
manifest "$change" >"$T/cdc.json"
assert_eq cdc "$(jq -r .batch.kind "$T/cdc.json")" "kind of batch 2"
assert_eq src-00000001 "$(jq -r .batch.previous "$T/cdc.json")" "previous of batch 2"
file=$(jq -r '[.tables[].file] | join(" ")' "$T/cdc.json")
[[ $file =~ ^Persons/[0-9]{8}-[0-9]{9}\.csv$ ]] || fail "cdc files [$file] are not one Persons/YYYYMMDD-HHMMSSmmm.csv"
archive_member "$change" "$file" >"$T/cdc.csv"
assert_lines "$T/cdc.csv" "cdc file is not DMS's rows" 'U,7,ABC XYZ,Phoenix' 'I,130,Alica Bing,New York' \
	'I,131,Malinda Bing,Detroit' 'I,132,Chandler Bing,Portland' 'U,8,ABC XYZ,Denver' 'D,10,Jack Hicks,Houston'
assert_eq '{"I":3,"U":2,"D":1}' "$(jq -c '.tables[0].ops' "$T/cdc.json")" "ops in the manifest"
assert_eq true "$(jq '.tables[0].op_column' "$T/cdc.json")" "op_column of the cdc file"
assert_eq '["PersonID","FullName","City"]' "$(jq -c '[.tables[0].columns[].name]' "$T/cdc.json")" "columns"

# Binlog mode leaves the source as it was: no trigger, no changelog table.
assert_eq 0 "$(mysql_exec "$db" "SELECT COUNT(*) FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = '$db'")" "triggers in the source"
assert_eq Persons "$(mysql_exec "$db" "SHOW TABLES")" "tables in the source"

replica=$(mysql_fresh_db binlog_persons_replica)
cdc apply --to "$(mysql_url "$replica")"
cdc verify --against "$(mysql_url "$replica")"
assert_eq "$(mysql_dump "$db" Persons)" "$(mysql_dump "$replica" Persons)" "replica rows (mariadb client's dumps)"
assert_eq "" "$(temp_objects)" "objects left under the temp prefix"
