#!/usr/bin/env bash
# [batch] csv_header and load_op_column (DMS's AddColumnName and
# IncludeOpForFullLoad): the files start with a header row naming the
# columns (Op first where there is an Op column), load rows get an I column
# when asked, the manifest says which, and apply reads such files back: the
# replica equals the source.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"

for combo in header:op header:no-op no-header:op; do
	core_use "$T/$combo"
	header=false op=false
	[[ $combo == header:* ]] && header=true
	[[ $combo == *:op ]] && op=true
	core_config '[batch]' "csv_header = $header" "load_op_column = $op"
	sql "CREATE TABLE t(id INTEGER PRIMARY KEY, \"na,me\" TEXT, v REAL);
	     INSERT INTO t VALUES(1, 'a', 1.5), (2, 'Op', NULL);"
	cdc triggers install
	cdc load
	sql "UPDATE t SET v = 2.5 WHERE id = 1; INSERT INTO t VALUES(3, 'c', 3); DELETE FROM t WHERE id = 2;"
	cdc run
	mapfile -t archives < <(published)
	load_rows=$'1,a,1.5\n2,Op,'
	[[ $op == true ]] && load_rows=$'I,1,a,1.5\nI,2,Op,'
	cdc_rows=$'U,1,a,2.5\nI,3,c,3.0\nD,2,Op,'
	if [[ $header == true ]]; then
		if [[ $op == true ]]; then
			load_rows=$'Op,id,"na,me",v\n'$load_rows
		else
			load_rows=$'id,"na,me",v\n'$load_rows
		fi
		cdc_rows=$'Op,id,"na,me",v\n'$cdc_rows
	fi
	assert_eq "$load_rows" "$(archive_member "${archives[0]}" t/LOAD00000001.csv)" "$combo: load file"
	assert_eq "$cdc_rows" "$(tar -xOf "${archives[1]}" --exclude manifest.json)" "$combo: cdc file"
	assert_eq "$op $header" "$(manifest "${archives[0]}" | jq -r '.tables[0] | "\(.op_column) \(.header)"')" \
		"$combo: op_column and header in the load manifest"
	apply_and_compare "$T/$combo/replica.db"
done
