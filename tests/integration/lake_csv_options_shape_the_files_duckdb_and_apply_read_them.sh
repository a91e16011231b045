#!/usr/bin/env bash
# [batch] csv_delimiter, csv_null_value and binary_encoding (DMS's
# CsvDelimiter, CsvNullValue and its hex BLOBs; issue 13 item 3) shape the
# change files, so the archive and the lake carry the same bytes: fields
# split by the delimiter (quoted when they hold it), NULL spelt as the marker
# (text equal to it quoted), BLOBs hex by default or base64 (X'..' where the
# spelling would read as a number). The manifest records each option; DuckDB
# reads the lake objects in place with those options and the shipped merge
# equals the source; apply reads every combination back into a replica that
# verify and the independent comparison find equal to the source.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"
source "$ROOT/tests/lib/lake.sh"

# join SEP FIELD...: the fields joined by SEP (one character).
join() {
	local IFS=$1
	shift
	printf '%s\n' "$*"
}

tab=$'\t'
# check NAME CONF DELIM NULL BINARY: one combination: csv_delimiter = CONF
# (the character DELIM), csv_null_value = NULL, binary_encoding = BINARY
# (empty: not set).
check() {
	local name=$1 conf=$2 delim=$3 null=$4 binary=$5
	echo "case: $name"
	core_use "$T/$name"
	local lines=('[batch]' "csv_delimiter = $conf" "csv_null_value = $null")
	[[ -n $binary ]] && lines+=("binary_encoding = $binary")
	core_config "${lines[@]}" '[lake]' 'prefix = dms/' 'compression = gzip'
	sql "CREATE TABLE orders (id INTEGER PRIMARY KEY, name TEXT, v REAL, b BLOB);
		INSERT INTO orders VALUES (1, 'plain', 1.5, x'00ff'), (2, 'NULL', NULL, NULL),
			(3, 'a|b;c' || char(9) || 'd', 0.1, x'61'), (4, '', -2.0, x'');"
	cdc triggers install
	cdc load
	sql "UPDATE orders SET name = 'NULL' WHERE id = 1; INSERT INTO orders VALUES (5, 'x;y', NULL, x'0a0b');
		DELETE FROM orders WHERE id = 3; UPDATE orders SET b = x'1234' WHERE id = 4;"
	cdc run

	# The bytes, as the options spell them.
	local want_load want_cdc load nul=$null blob1=00FF blob5=0A0B blob4="X'1234'" quoted_null='"NULL"'
	# hex 1234 would read as a number in this BLOB column (SQLite's BLOB
	# affinity takes any value): X'1234'.
	[[ $binary == base64 ]] && blob1=AP8= blob5=Cgs= blob4=EjQ=
	[[ $null == NULL ]] || quoted_null=NULL
	want_load=$(join "$delim" 1 plain 1.5 "$blob1")$'\n'$(join "$delim" 2 "$quoted_null" "$nul" "$nul")
	want_load+=$'\n'$(join "$delim" 3 "\"a|b;c${tab}d\"" 0.1 "$([[ $binary == base64 ]] && echo YQ== || echo "X'61'")")
	want_load+=$'\n'$(join "$delim" 4 '""' -2.0 "X''")
	load=$(published | head -n 1)
	assert_eq "$want_load" "$(archive_member "$load" orders/LOAD00000001.csv)" "$name: load file"
	want_cdc=$(join "$delim" U 1 "$quoted_null" 1.5 "$blob1")
	want_cdc+=$'\n'$(join "$delim" I 5 "$([[ $delim == ';' ]] && echo '"x;y"' || echo 'x;y')" "$nul" "$blob5")
	want_cdc+=$'\n'$(join "$delim" D 3 "\"a|b;c${tab}d\"" 0.1 "$([[ $binary == base64 ]] && echo YQ== || echo "X'61'")")
	want_cdc+=$'\n'$(join "$delim" U 4 '""' -2.0 "$blob4")
	assert_eq "$want_cdc" "$(cdc_rows)" "$name: cdc file"
	assert_eq "$delim|$null|${binary:-hex}|all" \
		"$(manifest "$(published | tail -n 1)" | jq -r '.tables[0] | "\(.csv_delimiter)|\(.csv_null_value)|\(.binary_encoding)|\(.cdc_ops)"')" \
		"$name: the options in the manifest"
	# The lake objects hold the same bytes.
	zcat "$BUCKET/dms/src/orders/LOAD00000001.csv.gz" | cmp -s - <(archive_member "$load" orders/LOAD00000001.csv) ||
		fail "$name: the lake's load object differs from the archive's file"

	# DuckDB reads them in place with the options: the merge equals the source.
	sqlite3 -separator "$tab" -nullvalue '\N' "$SRC_DB" \
		"SELECT id, name, v, CASE WHEN b IS NULL THEN NULL ELSE hex(b) END FROM orders ORDER BY id" >"$T/src.orders"
	LAKE_DELIM=$delim LAKE_NULL=$null LAKE_BINARY=${binary:-hex} \
		lake_merge "$BUCKET/dms/src/orders" id,name,v,b id b | sort -t"$tab" -k1,1n >"$T/lake.orders"
	assert_same_rows "$T/src.orders" "$T/lake.orders" "$name: orders"

	apply_and_compare "$T/$name/replica.db"
}

check pipe-NULL-hex '|' '|' NULL hex
check tab-N-base64 '\t' "$tab" '\N' base64
check semicolon-defaults '";"' ';' '' ''
