#!/usr/bin/env bash
# [batch] timestamp_column (DMS's TimestampColumnName; issue 13 item 3): an
# extra last column, named in the header and the manifest, holding per row
# the load's time for load rows and the change's time for cdc rows, spelt
# yyyy-MM-dd HH:mm:ss.SSSSSS: in trigger mode the time the changelog
# recorded for the change (its capture by the trigger), in snapshot mode the
# time of the run's scan. The archive and the lake carry it; DuckDB reads
# it in place as a TIMESTAMP, and the merge (ignoring it) equals the
# source; apply skips it, and the replica equals the source.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"
source "$ROOT/tests/lib/lake.sh"

# dms_time ISO: 2026-12-07T04:30:00.123Z as 2026-12-07 04:30:00.123000.
dms_time() {
	local t=${1/T/ }
	printf '%s000\n' "${t%Z}"
}

# last_fields FILE DELIM: the last field of every line.
last_fields() {
	awk -F"$2" '{ print $NF }' "$1"
}

echo "case: trigger mode, lake, comma"
core_use "$T/trigger"
core_config '[batch]' 'timestamp_column = changed_at' '[lake]' 'prefix = dms/' 'compression = gzip'
sql "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, v REAL);
	INSERT INTO t VALUES (1, 'a', 1.5), (2, 'b', NULL), (3, 'c', 0.1);"
cdc triggers install
cdc load
load=$(published | head -n 1)
archive_member "$load" t/LOAD00000001.csv >"$T/load.csv"
want=$(dms_time "$(manifest "$load" | jq -r .batch.created)")
assert_eq "$want"$'\n'"$want"$'\n'"$want" "$(last_fields "$T/load.csv" ,)" "load rows' time (the load's)"
assert_eq "1,a,1.5,$want" "$(head -n 1 "$T/load.csv")" "a load row"
sql "INSERT INTO t VALUES (4, 'd', 4); UPDATE t SET name = 'A' WHERE id = 1;"
sleep 0.05
sql "DELETE FROM t WHERE id = 2;"
# The changelog's own times, as the trigger recorded them.
sql "SELECT strftime('%Y-%m-%d %H:%M:%f', ts) || '000' FROM cdcpack_changelog ORDER BY seq" >"$T/want.times"
cdc run
cdc_rows >"$T/cdc.csv"
last_fields "$T/cdc.csv" , >"$T/got.times"
assert_same_file "$T/want.times" "$T/got.times" "cdc rows' time (the changelog's)"
grep -Eqvx '[IUD],[0-9]+,[a-zA-Z]*,[0-9.]*,[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}' "$T/cdc.csv" &&
	fail "cdc rows outside yyyy-MM-dd HH:mm:ss.SSSSSS: $(cat "$T/cdc.csv")"
assert_eq "changed_at" "$(manifest "$(published | tail -n 1)" | jq -r '.tables[0].timestamp_column')" \
	"timestamp_column in the manifest"
sqlite3 -separator $'\t' -nullvalue '\N' "$SRC_DB" "SELECT id, name, v FROM t ORDER BY id" >"$T/src.t"
LAKE_TS=changed_at lake_merge "$BUCKET/dms/src/t" id,name,v id | sort -t$'\t' -k1,1n >"$T/lake.t"
assert_same_rows "$T/src.t" "$T/lake.t" t
apply_and_compare "$T/trigger/replica.db"

echo "case: snapshot mode, header, '|', a name with a space"
core_use "$T/snapshot"
core_config '[capture]' 'mode = snapshot' '[batch]' 'timestamp_column = changed at' 'csv_header = true' \
	'csv_delimiter = |'
sql "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT);
	INSERT INTO t VALUES (1, 'a'), (2, 'b');"
cdc run
load=$(published | head -n 1)
want=$(dms_time "$(manifest "$load" | jq -r .batch.created)")
assert_eq "id|name|changed at"$'\n'"1|a|$want"$'\n'"2|b|$want" "$(archive_member "$load" t/LOAD00000001.csv)" \
	"snapshot load file"
sql "UPDATE t SET name = 'B' WHERE id = 2; INSERT INTO t VALUES (3, 'c'); DELETE FROM t WHERE id = 1;"
from=$(date -u '+%Y-%m-%d %H:%M:%S.%3N000')
cdc run
to=$(date -u '+%Y-%m-%d %H:%M:%S.%3N000')
cdc_rows >"$T/cdc.csv"
assert_eq "Op|id|name|changed at" "$(head -n 1 "$T/cdc.csv")" "snapshot cdc header"
mapfile -t times < <(tail -n +2 "$T/cdc.csv" | awk -F'|' '{ print $NF }' | sort -u)
assert_eq 1 "${#times[@]}" "one scan time for the run's rows: ${times[*]}"
[[ ! ${times[0]} < $from && ! ${times[0]} > $to ]] || fail "scan time ${times[0]} outside the run ($from .. $to)"
# (a snapshot D row carries the key and NULLs: the scan no longer sees the row)
assert_eq "D|1||${times[0]}"$'\n'"U|2|B|${times[0]}"$'\n'"I|3|c|${times[0]}" "$(tail -n +2 "$T/cdc.csv")" \
	"snapshot cdc rows"
apply_and_compare "$T/snapshot/replica.db"
