#!/usr/bin/env bash
# SQLite generated columns (VIRTUAL and STORED) are columns like any other:
# the manifest lists them, load, trigger-mode changes and snapshot-mode
# changes carry their values, and the replica holds them (as plain columns)
# equal to the source's.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"

schema="CREATE TABLE t(id INTEGER PRIMARY KEY, a INT, g INT GENERATED ALWAYS AS (a * 2) STORED,
                      v AS (a + 1) VIRTUAL, b TEXT);
        INSERT INTO t(id, a, b) VALUES(1, 5, 'x'), (2, 6, 'y');"
dump() { sqlite3 "$1" "SELECT id, a, g, v, b FROM t ORDER BY id"; }

for mode in trigger snapshot; do
	core_use "$T/$mode"
	sql "$schema"
	core_config "[capture]" "mode = $mode"
	if [[ $mode == trigger ]]; then
		cdc triggers install
		cdc load
	else
		cdc run
	fi
	mapfile -t archives < <(published)
	assert_eq '["id","a","g","v","b"]' "$(manifest "${archives[0]}" | jq -c '[.tables[0].columns[].name]')" \
		"$mode: columns of the load"
	sql "INSERT INTO t(id, a, b) VALUES(3, 7, 'z'); UPDATE t SET a = 9 WHERE id = 1; DELETE FROM t WHERE id = 2"
	cdc run
	mapfile -t archives < <(published)
	assert_eq 2 "${#archives[@]}" "$mode: published batches"
	tar -xOf "${archives[1]}" --exclude manifest.json | sort >"$T/$mode.csv"
	assert_contains "$T/$mode.csv" "I,3,7,14,8,z"
	assert_contains "$T/$mode.csv" "U,1,9,18,10,x"
	cdc apply --to "sqlite:$T/$mode/replica.db"
	assert_eq "$(dump "$SRC_DB")" "$(dump "$T/$mode/replica.db")" "$mode: replica rows with generated values"
	cdc verify --against "sqlite:$T/$mode/replica.db"
	[[ $mode == snapshot ]] || check_chain # (first_seq..last_seq are trigger mode's)
done
